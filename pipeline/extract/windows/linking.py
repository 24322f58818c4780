"""Step 2 of windows: give every stop its end, by a scored choice among explicit candidates.

The candidates of a stop are its own printed end, each resumption stated in the notice (of the
same service, of everything, the new system's go-live), an open end (另行通知) said of it, and
the end of the notice's main window. Hard rules drop a candidate outright; named rules score
the rest; the highest score wins and the choice is recorded with the runner-up, so a reader
(and the confidence of a row) can see why.

Hard rules: the end is after the start and at most a year after it (``MAX_WINDOW``); a deadline for people is never an end (it is not a
candidate at all, see :mod:`~pipeline.extract.windows.mentions`); a resumption of another
system (养老 vs 医保) or of a disjoint service (征收 vs 关系转移) or stated under another scheme's
heading is not this stop's; a range's printed end is kept unless the same service is said to
restart later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.extract.windows.mentions import Mention, Mentions
from pipeline.extract.windows.subject import Subject, domain_conflict, relation

# Scores of the named rules. A printed end is the strongest evidence; a resumption stated in the
# same sentence or label/value block comes next; then a resumption of the same service, then
# statements about everything; the main window is the last resort.
SCORES: dict[str, float] = {
    "moved_start": 60,  # "停机时间提前至18时": the end of the window whose start it moves
    "range": 50,
    "open_same_sentence": 48,
    "paired_in_sentence": 45,
    "label_value_block": 45,
    "open_same_service": 34,
    "same_service": 30,
    "same_family": 26,
    "general_resumption": 20,
    "go_live": 18,
    "open_general": 12,
    "partial_resumption": 8,
    "unrelated_resumption": 6,
    "main_window": 3,
}
BONUS: dict[str, float] = {
    "later_restart": 25,  # the same service restarts after the range's printed end: that is the end
    "same_section": 4,
    "go_live_statement": 2,
    "owned_by_other_stop": -15,  # stated right after another stop, about another subject
    "date_only": -3,  # a day without a time is a weaker statement than a moment
}
# candidates closer than this are reported as a close call
CLOSE_MARGIN = 5.0
# no stop of these systems lasts a year: an end further than this from its start is a misread year
# ("2023年12月31日20:00至2025年1月1日24:00"), refused as a hard rule and sent to review
MAX_WINDOW = timedelta(days=366)


@dataclass(frozen=True)
class Candidate:
    """One possible end of a stop: ``Candidate("same_service", 2022-02-15 00:00, …, 34.0, ("same_section",))``."""

    rule: str
    at: datetime | None
    text: str | None
    evidence: str
    score: float
    modifiers: tuple[str, ...] = ()
    source: Mention | None = None

    def describe(self) -> str:
        """``"2022-02-15T00:00 same_service+same_section (34)"``."""
        when = self.at.strftime("%Y-%m-%dT%H:%M") if self.at else "open"
        mods = "".join(f"+{m}" for m in self.modifiers)
        return f"{when} {self.rule}{mods} ({self.score:g})"


@dataclass
class Link:
    """The end chosen for one stop, the candidate that won and those that lost."""

    stop: Mention
    winner: Candidate | None
    losers: list[Candidate] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (candidate, hard rule that dropped it)

    @property
    def end(self) -> datetime | None:
        return self.winner.at if self.winner else None

    @property
    def margin(self) -> float | None:
        """Score of the winner minus that of the best loser with another end (None without one)."""
        if self.winner is None:
            return None
        rivals = [c.score for c in self.losers if c.at != self.winner.at]
        return self.winner.score - max(rivals) if rivals else None


def _resumption(stop: Mention, res: Mention, same_subject: Subject) -> Candidate | str:
    """Score one resumption as an end of ``stop``, or name the hard rule that excludes it."""
    assert stop.at is not None and res.at is not None
    if res.at <= stop.at:
        return "end_not_after_start"
    if res.at - stop.at > MAX_WINDOW:
        return "end_beyond_a_year"
    if res.scheme and stop.scheme and res.scheme != stop.scheme:
        return "other_scheme"
    if domain_conflict(same_subject, res.subject):
        return "other_domain"
    rel = relation(same_subject, res.subject)
    mods: list[str] = []
    if res.pair is not None and res.pair in (stop.order, stop.group) and rel != "conflict":
        rule = "paired_in_sentence"
    elif stop.block is not None and res.block == stop.block and rel != "conflict":
        rule = "label_value_block"
    elif rel == "same_service":
        rule = "same_service"
    elif rel == "same_family":
        rule = "same_family"
    elif rel == "general":
        rule = "go_live" if res.go_live and not res.subject.text.strip() else "general_resumption"
    elif rel == "conflict":
        return "other_service"
    elif res.go_live:
        rule = "go_live"
    elif rel == "stop_general":
        rule = "partial_resumption"
    else:
        rule = "unrelated_resumption"
    score = SCORES[rule]
    if stop.end is not None:
        # a printed range keeps its end unless the same service is said to restart after it
        same = rule in ("paired_in_sentence", "label_value_block", "same_service", "same_family")
        if same and res.at == stop.end:
            return "confirms_range"
        if not same or res.at < stop.end:
            return "range_end_printed"
        mods.append("later_restart")
    if res.section == stop.section:
        mods.append("same_section")
    if res.go_live and rule not in ("go_live",):
        mods.append("go_live_statement")
    if res.pair is not None and res.pair not in (stop.order, stop.group) and rule not in ("same_service",):
        mods.append("owned_by_other_stop")
    if res.date_only and not stop.date_only:
        mods.append("date_only")
    score += sum(BONUS[m] for m in mods)
    return Candidate(rule, res.at, res.at_text, res.evidence, score, tuple(mods), res)


def _open(stop: Mention, op: Mention, same_subject: Subject) -> Candidate | None:
    if stop.end is not None:
        return None  # a printed end is not undone by an open statement elsewhere
    if op.sentence_no == stop.sentence_no:
        return Candidate("open_same_sentence", None, None, op.evidence, SCORES["open_same_sentence"], (), op)
    if op.scheme and stop.scheme and op.scheme != stop.scheme:
        return None
    rel = relation(same_subject, op.subject)
    if rel == "same_service" and not domain_conflict(same_subject, op.subject):
        return Candidate("open_same_service", None, None, op.evidence, SCORES["open_same_service"], (), op)
    if not op.subject.services and op.subject.general and op.section == stop.section and not op.subject.domains - same_subject.domains:
        return Candidate("open_general", None, None, op.evidence, SCORES["open_general"], (), op)
    return None


def link_stop(stop: Mention, found: Mentions, main: Mention | None, subject: Subject | None = None,
              group_opens: tuple[int, ...] = ()) -> Link:
    """Choose the end of one stop (``subject`` narrows it to one of its systems, see
    :func:`~pipeline.extract.windows.subject.split_by_domain`).

    ``"2022年2月6日0时起,暂停办理参保登记…"`` with ``"2月15日起,经办窗口业务逐步恢复"`` and
    ``"2月15日0时起,正式启用…平台,逐步恢复…实时结算"`` → the window's end is the resumption of
    the agency business, not of settlement.
    """
    subj = subject or stop.subject
    link = Link(stop, None)
    cands: list[Candidate] = []
    if stop.parent is not None:
        parent = next((s for s in found.stops if s.order == stop.parent), None)
        if parent is not None and parent.end is not None and parent.end - stop.at <= MAX_WINDOW:  # type: ignore[operator]
            cands.append(Candidate("moved_start", parent.end, parent.end_text, parent.evidence, SCORES["moved_start"], (), parent))
    if stop.end is not None and stop.at is not None and stop.end - stop.at > MAX_WINDOW:
        # the printed end is a misread year: refused; the printed range still bars other ends (none wins)
        link.excluded.append((f"{stop.end:%Y-%m-%dT%H:%M} {stop.end_text or ''}", "printed_end_beyond_a_year"))
    elif stop.end is not None:
        cands.append(Candidate("range", stop.end, stop.end_text, stop.evidence, SCORES["range"]))
    for res in found.resumes:
        c = _resumption(stop, res, subj)
        if isinstance(c, str):
            link.excluded.append((f"{res.at:%Y-%m-%dT%H:%M} {res.evidence[:40]}", c))
        else:
            cands.append(c)
    for op in found.opens:
        c = _open(stop, op, subj)
        if c is None and op.sentence_no in group_opens and stop.end is None:
            c = Candidate("open_same_sentence", None, None, op.evidence, SCORES["open_same_sentence"] - 2, ("same_list",), op)
        if c is not None:
            cands.append(c)
    if main is not None and main is not stop and main.end is not None and stop.at is not None and main.end > stop.at \
            and stop.end is None and main.end - stop.at <= MAX_WINDOW:
        cands.append(Candidate("main_window", main.end, main.end_text, main.evidence, SCORES["main_window"], (), main))
    if any(rule == "confirms_range" for _, rule in link.excluded):
        # a resumption at the printed end confirms the range: a later, fuller restart does not move it
        cands = [c for c in cands if "later_restart" not in c.modifiers]
    if not cands:
        return link
    # the highest score wins; between equals, the earliest end (the first time the service returns)
    ranked = sorted(cands, key=lambda c: (-c.score, c.at or datetime.max))
    link.winner, link.losers = ranked[0], ranked[1:]
    return link


def main_window(stops: list[Mention]) -> Mention | None:
    """The notice's main window: the longest-lasting range that stops everything, else any range."""
    ranges = [s for s in stops if s.end is not None and s.at is not None and s.end - s.at <= MAX_WINDOW]
    general = [s for s in ranges if s.service is None]
    return max(general or ranges, key=lambda s: s.end, default=None)  # type: ignore[arg-type,return-value]


def upgrade_date_only(resumes: list[Mention]) -> None:
    """A resumption stated as a day (``12月10日,…切换到新平台``) takes the moment stated for the
    same day elsewhere (``12月10日9:00时起,恢复各项医保业务``): one resumption, stated twice."""
    timed = [r for r in resumes if not r.date_only and r.at is not None]
    for r in resumes:
        if not r.date_only or r.at is None:
            continue
        same_day = [t for t in timed if t.at.date() == r.at.date() and not domain_conflict(r.subject, t.subject)]  # type: ignore[union-attr]
        if len({t.at for t in same_day}) == 1:
            r.at, r.at_text, r.date_only = same_day[0].at, same_day[0].at_text, False
