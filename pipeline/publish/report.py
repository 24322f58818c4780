"""``python -m pipeline report [--out DIR] [--lang zh|en]``: a self-contained HTML page for regulators.

The page compares how cities rolled out the cutover, in Chinese by default (``--lang en`` for
English): the national picture (how many cities were down each day, a rollout calendar by
province and month, which cities of each province published a notice, the longest outages),
a comparison table, a timeline of the notices with the longest rollouts, one card per city,
the repairs and the errors. A province filter narrows every section to one province.

It stays readable and small at any corpus size: everything national is an aggregate computed
in DuckDB, and the per-city detail is capped (the cap shrinks as the number of cities grows),
so the page grows with the number of cities — a few hundred — not with the notices. Its data
is read from the views of ``notices.duckdb`` (opened read-only) with bounded queries.

Self-contained means: no network. CSS, the SVG charts and one small script are inline, and a
Content-Security-Policy forbids loading anything else, so the page works from a USB stick and
a notice that smuggles markup in cannot make it fetch or run anything. Every value that comes
from a notice goes through :func:`esc`. Captions and messages come from :mod:`pipeline.publish.captions`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pipeline.publish.captions import (
    DEFAULT_LANG,
    code,
    column,
    display_width,
    fmt_date,
    fmt_datetime,
    fmt_duration,
    fmt_month,
    text,
)
from pipeline.publish.tables import DB_NAME
from pipeline.publish.views import (
    REIMBURSEMENT_ACTIONS,
    REIMBURSEMENT_CATEGORIES,
    UNKNOWN_CITY_PREFIX,
    USABLE_PHONE_STATUSES,
    fetch_dicts,
    reading,
)

REPORT_NAME = "report.html"

# Caps that keep the page a few MB whatever the corpus size.
DETAIL_BUDGET = 1000  # items of one kind (windows, contacts, …) over all city cards
DETAIL_MIN, DETAIL_MAX = 3, 60  # items per card, whatever the number of cities
UNKNOWN_CITY_CARDS = 50  # notices without a city get a card each, up to this many
TIMELINE_NOTICES = 30  # lanes in the main timeline
BARS_PER_LANE = 12
LONGEST_NATIONAL, LONGEST_PER_PROVINCE = 20, 10
PEAK_DAYS = 10
LISTED_REPAIRS = LISTED_ERRORS = 200



# ---------------------------------------------------------------------------------------------
# data


@dataclass
class ReportData:
    """Everything the page shows, as plain rows (dicts) read from the views, each query bounded."""

    totals: dict[str, Any]
    comparison: list[dict[str, Any]]
    unknown_more: int
    per_card: int
    timeline: list[dict[str, Any]]
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
    lanes: list[dict[str, Any]]  # the windows of the notices in the main timeline
    review: list[dict[str, Any]] = field(default_factory=list)  # windows that are not high, most consequential first
    confidence_levels: list[dict[str, Any]] = field(default_factory=list)  # windows per confidence level


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
               (SELECT count(*) FROM repairs) AS repairs, (SELECT count(*) FROM errors) AS errors,
               (SELECT count(*) FROM city_comparison) AS cities,
               (SELECT min(start_at) FROM outage_windows) AS first_start, (SELECT max(start_at) FROM outage_windows) AS last_start
    """)[0]
    comparison = fetch_dicts(con, f"""
        SELECT * FROM city_comparison
        WHERE city_scope <> 'unknown' OR city_label IN (
            SELECT city_label FROM city_comparison WHERE city_scope = 'unknown' ORDER BY city_label LIMIT {UNKNOWN_CITY_CARDS})
        ORDER BY city_label""")
    unknown_more = con.execute("SELECT count(*) FROM city_comparison WHERE city_scope = 'unknown'").fetchone()[0]
    unknown_more = max(0, unknown_more - UNKNOWN_CITY_CARDS)
    limit = per_card_limit(len(comparison))
    shown = "(SELECT city_label FROM city_comparison WHERE city_scope <> 'unknown' OR city_label IN (" \
        f"SELECT city_label FROM city_comparison WHERE city_scope = 'unknown' ORDER BY city_label LIMIT {UNKNOWN_CITY_CARDS}))"
    usable = ", ".join(f"'{s}'" for s in USABLE_PHONE_STATUSES)
    timeline = fetch_dicts(con, _capped(f"SELECT * FROM city_timeline WHERE city_label IN {shown}", "city_label",
                                  "hours DESC NULLS FIRST, start_at, notice_id, window_no", limit)
                     + " ORDER BY city_label, start_at, notice_id, window_no")
    guidance = fetch_dicts(con, _capped(
        f"SELECT p.city_label, p.source_file, g.* FROM guidance g JOIN notice_places p USING (notice_id) WHERE p.city_label IN {shown}",
        "city_label", "source_file, guidance_no", limit) + " ORDER BY city_label, rn")
    contacts = fetch_dicts(con, _capped(
        f"SELECT p.city_label, p.source_file, c.* FROM contacts c JOIN notice_places p USING (notice_id) WHERE p.city_label IN {shown}",
        "city_label", f"phone_status IN ({usable}), source_file", limit) + " ORDER BY city_label, rn")
    notices = fetch_dicts(con, _capped(f"SELECT * FROM notice_places WHERE city_label IN {shown}", "city_label",
                                 "published_on DESC NULLS LAST, source_file", limit) + " ORDER BY city_label, rn")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, rows in (("windows", timeline), ("guidance", guidance), ("contacts", contacts), ("notices", notices)):
        for r in rows:
            counts[r["city_label"]][kind] = r["n"]
    lanes = fetch_dicts(con, f"""
        WITH spans AS (
            SELECT notice_id, min(start_at) AS first, max(coalesce(end_at, start_at)) AS last,
                   bool_or(end_at IS NULL) AS has_open
            FROM outage_windows GROUP BY notice_id
            ORDER BY has_open DESC, last - first DESC, notice_id LIMIT {TIMELINE_NOTICES}
        ),
        w AS (
            SELECT t.*, row_number() OVER (PARTITION BY t.notice_id ORDER BY t.window_no) AS k
            FROM city_timeline t WHERE t.notice_id IN (SELECT notice_id FROM spans)
        )
        SELECT w.*, s.first AS lane_first, s.has_open AS lane_open, np.title, np.published_on
        FROM w JOIN spans s USING (notice_id) JOIN notice_places np USING (notice_id)
        WHERE w.k <= {BARS_PER_LANE}
        ORDER BY s.has_open DESC, s.last - s.first DESC, w.notice_id, w.start_at, w.window_no""")
    return ReportData(
        totals=totals,
        comparison=comparison,
        unknown_more=unknown_more,
        per_card=limit,
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
            ORDER BY p.city_label, p.source_file, r.table_name, r.column_name LIMIT {LISTED_REPAIRS}"""),
        errors=fetch_dicts(con, f"SELECT * FROM errors ORDER BY source_file LIMIT {LISTED_ERRORS}"),
        lanes=lanes,
        review=fetch_dicts(con, f"""
            SELECT t.confidence, t.city_label, t.source_file, t.start_at, t.end_at, t.confidence_reasons,
                   t.end_alternatives, w.evidence
            FROM city_timeline t JOIN outage_windows w USING (notice_id, window_no)
            WHERE t.confidence IN ('low', 'medium')
            ORDER BY t.confidence = 'medium', t.service IS NOT NULL, t.hours DESC NULLS FIRST, t.source_file, t.window_no
            LIMIT {REVIEW_ROWS}"""),
        confidence_levels=fetch_dicts(con, """
            SELECT confidence, count(*) AS n FROM outage_windows GROUP BY confidence
            ORDER BY list_position(['high', 'medium', 'low', 'reviewed'], confidence)"""),
    )


# ---------------------------------------------------------------------------------------------
# small formatting helpers


def esc(value: Any) -> str:
    """HTML-escaped text of a value; ``None`` is empty. ``esc("<script>")`` → ``"&lt;script&gt;"``."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns with an ellipsis: ``truncate("原省直职工医保", 8)`` → ``"原省直…"``."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
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


def window_label(scheme: str | None, service: str | None, lang: str = DEFAULT_LANG) -> str:
    """Row label of a window: ``window_label("异地医保", None)`` → ``"异地医保 · 全部业务"``."""
    return f"{scheme or text('all_schemes', lang)} · {service or text('all_services', lang)}"


def place_label(row: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """How a row's place reads (the views' ``city_label`` is English for the two special scopes).

    ``{"city_scope": "city", "city_label": "西安市"}`` → ``"西安市"``; scope ``province`` →
    ``"陕西省（全省）"``; scope ``unknown`` → ``"（城市不详）a.txt"``.
    """
    scope = row.get("city_scope")
    if scope == "province":
        return text("province_wide_label", lang, province=row["province"])
    if scope == "unknown":
        return text("unknown_label", lang, file=row.get("source_file") or str(row["city_label"]).removeprefix(UNKNOWN_CITY_PREFIX))
    return str(row["city_label"])


def province_of(row: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """The value the province filter matches: the province, or the "unknown province" caption."""
    return row.get("province") or text("province_unknown", lang)


# ---------------------------------------------------------------------------------------------
# SVG charts (drawn here, so the page needs no charting library and no network)


@dataclass(frozen=True)
class Bar:
    """One outage window on a chart, in the chart's x units (hours)."""

    label: str
    start: float
    end: float | None  # None: the notice gave no end
    kind: str  # "all" or "partial"
    tooltip: str
    note: str  # printed right of the bar
    low: bool = False  # the pipeline is not sure of this window (confidence low): drawn with a dashed outline


@dataclass
class Lane:
    """The bars of one city, under a heading row."""

    title: str
    subtitle: str
    bars: list[Bar] = field(default_factory=list)


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
    return span / max_ticks


def gantt_svg(
    lanes: Sequence[Lane],
    domain: tuple[float, float],
    ticks: Sequence[tuple[float, str]],
    svg_id: str,
    caption: str,
    empty_text: str = "No outage windows.",
) -> str:
    """An inline SVG Gantt chart: one heading row per lane, one bar row per window.

    ``gantt_svg([Lane("西安市", "", [Bar("异地医保 · all services", 0, 720, "all", "…", "720 h")])],
    (0, 720), [(0, "0 d")], "t", "…")`` → ``"<svg id="t" …><rect class="bar all" …/>…</svg>"``.
    """
    lo, hi = domain
    hi = hi if hi > lo else lo + 24
    plot_w = CHART_WIDTH - LABEL_WIDTH - NOTE_WIDTH
    n_rows = sum(len(lane.bars) for lane in lanes)
    n_headings = sum(1 for lane in lanes if lane.title)
    height = AXIS_HEIGHT + n_headings * HEADING_HEIGHT + n_rows * ROW_HEIGHT + 8

    def x(value: float) -> float:
        return round(LABEL_WIDTH + (min(max(value, lo), hi) - lo) / (hi - lo) * plot_w, 1)

    parts = [
        f'<svg id="{esc(svg_id)}" class="gantt" role="img" aria-label="{esc(caption)}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(caption)}</title>",
        # an open window fades out: its end was never announced
        f'<defs><linearGradient id="{esc(svg_id)}-open" x1="0" x2="1" y1="0" y2="0">'
        '<stop offset="0" stop-color="#7f8c8d" stop-opacity="0.9"/>'
        '<stop offset="1" stop-color="#7f8c8d" stop-opacity="0.05"/></linearGradient></defs>',
    ]
    for value, label in ticks:
        tx = x(value)
        parts.append(f'<line class="grid" x1="{tx}" x2="{tx}" y1="{AXIS_HEIGHT - 6}" y2="{height - 4}"/>')
        parts.append(f'<text class="tick" x="{tx}" y="{AXIS_HEIGHT - 10}" text-anchor="middle">{esc(label)}</text>')
    y = AXIS_HEIGHT
    for lane in lanes:
        parts.append(f'<g class="lane" data-city="{esc(lane.title)}">')
        if lane.title:  # a card's chart has one untitled lane: the card's heading names it
            parts.append(f'<rect class="lane-bg" x="0" y="{y}" width="{CHART_WIDTH}" height="{HEADING_HEIGHT}"/>')
            parts.append(
                f'<text class="lane-title" x="6" y="{y + 16}">{esc(truncate(lane.title, LABEL_COLUMNS))}'
                f'<tspan class="lane-sub" dx="8">{esc(lane.subtitle)}</tspan></text>'
            )
            y += HEADING_HEIGHT
        for bar in lane.bars:
            x0 = x(bar.start)
            x1 = x(bar.end) if bar.end is not None else x(hi)
            width = max(x1 - x0, 2.0)  # a zero-length stop still shows
            by = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
            css = f"bar {bar.kind}" + (" open" if bar.end is None else "") + (" low" if bar.low else "")
            # an inline style, because the stylesheet's class fill would beat a fill attribute
            fill = f' style="fill:url(#{esc(svg_id)}-open)"' if bar.end is None else ""
            parts.append(f'<text class="row-label" x="16" y="{y + 13}">{esc(truncate(bar.label, LABEL_COLUMNS))}</text>')
            parts.append(
                f'<rect class="{css}" x="{x0}" y="{by}" width="{round(width, 1)}" height="{BAR_HEIGHT}" rx="2"{fill}>'
                f"<title>{esc(bar.tooltip)}</title></rect>"
            )
            parts.append(f'<text class="note" x="{round(x0 + width + 4, 1)}" y="{y + 13}">{esc(bar.note)}</text>')
            y += ROW_HEIGHT
        parts.append("</g>")
    if not lanes:
        parts.append(f'<text class="empty" x="{LABEL_WIDTH}" y="{AXIS_HEIGHT + 20}">{esc(empty_text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _hours_between(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


def _tooltip(w: dict[str, Any], lang: str) -> str:
    """``"西安市 · 异地医保 · 全部业务：2022年2月20日 00:00 → 2022年3月22日 00:00（30天）"``."""
    end = fmt_datetime(w["end_at"], lang) or text("no_end", lang)
    inferred = f"; {text('year_inferred_badge', lang)}" if w["year_inferred"] else ""
    printed = text("printed", lang, text=f"{w['start_text']} … {w['end_text'] or ''}")
    return (f"{place_label(w, lang)} · {window_label(w['scheme'], w['service'], lang)}: {fmt_datetime(w['start_at'], lang)} → {end} "
            f"({fmt_duration(w['hours'], lang)}{inferred}) — {printed}")


def _note(w: dict[str, Any], lang: str) -> str:
    """Text right of a bar: ``"30天"``, ``"未公布"``, ``"2天14小时*"`` (* year inferred)."""
    return fmt_duration(w["hours"], lang) + ("*" if w["year_inferred"] else "")


def _group(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def aligned_timeline(lanes_rows: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """The main chart: the notices with the longest rollouts, each drawn from its own first stop (day 0).

    Notices are from different years (a national archive spans a decade), so a shared calendar
    axis would squash every window into a sliver; aligning on the first stop compares lengths.
    """
    lanes = []
    for _, windows in _group(lanes_rows, "notice_id").items():
        first = windows[0]["lane_first"]
        bars = [
            Bar(
                label=window_label(w["scheme"], w["service"], lang),
                start=_hours_between(first, w["start_at"]),
                end=_hours_between(first, w["end_at"]) if w["end_at"] else None,
                kind=window_kind(w["service"]),
                tooltip=_tooltip(w, lang),
                note=_note(w, lang),
                low=w.get("confidence") == "low",
            )
            for w in windows
        ]
        lanes.append(Lane(place_label(windows[0], lang), text("day0", lang, when=fmt_datetime(first, lang)), bars))
    hi = max((max((b.end if b.end is not None else b.start) for b in lane.bars) for lane in lanes), default=24.0)
    hi = max(hi, 24.0) * 1.04  # room for open windows to fade out
    step = nice_step(hi)
    ticks = [(t * step, text("day_tick", lang, n=f"{t * step / 24:g}")) for t in range(int(hi // step) + 1)]
    return gantt_svg(lanes, (0.0, hi), ticks, "timeline", text("timeline_caption", lang), text("no_windows", lang))


def city_timeline_svg(city: str, windows: Sequence[dict[str, Any]], svg_id: str, lang: str = DEFAULT_LANG) -> str:
    """A card's chart: the city's (listed) windows on a calendar axis (``MM-DD`` ticks at midnight)."""
    first = min(w["start_at"] for w in windows)
    origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
    ends = [w["end_at"] for w in windows if w["end_at"]] + [w["start_at"] for w in windows]
    hi = max(math.ceil(_hours_between(origin, max(ends)) / 24) * 24, 24)
    if any(w["end_at"] is None for w in windows):
        hi += 48  # leave open windows somewhere to fade into
    bars = [
        Bar(window_label(w["scheme"], w["service"], lang), _hours_between(origin, w["start_at"]),
            _hours_between(origin, w["end_at"]) if w["end_at"] else None, window_kind(w["service"]),
            _tooltip(w, lang), _note(w, lang), w.get("confidence") == "low")
        for w in windows
    ]
    step = nice_step(hi, max_ticks=10)
    fmt = "%Y-%m" if step >= 28 * 24 else "%m-%d"
    ticks = [(t * step, (origin + dt.timedelta(hours=t * step)).strftime(fmt)) for t in range(int(hi // step) + 1)]
    return gantt_svg([Lane("", "", bars)], (0.0, float(hi)), ticks, svg_id, f"{text('windows_heading', lang)}: {city}",
                     text("no_windows", lang))


DAY_CHART_WIDTH = 1100
DAY_ROW_HEIGHT = 64
DAY_LABEL_WIDTH = 56


def national_chart_svg(daily: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """Cities down per day: one row per year, a bar per day, one vertical scale for all years.

    ``national_chart_svg([{"day": date(2021, 9, 2), "cities_down": 3, …}])`` → ``<svg id="national-chart" …>``
    with one ``rect.day`` per day that has any outage.
    """
    years = sorted({d["day"].year for d in daily})
    top = max((d["cities_down"] for d in daily), default=0) or 1
    plot_w = DAY_CHART_WIDTH - DAY_LABEL_WIDTH - 8
    day_w = plot_w / 366
    height = max(1, len(years)) * DAY_ROW_HEIGHT + 24
    caption = text("national_caption", lang)
    parts = [
        f'<svg id="national-chart" class="daily" role="img" aria-label="{esc(caption)}" viewBox="0 0 {DAY_CHART_WIDTH} {height}" '
        f'width="{DAY_CHART_WIDTH}" height="{height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(caption)}</title>",
    ]
    if not daily:
        parts.append(f'<text class="empty" x="{DAY_LABEL_WIDTH}" y="30">{esc(text("no_days", lang))}</text></svg>')
        return "".join(parts)
    # month ticks once, above the first year
    for m in range(1, 13):
        x = DAY_LABEL_WIDTH + (dt.date(2001, m, 1).timetuple().tm_yday - 1) * day_w
        label = f"{m}月" if lang == "zh" else dt.date(2001, m, 1).strftime("%b")
        parts.append(f'<text class="tick" x="{x + 2:.1f}" y="14">{label}</text>')
    by_year = _group(daily, "day")
    for i, year in enumerate(years):
        base = 20 + (i + 1) * DAY_ROW_HEIGHT - 6
        parts.append(f'<g class="year" data-year="{year}">')
        parts.append(f'<text class="year-label" x="4" y="{base - 20}">{year}</text>')
        parts.append(f'<line class="axis" x1="{DAY_LABEL_WIDTH}" x2="{DAY_CHART_WIDTH - 8}" y1="{base}" y2="{base}"/>')
        for m in range(1, 13):
            x = DAY_LABEL_WIDTH + (dt.date(2001, m, 1).timetuple().tm_yday - 1) * day_w
            parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{base - DAY_ROW_HEIGHT + 10}" y2="{base}"/>')
        for day, (d,) in ((k, v) for k, v in by_year.items() if k.year == year):
            n = d["cities_down"] or 0
            h = (DAY_ROW_HEIGHT - 14) * n / top if n else 2.0  # a day with only province-wide stops still shows
            x = DAY_LABEL_WIDTH + (day.timetuple().tm_yday - 1) * day_w
            tip = text("day_tooltip", lang, day=fmt_date(day, lang), cities=n, full=d["cities_fully_down"],
                       wide=d["province_wide_down"], notices=d["notices"])
            css = "day" if n else "day wide-only"
            parts.append(f'<rect class="{css}" x="{x:.1f}" y="{base - h:.1f}" width="{max(day_w - 0.3, 1):.2f}" height="{h:.1f}">'
                         f"<title>{esc(tip)}</title></rect>")
        parts.append("</g>")
    parts.append(f'<text class="tick" x="{DAY_CHART_WIDTH - 8}" y="{30}" text-anchor="end">max {top}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# HTML sections


def _list_text(values: Sequence[str] | None, kind: str | None = None, lang: str = DEFAULT_LANG) -> str:
    """``_list_text(["a", "b"])`` → ``"a、b"`` (escaped), codes captioned when ``kind`` is given."""
    if not values:
        return '<span class="muted">—</span>'
    sep = "、" if lang == "zh" else ", "
    return sep.join(esc(code(kind, v, lang) if kind else v) for v in values)


def _attrs(row: dict[str, Any], lang: str, city: bool = True) -> str:
    """The filter attributes of an element: ``data-province`` (and ``data-city``)."""
    out = f' data-province="{esc(province_of(row, lang))}"'
    return out + (f' data-city="{esc(place_label(row, lang))}"' if city else "")


def _th(*names: str, lang: str) -> str:
    return "".join(f"<th>{esc(column(n, lang))}</th>" for n in names)


def peak_days_table(daily: Sequence[dict[str, Any]], lang: str) -> str:
    """The days with the most cities down."""
    top = sorted(daily, key=lambda d: (-(d["cities_down"] or 0), d["day"]))[:PEAK_DAYS]
    if not top or not top[0]["cities_down"]:
        return ""
    rows = "".join(
        f'<tr><td class="ts">{esc(fmt_date(d["day"], lang))}</td><td class="num">{d["cities_down"]}</td>'
        f'<td class="num">{d["cities_fully_down"]}</td><td class="num">{d["province_wide_down"]}</td>'
        f'<td class="num">{d["notices"]}</td></tr>'
        for d in top
    )
    return (f"<h3>{esc(text('peak_days', lang))}</h3><table class=\"peaks\"><thead><tr>"
            f"{_th('day', 'cities_down', 'cities_fully_down', 'province_wide_down', 'notices', lang=lang)}"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def calendar_table(calendar: Sequence[dict[str, Any]], lang: str) -> str:
    """Province × year, each cell twelve month squares shaded by how many cities started a stop."""
    if not calendar:
        return f'<p class="muted">{esc(text("no_windows", lang))}</p>'
    years = list(range(min(r["month"].year for r in calendar), max(r["month"].year for r in calendar) + 1))
    top = max(max(r["cities_stopping"], 1 if r["windows"] else 0) for r in calendar) or 1
    body = []
    for province, rows in _group(calendar, "province").items():
        by_month = {(r["month"].year, r["month"].month): r for r in rows}
        label = province if province != "(province unknown)" else text("province_unknown", lang)
        cells = []
        for year in years:
            squares = []
            for m in range(1, 13):
                r = by_month.get((year, m))
                if r is None:
                    squares.append('<i class="m m0"></i>')
                    continue
                n = max(r["cities_stopping"], 1)  # a province-wide stop still marks its month
                level = 1 + min(3, int(3 * n / top))
                tip = text("month_tooltip", lang, province=label, month=fmt_month(r["month"], lang),
                           cities=r["cities_stopping"], notices=r["notices"], windows=r["windows"])
                squares.append(f'<i class="m m{level}" title="{esc(tip)}"></i>')
            cells.append(f'<td class="cal">{"".join(squares)}</td>')
        body.append(f'<tr data-province="{esc(label)}"><th scope="row">{esc(label)}</th>{"".join(cells)}</tr>')
    head = "".join(f"<th>{y}</th>" for y in years)
    return (f'<div class="scroll"><table class="calendar"><thead><tr><th>{esc(column("province", lang))}</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def coverage_table(coverage: Sequence[dict[str, Any]], lang: str) -> str:
    """Per province: cities with and without a notice, province-wide notices, cities without a number to call."""
    body = []
    for r in coverage:
        label = r["province"] if r["province"] != "(province unknown)" else text("province_unknown", lang)
        missing = _list_text(r["missing_cities"], lang=lang) if r["missing_cities"] else esc(text("none", lang))
        lacking = _list_text(r["cities_lacking_phone_number"], lang=lang) if r["cities_lacking_phone_number"] else esc(text("none", lang))
        bad = ' class="bad"' if r["cities_without_notice"] else ""
        detail = (f'<details><summary>{esc(text("missing_list", lang))}（{r["cities_without_notice"]}）</summary>{missing}</details>'
                  if r["cities_without_notice"] else "")
        no_number = (f'<details><summary>{esc(text("no_number_list", lang))}（{r["cities_without_phone_number"]}）</summary>'
                     f"{lacking}</details>" if r["cities_without_phone_number"] else "")
        body.append(
            f'<tr data-province="{esc(label)}"><th scope="row">{esc(label)}</th><td class="num">{r["cities"]}</td>'
            f'<td class="num">{r["cities_with_notice"]}</td><td class="num"><span{bad}>{r["cities_without_notice"]}</span></td>'
            f'<td class="num">{r["province_wide_notices"]}</td><td class="num">{r["cities_without_phone_number"]}</td>'
            f"<td>{detail}{no_number}</td></tr>"
        )
    head = _th("province", "cities", "cities_with_notice", "cities_without_notice", "province_wide_notices",
               "cities_without_phone_number", lang=lang)
    return f'<table class="coverage"><thead><tr>{head}<th></th></tr></thead><tbody>{"".join(body)}</tbody></table>'


def longest_table(rows: Sequence[dict[str, Any]], lang: str) -> str:
    """The longest windows: national top rows shown, each province's top rows shown when filtered to it."""
    body = []
    for r in rows:
        classes = ["longest"] + (["top"] if r["rank"] <= LONGEST_NATIONAL else []) \
            + (["in-province"] if r["rank_in_province"] <= LONGEST_PER_PROVINCE else [])
        hidden = "" if r["rank"] <= LONGEST_NATIONAL else " hidden"
        body.append(
            f'<tr class="{" ".join(classes)}"{_attrs(r, lang)}{hidden}><td class="num">{r["rank"]}</td>'
            f'<td class="num">{r["rank_in_province"]}</td><td>{esc(place_label(r, lang))}</td><td>{esc(province_of(r, lang))}</td>'
            f"<td>{esc(window_label(r['scheme'], r['service'], lang))}</td>"
            f'<td class="ts">{esc(fmt_datetime(r["start_at"], lang))}</td><td class="ts">{esc(fmt_datetime(r["end_at"], lang))}</td>'
            f'<td class="num">{esc(fmt_duration(r["hours"], lang))}{"*" if r["year_inferred"] else ""}</td>'
            f"<td><code>{esc(r['source_file'])}</code></td></tr>"
        )
    head = _th("rank", "rank_in_province", "city_label", "province", "service", "start_at", "end_at", "hours", "source_file", lang=lang)
    return f'<table class="longest-outages"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def comparison_table(rows: Sequence[dict[str, Any]], anchors: dict[str, str], lang: str = DEFAULT_LANG) -> str:
    """The side-by-side table: one row per city, linking to its card."""
    head = _th("city_label", "province", "first_stop", "last_resume", "longest_outage_hours", "services_stopped",
               "guidance_categories", "reimbursement_deadline", lang=lang)
    head += f"<th>{esc(column('contacts_with_number', lang))} / {esc(column('contacts_without_number', lang))}</th>"
    head += _th("repairs", lang=lang)
    body = []
    for r in rows:
        open_note = f' <span class="badge warn">{esc(text("open_badge", lang, n=r["open_windows"]))}</span>' if r["open_windows"] else ""
        bad = r["contacts_without_number"]
        contacts = f'{r["contacts_with_number"]} / ' + (f'<span class="badge bad">{bad}</span>' if bad else "0")
        last = esc(fmt_datetime(r["last_resume"], lang)) or f'<span class="muted">{esc(text("unknown", lang))}</span>'
        services = [text("all_services", lang) if s == "(all services)" else s for s in r["services_stopped"]]
        body.append(
            f'<tr{_attrs(r, lang)}><td><a href="#{anchors[r["city_label"]]}">{esc(place_label(r, lang))}</a></td>'
            f"<td>{esc(r['province'] or '')}</td>"
            f'<td class="ts">{esc(fmt_datetime(r["first_stop"], lang))}</td><td class="ts">{last}{open_note}</td>'
            f'<td class="num">{esc(fmt_duration(r["longest_outage_hours"], lang) if r["windows"] else "")}</td>'
            f"<td>{_list_text(services, lang=lang)}</td><td>{_list_text(r['guidance_categories'], 'category', lang)}</td>"
            f'<td class="ts">{esc(fmt_date(r["reimbursement_deadline"], lang))}</td>'
            f'<td class="num">{contacts}</td><td class="num">{r["repairs"]}</td></tr>'
        )
    return f'<table class="compare"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _more(total: int, shown: int, lang: str) -> str:
    return f'<p class="muted more">{esc(text("more_items", lang, n=total - shown))}</p>' if total > shown else ""


def windows_table(windows: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """A card's windows as a table (the chart's numbers, for copying)."""
    rows = []
    for w in windows:
        flags = []
        if w["year_inferred"]:
            flags.append(f'<span class="badge warn" title="{esc(text("year_inferred_title", lang))}">{esc(text("year_inferred_badge", lang))}</span>')
        if w["end_at"] is None:
            flags.append(f'<span class="badge warn">{esc(text("no_end_badge", lang))}</span>')
        if w.get("confidence") in ("low", "medium"):
            flags.append(f'<span class="badge {"warn" if w["confidence"] == "low" else ""}" '
                         f'title="{esc(";".join(w.get("confidence_reasons") or []))}">'
                         f'{esc(text("confidence_badge", lang, level=code("confidence", w["confidence"], lang)))}</span>')
        low = ' class="low"' if w.get("confidence") == "low" else ""
        rows.append(
            f"<tr{low}><td>{esc(w['scheme'] or text('all_schemes', lang))}</td><td>{esc(w['service'] or text('all_services', lang))}</td>"
            f"<td>{esc(fmt_datetime(w['start_at'], lang))}</td><td>{esc(fmt_datetime(w['end_at'], lang))}</td>"
            f'<td class="num">{esc(fmt_duration(w["hours"], lang))}</td>'
            f"<td>{esc(w['start_text'])} … {esc(w['end_text'])} {' '.join(flags)}</td></tr>"
        )
    head = _th("scheme", "service", "start_at", "end_at", "hours", "start_text", lang=lang)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _deadline_text(g: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """``"2022年3月15日至2022年12月31日"``, ``"2022年2月10日前"``, ``"2022年2月1日起"`` or the printed text."""
    a, b = fmt_date(g["deadline_from"], lang), fmt_date(g["deadline_to"], lang)
    if a and b:
        return text("deadline_range", lang, a=a, b=b)
    if b:
        return text("deadline_by", lang, b=b)
    if a:
        return text("deadline_from", lang, a=a)
    return g["deadline_text"] or ""


def is_reimbursement(g: dict[str, Any]) -> bool:
    """Guidance whose deadline is a money-back deadline (same rule as the city_comparison view)."""
    return g["category"] in REIMBURSEMENT_CATEGORIES or g["action"] in REIMBURSEMENT_ACTIONS


def guidance_block(items: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """What patients must do, grouped by situation; each item shows the instruction as printed."""
    if not items:
        return f'<p class="muted">{esc(text("no_guidance", lang))}</p>'
    groups = _group(items, "category")
    out = []
    for category in list(CATEGORY_ORDER) + sorted(set(groups) - set(CATEGORY_ORDER)):
        if category not in groups:
            continue
        lis = []
        for g in groups[category]:
            deadline = _deadline_text(g, lang)
            docs = ("、" if lang == "zh" else ", ").join(esc(d) for d in (g["documents"] or []))
            lis.append(
                f'<li><span class="action a-{esc(g["action"])}">{esc(code("action", g["action"], lang))}</span>'
                + (f' <span class="cond">{esc(g["condition"])}</span>' if g["condition"] else "")
                + (f' <span class="badge deadline">{esc(deadline)}</span>' if deadline else "")
                + (f' <span class="docs">{esc(text("bring", lang, docs=""))}{docs}</span>' if docs else "")
                + (f' <span class="scheme">[{esc(g["scheme"])}]</span>' if g["scheme"] else "")
                + f'<blockquote>{esc(g["evidence"])}</blockquote></li>'
            )
        is_open = " open" if len(items) <= 12 else ""
        out.append(
            f"<details{is_open}><summary>{esc(code('category', category, lang))} ({len(groups[category])})</summary>"
            f'<ul class="guidance">{"".join(lis)}</ul></details>'
        )
    return "".join(out)


def deadlines_block(items: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """Every dated instruction, latest first; money-back deadlines are marked."""
    dated = [g for g in items if g["deadline_from"] or g["deadline_to"]]
    if not dated:
        return f'<p class="muted">{esc(text("no_deadlines", lang))}</p>'
    dated.sort(key=lambda g: (g["deadline_to"] or g["deadline_from"]), reverse=True)
    lis = []
    for g in dated:
        mark = f' <span class="badge money">{esc(text("reimbursement_badge", lang))}</span>' if is_reimbursement(g) else ""
        lis.append(
            f'<li><b>{esc(_deadline_text(g, lang))}</b> — {esc(code("category", g["category"], lang))}: '
            f'{esc(code("action", g["action"], lang))}{mark}'
            f' <span class="muted">({esc(text("printed", lang, text=g["deadline_text"] or ""))})</span></li>'
        )
    return f'<ul class="deadlines">{"".join(lis)}</ul>'


def contacts_block(items: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """Whom to call; a number the source damaged is flagged, never guessed."""
    if not items:
        return f'<p class="muted">{esc(text("no_contacts", lang))}</p>'
    usable = sum(1 for c in items if c["phone_status"] in USABLE_PHONE_STATUSES)
    rows = []
    for c in items:
        bad = c["phone_status"] not in USABLE_PHONE_STATUSES
        number = f'<a href="tel:{esc(c["phone_e164"])}">{esc(c["phone_e164"])}</a>' if c["phone_e164"] else ""
        status = esc(code("phone_status", c["phone_status"], lang))
        if bad:
            status = f'<span class="badge bad">{esc(text("damaged_badge", lang, status=code("phone_status", c["phone_status"], lang)))}</span>'
        rows.append(
            f'<tr class="{"bad" if bad else ""}"><td>{esc(c["region"])}</td><td>{esc(c["organization"])}</td>'
            f"<td><code>{esc(c['phone_raw'])}</code></td><td>{number}</td><td>{status}</td></tr>"
        )
    summary = text("contacts_summary", lang, usable=usable, bad=len(items) - usable)
    is_open = " open" if len(items) <= 12 or usable < len(items) else ""
    head = _th("region", "organization", "phone_raw", "phone_e164", "phone_status", lang=lang)
    return (f"<details{is_open}><summary>{esc(summary)}</summary><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>")


def sources_block(notices: Sequence[dict[str, Any]], raw_dir: Path | None, out_dir: Path, lang: str = DEFAULT_LANG) -> str:
    """Each source notice with links back to its file and, when known, its web address."""
    lis = []
    for n in notices:
        links = []
        href = file_href(n["source_file"], raw_dir, out_dir)
        links.append(f'<a href="{href}">{esc(n["source_file"])}</a>' if href else f"<code>{esc(n['source_file'])}</code>")
        url = safe_url(n["source_url"])
        if url:
            links.append(f'<a href="{esc(url)}" rel="noreferrer noopener">{esc(url)}</a>')
        elif n["source_url"]:
            links.append(f"<code>{esc(n['source_url'])}</code>")  # not a web address: shown, not linked
        published = fmt_date(n["published_on"], lang)
        lis.append(
            f"<li><b>{esc(n['title'] or text('untitled', lang))}</b>"
            + (f" — {esc(n['issuer'])}" if n["issuer"] else "")
            + f" — {esc(text('published', lang, date=published) if published else text('published_unknown', lang))}"
            + f"<br>{' · '.join(links)}</li>"
        )
    return f'<ul class="sources">{"".join(lis)}</ul>'


def city_card(row: dict[str, Any], anchor: str, data: ReportData, by_city: dict[str, dict[str, list[dict[str, Any]]]],
              raw_dir: Path | None, out_dir: Path, lang: str = DEFAULT_LANG) -> str:
    """One city's card: key facts, its own timeline, windows, guidance, deadlines, contacts, sources (each capped)."""
    city = row["city_label"]
    counts = data.counts.get(city, {})
    windows = sorted(by_city["timeline"].get(city, []), key=lambda w: (w["start_at"], w["notice_id"], w["window_no"]))
    guidance = by_city["guidance"].get(city, [])
    contacts = by_city["contacts"].get(city, [])
    notices = by_city["notices"].get(city, [])
    scope = {"province": text("scope_province", lang), "unknown": text("scope_unknown", lang)}.get(row["city_scope"], "")
    last = fmt_datetime(row["last_resume"], lang) or (text("last_resume_open", lang) if row["open_windows"] else "—")
    facts = [
        (text("first_stop", lang), fmt_datetime(row["first_stop"], lang) or "—"),
        (text("last_resume", lang), last),
        (text("longest_outage", lang), fmt_duration(row["longest_outage_hours"], lang) if row["windows"] else "—"),
        (text("reimbursement_deadline", lang), fmt_date(row["reimbursement_deadline"], lang) or "—"),
        (column("notices", lang), str(row["notices"])),
        (column("windows", lang), str(row["windows"])),
    ]
    label = place_label(row, lang)
    chart = city_timeline_svg(label, windows, f"{anchor}-chart", lang) if windows else ""
    return (
        f'<section class="card" id="{anchor}"{_attrs(row, lang)}>'
        f"<h3>{esc(label)}"
        + (f' <span class="badge warn">{esc(scope)}</span>' if scope else "")
        + (f' <span class="muted">{esc(row["province"])}</span>' if row["province"] and row["city"] else "")
        + "</h3>"
        + '<dl class="facts">'
        + "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
        + "</dl>"
        + (f'<figure class="chart">{chart}</figure>' if chart else "")
        + f"<h4>{esc(text('windows_heading', lang))}</h4>"
        + (windows_table(windows, lang) if windows else f'<p class="muted">{esc(text("no_window_found", lang))}</p>')
        + _more(counts.get("windows", 0), len(windows), lang)
        + f"<h4>{esc(text('guidance_heading', lang))}</h4>"
        + guidance_block(guidance, lang)
        + _more(counts.get("guidance", 0), len(guidance), lang)
        + f"<h4>{esc(text('deadlines_heading', lang))}</h4>"
        + deadlines_block(guidance, lang)
        + f"<h4>{esc(text('contacts_heading', lang))}</h4>"
        + contacts_block(contacts, lang)
        + _more(counts.get("contacts", 0), len(contacts), lang)
        + f"<h4>{esc(text('sources_heading', lang))}</h4>"
        + sources_block(notices, raw_dir, out_dir, lang)
        + _more(counts.get("notices", 0), len(notices), lang)
        + "</section>"
    )


def repairs_section(data: ReportData, lang: str = DEFAULT_LANG) -> str:
    """How often each repair rule fired and what it means, then the first repairs."""
    if not data.rule_counts:
        return f'<p class="muted">{esc(text("no_repairs", lang))}</p>'
    legend = "".join(
        f"<tr><td><code>{esc(r['rule'])}</code></td><td class=num>{r['n']}</td><td>{esc(code('rule', r['rule'], lang))}</td></tr>"
        for r in data.rule_counts
    )
    unrepaired = f'<span class="badge bad">{esc(text("not_repairable", lang))}</span>'
    rows = "".join(
        f"<tr><td>{esc(place_label(r, lang))}</td><td><code>{esc(r['source_file'])}</code></td>"
        f"<td><code>{esc(r['table_name'])}.{esc(r['column_name'])}</code></td>"
        f"<td>{esc(r['raw_value'])}</td>"
        f"<td>{unrepaired if r['repaired_value'] is None else esc(r['repaired_value'])}</td>"
        f'<td><code title="{esc(code("rule", r["rule"], lang))}">{esc(r["rule"])}</code></td>'
        f"<td>{esc(r['evidence'])}</td></tr>"
        for r in data.repairs
    )
    total = data.totals["repairs"]
    return (
        f'<table class="rules"><thead><tr><th>{esc(column("rule", lang))}</th><th>{esc(text("rule_count", lang))}</th>'
        f'<th>{esc(text("rule_meaning", lang))}</th></tr></thead><tbody>{legend}</tbody></table>'
        f"<details><summary>{esc(text('all_repairs', lang, shown=len(data.repairs), n=total))}</summary>"
        f'<table class="repairs"><thead><tr>{_th("city_label", "source_file", lang=lang)}<th>{esc(text("where", lang))}</th>'
        f'{_th("raw_value", "repaired_value", "rule", lang=lang)}<th>{esc(text("why", lang))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></details>"
    )


def errors_section(data: ReportData, lang: str = DEFAULT_LANG) -> str:
    """Files the pipeline could not (fully) process, with the reason."""
    if not data.errors:
        return f'<p class="muted">{esc(text("no_errors", lang))}</p>'
    rows = "".join(
        f"<tr><td><code>{esc(e['source_file'])}</code></td><td>{esc(code('stage', e['stage'], lang))}</td><td>{esc(e['error'])}</td></tr>"
        for e in data.errors
    )
    total = data.totals["errors"]
    more = f'<p class="muted">{esc(text("errors_more", lang, n=total, shown=len(data.errors)))}</p>' if total > len(data.errors) else ""
    return f"{more}<table><thead><tr>{_th('source_file', 'stage', 'error', lang=lang)}</tr></thead><tbody>{rows}</tbody></table>"


CATEGORY_ORDER: tuple[str, ...] = ("outpatient", "inpatient", "out_of_area", "pharmacy", "chronic_special", "enrollment_payment",
                                   "referral_filing", "reimbursement", "insurance_card", "retirees", "other")


CSS = """
:root{--ink:#1f2933;--muted:#6b7280;--line:#e5e7eb;--all:#c0392b;--partial:#e67e22;--bad:#b91c1c;--warn:#92400e}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
color:var(--ink);margin:0 auto;max-width:1180px;padding:16px 24px;line-height:1.45;font-size:14px}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--line)}
h3{font-size:17px;margin:0 0 8px}h4{font-size:14px;margin:14px 0 4px}
.muted{color:var(--muted)}.num,.ts{white-space:nowrap}.num{text-align:right}
table{border-collapse:collapse;width:100%;margin:4px 0 8px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6}
.compare td:first-child{white-space:nowrap}
tr.bad td{background:#fef2f2}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:12px;background:#f3f4f6}
.badge.bad{background:#fee2e2;color:var(--bad)}.badge.warn{background:#fef3c7;color:var(--warn)}
.badge.deadline{background:#e0f2fe;color:#075985}.badge.money{background:#dcfce7;color:#166534}
.chart,.timeline{overflow-x:auto;margin:0}
svg.gantt{display:block;max-width:100%;height:auto;font-size:12px}
svg .grid{stroke:#e5e7eb}svg .tick{fill:var(--muted);font-size:11px}
svg .lane-bg{fill:#f3f4f6}svg .lane-title{font-weight:bold;font-size:13px;fill:var(--ink)}
svg .lane-sub{font-weight:normal;fill:var(--muted);font-size:11px}
svg .row-label{fill:var(--ink)}svg .note{fill:var(--muted);font-size:11px}
svg .bar.all{fill:var(--all)}svg .bar.partial{fill:var(--partial)}svg .bar.open{stroke:#7f8c8d;stroke-dasharray:3 2}svg .bar.low{stroke:#000;stroke-width:1.5;stroke-dasharray:2 2}tr.low td{background:#fdecea}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:14px;height:10px;margin-right:4px}
.sw.all{background:var(--all)}.sw.partial{background:var(--partial)}
.sw.open{background:linear-gradient(90deg,#7f8c8d,#fff);border:1px dashed #7f8c8d}
.card{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:14px 0;break-inside:avoid}
.facts{display:flex;flex-wrap:wrap;gap:6px 24px;margin:0 0 8px}.facts div{min-width:160px}
.facts dt{color:var(--muted);font-size:12px}.facts dd{margin:0;font-weight:bold}
details{margin:4px 0}summary{cursor:pointer}
ul.guidance{margin:4px 0 8px;padding-left:18px}ul.guidance li{margin:4px 0}
.action{font-weight:bold}.a-suspended{color:var(--bad)}.a-unaffected{color:#166534}
.cond{color:#374151}.docs,.scheme{color:var(--muted)}
blockquote{margin:2px 0 0;padding:2px 8px;border-left:3px solid var(--line);color:#4b5563;font-size:13px}
#city-filter{font:inherit;padding:4px 8px;width:260px}
footer{margin:32px 0 8px;color:var(--muted);font-size:12px}
@media print{details{display:block}.card{page-break-inside:avoid}#city-filter{display:none}}
"""

CSS_EXTRA = """
.scroll{overflow-x:auto}
svg.daily{display:block;max-width:100%;height:auto;font-size:11px}
svg.daily .day{fill:var(--all)}svg.daily .day.wide-only{fill:#d1d5db}svg.daily .axis{stroke:#9ca3af}
svg.daily .grid{stroke:#f3f4f6}svg.daily .year-label{font-weight:bold;fill:var(--ink)}
table.calendar td.cal{white-space:nowrap;padding:3px 4px}table.calendar th{white-space:nowrap}
i.m{display:inline-block;width:7px;height:12px;margin-right:1px;background:#f3f4f6}
i.m1{background:#fcd9cc}i.m2{background:#f4a582}i.m3{background:#d6604d}i.m4{background:#b2182b}
table.coverage span.bad{color:var(--bad);font-weight:bold}
table.peaks th+th,table.coverage thead th+th{text-align:right}
#filters{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:6px 0}
#province-filter{font:inherit;padding:4px 8px}
.more{font-size:12px;margin:0 0 6px}
"""

# Progressive enhancement only: the page is complete without it. It reveals the filters, hides
# what belongs to other provinces (or cities), reads and writes the filter in the address
# (report.html#province=陕西省 opens filtered), and marks the page ready (the browser test reads that).
SCRIPT = """(function () {
  var sel = document.getElementById("province-filter");
  var box = document.getElementById("city-filter");
  var items = document.querySelectorAll("[data-province], [data-city]:not(g)");
  function apply() {
    var p = sel.value, q = box.value.trim().toLowerCase();
    items.forEach(function (el) {
      var prov = el.getAttribute("data-province");
      var ok = p === "" || prov === null || prov === p;
      if (el.classList.contains("longest")) {
        ok = p === "" ? el.classList.contains("top") : (prov === p && el.classList.contains("in-province"));
      }
      var city = el.getAttribute("data-city");
      if (q !== "" && city !== null && city.toLowerCase().indexOf(q) < 0) { ok = false; }
      el.hidden = !ok;
    });
    document.documentElement.setAttribute("data-province-filter", p);
  }
  function fromAddress() {
    var m = /(?:^#|&)province=([^&]*)/.exec(window.location.hash);
    sel.value = m ? decodeURIComponent(m[1]) : "";
    if (sel.selectedIndex < 0) { sel.value = ""; }
  }
  sel.hidden = false;
  box.hidden = false;
  fromAddress();
  apply();
  sel.addEventListener("change", function () {
    try { window.history.replaceState(null, "", sel.value ? "#province=" + encodeURIComponent(sel.value) : "#"); } catch (e) { /* file:// may refuse */ }
    apply();
  });
  box.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { fromAddress(); apply(); });
  document.documentElement.setAttribute("data-report-ready", "1");
})();"""


def _csp(script: str) -> str:
    """A policy that lets the page load nothing and run only its own script (pinned by hash)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def _province_options(data: ReportData, lang: str) -> str:
    """The province filter's options: every province of the gazetteer and of the notices."""
    names = {r["province"] if r["province"] != "(province unknown)" else text("province_unknown", lang) for r in data.coverage}
    names |= {province_of(r, lang) for r in data.comparison}
    options = [f'<option value="">{esc(text("all_provinces", lang))}</option>']
    options += [f'<option value="{esc(p)}">{esc(p)}</option>' for p in sorted(names)]
    return "".join(options)


def render_report(data: ReportData, out_dir: Path, raw_dir: Path | None = None, generated_at: str | None = None,
                  lang: str = DEFAULT_LANG) -> str:
    """The whole page as one HTML string (no network references), in ``lang`` (``zh`` or ``en``).

    ``render_report(load_report_data(Path("outputs/notices.duckdb")), Path("outputs"))`` →
    ``"<!DOCTYPE html><html lang=\\"zh-CN\\">…"``.
    """
    generated_at = generated_at or dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    anchors = {r["city_label"]: f"city-{i}" for i, r in enumerate(data.comparison, start=1)}
    by_city = {
        "timeline": _group(data.timeline, "city_label"),
        "guidance": _group(data.guidance, "city_label"),
        "contacts": _group(data.contacts, "city_label"),
        "notices": _group(data.notices, "city_label"),
    }
    cards = "".join(city_card(r, anchors[r["city_label"]], data, by_city, raw_dir, out_dir, lang) for r in data.comparison)
    t = data.totals
    period = (f"{fmt_date(t['first_start'].date(), lang)} – {fmt_date(t['last_start'].date(), lang)}"
              if t["first_start"] else text("no_windows_period", lang))
    legend = (
        f'<p class="legend"><span><i class="sw all"></i>{esc(text("legend_all", lang))}</span>'
        f'<span><i class="sw partial"></i>{esc(text("legend_partial", lang))}</span>'
        f'<span><i class="sw open"></i>{esc(text("legend_open", lang))}</span><span>{esc(text("legend_inferred", lang))}</span>'
        f"<span>{esc(text('legend_hover', lang))}</span></p>"
    )
    nav = " · ".join(f'<a href="#{a}">{esc(text(k, lang))}</a>' for a, k in (
        ("national", "nav_national"), ("calendar", "nav_calendar"), ("coverage", "nav_coverage"),
        ("longest", "nav_longest"), ("compare", "nav_compare"), ("timeline-section", "nav_timeline"),
        ("cities", "nav_cities"), ("review", "nav_review"), ("repairs", "nav_repairs"), ("errors", "nav_errors")))
    filters = (
        f'<div id="filters"><select id="province-filter" aria-label="{esc(text("filter_province", lang))}" hidden>'
        f"{_province_options(data, lang)}</select>"
        f'<input id="city-filter" type="search" placeholder="{esc(text("filter_cities", lang))}" '
        f'aria-label="{esc(text("filter_cities", lang))}" hidden></div>'
    )
    unknown_more = f'<p class="muted">{esc(text("unknown_more", lang, n=data.unknown_more))}</p>' if data.unknown_more else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(SCRIPT))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(text('page_title', lang))}</title>"
        f"<style>{CSS}{CSS_EXTRA}</style></head><body>"
        f"<header><h1>{esc(text('heading', lang))}</h1>"
        f'<p class="muted">{esc(text("summary", lang, notices=t["notices"], cities=t["cities"], windows=t["windows"], period=period, repairs=t["repairs"], errors=t["errors"]))}</p>'
        f"<nav>{nav}</nav>{filters}</header>"
        f'<h2 id="national">{esc(text("national_heading", lang))}</h2><p class="muted">{esc(text("national_note", lang))}</p>'
        f'<figure class="chart">{national_chart_svg(data.daily, lang)}</figure>'
        + peak_days_table(data.daily, lang)
        + f'<h2 id="calendar">{esc(text("calendar_heading", lang))}</h2><p class="muted">{esc(text("calendar_note", lang))}</p>'
        + calendar_table(data.calendar, lang)
        + f'<h2 id="coverage">{esc(text("coverage_heading", lang))}</h2><p class="muted">{esc(text("coverage_note", lang))}</p>'
        + coverage_table(data.coverage, lang)
        + f'<h2 id="longest">{esc(text("longest_heading", lang))}</h2>'
        + f'<p class="muted">{esc(text("longest_note", lang, n=LONGEST_NATIONAL, m=LONGEST_PER_PROVINCE))}</p>'
        + longest_table(data.longest, lang)
        + f'<h2 id="compare">{esc(text("compare_heading", lang))}</h2>'
        + comparison_table(data.comparison, anchors, lang) + unknown_more
        + f'<h2 id="timeline-section">{esc(text("timeline_heading", lang))}</h2>'
        + f'<p class="muted">{esc(text("timeline_note", lang, n=TIMELINE_NOTICES))}</p>'
        + legend
        + f'<figure class="timeline">{aligned_timeline(data.lanes, lang)}</figure>'
        + f'<h2 id="cities">{esc(text("cities_heading", lang))}</h2>'
        + f'<p class="muted">{esc(text("cities_note", lang, n=data.per_card))}</p>'
        + cards
        + f'<h2 id="review">{esc(text("review_heading", lang))}</h2>'
        + review_section(data.review, data.confidence_levels, lang)
        + f'<h2 id="repairs">{esc(text("repairs_heading", lang))}</h2><p class="muted">{esc(text("repairs_note", lang))}</p>'
        + repairs_section(data, lang)
        + f'<h2 id="errors">{esc(text("errors_heading", lang))}</h2>'
        + errors_section(data, lang)
        + f"<footer>{text('footer', lang, when=esc(generated_at))}</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


REVIEW_ROWS = 40  # windows listed in the "needs review" section, most consequential first


def review_section(rows: Sequence[dict[str, Any]], levels: Sequence[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """The windows the pipeline is least sure of, low first, then everything-stops and long ones,
    with why and the candidate ends that lost (``pipeline review`` lists every row)."""
    counts = ", ".join(f"{code('confidence', r['confidence'], lang)} {r['n']}" for r in levels)
    if not rows:
        return f'<p class="muted">{esc(text("review_none", lang))} ({esc(counts)})</p>'
    low = ' class="low"'
    body = "".join(
        f"<tr{low if r['confidence'] == 'low' else ''}><td>{esc(code('confidence', r['confidence'], lang))}</td>"
        f"<td>{esc(r['city_label'])}</td><td><code>{esc(r['source_file'])}</code></td>"
        f"<td>{esc(fmt_datetime(r['start_at'], lang))} → {esc(fmt_datetime(r['end_at'], lang) or text('last_resume_open', lang))}</td>"
        f"<td>{esc(';'.join(r['confidence_reasons'] or []))}</td><td>{esc(r['end_alternatives'] or '')}</td>"
        f"<td>{esc(truncate(r['evidence'] or '', 120))}</td></tr>"
        for r in rows)
    head = _th("confidence", "city", "source_file", "start_at", "confidence_reasons", "end_alternatives", "evidence", lang=lang)
    return (f'<p class="muted">{esc(text("review_note", lang, n=len(rows), counts=counts))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


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
