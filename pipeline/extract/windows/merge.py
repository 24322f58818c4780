"""Step 3 of windows: fold restatements into one window and write the rows.

A headline, a guide or a table that restates a stop (the same start and end) is one window;
the items of one stop list that end together are one window; a headline's ``6月28日起`` is the
window the body times precisely. What differs stays apart: the items of a list that end at
different moments, or a stop whose end the notice leaves open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.extract.windows.linking import CLOSE_MARGIN, Link
from pipeline.extract.windows.mentions import Mention
from pipeline.repair import repair
from pipeline.repair.confidence import window_confidence

END_SOURCE = {
    "range": "range", "moved_start": "range", "paired_in_sentence": "range", "label_value_block": "range",
    "same_service": "resume_statement", "same_family": "resume_statement", "general_resumption": "resume_statement",
    "partial_resumption": "resume_statement", "unrelated_resumption": "resume_statement",
    "go_live": "go_live", "main_window": "main_window",
}
# ends stated for this very stop: such a window is not a restatement of another one
OWN_END_RULES = {"range", "moved_start", "paired_in_sentence", "label_value_block", "open_same_sentence",
                 "open_same_service", "same_service"}


@dataclass
class Window:
    """One distinct interruption: the stops that state it and the link that gave its end."""

    start: datetime
    end: datetime | None
    link: Link
    stops: list[Mention] = field(default_factory=list)
    services: list[str] = field(default_factory=list)

    @property
    def first(self) -> Mention:
        return self.stops[0]

    @property
    def rule(self) -> str | None:
        return self.link.winner.rule if self.link.winner else None

    @property
    def service_text(self) -> str | None:
        """What stops, as printed by the first statement that prints it."""
        own = "、".join(self.services) or None
        # a statement whose service differs from the window's (a restatement inside advice) does not describe it
        return next((s.service_text for s in self.stops if s.service_text
                     and (s.service == own or (s.service and not s.service_printed and own and s.service in own))), None)

    def add(self, stop: Mention, service: str | None) -> None:
        self.stops.append(stop)
        # a printed object the vocabulary does not know is one service, whatever its commas
        if service and stop.service_printed and service == stop.service:
            # a printed object the vocabulary does not know is one service, whatever its commas; only
            # the first statement's: a restatement inside advice ("停机期间门诊费用需…垫付") names none
            parts = [service] if len(self.stops) == 1 else []
        else:
            parts = (service or "").split("、")
        for s in parts:
            if s and s not in self.services:
                self.services.append(s)


def _compatible(a: Mention, b: Mention) -> bool:
    return a.scheme == b.scheme or not a.scheme or not b.scheme


def fold(links: list[tuple[Link, str | None]]) -> list[Window]:
    """Windows from linked stops (each with the service it names), restatements folded."""
    windows: list[Window] = []
    for link, service in links:
        stop = link.stop
        assert stop.at is not None
        end = link.end
        same = next((w for w in windows if w.start == stop.at and w.end == end and _compatible(w.first, stop)), None)
        if same is None and end is not None:
            # an earlier statement of this start left open only for want of an end: this one completes it
            same = next((w for w in windows if w.start == stop.at and w.end is None and w.rule is None
                         and _compatible(w.first, stop)), None)
            if same is not None:
                same.end, same.link = end, link
        if same is None and end is None and link.winner is None:
            same = next((w for w in windows if w.start == stop.at and _compatible(w.first, stop)), None)
        if same is not None:
            same.add(stop, service)
            continue
        w = Window(stop.at, end, link)
        w.add(stop, service)
        windows.append(w)
    # a headline's "6月28日起" restates the window the body times on that day, unless the text
    # gave the day-only stop an end of its own
    timed = [w for w in windows if not w.first.date_only]
    out = []
    for w in windows:
        if w.first.date_only:
            host = next((t for t in timed if t is not w and t.start.date() == w.start.date()
                         and (t.end == w.end or w.rule is None or w.rule not in OWN_END_RULES)), None)
            if host is not None:
                for s in w.stops:
                    host.add(s, None)
                continue
        out.append(w)
    return out


def _repairs_of_link(w: Window) -> list[dict]:
    win = w.link.winner
    if win is None or w.end is None:
        return []
    value = w.end.strftime("%Y-%m-%dT%H:%M")
    if "later_restart" in win.modifiers:
        return [repair("outage_windows", "end_at", w.first.end_text or "", value, "end_from_later_restart",
                       f"the range's printed end {w.first.end_text} is followed by a restart of the same service: "
                       f"{win.evidence[:120]}")]
    source = END_SOURCE.get(win.rule)
    if source == "resume_statement":
        return [repair("outage_windows", "end_at", "", value, "end_from_resume_statement",
                       f"resumption stated in ({win.rule}): {win.evidence[:120]}")]
    if source == "go_live":
        return [repair("outage_windows", "end_at", "", value, "end_from_go_live",
                       f"the new system starts: {win.evidence[:120]}")]
    if source == "main_window":
        return [repair("outage_windows", "end_at", "", value, "end_from_main_window",
                       f"no own resumption; ends with the switch window: {win.evidence[:120]}")]
    return []


def _disagreeing(w: Window, windows: list[Window]) -> bool:
    """Whether the notice states the same stop (start, scheme, services) again with another end,
    each time as its own statement (a list item ending elsewhere is not a restatement)."""
    return any(o is not w and o.start == w.start and o.end != w.end and _compatible(o.first, w.first)
               and sorted(o.services) == sorted(w.services) and o.first.evidence != w.first.evidence
               for o in windows)


def _refused_end(w: Window) -> str | None:
    """The printed end linking refused as more than a year after the start, if any."""
    return next((cand for cand, rule in w.link.excluded if rule == "printed_end_beyond_a_year"), None)


def rows_of(windows: list[Window], city: str | None, city_of_scheme) -> tuple[list[dict], list[dict]]:
    """``outage_windows`` rows and the repairs their values needed, in order of appearance."""
    rows, repairs = [], []
    for n, w in enumerate(sorted(windows, key=lambda w: w.first.order), start=1):
        win = w.link.winner
        first = w.first
        hours = round((w.end - w.start).total_seconds() / 3600, 2) if w.end else None
        end_text = (win.text if win and win.rule != "range" else first.end_text) if w.end else None
        margin = w.link.margin
        alternatives = [c.describe() for c in w.link.losers if c.at != w.end][:3]
        refused = _refused_end(w)
        if refused is not None:
            repairs.append(repair("outage_windows", "end_at", first.end_text or refused, None, "end_refused_beyond_a_year",
                                  f"the printed end {refused.split(' ')[0]} is more than a year after the start "
                                  f"{w.start:%Y-%m-%dT%H:%M} (a misread year?): refused, the stop waits for review with an "
                                  f"empty end; in '{first.evidence[:80]}'"))
        rows.append({
            "window_no": n, "city": city or city_of_scheme(first.scheme), "scheme": first.scheme,
            "service": "、".join(w.services) or None, "service_text": w.service_text,
            "start_at": w.start, "end_at": w.end, "start_text": first.at_text, "end_text": end_text,
            "year_inferred": first.year_inferred or bool(w.end and win and win.source is not None and win.source.year_inferred
                                                          and win.rule != "range"),
            "end_source": END_SOURCE.get(win.rule) if win and w.end else None,
            "end_rule": (win.rule + "".join(f"+{m}" for m in win.modifiers)) if win else None,
            "end_alternatives": "; ".join(alternatives) or None,
            "end_close_call": bool(margin is not None and margin < CLOSE_MARGIN),
            "hours": hours, "evidence": first.evidence,
        })
        date_rules = [rule for column, rule, _, _ in first.notes if column == "start_at" or (win and win.rule == "range")]
        if win is not None and win.rule != "range" and win.source is not None and w.end is not None:
            date_rules += [rule for column, rule, _, _ in win.source.notes if column == "end_at"]
        level, reasons = window_confidence(
            win.rule if win else None, win.modifiers if win else (),
            bool(margin is not None and margin < CLOSE_MARGIN), date_rules, w.end is not None,
            all(st.inferred for st in w.stops),
            rival=any(c.at != w.end for c in w.link.losers),
            end_date_only=bool(win and win.source is not None and win.rule not in ("range", "moved_start")
                               and win.source.date_only and w.end is not None),
            from_table=all(st.from_table for st in w.stops),
            restatements_disagree=_disagreeing(w, windows),
            end_refused=refused is not None)
        rows[-1]["confidence"], rows[-1]["confidence_reasons"] = level, reasons
        rows[-1]["plausible"] = refused is None  # the plausibility checks (pipeline.repair.plausibility) may lower it
        for column, rule, value, ev in first.notes:
            if column == "end_at" and (win is None or win.rule != "range"):
                continue
            raw = first.at_text if column == "start_at" else (first.end_text or "")
            used = w.start if column == "start_at" else w.end
            if rule.startswith("year_") and used is not None:
                value = used.strftime("%Y-%m-%dT%H:%M")  # the value used, not only its year
            repairs.append(repair("outage_windows", column, raw, value, rule, ev))
        if win is not None and win.rule != "range" and win.source is not None and w.end is not None:
            for column, rule, value, ev in win.source.notes:
                if column != "end_at":
                    continue
                if rule.startswith("year_"):
                    value = w.end.strftime("%Y-%m-%dT%H:%M")
                repairs.append(repair("outage_windows", "end_at", win.text or "", value, rule, ev))
        repairs += _repairs_of_link(w)
    return rows, repairs
