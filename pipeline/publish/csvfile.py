"""The CSV form of a table, made column by column in Arrow: the contract's format, byte for byte.

The contract (docs/contract.md) fixes what a CSV file looks like: UTF-8 with a BOM, one header
row, an empty cell for null, lists joined by ``;``, times ``YYYY-MM-DDTHH:MM``, dates ISO, booleans
``true``/``false``, floats as Python's ``{:g}``, text that a spreadsheet would run as a formula
neutralised (:mod:`pipeline.publish.cells`), and the quoting of Python's ``csv`` module (the
``excel`` dialect: a cell is quoted when it holds ``,``, ``"``, ``\\r`` or ``\\n``, a ``"`` is
doubled, rows end in ``\\r\\n``). :func:`reference_row` is that definition cell by cell, as the
files were written before; :func:`csv_bytes` gives the same bytes for a whole Arrow table with
Arrow's compute kernels (C++), which is what a run uses: at 10,000 notices the six tables and
the three event tables are 660,000 cells, 3.4 s through ``csv.writer`` and ≈ 0.3 s here.

Why by hand: pyarrow's and DuckDB's CSV writers quote differently (pyarrow quotes every string
with ``quoting_style="needed"``; DuckDB writes an empty string as ``""`` to tell it from NULL),
write ``\\n`` line ends, and neither has the spreadsheet rule or ``{:g}``. The kernels below only
build the cells; which cells need what is decided by the same rules as before, and the few cells
that start like a formula go through :func:`pipeline.publish.cells.spreadsheet_safe` itself.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.extract.timeexpr import MINUTE_FORMAT, minute_text
from pipeline.publish.cells import spreadsheet_safe
from schemas.tables import ColumnSpec

BOM = b"\xef\xbb\xbf"
EOL = "\r\n"  # the csv module's excel dialect
# a cell the csv module quotes: it holds the delimiter, the quote character or a line break
_NEEDS_QUOTES = r'[,"\r\n]'
# a cell that may start like a formula (pipeline.publish.cells): only these are looked at one by one
_MAY_BE_FORMULA = r"^'*[=+\-@\t\r]"


def header_bytes(specs: list[ColumnSpec]) -> bytes:
    """The BOM and the header row: ``header_bytes(column_specs(ErrorsSchema))`` → ``b"\\xef\\xbb\\xbfsource_file,stage,error\\r\\n"``."""
    buf = io.StringIO()
    csv.writer(buf).writerow([c.name for c in specs])
    return BOM + buf.getvalue().encode("utf-8")


def reference_cell(value, kind: str) -> str:
    """One cell as the contract defines it: ``reference_cell(datetime(2022, 3, 22), "timestamp")`` →
    ``"2022-03-22T00:00"``; text a spreadsheet would run as a formula gets a ``'`` in front."""
    if value is None:
        return ""
    if kind == "timestamp":
        return minute_text(value)
    if kind == "date":
        return value.isoformat()
    if kind == "list":
        return spreadsheet_safe(";".join(value))
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return f"{value:g}"
    if kind == "int":
        return str(value)
    return spreadsheet_safe(str(value))


def reference_rows(table: pa.Table, specs: list[ColumnSpec]) -> bytes:
    """The rows of ``table`` through Python's ``csv`` module, cell by cell (:func:`reference_cell`):
    the definition :func:`csv_bytes` is held to (tests/test_csvfile.py)."""
    buf = io.StringIO()
    columns = [(table.column(c.name).to_pylist(), c.kind) for c in specs]
    csv.writer(buf).writerows([reference_cell(values[i], kind) for values, kind in columns] for i in range(table.num_rows))
    return buf.getvalue().encode("utf-8")


def _python_cells(values: list, kind: str) -> pa.Array:
    return pa.array([reference_cell(v, kind) for v in values], type=pa.string())


def _cells(column: pa.ChunkedArray, kind: str) -> pa.Array:
    """The column's cells as text, before quoting (nulls as empty text)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if kind == "float":
        # Python's {:g} (six significant digits, exponent past 1e16…) has no Arrow kernel; a
        # float column is one per table at most (hours), so this stays a small share
        return _python_cells(array.to_pylist(), kind)
    if kind == "timestamp":
        years = pc.year(array)
        if (pc.min(years).as_py() or 1000) < 1000:  # Python writes year 999 as "999", Arrow as "0999"
            return _python_cells(array.to_pylist(), kind)
        text = pc.strftime(array, format=MINUTE_FORMAT)
    elif kind == "date":
        text = array.cast(pa.string())  # ISO, four-digit years, as date.isoformat()
    elif kind == "bool":
        text = pc.if_else(array, "true", "false")
    elif kind == "int":
        text = array.cast(pa.string())
    elif kind == "list":
        text = _safe(pc.binary_join(array, ";"))
    else:
        text = _safe(array.cast(pa.string()))
    return pc.fill_null(text, "")


def _safe(text: pa.Array) -> pa.Array:
    """:func:`~pipeline.publish.cells.spreadsheet_safe` over a column: the cells that start like a
    formula (a handful in a corpus) go through the function itself; the rest are left as they are."""
    maybe = pc.fill_null(pc.match_substring_regex(text, _MAY_BE_FORMULA), False)
    if not pc.any(maybe).as_py():
        return text
    which = pc.indices_nonzero(maybe).to_pylist()
    safe = pa.array([spreadsheet_safe(text[i].as_py()) for i in which], type=pa.string())
    return pc.replace_with_mask(text, maybe, safe)


def _quoted(cells: pa.Array) -> pa.Array:
    """Cells as the csv module writes them: quoted, with ``"`` doubled, where a cell needs it."""
    needs = pc.match_substring_regex(cells, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return cells
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(cells, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, cells)


def csv_bytes(table: pa.Table, specs: list[ColumnSpec]) -> bytes:
    """``table``'s rows as CSV lines, exactly :func:`reference_rows`: no header, no BOM.

    ``csv_bytes(pa.table({"source_file": ["a,b.txt"], "stage": ["read"], "error": ["x"]}), specs)``
    → ``b'"a,b.txt",read,x\\r\\n'``.
    """
    return csv_lines(table, specs)[0]


def csv_lines(table: pa.Table, specs: list[ColumnSpec]) -> tuple[bytes, list[int]]:
    """:func:`csv_bytes` and the length in bytes of each row's line."""
    if table.num_rows == 0:
        return b"", []
    cells = []
    for c in specs:
        text = _cells(table.column(c.name), c.kind)
        cells.append(_quoted(text) if c.kind in ("string", "list") else text)
    lines = pc.binary_join_element_wise(*cells, ",")
    lines = pc.binary_join_element_wise(lines, "", EOL)  # each line followed by its line end
    chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
    lengths = pc.binary_length(lines).to_pylist()
    return b"".join(_utf8(chunk) for chunk in chunks), lengths


def _utf8(lines: pa.Array) -> bytes:
    """The bytes of a string array without nulls, concatenated (its data buffer between its offsets)."""
    if len(lines) == 0:
        return b""
    import numpy as np

    width = np.int64 if lines.type == pa.large_string() else np.int32
    bounds = np.frombuffer(lines.buffers()[1], dtype=width)[lines.offset: lines.offset + len(lines) + 1]
    return bytes(memoryview(lines.buffers()[2])[int(bounds[0]): int(bounds[-1])])


def write_rows(table: pa.Table, specs: list[ColumnSpec], out: BinaryIO) -> int:
    """Append ``table``'s rows to an open CSV file (binary, its header already written); bytes written."""
    data = csv_bytes(table, specs)
    out.write(data)
    return len(data)
