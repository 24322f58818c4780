"""Validate and load a run a batch of notices at a time, so its memory does not grow with the corpus.

``run`` hands every accepted notice to a :class:`BatchSink`. Every ``batch_size`` notices the
sink validates their rows (:func:`pipeline.validate.validate_tables`: a failing notice's rows
go to ``errors``, the others stay) and appends them to the load stage's
:class:`pipeline.publish.tables.Generation`; :meth:`BatchSink.commit` writes the ``errors`` table and
moves the outputs into place. Validation and writing happen in a thread of the main process
(:class:`_BatchWriter`), so that the loop handing files to the extraction workers never stops for
a batch: the workers are never left without a file while a batch is written.

A run that builds on the previous generation (:mod:`pipeline.runner.ledger`) calls
:meth:`BatchSink.start_incremental` first; then every notice whose file is unchanged is *kept*
(:meth:`BatchSink.keep`: its rows stay as published) and only the others are added. Their rows are
validated (their ``errors`` rows are their own: validation is per notice) and written aside; at the
commit each table is the previous one's kept rows and the new ones merged in the raw folder's
order (:mod:`pipeline.publish.merge`), and the events of the places they touch are clustered again.

The validation and load modules (pandas, pandera, pyarrow, DuckDB) are imported at the first
batch, after the workers have been forked, so the workers do not carry them.
"""

from __future__ import annotations

import queue
import threading
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.extract import TABLE_KEYS

if TYPE_CHECKING:
    from pipeline.extract import Extraction
    from pipeline.publish.tables import Derive, Generation
    from pipeline.runner.helper import Helper
    from pipeline.runner.ledger import Ledger

# The tables a notice has rows in (all but errors, which is rebuilt by every run)
TABLE_NAMES = ("notices", "outage_windows", "guidance", "contacts", "repairs")

# Notices per batch: large enough that pandera's fixed cost per call is spread thin, small
# enough that a batch's rows, frames and Arrow tables stay a few tens of MB (≈ 40,000 rows).
BATCH_SIZE = 2000


class NotIncremental(Exception):
    """The previous generation cannot be built on after all (two notices of one batch both have errors
    rows of validation: their order in ``errors`` is the batch's, which only validating the batch
    again gives); the run publishes from scratch instead."""


class _BatchWriter(threading.Thread):
    """A thread that validates and writes the batches it is given, in order (``write(*job)``).

    The queue holds at most one batch besides the one being written (a batch of rows is tens of
    MB): if writing falls behind, the run waits rather than holding the corpus in memory. An
    exception (a full disk) is kept and raised in the run's own thread at the next batch or at
    :meth:`finish`.
    """

    def __init__(self, write: Any) -> None:
        super().__init__(name="ybcutover-batch-writer", daemon=True)
        self.write = write
        self.jobs: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.stopping = False

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is None and not self.stopping:
                try:
                    self.write(*job)
                except BaseException as exc:  # raised again in the run's thread
                    self.error = exc

    def put(self, job: tuple) -> None:
        self.raise_error()
        self.jobs.put(job)

    def raise_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            self.stopping = True
            raise error

    def finish(self) -> None:
        """Wait for every batch given so far to be written; raise what went wrong."""
        self.jobs.put(None)
        self.join()
        self.raise_error()

    def stop(self) -> None:
        """Abandon the batches not written yet (a run that is stopping) and wait for the current one."""
        self.stopping = True
        try:
            while True:
                self.jobs.get_nowait()
        except queue.Empty:
            pass
        try:
            self.jobs.put_nowait(None)
        except queue.Full:
            pass
        self.join(timeout=120)


class BatchSink:
    """Accepted notices → validated batches → ``out_dir``'s next generation of outputs.

    ``sink = BatchSink(Path("outputs")); sink.add(nid, "xian.txt", extraction); …;
    rows, errors = sink.commit(read_errors, stamp)``. ``discard()`` abandons the generation.
    With ``derive`` (``lambda staging: pipeline.publish.derive(staging, out_dir, raw_dir)``),
    the report, workbook and data package are made in the staging folder and published with
    the tables; :attr:`problems` then names any that could not be.
    """

    def __init__(self, out_dir: Path, batch_size: int | None = None, derive: Derive | None = None,
                 background: bool = True) -> None:
        self.out_dir = out_dir
        self.batch_size = batch_size or BATCH_SIZE
        # makes the report, workbook and data package in the staging folder (pipeline.publish.derive)
        self.derive = derive
        self.background = background  # batches written by a thread of their own (see _BatchWriter)
        self.problems: dict[str, str] = {}  # derived files that could not be written, after commit
        self.validation_errors: list[dict] = []
        self.validation: dict[str, list[dict]] = {}  # notice id → its validation errors rows (the ledger's)
        self.accepted: list[str] = []  # every published notice's id, in the raw folder's order
        self._rows: dict[str, list[dict]] = {k: [] for k in TABLE_KEYS}
        self._source_of: dict[str, str] = {}
        self._generation: Generation | None = None
        self._writer: _BatchWriter | None = None
        self.previous: Ledger | None = None  # the generation an incremental run builds on
        self._kept: set[str] = set()
        self._rank: dict[str, int] = {}  # position of each published notice (incremental runs only)
        # per table, the bytes of each published notice's rows in its CSV file, in order (the ledger's)
        self.csv_lengths: dict[str, array] = {name: array("Q") for name in TABLE_NAMES}
        self._fresh_files: dict[str, Any] = {}  # table → ParquetWriter of fresh rows (incremental)
        self.committed = False  # True once the generation is in place
        self.helper: Helper | None = None  # the run's helper process (pipeline.runner.helper), when it has one

    def ledger_context(self) -> dict[str, Any]:
        """What a ledger's notices' rows depend on besides the run's (the batch size orders ``errors``)."""
        return {"batch_size": self.batch_size}

    def start_incremental(self, previous: Ledger) -> None:
        """Build on the generation ``previous`` describes (called before the first notice)."""
        self.previous = previous

    def keep(self, nid: str, rel: str) -> None:
        """A published notice whose file is unchanged: its rows stay as the previous generation has them."""
        assert self.previous is not None, "keep() is for a run that builds on the previous generation"
        self._rank[nid] = len(self.accepted)
        self.accepted.append(nid)
        self._kept.add(nid)
        errors = self.previous.validation.get(nid)
        if errors:
            self.validation[nid] = errors

    def add(self, nid: str, rel: str, extraction: Extraction) -> None:
        """Keep one notice's rows; validate and write them when the batch is full."""
        if self.previous is not None:
            self._rank[nid] = len(self.accepted)
        self.accepted.append(nid)
        self._source_of[nid] = rel
        extraction.add_to(self._rows)
        if len(self._source_of) >= self.batch_size:
            self.flush(wait=False)

    def _open(self) -> Generation:
        if self._generation is None:
            from pipeline.publish.tables import Generation

            self._generation = Generation(self.out_dir)
        return self._generation

    def flush(self, wait: bool = True) -> None:
        """Validate the pending notices and append their valid rows to the outputs (with ``wait``,
        once every batch so far is written)."""
        self._open()
        if self._source_of:
            job = (self._rows, self._source_of)
            self._rows, self._source_of = {k: [] for k in TABLE_KEYS}, {}
            if not self.background:
                self._write(*job)
            else:
                if self._writer is None:
                    self._writer = _BatchWriter(self._write)
                    self._writer.start()
                self._writer.put(job)
        if wait and self._writer is not None:
            writer, self._writer = self._writer, None
            writer.finish()

    def _write(self, rows: dict[str, list[dict]], source_of: dict[str, str]) -> None:
        """One batch: validated, its errors rows kept (by notice too), its rows written — to the tables
        themselves, or aside (an incremental run's fresh rows, merged at the commit)."""
        from pipeline.validate import validate_tables

        frames, errors = validate_tables(rows, source_of)
        self.validation_errors.extend(errors)
        nid_of = {rel: nid for nid, rel in source_of.items()}
        for e in errors:
            nid = nid_of.get(e["source_file"])
            if nid is not None:
                self.validation.setdefault(nid, []).append(e)
        generation = self._open()
        if self.previous is None:
            lengths = generation.append(frames)
            for name in list(self.csv_lengths):  # each notice's bytes in each CSV file, in order (the ledger's)
                by_notice = lengths.get(name, {})
                if by_notice is None:  # not known: the next run writes this table's CSV whole
                    del self.csv_lengths[name]
                else:
                    self.csv_lengths[name].extend(by_notice.get(nid, 0) for nid in source_of)
        else:
            self._write_fresh(frames)

    def _write_fresh(self, frames: dict) -> None:
        import pyarrow.parquet as pq

        from pipeline.publish.merge import RANK, with_rank
        from pipeline.publish.tables import arrow_schema, to_arrow

        generation = self._open()
        for name, frame in frames.items():
            if not len(frame):
                continue
            specs = generation.specs(name)
            table = with_rank(to_arrow(frame, specs), self._rank)
            if name not in self._fresh_files:
                import pyarrow as pa

                schema = arrow_schema(specs).append(pa.field(RANK, pa.int64(), nullable=False))
                self._fresh_files[name] = pq.ParquetWriter(generation.staging / f".fresh-{name}.parquet", schema)
            self._fresh_files[name].write_table(table)

    def commit(self, read_errors: list[dict], stamp: str | None, ledger: Ledger | None = None) -> tuple[dict[str, int], list[dict]]:
        """Write the last batch and ``errors``, move the outputs into place; rows per table and every error row.

        ``errors`` lists the files that could not be read or extracted (``read_errors``, in file
        order) and then the notices validation dropped, as a run without batches did. ``ledger`` (the
        run's files: :class:`pipeline.runner.ledger.Ledger`) gets the notices' validation errors and is
        written with the generation. Raises :class:`NotIncremental` when an incremental run cannot
        give the tables a run from scratch would (nothing was published then).
        """
        self.flush()
        from pipeline.validate import to_frame
        from schemas.tables import ErrorsSchema

        generation = self._open()
        events = None
        if self.previous is not None:
            validation_errors = self._incremental_errors()
            self._merge(generation)
            removed = [r.nid for r in self.previous.files if r.accepted and r.nid not in self._kept]
            fresh = [nid for nid in self.accepted if nid not in self._kept]
            from pipeline.publish.merge import write_events

            events = (write_events, (self.out_dir, removed, fresh))
        else:
            validation_errors = self.validation_errors
        errors = read_errors + validation_errors
        generation.append({"errors": ErrorsSchema.validate(to_frame("errors", errors))})
        if ledger is not None:
            ledger.validation = {nid: self.validation[nid] for nid in self.accepted if nid in self.validation}
            ledger.csv_lengths = {name: lengths for name, lengths in self.csv_lengths.items()
                                  if len(lengths) == len(self.accepted)}
        try:
            generation.commit(stamp, derive=self.derive, events=events, ledger=ledger, helper=self.helper)
        finally:
            self.problems = dict(generation.problems)
            self.committed = generation.committed
        return dict(generation.rows), errors

    def _incremental_errors(self) -> list[dict]:
        """The validation errors rows in the order a run from scratch gives them: batch by batch (of
        ``batch_size`` published notices), each notice's rows in order. Exact when no batch holds two
        notices with such rows; :class:`NotIncremental` otherwise (rare: a run from scratch then)."""
        out: list[dict] = []
        for start in range(0, len(self.accepted), self.batch_size):
            batch = [nid for nid in self.accepted[start:start + self.batch_size] if nid in self.validation]
            if len(batch) > 1:
                raise NotIncremental(f"{len(batch)} notices of one batch have validation errors")
            for nid in batch:
                out.extend(self.validation[nid])
        return out

    def _merge(self, generation: Generation) -> None:
        """Every contract table but ``errors``: the kept rows and the fresh ones, in order (pipeline.publish.merge).

        The Parquet files are merged row group by row group; the CSV files are spliced: a run of kept
        notices is copied from the previous file as bytes (the ledger knows each notice's bytes),
        only the fresh notices' rows are written.
        """
        import pyarrow as pa

        from pipeline.publish.merge import fresh_lines, merged, splice_csv
        from pipeline.publish.tables import arrow_schema

        assert self.previous is not None
        for writer in self._fresh_files.values():
            writer.close()
        ranks = [(nid, i) for i, nid in enumerate(self.accepted) if nid in self._kept]
        kept_ids = pa.array([nid for nid, _ in ranks], pa.string())
        kept_ranks = pa.array([i for _, i in ranks], pa.int64())
        old_accepted = self.previous.accepted()
        for name in generation.table_names():
            if name == "errors":
                continue
            fresh = generation.staging / f".fresh-{name}.parquet"
            old_lengths = self.previous.csv_lengths.get(name)
            splice = name in self.csv_lengths and old_lengths is not None and len(old_lengths) == len(old_accepted)
            for table in merged(self.out_dir / f"{name}.parquet", fresh, kept_ids, kept_ranks,
                                arrow_schema(generation.specs(name))):
                generation.append_arrow(name, table, csv=not splice)
            if splice:
                new_lines = fresh_lines(fresh, generation.specs(name))
                self.csv_lengths[name] = splice_csv(
                    generation.csv_file(name), self.out_dir / f"{name}.csv", old_accepted, old_lengths,
                    self.accepted, self._kept, new_lines)
            fresh.unlink(missing_ok=True)

    def discard(self) -> None:
        """Abandon the outputs being written (nothing outside the staging folder changed)."""
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        for writer in self._fresh_files.values():
            try:
                writer.close()
            except Exception:  # a half-written file in a staging folder that is deleted next
                pass
        self._fresh_files = {}
        if self._generation is not None:
            self._generation.discard()
