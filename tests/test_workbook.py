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
from pipeline.publish.workbook import WORKBOOK_NAME, cell, header, sheet_name, write_workbook
from schemas.tables import TABLES, column_specs


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
    for spec in TABLES:
        specs = column_specs(spec.model)
        rows = sheets[sheet_name(spec.name)]
        assert [h.split("\n")[-1] for h in rows[0]] == [c.name for c in specs], spec.name  # code names under captions
        table = pq.read_table(out / f"{spec.name}.parquet")
        data = rows[1:]
        if table.num_rows == 0:  # the writer may leave an empty sheet with its header only
            assert not [r for r in data if any(v is not None for v in r)], spec.name
        else:
            assert len(data) == table.num_rows, spec.name
        columns = {c.name: table.column(c.name).to_pylist() for c in specs}
        for i, row in enumerate(data[: table.num_rows]):
            for j, c in enumerate(specs):
                want, got = _expected(columns[c.name][i], c.kind), row[j]
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
        assert wb.sheetnames[1:] == [sheet_name(t.name) for t in TABLES]
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
    assert counts == {"notices": 6, "outage_windows": 5, "guidance": 6, "contacts": 6, "repairs": 4, "errors": 1}
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
