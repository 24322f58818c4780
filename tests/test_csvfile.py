"""The Arrow CSV writer gives the bytes of Python's csv module cell by cell (pipeline/publish/csvfile.py)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from helpers import RAW
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.publish.csvfile import BOM, csv_bytes, header_bytes, reference_rows
from pipeline.publish.tables import arrow_schema
from schemas.tables import DERIVED_TABLES, TABLES, ColumnSpec, ErrorsSchema, column_specs

# text that exercises every rule: quoting (, " CR LF), the spreadsheet rule (' = + - @ TAB), plain
# numbers (+862987424266, full-width and other decimal digits), list separators and Chinese
_PIECES = st.sampled_from([",", '"', "\r", "\n", "'", "=", "+", "-", "@", "\t", ";", " ", "1", "9", ".", "０", "٣",
                           "西安", "停机", "a", "", "\u2028", "＝"])
TEXT = st.lists(_PIECES, max_size=6).map("".join) | st.text(max_size=12)
SPECS = [ColumnSpec("s", "string", True, ""), ColumnSpec("l", "list", True, ""), ColumnSpec("t", "timestamp", True, ""),
         ColumnSpec("d", "date", True, ""), ColumnSpec("b", "bool", True, ""), ColumnSpec("f", "float", True, ""),
         ColumnSpec("i", "int", True, "")]
TIMES = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(lambda t: t.replace(second=0, microsecond=0))
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
ROW = st.fixed_dictionaries({
    "s": st.none() | TEXT, "l": st.none() | st.lists(TEXT, max_size=3), "t": st.none() | TIMES,
    "d": st.none() | st.dates(), "b": st.none() | st.booleans(), "f": st.none() | FLOATS,
    "i": st.none() | st.integers(-2**63, 2**63 - 1),
})


def _table(rows: list[dict]) -> pa.Table:
    schema = arrow_schema(SPECS)
    return pa.Table.from_pylist(rows, schema=schema)


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8))
def test_arrow_cells_equal_the_csv_modules(rows: list[dict]) -> None:
    table = _table(rows)
    assert csv_bytes(table, SPECS) == reference_rows(table, SPECS)


def test_the_rules_on_chosen_cells() -> None:
    """Cells a spreadsheet would run are neutralised, E.164 numbers are not, quoting is the csv module's."""
    rows = [
        {"s": "=HYPERLINK(\"http://x\")", "l": ["@SUM(1+1)", "b"], "t": dt.datetime(2022, 3, 22), "d": dt.date(2022, 2, 26),
         "b": True, "f": 192.0, "i": 3},
        {"s": "+862987424266", "l": [], "t": None, "d": None, "b": False, "f": 0.1 + 0.2, "i": None},
        {"s": "a,b", "l": None, "t": dt.datetime(999, 1, 2, 3, 4), "d": dt.date(5, 1, 1), "b": None, "f": 1234567.0, "i": -1},
    ]
    data = csv_bytes(_table(rows), SPECS)
    assert data == reference_rows(_table(rows), SPECS)
    assert data.decode().split("\r\n")[:3] == [
        '"\'=HYPERLINK(""http://x"")",\'@SUM(1+1);b,2022-03-22T00:00,2022-02-26,true,192,3',
        "+862987424266,,,,false,0.3,",
        '"a,b",,999-01-02T03:04,0005-01-01,,1.23457e+06,-1',
    ]


def test_header_has_the_bom() -> None:
    assert header_bytes(column_specs(ErrorsSchema)) == BOM + b"source_file,stage,error\r\n"


def test_every_table_of_a_run_is_the_same_bytes(shipped_run) -> None:
    """The shipped corpus's run (written by csv_bytes) read back: each file is the header and the
    reference rows of its Parquet table."""
    import pyarrow.parquet as pq

    assert RAW.is_dir()
    for spec in TABLES + DERIVED_TABLES:
        specs = column_specs(spec.model)
        table = pq.read_table(shipped_run / f"{spec.name}.parquet")
        same = (shipped_run / f"{spec.name}.csv").read_bytes() == header_bytes(specs) + reference_rows(table, specs)
        assert same, spec.name  # a boolean: a diff of raw/'s rows must not be printed (held-out notices)
