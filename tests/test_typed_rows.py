"""Rows are plain dicts until validation: their keys must be exactly the columns of their table.

A key the schema does not know (a misspelt ``servce``) would be dropped by the frame and the
column it was meant for left empty; validation refuses it instead (an ``errors`` row naming the
key). The columns come from ``schemas/tables.py``, so a column added there must be emitted by
the extractors, and a key emitted must be a column.
"""

from __future__ import annotations

import pytest
from helpers import RAW, ROOT, TABLES

from pipeline.extract import SourceHints
from pipeline.runner.engine import process_file, run_pipeline
from pipeline.validate import validate_tables
from schemas.tables import TABLES as TABLE_SPECS
from schemas.tables import column_specs

COLUMNS = {spec.name: [c.name for c in column_specs(spec.model)] for spec in TABLE_SPECS}
SEEDS = ("xian-2022-cutover-notice-and-guide.txt", "hangzhou-2022-cutover-notice.txt")


@pytest.fixture(scope="module")
def emitted() -> dict[str, list[dict]]:
    """The rows of every table the pipeline emits, before validation, for the seeds, the written
    corpus and the bad inputs (which give ``errors`` rows)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for name in SEEDS:
        extraction, error, _ = process_file(RAW / name, name, SourceHints())
        assert error is None and extraction is not None
        extraction.add_to(rows)
    for folder in (ROOT / "tests" / "corpus" / "raw", ROOT / "tests" / "bad" / "inputs"):
        result = run_pipeline(folder)
        for table, table_rows in result.rows.items():
            rows[table] += table_rows
        rows["errors"] += result.errors
    return rows


@pytest.mark.parametrize("table", TABLES)
def test_every_row_has_exactly_the_columns_of_its_table(table: str, emitted: dict[str, list[dict]]) -> None:
    rows = emitted[table]
    assert rows, f"no {table} rows to check"
    columns = set(COLUMNS[table])
    wrong = {}
    for row in rows:
        if row.keys() != columns:
            wrong.setdefault((tuple(sorted(row.keys() - columns)), tuple(sorted(columns - row.keys()))), row.get("notice_id"))
    assert not wrong, f"{table}: (keys not in the schema, columns missing) → a notice: {wrong}"


def test_an_unknown_key_is_an_error_row_naming_it_not_a_silent_empty_column() -> None:
    extraction, _, nid = process_file(RAW / SEEDS[0], SEEDS[0], SourceHints())
    assert extraction is not None
    window = extraction.windows[0]
    window["servce"] = window.pop("service")  # the misspelling the schema must catch
    frames, errors = validate_tables(extraction.by_table(), {nid: SEEDS[0]})
    assert errors == [{"source_file": SEEDS[0], "stage": "validate",
                       "error": "outage_windows: rows of this notice dropped: unknown column 'servce' (not in schemas/tables.py)"}]
    assert frames["outage_windows"].empty  # the notice's windows, not half of them
    assert len(frames["notices"]) == 1 and len(frames["guidance"]) > 0  # its other tables stay


def test_an_unknown_key_drops_only_its_own_notice() -> None:
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    source_of = {}
    for name in SEEDS:
        extraction, _, nid = process_file(RAW / name, name, SourceHints())
        assert extraction is not None
        source_of[nid] = name
        if name == SEEDS[1]:
            extraction.contacts[0]["phone"] = extraction.contacts[0]["phone_raw"]
        extraction.add_to(rows)
    frames, errors = validate_tables(rows, source_of)
    assert [(e["source_file"], e["error"].split(":")[0]) for e in errors] == [(SEEDS[1], "contacts")]
    assert set(frames["contacts"]["notice_id"]) == {nid for nid, name in source_of.items() if name == SEEDS[0]}
