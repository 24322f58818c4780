"""Extract stage: a normalised Document → plain rows for every table.

:func:`pipeline.extract.notice.extract_notice` is the one entry point; each table has its own
module or package (``metadata``, ``windows``, ``guidance``, ``contacts``). Repairs are logged by
the rules that make them (:func:`pipeline.repair.repair`), as rows of the notice's extraction.

This module holds only the plain data the stages exchange, so that importing it (the cache,
the manifest, the run's planning) does not import the extractors, whose import builds the
gazetteer's patterns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SourceHints:
    """What is known about a file from outside its text (``raw/manifest.csv``)."""

    url: str | None = None
    city: str | None = None
    published: date | None = None
    fetched_at: str | None = None


# The tables a notice's extraction fills, in the order they are written.
TABLE_KEYS: tuple[str, ...] = ("notices", "outage_windows", "guidance", "contacts", "repairs")


@dataclass
class Extraction:
    """Rows of every table for one notice, as plain dicts keyed by contract column."""

    notice: dict
    windows: list[dict] = field(default_factory=list)
    guidance: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)

    def by_table(self) -> dict[str, list[dict]]:
        """The rows under their table's name (the row dicts themselves, not copies).

        >>> Extraction({"notice_id": "…"}).by_table()["notices"]
        [{'notice_id': '…'}]
        """
        return {"notices": [self.notice], "outage_windows": self.windows, "guidance": self.guidance,
                "contacts": self.contacts, "repairs": self.repairs}

    def add_to(self, rows: dict[str, list[dict]]) -> None:
        """Append this notice's rows to a run's rows per table (keys :data:`TABLE_KEYS`)."""
        for table, own in self.by_table().items():
            rows[table].extend(own)


__all__ = ["SourceHints", "Extraction", "TABLE_KEYS"]
