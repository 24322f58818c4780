"""``raw/manifest.csv``: what is known about each raw file from outside its text."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from pipeline.extract import SourceHints

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


def read_manifest(raw_dir: Path) -> dict[str, SourceHints]:
    """Map a file path relative to ``raw_dir`` (or its bare name) to its hints.

    A row ``xiamen.txt,http://…/202110/26/…,,,`` → ``{"xiamen.txt": SourceHints(url="http://…")}``.
    Manifests in sub-folders apply to the files beside them.
    """
    hints: dict[str, SourceHints] = {}
    for path in sorted(raw_dir.rglob(MANIFEST_NAME)):
        prefix = path.parent.relative_to(raw_dir).as_posix()
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                name = (row.get("file") or "").strip()
                if not name:
                    continue
                key = f"{prefix}/{name}" if prefix not in ("", ".") else name
                hints[key] = SourceHints(
                    url=(row.get("url") or "").strip() or None,
                    city=(row.get("city") or "").strip() or None,
                    published=_date_or_none(row.get("published")),
                    fetched_at=(row.get("fetched_at") or "").strip() or None,
                )
    return hints
