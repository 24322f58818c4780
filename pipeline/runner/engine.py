"""``python -m pipeline run``: raw folder → six validated tables in the output folder."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.document import ReadError
from pipeline.extract import TABLE_KEYS, Extraction, SourceHints
from pipeline.repair.corrections import CORRECTIONS_NAME
from pipeline.runner import budget as budgets
from pipeline.runner import ledger as ledger_kinds
from pipeline.runner.budget import Budget, Overrun, run_budgeted
from pipeline.runner.cache import (
    CACHE_DIR,
    LOCK_NAME,
    ExtractionCache,
    cache_key,
    is_up_to_date,
    pipeline_fingerprint,
    run_signature,
    schemas_digest,
)
from pipeline.runner.manifest import MANIFEST_NAME, load_manifests
from pipeline.runner.progress import progress
from pipeline.runner.textio import display_path

log = logging.getLogger(__name__)


def extract_notice(*args, **kwargs) -> Extraction:
    """:func:`pipeline.extract.notice.extract_notice`, imported on first call: a run with
    nothing to extract should not pay for building the gazetteer's patterns."""
    from pipeline.extract.notice import extract_notice as extract

    return extract(*args, **kwargs)

# The readers and the normaliser are imported by process_file, in the worker processes: a run
# with nothing to extract does not load them (see pipeline/cli.py on start-up time).


@dataclass
class RunResult:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in TABLE_KEYS})
    errors: list[dict] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)
    files_read: int = 0
    # what the run was made from (pipeline.runner.cache.run_signature); up_to_date: the outputs
    # already are this run's, so nothing was extracted and nothing needs writing
    signature: str = ""
    up_to_date: bool = False
    # every file as this run saw it, in order (the ledger's: pipeline.publish.ledger), and what else
    # the outputs depend on; previous: the ledger this run built on (an incremental run), or None
    files: list = field(default_factory=list)
    context: dict = field(default_factory=dict)
    previous: object = None

    def add(self, nid: str, rel: str, extraction: Extraction) -> None:
        """Keep one accepted notice's rows (what :func:`run_pipeline` does without a sink)."""
        self.source_of[nid] = rel
        extraction.add_to(self.rows)


class NoticeSink(Protocol):
    """Where accepted notices go instead of :attr:`RunResult.rows` (``pipeline.publish.batches.BatchSink``).

    A sink that can build on the previous generation also has ``ledger_context()`` (what else its
    output depends on), ``start_incremental(ledger)`` (called before the first notice when the run
    builds on that generation) and ``keep(nid, rel)`` (a published notice whose rows stay as they are).
    """

    def add(self, nid: str, rel: str, extraction: Extraction) -> None: ...


def notice_id_of(data: bytes) -> str:
    """First 16 hex digits of the SHA-256 of the raw bytes.

    >>> notice_id_of(b"abc")
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(data).hexdigest()[:16]


def discover(raw_dir: Path) -> list[Path]:
    """Every notice file below ``raw_dir``, in a stable order (the manifest and dotfiles excluded)."""
    return [raw_dir / rel for rel in discover_relative(raw_dir)]


_TOP_LEVEL_NON_NOTICES = {".yaml", ".yml", ".json", ".md"}  # the source registry, READMEs


@dataclass
class Discovered:
    """What a raw folder holds: notice files and manifests (paths relative to it, as the OS
    names them: bytes that are not UTF-8 appear as surrogates, see :func:`display_path`), and
    an ``errors`` row for each file that is refused before it is read (a symbolic link out of
    the folder)."""

    rels: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def discover_inputs(raw_dir: Path, exclude: Iterable[Path] = ()) -> Discovered:
    """Walk ``raw_dir`` once: notices, manifests, and refusals.

    Left out: dot-folders and dot-files (the output folder's cache and staging folders, editor
    files), the manifests (returned apart), ``corrections.csv`` and the top-level registry and
    README files, folders given in ``exclude`` (the run's own output folder when it is inside
    the raw folder) and any folder holding an output folder's lock file (another run's outputs:
    their CSV tables and report would otherwise be read as notices). Symbolic links are
    followed only to files inside ``raw_dir``: a link to a file or folder outside becomes an
    errors row (a raw folder is often a download area; a link to ``/etc/passwd`` must not end up
    in the published tables), a link to a folder inside is not followed (its files are read where
    they are). Sockets and FIFOs are skipped (reading one would block). Sorted by path components.
    """
    root = os.path.realpath(raw_dir)
    skip = {os.path.realpath(p) for p in exclude}
    found = Discovered()
    stack = [("", os.fspath(raw_dir))]
    while stack:
        base, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            found.errors.append(_error(display_path(base or "."), "read",
                                       f"cannot list the folder: {exc.strerror or exc}; its files are not read"))
            continue
        names = {e.name for e in entries}
        if base and LOCK_NAME in names:  # an output folder inside the raw folder
            continue
        top = not base
        for entry in entries:
            name = entry.name
            rel = f"{base}/{name}" if base else name
            if name.startswith("."):
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    inside = target == root or target.startswith(root + os.sep)
                    if not inside:
                        found.errors.append(_error(display_path(rel), "read",
                                                   _LINK_OUT_DIR if os.path.isdir(target) else _LINK_OUT))
                        continue
                    if not os.path.isfile(target):  # a link to a folder (read where it is) or a broken link
                        continue
                elif entry.is_dir():
                    if os.path.realpath(entry.path) not in skip:
                        stack.append((rel, entry.path))
                    continue
                elif not entry.is_file():  # a socket, a FIFO: reading one would block the run
                    continue
            except OSError:
                continue
            if name == MANIFEST_NAME:
                found.manifests.append(rel)
            elif top and (name == CORRECTIONS_NAME or os.path.splitext(name)[1].lower() in _TOP_LEVEL_NON_NOTICES):
                continue
            else:
                found.rels.append(rel)
    found.rels.sort(key=lambda rel: rel.split("/"))
    found.errors.sort(key=lambda e: e["source_file"].split("/"))
    return found


_LINK_OUT = ("a symbolic link to a file outside the raw folder: not read (a raw folder holds the notices "
             "themselves); copy the file into the raw folder if it is a notice")
_LINK_OUT_DIR = ("a symbolic link to a folder outside the raw folder: not followed; copy the notices into the "
                 "raw folder to read them")


def discover_relative(raw_dir: Path) -> list[str]:
    """:func:`discover` as ``/``-separated paths relative to ``raw_dir``: ``["sub/a.txt", "xian.txt"]``.

    Strings rather than ``Path`` objects because a run keeps one per file: 100,000 ``Path``
    objects take 70 MB. See :func:`discover_inputs` for what is left out.
    """
    return discover_inputs(raw_dir).rels


# Bigger than any notice by far (they are well under 1 MB). Reading a 50 MB page takes a minute
# and over 1 GB of memory, so such a file is refused with a message rather than read.
MAX_FILE_BYTES = 32 * 1024 * 1024
# Below this many files to extract, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 50

# (extraction, error_row, notice_id): exactly one of the first two is None
Outcome = tuple[Extraction | None, dict | None, str]


def _error(rel: str, stage: str, message: str) -> dict:
    """An ``errors`` row: ``_error("a.pdf", "read", "PDF is encrypted")``."""
    return {"source_file": rel, "stage": stage, "error": message}


def process_file(path: Path, rel: str, hints: SourceHints, expected_sha256: str = "") -> Outcome:
    """Read, normalise and extract one file; return ``(extraction, error_row, notice_id)``.

    Never raises (but for ``MemoryError``, which the per-file budget reports: pipeline.runner.budget):
    whatever goes wrong with one file becomes its error row, because one bad file must not stop
    the run. ``expected_sha256`` is the digest the run planned with; bytes that differ were
    changed while the run read them.

    >>> import tempfile
    >>> empty = Path(tempfile.mkdtemp()) / "empty.txt"
    >>> empty.touch()
    >>> process_file(empty, "empty.txt", SourceHints())
    (None, {'source_file': 'empty.txt', 'stage': 'read', 'error': 'file is empty: nothing to read'}, 'e3b0c44298fc1c14')
    """
    try:
        size = path.stat().st_size
        # the size first: a 10 GB file must not be read into memory only to be refused
        data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:  # permissions, a file that vanished since discovery
        return None, _error(rel, "read", f"cannot open file: {exc.strerror or exc}"), ""
    if size > MAX_FILE_BYTES:
        return None, _error(rel, "read", _too_large_message(size)), expected_sha256[:16]
    digest = hashlib.sha256(data).hexdigest()
    nid = digest[:16]
    if expected_sha256 and digest != expected_sha256:
        return None, _error(rel, "read", CHANGED_MESSAGE), nid
    from pipeline.read import read_document
    from pipeline.read.normalize import normalize_document

    try:
        doc = read_document(path, rel, data)
    except ReadError as exc:
        if isinstance(exc.__cause__, MemoryError):  # a reader's "cannot parse" that is really the budget
            raise exc.__cause__ from None
        return None, _error(rel, "read", str(exc)), nid
    except MemoryError:
        raise
    except Exception as exc:  # a reader bug must not stop the run; say what and where
        return None, _error(rel, "read", f"unexpected {type(exc).__name__}: {exc}"), nid
    del data
    budgets.mark_stage("extract")
    try:
        doc, norm_repairs = normalize_document(doc)
        extraction = extract_notice(doc, hints, nid, norm_repairs)
    except MemoryError:
        raise
    except Exception as exc:
        return None, _error(rel, "extract", f"unexpected {type(exc).__name__}: {exc}"), nid
    return extraction, None, nid


CHANGED_MESSAGE = (
    "file changed while it was being read (still being downloaded or written?): "
    "nothing was taken from it; run again once it is complete"
)


def _too_large_message(size: int) -> str:
    """The ``errors`` message of a file over :data:`MAX_FILE_BYTES`.

    >>> _too_large_message(50_000_000)
    'file is 47.7 MB, over the 32 MB limit for one notice ...'
    """
    return (
        f"file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for one notice "
        "(notices are well under 1 MB): probably a whole-site dump or a page with embedded media; "
        "save just the notice page or its PDF and run again"
    )


@dataclass(frozen=True, slots=True)
class _Planned:
    """One discovered file, hashed, with its cache key (``key`` is empty when it could not be read).

    Kept for every file of a run, so it is small: the path as a string, slots, shared hints.
    """

    path: str
    rel: str
    hints: SourceHints
    key: str
    sha256: str = ""


_NO_HINTS = SourceHints()


def _plan(rel: str, raw_dir: Path, hints: dict[str, SourceHints]) -> _Planned:
    """Hash one file for its cache key; an unreadable file gets no key and is never cached.

    ``rel`` is the path as the OS names it; the plan keeps it readable (a GBK name decoded,
    :func:`display_path`), which is what ``source_file`` and the manifest use.
    """
    path = os.path.join(raw_dir, rel)
    rel = display_path(rel)
    hint = hints.get(rel) or hints.get(rel.rsplit("/", 1)[-1]) or _NO_HINTS
    try:
        digest = _sha256_file(path)
    except OSError:
        return _Planned(path, rel, hint, "")
    return _Planned(path, rel, hint, cache_key(digest, rel, hint), digest)


def _sha256_file(path: str | Path) -> str:
    """SHA-256 of a file read in 1 MB blocks, so a huge file is never held in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _process_planned(item: _Planned) -> Outcome:
    """Worker entry point (module level: the budgeted workers call it by reference)."""
    return process_file(Path(item.path), item.rel, item.hints, item.sha256)


def _cacheable(outcome: Outcome) -> bool:
    """Everything but a failure to open the file (permissions may be fixed) or a file that changed
    while it was read (the key is the bytes it had before)."""
    error = outcome[1]
    return error is None or not error["error"].startswith(("cannot open file", CHANGED_MESSAGE))


def resolve_jobs(jobs: int | None, n_files: int) -> int:
    """Worker processes to use: ``None``/0 → serial below ``PARALLEL_MIN_FILES`` files, else every core.

    >>> resolve_jobs(None, 10), resolve_jobs(None, 500) == os.cpu_count(), resolve_jobs(3, 10)
    (1, True, 3)
    """
    if jobs and jobs > 0:
        return jobs
    return 1 if n_files < PARALLEL_MIN_FILES else max(1, os.cpu_count() or 1)


def _outcomes(
    items: list[_Planned], cache: ExtractionCache | None, jobs: int | None, full: bool, budget: Budget,
    workers: budgets.Workers | None = None,
) -> Iterator[Outcome]:
    """The outcome of every item, in order: from the cache when known, computed otherwise.

    Cache look-ups and worker start-up happen at the call (the workers are forked before the
    caller starts a progress-bar thread), unless ``workers`` were forked earlier (see
    :func:`run_pipeline`); the returned iterator merges them. A file that went over its budget
    is remembered under :func:`~pipeline.runner.budget.failure_key`, so it is not tried again under
    the same budget, and is tried again under another one.
    """
    cached: set[int] = set()
    if cache is not None and not full:
        # which files are cached, not their outcomes: those are read one by one as the run
        # reaches them, so a re-run holds one notice at a time, not the whole corpus
        known = cache.keys()
        cached = {i for i, item in enumerate(items)
                  if item.key and (item.key in known or budgets.failure_key(item.key, budget) in known)}
    todo = [item for i, item in enumerate(items) if i not in cached]
    computed = run_budgeted(_process_planned, todo, resolve_jobs(jobs, len(todo)), budget, workers, pickled=True)
    return _merge(items, cached, computed, cache, budget)


def _merge(
    items: list[_Planned],
    cached: set[int],
    computed: Generator[Outcome | Overrun, None, None],
    cache: ExtractionCache | None,
    budget: Budget,
) -> Iterator[Outcome]:
    """Cached and computed outcomes back in the order of ``items``; new ones go into the cache."""
    try:
        for i, item in enumerate(items):
            if i in cached:
                assert cache is not None
                hit = cache.get(item.key) or cache.get(budgets.failure_key(item.key, budget))
                if hit is not None:
                    yield hit
                    continue
                # an entry that can no longer be read (rare): extract the file here instead
                outcome = _process_planned(item)
                if _cacheable(outcome):
                    cache.put(item.key, outcome)
                yield outcome
                continue
            result = next(computed)
            blob = None
            if isinstance(result, Overrun):
                outcome: Outcome = (None, _error(item.rel, result.stage, result.message()), item.sha256[:16])
                key = budgets.failure_key(item.key, budget) if item.key else ""
            else:  # the worker's pickle: unpickled for the run, stored as it is in the cache
                blob, key = result, item.key
                outcome = pickle.loads(blob)
            if cache is not None and key and _cacheable(outcome):
                if blob is None:
                    cache.put(key, outcome)
                else:
                    cache.put_pickled(key, blob)
            yield outcome
    finally:
        computed.close()  # stops the workers


def content_key(extraction: Extraction) -> tuple | None:
    """What makes two files the same notice: title, issuer, city, date, windows, guidance and phones.

    The same notice saved as ``.txt`` and as ``.html`` has different bytes but the same key. It
    errs on the side of keeping both: a reminder that repeats a notice's windows under another
    title, or with other instructions, is a notice of its own. ``None`` for a notice without
    outage windows: too little to tell two notices apart.
    """
    if not extraction.windows:
        return None
    n = extraction.notice
    windows = tuple((w.get("scheme"), w.get("service"), w.get("start_at"), w.get("end_at")) for w in extraction.windows)
    guidance = tuple((g.get("category"), g.get("action"), g.get("condition")) for g in extraction.guidance)
    phones = tuple(sorted(c.get("phone_e164") or c.get("phone_raw") or "" for c in extraction.contacts))
    return (n.get("title"), n.get("issuer"), n.get("city"), n.get("published_on"), windows, guidance, phones)


def _duplicate_error(rel: str, nid: str, digest: bytes | None, seen: dict[object, str]) -> dict | None:
    """The error row for a file that repeats an earlier one (same bytes, or same notice: the same
    :func:`content_digest`), else ``None`` (and the file is remembered)."""
    if nid in seen:
        return _error(rel, "read", f"same bytes as {seen[nid]}: skipped as a duplicate (delete one of the two copies)")
    if digest is not None and digest in seen:
        return _error(
            rel, "extract",
            f"same notice as {seen[digest]} (same title, issuer, dates, windows, guidance and phones, different bytes: "
            "another format or copy of it): skipped so its windows are not counted twice; keep one copy",
        )
    seen[nid] = rel
    if digest is not None:
        seen[digest] = rel
    return None


def content_digest(extraction: Extraction) -> bytes | None:
    """:func:`content_key` as a 16-byte digest: what a run remembers of every notice it has seen.

    The key itself holds every window, instruction and phone of a notice; kept for 100,000
    notices it would be most of the run's memory.
    """
    key = content_key(extraction)
    return None if key is None else hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _open_cache(cache_dir: Path | None) -> ExtractionCache | None:
    """The cache in ``cache_dir``, or ``None`` when there is none or it cannot be opened.

    The cache only saves time: a read-only or full output folder must not stop extraction
    (the load stage then reports the unwritable folder with its own message).
    """
    if cache_dir is None:
        return None
    try:
        return ExtractionCache(cache_dir)
    except (OSError, sqlite3.Error) as exc:
        log.warning("extraction cache in %s unusable (%s): extracting every file", cache_dir, exc)
        return None


def _previous_ledger(out_dir: Path, context: dict):
    """The previous generation's ledger, when this run may build on it (see :func:`run_pipeline`)."""
    if not (out_dir / CACHE_DIR).is_dir():
        return None
    from pipeline.runner.ledger import previous_ledger
    from schemas.tables import DERIVED_TABLES, TABLES

    return previous_ledger(out_dir, context, [t.name for t in TABLES + DERIVED_TABLES])


def _reuse(item: _Planned, record, result: RunResult, seen: dict[object, str], sink, cache: ExtractionCache | None) -> None:
    """A file whose key the previous generation's ledger has: its outcome as recorded, nothing read.

    A notice published before and still not a duplicate keeps its rows (``sink.keep``); one that is
    no longer published (it repeats an earlier file now) is an errors row; one published now but not
    before (the file it repeated changed) needs its rows: from the cache, else extracted here.
    """
    from dataclasses import replace

    if record.kind == ledger_kinds.ERROR:
        result.errors.append(record.error)
        result.files.append(record)
        return
    error = _duplicate_error(item.rel, record.nid, record.digest, seen)
    if error is not None:
        result.errors.append(error)
        result.files.append(replace(record, accepted=False) if record.accepted else record)
        return
    if record.accepted:
        sink.keep(record.nid, item.rel)
        result.files.append(record)
        return
    outcome = cache.get(item.key) if cache is not None else None
    if outcome is None or outcome[0] is None:
        outcome = _process_planned(item)
    extraction, error, nid = outcome
    if error is not None or extraction is None:  # the file is not what the ledger says any more: as found now
        result.errors.append(error or _error(item.rel, "extract", "no rows"))
        result.files.append(ledger_kinds.FileRecord(item.rel, item.key, nid, ledger_kinds.ONCE, error))
        return
    sink.add(nid, item.rel, extraction)
    result.files.append(replace(record, accepted=True))


def run_pipeline(
    raw_dir: Path,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    full: bool = False,
    skip_if_up_to_date: bool = False,
    budget: Budget | None = None,
    sink: NoticeSink | None = None,
    exclude: Iterable[Path] = (),
    incremental: bool = False,
) -> RunResult:
    """Read and extract every file of ``raw_dir``; plain rows, nothing written but the cache.

    ``cache_dir`` (``OUT/.cache`` from the command line) holds earlier extraction results: a
    file whose bytes, path, manifest hints and pipeline code are unchanged is not read again.
    ``full`` ignores (and refreshes) the cache. ``jobs`` worker processes extract in parallel
    (see :func:`resolve_jobs`); the rows are the same, in the same order, whatever ``jobs`` is.
    With ``skip_if_up_to_date``, a run whose inputs and code are those of the outputs already in
    ``cache_dir``'s folder returns at once with ``up_to_date`` set and no rows. Every file is
    read and extracted under ``budget`` (default: :meth:`Budget.resolve`, from the environment),
    in worker processes. With a ``sink``, accepted notices go to ``sink.add`` instead of
    ``rows`` (so they need not all be held at once); duplicates and unreadable files are in
    ``errors`` either way. Folders in ``exclude`` (the output folder) are not read.

    With ``incremental`` (and a sink that supports it: :class:`NoticeSink`), a run whose previous
    generation has a usable ledger (:func:`pipeline.publish.ledger.previous_ledger`) takes every
    file whose key is unchanged from it: no outcome is read, and a notice that stays published goes
    to ``sink.keep`` (its rows stay as published); only the other files are read or extracted.
    """
    budget = budget or Budget.resolve()
    result = RunResult()
    found = discover_inputs(raw_dir, exclude)
    hints, manifest_errors = load_manifests(raw_dir, found.manifests)
    result.errors += manifest_errors + found.errors
    rels = found.rels
    # The workers are forked copies of this process: forked here, before the per-file plan and
    # the cache's key set are built, they do not carry them (at 100,000 files each worker peaked
    # at 221 MiB instead of 285: docs/performance.md). Those not needed (files cached, nothing
    # to do) are stopped unused.
    with budgets.Workers(_process_planned, min(resolve_jobs(jobs, len(rels)), len(rels)), budget, pickled=True) as workers:
        items = [_plan(rel, raw_dir, hints) for rel in rels]
        del rels, found
        corrections = raw_dir / CORRECTIONS_NAME
        # the budget decides which files are stopped, and corrections change the tables without
        # changing any notice: outputs made under another budget or other corrections are not these
        try:
            fixes = hashlib.sha256(corrections.read_bytes()).hexdigest() if corrections.is_file() else "none"
        except OSError as exc:  # the corrections reader reports it as an errors row
            fixes = f"unreadable {exc.errno}"
        # inputs refused before reading (an unreadable manifest, a link out of the folder) are rows of
        # errors too: when they change, so do the outputs
        refused = [f"refused:{e['source_file']}\0{e['error']}" for e in result.errors]
        result.signature = run_signature([item.key for item in items] + refused + [budget.tag(), "corrections:" + fixes])
        if skip_if_up_to_date and cache_dir is not None and not full and is_up_to_date(cache_dir.parent, result.signature):
            result.files_read, result.up_to_date = len(items), True
            return result
        result.context = {"budget": budget.tag(), "corrections": fixes, "fingerprint": pipeline_fingerprint(),
                          "schemas": schemas_digest(), **(getattr(sink, "ledger_context", dict)())}
        previous = None
        if incremental and sink is not None and cache_dir is not None and not full and hasattr(sink, "start_incremental"):
            previous = _previous_ledger(cache_dir.parent, result.context)
        reuse: list = [None] * len(items)
        if previous is not None:
            result.previous = previous
            sink.start_incremental(previous)  # type: ignore[union-attr]
            known = previous.by_rel()
            for i, item in enumerate(items):
                r = known.get(item.rel)
                if r is not None and item.key and r.key == item.key and r.kind != ledger_kinds.ONCE:
                    reuse[i] = r
            del known
        cache = _open_cache(cache_dir)
        try:
            seen: dict[object, str] = {}
            todo = [item for item, r in zip(items, reuse, strict=True) if r is None]
            outcomes = _outcomes(todo, cache, jobs, full, budget, workers)
            del todo
            for item, record in progress(zip(items, reuse, strict=True), total=len(items)):
                result.files_read += 1
                if record is not None:
                    _reuse(item, record, result, seen, sink, cache)
                    continue
                outcome = next(outcomes)
                extraction, error, nid = outcome
                digest = None
                if error is None:
                    assert extraction is not None
                    digest = content_digest(extraction)
                    error = _duplicate_error(item.rel, nid, digest, seen)
                    kind = ledger_kinds.NOTICE
                else:
                    kind = ledger_kinds.ERROR
                if not item.key or not _cacheable(outcome):
                    kind = ledger_kinds.ONCE
                accepted = error is None
                result.files.append(ledger_kinds.FileRecord(
                    item.rel, item.key, nid, kind, outcome[1] if kind != ledger_kinds.NOTICE else None, digest, accepted))
                if error is not None:
                    result.errors.append(error)
                    continue
                assert extraction is not None
                (result if sink is None else sink).add(nid, item.rel, extraction)
            if cache is not None:
                cache.retain(k for item in items if item.key for k in (item.key, budgets.failure_key(item.key, budget)))
        finally:
            if cache is not None:
                cache.close()
    return result
