"""``python -m pipeline report [--out DIR]``: a self-contained HTML page comparing city rollouts.

The page is for regulators: a timeline of every outage window, one card per city (windows, what
patients must do, deadlines, contacts with the damaged ones flagged, sources), the repairs the
pipeline made and the files it could not read. It is built from the views in ``notices.duckdb``
(opened read-only) and written next to it as ``report.html``.

Self-contained means: no network. CSS, the SVG charts and one small script are inline, and a
Content-Security-Policy forbids loading anything else, so the page works from a USB stick and
a notice that smuggles markup in cannot make it fetch or run anything. Every value that comes
from a notice goes through :func:`esc`.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import html
import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb

from pipeline.atomic import atomic_write_text
from pipeline.load import DB_NAME
from pipeline.query import display_width
from pipeline.views import REIMBURSEMENT_ACTIONS, REIMBURSEMENT_CATEGORIES, USABLE_PHONE_STATUSES
from pipeline.vocab.codes import REPAIR_RULES

REPORT_NAME = "report.html"

CATEGORY_LABELS: dict[str, str] = {
    "outpatient": "门诊 · outpatient",
    "inpatient": "住院 · inpatient",
    "out_of_area": "异地就医 · out of area",
    "pharmacy": "药店购药 · pharmacy",
    "chronic_special": "门诊慢特病 · chronic / special drugs",
    "enrollment_payment": "参保缴费 · enrolment & contributions",
    "referral_filing": "转诊备案 · referral & filing",
    "reimbursement": "零星报销 · reimbursement",
    "insurance_card": "医保卡 · insurance card",
    "retirees": "离休人员 · retirees",
    "other": "其他 · other",
}
ACTION_LABELS: dict[str, str] = {
    "settle_before": "settle before the stop (停机前结算)",
    "pay_then_settle_at_provider": "pay now, settle with the hospital or pharmacy later (先垫付，后结算)",
    "pay_then_reimburse": "pay now, claim reimbursement later (先垫付，后报销)",
    "suspended": "suspended during the stop (暂停办理)",
    "deemed_approved": "deemed approved (视同备案)",
    "stock_up_medicine": "stock up on medicine before the stop (提前备药)",
    "unaffected": "not affected (不受影响)",
    "other": "other (其他)",
}
PHONE_STATUS_LABELS: dict[str, str] = {
    "ok": "ok",
    "area_code_inferred": "area code added",
    "short_number": "short number",
    "damaged": "damaged: digits lost in the source",
}


# ---------------------------------------------------------------------------------------------
# data


@dataclass
class ReportData:
    """Everything the page shows, as plain rows (dicts) read from the views."""

    comparison: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    guidance: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    repairs: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    errors: list[dict[str, Any]]


_QUERIES: dict[str, str] = {
    "comparison": "SELECT * FROM city_comparison",
    "timeline": "SELECT * FROM city_timeline",
    "guidance": """
        SELECT p.city_label, g.* FROM guidance g JOIN notice_places p USING (notice_id)
        ORDER BY p.city_label, p.source_file, g.guidance_no""",
    "contacts": """
        SELECT p.city_label, c.* FROM contacts c JOIN notice_places p USING (notice_id)
        ORDER BY p.city_label, p.source_file""",
    "repairs": """
        SELECT p.city_label, p.source_file, r.* FROM repairs r JOIN notice_places p USING (notice_id)
        ORDER BY p.city_label, p.source_file, r.table_name, r.column_name""",
    "notices": "SELECT * FROM notice_places ORDER BY city_label, source_file",
    "errors": "SELECT * FROM errors ORDER BY source_file",
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """``_rows(con, "SELECT 1 AS n")`` → ``[{"n": 1}]``."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def load_report_data(db: Path) -> ReportData:
    """Read every row the report needs from ``db`` (read-only, so a running writer is not blocked)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return ReportData(**{key: _rows(con, sql) for key, sql in _QUERIES.items()})
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# small formatting helpers


def esc(value: Any) -> str:
    """HTML-escaped text of a value; ``None`` is empty. ``esc("<script>")`` → ``"&lt;script&gt;"``."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def fmt_ts(value: dt.datetime | None) -> str:
    """``fmt_ts(datetime(2022, 2, 20, 0, 0))`` → ``"2022-02-20 00:00"``; ``None`` → ``""``."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def fmt_date(value: dt.date | None) -> str:
    """``fmt_date(date(2022, 12, 31))`` → ``"2022-12-31"``; ``None`` → ``""``."""
    return value.isoformat() if value else ""


def fmt_hours(value: float | None) -> str:
    """``fmt_hours(72.5)`` → ``"72.5 h (3.0 d)"``; ``None`` → ``"open"``."""
    if value is None:
        return "open"
    return f"{value:g} h ({value / 24:.1f} d)"


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


def window_label(scheme: str | None, service: str | None) -> str:
    """Row label of a window: ``window_label("异地医保", None)`` → ``"异地医保 · all services"``."""
    return f"{scheme or 'all schemes'} · {service or 'all services'}"


# ---------------------------------------------------------------------------------------------
# SVG timeline (drawn here, so the page needs no charting library and no network)


@dataclass(frozen=True)
class Bar:
    """One outage window on a chart, in the chart's x units (hours)."""

    label: str
    start: float
    end: float | None  # None: the notice gave no end
    kind: str  # "all" or "partial"
    tooltip: str
    note: str  # printed right of the bar


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
            css = f"bar {bar.kind}" + (" open" if bar.end is None else "")
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
        parts.append(f'<text class="empty" x="{LABEL_WIDTH}" y="{AXIS_HEIGHT + 20}">No outage windows.</text>')
    parts.append("</svg>")
    return "".join(parts)


def _hours_between(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


def _tooltip(w: dict[str, Any]) -> str:
    """``"西安市 · 异地医保 · all services: 2022-02-20 00:00 → 2022-03-22 00:00 (720 h (30.0 d))"``."""
    end = fmt_ts(w["end_at"]) or "no end announced"
    inferred = "; year inferred" if w["year_inferred"] else ""
    return (
        f"{w['city_label']} · {window_label(w['scheme'], w['service'])}: {fmt_ts(w['start_at'])} → {end} "
        f"({fmt_hours(w['hours'])}{inferred}) — printed: {w['start_text']} … {w['end_text'] or ''}"
    )


def _note(w: dict[str, Any]) -> str:
    """Text right of a bar: ``"720 h"``, ``"open"``, ``"62 h*"`` (* year inferred)."""
    text = "open" if w["hours"] is None else f"{w['hours']:g} h"
    return text + ("*" if w["year_inferred"] else "")


def _by_city(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row["city_label"]].append(row)
    return out


def aligned_timeline(timeline: Sequence[dict[str, Any]]) -> str:
    """The main chart: each city's windows drawn from its own first stop (day 0), longest first.

    Cities stopped in different years (2015–2022), so a shared calendar axis would squash every
    window into a sliver; aligning on the first stop makes lengths comparable at a glance.
    """
    lanes: list[tuple[tuple[bool, float, str], Lane]] = []
    for city, windows in _by_city(timeline).items():
        first = min(w["start_at"] for w in windows)
        bars = [
            Bar(
                label=window_label(w["scheme"], w["service"]),
                start=_hours_between(first, w["start_at"]),
                end=_hours_between(first, w["end_at"]) if w["end_at"] else None,
                kind=window_kind(w["service"]),
                tooltip=_tooltip(w),
                note=_note(w),
            )
            for w in windows
        ]
        span = max((b.end if b.end is not None else b.start) for b in bars)
        has_open = any(b.end is None for b in bars)
        # open-ended rollouts first (they may be the longest of all), then by span, longest first
        lanes.append(((not has_open, -span, city), Lane(city, f"day 0 = {fmt_ts(first)}", bars)))
    lanes.sort(key=lambda item: item[0])
    hi = max((max((b.end if b.end is not None else b.start) for b in lane.bars) for _, lane in lanes), default=24.0)
    hi = max(hi, 24.0) * 1.04  # room for open windows to fade out
    step = nice_step(hi)
    ticks = [(t * step, f"{t * step / 24:g} d") for t in range(int(hi // step) + 1)]
    caption = "Outage windows per city, aligned on each city's first stop (day 0); longest rollout first"
    return gantt_svg([lane for _, lane in lanes], (0.0, hi), ticks, "timeline", caption)


def city_timeline_svg(city: str, windows: Sequence[dict[str, Any]], svg_id: str) -> str:
    """A card's chart: the city's windows on a calendar axis (``MM-DD`` ticks at midnight)."""
    first = min(w["start_at"] for w in windows)
    origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
    ends = [w["end_at"] for w in windows if w["end_at"]] + [w["start_at"] for w in windows]
    hi = math.ceil(_hours_between(origin, max(ends)) / 24) * 24
    hi = max(hi, 24)
    if any(w["end_at"] is None for w in windows):
        hi += 48  # leave open windows somewhere to fade into
    bars = [
        Bar(
            window_label(w["scheme"], w["service"]),
            _hours_between(origin, w["start_at"]),
            _hours_between(origin, w["end_at"]) if w["end_at"] else None,
            window_kind(w["service"]),
            _tooltip(w),
            _note(w),
        )
        for w in windows
    ]
    step = nice_step(hi, max_ticks=10)
    ticks = [
        (t * step, (origin + dt.timedelta(hours=t * step)).strftime("%m-%d")) for t in range(int(hi // step) + 1)
    ]
    return gantt_svg([Lane("", "", bars)], (0.0, float(hi)), ticks, svg_id, f"Outage windows of {city}")


# ---------------------------------------------------------------------------------------------
# HTML sections


def _list_text(values: Sequence[str] | None, labels: dict[str, str] | None = None) -> str:
    """``_list_text(["a", "b"])`` → ``"a, b"`` (escaped), with optional code → label mapping."""
    if not values:
        return '<span class="muted">—</span>'
    return ", ".join(esc(labels.get(v, v) if labels else v) for v in values)


def comparison_table(rows: Sequence[dict[str, Any]], anchors: dict[str, str]) -> str:
    """The side-by-side table: one row per city, linking to its card."""
    head = (
        "<tr><th>City</th><th>First stop</th><th>Last resume</th><th>Longest outage</th>"
        "<th>Services stopped</th><th>Guidance covers</th><th>Reimbursement deadline</th>"
        "<th>Contacts usable / without number</th><th>Repairs</th></tr>"
    )
    body = []
    for r in rows:
        open_note = f' <span class="badge warn">{r["open_windows"]} open</span>' if r["open_windows"] else ""
        bad = r["contacts_without_number"]
        contacts = f'{r["contacts_with_number"]} / ' + (
            f'<span class="badge bad">{bad}</span>' if bad else "0"
        )
        body.append(
            f'<tr data-city="{esc(r["city_label"])}">'
            f'<td><a href="#{anchors[r["city_label"]]}">{esc(r["city_label"])}</a></td>'
            f'<td class="ts">{esc(fmt_ts(r["first_stop"]))}</td>'
            f'<td class="ts">{esc(fmt_ts(r["last_resume"])) or "<span class=muted>unknown</span>"}{open_note}</td>'
            f'<td class="num">{esc(fmt_hours(r["longest_outage_hours"]) if r["windows"] else "")}</td>'
            f"<td>{_list_text(r['services_stopped'])}</td>"
            f"<td>{_list_text(r['guidance_categories'])}</td>"
            f'<td class="ts">{esc(fmt_date(r["reimbursement_deadline"]))}</td>'
            f'<td class="num">{contacts}</td>'
            f'<td class="num">{r["repairs"]}</td></tr>'
        )
    return f'<table class="compare"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def windows_table(windows: Sequence[dict[str, Any]]) -> str:
    """A card's windows as a table (the chart's numbers, for copying)."""
    rows = []
    for w in windows:
        flags = []
        if w["year_inferred"]:
            flags.append('<span class="badge warn" title="a year was not printed next to the date">year inferred</span>')
        if w["end_at"] is None:
            flags.append('<span class="badge warn">no end announced</span>')
        rows.append(
            f"<tr><td>{esc(w['scheme'] or 'all schemes')}</td><td>{esc(w['service'] or 'all services')}</td>"
            f"<td>{esc(fmt_ts(w['start_at']))}</td><td>{esc(fmt_ts(w['end_at']))}</td>"
            f'<td class="num">{esc(fmt_hours(w["hours"]))}</td>'
            f"<td>{esc(w['start_text'])} … {esc(w['end_text'])} {' '.join(flags)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Scheme</th><th>Service</th><th>Stops</th><th>Resumes</th><th>Length</th>"
        f"<th>As printed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _deadline_text(g: dict[str, Any]) -> str:
    """``"2022-03-15 – 2022-12-31"``, ``"by 2022-02-10"``, ``"from 2022-02-01"`` or the printed text."""
    a, b = fmt_date(g["deadline_from"]), fmt_date(g["deadline_to"])
    if a and b:
        return f"{a} – {b}"
    if b:
        return f"by {b}"
    if a:
        return f"from {a}"
    return g["deadline_text"] or ""


def is_reimbursement(g: dict[str, Any]) -> bool:
    """Guidance whose deadline is a money-back deadline (same rule as the city_comparison view)."""
    return g["category"] in REIMBURSEMENT_CATEGORIES or g["action"] in REIMBURSEMENT_ACTIONS


def guidance_block(items: Sequence[dict[str, Any]]) -> str:
    """What patients must do, grouped by situation; each item shows the instruction as printed."""
    if not items:
        return '<p class="muted">The notice gives no instructions for patients.</p>'
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in items:
        groups[g["category"]].append(g)
    out = []
    for category in CATEGORY_LABELS:
        if category not in groups:
            continue
        lis = []
        for g in groups[category]:
            deadline = _deadline_text(g)
            docs = ", ".join(esc(d) for d in (g["documents"] or []))
            lis.append(
                f'<li><span class="action a-{esc(g["action"])}">{esc(ACTION_LABELS.get(g["action"], g["action"]))}</span>'
                + (f' <span class="cond">{esc(g["condition"])}</span>' if g["condition"] else "")
                + (f' <span class="badge deadline">{esc(deadline)}</span>' if deadline else "")
                + (f' <span class="docs">bring: {docs}</span>' if docs else "")
                + (f' <span class="scheme">[{esc(g["scheme"])}]</span>' if g["scheme"] else "")
                + f'<blockquote>{esc(g["evidence"])}</blockquote></li>'
            )
        is_open = " open" if len(items) <= 12 else ""
        out.append(
            f"<details{is_open}><summary>{esc(CATEGORY_LABELS[category])} ({len(groups[category])})</summary>"
            f'<ul class="guidance">{"".join(lis)}</ul></details>'
        )
    return "".join(out)


def deadlines_block(items: Sequence[dict[str, Any]]) -> str:
    """Every dated instruction, latest first; money-back deadlines are marked."""
    dated = [g for g in items if g["deadline_from"] or g["deadline_to"]]
    if not dated:
        return '<p class="muted">No dated deadline.</p>'
    dated.sort(key=lambda g: (g["deadline_to"] or g["deadline_from"]), reverse=True)
    lis = []
    for g in dated:
        mark = ' <span class="badge money">reimbursement</span>' if is_reimbursement(g) else ""
        lis.append(
            f'<li><b>{esc(_deadline_text(g))}</b> — {esc(CATEGORY_LABELS.get(g["category"], g["category"]))}: '
            f'{esc(ACTION_LABELS.get(g["action"], g["action"]))}{mark}'
            f' <span class="muted">(printed: {esc(g["deadline_text"])})</span></li>'
        )
    return f'<ul class="deadlines">{"".join(lis)}</ul>'


def contacts_block(items: Sequence[dict[str, Any]]) -> str:
    """Whom to call; a number the source damaged is flagged, never guessed."""
    if not items:
        return '<p class="muted">The notice lists no phone numbers.</p>'
    usable = sum(1 for c in items if c["phone_status"] in USABLE_PHONE_STATUSES)
    rows = []
    for c in items:
        bad = c["phone_status"] not in USABLE_PHONE_STATUSES
        number = (
            f'<a href="tel:{esc(c["phone_e164"])}">{esc(c["phone_e164"])}</a>' if c["phone_e164"] else ""
        )
        status = esc(PHONE_STATUS_LABELS.get(c["phone_status"], c["phone_status"]))
        if bad:
            status = f'<span class="badge bad">⚠ {status}</span>'
        rows.append(
            f'<tr class="{"bad" if bad else ""}"><td>{esc(c["region"])}</td><td>{esc(c["organization"])}</td>'
            f"<td><code>{esc(c['phone_raw'])}</code></td><td>{number}</td><td>{status}</td></tr>"
        )
    summary = f"{usable} usable, {len(items) - usable} without a usable number"
    is_open = " open" if len(items) <= 12 or usable < len(items) else ""
    return (
        f"<details{is_open}><summary>{esc(summary)}</summary><table><thead><tr><th>Region</th><th>Organisation</th>"
        f"<th>As printed</th><th>Number</th><th>Status</th></tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def sources_block(notices: Sequence[dict[str, Any]], raw_dir: Path | None, out_dir: Path) -> str:
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
        published = fmt_date(n["published_on"])
        lis.append(
            f"<li><b>{esc(n['title'] or '(untitled)')}</b>"
            + (f" — {esc(n['issuer'])}" if n["issuer"] else "")
            + (f" — published {esc(published)}" if published else " — publication date unknown")
            + f"<br>{' · '.join(links)}</li>"
        )
    return f'<ul class="sources">{"".join(lis)}</ul>'


def city_card(
    row: dict[str, Any],
    anchor: str,
    by_city: dict[str, dict[str, list[dict[str, Any]]]],
    raw_dir: Path | None,
    out_dir: Path,
) -> str:
    """One city's card: key facts, its own timeline, windows, guidance, deadlines, contacts, sources."""
    city = row["city_label"]
    windows = by_city["timeline"].get(city, [])
    guidance = by_city["guidance"].get(city, [])
    scope = {"province": "province-wide notice", "unknown": "city not found in the text"}.get(row["city_scope"], "")
    facts = [
        ("First stop", fmt_ts(row["first_stop"]) or "—"),
        ("Last resume", fmt_ts(row["last_resume"]) or ("unknown (a window has no end)" if row["open_windows"] else "—")),
        ("Longest outage", fmt_hours(row["longest_outage_hours"]) if row["windows"] else "—"),
        ("Reimbursement deadline", fmt_date(row["reimbursement_deadline"]) or "—"),
    ]
    chart = city_timeline_svg(city, windows, f"{anchor}-chart") if windows else ""
    return (
        f'<section class="card" id="{anchor}" data-city="{esc(city)}">'
        f"<h3>{esc(city)}"
        + (f' <span class="badge warn">{esc(scope)}</span>' if scope else "")
        + (f' <span class="muted">{esc(row["province"])}</span>' if row["province"] and row["city"] else "")
        + "</h3>"
        + '<dl class="facts">'
        + "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
        + "</dl>"
        + (f'<figure class="chart">{chart}</figure>' if chart else "")
        + "<h4>Outage windows</h4>"
        + (windows_table(windows) if windows else '<p class="muted">No outage window was found.</p>')
        + "<h4>What patients must do</h4>"
        + guidance_block(guidance)
        + "<h4>Deadlines</h4>"
        + deadlines_block(guidance)
        + "<h4>Contacts</h4>"
        + contacts_block(by_city["contacts"].get(city, []))
        + "<h4>Sources</h4>"
        + sources_block(by_city["notices"].get(city, []), raw_dir, out_dir)
        + "</section>"
    )


def repairs_section(repairs: Sequence[dict[str, Any]]) -> str:
    """Every repair, with a count per rule and what the rule means."""
    if not repairs:
        return "<p class=muted>No repairs.</p>"
    counts: dict[str, int] = defaultdict(int)
    for r in repairs:
        counts[r["rule"]] += 1
    legend = "".join(
        f"<tr><td><code>{esc(rule)}</code></td><td class=num>{n}</td><td>{esc(REPAIR_RULES.get(rule, ''))}</td></tr>"
        for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    unrepaired = '<span class="badge bad">not repairable</span>'
    rows = "".join(
        f"<tr><td>{esc(r['city_label'])}</td><td><code>{esc(r['source_file'])}</code></td>"
        f"<td><code>{esc(r['table_name'])}.{esc(r['column_name'])}</code></td>"
        f"<td>{esc(r['raw_value'])}</td>"
        f"<td>{unrepaired if r['repaired_value'] is None else esc(r['repaired_value'])}</td>"
        f'<td><code title="{esc(REPAIR_RULES.get(r["rule"], ""))}">{esc(r["rule"])}</code></td>'
        f"<td>{esc(r['evidence'])}</td></tr>"
        for r in repairs
    )
    return (
        f'<table class="rules"><thead><tr><th>Rule</th><th>Count</th><th>Meaning</th></tr></thead><tbody>{legend}</tbody></table>'
        f"<details><summary>All {len(repairs)} repairs</summary>"
        '<table class="repairs"><thead><tr><th>City</th><th>File</th><th>Where</th><th>As printed</th><th>Used</th>'
        f"<th>Rule</th><th>Why</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def errors_section(errors: Sequence[dict[str, Any]]) -> str:
    """Files the pipeline could not (fully) process, with the reason."""
    if not errors:
        return '<p class="muted">Every file was read.</p>'
    rows = "".join(
        f"<tr><td><code>{esc(e['source_file'])}</code></td><td>{esc(e['stage'])}</td><td>{esc(e['error'])}</td></tr>"
        for e in errors
    )
    return f"<table><thead><tr><th>File</th><th>Stage</th><th>Error</th></tr></thead><tbody>{rows}</tbody></table>"


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
svg .bar.all{fill:var(--all)}svg .bar.partial{fill:var(--partial)}svg .bar.open{stroke:#7f8c8d;stroke-dasharray:3 2}
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

# Progressive enhancement only: the page is complete without it. It reveals the filter box,
# filters cards and table rows by city, and marks the page ready (the browser test reads that).
SCRIPT = """(function () {
  var box = document.getElementById("city-filter");
  var items = document.querySelectorAll("[data-city]:not(g)");
  box.hidden = false;
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    items.forEach(function (el) {
      el.hidden = q !== "" && el.getAttribute("data-city").toLowerCase().indexOf(q) < 0;
    });
  });
  document.documentElement.setAttribute("data-report-ready", "1");
})();"""


def _csp(script: str) -> str:
    """A policy that lets the page load nothing and run only its own script (pinned by hash)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def render_report(data: ReportData, out_dir: Path, raw_dir: Path | None = None, generated_at: str | None = None) -> str:
    """The whole page as one HTML string (no network references).

    ``render_report(load_report_data(Path("outputs/notices.duckdb")), Path("outputs"))`` →
    ``"<!DOCTYPE html><html lang=\\"zh-CN\\">…"``.
    """
    generated_at = generated_at or dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    anchors = {r["city_label"]: f"city-{i}" for i, r in enumerate(data.comparison, start=1)}
    by_city = {
        "timeline": _by_city(data.timeline),
        "guidance": _by_city(data.guidance),
        "contacts": _by_city(data.contacts),
        "notices": _by_city(data.notices),
    }
    cards = "".join(city_card(r, anchors[r["city_label"]], by_city, raw_dir, out_dir) for r in data.comparison)
    starts = [w["start_at"] for w in data.timeline]
    period = f"{fmt_date(min(starts).date())} – {fmt_date(max(starts).date())}" if starts else "no outage windows"
    legend = (
        '<p class="legend"><span><i class="sw all"></i>everything stops</span>'
        '<span><i class="sw partial"></i>some services stop</span>'
        '<span><i class="sw open"></i>no end announced</span><span>* year inferred, not printed</span>'
        "<span>hover a bar for its dates</span></p>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(SCRIPT))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>医保 cutover notices — city rollouts compared</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><h1>医保 system-cutover notices — how cities rolled out</h1>"
        f'<p class="muted">{len(data.notices)} notices · {len(data.comparison)} cities or areas · '
        f"{len(data.timeline)} outage windows starting {esc(period)} · {len(data.repairs)} repairs · "
        f"{len(data.errors)} errors</p>"
        '<nav><a href="#compare">Comparison</a> · <a href="#timeline-section">Timeline</a> · '
        '<a href="#cities">Cities</a> · <a href="#repairs">Repairs</a> · <a href="#errors">Errors</a> '
        '<input id="city-filter" type="search" placeholder="filter cities…" aria-label="filter cities" hidden>'
        "</nav></header>"
        '<h2 id="compare">Cities side by side</h2>'
        + comparison_table(data.comparison, anchors)
        + '<h2 id="timeline-section">Timeline</h2>'
        + legend
        + f'<figure class="timeline">{aligned_timeline(data.timeline)}</figure>'
        + '<h2 id="cities">Cities</h2>'
        + cards
        + '<h2 id="repairs">Repairs</h2><p class="muted">Defects in the notices that the pipeline fixed or flagged.</p>'
        + repairs_section(data.repairs)
        + '<h2 id="errors">Files that could not be processed</h2>'
        + errors_section(data.errors)
        + f"<footer>Generated {esc(generated_at)} from notices.duckdb by <code>python -m pipeline report</code>. "
        "Times are Beijing time (UTC+8). The same data: <code>notices.duckdb</code>, <code>*.parquet</code>, "
        "<code>*.csv</code>, described in <code>datapackage.json</code>.</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(out_dir: Path, raw_dir: Path | None = None, generated_at: str | None = None) -> Path:
    """Build ``out_dir/report.html`` from ``out_dir/notices.duckdb``, atomically.

    ``write_report(Path("outputs"), Path("raw"))`` → ``Path("outputs/report.html")``.
    """
    data = load_report_data(out_dir / DB_NAME)
    return atomic_write_text(out_dir / REPORT_NAME, render_report(data, out_dir, raw_dir, generated_at))


def report(out_dir: Path, raw_dir: Path | None) -> int:
    """The ``report`` command: exit 0 with the path printed, or 2 when there is no database."""
    if not (out_dir / DB_NAME).is_file():
        print(f"error: no {DB_NAME} in {out_dir}: run `python -m pipeline run --out {out_dir}` first", file=sys.stderr)
        return 2
    path = write_report(out_dir, raw_dir)
    print(f"wrote {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from pipeline.run import DEFAULT_OUT, DEFAULT_RAW

    p = sub.add_parser("report", help="write report.html comparing city rollouts (from notices.duckdb)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder holding notices.duckdb (default: outputs/)")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder, for links to source files (default: raw/)")
    p.set_defaults(func=lambda a: report(a.out, a.raw))
