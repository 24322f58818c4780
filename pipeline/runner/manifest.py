"""``raw/manifest.csv``: what is known about each raw file from outside its text.

A manifest is read whatever its encoding (Excel saves CSV as GBK on Chinese Windows:
:func:`pipeline.runner.textio.decode_table_text`); one that cannot be read becomes an ``errors``
row and the run goes on without its hints.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pipeline.extract import SourceHints
from pipeline.runner.textio import UndecodableText, decode_table_text, display_path

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "url", "city", "published", "fetched_at")


def _date_or_none(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _error(rel: str, message: str) -> dict:
    return {"source_file": rel, "stage": "read", "error": message}


def read_manifest_text(path: Path) -> str:
    """A manifest's text, decoded (UTF-8, UTF-16 with BOM, GBK, Big5). Raises ``OSError`` or
    :class:`~pipeline.runner.textio.UndecodableText`."""
    return decode_table_text(path.read_bytes())[0]


def load_manifests(raw_dir: Path, manifests: Iterable[str]) -> tuple[dict[str, SourceHints], list[dict]]:
    """``(hints, errors)`` from the manifests at ``manifests`` (paths relative to ``raw_dir``).

    ``hints`` maps a file path relative to ``raw_dir`` (or its bare name) to its hints: a row
    ``xiamen.txt,http://…/202110/26/…,,,`` → ``{"xiamen.txt": SourceHints(url="http://…")}``.
    Manifests in sub-folders apply to the files beside them. A manifest that cannot be decoded
    or parsed, or has no ``file`` column, gives an ``errors`` row (stage ``read``) instead.
    """
    hints: dict[str, SourceHints] = {}
    errors: list[dict] = []
    for rel in sorted(manifests, key=lambda r: r.split("/")):
        prefix = display_path(rel.rsplit("/", 1)[0]) if "/" in rel else ""
        shown = display_path(rel)
        try:
            text = read_manifest_text(raw_dir / rel)
            reader = csv.DictReader(io.StringIO(text, newline=""))
            rows = list(reader)
            header = reader.fieldnames or []
        except OSError as exc:
            errors.append(_error(shown, f"cannot open the manifest: {exc.strerror or exc}; its hints are not used"))
            continue
        except (UndecodableText, csv.Error) as exc:
            errors.append(_error(shown, f"the manifest cannot be read ({exc}): save it as CSV in UTF-8 (or GBK) and "
                                      "run again; its hints (URL, city, date) are not used until then"))
            continue
        if rows and "file" not in [h.strip() for h in header if h]:
            errors.append(_error(shown, f"the manifest has no 'file' column (its header is {header[:6]}): it needs "
                                      f"{', '.join(MANIFEST_COLUMNS)} separated by commas; its hints are not used"))
            continue
        for row in rows:
            row = {(k or "").strip(): v for k, v in row.items()}
            name = (row.get("file") or "").strip()
            if not name:
                continue
            key = f"{prefix}/{name}" if prefix else name
            hints[key] = SourceHints(
                url=(row.get("url") or "").strip() or None,
                city=(row.get("city") or "").strip() or None,
                published=_date_or_none(row.get("published")),
                fetched_at=(row.get("fetched_at") or "").strip() or None,
            )
    return hints, errors


def read_manifest(raw_dir: Path) -> dict[str, SourceHints]:
    """Every manifest below ``raw_dir`` as hints (see :func:`load_manifests`; unreadable ones are skipped)."""
    rels = [p.relative_to(raw_dir).as_posix() for p in sorted(raw_dir.rglob(MANIFEST_NAME))]
    return load_manifests(raw_dir, rels)[0]
