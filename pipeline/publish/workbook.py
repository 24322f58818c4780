"""``notices.xlsx``: the tables as an Excel workbook, for regulators who read, filter and print in Excel.

Sheets: the city comparison first, then one sheet per table (the contract's six, then
``events``, ``event_members`` and ``revisions``), then ``代码说明``, every code with its Chinese
caption and meaning. Every header cell is the Chinese caption with the column's code name
under it (``停机开始`` / ``start_at``), so a reader and a formula can both find a column. A column
of codes keeps its codes, for machines, and is followed by a Chinese column (``情形（中文）`` /
``category_zh``) that a person reads: guidance situations and actions, confidence and its
reasons, repair rules with their evidence in Chinese, where a repaired value lives, the rules
that joined an event. Timestamps are real Excel date-times (Beijing wall-clock time, as in the
tables), dates are dates, lists are joined by ``;`` as in the CSV.

For print and filter: every sheet is landscape A4, fitted to the page width, with its header
row repeated on each page, frozen, and with filters; the file carries document properties
(title, subject, source, when it was generated, in Beijing time).

The rows are streamed from ``notices.duckdb`` into the writer, so memory does not grow with
the tables. The writer is ``rustpy-xlsxwriter`` (Rust's ``rust_xlsxwriter`` behind a Python
API): measured here 4.3 times faster than the pure-Python XlsxWriter (2 million cells: 5.1 s
against 21.8 s), which at 100,000 notices would add a minute to every run. It sets print setup,
panes and filters; it cannot set document properties, so :func:`set_properties` writes the
package's ``docProps/core.xml`` (a fixed ten-line part of the OOXML standard) into the finished
file with the standard library. A table longer than Excel's 1,048,576 rows continues on a second
sheet (``repairs (2)``).
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pipeline.publish.captions import (
    alternatives_zh,
    code,
    codes_zh,
    column,
    end_rule_zh,
    evidence_text,
    repaired_text,
)
from pipeline.publish.tables import DB_NAME
from pipeline.runner.atomic import copy_range

WORKBOOK_NAME = "notices.xlsx"
EXCEL_MAX_ROWS = 1_048_576  # per sheet, the header included
EXCEL_MAX_TEXT = 32_767  # characters per cell
FETCH_ROWS = 5000
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")

# Excel number formats by column kind (schemas.tables.column_specs)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
# Column widths (Excel character units) by kind; text columns are sized from their contents.
KIND_WIDTHS = {"timestamp": 17, "date": 12, "bool": 9, "int": 9, "float": 10}
MIN_WIDTH, MAX_WIDTH = 9, 60

# Table → sheet caption (the sheet is named "通知 notices").
SHEET_CAPTIONS = {
    "notices": "通知",
    "outage_windows": "停机时段",
    "guidance": "参保人指引",
    "contacts": "咨询电话",
    "repairs": "修复记录",
    "errors": "错误",
    "city_comparison": "城市对比",
    "events": "停机事件",
    "event_members": "事件来源",
    "revisions": "变更记录",
}
CODES_SHEET = "代码说明 codes"

# Print setup of every sheet: A4 landscape, all columns on the page width, the header row on
# every page, page numbers in the footer.
PAGE_SETUP = {
    "landscape": True,
    "paper_size": 9,  # A4
    "fit_to_pages": (1, 0),  # one page wide, as many pages tall as the rows need
    "repeat_rows": 0,
    "margins": {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3},
    "footer": "&C&P / &N",
}

ZH = "zh"
ALL_SERVICES = "(all services)"


def _codes(kind: str) -> Callable[[Any, dict], str | None]:
    def render(value: Any, row: dict) -> str | None:
        if value is None:
            return None
        if isinstance(value, list):
            return codes_zh(kind, value) or None
        return code(kind, value)
    return render


def _joined(kind: str) -> Callable[[Any, dict], str | None]:
    """A ``+``-joined list of codes: ``"same_service+covers_scheme"`` → ``"业务完全相同＋一方适用全部险种"``."""
    def render(value: Any, row: dict) -> str | None:
        return "＋".join(code(kind, v) for v in value.split("+")) if value else None
    return render


def _event_alternatives(value: Any, row: dict) -> str | None:
    """``"3f2a… overlap (65)"`` → ``"3f2a…（同地、时间重叠、同类业务，65分）"``."""
    if not value:
        return None
    out = []
    for part in value.split("; "):
        eid, _, rest = part.partition(" ")
        rule, _, score = rest.partition(" ")
        out.append(f"{eid}（{code('join_rule', rule)}，{score.strip('()')}分）")
    return "；".join(out)


def _place_label(value: Any, row: dict) -> str | None:
    from pipeline.publish.views import PROVINCE_WIDE_SUFFIX, UNKNOWN_CITY_PREFIX

    if value is None:
        return None
    if value.endswith(PROVINCE_WIDE_SUFFIX):
        return f"{value.removesuffix(PROVINCE_WIDE_SUFFIX)}（全省）"
    if value.startswith(UNKNOWN_CITY_PREFIX):
        return f"（城市不详）{value.removeprefix(UNKNOWN_CITY_PREFIX)}"
    return value


def _services(value: Any, row: dict) -> str | None:
    return "、".join("全部业务" if s == ALL_SERVICES else s for s in value) if value else None


# Chinese twins: after the column named on the left, a column a person reads, keyed
# (table or "*", column) → (how a value reads, width). The codes stay in their own column.
TWINS: dict[tuple[str, str], tuple[Callable[[Any, dict], str | None], float]] = {
    ("*", "format"): (_codes("format"), 10),
    ("*", "confidence"): (_codes("confidence"), 9),
    ("*", "published_on_confidence"): (_codes("confidence"), 9),
    ("*", "city_confidence"): (_codes("confidence"), 9),
    ("*", "confidence_reasons"): (_codes("confidence_reason"), 40),
    ("*", "published_on_confidence_reasons"): (_codes("confidence_reason"), 40),
    ("*", "city_confidence_reasons"): (_codes("confidence_reason"), 40),
    ("*", "published_on_evidence"): (lambda v, r: evidence_text(None, v, ZH) or None, 40),
    ("*", "city_evidence"): (lambda v, r: evidence_text(None, v, ZH) or None, 30),
    ("*", "end_source"): (_codes("end_source"), 16),
    ("*", "end_rule"): (lambda v, r: end_rule_zh(v, ZH) or None, 24),
    ("*", "end_alternatives"): (lambda v, r: alternatives_zh(v, ZH) or None, 40),
    ("*", "category"): (_codes("category"), 12),
    ("*", "action"): (_codes("action"), 20),
    ("*", "place"): (_codes("place"), 14),
    ("*", "phone_status"): (_codes("phone_status"), 16),
    ("repairs", "table_name"): (_codes("table_name"), 10),
    ("repairs", "column_name"): (lambda v, r: column(v, ZH) if v != "text" else "正文", 12),
    ("repairs", "repaired_value"): (lambda v, r: repaired_text(r["rule"], v, ZH), 18),
    ("repairs", "rule"): (_codes("rule"), 30),
    ("repairs", "evidence"): (lambda v, r: evidence_text(r["rule"], v, ZH) or None, 50),
    ("errors", "stage"): (_codes("stage"), 10),
    ("*", "city_scope"): (_codes("city_scope"), 10),
    ("*", "city_label"): (_place_label, 20),
    ("city_comparison", "services_stopped"): (_services, 30),
    ("city_comparison", "guidance_categories"): (_codes("category"), 30),
    ("events", "join_rules"): (_codes("join_rule"), 30),
    ("events", "review_reasons"): (_codes("review_reason"), 30),
    ("event_members", "join_rule"): (_codes("join_rule"), 24),
    ("event_members", "join_modifiers"): (_joined("join_modifier"), 20),
    ("event_members", "join_alternatives"): (_event_alternatives, 40),
    ("revisions", "kind"): (_codes("revision_kind"), 12),
    ("revisions", "moved"): (_codes("moved"), 12),
    ("revisions", "rule"): (_codes("revision_rule"), 14),
}
TWIN_SUFFIX = "_zh"


def twin_of(table: str, name: str) -> tuple[Callable[[Any, dict], str | None], float] | None:
    """The Chinese twin of a column: ``twin_of("guidance", "category")`` → (render, width); ``None`` for most."""
    return TWINS.get((table, name)) or TWINS.get(("*", name))


def header(name: str) -> str:
    """A header cell: the Chinese caption over the code name; a Chinese twin says so.

    >>> header("start_at"), header("category_zh")
    ('停机开始\\nstart_at', '情形（中文）\\ncategory_zh')
    """
    if name.endswith(TWIN_SUFFIX):
        base = name.removesuffix(TWIN_SUFFIX)
        caption = column(base, ZH)
        return f"{caption if caption != base else base}（中文）\n{name}"
    caption = column(name, ZH)
    return name if caption == name else f"{caption}\n{name}"


def sheet_name(table: str, part: int = 1) -> str:
    """A sheet's name (Excel allows 31 characters), numbered from the second part of a long table.

    >>> sheet_name("outage_windows"), sheet_name("outage_windows", 2)
    ('停机时段 outage_windows', '停机时段 outage_windows (2)')
    """
    base = f"{SHEET_CAPTIONS[table]} {table}" if table in SHEET_CAPTIONS else table
    return base[:31] if part == 1 else f"{base[:26]} ({part})"


def cell(value: Any, kind: str) -> Any:
    """A value as the workbook holds it: lists joined by ``;``, text cut to Excel's cell limit.

    Dates and times stay ``date``/``datetime`` (written as Excel dates), numbers and booleans
    stay as they are.

    >>> cell(["身份证", "医保卡"], "list"), cell(3, "int")
    ('身份证;医保卡', 3)
    """
    if value is None:
        return None
    if kind == "list":
        value = ";".join(value)
    if isinstance(value, str) and len(value) > EXCEL_MAX_TEXT:
        return value[: EXCEL_MAX_TEXT - 1] + "…"
    return value


def _kinds_of_view(con: Any, view: str) -> list[tuple[str, str]]:
    """(column, kind) of a view, from DuckDB's types: ``("first_stop", "timestamp")``."""
    kinds = []
    for name, dtype, *_ in con.execute(f"DESCRIBE {view}").fetchall():
        t = dtype.upper()
        kind = ("list" if t.endswith("[]") else "timestamp" if t.startswith("TIMESTAMP") else "date" if t == "DATE"
                else "bool" if t == "BOOLEAN" else "int" if "INT" in t else "float" if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL")
                else "string")
        kinds.append((name, kind))
    return kinds


def sheet_columns(table: str, kinds: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sheet's columns: the table's, each column of codes followed by its Chinese twin (kind ``zh``)."""
    out = []
    for name, kind in kinds:
        out.append((name, kind))
        if twin_of(table, name):
            out.append((name + TWIN_SUFFIX, "zh"))
    return out


# Twins that read another column of the row (the repair's rule); the others depend on the value alone.
ROW_TWINS = {("repairs", "repaired_value"), ("repairs", "evidence")}
TWIN_CACHE = 50_000  # rendered values kept per column: codes repeat, evidence often does


def _cached(render: Callable[[Any, dict], str | None], uses_row: bool) -> Callable[[Any, dict | None], str | None]:
    """``render`` remembering what it returned for a value (and the row's rule when it reads the row)."""
    memo: dict[Any, str | None] = {}

    def cached(value: Any, row: dict | None) -> str | None:
        key = (tuple(value) if isinstance(value, list) else value, row["rule"] if uses_row and row else None)
        if key not in memo:
            if len(memo) >= TWIN_CACHE:
                memo.clear()  # memory stays flat whatever the table's size
            memo[key] = cell(render(value, row or {}), "string")
        return memo[key]
    return cached


class _BatchColumns:
    """The columns of one fetched batch, converted once each: as Python values (what the twins read)
    and as the sheet holds them (lists joined by ``;``, text within Excel's cell limit)."""

    def __init__(self, batch: Any, kinds: list[tuple[str, str]]) -> None:
        self.batch, self.kinds = batch, kinds
        self._values: dict[int, list] = {}
        self._cells: dict[int, list] = {}

    def values(self, i: int) -> list:
        if i not in self._values:
            self._values[i] = self.batch.column(i).to_pylist()
        return self._values[i]

    def cells(self, i: int) -> list:
        if i not in self._cells:
            import pyarrow.compute as pc

            kind, array = self.kinds[i][1], self.batch.column(i)
            if kind == "list":
                array = pc.binary_join(array, ";")
            if kind in ("string", "list") and len(array) and (pc.max(pc.utf8_length(array)).as_py() or 0) > EXCEL_MAX_TEXT:
                self._cells[i] = [cell(v, "string") for v in array.to_pylist()]
            else:
                self._cells[i] = array.to_pylist() if kind == "list" else self.values(i)
        return self._cells[i]


def _rows(con: Any, sql: str, table: str, kinds: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """The rows of ``sql`` as dicts keyed by header, fetched a few thousand at a time, with the Chinese twins.

    Fetched as Arrow record batches and converted column by column (lists joined by ``;`` in Arrow,
    text cut to Excel's limit only in a column that has a cell that long): at 10,000 notices the
    sheets hold 1.6 million cells, and a Python call per cell was half the workbook's time.
    """
    cur = con.cursor()
    relation = cur.sql(sql)
    # to_arrow_reader since DuckDB 1.4; fetch_record_batch before (the project allows 1.0 on)
    reader = (relation.to_arrow_reader if hasattr(relation, "to_arrow_reader") else relation.fetch_record_batch)(FETCH_ROWS)
    names = [name for name, _ in kinds]
    columns = sheet_columns(table, kinds)
    headers = [header(name) for name, _ in columns]
    plan: list[tuple[int, Any]] = []  # (source column, twin renderer or None), one per sheet column
    for name, kind in columns:
        if kind == "zh":
            base = name.removesuffix(TWIN_SUFFIX)
            plan.append((names.index(base), _cached(twin_of(table, base)[0], (table, base) in ROW_TWINS)))
        else:
            plan.append((names.index(name), None))
    rule = names.index("rule") if any(t == table for t, _ in ROW_TWINS) else None
    for batch in reader:
        columns_of = _BatchColumns(batch, kinds)
        rules = columns_of.values(rule) if rule is not None else None
        out = []
        for i, render in plan:
            if render is None:
                out.append(columns_of.cells(i))
            elif rules is not None:
                out.append([render(v, {"rule": r}) for v, r in zip(columns_of.values(i), rules, strict=True)])
            else:
                out.append([render(v, None) for v in columns_of.values(i)])
        for row in zip(*out, strict=True):
            yield dict(zip(headers, row, strict=True))
    cur.close()


def _empty(table: str, kinds: list[tuple[str, str]]) -> Any:
    """A sheet with the header row and no data (the writer takes headers from the first record or a DataFrame)."""
    import pandas as pd

    return pd.DataFrame({header(name): pd.Series([], dtype="object") for name, _ in sheet_columns(table, kinds)})


def _widths(con: Any, source: str, table: str, kinds: list[tuple[str, str]]) -> dict[str, float]:
    """Column widths: by kind, for text the 90th percentile length (Chinese characters count two), twins by kind."""
    texts = [name for name, kind in kinds if kind in ("string", "list")]
    measured: dict[str, float] = {}
    if texts and source == "city_comparison":
        # a view of one row per city (a few hundred): measured here, because DuckDB evaluating the
        # view once per quantile runs out of its memory limit at 10,000 notices
        rows = con.execute(f"SELECT {', '.join(texts)} FROM {source}").fetchall()
        for i, name in enumerate(texts):
            lengths = sorted(len(";".join(r[i]) if isinstance(r[i], list) else str(r[i] or "")) * 2 for r in rows)
            measured[name] = float(lengths[int(0.9 * (len(lengths) - 1))]) if lengths else 0.0
    elif texts:
        kind_of = dict(kinds)
        values_of = {n: f"array_to_string({n}, ';')" if kind_of[n] == "list" else n for n in texts}
        exprs = ", ".join(f"quantile_disc(strlen({values_of[n]}), 0.9)" for n in texts)
        # strlen counts UTF-8 bytes: a Chinese character is 3 bytes and about 2 columns wide
        values = con.execute(f"SELECT {exprs} FROM {source}").fetchone()
        measured = {n: (v or 0) * 2 / 3 for n, v in zip(texts, values, strict=True)}
    widths = {}
    for name, kind in sheet_columns(table, kinds):
        caption = column(name.removesuffix(TWIN_SUFFIX), ZH)
        head = max(len(name), 2 * len(caption) + (8 if name.endswith(TWIN_SUFFIX) else 0)) + 2
        if kind == "zh":
            width = twin_of(table, name.removesuffix(TWIN_SUFFIX))[1]
        else:
            width = KIND_WIDTHS.get(kind, measured.get(name, MIN_WIDTH) + 2)
        widths[header(name)] = float(max(MIN_WIDTH, min(MAX_WIDTH, max(width, head))))
    return widths


def code_rows() -> list[dict[str, str]]:
    """``代码说明``: every code a table holds, with its Chinese caption and its meaning.

    ``code_rows()[4]`` → ``{"类别 kind": "情形 category", "代码 code": "outpatient", "中文 caption": "门诊",
    "说明 meaning": "门诊、急诊就医及其费用；…", "English": "门诊/急诊 visits and their costs; …",
    "所在列 columns": "guidance.category"}``.
    """
    from pipeline.publish.captions import CODES, MEANINGS_ZH
    from pipeline.vocab import codes as vocab

    meanings: dict[str, dict[str, str]] = {
        "category": vocab.GUIDANCE_CATEGORY_MEANINGS,
        "action": vocab.GUIDANCE_ACTION_MEANINGS,
        "place": vocab.GUIDANCE_PLACE_MEANINGS,
        "rule": vocab.REPAIR_RULES,
        "confidence_reason": {k: v[1] for k, v in vocab.CONFIDENCE_REASONS.items()},
        "join_rule": {k: v[1] for k, v in vocab.EVENT_JOIN_RULES.items()},
        "join_modifier": {k: v[1] for k, v in vocab.EVENT_JOIN_MODIFIERS.items()},
        "revision_kind": vocab.REVISION_KINDS,
        "revision_rule": vocab.REVISION_RULES,
        "review_reason": vocab.EVENT_REVIEW_REASONS,
        "city_scope": vocab.PLACE_SCOPES,
    }
    used_in = {
        "category": "guidance.category", "action": "guidance.action", "place": "guidance.place",
        "rule": "repairs.rule", "confidence": "*.confidence",
        "confidence_reason": "*.confidence_reasons", "phone_status": "contacts.phone_status",
        "stage": "errors.stage", "end_source": "outage_windows.end_source", "end_rule": "outage_windows.end_rule",
        "format": "notices.format", "table_name": "repairs.table_name", "city_scope": "events.city_scope",
        "join_rule": "event_members.join_rule; events.join_rules", "join_modifier": "event_members.join_modifiers",
        "revision_kind": "revisions.kind", "revision_rule": "revisions.rule", "moved": "revisions.moved",
        "review_reason": "events.review_reasons",
    }
    kind_captions = {
        "category": "情形", "action": "办理方式", "place": "办理地点", "rule": "修复规则", "confidence": "可信度",
        "confidence_reason": "可信度依据", "phone_status": "电话状态", "stage": "环节", "end_source": "结束时间来源",
        "end_rule": "结束时间判定规则", "format": "文件格式", "table_name": "所在表", "city_scope": "范围",
        "join_rule": "归并规则", "join_modifier": "得分调整", "revision_kind": "变更类型", "revision_rule": "变更判定",
        "moved": "变动的一端", "review_reason": "复核原因",
    }
    rows = []
    for kind, values in CODES.items():
        if kind not in used_in:
            continue
        for value, (zh, en) in values.items():
            rows.append({
                "类别 kind": f"{kind_captions[kind]} {kind}", "代码 code": value, "中文 caption": zh,
                "说明 meaning": MEANINGS_ZH.get(kind, {}).get(value, zh),
                "English": meanings.get(kind, {}).get(value, en), "所在列 columns": used_in[kind],
            })
    return rows


def set_properties(path: Path, properties: dict[str, str], created: dt.datetime) -> None:
    """Write the document properties (``docProps/core.xml``) into a finished workbook at ``path``.

    ``properties`` maps the Dublin Core names the OOXML standard uses (``title``, ``subject``,
    ``creator``, ``description``, ``keywords``, ``category``) to their text; ``created`` (and
    modified) is written in UTC, as the standard requires. The other parts are copied unchanged.
    """
    names = {"title": "dc:title", "subject": "dc:subject", "creator": "dc:creator", "description": "dc:description",
             "keywords": "cp:keywords", "category": "cp:category"}
    stamp = created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = "".join(f"<{names[k]}>{xml_escape(v)}</{names[k]}>" for k, v in properties.items())
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{body}<cp:lastModifiedBy>{xml_escape(properties.get("creator", ""))}</cp:lastModifiedBy>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    replace_member(path, "docProps/core.xml", core.encode("utf-8"))


_LOCAL = struct.Struct("<IHHHHHIIIHH")  # a local file header (30 bytes)
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # a central directory entry (46 bytes)
_END = struct.Struct("<IHHHHIIH")  # the end of central directory record (22 bytes)


def replace_member(path: Path, name: str, data: bytes) -> None:
    """Replace one member of the zip archive at ``path`` with ``data`` (deflated), in place, copying every
    other member's compressed bytes as they are.

    ``replace_member(Path("outputs/notices.xlsx"), "docProps/core.xml", b"<?xml …")``. Why by hand: the
    standard library's ``zipfile`` can only rewrite an archive by decompressing and compressing every
    member again (1.3 s of a 23 MB workbook at 10,000 notices, 12 s at 100,000); a zip is a list of
    members followed by a directory of their offsets, so the new member is spliced in and the offsets
    after it shifted. An archive this does not handle (zip64, a comment) is rewritten the slow way.
    """
    with path.open("rb") as src:
        size = src.seek(0, os.SEEK_END)
        src.seek(size - _END.size)
        sig, _, _, count, total, cd_size, cd_offset, comment = _END.unpack(src.read(_END.size))
        src.seek(cd_offset)
        directory = src.read(cd_size)
        entries, pos, target = [], 0, None
        for _ in range(total if sig == 0x06054B50 and not comment and count == total else 0):
            fields = list(_CENTRAL.unpack_from(directory, pos))
            n, e, c = fields[10], fields[11], fields[12]
            member = directory[pos + _CENTRAL.size: pos + _CENTRAL.size + n]
            entries.append((fields, directory[pos + _CENTRAL.size: pos + _CENTRAL.size + n + e + c]))
            if member == name.encode():
                target = len(entries) - 1
            pos += _CENTRAL.size + n + e + c
        # zip64 keeps sizes and offsets in an extra field instead (never for a workbook under 4 GB)
        if target is None or pos != cd_size or any(0xFFFFFFFF in (f[8], f[9], f[16]) for f, _ in entries):
            src.close()
            _rewrite_member(path, name, data)
            return
        offsets = sorted(f[16] for f, _ in entries)
        start = entries[target][0][16]
        end = next((o for o in offsets if o > start), cd_offset)
        fields = entries[target][0]
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packer.compress(data) + packer.flush()
        crc = zlib.crc32(data)
        raw_name = name.encode()
        # central directory fields: 2 version needed, 3 flags, 4 method, 5-6 time and date, 7 crc,
        # 8-9 sizes, 10-12 lengths of name, extra field and comment, 16 offset of the local header
        local = _LOCAL.pack(0x04034B50, fields[2], fields[3] & ~0x08, zipfile.ZIP_DEFLATED, fields[5], fields[6], crc,
                            len(body), len(data), len(raw_name), 0) + raw_name + body
        delta = len(local) - (end - start)
        rewritten = path.with_name(path.name + ".props")
        try:
            with rewritten.open("wb") as dst:
                copy_range(src, dst, 0, start)
                dst.write(local)
                copy_range(src, dst, end, cd_offset)
                new_cd_offset = dst.tell()
                for i, (f, tail) in enumerate(entries):
                    f = list(f)
                    if i == target:
                        f[3] &= ~0x08  # no data descriptor: the sizes are in the header
                        f[4], f[7], f[8], f[9] = zipfile.ZIP_DEFLATED, crc, len(body), len(data)
                        f[10], f[11], f[12] = len(raw_name), 0, 0
                        tail = raw_name
                    elif f[16] > start:
                        f[16] += delta
                    dst.write(_CENTRAL.pack(*f) + tail)
                dst.write(_END.pack(0x06054B50, 0, 0, len(entries), len(entries), dst.tell() - new_cd_offset,
                                    new_cd_offset, 0))
            os.replace(rewritten, path)
        finally:
            rewritten.unlink(missing_ok=True)



def _rewrite_member(path: Path, name: str, data: bytes) -> None:
    """:func:`replace_member` the standard library's way: every member decompressed and compressed again."""
    rewritten = path.with_name(path.name + ".props")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                member = data if info.filename == name else zin.read(info.filename)
                zout.writestr(info, member, compress_type=info.compress_type, compresslevel=1)
        os.replace(rewritten, path)
    finally:
        rewritten.unlink(missing_ok=True)


def write_workbook(out_dir: Path, generated_at: dt.datetime | None = None) -> Path:
    """Write ``out_dir/notices.xlsx`` from ``out_dir/notices.duckdb``, atomically.

    ``write_workbook(Path("outputs"))`` → ``Path("outputs/notices.xlsx")``.
    """
    from rustpy_xlsxwriter import Format, write_worksheets

    from pipeline import __version__
    from pipeline.publish.views import reading
    from pipeline.runner.atomic import atomic_path
    from schemas.tables import DERIVED_TABLES, TABLES, column_specs

    generated_at = generated_at or dt.datetime.now(BEIJING)
    with reading(out_dir / DB_NAME) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        sources = [("city_comparison", _kinds_of_view(con, "city_comparison"))]
        sources += [(t.name, [(c.name, c.kind) for c in column_specs(t.model)])
                    for t in TABLES + DERIVED_TABLES if t.name in present]
        sheets, widths, formats, filters = [], {}, {}, {}
        date_format = Format().set_num_format(DATE_FORMAT)
        for source, kinds in sources:
            columns = ", ".join(name for name, _ in kinds)
            n = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
            per_sheet = EXCEL_MAX_ROWS - 1
            for part in range(max(1, -(-n // per_sheet))):
                name = sheet_name(source, part + 1)
                # no ORDER BY: a scan keeps the insertion order (DuckDB's preserve_insertion_order),
                # and sorting a million rows would cost memory that grows with the table
                sql = f"SELECT {columns} FROM {source} LIMIT {per_sheet} OFFSET {part * per_sheet}"
                if source == "city_comparison":
                    # one row per city, never a sheet's worth; and DuckDB plans this view under a
                    # LIMIT in a way that runs out of its memory limit at 10,000 notices
                    sql = f"SELECT {columns} FROM {source}"
                sheets.append((name, _rows(con, sql, source, kinds) if n else _empty(source, kinds)))
                widths[name] = _widths(con, source, source, kinds)
                formats[name] = {header(c): date_format for c, kind in kinds if kind == "date"}
                filters[name] = True
        codes = code_rows()
        sheets.append((CODES_SHEET, codes))
        widths[CODES_SHEET] = {"类别 kind": 26.0, "代码 code": 26.0, "中文 caption": 36.0, "说明 meaning": 60.0,
                               "English": 50.0, "所在列 columns": 30.0}
        filters[CODES_SHEET] = True
        with atomic_path(out_dir / WORKBOOK_NAME) as tmp:
            write_worksheets(
                sheets, str(tmp),
                freeze_panes={"general": {"row": 1, "col": 0}},
                datetime_format=DATETIME_FORMAT,
                column_widths=widths,
                column_formats=formats,
                header_format={"general": Format().set_bold().set_text_wrap().set_background_color("#F3F4F6")},
                autofilter=filters,
                page_setup={"general": PAGE_SETUP},
            )
            set_properties(Path(tmp), {
                "title": "医保信息系统切换停机通知：数据表",
                "subject": "各地医保系统切换停机通知：通知、停机时段、停机事件、参保人指引、咨询电话、修复记录",
                "creator": f"ybcutover {__version__}",
                "description": (f"来源：{(out_dir / DB_NAME).resolve()}（python -m pipeline run）；"
                                f"生成于{generated_at.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间，UTC+8）"),
                "keywords": "医保; 停机; 切换; notices; outage_windows; events",
                "category": "ybcutover outputs",
            }, generated_at)
    return out_dir / WORKBOOK_NAME
