"""The Document: what every reader returns and every extractor reads.

A reader turns one raw file (txt, html, pdf, docx) into a Document of text lines and tables
plus whatever metadata the container itself carries (a WeChat ``publish_time``, an HTML
``<title>``). Extractors never look at the raw bytes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ReadError(Exception):
    """A file that cannot be turned into a Document; the message goes to the ``errors`` table."""


@dataclass(frozen=True)
class Table:
    """A table as a grid of cell strings, merged cells already expanded.

    ``rows[0]`` is the header row when ``has_header`` is true. A cell covered by a
    rowspan/colspan repeats the text of the cell that covers it, so
    ``[["14", "西咸新区", "空港新城医疗保障局"], ["14", "西咸新区", "沣东新城医疗保障局"]]``.
    ``line_index`` is the position in ``Document.lines`` where the table stood.
    """

    rows: tuple[tuple[str, ...], ...]
    has_header: bool = True
    line_index: int = 0


@dataclass(frozen=True)
class Document:
    """One notice as text lines and tables.

    ``lines`` keeps the reading order of the source, one paragraph or table row per line,
    stripped of layout. A table also appears in ``tables`` (as a grid) *and* in ``lines``
    (one ``|``-joined line per row) so that text extractors see it in context.
    ``meta`` holds container facts: ``title``, ``published`` (ISO date or datetime string),
    ``url``, ``charset``.
    """

    source_file: str
    format: str
    lines: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    # Lines normalisation removed as page chrome (breadcrumbs, repost stamps, share buttons);
    # kept because stamps and breadcrumbs are clues for metadata.
    dropped: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
