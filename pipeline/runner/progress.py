"""What a person running the pipeline sees: a progress bar while files are read, a summary at the end.

The bar only shows on an interactive terminal: piped into a file or run by CI, stdout gets no
escape codes, and ``show_progress(False)`` turns it off for ``run --quiet``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.table import Table

# rich is imported where a bar or a table is drawn: a run with nothing to do draws neither
# and should not pay for the import.

T = TypeVar("T")

_enabled: ContextVar[bool] = ContextVar("progress_enabled", default=True)


def progress_wanted() -> bool:
    """True when a bar may be drawn: stdout is a terminal and nobody asked for quiet."""
    return _enabled.get() and sys.stdout.isatty()


@contextlib.contextmanager
def show_progress(enabled: bool) -> Iterator[None]:
    """Within the block, :func:`progress` draws only if ``enabled``.

    ``with show_progress(not quiet): run_pipeline(raw)`` keeps ``run --quiet`` silent.
    """
    token = _enabled.set(enabled)
    try:
        yield
    finally:
        _enabled.reset(token)


def progress(items: Iterable[T], description: str = "reading notices", total: int | None = None) -> Iterator[T]:
    """Yield ``items`` unchanged, drawing a progress bar on a terminal.

    ``for path in progress(discover(raw_dir), "reading"):`` shows ``reading ━━━━ 3/14 0:00:01``;
    outside a terminal it is a plain pass-through.
    """
    if not progress_wanted():
        yield from items
        return
    if total is None and isinstance(items, Sequence):
        total = len(items)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # transient: the bar disappears when done, leaving only the summary on screen
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def summary_table(
    files_read: int,
    rows: Mapping[str, int],
    seconds: float,
    title: str = "pipeline run",
) -> Table:
    """The closing summary: files read, rows per table, repairs, errors and time.

    ``summary_table(14, {"notices": 14, "repairs": 90, "errors": 0}, 1.2)`` → a two-column table
    whose rows are ``files read 14``, ``notices 14``, …, ``time 1.2 s``.
    """
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files read", str(files_read))
    for name, count in rows.items():
        # repairs and errors are what a reader should look at next: make them stand out
        style = "bold yellow" if name in {"repairs", "errors"} and count else None
        table.add_row(f"{name} rows", str(count), style=style)
    table.add_row("time", f"{seconds:.1f} s")
    return table


def print_summary(files_read: int, rows: Mapping[str, int], seconds: float, title: str = "pipeline run") -> None:
    """Print :func:`summary_table` to stdout (plain text when stdout is not a terminal)."""
    from rich.console import Console

    # a fixed width off-terminal keeps CI logs and captured output stable
    console = Console(width=None if sys.stdout.isatty() else 100, soft_wrap=False)
    console.print(summary_table(files_read, rows, seconds, title))

