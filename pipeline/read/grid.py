"""Table helpers shared by the HTML, PDF and Word readers.

Every reader ends with the same shape: a rectangular grid of cell strings, merged cells
repeated, written into ``Document.lines`` as ``| a | b |`` rows (the text reader's markdown
convention, so extractors see a table in its context) and kept as a :class:`Table`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.document import ReadError, Table

__all__ = ["expand_grid", "pipe_line", "looks_like_header", "add_table", "check_table_size", "MAX_TABLE_CELLS"]

# A notice's directory of offices is tens of rows by a few columns; a list of every designated
# pharmacy of a province, a few thousand cells. Past this it is a data annex, and every reader
# and extractor pass over it would cost seconds.
MAX_TABLE_CELLS = 30_000


def check_table_size(rows: int, columns: int, where: str) -> None:
    """Refuse a table too big for a notice, before its cells are read.

    >>> check_table_size(3001, 40, "HTML")
    Traceback (most recent call last):
    pipeline.document.ReadError: HTML table of 3001 rows × 40 columns (120,040 cells), over the limit of 30,000 cells ...
    """
    if rows * columns > MAX_TABLE_CELLS:
        raise ReadError(
            f"{where} table of {rows} rows × {columns} columns ({rows * columns:,} cells), over the limit of "
            f"{MAX_TABLE_CELLS:,} cells for a notice: a data annex, not a notice; save the notice without it and run again"
        )


def expand_grid(rows: Sequence[Sequence[tuple[str, int, int]]]) -> list[list[str]]:
    """Lay out ``(text, rowspan, colspan)`` cells on a grid, covered cells repeating their cover.

    Short rows are padded with ``""``; a rowspan past the last row is cut.

    >>> expand_grid([[("14", 2, 1), ("空港", 1, 1)], [("沣东", 1, 1)]])
    [['14', '空港'], ['14', '沣东']]
    """
    grid: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in grid:  # skip positions covered by a rowspan from above
                c += 1
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text
            c += colspan
    width = max((c for _, c in grid), default=-1) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def pipe_line(cells: Sequence[str]) -> str:
    """Cells as one ``|``-separated line (a ``|`` inside a cell becomes ``｜``).

    >>> pipe_line(["1", "新城区", ""]), pipe_line(["a|b"])
    ('| 1 | 新城区 |  |', '| a｜b |')
    """
    return "| " + " | ".join(c.replace("|", "｜").replace("\n", " ") for c in cells) + " |"


_DIGIT = re.compile(r"\d")


def looks_like_header(grid: Sequence[Sequence[str]]) -> bool:
    """A first row of labels above rows holding numbers is a header row.

    >>> looks_like_header([["序号", "电话"], ["1", "029-87424266"]]), looks_like_header([["1", "a"], ["2", "b"]])
    (True, False)
    """
    if len(grid) < 2 or not any(grid[0]):
        return False
    return not any(_DIGIT.search(c) for c in grid[0]) and any(_DIGIT.search(c) for row in grid[1:] for c in row)


def add_table(lines: list[str], tables: list[Table], grid: Sequence[Sequence[str]], has_header: bool) -> None:
    """Append a grid to a document under construction: as a Table and as pipe lines.

    Rows that are empty in every cell are dropped (ruled tables often end in blank rows).
    """
    rows = tuple(tuple(cell.strip() for cell in row) for row in grid if any(cell.strip() for cell in row))
    if not rows:
        return
    tables.append(Table(rows=rows, has_header=has_header, line_index=len(lines)))
    lines.extend(pipe_line(row) for row in rows)
