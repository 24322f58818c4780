"""Events and revisions: one row per real-world interruption, from every notice that announces it.

``outage_windows`` has one row per window *a notice* announces, so one interruption announced
by several notices is several rows: a forum repost and a news report of one 通告 (the two Qingdao
2021 notices), a city's notice and a hospital's relaying it (Shaoxing 2020, one of them with its
years stripped), or an announcement and a follow-up that moves the stop (停机时间提前, 延期恢复, 更正).
:func:`build_events` clusters the windows of one place into **events** under named rules
(:data:`pipeline.vocab.codes.EVENT_JOIN_RULES`), records which rule joined each window
(``event_members``), and where the announcements disagree writes a **revision**: which notice
moved which end, by how much, announced when — or a conflict for a person when the order of
the notices is unknown.

How windows are joined (each rule is a candidate with a score; the strongest ties are taken
first, and an event never holds two windows of one notice — a notice's windows are distinct
interruptions by the contract):

- only windows of the same place: the same city (the window's own, else its notice's), or the
  same province for province-wide notices; a notice with neither stays on its own;
- the schemes are compatible (equal, or one applies to every scheme) and so are the services
  (the same family of :file:`vocab/data/services.csv`, or one stops everything — which joins
  only windows with the same start);
- then ``same_start_same_end`` > ``same_start`` > ``overlap`` > ``revision_cue`` (no overlap,
  but the later window says it moves the stop, starts within 31 days);
- a notice whose years are not printed (``year_unresolved`` repairs) supports the one event of
  its place whose start has its month, day and time (``undated_same_day``), and gives it no value;
- a window that failed a plausibility check (``outage_windows.plausible`` is false) is an event
  of its own, marked not plausible: the national views leave it out (``counted_events``).

Pure: plain rows in, plain rows out. :func:`write_event_tables` is the publish step that reads
the staged contract tables and writes ``events``, ``event_members`` and ``revisions`` beside them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

from pipeline.vocab.codes import EVENT_JOIN_MODIFIERS, EVENT_JOIN_RULES

# How far apart two starts may be for a revision cue to join non-overlapping windows: a
# follow-up moves a stop by days, not by months (a year-end stop a year later is another event).
CUE_REACH = timedelta(days=31)
CONFIDENCE_RANK = {"reviewed": 3, "high": 2, "medium": 1, "low": 0}
SERVICE_SEP = "、"


@cache
def _families() -> dict[str, frozenset[str]]:
    """Canonical service → its families (``services.csv``): ``"刷卡结算"`` → ``{"settlement"}``."""
    from pipeline.vocab.terms import load_rows

    out: dict[str, set[str]] = defaultdict(set)
    for row in load_rows("services"):
        out[row["service"]].add(row["family"])
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _cues() -> tuple[tuple[str, str], ...]:
    """``revision_cues.csv``: ``(("提前至", "advanced"), …, ("调整为", ""))``, longest first."""
    from pipeline.vocab.terms import load_rows

    return tuple((r["term"], r["kind"]) for r in load_rows("revision_cues"))


def revision_cue(text: str | None) -> str | None:
    """The revision a sentence or title announces, or ``None``.

    ``revision_cue("跨省相关业务停机时间提前至18时")`` → ``"advanced"``;
    ``revision_cue("关于医保系统停机时间的更正公告")`` → ``"corrected"``;
    ``revision_cue("停机时间调整为3月5日")`` → ``""`` (a move, direction from the dates);
    ``revision_cue("请参保人员提前缴费")`` → ``None`` (提前 without 至/到 moves nothing).
    """
    if not text:
        return None
    found = [kind for term, kind in _cues() if term in text]
    if not found:
        return None
    return "corrected" if "corrected" in found else found[0]


@lru_cache(maxsize=4096)
def services_of(service: str | None) -> tuple[str, ...] | None:
    """``"刷卡结算、零星报销"`` → ``("刷卡结算", "零星报销")``; ``None`` (everything stops) → ``None``."""
    if not service:
        return None
    return tuple(s.strip() for s in service.split(SERVICE_SEP) if s.strip())


@lru_cache(maxsize=4096)
def families_of(service: str | None) -> frozenset[str] | None:
    """Service families of a window: ``"刷卡结算、退费"`` → ``{"settlement", "refund"}``; everything → ``None``.

    A service the vocabulary does not know is its own family (``"term:跨省相关业务"``).
    """
    parts = services_of(service)
    if parts is None:
        return None
    fams: set[str] = set()
    for s in parts:
        fams |= _families().get(s, frozenset({f"term:{s}"}))
    return frozenset(fams)


@dataclass(frozen=True)
class Place:
    """Where an interruption happens: ``Place("city", "青岛市", "山东省", "city:青岛市")``."""

    scope: str
    city: str | None
    province: str | None
    key: str


def place_of(window: Mapping[str, Any], notice: Mapping[str, Any]) -> Place:
    """The window's own city, else its notice's; else the notice's province; else the notice alone.

    ``place_of({"city": None}, {"city": "青岛市", "province": "山东省", "notice_id": "…"})`` →
    ``Place("city", "青岛市", "山东省", "city:青岛市")``.
    """
    city = window.get("city") or notice.get("city")
    province = notice.get("province")
    if city:
        return Place("city", city, province, f"city:{city}")
    if province:
        return Place("province", None, province, f"province:{province}")
    return Place("unknown", None, None, f"notice:{notice['notice_id']}")


@dataclass
class Win:
    """One outage window with what clustering needs of it and of its notice."""

    notice_id: str
    window_no: int
    place: Place
    scheme: str | None
    service: str | None
    start: datetime
    end: datetime | None
    year_inferred: bool
    confidence: str
    evidence: str
    end_rule: str | None
    plausible: bool
    announced: date | None
    source_file: str
    cue: str | None  # revision_cue of the window's sentence or its notice's title
    order: int = 0  # announcement order within its place

    def __post_init__(self) -> None:
        # looked up for every candidate pair: computed once
        self.services = services_of(self.service)
        self.service_set = frozenset(self.services or ())
        self.families = families_of(self.service)

    @property
    def ref(self) -> str:
        return f"{self.notice_id}#{self.window_no}"

    @property
    def last(self) -> datetime:
        """The last moment the window covers for overlap tests: its end, or its start when open."""
        return self.end or self.start


def announcement_key(announced: date | None, source_file: str, window_no: int = 0) -> tuple:
    """Announcement order: dated notices by date, undated after them, then by file name."""
    return (announced is None, announced or date.max, source_file, window_no)


@dataclass(frozen=True, slots=True)
class Tie:
    """A candidate join of two windows under a rule: ``Tie("same_start", 95, ("same_service",), i, j)``."""

    rule: str
    score: int
    modifiers: tuple[str, ...]
    a: int
    b: int


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "date") and not isinstance(value, date):
        return value.date()
    return value


def _overlap(a: Win, b: Win) -> bool:
    """Two windows share time: closed windows overlap strictly; an open window's start lies in the other."""
    if a.end is None and b.end is None:
        return a.start == b.start
    if a.end is None:
        return b.start <= a.start < b.last
    if b.end is None:
        return a.start <= b.start < a.last
    return a.start < b.last and b.start < a.last


def join_candidate(a: Win, b: Win) -> tuple[str, int, tuple[str, ...]] | None:
    """The rule that may join two windows of one place, its score and modifiers, or ``None``.

    Two announcements of 青岛市's stop ``2021-11-21 20:00`` of the same services, one with the end
    ``2021-11-30 20:00`` and one cut off before it → ``("same_start", 95, ("same_service",))``.
    """
    if a.notice_id == b.notice_id or a.place.key != b.place.key or not (a.plausible and b.plausible):
        return None
    modifiers: list[str] = []
    fa, fb = a.families, b.families
    if fa is None and fb is None:
        modifiers.append("same_service")
    elif fa is None or fb is None:
        modifiers.append("covers_services")
    elif not fa & fb:
        return None
    elif a.service_set == b.service_set:
        modifiers.append("same_service")
    if a.scheme != b.scheme:
        if a.scheme and b.scheme:
            return None
        modifiers.append("covers_scheme")
    if a.start == b.start:
        rule = "same_start_same_end" if a.end is not None and a.end == b.end else "same_start"
    elif _overlap(a, b):
        rule = "overlap"
    elif (a.cue is not None or b.cue is not None) and abs(a.start - b.start) <= CUE_REACH:
        rule = "revision_cue"
    else:
        return None
    if rule in ("overlap", "revision_cue") and any(m.startswith("covers_") for m in modifiers):
        # another start and another scope: a stop of everything and a longer stop of one part
        # are two interruptions, not one told twice
        return None
    score = EVENT_JOIN_RULES[rule][0]
    for m in modifiers:
        score += EVENT_JOIN_MODIFIERS[m][0]
    return rule, score, tuple(modifiers)


class _Clusters:
    """Union–find over windows that refuses to put two windows of one notice together."""

    def __init__(self, wins: list[Win]) -> None:
        self.parent = list(range(len(wins)))
        self.notices: list[set[str]] = [{w.notice_id} for w in wins]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        # isdisjoint stops at the first notice the two share: two big clusters of copies of the same
        # notices (a place with hundreds of them) are refused at once, not after comparing every notice
        if ri == rj or not self.notices[ri].isdisjoint(self.notices[rj]):
            return False
        if rj < ri:
            ri, rj = rj, ri
        self.parent[rj] = ri
        small, big = sorted((self.notices[ri], self.notices[rj]), key=len)
        big |= small  # the smaller set into the bigger: every notice is moved O(log n) times at most
        self.notices[ri], self.notices[rj] = big, set()
        return True


def _ties(wins: list[Win]) -> list[Tie]:
    """Every candidate join among one place's windows, strongest first (ties: announcement order).

    A pair can only join by starting together, by overlapping, or by a revision cue within
    :data:`CUE_REACH` (:func:`join_candidate`). Windows are taken in order of start: for each,
    the later starts up to its own last moment are tried (they may overlap it), and past that
    only the windows a cue may join — all of them when this window has a cue, else only those
    that have one (found by bisection among the cue windows). So the pairs tried grow with the
    windows that overlap, not with every window within a month: 208,743 pairs at 10,000
    generated notices became 24,131, with the same ties.
    """
    from bisect import bisect_left, bisect_right

    ordered = sorted(range(len(wins)), key=lambda i: wins[i].start)
    starts = [wins[i].start for i in ordered]
    cued = [pos for pos, i in enumerate(ordered) if wins[i].cue is not None]
    cued_starts = [starts[pos] for pos in cued]
    ties = []

    def tie(i: int, j: int) -> None:
        found = join_candidate(wins[i], wins[j])
        if found:
            a, b = sorted((i, j), key=lambda k: wins[k].order)
            ties.append(Tie(found[0], found[1], found[2], a, b))

    for pos, i in enumerate(ordered):
        w = wins[i]
        last = max(w.start, w.last)
        end = bisect_right(starts, last, lo=pos + 1)
        for j in ordered[pos + 1:end]:  # starts up to this window's last moment: may overlap it
            tie(i, j)
        reach = w.start + CUE_REACH
        if reach <= last:
            continue
        if w.cue is not None:  # beyond: only a revision cue joins, and this window has one
            for j in ordered[end:bisect_right(starts, reach, lo=end)]:
                tie(i, j)
        else:  # beyond: only windows with a cue of their own
            lo = bisect_left(cued, end)
            for k in range(lo, bisect_right(cued_starts, reach, lo=lo)):
                tie(i, ordered[cued[k]])
    ties.sort(key=lambda t: (-t.score, wins[t.a].order, wins[t.b].order))
    return ties


@dataclass
class EventTables:
    """What :func:`build_events` returns: rows of ``events``, ``event_members`` and ``revisions``."""

    events: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: EventTables) -> None:
        self.events += other.events
        self.members += other.members
        self.revisions += other.revisions


def event_id(anchor: Win) -> str:
    """``event_id`` of an event: the first 16 hex digits of SHA-256 of its anchor's ``notice_id:window_no``."""
    return hashlib.sha256(f"{anchor.notice_id}:{anchor.window_no}".encode()).hexdigest()[:16]


def build_events(
    windows: Iterable[Mapping[str, Any]],
    notices: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
    undated: Iterable[Mapping[str, Any]] = (),
) -> EventTables:
    """Cluster outage windows into events; plain rows in, plain rows out.

    ``windows``: ``outage_windows`` rows (``plausible`` is read when present, true otherwise);
    ``notices``: ``notices`` rows (``notice_id, source_file, city, province, published_on,
    title``), or a mapping of them by notice_id; ``undated``: the ``year_unresolved`` repairs of window starts
    (``notice_id, raw_value``), whose notices may support an event by month and day.

    The two Qingdao 2021 notices (a forum repost cut off before the end, a news report with
    the end 2021-11-30 20:00) → two events of 青岛市, each with two members joined by
    ``same_start`` and ``agree`` true (an end left out is not a disagreement).
    """
    notice_of = notices if isinstance(notices, Mapping) else {n["notice_id"]: n for n in notices}
    wins: list[Win] = []
    for w in windows:
        n = notice_of[w["notice_id"]]
        evidence = w.get("evidence") or ""
        cue = revision_cue(evidence)
        wins.append(Win(
            notice_id=w["notice_id"], window_no=int(w["window_no"]), place=place_of(w, n),
            scheme=w.get("scheme") or None, service=w.get("service") or None,
            start=_as_datetime(w["start_at"]), end=_as_datetime(w.get("end_at")),
            year_inferred=bool(w.get("year_inferred")), confidence=w.get("confidence") or "medium",
            evidence=evidence, end_rule=w.get("end_rule"),
            plausible=w.get("plausible") is not False,  # the column may not exist yet: plausible unless flagged
            announced=_as_date(n.get("published_on")), source_file=n["source_file"],
            cue=cue if cue is not None else revision_cue(n.get("title")),
        ))
    by_place: dict[str, list[Win]] = defaultdict(list)
    for w in wins:
        by_place[w.place.key].append(w)
    undated_by_notice: dict[str, list[str]] = defaultdict(list)
    for r in undated:
        if r.get("raw_value"):
            undated_by_notice[r["notice_id"]].append(r["raw_value"])
    undated_by_place: dict[str, list[tuple[Mapping[str, Any], list[str]]]] = defaultdict(list)
    for nid, raws in undated_by_notice.items():
        if nid in notice_of:
            n = notice_of[nid]
            undated_by_place[place_of({}, n).key].append((n, raws))
    out = EventTables()
    for key in sorted(by_place):
        out.extend(_place_events(by_place[key], undated_by_place.get(key, [])))
    return out


def _place_events(wins: list[Win], undated: list[tuple[Mapping[str, Any], list[str]]]) -> EventTables:
    """The events of one place."""
    wins = sorted(wins, key=lambda w: announcement_key(w.announced, w.source_file, w.window_no))
    for k, w in enumerate(wins):
        w.order = k
    ties = _ties(wins)
    clusters = _Clusters(wins)
    for t in ties:
        clusters.union(t.a, t.b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(wins)):
        groups[clusters.find(i)].append(i)
    events = [sorted(members, key=lambda i: wins[i].order) for members in groups.values()]
    events.sort(key=lambda members: wins[members[0]].order)
    ids = [event_id(wins[m[0]]) for m in events]
    event_of = {i: k for k, members in enumerate(events) for i in members}

    # the strongest tie of each window inside its event, and the best ones to other events
    best_in: dict[int, Tie] = {}
    best_out: dict[int, dict[int, Tie]] = defaultdict(dict)
    for t in ties:  # strongest first
        for me, other in ((t.a, t.b), (t.b, t.a)):
            if event_of[me] == event_of[other]:
                best_in.setdefault(me, t)
            else:
                best_out[me].setdefault(event_of[other], t)
    dateless = _dateless_members(wins, events, undated)
    siblings: dict[str, list[Win]] = defaultdict(list)
    for w in wins:
        siblings[w.notice_id].append(w)

    out = EventTables()
    for k, members in enumerate(events):
        rows = _event_rows(ids[k], [wins[i] for i in members], dateless.get(k, []), siblings)
        member_rows = []
        for i in members:
            w = wins[i]
            tie = None if i == members[0] else best_in.get(i)  # the anchor is the first announcement
            other = None if tie is None else wins[tie.b if tie.a == i else tie.a]
            lost = sorted(best_out.get(i, {}).items(), key=lambda kv: -kv[1].score)
            alternatives = "; ".join(f"{ids[e]} {t.rule} ({t.score})" for e, t in lost[:3]) or None
            score = tie.score if tie else 0
            member_rows.append({
                "event_id": ids[k], "notice_id": w.notice_id, "window_no": w.window_no, "source_file": w.source_file,
                "published_on": w.announced, "start_at": w.start, "end_at": w.end,
                "join_rule": tie.rule if tie else "anchor", "join_score": score,
                "join_modifiers": "+".join(tie.modifiers) or None if tie else None,
                "joined_to": other.ref if other else None,
                "join_margin": float(score - lost[0][1].score) if lost else None,
                "join_alternatives": alternatives, "join_evidence": None,
            })
        rows.members = member_rows + rows.members  # the windows, then the notices joined without a date
        rows.events[0]["join_rules"] = sorted({m["join_rule"] for m in rows.members})
        out.extend(rows)
    return out


def undated_keys(raw: str) -> set[tuple]:
    """What a date printed without its year names, parsed by the date grammar: ``(month, day)`` and,
    when a time is printed, ``(month, day, hour, minute)``; ``24时`` is the next day's 00:00 (a
    year-less date has no calendar: 2月28日24时 is kept as 2月28日 24:00).

    ``undated_keys("年1月1日00:00")`` → ``{(1, 1, 0, 0)}``; ``undated_keys("年1月1日")`` → ``{(1, 1)}``.
    """
    from pipeline.extract.timeexpr import parse_points

    keys: set[tuple] = set()
    for p in parse_points(raw):
        if p.month is None or p.day is None or p.rel_day is not None or p.rel_month is not None:
            continue
        keys.add((p.month, p.day) if p.hour is None else (p.month, p.day, p.hour, p.minute or 0))
    return keys


def start_keys(start: datetime) -> set[tuple]:
    """The keys of :func:`undated_keys` that name this start: ``datetime(2020, 1, 9, 0, 0)`` →
    ``{(1, 9), (1, 9, 0, 0), (1, 8, 24, 0)}``."""
    keys = {(start.month, start.day), (start.month, start.day, start.hour, start.minute)}
    if start.hour == 0 and start.minute == 0:
        before = start - timedelta(days=1)
        keys.add((before.month, before.day, 24, 0))
    return keys


def _dateless_members(wins: list[Win], events: list[list[int]],
                      undated: list[tuple[Mapping[str, Any], list[str]]]) -> dict[int, list[dict[str, Any]]]:
    """Notices without printed years joined to the one event of their place that their dates name."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not undated:
        return out
    event_keys = [set().union(*(start_keys(wins[i].start) for i in members)) for members in events]
    for notice, raws in sorted(undated, key=lambda nr: nr[0]["source_file"]):
        # the most specific printed date first: "年1月1日00:00" before "年1月1日"
        printed = [(r, undated_keys(r)) for r in sorted(raws, key=len, reverse=True)]
        matches: dict[int, str] = {}
        for k, members in enumerate(events):
            if not wins[members[0]].plausible or any(wins[i].notice_id == notice["notice_id"] for i in members):
                continue
            raw = next((r for r, keys in printed if keys & event_keys[k]), None)
            if raw is not None:
                matches[k] = raw
        if len(matches) != 1:  # none, or several events of the place share that day: not joined
            continue
        (k, raw), = matches.items()
        anchor = wins[events[k][0]]
        out[k].append({
            "notice_id": notice["notice_id"], "source_file": notice["source_file"],
            "published_on": _as_date(notice.get("published_on")), "raw": raw, "joined_to": anchor.ref,
        })
    return out


def _settle(stated: list[tuple[Win, datetime]], which: str, latest: bool) -> tuple[datetime, Win, list[dict], bool]:
    """The value an event uses for one end, the window it comes from, the revisions, and whether they conflict.

    ``stated`` is in announcement order. When every announcement is dated and each date holds
    one value, the latest announcement wins and each change along the way is a revision
    (``later_notice``); otherwise the values conflict: the most confident, then the most
    stated value is used (for an end the later one, for a start the earlier one: the longer
    outage), and each other value is a ``conflict`` revision for a person.
    """
    values = {v for _, v in stated}
    if len(values) == 1:
        return stated[-1][1], stated[-1][0], [], False
    dated = all(w.announced is not None for w, _ in stated)
    by_day: dict[date, set[datetime]] = defaultdict(set)
    for w, v in stated:
        if w.announced is not None:
            by_day[w.announced].add(v)
    if dated and all(len(vs) == 1 for vs in by_day.values()):
        revisions, previous = [], stated[0]
        for w, v in stated[1:]:
            if v != previous[1]:
                revisions.append(_revision(which, previous, (w, v), "later_notice"))
                previous = (w, v)
        return previous[1], previous[0], revisions, False
    count = defaultdict(int)
    for _, v in stated:
        count[v] += 1
    best = max(stated, key=lambda wv: (CONFIDENCE_RANK.get(wv[0].confidence, 0), count[wv[1]],
                                        wv[1] if latest else -wv[1].timestamp()))
    revisions = []
    for v in sorted(values - {best[1]}):
        first = next(wv for wv in stated if wv[1] == v)
        revisions.append(_revision(which, first, best, "order_unknown"))
    return best[1], best[0], revisions, True


def _revision(which: str, before: tuple[Win, datetime], after: tuple[Win, datetime], rule: str) -> dict[str, Any]:
    """One ``revisions`` row (without event_id and revision_no): ``after`` moved ``which`` from ``before``'s value."""
    (wa, va), (wb, vb) = before, after
    delta = (vb - va).total_seconds() / 3600
    if rule == "order_unknown":
        kind = "conflict"
    elif wb.cue == "corrected":
        kind = "corrected"
    else:
        kind = "advanced" if delta < 0 else "postponed"
    return {
        "kind": kind, "moved": which, "from_value": va, "to_value": vb, "delta_hours": delta,
        "from_notice_id": wa.notice_id, "to_notice_id": wb.notice_id, "announced_on": wb.announced,
        "rule": rule, "needs_review": kind == "conflict", "evidence": wb.evidence,
    }


def _moved_within(members: list[Win], siblings: Mapping[str, list[Win]]) -> list[dict[str, Any]]:
    """Revisions a notice makes to itself: a window whose start it moves (``end_rule`` ``moved_start``).

    ``一、停机时间:2024年12月31日21时至2025年1月1日8时(跨省相关业务停机时间提前至18时)`` gives two
    windows; the second (18:00, ``moved_start``) was moved 3 hours earlier than the first.
    """
    out = []
    for w in members:
        if not w.end_rule or "moved_start" not in w.end_rule.split("+"):
            continue
        parents = [p for p in siblings.get(w.notice_id, []) if p.window_no != w.window_no and p.end == w.end
                   and p.evidence == w.evidence and p.start > w.start
                   and "moved_start" not in (p.end_rule or "").split("+")]
        if not parents:
            continue
        parent = min(parents, key=lambda p: p.start)
        out.append(_revision("start", (parent, parent.start), (w, w.start), "within_notice"))
    return out


def _event_rows(eid: str, members: list[Win], dateless: list[dict[str, Any]],
                siblings: Mapping[str, list[Win]]) -> EventTables:
    """One event's row, its revisions and its dateless members (window members are added by the caller).

    ``siblings`` are the windows of each notice of the place: a window whose start its notice
    moves (:func:`_moved_within`) sits in another event than the window it was moved from.
    """
    anchor = members[0]
    start, start_win, revisions, start_conflict = _settle([(w, w.start) for w in members], "start", latest=False)
    ends = [(w, w.end) for w in members if w.end is not None]
    end, end_win, end_conflict = None, None, False
    if ends:
        end, end_win, end_revisions, end_conflict = _settle(ends, "end", latest=True)
        revisions += end_revisions
    if end is not None and end < start:  # a moved start past an old end: the end is not known any more
        end, end_win = None, None
    revisions += _moved_within(members, siblings)
    for no, r in enumerate(revisions, start=1):
        r["event_id"], r["revision_no"] = eid, no

    notice_dates: dict[str, tuple[date | None, str]] = {}
    for w in members:
        notice_dates.setdefault(w.notice_id, (w.announced, w.source_file))
    for d in dateless:
        notice_dates.setdefault(d["notice_id"], (d["published_on"], d["source_file"]))
    order = sorted(notice_dates, key=lambda nid: announcement_key(*notice_dates[nid]))
    known = [d for d, _ in notice_dates.values() if d is not None]
    schemes = [w.scheme for w in members]
    scheme = None if any(s is None for s in schemes) else SERVICE_SEP.join(dict.fromkeys(schemes))
    services = [services_of(w.service) for w in members]
    service = None if any(s is None for s in services) else SERVICE_SEP.join(dict.fromkeys(s for ss in services for s in ss))
    reasons = []
    if start_conflict or end_conflict:
        reasons.append("conflicting_announcements")
    if dateless:
        reasons.append("joined_without_year")
    if any(w is not None and w.confidence == "low" for w in (start_win, end_win)):
        reasons.append("low_confidence")
    agree = len({w.start for w in members}) == 1 and len({w.end for w in members if w.end is not None}) <= 1
    event = {
        "event_id": eid, "city_scope": anchor.place.scope, "city": anchor.place.city, "province": anchor.place.province,
        "scheme": scheme, "service": service, "start_at": start, "end_at": end,
        "hours": None if end is None else (end - start).total_seconds() / 3600,
        "year_inferred": bool(start_win.year_inferred or (end_win is not None and end_win.year_inferred)),
        "notices": len(order), "windows": len(members), "notice_ids": order,
        "source_files": [notice_dates[nid][1] for nid in order],
        "first_announced_on": min(known, default=None), "last_announced_on": max(known, default=None),
        "undated_notices": sum(1 for d, _ in notice_dates.values() if d is None),
        "agree": agree, "revisions": len(revisions), "join_rules": [], "needs_review": bool(reasons),
        "review_reasons": reasons, "plausible": any(w.plausible for w in members),
    }
    out = EventTables(events=[event], revisions=revisions)
    for d in dateless:
        out.members.append({
            "event_id": eid, "notice_id": d["notice_id"], "window_no": None, "source_file": d["source_file"],
            "published_on": d["published_on"], "start_at": None, "end_at": None, "join_rule": "undated_same_day",
            "join_score": EVENT_JOIN_RULES["undated_same_day"][0], "join_modifiers": None, "joined_to": d["joined_to"],
            "join_margin": None, "join_alternatives": None, "join_evidence": d["raw"],
        })
    return out


# ---------------------------------------------------------------------------------------------
# publish step


def frame_of(model: Any, rows: list[dict[str, Any]]):
    """Rows → a validated DataFrame with exactly the model's columns, in order."""
    import pandas as pd

    from schemas.tables import column_specs, empty_frame

    cols = [c.name for c in column_specs(model)]
    if not rows:
        return model.validate(empty_frame(model))
    frame = pd.DataFrame(rows)
    unknown = set(frame.columns) - set(cols)
    if unknown:  # a misspelt key must not silently become an empty column
        raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
    for col in cols:
        if col not in frame.columns:
            frame[col] = None
    return model.validate(frame[cols])


# Events written per Parquet row group: a few thousand places' rows at a time, so building the
# tables costs the same memory at any corpus size (the windows are read one place at a time).
FLUSH_EVENTS = 20_000


def _place_key_sql(window: str, notice: str) -> str:
    """SQL for :func:`place_of`'s key (the two must agree: the rows of one key are built together)."""
    city = f"coalesce({window}city, {notice}city)" if window else f"{notice}city"
    return (f"CASE WHEN {city} IS NOT NULL THEN 'city:' || {city} "
            f"WHEN {notice}province IS NOT NULL THEN 'province:' || {notice}province "
            f"ELSE 'notice:' || {notice}notice_id END")


_NOTICE_COLUMNS = ("source_file", "city", "province", "published_on", "title")


def events_by_place(con: Any, folder: Path, places: Any = None) -> Iterator[tuple[str, EventTables]]:
    """``(place key, its events)`` for every place of the contract tables staged in ``folder``, in order
    of place key — or only for the place keys in ``places`` (an incremental run's touched places).

    Reads ``notices.parquet``, ``outage_windows.parquet`` and ``repairs.parquet`` there through the
    DuckDB connection ``con``: the windows one place at a time, each with its notice's columns, so
    no table is held whole (the notices a place needs come with its windows).
    """
    from pipeline.publish.views import fetch_dicts

    paths = [str(folder / f"{t}.parquet") for t in ("outage_windows", "notices")]
    notice_cols = ", ".join(f"n.{c} AS n_{c}" for c in _NOTICE_COLUMNS)
    only = "" if places is None else "WHERE place_key IN (SELECT unnest(?::VARCHAR[]))"
    params = [] if places is None else [sorted(places)]
    undated: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in fetch_dicts(con, f"""
            SELECT * FROM (
                SELECT r.notice_id, r.raw_value, {notice_cols}, {_place_key_sql('', 'n.')} AS place_key
                FROM read_parquet(?) r JOIN read_parquet(?) n USING (notice_id)
                WHERE r.rule = 'year_unresolved' AND r.table_name = 'outage_windows' AND r.column_name = 'start_at'
            ) {only}
            ORDER BY n_source_file, raw_value""", [str(folder / "repairs.parquet"), paths[1], *params]):
        undated[r["place_key"]].append(r)
    cur = con.execute(f"""
        SELECT * FROM (
            SELECT w.*, {notice_cols}, {_place_key_sql('w.', 'n.')} AS place_key
            FROM read_parquet(?) w JOIN read_parquet(?) n USING (notice_id)
        ) {only}
        ORDER BY place_key, notice_id, window_no""", [*paths, *params])
    names = [d[0] for d in cur.description]

    def window_rows() -> Iterator[dict[str, Any]]:
        while batch := cur.fetchmany(5000):
            yield from (dict(zip(names, r, strict=True)) for r in batch)

    for key, group in groupby(window_rows(), key=lambda r: r["place_key"]):
        windows = list(group)
        here = undated.get(key, [])
        notices = {r["notice_id"]: {"notice_id": r["notice_id"], **{c: r[f"n_{c}"] for c in _NOTICE_COLUMNS}}
                   for r in windows + here}
        yield key, build_events(windows, notices, here)


def write_event_tables(folder: Path) -> dict[str, int]:
    """``events``, ``event_members`` and ``revisions`` from the contract tables staged in ``folder``.

    Builds the events one place at a time (:func:`events_by_place`), validates them against their
    pandera models (:data:`schemas.tables.DERIVED_TABLES`) and writes ``TABLE.parquet`` and
    ``TABLE.csv`` beside them; returns the rows per table: ``write_event_tables(staging)`` →
    ``{"events": 73, …}``. The caller (the run's output generation) builds the database and moves
    the files into place.
    """
    import duckdb

    from pipeline.publish.tables import DUCKDB_SETTINGS

    con = duckdb.connect()
    try:
        for setting in DUCKDB_SETTINGS:
            con.execute(setting)
        con.execute("SET enable_progress_bar = false")  # the rows are consumed slower than read: no bar on the terminal
        with EventWriter(folder) as writer:
            for _, tables in events_by_place(con, folder):
                writer.add(tables)
            return writer.close()
    finally:
        con.close()


class EventWriter:
    """``events``, ``event_members`` and ``revisions`` written into ``folder`` (Parquet and CSV) as they
    come, validated :data:`FLUSH_EVENTS` events at a time; ``close()`` → rows per table.

    ``extra`` columns (an incremental run's place keys) are kept on the validated rows for a caller
    that writes somewhere else: see :func:`validated_tables`.
    """

    KEYS = {"events": "events", "event_members": "members", "revisions": "revisions"}

    def __init__(self, folder: Path) -> None:
        import pyarrow.parquet as pq

        from pipeline.publish.tables import arrow_schema, open_csv
        from schemas.tables import DERIVED_TABLES, column_specs

        self.specs = {t.name: (t.model, column_specs(t.model)) for t in DERIVED_TABLES}
        self.rows = {name: 0 for name in self.specs}
        self.pending = EventTables()
        self.writers: dict[str, Any] = {}
        self.files: dict[str, Any] = {}
        try:
            for name, (_, cols) in self.specs.items():
                self.writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", arrow_schema(cols))
                self.files[name] = open_csv(folder / f"{name}.csv", cols)
        except BaseException:
            self._close_files()
            raise

    def add(self, tables: EventTables) -> None:
        self.pending.extend(tables)
        if len(self.pending.events) >= FLUSH_EVENTS:
            self.flush()

    def write(self, name: str, table: Any) -> None:
        """Append rows already validated and in the table's Arrow schema."""
        from pipeline.publish.tables import write_csv

        if table.num_rows:
            self.writers[name].write_table(table)
            write_csv(table, self.specs[name][1], self.files[name])
            self.rows[name] += table.num_rows

    def flush(self) -> None:
        for name, table in validated_tables(self.pending, self.specs).items():
            self.write(name, table)
        self.pending = EventTables()

    def close(self) -> dict[str, int]:
        self.flush()
        self._close_files()
        return self.rows

    def _close_files(self) -> None:
        for w in self.writers.values():
            w.close()
        for f in self.files.values():
            f.close()
        self.writers, self.files = {}, {}

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_files()


def validated_tables(tables: EventTables, specs: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """Rows of the three event tables → validated Arrow tables of their schemas (empty ones left out)."""
    from pipeline.publish.tables import to_arrow

    out = {}
    for name, (model, cols) in specs.items():
        part = getattr(tables, EventWriter.KEYS[name])
        if part:
            out[name] = to_arrow(frame_of(model, part), cols)
    return out


def create_event_tables(con: Any) -> bool:
    """Build ``events``, ``event_members`` and ``revisions`` inside a DuckDB connection that lacks them.

    For a database loaded from the six contract tables alone (the Parquet route of
    docs/querying.md, the tests' in-memory databases): reads ``notices``, ``outage_windows`` and
    ``repairs`` there and inserts the derived tables. Returns whether it built them
    (``False`` when ``events`` already exists, as in every ``notices.duckdb`` a run writes).
    """
    from pipeline.publish.tables import duckdb_ddl, to_arrow
    from pipeline.publish.views import fetch_dicts
    from schemas.tables import DERIVED_TABLES, column_specs

    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events' "
                         "AND schema_name = current_schema()").fetchone()[0]
    if exists:
        return False
    notices = fetch_dicts(con, "SELECT notice_id, source_file, city, province, published_on, title FROM notices")
    windows = fetch_dicts(con, "SELECT * FROM outage_windows")
    undated = fetch_dicts(con, "SELECT notice_id, raw_value FROM repairs WHERE rule = 'year_unresolved' "
                               "AND table_name = 'outage_windows' AND column_name = 'start_at'")
    built = build_events(windows, notices, undated)
    for spec in DERIVED_TABLES:
        cols = column_specs(spec.model)
        con.execute(duckdb_ddl(spec.name, cols))
        part = getattr(built, {"event_members": "members"}.get(spec.name, spec.name))
        if part:
            con.register("incoming_rows", to_arrow(frame_of(spec.model, part), cols))
            con.execute(f"INSERT INTO {spec.name} SELECT * FROM incoming_rows")
            con.unregister("incoming_rows")
    return True
