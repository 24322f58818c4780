"""Atomic file writes: the one way this package replaces a file (outputs, manifest, corrections).

Every writer goes through :func:`atomic_path`: the new content is written to a temporary file
beside the target (``.NAME.XXXXXXXX.tmp``: a dot-file, so no run reads it as a notice or
publishes it), flushed to disk, given mode 0644 (``mkstemp`` makes 0600, and outputs and raw
files are meant to be shared), then renamed over the target with ``os.replace``. A reader sees
the old file or the new one, never half of one; a writer that dies leaves at most a ``.tmp``
file, which :func:`remove_stale_temporaries` deletes later.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"
FILE_MODE = 0o644


def temporary_name(target: Path) -> str:
    """The prefix of a temporary file for ``target``: ``Path("out/report.html")`` → ``".report.html."``."""
    return f".{target.name}."


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without an exception, the
    temporary file is flushed, made 0644 and renamed over ``path``; otherwise it is deleted.

    For writers that want a path rather than a file object (the workbook's Rust writer):
    ``with atomic_path(Path("outputs/notices.xlsx")) as tmp: write_worksheets(sheets, str(tmp))``.
    The temporary file lives in the same folder because ``os.replace`` is only atomic within one
    file system.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temporary_name(path), suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        fsync_path(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically: ``atomic_write_bytes(Path("raw/manifest.csv"), b"file,url\\n")``."""
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        f.write(data)
    return path


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half of one.

    ``atomic_write_text(Path("outputs/report.html"), "<!doctype html>…")`` → ``Path("outputs/report.html")``.
    Newlines are written as given (no translation).
    """
    with atomic_path(path) as tmp, tmp.open("w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def copy_range(src: BinaryIO, dst: BinaryIO, start: int, end: int) -> None:
    """Copy bytes ``start:end`` of the open file ``src`` to ``dst`` in 4 MiB blocks (a spliced CSV
    file's kept rows, a workbook's unchanged members): ``copy_range(old, new, 0, 1024)``.

    A file shorter than ``end`` is an :class:`OSError`: the caller's record of it is stale.
    """
    src.seek(start)
    left = end - start
    while left > 0:
        block = src.read(min(left, 1 << 22))
        if not block:
            raise OSError(f"{src.name} ends before byte {end}")
        dst.write(block)
        left -= len(block)


def fsync_path(path: Path) -> None:
    """Flush a file's content to disk (``os.fsync``)."""
    with path.open("rb") as f:
        os.fsync(f.fileno())


def remove_stale_temporaries(folder: Path, older_than: float = 0.0) -> list[str]:
    """Delete the temporary files that writers killed mid-write left in ``folder`` (not below it).

    Only names this module makes (``.NAME.XXXX.tmp``) are touched, and only those last changed
    more than ``older_than`` seconds ago: a caller that holds the folder's lock passes 0, one
    that does not (``fetch``) a margin so a concurrent writer's file is left alone. Returns the
    names removed, e.g. ``[".report.html.k2j4x9.tmp"]``.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(name)
    return sorted(removed)
