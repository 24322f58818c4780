"""What a generation of outputs was made from, file by file: so that the next run redoes only what changed.

A run that publishes a generation also writes its *ledger*, ``OUT/.cache/ledger-SIGNATURE.pickle``
(the first 16 hex digits of the run's signature, :func:`pipeline.runner.cache.run_signature`):
for every file of the raw folder, in order, its cache key, its notice id, whether it became a
notice or an ``errors`` row (and which), the digest the duplicate check compares
(:func:`pipeline.runner.engine.content_digest`) and whether it was published; for every published
notice, the ``errors`` rows its validation and its corrections gave. With it and the published
Parquet files, a run where k files changed extracts and validates those k, takes every other
notice's rows from the previous tables as they are, and rebuilds the ``errors`` table exactly as a
run from scratch would (:mod:`pipeline.publish.merge`).

The ledger is written before the generation is marked complete and found through the stamp,
which is written last (:mod:`pipeline.publish.swap`): a ledger is only ever used beside the
generation it describes. It is used only when everything else a notice's rows depend on is
unchanged — the pipeline's code (every file's key holds its fingerprint, but a changed
fingerprint changes every file, so the run starts from scratch at once), the per-file budget,
``corrections.csv``, the table schemas, the batch size — and when the Parquet files it would read
are those the stamp lists (size and modification time). Anything else, and the run publishes
from scratch (from the extraction cache), as before.

Pickle, like the extraction cache beside it (:mod:`pipeline.runner.cache`): plain rows this
program wrote into its own output folder; a ledger that cannot be read is not used.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.runner.cache import CACHE_DIR, read_stamp

log = logging.getLogger(__name__)

LEDGER_VERSION = 1
LEDGER_PREFIX = "ledger-"
LEDGER_SUFFIX = ".pickle"

# What a file's outcome was.
NOTICE = "notice"  # it was read and extracted (``accepted``: published; else a duplicate of an earlier file)
ERROR = "error"  # it gave an errors row (unreadable, refused, over its budget): ``error``
ONCE = "once"  # an outcome that is never reused (the file could not be opened, or changed while read)


@dataclass(slots=True)
class FileRecord:
    """One file of the raw folder as the run saw it: ``FileRecord("xian.txt", key, "3f9a…", NOTICE, …)``."""

    rel: str
    key: str  # the cache key; empty when the file could not be hashed
    nid: str  # notice id (first 16 hex digits of the bytes' SHA-256); empty when unknown
    kind: str  # NOTICE, ERROR or ONCE
    error: dict | None = None  # the errors row of an ERROR file
    digest: bytes | None = None  # the duplicate check's digest of a NOTICE file
    accepted: bool = False  # a NOTICE that was published (not a duplicate)


@dataclass
class Ledger:
    """A generation's ledger: the run's ``signature`` and ``context``, its files in order, and the
    errors rows of each published notice's validation and corrections (by notice id)."""

    signature: str
    context: dict[str, Any]
    files: list[FileRecord] = field(default_factory=list)
    validation: dict[str, list[dict]] = field(default_factory=dict)
    corrections: dict[str, list[dict]] = field(default_factory=dict)
    # per contract table, the bytes of each published notice's rows in its CSV file, in file order
    # (an incremental run copies a kept notice's rows from the previous file instead of writing them)
    csv_lengths: dict[str, Any] = field(default_factory=dict)

    def accepted(self) -> list[str]:
        """The published notices' ids, in file order."""
        return [r.nid for r in self.files if r.accepted]

    def by_rel(self) -> dict[str, FileRecord]:
        return {r.rel: r for r in self.files}


def ledger_path(out_dir: Path, signature: str) -> Path:
    return out_dir / CACHE_DIR / f"{LEDGER_PREFIX}{signature[:16]}{LEDGER_SUFFIX}"


def save_ledger(out_dir: Path, ledger: Ledger) -> Path | None:
    """Write ``ledger`` for the generation about to be published (atomically); None when it cannot be
    (no signature: an unreadable file; a full disk): the next run then starts from scratch."""
    if not ledger.signature:
        return None
    from pipeline.runner.atomic import atomic_write_bytes

    path = ledger_path(out_dir, ledger.signature)
    try:
        return atomic_write_bytes(path, pickle.dumps((LEDGER_VERSION, ledger), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.debug("ledger %s not written (%s): the next run publishes from scratch", path, exc)
        return None


def forget_other_ledgers(out_dir: Path, signature: str) -> None:
    """Delete the ledgers of earlier generations (once the stamp names this one)."""
    keep = ledger_path(out_dir, signature).name if signature else ""
    try:
        for path in (out_dir / CACHE_DIR).glob(f"{LEDGER_PREFIX}*{LEDGER_SUFFIX}"):
            if path.name != keep:
                path.unlink(missing_ok=True)
    except OSError:
        pass


def previous_ledger(out_dir: Path, context: dict[str, Any], tables: list[str]) -> Ledger | None:
    """The ledger of the generation now in ``out_dir``, when a run with ``context`` may build on it:
    the stamp names it, it was made under the same ``context``, and the Parquet and CSV files of
    ``tables`` (the ones the next generation is built from) are as the stamp recorded them. Else None."""
    from pipeline.runner.cache import _file_state

    body = read_stamp(out_dir)
    if body is None or not body.get("signature"):
        return None
    files = body.get("files") or {}
    try:
        for name in (f"{t}.{ext}" for t in tables for ext in ("parquet", "csv")):
            entry = files.get(name)
            if entry is None or _file_state(out_dir / name) != entry["state"]:
                return None
    except (OSError, KeyError, TypeError):
        return None
    path = ledger_path(out_dir, body["signature"])
    try:
        version, ledger = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if version != LEDGER_VERSION or not isinstance(ledger, Ledger) or ledger.signature != body["signature"]:
        return None
    if ledger.context != context:
        return None
    return ledger
