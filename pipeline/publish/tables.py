"""Load stage: the only module that writes the output tables.

Every table goes to ``TABLE.parquet``, ``TABLE.csv`` (UTF-8 with BOM) and ``notices.duckdb``;
the files derived from them (report, workbook, data package) are made from the staged database
in the same staging folder, so all of them are one generation. Everything is first written
into a staging folder inside the output folder, flushed to disk, then moved into place with
``os.replace`` (atomic on one file system), so a run that dies leaves the previous outputs
whole; the next run cleans up after it (:mod:`pipeline.publish.swap`). Two runs on one output
folder take turns through a lock file (``OUT/.pipeline.lock``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from pipeline.publish.csvfile import csv_lines, header_bytes
from pipeline.publish.swap import (  # noqa: F401  (re-exported: the crash tests and older callers import them here)
    COMPLETE_MARKER,
    DEFAULT_LOCK_TIMEOUT,
    LOCK_NAME,
    LOCK_TIMEOUT_ENV,
    OWNER_LOCK,
    STAGING_PREFIX,
    OutputLocked,
    flush_and_hash,
    lock_timeout,
    locked_outputs,
    mark_complete,
    output_lock,
    recover_outputs,
    swap,
    tidy_outputs,
)
from pipeline.runner import signals
from pipeline.runner.cache import clear_stamp, write_stamp
from pipeline.runner.ledger import Ledger, forget_other_ledgers, save_ledger

if TYPE_CHECKING:
    from pipeline.runner.helper import Helper
from schemas.tables import DERIVED_TABLES, TABLES, ColumnSpec, column_specs

DB_NAME = "notices.duckdb"

_ARROW = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "list": pa.list_(pa.string()),
}
_DUCKDB = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "list": "VARCHAR[]",
}


def arrow_schema(specs: list[ColumnSpec]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.kind], nullable=c.nullable) for c in specs])


def duckdb_ddl(table: str, specs: list[ColumnSpec]) -> str:
    """``CREATE TABLE`` derived from the pandera model.

    >>> from schemas.tables import ErrorsSchema
    >>> print(duckdb_ddl("errors", column_specs(ErrorsSchema)))
    CREATE TABLE errors (source_file VARCHAR NOT NULL, stage VARCHAR NOT NULL, error VARCHAR NOT NULL)
    """
    cols = ", ".join(f"{c.name} {_DUCKDB[c.kind]}{'' if c.nullable else ' NOT NULL'}" for c in specs)
    return f"CREATE TABLE {table} ({cols})"


def _cell_py(value, kind: str):
    if value is None or (not isinstance(value, list) and pd.isna(value)):
        return None
    if kind == "timestamp":
        return pd.Timestamp(value).to_pydatetime().replace(second=0, microsecond=0)
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "list":
        return [str(v) for v in value]
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def to_arrow(frame: pd.DataFrame, specs: list[ColumnSpec]) -> pa.Table:
    """A validated frame as an Arrow table of the contract's types (times to the minute, dates as dates).

    Column by column in Arrow; a column Arrow cannot convert as it is (a stray value of another
    type) goes value by value through :func:`_cell_py`, with the same result.
    """
    schema = arrow_schema(specs)
    arrays = []
    for c, target in zip(specs, schema, strict=True):
        try:
            arrays.append(_column_arrow(frame[c.name], c.kind, target.type))
        except (pa.ArrowException, TypeError, ValueError, AttributeError):
            arrays.append(pa.array([_cell_py(v, c.kind) for v in frame[c.name].tolist()], type=target.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _column_arrow(series: pd.Series, kind: str, target: pa.DataType) -> pa.Array:
    """One column in Arrow: ``_column_arrow(pd.Series([pd.Timestamp("2022-02-20 00:00:30")]), "timestamp", …)`` → 2022-02-20 00:00."""
    if kind in ("timestamp", "date"):
        values = pd.to_datetime(series)
        values = values.dt.floor("min") if kind == "timestamp" else values.dt.normalize()
        array = pa.Array.from_pandas(values)
        return array.cast(pa.timestamp("us")).cast(target) if kind == "date" else array.cast(target)
    if kind in ("string", "list"):
        return pa.array(series.tolist(), type=target, from_pandas=True)
    return pa.Array.from_pandas(series).cast(target)


def write_csv(table: pa.Table, specs: list[ColumnSpec], out: BinaryIO) -> list[int]:
    """Append ``table``'s rows to an open CSV file (binary), per contract: empty cell for null, lists
    joined by ';', formula-like text neutralised for spreadsheets (:mod:`pipeline.publish.cells`), the
    csv module's quoting — built column by column in Arrow (:mod:`pipeline.publish.csvfile`); returns
    each row's length in bytes.

    The file is opened and given its BOM and header by :class:`Generation` (:func:`open_csv`); a
    table arrives batch by batch.
    """
    data, lengths = csv_lines(table, specs)
    out.write(data)
    return lengths


def open_csv(path: Path, specs: list[ColumnSpec]) -> BinaryIO:
    """A new CSV file at ``path`` with the BOM and the header row, open for :func:`write_csv`."""
    f = path.open("wb")
    f.write(header_bytes(specs))
    return f


def _sql_string(text: str) -> str:
    """A SQL string literal (COMMENT ON does not take parameters).

    >>> print(_sql_string("it's"))
    'it''s'
    """
    return "'" + text.replace("'", "''") + "'"


DUCKDB_TEMP = ".duckdb-tmp"  # where DuckDB may spill while it builds the database

# DuckDB keeps what it reads in its buffer pool up to its memory limit (by default most of the
# machine's memory): bounded here so building the database costs the same at any corpus size.
DUCKDB_SETTINGS: tuple[str, ...] = ("SET memory_limit = '256MB'", "SET threads = 2")


def build_database(staging: Path, derived_ready: Callable[[], object] | None = None) -> None:
    """``notices.duckdb`` from the staged Parquet files: tables with comments, then the views.

    ``derived_ready()``, when given, is called once the contract tables are in and returns when
    the derived tables (events) are staged too: they are being written by another process meanwhile.
    """
    db_path = staging / DB_NAME
    con = duckdb.connect(str(db_path))
    try:
        for setting in DUCKDB_SETTINGS:
            con.execute(setting)
        con.execute(f"SET temp_directory = {_sql_string(str(staging / DUCKDB_TEMP))}")
        # the contract's tables, then the tables derived from them when they were written
        _load_tables(con, staging, TABLES)
        if derived_ready is not None:
            derived_ready()
        _load_tables(con, staging, tuple(d for d in DERIVED_TABLES if (staging / f"{d.name}.parquet").exists()))
        from pipeline.publish.views import create_views

        create_views(con)
        con.execute("CHECKPOINT")  # everything in the .duckdb file itself, no WAL beside it
    finally:
        con.close()
        shutil.rmtree(staging / DUCKDB_TEMP, ignore_errors=True)


def _load_tables(con: duckdb.DuckDBPyConnection, staging: Path, tables: tuple) -> None:
    for spec in tables:
        specs = column_specs(spec.model)
        con.execute(duckdb_ddl(spec.name, specs))
        # DuckDB streams the file; the insertion order is the file's
        con.execute(f"INSERT INTO {spec.name} SELECT * FROM read_parquet(?)", [str(staging / f"{spec.name}.parquet")])
        con.execute(f"COMMENT ON TABLE {spec.name} IS {_sql_string(spec.description)}")
        for c in specs:
            if c.description:
                con.execute(f"COMMENT ON COLUMN {spec.name}.{c.name} IS {_sql_string(c.description)}")


def write_derived_tables(staging: Path) -> dict[str, int]:
    """The tables derived from the staged contract tables, written beside them: rows per table.

    ``events``, ``event_members`` and ``revisions`` (:mod:`pipeline.publish.events`): one row per
    real-world interruption, clustered across notices. Called once every batch is staged and
    before the database is built, so they are in the same generation as the tables they come from.
    """
    from pipeline.publish.events import write_event_tables

    return write_event_tables(staging)


# Writes the files derived from the tables into a staging folder; returns {file name: problem}.
Derive = Callable[[Path], dict[str, str]]
# Writes the event tables into a staging folder: a module-level function (it may run in the run's
# helper process) and its arguments after the staging folder; it returns rows per table.
Events = tuple[Callable[..., dict[str, int]], tuple]


class Generation:
    """One run's outputs, written a batch at a time into a staging folder, then moved into place.

    ``gen = Generation(Path("outputs")); gen.append(frames); …; gen.commit(stamp)``. Each batch
    is appended to ``TABLE.parquet`` and ``TABLE.csv`` as it comes, so the tables never have
    to be in memory whole; :meth:`commit` builds ``notices.duckdb`` from the Parquet files and
    swaps everything in under the output folder's lock. Until then nothing outside the staging
    folder changes, and a run that dies leaves a staging folder the next run deletes.

    The staging folder is created under the output lock and holds its own lock while the
    generation is open, so a concurrent run's :func:`~pipeline.publish.swap.recover_outputs`
    leaves it alone.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.rows: dict[str, int] = {t.name: 0 for t in TABLES}
        self._specs = {t.name: column_specs(t.model) for t in TABLES}
        with locked_outputs(out_dir):
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
            self._owner = FileLock(str(self.staging / OWNER_LOCK))
            self._owner.acquire(timeout=0)
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._csv: dict[str, BinaryIO] = {}
        self.problems: dict[str, str] = {}  # derived file → why it could not be written (see commit)
        self.committed = False  # True once the generation is in place

    def table_names(self) -> list[str]:
        return list(self._specs)

    def specs(self, name: str) -> list[ColumnSpec]:
        return self._specs[name]

    def _files(self, name: str) -> tuple[pq.ParquetWriter, BinaryIO]:
        """The table's Parquet and CSV files, created (with the CSV's header) at its first rows."""
        if name not in self._parquet:
            specs = self._specs[name]
            try:
                self._parquet[name] = pq.ParquetWriter(self.staging / f"{name}.parquet", arrow_schema(specs))
                self._csv[name] = open_csv(self.staging / f"{name}.csv", specs)
            except BaseException:
                self.discard()
                raise
        return self._parquet[name], self._csv[name]

    def append(self, frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, int] | None]:
        """Write a batch of validated rows (some or all tables) after the rows already written; return,
        per table, the bytes each notice's rows take in its CSV file (what an incremental run copies;
        None when not known)."""
        lengths: dict[str, dict[str, int] | None] = {}
        for name, frame in frames.items():
            if len(frame):
                lengths[name] = self.append_arrow(name, to_arrow(frame, self._specs[name]))
        return lengths

    def append_arrow(self, name: str, table: pa.Table, csv: bool = True) -> dict[str, int] | None:
        """Write rows already in the table's Arrow schema (:func:`to_arrow`) after those already written
        (without ``csv``: to the Parquet file only, the caller writes the CSV); return the bytes each
        notice's rows take in the CSV file (None when not known)."""
        if not table.num_rows:
            return {}
        parquet, csv_file = self._files(name)
        parquet.write_table(table)
        self.rows[name] += table.num_rows
        if not csv:
            return None
        lengths = write_csv(table, self._specs[name], csv_file)
        if lengths is None or "notice_id" not in table.column_names:
            return None
        by_notice: dict[str, int] = {}
        for nid, n in zip(table.column("notice_id").to_pylist(), lengths, strict=True):
            by_notice[nid] = by_notice.get(nid, 0) + n
        return by_notice

    def csv_file(self, name: str) -> BinaryIO:
        """The table's CSV file, open for appending (its header written)."""
        return self._files(name)[1]

    def _close_files(self) -> None:
        for writer in self._parquet.values():
            writer.close()
        for f in self._csv.values():
            f.close()
        self._parquet, self._csv = {}, {}

    def _finish_tables(self) -> None:
        """Every table in both forms, also one with no rows (a header, an empty Parquet file), then closed."""
        for name in self._specs:
            self._files(name)
        self._close_files()

    def commit(self, stamp: str | None = None, derive: Derive | None = None, events: Events | None = None,
               ledger: Ledger | None = None, helper: Helper | None = None) -> list[Path]:
        """Build the events, the database and the files ``derive`` makes from it, then move the whole
        generation into the output folder and stamp it; return the files now in place.

        ``events`` — ``(fn, args)``, ``fn(staging, *args)`` — writes the event tables (default:
        :func:`write_derived_tables`, from scratch; an incremental run passes its own); with a
        ``helper`` (:class:`pipeline.runner.helper.Helper`) they are written in that process while
        this one loads the contract tables into the database. ``derive(staging)`` writes the derived files
        (report, workbook, data package) into the staging folder from the staged ``notices.duckdb``
        and returns ``{file name: problem}`` for each it could not write: the generation then goes
        in without them, their old copies are deleted (a report must never describe other tables
        than those beside it), the stamp says the generation is incomplete so the next run makes
        them again, and :attr:`problems` says what failed. A file of the previous generation that
        this one does not make (the workbook, when not asked for) is deleted too. ``ledger``
        (:mod:`pipeline.runner.ledger`) is written before the generation is marked complete. Any other
        failure (a full disk, a read-only folder, a stop signal) leaves the previous outputs as they
        were. SIGINT and SIGTERM are held back while the files are moved.
        """
        try:
            self._finish_tables()
            fn, args = events or (write_derived_tables, ())
            if helper is not None:
                helper.warm()
            elsewhere = helper is not None and helper.submit(fn, self.staging, *args)
            if not elsewhere:
                self.rows |= fn(self.staging, *args)

            def events_written() -> None:
                if elsewhere:
                    assert helper is not None
                    ok, value = helper.result()
                    signals.raise_if_received()
                    if not ok:
                        raise value
                    self.rows |= value

            with locked_outputs(self.out_dir):
                tidy_outputs(self.out_dir)  # what a killed run left (this generation is skipped: it is locked)
                try:
                    build_database(self.staging, events_written)
                except duckdb.Error as exc:  # e.g. disk full inside DuckDB: report like any write failure
                    signals.raise_if_received()  # DuckDB turns Ctrl-C into its own error
                    raise OSError(f"DuckDB could not write {DB_NAME}: {exc}") from exc
                self.problems = derive(self.staging) if derive is not None else {}
                signals.raise_if_received()
                hashes = flush_and_hash(self.staging)
                from pipeline.publish import DERIVED_FILES

                retire = set(self.problems) | {name for name in DERIVED_FILES if name not in hashes}
                if ledger is not None and stamp:
                    ledger.signature = stamp
                    save_ledger(self.out_dir, ledger)
                self._owner.release()
                (self.staging / OWNER_LOCK).unlink(missing_ok=True)
                with signals.deferred():
                    mark_complete(self.staging, hashes, retire, stamp or "", complete=not self.problems)
                    clear_stamp(self.out_dir)  # from here until the new stamp, no run may skip its work
                    written = swap(self.staging, self.out_dir, retire=retire)
                    self.committed = True
                    if stamp:
                        try:
                            write_stamp(self.out_dir, stamp, written, hashes, complete=not self.problems)
                        except OSError:
                            pass  # no stamp (a full disk): the next run rebuilds instead of skipping, nothing worse
                        forget_other_ledgers(self.out_dir, stamp)
                return written
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget the generation: close its files and delete the staging folder (after a commit: what is left of it)."""
        try:
            self._close_files()
        finally:
            self._owner.release()
            shutil.rmtree(self.staging, ignore_errors=True)


def write_outputs(frames: dict[str, pd.DataFrame], out_dir: Path, stamp: str | None = None) -> list[Path]:
    """Write every table to Parquet, CSV and DuckDB in ``out_dir``, crash-safely, under its lock.

    The whole tables at once (tests, benchmarks); ``run`` streams them through a
    :class:`Generation`. ``stamp`` (a :func:`pipeline.runner.cache.run_signature`) is recorded once the
    files are in place, so the next run with the same inputs knows they are up to date. Raises
    :class:`OutputLocked` (an ``OSError``) when another run holds the folder too long, and
    ``OSError`` when the folder cannot be written; the previous outputs are untouched then.
    """
    with locked_outputs(out_dir):
        generation = Generation(out_dir)
        generation.append(frames)
        return generation.commit(stamp)
