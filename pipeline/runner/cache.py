"""Extraction cache: skip reading and extracting a file whose result is already known.

One SQLite file, ``OUT/.cache/extractions.sqlite``, maps a key to the pickled outcome of
:func:`pipeline.runner.engine.process_file` (an :class:`~pipeline.extract.Extraction` or an error row).
The key covers everything the outcome depends on:

- the raw bytes (SHA-256),
- the file's path relative to the raw folder (it is written into ``notices.source_file``, and
  its suffix breaks ties when the format is sniffed),
- the manifest hints for the file,
- the pipeline fingerprint: ``pipeline.__version__``, a hash of the pipeline's own source
  and vocabulary files, and the versions of the libraries that shape extraction — so any code
  change invalidates every entry without anyone having to remember to bump a version.

Why SQLite rather than one JSON file per entry: 10,000 small files are slow to write and to
delete, JSON would lose ``date``/``datetime`` types (output must be identical with and without
the cache), and SQLite is crash-safe by itself — a run killed mid-write leaves the last
committed entries, never a torn file. Why pickle: the values are plain rows of builtins and
dates that this program wrote itself into its own output folder; an entry that fails to
unpickle is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import astuple
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pipeline
from pipeline.extract import SourceHints

CACHE_DIR = ".cache"
CACHE_FILE = "extractions.sqlite"

# Libraries whose upgrade can change what is extracted (decoding, parsing, phone validation,
# traditional→simplified, the gazetteer).
_LIBRARIES = (
    "ahocorasick-rs",
    "beautifulsoup4",
    "charset-normalizer",
    "cpca",
    "lunardate",
    "lxml",
    "numpy",  # the guidance classifier's arithmetic (its weights are package data, fingerprinted as data/)
    "opencc-python-reimplemented",
    "pdfplumber",
    "phonenumbers",
    "python-docx",
)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the package this module (pipeline/runner/) fingerprints


def _library_versions() -> str:
    """``"beautifulsoup4=4.12.3;charset-normalizer=3.4.0;…"`` (``?`` for one not installed)."""
    parts = []
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=?")
    return ";".join(parts)


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """A hash of everything in this program that decides an extraction's result.

    Covers ``pipeline.__version__``, every ``.py`` and vocabulary data file of the package
    (by relative path and content) and the versions in ``_LIBRARIES``. Editing one character
    of ``pipeline/extract/timeexpr.py`` changes it. Returns 16 hex digits, e.g. ``"3f9a0c…"``.
    """
    h = hashlib.sha256()
    h.update(f"version={pipeline.__version__}\n".encode())
    h.update(_library_versions().encode())
    for path in sorted(_PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(_PACKAGE_DIR)
        if not path.is_file() or "__pycache__" in rel.parts or not (path.suffix == ".py" or "data" in rel.parts):
            continue
        h.update(rel.as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def cache_key(data_sha256: str, rel: str, hints: SourceHints, fingerprint: str | None = None) -> str:
    """The cache key of one file: bytes, relative path, manifest hints and pipeline fingerprint.

    ``cache_key("ab"*32, "x.txt", SourceHints())`` → a 64-hex-digit string that changes when
    any of the four changes.
    """
    fp = fingerprint or pipeline_fingerprint()
    hint_text = repr(astuple(hints))  # SourceHints is a frozen dataclass of str/date/None
    return hashlib.sha256(f"{fp}\0{data_sha256}\0{rel}\0{hint_text}".encode()).hexdigest()


class ExtractionCache:
    """Outcomes of ``process_file`` by :func:`cache_key`, in ``OUT/.cache/extractions.sqlite``.

    >>> import tempfile
    >>> cache = ExtractionCache(Path(tempfile.mkdtemp()) / ".cache")
    >>> cache.get("0" * 64) is None
    True
    >>> cache.close()

    Puts are batched and committed every ``commit_every`` entries, so a run killed halfway
    keeps the work it did (each entry is complete by itself).
    """

    def __init__(self, directory: Path, commit_every: int = 200) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / CACHE_FILE
        self.commit_every = commit_every
        self._pending = 0
        self._con = self._open()
        self.broken = False  # set when a write failed: the cache is then only read
        self.hits = 0
        self.misses = 0

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            # a cache that is not a database (disk trouble, a stray file): it only saves time,
            # so start a new one rather than fail the run
            self.path.unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("CREATE TABLE IF NOT EXISTS outcome (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        con.commit()
        return con

    def get(self, key: str) -> Any | None:
        """The stored outcome for ``key``, or ``None`` (also for an entry that cannot be read)."""
        try:
            row = self._con.execute("SELECT value FROM outcome WHERE key = ?", (key,)).fetchone()
            value = pickle.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            value = None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def keys(self) -> set[str]:
        """Every key with a stored outcome (the outcomes themselves stay on disk until :meth:`get`)."""
        try:
            return {k for (k,) in self._con.execute("SELECT key FROM outcome")}
        except sqlite3.DatabaseError:
            return set()

    def put(self, key: str, outcome: Any) -> None:
        """Store one outcome; committed in batches (see the class docstring).

        A cache that cannot be written any more (a full disk, a read-only folder) is switched
        off with one warning: it only saves time, and the run must go on.
        """
        if self.broken:
            return
        self.put_pickled(key, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, key: str, blob: bytes) -> None:
        """:meth:`put` for an outcome already pickled (by the worker that computed it)."""
        if self.broken:
            return
        try:
            self._con.execute("INSERT OR REPLACE INTO outcome (key, value) VALUES (?, ?)", (key, blob))
        except sqlite3.Error as exc:
            self._break(exc)
            return
        self._pending += 1
        if self._pending >= self.commit_every:
            self.commit()

    def _break(self, exc: Exception) -> None:
        """Stop writing the cache after ``exc``; say so once, on stderr."""
        if not self.broken:
            print(f"warning: extraction cache {self.path} cannot be written ({exc}): going on without it",
                  file=sys.stderr)
        self.broken = True
        try:
            self._con.rollback()
        except sqlite3.Error:
            pass

    def commit(self) -> None:
        if self.broken:
            return
        try:
            self._con.commit()
        except sqlite3.Error as exc:
            self._break(exc)
        self._pending = 0

    def retain(self, keys: Iterable[str]) -> int:
        """Delete every entry not in ``keys`` (files gone from the raw folder, older code).

        The cache then mirrors the outputs next to it and does not grow run after run.
        Returns the number of entries deleted (0 when the cache cannot be written).
        """
        self.commit()
        if self.broken:
            return 0
        con = self._con
        try:
            con.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            con.execute("DELETE FROM keep")
            con.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in keys))
            deleted = con.execute("DELETE FROM outcome WHERE key NOT IN (SELECT key FROM keep)").rowcount
            con.execute("DELETE FROM keep")
            con.commit()
        except sqlite3.Error as exc:
            self._break(exc)
            return 0
        return deleted

    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM outcome").fetchone()[0])

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self._con.close()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- up-to-date outputs ------------------------------------------------------------------
#
# A re-run with nothing changed should not validate and rewrite every file either. When a run has
# moved a generation into place it leaves a stamp (OUT/.cache/outputs.json), written last: the
# run's signature, whether the generation is complete (every table in every format, the
# database, the workbook, the report, the data package), and for each file its SHA-256, size and
# mtime. A run whose signature is the same, with a complete stamp and every file still as
# written, has nothing to do; anything else (a file deleted or edited by hand, a report that
# could not be written, a run killed before its stamp) makes the next run rebuild.

STAMP_FILE = "outputs.json"
STAMP_VERSION = 2
_SCHEMAS_DIR = _PACKAGE_DIR.parent / "schemas"
# The output folder's lock file (pipeline.publish.swap): also what marks a folder as an output
# folder, so a raw folder that contains one does not read it as notices (pipeline.runner.engine).
LOCK_NAME = ".pipeline.lock"


def run_signature(keys: list[str]) -> str:
    """One hash of a whole run's inputs: every file's cache key in discovery order, plus the schemas.

    The keys already cover bytes, paths, manifest hints and pipeline code; the table schemas
    (outside the package) decide what validation keeps. An empty key (a file that could not be
    read) makes the signature empty: such a run is never "up to date".
    """
    if any(not k for k in keys):
        return ""
    h = hashlib.sha256()
    h.update(schemas_digest().encode())
    for key in keys:
        h.update(key.encode() + b"\n")
    return h.hexdigest()


@lru_cache(maxsize=1)
def schemas_digest() -> str:
    """A hash of the table schemas (``schemas/*.py``, outside the package the fingerprint covers)."""
    h = hashlib.sha256()
    for path in sorted(_SCHEMAS_DIR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _file_state(path: Path) -> list[int]:
    """What tells a file was replaced or edited, without reading it: size and mtime (ns)."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def stamp_path(out_dir: Path) -> Path:
    return out_dir / CACHE_DIR / STAMP_FILE


def clear_stamp(out_dir: Path) -> None:
    """Forget what the outputs were made from (before they are replaced)."""
    stamp_path(out_dir).unlink(missing_ok=True)


def write_stamp(
    out_dir: Path, signature: str, files: list[Path], hashes: dict[str, str] | None = None, complete: bool = True
) -> None:
    """Record that ``files`` in ``out_dir`` are one generation, made by the run with ``signature``.

    ``hashes`` (file name → SHA-256) are those computed when the generation was staged;
    ``complete`` is False when a file of the generation could not be made (a report that
    failed): such a stamp never makes a run "up to date". The stamp is the last thing a run
    writes; a missing stamp means "rebuild".
    """
    if not signature:
        return
    from pipeline.runner.atomic import atomic_write_text

    hashes = hashes or {}
    body = {
        "version": STAMP_VERSION,
        "signature": signature,
        "complete": bool(complete),
        "files": {p.name: {"state": _file_state(p), "sha256": hashes.get(p.name, "")} for p in files},
    }
    atomic_write_text(stamp_path(out_dir), json.dumps(body, sort_keys=True, indent=1))


def read_stamp(out_dir: Path) -> dict | None:
    """The stamp's content, or None when there is none or it cannot be read."""
    try:
        body = json.loads(stamp_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("version") == STAMP_VERSION else None


def update_stamp(out_dir: Path, files: list[Path]) -> bool:
    """Record ``files`` of ``out_dir`` as rewritten from the stamped generation (``pipeline report``
    writes ``report.html`` again from the same database). False when there is no stamp."""
    body = read_stamp(out_dir)
    if body is None:
        return False
    from pipeline.runner.atomic import atomic_write_text

    for p in files:
        body["files"][p.name] = {"state": _file_state(p), "sha256": file_sha256(p)}
    atomic_write_text(stamp_path(out_dir), json.dumps(body, sort_keys=True, indent=1))
    return True


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def is_up_to_date(out_dir: Path, signature: str) -> bool:
    """True when the outputs in ``out_dir`` are one complete generation written by a run with
    ``signature`` and not touched since.

    Files are compared by size and mtime, not re-hashed: a no-op run at 100,000 notices would
    otherwise read every output (about a gigabyte) to find nothing to do.

    >>> is_up_to_date(Path("outputs"), "")  # no signature, no promise
    False
    """
    if not signature:
        return False
    body = read_stamp(out_dir)
    if body is None or body.get("signature") != signature or body.get("complete") is not True:
        return False
    files = body.get("files")
    if not isinstance(files, dict) or not files:
        return False
    try:
        return all(_file_state(out_dir / name) == entry["state"] for name, entry in files.items())
    except (OSError, KeyError, TypeError):
        return False
