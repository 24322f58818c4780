"""Crash safety of the output folder: one run at a time, and generations that replace each other whole.

A generation of outputs — six tables as Parquet and CSV, ``notices.duckdb``, ``report.html``,
``notices.xlsx``, ``datapackage.json`` — is written whole into ``OUT/.staging-XXXX``
(:class:`pipeline.publish.tables.Generation`), flushed to disk and hashed, marked complete
(``.complete``, which lists the files, their hashes and any file of the previous generation to
delete), and only then moved over the old files with ``os.replace``, one quick loop, after
which the stamp (``OUT/.cache/outputs.json``, :mod:`pipeline.runner.cache`) is written last.
Each file is replaced atomically, so a reader always opens a whole file. What is not atomic is
the set: a SIGKILL *inside* the loop (it takes about a millisecond; SIGINT and SIGTERM are held
back until it is done, :func:`pipeline.runner.signals.deferred`) leaves some files new and some
old. The complete-marker makes that recoverable: every run, first thing (:func:`tidy_outputs`),
finishes any swap that was marked complete (roll forward, stamp included) and deletes any
staging folder that was not, and any temporary file a killed writer left.

Light on purpose (no pandas, pyarrow or DuckDB): a run with nothing to do tidies the folder too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.runner.atomic import TEMP_SUFFIX, remove_stale_temporaries
from pipeline.runner.cache import CACHE_DIR, LOCK_NAME, write_stamp

STAGING_PREFIX = ".staging-"
COMPLETE_MARKER = ".complete"
OWNER_LOCK = ".owner.lock"  # held by the run writing a staging folder
LOCK_TIMEOUT_ENV = "PIPELINE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0

__all__ = [
    "COMPLETE_MARKER", "DEFAULT_LOCK_TIMEOUT", "LOCK_NAME", "LOCK_TIMEOUT_ENV", "OWNER_LOCK", "STAGING_PREFIX",
    "OutputLocked", "flush_and_hash", "in_use", "lock_timeout", "locked_outputs", "mark_complete", "output_lock",
    "recover_outputs", "swap", "tidy_outputs",
]

if TYPE_CHECKING:
    from filelock import FileLock

# filelock is imported where a lock is taken: it pulls in asyncio (40 ms), and a run with nothing
# to do takes no lock (see tidy_needed).

_LOCKS: dict[Path, FileLock] = {}


class OutputLocked(OSError):
    """Another run holds the output folder's lock and did not release it in time."""


def output_lock(out_dir: Path) -> FileLock:
    """The lock of one output folder (``OUT/.pipeline.lock``), one object per folder and process.

    Reusing the object makes the lock re-entrant within a process: a caller that holds it can
    call :func:`pipeline.publish.tables.write_outputs`, which takes it again, without
    deadlocking on itself.
    """
    from filelock import FileLock

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
    from filelock import Timeout

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


def flush_and_hash(staging: Path) -> dict[str, str]:
    """Flush every staged output to disk and return its SHA-256 by name (dot-files are not outputs).

    One read per file, while it is still in the page cache: the hashes go into the stamp, so a
    consumer can check that the files beside each other are one generation.
    """
    hashes = {}
    for item in sorted(staging.iterdir()):
        if item.name.startswith(".") or not item.is_file():
            continue
        h = hashlib.sha256()
        with item.open("rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
            os.fsync(f.fileno())
        hashes[item.name] = h.hexdigest()
    return hashes


def mark_complete(staging: Path, hashes: dict[str, str], retire: Iterable[str] = (), signature: str = "",
                  complete: bool = True) -> None:
    """Mark the generation complete (the roll-forward point), with what a roll-forward needs:
    its files and their hashes, the names of the previous generation's files to delete (a
    derived file this generation could not make must not stay behind, older than the tables),
    and the run's signature and completeness for the stamp."""
    marker = staging / COMPLETE_MARKER
    body = {"files": hashes, "retire": sorted(retire), "signature": signature, "complete": complete}
    with marker.open("w", encoding="utf-8") as f:
        json.dump(body, f, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(staging)


def _read_marker(staging: Path) -> dict:
    try:
        body = json.loads((staging / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        body = None
    return body if isinstance(body, dict) else {}


def swap(staging: Path, out_dir: Path, retire: Iterable[str] = ()) -> list[Path]:
    """Move every staged file over its counterpart in ``out_dir`` and delete the ``retire`` files;
    return the files of the generation now in ``out_dir``.

    Files go in name order, so a table's Parquet and CSV files are moved one after the other.
    Files already moved (a roll-forward after a kill inside this loop) are counted, not moved again.
    """
    stale_wal = out_dir / "notices.duckdb.wal"
    if (staging / "notices.duckdb").exists() and stale_wal.exists():
        # a WAL left by a crashed session belongs to the old database file; DuckDB would
        # replay it into the new one
        stale_wal.unlink()
    for item in sorted(staging.iterdir()):
        if item.name.startswith(".") or not item.is_file():  # the marker, the owner's lock, spill folders
            continue
        os.replace(item, out_dir / item.name)
    for name in retire:
        (out_dir / name).unlink(missing_ok=True)
    _fsync_dir(out_dir)
    names = _read_marker(staging).get("files") or {}
    return [out_dir / name for name in sorted(names) if (out_dir / name).exists()]


def in_use(staging: Path) -> bool:
    """True while a live run holds ``staging``'s owner lock (a dead run's lock is released by the kernel)."""
    from filelock import FileLock, Timeout

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
    moved into place and its stamp written, so the set is one generation again. Any other
    staging folder was killed while writing, before anything was replaced: it is deleted.
    Returns what was done, e.g. ``["rolled forward .staging-ab12cd"]``.
    """
    done = []
    for staging in sorted(out_dir.glob(STAGING_PREFIX + "*")):
        if not staging.is_dir() or in_use(staging):
            continue
        if (staging / COMPLETE_MARKER).exists():
            marker = _read_marker(staging)
            written = swap(staging, out_dir, marker.get("retire") or ())
            if marker.get("signature"):
                try:
                    write_stamp(out_dir, marker["signature"], written, marker.get("files") or {},
                                complete=bool(marker.get("complete")))
                except OSError:
                    pass  # no stamp (a full disk): the next run rebuilds instead of skipping, nothing worse
            done.append(f"rolled forward {staging.name}")
        else:
            done.append(f"removed {staging.name}")
        shutil.rmtree(staging, ignore_errors=True)
    return done


def tidy_needed(out_dir: Path) -> bool:
    """Is there anything for :func:`tidy_outputs` to do — a staging folder, a temporary file?
    One directory listing each for the folder and its cache, without a lock."""
    for folder in (out_dir, out_dir / CACHE_DIR):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if any(n.startswith(STAGING_PREFIX) or (n.startswith(".") and n.endswith(TEMP_SUFFIX)) for n in names):
            return True
    return False


def tidy_outputs(out_dir: Path) -> list[str]:
    """What every run does first, with the lock held: :func:`recover_outputs`, then delete the
    temporary files writers that were killed left (``.report.html.XXXX.tmp``, the stamp's)."""
    done = recover_outputs(out_dir)
    for folder in (out_dir, out_dir / CACHE_DIR):
        done += [f"removed {name}" for name in remove_stale_temporaries(folder)]
    return done
