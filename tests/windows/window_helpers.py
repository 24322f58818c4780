"""Helpers for the window-step tests: real sentences read as the pipeline reads a ``.txt`` notice."""

from __future__ import annotations

from datetime import date

from conftest import make_doc

from pipeline.extract.windows import link_all
from pipeline.extract.windows.mentions import Mentions, find_mentions
from pipeline.extract.windows.merge import fold
from pipeline.repair.resolve_year import YearClues


def mentions_of(text: str, publication: date | None = None) -> Mentions:
    return find_mentions(list(make_doc(text).lines), YearClues(publication=publication))


def spans_of(text: str, publication: date | None = None) -> list[tuple]:
    """(start, end) of every window, in order of appearance."""
    windows = fold(link_all(mentions_of(text, publication)))
    return [(w.start, w.end) for w in sorted(windows, key=lambda w: w.first.order)]
