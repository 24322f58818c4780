"""Is a window plausible? Checks with their own rule names, so one bad row cannot lead the national picture.

Each check that fails writes a ``repairs`` row naming the check and its evidence (the value is
kept: ``repaired_value`` is empty), adds its code to the window's ``confidence_reasons`` (each
allows at most ``low``) and sets ``plausible`` to false. The views that rank or count stops
(``longest_outages``, ``national_daily_outages``, ``city_comparison``) leave such windows out
unless asked (``…_all``, see :mod:`pipeline.publish.views`). The checks:

- ``implausible_length_for_kind``: longer than its kind of stop allows — the kinds and their
  bounds are data (``vocab/data/stop_kinds.csv``, ``stop_kind_bounds.csv``), set from the
  labelled real notices: a year-end run lasted at most 7 days there, a cutover 34;
- ``implausible_start_vs_publication``: a start more than 92 days after the notice's
  publication date (labelled notices: at most 29) or more than a year before it;
- ``implausible_printed_duration``: a printed duration (``停机6小时``, ``持续时间长达9天``,
  ``停机时间1个月``) that the window's dates contradict.

An end more than a year after its start is refused earlier, by linking
(:data:`pipeline.extract.windows.linking.MAX_WINDOW`), and never reaches a row as an end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from pipeline.extract.timeexpr import cn_number
from pipeline.repair import repair
from pipeline.repair.confidence import level_of
from pipeline.vocab.terms import alternation, find_rows, load_rows

# a start this long after the notice's date is not what the notice announces (labelled real
# notices: at most 29 days); this long before it, a year was misread
START_AFTER_PUBLICATION = timedelta(days=92)
START_BEFORE_PUBLICATION = timedelta(days=366)

# "停机6小时", "持续时间长达9天", "停机时间1个月", "为期两周": a length said of the stop itself
_NUMBER = r"(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)"
PRINTED_DURATION = re.compile(
    r"(?:" + alternation("duration_verbs") + r")(?:时间)?(?:" + alternation("duration_fillers") + r")*\s*"
    + _NUMBER + r"\s*(?:个)?\s*(?P<unit>小时|天|日|周|星期|个月|月)(?!内|以内|之内|后|前)")
_SENTENCE_END = re.compile(r"(?<=[。;；!?！？])")
_UNIT_HOURS = {"小时": 1.0, "天": 24.0, "日": 24.0, "周": 168.0, "星期": 168.0, "个月": 720.0, "月": 720.0}


@dataclass(frozen=True)
class PrintedDuration:
    """``PrintedDuration(216.0, "持续时间长达9天", "此次系统停机切换…为什么会持续时间长达9天")``."""

    hours: float
    text: str
    sentence: str
    unit: str

    def contradicts(self, hours: float) -> bool:
        """Whether a window of ``hours`` contradicts the printed length: off by more than half of
        it and by more than a unit's rounding (2 hours for 小时, a day for days and weeks, 15 days for a month).

        ``PrintedDuration(6, "停机6小时", "", "小时").contradicts(8)`` → False; ``….contradicts(12)`` → True.
        """
        rounding = 2.0 if self.unit == "小时" else (360.0 if self.unit in ("个月", "月") else 24.0)
        return abs(hours - self.hours) > max(0.5 * self.hours, rounding)


def printed_durations(lines: list[str]) -> list[PrintedDuration]:
    """Lengths a notice prints for its stop: ``"自治区本级医疗保障系统停机时间1个月,12月1日起正常办理各项医保业务"``
    → one of 720 hours ("1个月")."""
    out = []
    for line in lines:
        if not PRINTED_DURATION.search(line):
            continue  # a sentence's match is one in its line too (the pattern looks no further than its unit)
        for sentence in _SENTENCE_END.split(line):
            for m in PRINTED_DURATION.finditer(sentence):
                n = m.group("n")
                value = 0.5 if n == "半" else (float(n) if n[0].isdigit() else cn_number(n))
                if not value:
                    continue
                unit = m.group("unit")
                out.append(PrintedDuration(float(value) * _UNIT_HOURS[unit], m.group(0), sentence.strip(), unit))
    return out


@cache
def kind_bounds() -> dict[str, tuple[float, str]]:
    """``kind → (max days, why)`` from ``vocab/data/stop_kind_bounds.csv``: ``kind_bounds()["year_end"][0]`` → 15."""
    return {r["kind"]: (float(r["max_days"]), r["why"]) for r in load_rows("stop_kind_bounds")}


def kinds_of(text: str) -> set[str]:
    """Kinds of stop named in ``text``: ``kinds_of("医保年终结转信息系统停机")`` → ``{"year_end"}``."""
    return {row["kind"] for _, row in find_rows(text, "stop_kinds")}


def bound_for(evidence: str, notice_text: str) -> tuple[str, float]:
    """The kind of a window and the longest it may last, in days.

    The kinds named in its own sentence decide, else those of the whole notice, else ``general``;
    of several, the most lenient bound (a year-end run that is also an upgrade may last an upgrade's length).
    ``bound_for("我市医保年终结转信息系统停机时间为…", "")`` → ``("year_end", 15.0)``.
    """
    bounds = kind_bounds()
    kinds = (kinds_of(evidence) or kinds_of(notice_text) or {"general"}) & set(bounds)
    kind = max(kinds or {"general"}, key=lambda k: (bounds[k][0], k))
    return kind, min(bounds[kind][0], bounds["general"][0])


def _flag(row: dict, rule: str, evidence: str, column: str = "end_at") -> dict:
    row["plausible"] = False
    if rule not in row["confidence_reasons"]:
        row["confidence_reasons"] = [*row["confidence_reasons"], rule]
    row["confidence"] = level_of(row["confidence_reasons"])
    raw = row.get("end_text") if column == "end_at" else row.get("start_text")
    return repair("outage_windows", column, raw or "", None, rule, evidence)


def check_windows(rows: list[dict], lines: list[str], publication: date | None) -> list[dict]:
    """Run every check on a notice's window rows (changing ``plausible``, ``confidence`` and its
    reasons in place) and return the repairs rows of the checks that failed."""
    repairs: list[dict] = []
    notice_text = "\n".join(lines)
    for row in rows:
        row.setdefault("plausible", True)
        start, end = row["start_at"], row["end_at"]
        if end is not None:
            kind, max_days = bound_for(row["evidence"], notice_text)
            days = (end - start).total_seconds() / 86400
            if days > max_days:
                repairs.append(_flag(row, "implausible_length_for_kind", (
                    f"{days:.1f} days ({start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M}) is longer than a stop of kind "
                    f"'{kind}' lasts: at most {max_days:g} days ({kind_bounds()[kind][1]})")))
        if publication is not None:
            pub = datetime(publication.year, publication.month, publication.day)
            if start - pub > START_AFTER_PUBLICATION or pub - start > START_BEFORE_PUBLICATION:
                gap = (start - pub).days
                repairs.append(_flag(row, "implausible_start_vs_publication", (
                    f"the stop starts {abs(gap)} days {'after' if gap > 0 else 'before'} the notice's publication date "
                    f"{publication.isoformat()}: notices announce stops at most {START_AFTER_PUBLICATION.days} days ahead "
                    f"(a misread year?)"), column="start_at"))
    windows_with_end = [r for r in rows if r["end_at"] is not None]
    for d in printed_durations(lines):
        own = [r for r in windows_with_end if d.sentence in r["evidence"] or r["evidence"] in d.sentence]
        if not own:
            # a length said apart from any dated stop is the notice's main stop: its longest full stop,
            # else its longest stop
            full = [r for r in windows_with_end if r.get("service") is None] or windows_with_end
            own = [max(full, key=lambda r: r["end_at"] - r["start_at"])] if full else []
        for row in own:
            hours = (row["end_at"] - row["start_at"]).total_seconds() / 3600
            if d.contradicts(hours) and "implausible_printed_duration" not in row["confidence_reasons"]:
                repairs.append(_flag(row, "implausible_printed_duration", (
                    f"the notice prints '{d.text}' ({d.hours:g} hours) but the window lasts {hours:g} hours: "
                    f"'{d.sentence[:80]}'")))
    return repairs
