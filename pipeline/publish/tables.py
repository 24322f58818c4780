"""Load stage: the only module that writes the output tables.

Every table goes to ``TABLE.parquet``, ``TABLE.csv`` (UTF-8 with BOM) and ``notices.duckdb``.
Everything is first written into a staging folder inside the output folder, flushed to disk,
then moved into place with ``os.replace`` (atomic on one file system), so a run that dies
leaves the previous outputs whole; the next run cleans up after it (see ``recover_outputs``).
Two runs on one output folder take turns through a lock file (``OUT/.pipeline.lock``).
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from pipeline.runner.cache import clear_stamp, write_stamp
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


def _cell_csv(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "timestamp":
        return value.strftime("%Y-%m-%dT%H:%M")
    if kind == "date":
        return value.isoformat()
    if kind == "list":
        return ";".join(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return f"{value:g}"
    return str(value)


def write_csv(table: pa.Table, specs: list[ColumnSpec], out: TextIO) -> None:
    """Append ``table``'s rows to an open CSV file, per contract: empty cell for null, lists joined by ';'.

    The file is opened (UTF-8 with BOM) and given its header by :class:`Generation`; a table
    arrives batch by batch.
    """
    columns = [(table.column(c.name).to_pylist(), c.kind) for c in specs]
    writer = csv.writer(out)
    writer.writerows([_cell_csv(values[i], kind) for values, kind in columns] for i in range(table.num_rows))


def _sql_string(text: str) -> str:
    """A SQL string literal (COMMENT ON does not take parameters).

    >>> print(_sql_string("it's"))
    'it''s'
    """
    return "'" + text.replace("'", "''") + "'"


# DuckDB keeps what it reads in its buffer pool up to its memory limit (by default most of the
# machine's memory): bounded here so building the database costs the same at any corpus size.
DUCKDB_SETTINGS: tuple[str, ...] = ("SET memory_limit = '256MB'", "SET threads = 2")


def build_database(staging: Path) -> None:
    """``notices.duckdb`` from the staged Parquet files: tables with comments, then the views."""
    db_path = staging / DB_NAME
    con = duckdb.connect(str(db_path))
    try:
        for setting in DUCKDB_SETTINGS:
            con.execute(setting)
        con.execute(f"SET temp_directory = {_sql_string(str(staging / DUCKDB_TEMP))}")
        # the contract's tables, then the tables derived from them when they were written
        for spec in TABLES + tuple(d for d in DERIVED_TABLES if (staging / f"{d.name}.parquet").exists()):
            specs = column_specs(spec.model)
            con.execute(duckdb_ddl(spec.name, specs))
            # DuckDB streams the file; the insertion order is the file's
            con.execute(f"INSERT INTO {spec.name} SELECT * FROM read_parquet(?)", [str(staging / f"{spec.name}.parquet")])
            con.execute(f"COMMENT ON TABLE {spec.name} IS {_sql_string(spec.description)}")
            for c in specs:
                if c.description:
                    con.execute(f"COMMENT ON COLUMN {spec.name}.{c.name} IS {_sql_string(c.description)}")
        from pipeline.publish.views import create_views

        create_views(con)
        con.execute("CHECKPOINT")  # everything in the .duckdb file itself, no WAL beside it
    finally:
        con.close()
        shutil.rmtree(staging / DUCKDB_TEMP, ignore_errors=True)


def write_derived_tables(staging: Path) -> dict[str, int]:
    """The tables derived from the staged contract tables, written beside them: rows per table.

    ``events``, ``event_members`` and ``revisions`` (:mod:`pipeline.publish.events`): one row per
    real-world interruption, clustered across notices. Called once every batch is staged and
    before the database is built, so they are in the same generation as the tables they come from.
    """
    from pipeline.publish.events import write_event_tables

    return write_event_tables(staging)


class Generation:
    """One run's outputs, written a batch at a time into a staging folder, then moved into place.

    ``gen = Generation(Path("outputs")); gen.append(frames); …; gen.commit(stamp)``. Each batch
    is appended to ``TABLE.parquet`` and ``TABLE.csv`` as it comes, so the tables never have
    to be in memory whole; :meth:`commit` builds ``notices.duckdb`` from the Parquet files and
    swaps everything in under the output folder's lock. Until then nothing outside the staging
    folder changes, and a run that dies leaves a staging folder the next run deletes.

    The staging folder is created under the output lock and holds its own lock while the
    generation is open, so a concurrent run's :func:`recover_outputs` leaves it alone.
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
        self._csv: dict[str, TextIO] = {}
        try:
            for name, specs in self._specs.items():
                self._parquet[name] = pq.ParquetWriter(self.staging / f"{name}.parquet", arrow_schema(specs))
                f = (self.staging / f"{name}.csv").open("w", encoding="utf-8-sig", newline="")
                self._csv[name] = f
                csv.writer(f).writerow([c.name for c in specs])
        except BaseException:
            self.discard()
            raise

    def append(self, frames: dict[str, pd.DataFrame]) -> None:
        """Write a batch of validated rows (some or all tables) after the rows already written."""
        for name, frame in frames.items():
            if not len(frame):
                continue
            specs = self._specs[name]
            table = to_arrow(frame, specs)
            self._parquet[name].write_table(table)
            write_csv(table, specs, self._csv[name])
            self.rows[name] += table.num_rows

    def _close_files(self) -> None:
        for writer in self._parquet.values():
            writer.close()
        for f in self._csv.values():
            f.close()
        self._parquet, self._csv = {}, {}

    def commit(self, stamp: str | None = None) -> list[Path]:
        """Build the database, then move every file into the output folder (see :func:`write_outputs`)."""
        try:
            self._close_files()
            self.rows |= write_derived_tables(self.staging)
            with locked_outputs(self.out_dir):
                recover_outputs(self.out_dir)  # what a killed run left (this generation is skipped: it is locked)
                try:
                    build_database(self.staging)
                except duckdb.Error as exc:  # e.g. disk full inside DuckDB: report like any write failure
                    raise OSError(f"DuckDB could not write {DB_NAME}: {exc}") from exc
                self._owner.release()
                (self.staging / OWNER_LOCK).unlink(missing_ok=True)
                _mark_complete(self.staging)
                clear_stamp(self.out_dir)  # from here until the new stamp, no run may skip its work
                written = _swap(self.staging, self.out_dir)
                if stamp:
                    write_stamp(self.out_dir, stamp, written)
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


# --- crash safety and locking ------------------------------------------------------------
#
# A generation of outputs is written whole into OUT/.staging-XXXX, flushed to disk, marked
# complete, and only then moved over the old files with os.replace, one quick loop. Each file
# is replaced atomically, so a reader always opens a whole file. What is not atomic is the set:
# a kill *inside* the swap loop (it takes about a millisecond) leaves some files new and some
# old. The complete-marker makes that recoverable: the next run, before writing, finishes any
# swap that was marked complete (roll forward) and deletes any staging folder that was not.

LOCK_NAME = ".pipeline.lock"
STAGING_PREFIX = ".staging-"
COMPLETE_MARKER = ".complete"
OWNER_LOCK = ".owner.lock"  # held by the run writing a staging folder
DUCKDB_TEMP = ".duckdb-tmp"  # where DuckDB may spill while it builds the database
LOCK_TIMEOUT_ENV = "PIPELINE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0

_LOCKS: dict[Path, FileLock] = {}


class OutputLocked(OSError):
    """Another run holds the output folder's lock and did not release it in time."""


def output_lock(out_dir: Path) -> FileLock:
    """The lock of one output folder (``OUT/.pipeline.lock``), one object per folder and process.

    Reusing the object makes the lock re-entrant within a process: a caller that holds it can
    call :func:`write_outputs`, which takes it again, without deadlocking on itself.
    """
    key = out_dir.resolve()
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(str(key / LOCK_NAME))
    return _LOCKS[key]


def lock_timeout() -> float:
    """Seconds to wait for another run: ``$PIPELINE_LOCK_TIMEOUT``, default 600 (``0`` fails at once)."""
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


@contextmanager
def locked_outputs(out_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the block, waiting up to ``timeout`` seconds for another run.

    ``with locked_outputs(Path("outputs")): …`` raises :class:`OutputLocked` with a message
    that says what to do when another run keeps the folder longer than that.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    wait = lock_timeout() if timeout is None else timeout
    lock = output_lock(out_dir)
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        raise OutputLocked(
            f"another pipeline run is writing to {out_dir} (it holds {out_dir / LOCK_NAME}) and did not "
            f"finish within {wait:g}s: wait for it, or use another --out folder "
            f"(set {LOCK_TIMEOUT_ENV}=SECONDS to wait longer)"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    """Make renames and new entries in a directory durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories; the data files are synced anyway
    finally:
        os.close(fd)


def _mark_complete(staging: Path) -> None:
    """Flush every staged file, then mark the generation complete (the roll-forward point)."""
    for item in staging.iterdir():
        _fsync_file(item)
    marker = staging / COMPLETE_MARKER
    marker.write_text("complete\n", encoding="ascii")
    _fsync_file(marker)
    _fsync_dir(staging)


def _swap(staging: Path, out_dir: Path) -> list[Path]:
    """Move every staged file over its counterpart in ``out_dir``; the marker goes last."""
    stale_wal = out_dir / (DB_NAME + ".wal")
    if (staging / DB_NAME).exists() and stale_wal.exists():
        # a WAL left by a crashed session belongs to the old database file; DuckDB would
        # replay it into the new one
        stale_wal.unlink()
    written = []
    for item in sorted(staging.iterdir()):
        if item.name.startswith("."):  # the complete marker and the owner's lock are not outputs
            continue
        target = out_dir / item.name
        os.replace(item, target)
        written.append(target)
    _fsync_dir(out_dir)
    return written


def _in_use(staging: Path) -> bool:
    """True while a live run holds ``staging``'s owner lock (a dead run's lock is released by the kernel)."""
    owner = staging / OWNER_LOCK
    if not owner.exists():
        return False
    lock = FileLock(str(owner))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def recover_outputs(out_dir: Path) -> list[str]:
    """Finish or discard what a killed run left in ``out_dir``; call with the lock held.

    A staging folder marked complete was killed during its swap: its remaining files are
    moved into place so the set is one generation again. Any other staging folder was killed
    while writing, before anything was replaced: it is deleted. Returns what was done, e.g.
    ``["rolled forward .staging-ab12cd"]``.
    """
    done = []
    for staging in sorted(out_dir.glob(STAGING_PREFIX + "*")):
        if not staging.is_dir() or _in_use(staging):
            continue
        if (staging / COMPLETE_MARKER).exists():
            _swap(staging, out_dir)
            done.append(f"rolled forward {staging.name}")
        else:
            done.append(f"removed {staging.name}")
        shutil.rmtree(staging, ignore_errors=True)
    return done


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
