"""The Python API: the command line's results as DataFrames, for a notebook or another program.

- :func:`extract_file` — one notice file → its rows in every table, exactly the rows a run of
  the command line writes for that file (read, normalise, extract, validate), typed as
  :func:`load` gives them;
- :func:`run` — ``ybcutover run`` as a function: the outputs written, a :class:`RunResult`
  returned, nothing printed (problems are in ``RunResult.messages`` and logged to the
  ``pipeline`` logger, which has no handler unless you give it one);
- :func:`load` — the published tables of an output folder, from their Parquet files.

Every function returns one DataFrame per table of :mod:`schemas.tables`, with the contract's
types: times to the minute (``datetime64``), dates as ``datetime.date``, lists as Python lists.
The README's "Python API" section is run as a test (tests/test_api.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from pipeline.extract import SourceHints

__all__ = ["extract_file", "run", "load", "RunResult"]


def extract_file(path: str | Path, hints: SourceHints | None = None) -> dict[str, pd.DataFrame]:
    """One notice file → ``{table: DataFrame}``: the rows a run writes for it, every table present.

    ``hints`` is what is known from outside the text (its URL, city, publication date); by
    default the row of a ``manifest.csv`` beside the file, as a run uses it. A file that cannot
    be read gives a row in ``errors`` and no other rows; a notice that fails validation gives its
    ``errors`` row (stage ``validate``) in place of that table's rows, as a run does. Unlike a run,
    there is no per-file time or memory budget, and ``corrections.csv`` is not applied (it
    belongs to a raw folder: use :func:`run`).
    """
    from pipeline.runner.engine import process_file
    from pipeline.validate import to_frame, validate_tables

    path = Path(path)
    if hints is None:
        hints = _manifest_hints(path)
    extraction, error, nid = process_file(path, path.name, hints)
    frames: dict[str, pd.DataFrame] = {}
    errors = [] if error is None else [error]
    if extraction is not None:
        frames, validation_errors = validate_tables(extraction.by_table(), {nid: path.name})
        errors += validation_errors
    else:
        frames = {name: to_frame(name, []) for name in _table_names() if name != "errors"}
    frames["errors"] = to_frame("errors", errors)
    return {name: _published(name, frames[name]) for name in _table_names()}


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` did: its exit status (as the command line's), rows per table, the errors rows."""

    exit_status: int
    raw: Path
    out: Path
    # rows per table in the outputs (empty when none were written)
    counts: dict[str, int] = field(default_factory=dict)
    # the errors table: files and notices that could not be processed, with the stage and why
    errors: list[dict[str, str]] = field(default_factory=list)
    # the problems logged during the run (warnings and errors), as the command line prints them
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the outputs were written (or already up to date) and, with ``strict``, no errors rows."""
        return self.exit_status == 0

    @property
    def paths(self) -> dict[str, Path]:
        """Every output file that exists: ``{"notices": OUT/notices.parquet, …, "database": OUT/notices.duckdb, …}``."""
        candidates = {name: self.out / f"{name}.parquet" for name in _table_names()}
        candidates |= {"database": self.out / "notices.duckdb", "report": self.out / "report.html",
                       "workbook": self.out / "notices.xlsx", "datapackage": self.out / "datapackage.json"}
        return {name: p for name, p in candidates.items() if p.is_file()}


def run(
    raw: str | Path,
    out: str | Path,
    *,
    jobs: int | None = None,
    full: bool = False,
    cache: bool = True,
    time_limit: float | None = None,
    memory_limit: int | None = None,
    strict: bool = False,
) -> RunResult:
    """``ybcutover run --raw RAW --out OUT`` with the same options, printing nothing.

    ``time_limit``/``memory_limit`` are the per-file budget (``--time-limit``, ``--memory-limit``;
    ``None``: the environment or the defaults); ``strict`` makes a run with errors rows end with
    the command line's ``--strict`` status. A wrong option raises ``ValueError``.
    """
    from pipeline.commands.run import run as run_command
    from pipeline.runner.budget import Budget

    raw, out = Path(raw), Path(out)
    budget = Budget.resolve(time_limit, memory_limit)
    collected = _Collect()
    logger = logging.getLogger("pipeline")
    logger.addHandler(collected)
    try:
        status = run_command(raw, out, quiet=True, jobs=jobs, full=full, cache=cache, budget=budget, strict=strict)
    finally:
        logger.removeHandler(collected)
    counts: dict[str, int] = {}
    errors: list[dict[str, str]] = []
    if all((out / f"{name}.parquet").is_file() for name in _table_names()):
        import pyarrow.parquet as pq

        counts = {name: pq.read_metadata(out / f"{name}.parquet").num_rows for name in _table_names()}
        errors = pq.read_table(out / "errors.parquet").to_pylist()
    return RunResult(status, raw, out, counts, errors, collected.messages)


def load(out: str | Path) -> dict[str, pd.DataFrame]:
    """The published tables of an output folder: ``{table: DataFrame}`` from ``OUT/TABLE.parquet``.

    Raises ``FileNotFoundError`` naming the missing file when the folder holds no run's outputs.
    """
    import pyarrow.parquet as pq

    out = Path(out)
    frames = {}
    for name in _table_names():
        path = out / f"{name}.parquet"
        if not path.is_file():
            raise FileNotFoundError(f"no {path.name} in {out}: run `ybcutover run --out {out}` first")
        frames[name] = _to_pandas(pq.read_table(path))
    return frames


# --- helpers -------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    """Keeps the ``pipeline`` logger's warnings and errors of one :func:`run`."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _table_names() -> tuple[str, ...]:
    from schemas.tables import TABLES

    return tuple(spec.name for spec in TABLES)


def _manifest_hints(path: Path) -> SourceHints:
    """The hints of ``path``'s row in a ``manifest.csv`` beside it, else none."""
    from pipeline.extract import SourceHints
    from pipeline.runner.manifest import MANIFEST_NAME, read_manifest

    if not (path.parent / MANIFEST_NAME).is_file():
        return SourceHints()
    return read_manifest(path.parent).get(path.name) or SourceHints()


def _published(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A validated frame as the publish stage writes it (:func:`pipeline.publish.tables.to_arrow`),
    read back as :func:`load` reads it: the same types, the same values."""
    from pipeline.publish.tables import to_arrow
    from schemas.tables import TABLES, column_specs

    spec = next(t for t in TABLES if t.name == table)
    return _to_pandas(to_arrow(frame, column_specs(spec.model)))


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of the contract's types as a DataFrame; list cells as Python lists."""
    import pandas as pd
    import pyarrow as pa

    frame = table.to_pandas()
    for name, typ in zip(table.schema.names, table.schema.types, strict=True):
        if pa.types.is_list(typ) or pa.types.is_large_list(typ):
            lists = [None if v is None else list(v) for v in frame[name]]
            frame[name] = pd.Series(lists, index=frame.index, dtype=object)
    return frame
