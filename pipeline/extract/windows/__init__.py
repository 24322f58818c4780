"""Outage windows: every distinct interruption a notice announces, in three steps.

1. :mod:`~pipeline.extract.windows.mentions` — every date or time with its role (stop,
   resumption, go-live, open end; deadlines and datelines set aside) and its subject;
2. :mod:`~pipeline.extract.windows.linking` — each stop's end, chosen among scored candidates
   under named rules, the winner and the runners-up recorded;
3. :mod:`~pipeline.extract.windows.merge` — restatements folded into one window, rows written.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.extract.timeexpr import find_ranges
from pipeline.extract.windows.cues import has_cue
from pipeline.extract.windows.linking import Link, link_stop, main_window, upgrade_date_only
from pipeline.extract.windows.mentions import Mentions, find_mentions
from pipeline.extract.windows.merge import fold, rows_of
from pipeline.extract.windows.subject import split_by_domain
from pipeline.repair import repair
from pipeline.repair.plausibility import check_windows
from pipeline.repair.resolve_year import YearClues


@dataclass
class WindowResult:
    rows: list[dict]
    repairs: list[dict]
    # every sentence that states a stop or a resumption with its moment: the guidance step reads
    # them as the schedule, not as instructions
    stop_sentences: tuple[str, ...] = ()


def city_named(label: str | None) -> str | None:
    """A province-wide table's row label that names one city.

    >>> city_named("福州")
    '福州市'
    """
    if not label:
        return None
    from pipeline.vocab.gazetteer import gazetteer

    g = gazetteer()
    cities = {p.name for p in g.lookup(label) + g.lookup_short(label, "city") if p.level == "city"}
    return cities.pop() if len(cities) == 1 else None


def link_all(found: Mentions) -> list[tuple[Link, str | None]]:
    """Every stop (each of its systems on its own) linked to its end."""
    upgrade_date_only(found.resumes)
    main = main_window(found.stops)
    group_sentences: dict[int, set[int]] = {}
    for s in found.stops:
        group_sentences.setdefault(s.group or s.order, set()).add(s.sentence_no)
    out = []
    for stop in found.stops:
        sentences = group_sentences[stop.group or stop.order]
        group_opens = tuple(op.sentence_no for op in found.opens if op.sentence_no in sentences)
        whole = link_stop(stop, found, main, None, group_opens)
        parts = [link_stop(stop, found, main, part, group_opens) for part in split_by_domain(stop.subject)]
        # a stop naming two systems is two windows only when each system has its own, different end
        if len(parts) > 1 and all(p.winner for p in parts) and len({p.end for p in parts}) > 1:
            out += [(p, stop.service) for p in parts]
        else:
            out.append((whole, stop.service))
    return out


def extract_windows(lines: list[str], clues: YearClues, city: str | None) -> WindowResult:
    """Outage windows of a notice's body lines, with the repairs their dates needed."""
    found = find_mentions(lines, clues)
    windows = fold(link_all(found))
    rows, repairs = rows_of(windows, city, city_named)
    repairs += check_windows(rows, lines, clues.publication)
    problems = list(found.problems)
    if not found.stops and not any(r["rule"] == "impossible_date" for r in problems):
        announced = next((ln for ln in lines if has_cue(ln, "stop") and not find_ranges(ln) and has_cue(ln, "open")), None)
        if announced is not None:
            problems.append(repair("outage_windows", "start_at", announced.strip()[:80], None, "window_undated",
                                   "the notice announces a stop but prints no date or time for it"))
    schedule = [m.evidence for m in found.stops] + [m.evidence for m in found.resumes]
    return WindowResult(rows, problems + repairs, tuple(dict.fromkeys(schedule)))


__all__ = ["WindowResult", "extract_windows", "city_named"]
