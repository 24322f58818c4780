"""Validate and load a run a batch of notices at a time, so its memory does not grow with the corpus.

``run`` hands every accepted notice to a :class:`BatchSink`. Every ``batch_size`` notices the
sink validates their rows (:func:`pipeline.validate.validate_tables`: a failing notice's rows
go to ``errors``, the others stay) and appends them to the load stage's
:class:`pipeline.publish.tables.Generation`; :meth:`BatchSink.commit` writes the ``errors`` table and
moves the outputs into place. Validation and writing happen in the main process while the
extraction workers go on.

The validation and load modules (pandas, pandera, pyarrow, DuckDB) are imported at the first
batch, after the workers have been forked, so the workers do not carry them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.extract import TABLE_KEYS

if TYPE_CHECKING:
    from pipeline.extract import Extraction
    from pipeline.publish.tables import Derive, Generation

# Notices per batch: large enough that pandera's fixed cost per call is spread thin, small
# enough that a batch's rows, frames and Arrow tables stay a few tens of MB (≈ 40,000 rows).
BATCH_SIZE = 2000


class BatchSink:
    """Accepted notices → validated batches → ``out_dir``'s next generation of outputs.

    ``sink = BatchSink(Path("outputs")); sink.add(nid, "xian.txt", extraction); …;
    rows, errors = sink.commit(read_errors, stamp)``. ``discard()`` abandons the generation.
    With ``derive`` (``lambda staging: pipeline.publish.derive(staging, out_dir, raw_dir)``),
    the report, workbook and data package are made in the staging folder and published with
    the tables; :attr:`problems` then names any that could not be.
    """

    def __init__(self, out_dir: Path, batch_size: int | None = None, derive: Derive | None = None) -> None:
        self.out_dir = out_dir
        self.batch_size = batch_size or BATCH_SIZE
        # makes the report, workbook and data package in the staging folder (pipeline.publish.derive)
        self.derive = derive
        self.problems: dict[str, str] = {}  # derived files that could not be written, after commit
        self.validation_errors: list[dict] = []
        self._rows: dict[str, list[dict]] = {k: [] for k in TABLE_KEYS}
        self._source_of: dict[str, str] = {}
        self._generation: Generation | None = None
        self.committed = False  # True once the generation is in place

    def add(self, nid: str, rel: str, extraction: Extraction) -> None:
        """Keep one notice's rows; validate and write them when the batch is full."""
        self._source_of[nid] = rel
        extraction.add_to(self._rows)
        if len(self._source_of) >= self.batch_size:
            self.flush()

    def _open(self) -> Generation:
        if self._generation is None:
            from pipeline.publish.tables import Generation

            self._generation = Generation(self.out_dir)
        return self._generation

    def flush(self) -> None:
        """Validate the pending notices and append their valid rows to the outputs."""
        generation = self._open()
        if not self._source_of:
            return
        from pipeline.validate import validate_tables

        frames, errors = validate_tables(self._rows, self._source_of)
        self.validation_errors.extend(errors)
        generation.append(frames)
        self._rows = {k: [] for k in TABLE_KEYS}
        self._source_of = {}

    def commit(self, read_errors: list[dict], stamp: str | None) -> tuple[dict[str, int], list[dict]]:
        """Write the last batch and ``errors``, move the outputs into place; rows per table and every error row.

        ``errors`` lists the files that could not be read or extracted (``read_errors``, in file
        order) and then the notices validation dropped, as a run without batches did.
        """
        self.flush()
        from pipeline.validate import to_frame
        from schemas.tables import ErrorsSchema

        errors = read_errors + self.validation_errors
        generation = self._open()
        generation.append({"errors": ErrorsSchema.validate(to_frame("errors", errors))})
        try:
            generation.commit(stamp, derive=self.derive)
        finally:
            self.problems = dict(generation.problems)
            self.committed = generation.committed
        return dict(generation.rows), errors

    def discard(self) -> None:
        """Abandon the outputs being written (nothing outside the staging folder changed)."""
        if self._generation is not None:
            self._generation.discard()
