"""Extract stage: a normalised Document → plain rows for every table.

``extract_notice`` is the one entry point; each table has its own module
(``metadata``, ``outage_window``, ``guidance``, ``contacts``). Repairs are logged by the rules
that make them, into one :class:`~pipeline.repairs.RepairLog` per notice.
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


@dataclass
class Extraction:
    """Rows of every table for one notice, as plain dicts keyed by contract column."""

    notice: dict
    windows: list[dict] = field(default_factory=list)
    guidance: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)


def __getattr__(name: str):
    """``extract_notice`` on first use: importing the extractors builds the gazetteer's patterns,
    which a run with nothing to extract (and the cache, which only needs :class:`SourceHints`)
    must not pay for."""
    if name == "extract_notice":
        from pipeline.extract.notice import extract_notice

        return extract_notice
    raise AttributeError(name)


__all__ = ["SourceHints", "Extraction", "extract_notice"]
