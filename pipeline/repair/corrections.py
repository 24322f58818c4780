"""Corrections a person made, kept in the raw folder and applied by every run after extraction.

``raw/corrections.csv`` (validated by :class:`schemas.tables.CorrectionsSchema`) says which notice
(its content hash and file name), which table and row, which column, the corrected value or
``confirmed``, who, when and why. A run applies each correction to the extracted rows, logs it as
a ``repairs`` row (``manual_correction``) and sets the row's confidence to ``reviewed``. A
correction whose notice changed (other bytes, another hash) or whose row no longer exists is not
applied: it becomes an ``errors`` row (stage ``correct``) that says what to do. So does a
correction whose value the table's schema refuses (an E.164 number of the wrong shape, an end
before its start, a date outside the plausible years): :func:`corrected_row` checks the
corrected row against the pandera model of its table (:mod:`schemas.tables`, the single source of
truth) when ``pipeline review --set`` records it and again when a run applies it, and a refused
correction is refused alone — the row keeps its extracted value, no other row is touched. The
file is read whatever its encoding (Excel saves GBK). The raw notices themselves are never written.

Row keys, as the row was extracted (so that a change in extraction shows up as a stale key):
``outage_windows`` → ``"2021-10-15T20:00→2021-10-31T08:00"`` (start→end, ``open`` when empty);
``contacts`` → the number as printed; ``notices`` → empty.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from pipeline.extract.timeexpr import minute_text
from pipeline.repair import repair

# pandas and pandera are imported only when a corrections file exists: a run without one (and a
# no-op run) must not pay for them (see pipeline/cli.py on start-up time)

CORRECTIONS_NAME = "corrections.csv"
COLUMNS = ("notice_id", "source_file", "table_name", "row_key", "column_name", "value", "who", "at", "why")
CONFIRMED = "confirmed"
# the columns a person may correct, and the confidence column each one's review sets
CORRECTABLE: dict[str, dict[str, str]] = {
    "outage_windows": {"start_at": "confidence", "end_at": "confidence", "scheme": "confidence",
                       "service": "confidence", "confidence": "confidence"},
    "contacts": {"phone_e164": "confidence", "organization": "confidence", "region": "confidence",
                 "confidence": "confidence"},
    "notices": {"published_on": "published_on_confidence", "city": "city_confidence", "province": "city_confidence",
                "title": "city_confidence", "issuer": "city_confidence"},
}


def row_key(table: str, row: dict) -> str:
    """The key a correction names a row by.

    >>> row_key("outage_windows", {"start_at": datetime(2021, 10, 15, 20), "end_at": None})
    '2021-10-15T20:00→open'
    >>> row_key("contacts", {"phone_raw": "029-87424266"})
    '029-87424266'
    """
    if table == "outage_windows":
        return f"{minute_text(row.get('start_at'))}→{minute_text(row.get('end_at')) or 'open'}"
    if table == "contacts":
        return str(row.get("phone_raw") or "")
    return ""


def read_corrections(raw_dir: Path) -> tuple[list[dict], list[dict]]:
    """``(corrections, errors)`` from ``raw_dir/corrections.csv``; a malformed file or row is an error row."""
    path = raw_dir / CORRECTIONS_NAME
    if not path.is_file():
        return [], []
    import pandas as pd

    from pipeline.runner.textio import UndecodableText, decode_table_text
    from schemas.tables import CorrectionsSchema

    try:
        text, _ = decode_table_text(path.read_bytes())
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except OSError as exc:
        return [], [_error(f"{CORRECTIONS_NAME} cannot be opened ({exc.strerror or exc}): no correction is applied")]
    except (UndecodableText, csv.Error) as exc:
        return [], [_error(f"{CORRECTIONS_NAME} cannot be read ({exc}): save it as CSV in UTF-8 (or GBK); "
                           "no correction is applied until then")]
    if not rows:
        return [], []
    rows = [{(k or "").strip().lstrip("\ufeff"): v for k, v in row.items()} for row in rows]
    frame = pd.DataFrame(rows)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return [], [_error(f"{CORRECTIONS_NAME} lacks the columns {', '.join(missing)}: it needs {', '.join(COLUMNS)}")]
    good, errors = [], []
    for i, row in enumerate(rows, start=2):
        one = pd.DataFrame([{c: row.get(c) or None for c in COLUMNS}])
        try:
            CorrectionsSchema.validate(one)
        except Exception as exc:  # pandera's message names the failing check
            errors.append(_error(f"{CORRECTIONS_NAME} line {i} is not a valid correction ({_short(exc)}); fix or delete it"))
            continue
        good.append({c: (row.get(c) or "") for c in COLUMNS})
    return good, errors


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _error(message: str) -> dict:
    return {"source_file": CORRECTIONS_NAME, "stage": "correct", "error": message}


def _parse(column: str, value: str) -> object:
    """A corrected value in its column's type: ``_parse("end_at", "2021-10-31T08:00")`` → a datetime."""
    if column in ("start_at", "end_at"):
        return datetime.fromisoformat(value) if value else None
    if column == "published_on":
        return date.fromisoformat(value) if value else None
    return value or None


# What a value of each correctable column looks like, for the message that refuses one.
FORMATS = {
    "start_at": "a time YYYY-MM-DDTHH:MM (Beijing time), e.g. 2022-03-21T18:00",
    "end_at": "a time YYYY-MM-DDTHH:MM (Beijing time) not before start_at, e.g. 2022-03-22T00:00",
    "published_on": "a date YYYY-MM-DD in a plausible year, e.g. 2022-02-26",
    "phone_e164": "an E.164 number +86…, e.g. +862987424266",
    "confidence": "confirmed (use --accept) rather than a level",
}


class RefusedCorrection(ValueError):
    """A corrected value the table's schema does not accept; the message says why and what is expected."""


def corrected_row(table: str, row: dict, column: str, value: str) -> dict:
    """``row`` with ``column`` set to ``value`` (``confirmed`` keeps it), its window hours
    recomputed and its confidence set to ``reviewed``, checked against the table's pandera model.

    Raises :class:`RefusedCorrection` when the value cannot be parsed or the corrected row fails
    a check the row passed before — ``corrected_row("contacts", row, "phone_e164", "not-a-number")``
    → ``RefusedCorrection("phone_e164 'not-a-number' is refused by the contacts schema: str_matches(…)
    …; expected an E.164 number +86…")``. A row that already failed (validation will drop it
    with its own message) is not blamed on the correction. ``row`` itself is not changed.
    """
    new = dict(row)
    if value != CONFIRMED:
        try:
            new[column] = _parse(column, value)
        except ValueError as exc:
            raise RefusedCorrection(f"'{value}' is not a valid {column} ({exc}); expected "
                                    f"{FORMATS.get(column, 'text')}") from None
        if table == "outage_windows" and column in ("start_at", "end_at"):
            start, end = new.get("start_at"), new.get("end_at")
            new["hours"] = round((end - start).total_seconds() / 3600, 2) if start and end else None
    confidence_column = CORRECTABLE[table][column]
    new[confidence_column] = "reviewed"
    new[confidence_column + "_reasons"] = ["manual_review"]
    if table == "outage_windows":
        new["plausible"] = True  # a person checked the window: the views may rank and count it again
    problem = _schema_problem(table, new)
    if problem and not _schema_problem(table, row):
        shown = "empty" if value == "" else f"'{value}'"
        raise RefusedCorrection(f"{column} {shown} is refused by the {table} schema: {problem}; expected "
                                f"{FORMATS.get(column, 'a value the schema accepts')}")
    return new


def _schema_problem(table: str, row: dict) -> str:
    """Why ``row`` fails its table's model (:mod:`schemas.tables`), or ``""``."""
    import pandera.errors as pa_errors

    from pipeline.validate import _summary, to_frame
    from schemas.tables import TABLES

    model = next(t.model for t in TABLES if t.name == table)
    frame = to_frame(table, [row])
    try:
        model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        return _summary(exc.failure_cases, frame) or "a check failed"
    except (pa_errors.SchemaError, ValueError, TypeError, OverflowError) as exc:
        return _short(exc)
    return ""


def notice_errors(corrections: list[dict], seen: set[str]) -> list[dict]:
    """Error rows for the corrections whose notice the run did not see (its text changed, or it is gone)."""
    out = []
    for c in corrections:
        if c["notice_id"] in seen:
            continue
        out.append({"source_file": c["source_file"], "stage": "correct",
                    "error": f"correction of {_where(c)} not applied: the notice with that content is not in the raw "
                             f"folder any more (its text changed, or it was removed); check the value against the "
                             f"notice again and record it anew with `pipeline review`, or delete the line from "
                             f"{CORRECTIONS_NAME}"})
    return out


def _where(c: dict) -> str:
    return f"{c['source_file']} ({c['table_name']} {c['row_key'] or 'row'}, {c['column_name']})"


def _apply_one(rows: dict[str, list[dict]], c: dict) -> tuple[list[dict], list[dict]]:
    """Apply one correction to the rows of its notice: ``([repair], [])`` or ``([], [error])``."""
    nid, table, column = c["notice_id"], c["table_name"], c["column_name"]
    where = _where(c)

    def error(why: str) -> tuple[list[dict], list[dict]]:
        return [], [{"source_file": c["source_file"], "stage": "correct", "error": f"correction of {where} not applied: {why}"}]

    if column not in CORRECTABLE.get(table, {}):
        return error(f"{table}.{column} cannot be corrected (correctable: {', '.join(CORRECTABLE.get(table, {})) or 'none'})")
    targets = [r for r in rows.get(table, []) if r.get("notice_id") == nid and row_key(table, r) == c["row_key"]]
    if not targets:
        return error("no such row any more (the extraction changed); review the notice's rows again and record the "
                     "correction anew")
    row = targets[0]
    old = row.get(column)
    try:
        new = corrected_row(table, row, column, c["value"])
    except RefusedCorrection as exc:
        return error(f"{exc}; the extracted value is kept. Fix or delete the line in {CORRECTIONS_NAME}")
    row.update(new)  # the row dicts are the extraction's own: corrected in place
    shown = minute_text(old) if column in ("start_at", "end_at") else ("" if old is None else str(old))
    fixed = repair(table, column, shown, shown if c["value"] == CONFIRMED else c["value"], "manual_correction",
                   f"{'confirmed' if c['value'] == CONFIRMED else 'corrected'} by {c['who']} at {c['at']}: {c['why']}")
    return [{**fixed, "notice_id": nid}], []


class CorrectingSink:
    """A notice sink (``pipeline.runner.engine.NoticeSink``) that applies the raw folder's corrections to each
    notice before handing it on, and adds the corrections it could not apply to the errors.

    In a run that builds on the previous generation (``start_incremental``), a notice whose file is
    unchanged is kept as it was published, corrections applied; the errors rows its corrections gave
    then are given again (the ledger keeps them: ``corrections.csv`` is the same, or the run would
    start from scratch).
    """

    def __init__(self, inner, raw_dir: Path) -> None:
        self.inner = inner
        self.raw_dir = raw_dir
        self._loaded = False
        self.errors: list[dict] = []
        self.by_notice: dict[str, list[dict]] = {}
        self.corrections: list[dict] = []
        self.seen: set[str] = set()
        self.notice_errors: dict[str, list[dict]] = {}  # notice id → errors rows of its corrections (the ledger's)
        self.previous = None

    def _load(self) -> None:
        """Read the corrections at the first notice (a run that is up to date never reads them)."""
        if self._loaded:
            return
        self._loaded = True
        self.corrections, self.errors = read_corrections(self.raw_dir)
        for c in self.corrections:
            self.by_notice.setdefault(c["notice_id"], []).append(c)

    def ledger_context(self) -> dict:
        return getattr(self.inner, "ledger_context", dict)()

    def start_incremental(self, previous) -> None:
        self.previous = previous
        self.inner.start_incremental(previous)

    def keep(self, nid: str, rel: str) -> None:
        self._load()
        self.seen.add(nid)
        errors = self.previous.corrections.get(nid) if self.previous is not None else None
        if errors:
            self.errors.extend(errors)
            self.notice_errors[nid] = errors
        self.inner.keep(nid, rel)

    def add(self, nid: str, rel: str, extraction) -> None:
        self._load()
        self.seen.add(nid)
        rows = extraction.by_table()  # the row dicts themselves: a correction changes them in place
        for c in self.by_notice.get(nid, []):
            repairs, errors = _apply_one(rows, c)
            extraction.repairs.extend(repairs)
            self.errors.extend(errors)
            if errors:
                self.notice_errors.setdefault(nid, []).extend(errors)
        self.inner.add(nid, rel, extraction)

    def commit(self, read_errors: list[dict], stamp: str | None, ledger=None):
        self._load()
        if ledger is not None:
            ledger.corrections = dict(self.notice_errors)
        return self.inner.commit(read_errors + self.errors + notice_errors(self.corrections, self.seen), stamp,
                                 ledger=ledger)

    @property
    def problems(self) -> dict[str, str]:
        """The inner sink's derived files that could not be written (``BatchSink.problems``)."""
        return getattr(self.inner, "problems", {})

    @property
    def committed(self) -> bool:
        return bool(getattr(self.inner, "committed", False))

    def discard(self) -> None:
        self.inner.discard()


def append_correction(raw_dir: Path, correction: dict) -> Path:
    """Add one correction to ``raw_dir/corrections.csv`` (created with its header when absent).

    The file is rewritten whole, atomically (a crash never leaves half a line); one that Excel
    saved as GBK is rewritten as UTF-8 with a BOM (which Excel also opens), so it never holds two
    encodings. Raises ``OSError`` when the raw folder cannot be written and
    :class:`~pipeline.runner.textio.UndecodableText` when the existing file cannot be read.
    """
    from pipeline.runner.atomic import atomic_write_bytes
    from pipeline.runner.textio import decode_table_text

    path = raw_dir / CORRECTIONS_NAME
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    bom = False
    if path.exists():
        data = path.read_bytes()
        text, encoding = decode_table_text(data)
        bom = data.startswith(b"\xef\xbb\xbf") or encoding != "utf-8"
        text = text.lstrip("\ufeff")
        buf.write(text if not text or text.endswith("\n") else text + "\n")
    else:
        w.writeheader()
    w.writerow({c: correction.get(c, "") for c in COLUMNS})
    return atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
