"""notices.xlsx: the same rows as the Parquet files, with captions, real dates and the header frozen."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from synthetic import write_synthetic_outputs

import pipeline.publish.workbook as workbook
from pipeline.publish.workbook import CODES_SHEET, WORKBOOK_NAME, cell, header, sheet_name, write_workbook
from schemas.tables import DERIVED_TABLES, TABLES, column_specs


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def _expected(value, kind: str):
    """A Parquet value as the workbook should hold it (an empty list or text is an empty cell, as in the CSV)."""
    if value is None or value == "" or value == []:
        return None
    if kind == "list":
        return ";".join(value)
    if kind == "date":
        return dt.datetime.combine(value, dt.time())  # Excel has no date type: a date-time at midnight
    return value


def assert_same_rows(out: Path) -> dict[str, int]:
    """Every table's sheet holds the Parquet file's rows, in order, column by column."""
    sheets = _sheets(out / WORKBOOK_NAME)
    counts = {}
    for spec in TABLES + DERIVED_TABLES:
        specs = column_specs(spec.model)
        rows = sheets[sheet_name(spec.name)]
        names = [h.split("\n")[-1] for h in rows[0]]
        # code names under captions; a column of codes is followed by its Chinese twin (NAME_zh)
        assert [n for n in names if not n.endswith("_zh")] == [c.name for c in specs], spec.name
        assert all(n.removesuffix("_zh") == names[i - 1] for i, n in enumerate(names) if n.endswith("_zh")), spec.name
        at = {n: i for i, n in enumerate(names)}
        table = pq.read_table(out / f"{spec.name}.parquet")
        data = rows[1:]
        if table.num_rows == 0:  # the writer may leave an empty sheet with its header only
            assert not [r for r in data if any(v is not None for v in r)], spec.name
        else:
            assert len(data) == table.num_rows, spec.name
        columns = {c.name: table.column(c.name).to_pylist() for c in specs}
        for i, row in enumerate(data[: table.num_rows]):
            for c in specs:
                want, got = _expected(columns[c.name][i], c.kind), row[at[c.name]]
                if c.kind in ("int", "float") and want is not None:
                    assert got == pytest.approx(want), (spec.name, i, c.name)
                else:
                    assert got == want, (spec.name, i, c.name, got, want)
        counts[spec.name] = table.num_rows
    return counts


def test_workbook_of_a_real_run_has_the_parquet_rows(shipped_run):
    counts = assert_same_rows(shipped_run)
    assert counts["notices"] > 10 and counts["outage_windows"] > 10


def test_workbook_layout(shipped_run):
    wb = openpyxl.load_workbook(shipped_run / WORKBOOK_NAME)  # not read-only: panes and filters
    try:
        assert wb.sheetnames[0] == "城市对比 city_comparison"
        assert wb.sheetnames[1:] == [sheet_name(t.name) for t in TABLES + DERIVED_TABLES] + [CODES_SHEET]
        windows = wb["停机时段 outage_windows"]
        assert windows.freeze_panes == "A2"
        assert windows.auto_filter.ref and windows.auto_filter.ref.startswith("A1:")
        heads = [c.value for c in windows[1]]
        start = heads.index("停机开始\nstart_at") + 1
        assert windows.cell(2, start).is_date and windows.cell(2, start).number_format == "yyyy-mm-dd hh:mm"
        evidence = windows.column_dimensions[windows.cell(1, heads.index("原文依据\nevidence") + 1).column_letter].width
        assert 20 <= evidence <= 62  # sized from the text, not the default 8.43
        comparison = wb["城市对比 city_comparison"]
        labels = [r[0] for r in comparison.iter_rows(min_row=2, values_only=True)]
        assert labels == sorted(labels) and len(labels) > 5
    finally:
        wb.close()


def test_synthetic_tables_and_empty_ones(tmp_path):
    out = write_synthetic_outputs(tmp_path / "full")
    write_workbook(out)
    counts = assert_same_rows(out)
    assert counts == {"notices": 6, "outage_windows": 5, "guidance": 6, "contacts": 6, "repairs": 4, "errors": 1,
                      "events": 5, "event_members": 5, "revisions": 0}
    empty = write_synthetic_outputs(tmp_path / "empty", {})
    write_workbook(empty)
    assert_same_rows(empty)


def test_a_table_longer_than_a_sheet_continues_on_the_next(tmp_path, monkeypatch):
    out = write_synthetic_outputs(tmp_path)
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 3)  # a header and two rows per sheet
    write_workbook(out)
    sheets = _sheets(out / WORKBOOK_NAME)
    parts = [name for name in sheets if name.startswith("停机时段")]
    assert parts == ["停机时段 outage_windows", "停机时段 outage_windows (2)", "停机时段 outage_windows (3)"]
    at = [h.split("\n")[-1] for h in sheets[parts[0]][0]].index("start_at")
    starts = [r[at] for name in parts for r in sheets[name][1:]]
    table = pq.read_table(out / "outage_windows.parquet")
    assert starts == table.column("start_at").to_pylist()


def test_cells_and_headers():
    assert header("start_at") == "停机开始\nstart_at"
    assert header("not_captioned_yet") == "not_captioned_yet"  # a new column flows through by its name
    assert cell(["身份证", "医保卡"], "list") == "身份证;医保卡"
    assert cell([], "list") == ""
    assert cell(None, "string") is None
    long = "停" * 40_000
    assert len(cell(long, "string")) == workbook.EXCEL_MAX_TEXT
    assert sheet_name("repairs", 2) == "修复记录 repairs (2)"
    assert len(sheet_name("outage_windows")) <= 31


def test_workbook_is_written_atomically(tmp_path, monkeypatch):
    out = write_synthetic_outputs(tmp_path)
    write_workbook(out)
    before = (out / WORKBOOK_NAME).read_bytes()
    import os

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_workbook(out)
    assert (out / WORKBOOK_NAME).read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    shutil.rmtree(out)


# ---------------------------------------------------------------------------------------------
# print, filter, properties and Chinese (issue 18), read back with openpyxl


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(shipped_run):
    wb = openpyxl.load_workbook(shipped_run / WORKBOOK_NAME)
    try:
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape", ws.title
            assert ws.page_setup.paperSize in (9, "9"), ws.title  # A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.page_setup.fitToWidth in (None, 1, "1") and ws.page_setup.fitToHeight in (0, "0"), ws.title
            assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every printed page
            assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:"), ws.title
    finally:
        wb.close()


def test_document_properties(tmp_path):
    import datetime as dt

    out = write_synthetic_outputs(tmp_path)
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    write_workbook(out, generated_at=when)
    wb = openpyxl.load_workbook(out / WORKBOOK_NAME, read_only=True)
    try:
        p = wb.properties
        assert p.title == "医保信息系统切换停机通知：数据表"
        assert str((out / "notices.duckdb").resolve()) in p.description  # the source
        assert "生成于2026-03-01 09:30（北京时间，UTC+8）" in p.description
        assert p.created == dt.datetime(2026, 3, 1, 1, 30)  # stored in UTC, as the standard wants
        assert p.creator.startswith("ybcutover ")
    finally:
        wb.close()
    assert_same_rows(out)  # rewriting the properties left every sheet as it was


def test_codes_sheet_explains_every_code_in_chinese():
    from pipeline.publish.workbook import code_rows
    from pipeline.vocab.codes import (
        CONFIDENCE_REASONS,
        EVENT_JOIN_RULES,
        GUIDANCE_ACTIONS,
        GUIDANCE_CATEGORIES,
        REPAIR_RULES,
        REVISION_KINDS,
    )

    rows = code_rows()
    listed = {(r["类别 kind"].split()[-1], r["代码 code"]) for r in rows}
    for kind, codes in (("category", GUIDANCE_CATEGORIES), ("action", GUIDANCE_ACTIONS), ("rule", REPAIR_RULES),
                        ("confidence_reason", CONFIDENCE_REASONS), ("join_rule", EVENT_JOIN_RULES),
                        ("revision_kind", REVISION_KINDS)):
        assert {(kind, c) for c in codes} <= listed, kind
    from pipeline.publish.evidence_zh import has_english_prose

    assert not [r for r in rows if has_english_prose(r["中文 caption"]) or has_english_prose(r["说明 meaning"])]
    outpatient = next(r for r in rows if r["代码 code"] == "outpatient")
    assert outpatient["中文 caption"] == "门诊" and outpatient["说明 meaning"].startswith("门诊、急诊")


def _chinese_columns(path: Path) -> dict[tuple[str, str], list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            if not rows or ws.title == CODES_SHEET:
                continue
            for j, h in enumerate(rows[0]):
                if h and h.split("\n")[-1].endswith("_zh"):
                    out[(ws.title, h.split("\n")[-1])] = [r[j] for r in rows[1:] if r[j] is not None]
        return out
    finally:
        wb.close()


def _english_in(values: list) -> int:
    import re

    from pipeline.publish.evidence_zh import has_english_prose

    def code_like(v: str) -> bool:
        return re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", re.sub(r"https?://[\x21-\x7e]+", "", v)) is not None

    return sum(1 for v in values if code_like(str(v)) or has_english_prose(str(v)))


def test_chinese_columns_hold_no_english_code(tmp_path):
    out = write_synthetic_outputs(tmp_path)
    write_workbook(out)
    columns = _chinese_columns(out / WORKBOOK_NAME)
    guidance = columns[("参保人指引 guidance", "category_zh")]
    assert guidance and set(guidance) <= {"门诊", "住院", "零星报销", "其他"}
    assert set(columns[("修复记录 repairs", "table_name_zh")]) == {"停机时段"}
    assert columns[("城市对比 city_comparison", "city_label_zh")][0] == "（城市不详）x.txt"
    assert {k: n for k, v in columns.items() if (n := _english_in(v))} == {}


def test_chinese_columns_of_a_real_run_hold_no_english_code(shipped_run):
    # only counts are reported: the shipped corpus holds notices nobody may read
    columns = _chinese_columns(shipped_run / WORKBOOK_NAME)
    assert len(columns) >= 20 and sum(len(v) for v in columns.values()) > 500
    assert {k: n for k, v in columns.items() if (n := _english_in(v))} == {}
