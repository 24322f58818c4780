"""``python -m pipeline report [--out DIR] [--lang zh|en]``: a self-contained HTML page for regulators.

The page compares how cities rolled out the cutover, in Chinese by default (``--lang en`` for
English): the national picture (how many cities were down each day, a rollout calendar by
province and month, which cities of each province published a notice, the longest outages),
a comparison table, a timeline of the cities with the longest rollouts, one card per city, the
changes between announcements (revisions), the rows that need review, the repairs and the
errors. A province filter narrows every section to one province. Everything national counts
**events** (one real-world interruption, however many notices announce it), read from the view
``counted_events`` — the one place that leaves implausible events out.

It stays readable and small at any corpus size: everything national is an aggregate computed
in DuckDB, and the per-city detail is capped (the cap shrinks as the number of cities grows),
so the page grows with the number of cities — a few hundred — not with the notices. Its data
is read from the views of ``notices.duckdb`` (opened read-only) with bounded queries.

The markup is in Jinja2 templates (``pipeline/publish/templates/``) rendered with autoescape,
so every value that comes from a notice is escaped by the template engine; this module reads
the data and computes what the templates draw (chart geometry, ordering, captions).
Self-contained means: no network. CSS, the SVG charts and one small script are inline, and a
Content-Security-Policy forbids loading anything else, so the page works from a USB stick and
a notice that smuggles markup in cannot make it fetch or run anything. Captions and messages
come from :mod:`pipeline.publish.captions`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pipeline.publish.captions import (
    DEFAULT_LANG,
    alternatives_zh,
    code,
    codes_zh,
    column,
    display_width,
    end_rule_zh,
    evidence_text,
    fmt_date,
    fmt_datetime,
    fmt_duration,
    fmt_month,
    repaired_text,
    text,
)
from pipeline.publish.tables import DB_NAME
from pipeline.publish.views import (
    ALL_SERVICES,
    REIMBURSEMENT_ACTIONS,
    REIMBURSEMENT_CATEGORIES,
    UNKNOWN_CITY_PREFIX,
    UNKNOWN_PROVINCE,
    USABLE_PHONE_STATUSES,
    fetch_dicts,
    reading,
)

REPORT_NAME = "report.html"
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")  # China keeps no daylight saving time

# Caps that keep the page a few MB whatever the corpus size.
DETAIL_BUDGET = 1000  # items of one kind (events, contacts, …) over all city cards
DETAIL_MIN, DETAIL_MAX = 3, 60  # items per card, whatever the number of cities
UNKNOWN_CITY_CARDS = 50  # notices without a city get a card each, up to this many
# Lanes in the main timeline: one per rollout, i.e. per city and the notice that first announced
# its events (a repost or a follow-up joins the lane of the first announcement, never one of its own;
# a city's year-end stops of other years are other lanes, so a lane spans weeks, not a decade).
TIMELINE_LANES = 30
BARS_PER_LANE = 12
LONGEST_NATIONAL, LONGEST_PER_PROVINCE = 20, 10
PEAK_DAYS = 10
LISTED_REPAIRS = LISTED_ERRORS = LISTED_REVISIONS = 200
REVIEW_ROWS = 40  # windows listed in the "needs review" section, most consequential first


# ---------------------------------------------------------------------------------------------
# data


@dataclass
class ReportData:
    """Everything the page shows, as plain rows (dicts) read from the views, each query bounded."""

    totals: dict[str, Any]
    comparison: list[dict[str, Any]]
    unknown_more: int
    per_card: int
    events: list[dict[str, Any]]  # the cards' events (capped per city)
    timeline: list[dict[str, Any]]  # the cards' windows as printed (capped per city)
    guidance: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]  # city_label → kind → how many exist (beyond the capped rows)
    daily: list[dict[str, Any]]
    calendar: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    longest: list[dict[str, Any]]
    rule_counts: list[dict[str, Any]]
    repairs: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    lanes: list[dict[str, Any]]  # the events of the rollouts in the main timeline
    review: list[dict[str, Any]] = field(default_factory=list)  # windows that are not high, most consequential first
    confidence_levels: list[dict[str, Any]] = field(default_factory=list)  # windows per confidence level
    revisions: list[dict[str, Any]] = field(default_factory=list)  # changes between announcements, conflicts first
    events_to_review: list[dict[str, Any]] = field(default_factory=list)
    adcodes: dict[str, str] = field(default_factory=dict)  # city or province → adcode (gazetteer_cities)


def per_card_limit(cards: int) -> int:
    """Items of one kind per city card: ``per_card_limit(14)`` → ``60``; ``per_card_limit(350)`` → ``3``."""
    return max(DETAIL_MIN, min(DETAIL_MAX, DETAIL_BUDGET // max(1, cards)))


def _capped(select: str, partition: str, order: str, limit: int) -> str:
    """At most ``limit`` rows of ``select`` per ``partition``, with ``rn`` and ``n`` (rows in the partition)."""
    return (
        f"SELECT * FROM (SELECT q.*, row_number() OVER (PARTITION BY {partition} ORDER BY {order}) AS rn, "
        f"count(*) OVER (PARTITION BY {partition}) AS n FROM ({select}) q) WHERE rn <= {int(limit)}"
    )


def load_report_data(db: Path) -> ReportData:
    """Read what the report shows from ``db`` (read-only, so a running writer is not blocked)."""
    with reading(db) as con:
        return _load(con)


def _load(con: Any) -> ReportData:
    totals = fetch_dicts(con, """
        SELECT (SELECT count(*) FROM notices) AS notices, (SELECT count(*) FROM outage_windows) AS windows,
               (SELECT count(*) FROM counted_events) AS events,
               (SELECT count(*) FROM counted_events WHERE notices > 1) AS events_from_several,
               (SELECT count(*) FROM revisions) AS revisions,
               (SELECT count(*) FROM repairs) AS repairs, (SELECT count(*) FROM errors) AS errors,
               (SELECT min(start_at) FROM counted_events) AS first_start, (SELECT max(start_at) FROM counted_events) AS last_start
    """)[0]
    # the comparison view is the costly one (every table, every event): evaluated once, and the
    # cards' queries below get its labels as a list instead of evaluating it again each
    every_place = fetch_dicts(con, "SELECT * FROM city_comparison ORDER BY city_label")
    unknown = [r for r in every_place if r["city_scope"] == "unknown"]
    shown_unknown = {r["city_label"] for r in unknown[:UNKNOWN_CITY_CARDS]}
    comparison = [r for r in every_place if r["city_scope"] != "unknown" or r["city_label"] in shown_unknown]
    unknown_more = max(0, len(unknown) - UNKNOWN_CITY_CARDS)
    totals["cities"] = len(every_place)
    del every_place, unknown
    limit = per_card_limit(len(comparison))
    labels = [r["city_label"] for r in comparison]
    shown = "(SELECT unnest(?::VARCHAR[]))"  # the labels, as the one parameter of each query below
    usable = ", ".join(f"'{s}'" for s in USABLE_PHONE_STATUSES)
    events = fetch_dicts(con, _capped(f"SELECT * FROM counted_events WHERE city_label IN {shown}", "city_label",
                                      "hours DESC NULLS FIRST, start_at, event_id", limit)
                         + " ORDER BY city_label, start_at, event_id", [labels])
    timeline = fetch_dicts(con, _capped(f"SELECT * FROM city_timeline WHERE city_label IN {shown}", "city_label",
                                        "hours DESC NULLS FIRST, start_at, notice_id, window_no", limit)
                           + " ORDER BY city_label, start_at, notice_id, window_no", [labels])
    guidance = fetch_dicts(con, _capped(
        f"SELECT p.city_label, p.source_file, g.* FROM guidance g JOIN notice_places p USING (notice_id) WHERE p.city_label IN {shown}",
        "city_label", "source_file, guidance_no", limit) + " ORDER BY city_label, rn", [labels])
    # ties broken by every column a card shows, so the same tables always give the same page
    contacts = fetch_dicts(con, _capped(
        f"SELECT p.city_label, p.source_file, c.* FROM contacts c JOIN notice_places p USING (notice_id) WHERE p.city_label IN {shown}",
        "city_label", f"phone_status IN ({usable}), source_file, phone_raw, organization, region, phone_e164", limit) + " ORDER BY city_label, rn", [labels])
    notices = fetch_dicts(con, _capped(f"SELECT * FROM notice_places WHERE city_label IN {shown}", "city_label",
                                       "published_on DESC NULLS LAST, source_file", limit) + " ORDER BY city_label, rn",
                          [labels])
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, rows in (("events", events), ("windows", timeline), ("guidance", guidance), ("contacts", contacts),
                       ("notices", notices)):
        for r in rows:
            counts[r["city_label"]][kind] = r["n"]
    lanes = fetch_dicts(con, f"""
        WITH spans AS (
            SELECT city_label, notice_ids[1] AS lane_notice, min(start_at) AS first,
                   max(coalesce(end_at, start_at)) AS last, bool_or(end_at IS NULL) AS has_open
            FROM counted_events GROUP BY ALL
            ORDER BY has_open DESC, last - first DESC, city_label, lane_notice LIMIT {TIMELINE_LANES}
        ),
        e AS (
            SELECT t.*, t.notice_ids[1] AS lane_notice,
                   row_number() OVER (PARTITION BY t.city_label, t.notice_ids[1] ORDER BY t.start_at, t.event_id) AS k
            FROM counted_events t
        )
        SELECT e.*, s.first AS lane_first, s.has_open AS lane_open
        FROM e JOIN spans s USING (city_label, lane_notice)
        WHERE e.k <= {BARS_PER_LANE}
        ORDER BY s.has_open DESC, s.last - s.first DESC, e.city_label, e.lane_notice, e.start_at, e.event_id""")
    return ReportData(
        totals=totals,
        comparison=comparison,
        unknown_more=unknown_more,
        per_card=limit,
        events=events,
        timeline=timeline,
        guidance=guidance,
        contacts=contacts,
        notices=notices,
        counts=dict(counts),
        daily=fetch_dicts(con, "SELECT * FROM national_daily_outages ORDER BY day"),
        calendar=fetch_dicts(con, "SELECT * FROM province_rollout_calendar ORDER BY province, month"),
        coverage=fetch_dicts(con, """
            SELECT pc.*, (SELECT list(city ORDER BY adcode) FROM prefecture_coverage c
                          WHERE c.province = pc.province AND c.in_gazetteer AND c.has_notice) AS covered
            FROM province_coverage pc ORDER BY province"""),
        longest=fetch_dicts(con, f"""SELECT * FROM longest_outages WHERE rank <= {LONGEST_NATIONAL}
                               OR rank_in_province <= {LONGEST_PER_PROVINCE} ORDER BY rank"""),
        rule_counts=fetch_dicts(con, "SELECT rule, count(*) AS n FROM repairs GROUP BY rule ORDER BY n DESC, rule"),
        repairs=fetch_dicts(con, f"""
            SELECT p.city_label, p.city_scope, p.province, p.source_file, r.* FROM repairs r JOIN notice_places p USING (notice_id)
            ORDER BY p.city_label, p.source_file, r.table_name, r.column_name, r.rule, r.raw_value, r.repaired_value,
                     r.evidence LIMIT {LISTED_REPAIRS}"""),
        errors=fetch_dicts(con, f"SELECT * FROM errors ORDER BY source_file, stage, error LIMIT {LISTED_ERRORS}"),
        lanes=lanes,
        review=fetch_dicts(con, f"""
            SELECT t.confidence, t.city_label, t.city_scope, t.province, t.source_file, t.start_at, t.end_at,
                   t.confidence_reasons, t.end_alternatives, w.evidence
            FROM city_timeline t JOIN outage_windows w USING (notice_id, window_no)
            WHERE t.confidence IN ('low', 'medium')
            ORDER BY t.confidence = 'medium', t.service IS NOT NULL, t.hours DESC NULLS FIRST, t.source_file, t.window_no
            LIMIT {REVIEW_ROWS}"""),
        confidence_levels=fetch_dicts(con, """
            SELECT confidence, count(*) AS n FROM outage_windows GROUP BY confidence
            ORDER BY list_position(['high', 'medium', 'low', 'reviewed'], confidence)"""),
        revisions=fetch_dicts(con, f"""
            SELECT r.*, e.city_label, e.city_scope, e.province, e.scheme, e.service,
                   nf.source_file AS from_file, nt.source_file AS to_file
            FROM revisions r JOIN event_timeline e USING (event_id)
            JOIN notices nf ON nf.notice_id = r.from_notice_id JOIN notices nt ON nt.notice_id = r.to_notice_id
            ORDER BY r.needs_review DESC, e.city_label, e.start_at, r.event_id, r.revision_no LIMIT {LISTED_REVISIONS}"""),
        events_to_review=fetch_dicts(con, f"""
            SELECT * FROM counted_events WHERE needs_review ORDER BY city_label, start_at, event_id LIMIT {REVIEW_ROWS}"""),
        adcodes=_adcodes(con),
    )


def _adcodes(con: Any) -> dict[str, str]:
    """City → adcode and province → its two-digit prefix followed by zeros (``山东省`` → ``370000``)."""
    out: dict[str, str] = {}
    for province, city, adcode in con.execute("SELECT province, city, adcode FROM gazetteer_cities").fetchall():
        out[city] = adcode
        prefix = adcode[:2] + "0000"
        if province not in out or prefix < out[province]:
            out[province] = prefix
    return out


# ---------------------------------------------------------------------------------------------
# order: cities by adcode (the national table's order, province by province), else by pinyin


def pinyin_key(name: str) -> str:
    """``pinyin_key("乌海市")`` → ``"wu hai shi"``: for places the gazetteer does not know."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name))


@dataclass
class Ordering:
    """Sort keys for places: ``Ordering({"青岛市": "370200", "山东省": "370000"}).place({"city": "青岛市", …})``."""

    adcodes: dict[str, str]

    def province(self, name: str | None) -> tuple:
        """Provinces by adcode; unknown provinces after them by pinyin; no province last."""
        if not name or name == UNKNOWN_PROVINCE:
            return ("9", "", "")
        code_ = self.adcodes.get(name)
        return ("0", code_, "") if code_ else ("1", "", pinyin_key(name))

    def place(self, row: dict[str, Any]) -> tuple:
        """A city after its province's province-wide row, cities by adcode, then by pinyin."""
        scope = row.get("city_scope") or ("city" if row.get("city") else "unknown")
        rank = {"province": 0, "city": 1}.get(scope, 2)
        city = row.get("city") or ""
        return (self.province(row.get("province")), rank, self.adcodes.get(city, "999999"),
                pinyin_key(city or str(row.get("city_label") or "")))


# ---------------------------------------------------------------------------------------------
# small helpers


def truncate(text_: str, width: int) -> str:
    """``text_`` cut to ``width`` display columns with an ellipsis: ``truncate("原省直职工医保", 8)`` → ``"原省直…"``."""
    if display_width(text_) <= width:
        return text_
    out, used = "", 0
    for ch in text_:
        if used + display_width(ch) > width - 1:
            break
        out, used = out + ch, used + display_width(ch)
    return out + "…"


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a web address a reader may follow, else ``None``.

    ``safe_url("https://a.cn/x")`` → ``"https://a.cn/x"``; ``safe_url("javascript:alert(1)")`` → ``None``.
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def file_href(source_file: str, raw_dir: Path | None, out_dir: Path) -> str | None:
    """A relative link from the report to the raw file, when that file exists.

    ``file_href("xian.txt", Path("raw"), Path("outputs"))`` → ``"../raw/xian.txt"``.
    """
    if raw_dir is None:
        return None
    target = raw_dir / source_file
    if not target.is_file():
        return None
    rel = os.path.relpath(target.resolve(), out_dir.resolve())
    return quote(Path(rel).as_posix())


def window_kind(service: str | None) -> str:
    """CSS class of a bar: everything stopped, or only some services."""
    return "all" if service is None else "partial"


def _group(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _hours_between(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


class Words:
    """Captions, codes, dates and places in one language, as the templates call them (``L.dt(x)``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.zh = lang == "zh"

    def t(self, key: str, **fields: Any) -> str:
        return text(key, self.lang, **fields)

    def col(self, name: str) -> str:
        return column(name, self.lang)

    def code(self, kind: str, value: str | None) -> str:
        return code(kind, value, self.lang)

    def codes(self, kind: str, values: Sequence[str] | None) -> str:
        return codes_zh(kind, list(values or []), self.lang)

    def dt(self, value: dt.datetime | None) -> str:
        return fmt_datetime(value, self.lang)

    def d(self, value: dt.date | None) -> str:
        return fmt_date(value, self.lang)

    def dur(self, hours: float | None) -> str:
        return fmt_duration(hours, self.lang)

    def month(self, value: dt.date) -> str:
        return fmt_month(value, self.lang)

    def sep(self) -> str:
        return "、" if self.zh else ", "

    def place(self, row: dict[str, Any]) -> str:
        """How a row's place reads (the views' ``city_label`` is English for the two special scopes).

        ``{"city_scope": "city", "city_label": "西安市"}`` → ``"西安市"``; scope ``province`` →
        ``"陕西省（全省）"``; scope ``unknown`` → ``"（城市不详）a.txt"``.
        """
        scope = row.get("city_scope")
        if scope == "province":
            return self.t("province_wide_label", province=row["province"])
        if scope == "unknown":
            return self.t("unknown_label", file=row.get("source_file") or str(row["city_label"]).removeprefix(UNKNOWN_CITY_PREFIX))
        return str(row["city_label"])

    def province(self, row: dict[str, Any]) -> str:
        """The value the province filter matches: the province, or the "unknown province" caption."""
        value = row.get("province")
        return value if value and value != UNKNOWN_PROVINCE else self.t("province_unknown")

    def window(self, scheme: str | None, service: str | None) -> str:
        """``window("异地医保", None)`` → ``"异地医保 · 全部业务"``."""
        return f"{scheme or self.t('all_schemes')} · {service or self.t('all_services')}"

    def services(self, values: Sequence[str]) -> list[str]:
        return [self.t("all_services") if s == ALL_SERVICES else s for s in values]

    def end_rule(self, rule: str | None) -> str:
        return end_rule_zh(rule, self.lang)

    def alternatives(self, value: str | None) -> str:
        return alternatives_zh(value, self.lang)

    def evidence(self, rule: str | None, value: str | None) -> str:
        return evidence_text(rule, value, self.lang)

    def repaired(self, rule: str, value: str | None) -> str:
        return repaired_text(rule, value, self.lang)

    def where(self, table: str, column_: str) -> str:
        """Where a repaired value lives: ``("outage_windows", "end_at")`` → ``"停机时段 · 恢复时间"``."""
        if column_ == "text":
            return f"{self.code('table_name', table)} · {self.t('notice_text')}"
        return f"{self.code('table_name', table)} · {self.col(column_)}"

    def hours_delta(self, hours: float) -> str:
        """``-3`` → ``"提前3小时"``; ``48`` → ``"推后2天"``."""
        key = "earlier_by" if hours < 0 else "later_by"
        return self.t(key, d=self.dur(abs(hours)))


# ---------------------------------------------------------------------------------------------
# charts: geometry computed here, drawn by templates/_charts.html.j2 as inline SVG


@dataclass(frozen=True)
class Bar:
    """One outage (event or window) on a chart, in the chart's x units (hours)."""

    label: str
    start: float
    end: float | None  # None: no notice gave the end
    kind: str  # "all" or "partial"
    tooltip: str
    note: str  # printed right of the bar
    low: bool = False  # the pipeline is not sure of it: drawn with a dashed outline


@dataclass
class Lane:
    """The bars of one city, under a heading row."""

    title: str
    subtitle: str
    bars: list[Bar] = field(default_factory=list)
    city: str = ""  # the value the city filter matches


CHART_WIDTH = 1100
LABEL_WIDTH = 300
NOTE_WIDTH = 110
ROW_HEIGHT = 18
HEADING_HEIGHT = 24
AXIS_HEIGHT = 26
BAR_HEIGHT = 12
LABEL_COLUMNS = 44  # display columns of a row label before it is cut


def nice_step(span: float, max_ticks: int = 12) -> float:
    """A tick step in hours (whole days, then weeks) giving at most ``max_ticks`` ticks.

    ``nice_step(30 * 24)`` → ``72.0`` (every 3 days for a 30-day span).
    """
    for days in (1, 2, 3, 5, 7, 14, 28, 56, 91, 182, 365):
        if span / (days * 24) <= max_ticks:
            return days * 24.0
    return math.ceil(span / max_ticks / (365 * 24)) * 365 * 24.0  # whole years


def gantt(lanes: Sequence[Lane], domain: tuple[float, float], ticks: Sequence[tuple[float, str]],
          svg_id: str, caption: str, empty_text: str) -> dict[str, Any]:
    """Geometry of a Gantt chart: one heading row per titled lane, one bar row per outage.

    ``gantt([Lane("西安市", "", [Bar("异地医保 · 全部业务", 0, 720, "all", "…", "30天")])], (0, 720),
    [(0, "0天")], "t", "…", "")["lanes"][0]["bars"][0]["width"]`` → ``690.0``.
    """
    lo, hi = domain
    hi = hi if hi > lo else lo + 24
    plot_w = CHART_WIDTH - LABEL_WIDTH - NOTE_WIDTH

    def x(value: float) -> float:
        return round(LABEL_WIDTH + (min(max(value, lo), hi) - lo) / (hi - lo) * plot_w, 1)

    n_rows = sum(len(lane.bars) for lane in lanes)
    n_headings = sum(1 for lane in lanes if lane.title)
    height = AXIS_HEIGHT + n_headings * HEADING_HEIGHT + n_rows * ROW_HEIGHT + 8
    y = AXIS_HEIGHT
    drawn = []
    for lane in lanes:
        heading = None
        if lane.title:  # a card's chart has one untitled lane: the card's heading names it
            heading = {"y": y, "title": truncate(lane.title, LABEL_COLUMNS), "subtitle": lane.subtitle}
            y += HEADING_HEIGHT
        bars = []
        for bar in lane.bars:
            x0 = x(bar.start)
            x1 = x(bar.end) if bar.end is not None else x(hi)
            width = round(max(x1 - x0, 2.0), 1)  # a zero-length stop still shows
            bars.append({
                "y": y, "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2, "x": x0, "width": width,
                "label": truncate(bar.label, LABEL_COLUMNS), "note": bar.note, "note_x": round(x0 + width + 4, 1),
                "tooltip": bar.tooltip, "open": bar.end is None,
                "css": f"bar {bar.kind}" + (" open" if bar.end is None else "") + (" low" if bar.low else ""),
            })
            y += ROW_HEIGHT
        drawn.append({"heading": heading, "bars": bars, "city": lane.city or lane.title})
    return {
        "id": svg_id, "caption": caption, "empty_text": empty_text, "width": CHART_WIDTH, "height": height,
        "label_width": LABEL_WIDTH, "axis_height": AXIS_HEIGHT, "row_height": ROW_HEIGHT, "bar_height": BAR_HEIGHT,
        "heading_height": HEADING_HEIGHT,
        "ticks": [{"x": x(v), "label": label} for v, label in ticks], "lanes": drawn,
    }


def _event_tooltip(e: dict[str, Any], w: Words) -> str:
    """``"青岛市 · 全部险种 · 全部业务：2021年11月24日 00:00 → 2021年11月30日 20:00（6天20小时）— 2份通知"``."""
    end = w.dt(e["end_at"]) or w.t("no_end")
    inferred = f"; {w.t('year_inferred_badge')}" if e["year_inferred"] else ""
    return (f"{w.place(e)} · {w.window(e['scheme'], e['service'])}: {w.dt(e['start_at'])} → {end} "
            f"({w.dur(e['hours'])}{inferred}) — {w.t('n_notices', n=e['notices'])}")


def _note(row: dict[str, Any], w: Words) -> str:
    """Text right of a bar: ``"30天"``, ``"未公布"``, ``"2天14小时*"`` (* year inferred)."""
    return w.dur(row["hours"]) + ("*" if row["year_inferred"] else "")


def event_bar(e: dict[str, Any], origin: dt.datetime, w: Words) -> Bar:
    return Bar(w.window(e["scheme"], e["service"]), _hours_between(origin, e["start_at"]),
               _hours_between(origin, e["end_at"]) if e["end_at"] else None, window_kind(e["service"]),
               _event_tooltip(e, w), _note(e, w), bool(e.get("needs_review")))


def aligned_timeline(lane_rows: Sequence[dict[str, Any]], w: Words) -> dict[str, Any]:
    """The main chart: the longest rollouts, each drawn from its own first stop (day 0).

    A rollout is a city's events first announced by one notice (reposts and follow-ups join it).
    Cities stopped in different years (a national archive spans a decade), so a shared calendar
    axis would squash every event into a sliver; aligning on the first stop compares lengths.
    """
    lanes = []
    for rows in _group(({**r, "lane": (r["city_label"], r["lane_notice"])} for r in lane_rows), "lane").values():
        first = rows[0]["lane_first"]
        subtitle = f"{w.t('day0', when=w.dt(first))} · {rows[0]['source_files'][0]}"
        lanes.append(Lane(w.place(rows[0]), subtitle, [event_bar(e, first, w) for e in rows], city=w.place(rows[0])))
    hi = max((max((b.end if b.end is not None else b.start) for b in lane.bars) for lane in lanes), default=24.0)
    hi = max(hi, 24.0) * 1.04  # room for open events to fade out
    step = nice_step(hi)
    ticks = [(t * step, w.t("day_tick", n=f"{t * step / 24:g}")) for t in range(int(hi // step) + 1)]
    return gantt(lanes, (0.0, hi), ticks, "timeline", w.t("timeline_caption"), w.t("no_windows"))


def city_chart(city: str, events: Sequence[dict[str, Any]], svg_id: str, w: Words) -> dict[str, Any]:
    """A card's chart: the city's (listed) events on a calendar axis (``MM-DD`` ticks at midnight)."""
    first = min(e["start_at"] for e in events)
    origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
    ends = [e["end_at"] for e in events if e["end_at"]] + [e["start_at"] for e in events]
    hi = max(math.ceil(_hours_between(origin, max(ends)) / 24) * 24, 24)
    if any(e["end_at"] is None for e in events):
        hi += 48  # leave open events somewhere to fade into
    bars = [event_bar(e, origin, w) for e in events]
    step = nice_step(hi, max_ticks=10)
    fmt = "%Y-%m" if step >= 28 * 24 else "%m-%d"
    ticks = [(t * step, (origin + dt.timedelta(hours=t * step)).strftime(fmt)) for t in range(int(hi // step) + 1)]
    return gantt([Lane("", "", bars)], (0.0, float(hi)), ticks, svg_id, f"{w.t('events_heading')}: {city}", w.t("no_windows"))


DAY_CHART_WIDTH = 1100
DAY_ROW_HEIGHT = 64
DAY_LABEL_WIDTH = 56


def national_chart(daily: Sequence[dict[str, Any]], w: Words) -> dict[str, Any]:
    """Cities down per day: one row per year, a bar per day, one vertical scale for all years.

    ``national_chart([{"day": date(2021, 9, 2), "cities_down": 3, …}], w)["years"][0]["days"]`` →
    one bar per day that has an event in force.
    """
    years = sorted({d["day"].year for d in daily})
    top = max((d["cities_down"] for d in daily), default=0) or 1
    plot_w = DAY_CHART_WIDTH - DAY_LABEL_WIDTH - 8
    day_w = plot_w / 366
    height = max(1, len(years)) * DAY_ROW_HEIGHT + 24
    month_x = [DAY_LABEL_WIDTH + (dt.date(2001, m, 1).timetuple().tm_yday - 1) * day_w for m in range(1, 13)]
    months = [{"x": round(x + 2, 1), "label": f"{m}月" if w.zh else dt.date(2001, m, 1).strftime("%b")}
              for m, x in zip(range(1, 13), month_x)]
    by_year = _group(daily, "day")
    rows = []
    for i, year in enumerate(years):
        base = 20 + (i + 1) * DAY_ROW_HEIGHT - 6
        days = []
        for day, (d,) in ((k, v) for k, v in by_year.items() if k.year == year):
            n = d["cities_down"] or 0
            h = (DAY_ROW_HEIGHT - 14) * n / top if n else 2.0  # a day with only province-wide stops still shows
            x = DAY_LABEL_WIDTH + (day.timetuple().tm_yday - 1) * day_w
            days.append({
                "x": round(x, 1), "y": round(base - h, 1), "width": round(max(day_w - 0.3, 1), 2), "height": round(h, 1),
                "css": "day" if n else "day wide-only",
                "tooltip": w.t("day_tooltip", day=w.d(day), cities=n, full=d["cities_fully_down"],
                               wide=d["province_wide_down"], events=d["events"], notices=d["notices"]),
            })
        rows.append({"year": year, "base": base, "grid": [round(x, 1) for x in month_x], "days": days})
    return {"width": DAY_CHART_WIDTH, "height": height, "label_width": DAY_LABEL_WIDTH, "row_height": DAY_ROW_HEIGHT,
            "months": months, "years": rows, "top": top, "caption": w.t("national_caption")}


def calendar_years(calendar: Sequence[dict[str, Any]], order: Ordering, w: Words) -> list[dict[str, Any]]:
    """The rollout calendar as one block per year with data, the latest first.

    Each block lists the provinces that started a stop that year (in adcode order), one cell
    per month shaded by how many cities started one (a province-wide stop counts one).
    """
    if not calendar:
        return []
    top = max(max(r["cities_stopping"], 1 if r["events"] else 0) for r in calendar) or 1
    by_year: dict[int, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for r in calendar:
        by_year[r["month"].year][r["province"]][r["month"].month] = r
    blocks = []
    for year in sorted(by_year, reverse=True):
        provinces = sorted(by_year[year], key=order.province)
        rows = []
        for province in provinces:
            label = w.province({"province": province})
            cells = []
            for m in range(1, 13):
                r = by_year[year][province].get(m)
                if r is None:
                    cells.append({"level": 0, "n": "", "tooltip": ""})
                    continue
                n = max(r["cities_stopping"], 1)
                cells.append({
                    "level": 1 + min(3, int(3 * n / top)), "n": r["cities_stopping"] or "·",
                    "tooltip": w.t("month_tooltip", province=label, month=w.month(r["month"]), cities=r["cities_stopping"],
                                   events=r["events"], notices=r["notices"]),
                })
            total = sum(r["events"] for r in by_year[year][province].values())
            rows.append({"province": label, "cells": cells, "events": total})
        blocks.append({"year": year, "rows": rows, "events": sum(r["events"] for r in rows)})
    return blocks


# ---------------------------------------------------------------------------------------------
# the page


def _csp(script: str) -> str:
    """A policy that lets the page load nothing and run only its own script (pinned by hash)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


class _Templates:
    """The Jinja2 environment (autoescape on every template), the stylesheet and the script, loaded once."""

    @cached_property
    def env(self):
        from jinja2 import Environment, PackageLoader, StrictUndefined

        return Environment(loader=PackageLoader("pipeline.publish", "templates"), autoescape=True,
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

    def asset(self, name: str) -> str:
        from importlib import resources

        return resources.files("pipeline.publish").joinpath("templates", name).read_text(encoding="utf-8")

    @cached_property
    def css(self) -> str:
        return self.asset("report.css")

    @cached_property
    def script(self) -> str:
        return self.asset("report.js")


TEMPLATES = _Templates()


def is_reimbursement(g: dict[str, Any]) -> bool:
    """Guidance whose deadline is a money-back deadline (same rule as the city_comparison view)."""
    return g["category"] in REIMBURSEMENT_CATEGORIES or g["action"] in REIMBURSEMENT_ACTIONS


CATEGORY_ORDER: tuple[str, ...] = ("outpatient", "inpatient", "out_of_area", "pharmacy", "chronic_special", "enrollment_payment",
                                   "referral_filing", "reimbursement", "insurance_card", "retirees", "other")


def _deadline_text(g: dict[str, Any], w: Words) -> str:
    """``"2022年3月15日至2022年12月31日"``, ``"2022年2月10日前"``, ``"2022年2月1日起"`` or the printed text."""
    a, b = w.d(g["deadline_from"]), w.d(g["deadline_to"])
    if a and b:
        return w.t("deadline_range", a=a, b=b)
    if b:
        return w.t("deadline_by", b=b)
    if a:
        return w.t("deadline_from", a=a)
    return g["deadline_text"] or ""


def _card(row: dict[str, Any], anchor: str, data: ReportData, by_city: dict[str, dict[str, list[dict[str, Any]]]],
          raw_dir: Path | None, out_dir: Path, w: Words) -> dict[str, Any]:
    """What one city's card shows: facts, its events (chart and table), what patients must do, contacts, sources."""
    city = row["city_label"]
    counts = data.counts.get(city, {})
    events = sorted(by_city["events"].get(city, []), key=lambda e: (e["start_at"], e["event_id"]))
    windows = sorted(by_city["timeline"].get(city, []), key=lambda x: (x["start_at"], x["notice_id"], x["window_no"]))
    guidance = by_city["guidance"].get(city, [])
    groups = _group(guidance, "category")
    categories = [c for c in list(CATEGORY_ORDER) + sorted(set(groups) - set(CATEGORY_ORDER)) if c in groups]
    for g in guidance:
        g["deadline_shown"] = _deadline_text(g, w)
        g["money"] = is_reimbursement(g)
    dated = sorted((g for g in guidance if g["deadline_from"] or g["deadline_to"]),
                   key=lambda g: g["deadline_to"] or g["deadline_from"], reverse=True)
    contacts = by_city["contacts"].get(city, [])
    usable = sum(1 for c in contacts if c["phone_status"] in USABLE_PHONE_STATUSES)
    sources = []
    for n in by_city["notices"].get(city, []):
        url = safe_url(n["source_url"])
        sources.append({**n, "file_href": file_href(n["source_file"], raw_dir, out_dir), "url_href": url,
                        "url_text": None if url else n["source_url"]})
    label = w.place(row)
    scope = {"province": w.t("scope_province"), "unknown": w.t("scope_unknown")}.get(row["city_scope"], "")
    last = w.dt(row["last_resume"]) or (w.t("last_resume_open") if row["open_events"] else "—")
    facts = [
        (w.t("first_stop"), w.dt(row["first_stop"]) or "—"),
        (w.t("last_resume"), last),
        (w.t("longest_outage"), w.dur(row["longest_outage_hours"]) if row["events"] else "—"),
        (w.t("reimbursement_deadline"), w.d(row["reimbursement_deadline"]) or "—"),
        (w.col("notices"), str(row["notices"])),
        (w.col("events"), str(row["events"])),
    ]
    return {
        "row": row, "anchor": anchor, "label": label, "scope": scope, "facts": facts,
        "chart": city_chart(label, events, f"{anchor}-chart", w) if events else None,
        "events": events, "more_events": max(0, counts.get("events", 0) - len(events)),
        "windows": windows, "more_windows": max(0, counts.get("windows", 0) - len(windows)),
        "guidance": guidance, "groups": [(c, groups[c]) for c in categories], "guidance_open": len(guidance) <= 12,
        "more_guidance": max(0, counts.get("guidance", 0) - len(guidance)), "dated": dated,
        "contacts": contacts, "usable": usable, "contacts_open": len(contacts) <= 12 or usable < len(contacts),
        "more_contacts": max(0, counts.get("contacts", 0) - len(contacts)),
        "sources": sources, "more_sources": max(0, counts.get("notices", 0) - len(sources)),
    }


def render_report(data: ReportData, out_dir: Path, raw_dir: Path | None = None, generated_at: str | None = None,
                  lang: str = DEFAULT_LANG) -> str:
    """The whole page as one HTML string (no network references), in ``lang`` (``zh`` or ``en``).

    ``render_report(load_report_data(Path("outputs/notices.duckdb")), Path("outputs"))`` →
    ``"<!DOCTYPE html><html lang=\\"zh-CN\\">…"``.
    """
    w = Words(lang)
    if generated_at is None:
        now = dt.datetime.now(BEIJING)
        generated_at = w.t("beijing_time", when=w.dt(now.replace(tzinfo=None)))
    order = Ordering(data.adcodes)
    comparison = sorted(data.comparison, key=order.place)
    anchors = {r["city_label"]: f"city-{i}" for i, r in enumerate(comparison, start=1)}
    by_city = {kind: _group(rows, "city_label") for kind, rows in (
        ("events", data.events), ("timeline", data.timeline), ("guidance", data.guidance),
        ("contacts", data.contacts), ("notices", data.notices))}
    cards = [_card(r, anchors[r["city_label"]], data, by_city, raw_dir, out_dir, w) for r in comparison]
    t = data.totals
    period = (f"{w.d(t['first_start'].date())} – {w.d(t['last_start'].date())}" if t["first_start"]
              else w.t("no_windows_period"))
    provinces = {r["province"] for r in data.coverage if r["province"]} | {r["province"] for r in comparison if r["province"]}
    province_options = [w.province({"province": p}) for p in sorted(provinces, key=order.province)]
    if any(not r["province"] for r in comparison):
        province_options.append(w.t("province_unknown"))
    peaks = sorted(data.daily, key=lambda d: (-(d["cities_down"] or 0), d["day"]))[:PEAK_DAYS]
    script = TEMPLATES.script
    return TEMPLATES.env.get_template("report.html.j2").render(
        L=w, lang=lang, csp=_csp(script), css=TEMPLATES.css, script=script, generated_at=generated_at,
        totals=t, period=period, province_options=list(dict.fromkeys(province_options)),
        national=national_chart(data.daily, w), peaks=[p for p in peaks if p["cities_down"]],
        calendar=calendar_years(data.calendar, order, w),
        coverage=sorted(data.coverage, key=lambda r: order.province(r["province"])),
        longest=data.longest, longest_national=LONGEST_NATIONAL, longest_per_province=LONGEST_PER_PROVINCE,
        comparison=comparison, anchors=anchors, unknown_more=data.unknown_more,
        timeline=aligned_timeline(data.lanes, w), timeline_lanes=TIMELINE_LANES,
        cards=cards, per_card=data.per_card,
        revisions=data.revisions, events_to_review=data.events_to_review,
        review=data.review, confidence_levels=data.confidence_levels, review_rows=REVIEW_ROWS,
        rule_counts=data.rule_counts, repairs=data.repairs, errors=data.errors,
    )


def write_report(out_dir: Path, raw_dir: Path | None = None, generated_at: str | None = None, lang: str = DEFAULT_LANG,
                 *, into: Path | None = None) -> Path:
    """Build ``out_dir/report.html`` from ``out_dir/notices.duckdb``, atomically.

    ``write_report(Path("outputs"), Path("raw"))`` → ``Path("outputs/report.html")``. With
    ``into`` (a run's staging folder), the database is read from there and the page written
    there, to be moved into ``out_dir`` with the tables; its links are still relative to ``out_dir``.
    """
    from pipeline.runner.atomic import atomic_write_text

    folder = out_dir if into is None else into
    data = load_report_data(folder / DB_NAME)
    return atomic_write_text(folder / REPORT_NAME, render_report(data, out_dir, raw_dir, generated_at, lang))
