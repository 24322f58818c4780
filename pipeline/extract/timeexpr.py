"""Chinese date-time grammar: find and resolve the date/time expressions of a notice.

Written by hand because no library reads these notices right: jionlp returns end-before-start
on overnight and cross-year spans and resolves 次日 against "now"; dateparser cannot read
时, 〇 or 24时. The grammar has two steps:

1. :func:`parse_points` finds point expressions (``2022年3月11日24时``, ``年2月6日0时``,
   ``今晚10点``, ``2018.1.1``, ``至2日``) and :func:`find_ranges` pairs them into ranges
   (``X至Y``, ``X起…``, ``起…止``) — pure text, no calendar.
2. :func:`resolve_point` turns a point into a ``datetime`` against its context (the range
   start, the publication date, a year chosen by :mod:`pipeline.repair.resolve_year`), logging
   every inference it makes. Nothing here calls ``now()``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

# A moment as the contract writes it (CSV, row keys, labels): to the minute, no seconds.
MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


def minute_text(value: object) -> str:
    """A time as the contract writes it, to the minute; ``""`` for None, NaN or NaT.

    Takes a ``datetime`` (or pandas ``Timestamp``) or a stored ISO text.

    >>> minute_text(datetime(2021, 10, 31, 8)), minute_text("2021-10-31 08:00:00"), minute_text(None)
    ('2021-10-31T08:00', '2021-10-31T08:00', '')
    """
    if value is None or value != value or value == "":  # None, NaN, NaT (NaT != NaT), empty text
        return ""
    if isinstance(value, str):
        return value[:16].replace(" ", "T")
    return value.strftime(MINUTE_FORMAT)  # type: ignore[attr-defined]


_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = re.compile(r"[〇○零一二两三四五六七八九十]+(?=\s*[年月日号时点點分])")


def cn_number(token: str) -> int | None:
    """Chinese numeral → int.

    >>> cn_number("二〇二二"), cn_number("二十四"), cn_number("十二")
    (2022, 24, 12)
    """
    if not token:
        return None
    if "十" not in token:
        digits = [_CN_DIGIT.get(ch) for ch in token]
        if None in digits:
            return None
        return int("".join(str(d) for d in digits))
    head, _, tail = token.partition("十")
    if len(token) > 3 or "十" in tail:
        return None
    tens = _CN_DIGIT.get(head, None) if head else 1
    ones = _CN_DIGIT.get(tail, None) if tail else 0
    if tens is None or ones is None:
        return None
    return tens * 10 + ones


# Cached, like parse_points below: every extractor arabizes and parses the same sentences again
# (about 80 % of the calls in a notice repeat an earlier one); a pure function of its argument.
@lru_cache(maxsize=8192)
def arabize(text: str) -> str:
    """Replace Chinese numerals before a date/time unit with digits.

    Numerals not followed by a unit (``一是``, ``三个月``) are left alone.

    >>> arabize("二〇二一年十二月二十日零时"), arabize("一是三个月")
    ('2021年12月20日0时', '一是三个月')
    """

    def sub(m: re.Match[str]) -> str:
        n = cn_number(m.group(0))
        return m.group(0) if n is None else str(n)

    return _CN_NUM.sub(sub, text)


_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EVENING = ("下午", "傍晚", "晚上", "晚间", "今晚", "明晚", "当晚", "夜间", "夜里", "深夜", "晚")
_PERIOD = r"(?P<per>凌晨|早上|早晨|清晨|上午|中午|午间|下午|傍晚|晚上|晚间|夜间|夜里|深夜|下半夜|上半夜|午夜|晚)?"
_TIME = (
    _PERIOD
    + r"\s*(?:(?P<h>\d{1,2})\s*:\s*(?P<mi>\d{2})(?:\s*:\s*\d{2})?(?:\s*[时点])?"
    + r"|(?P<h2>\d{1,2})\s*[时点點](?:\s*(?P<mi2>\d{1,2})\s*分|(?P<half>半)|整)?"
    # an hour range that prints its unit once, on its end: "凌晨2至4时", "8至12时" (the start is an hour too)
    + r"|(?P<h3>\d{1,2})(?=\s*(?:至|到|~|〜|—|–|-|－)\s*\d{1,2}\s*[时点點]))"
)
_WEEK = r"(?:\s*[(（]?\s*(?:星期|周|礼拜)(?P<wd>[一二三四五六日天])\s*[)）]?)?"
# a weekday printed after the time, in brackets only: "年1月1日00:00(星期五)"
_WEEK_AFTER = r"(?:\s*[(（]\s*(?:星期|周|礼拜)(?P<wa>[一二三四五六日天])\s*[)）])?"
_REL = r"(?P<rel>即日|昨天|昨日|昨晚|今天|今日|今晚|今晨|明天|明日|明晚|明晨|次日|翌日|第二天|当日|当天|当晚|后天|同日|本日)"
_YEAR = r"(?:(?P<y>\d{4})\s*年\s*|(?P<yrel>今|明|去|本)年\s*|(?P<yblank>(?<![\d今明去本每当同该上下次全周前后近半一两几多整年])年)\s*)?"
_DATE_CN = _YEAR + r"(?:(?P<m>\d{1,2})\s*月|(?P<mrel>本|下个?|次|上个?)月)\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<mend>底|末))"
_DATE_NUM = r"(?P<ny>(?:19|20)\d{2})\s*[-./]\s*(?P<nm>\d{1,2})\s*[-./]\s*(?P<nd>\d{1,2})(?!\d)\s*日?"
_DAY_ONLY = r"(?P<od>\d{1,2})\s*[日号]"
# "2/24(周四)17:00": month/day needs a weekday or a time after it, else it may be a fraction
_MD_SLASH = (
    r"(?<![\d.])(?:(?P<sm>\d{1,2})/(?P<sd>\d{1,2})(?![\d/])(?=\s*(?:[(（]?\s*(?:星期|周)|\d{1,2}\s*[:时点]|起|至|~|-|—))"
    # "9.18 18:00": a dotted month.day only with a weekday or a clock time after it (else it is a decimal)
    r"|(?P<pm>\d{1,2})\.(?P<pd>\d{1,2})(?![\d.])(?=\s*(?:[(（]?\s*(?:星期|周)|\d{1,2}\s*:\d{2})))"
)
_MD_DOT = r"(?P<dm>\d{1,2})\s*[./]\s*(?P<dd>\d{1,2})(?![\d.:])"

_POINT_ALTERNATIVES = "|".join(
    [
        rf"(?P<A>{_REL}\s*(?:{_TIME.replace('?P<', '?P<a_')})?)",
        rf"(?P<B>{_DATE_CN}{_WEEK}\s*(?:{_TIME.replace('?P<', '?P<b_')}{_WEEK_AFTER.replace('?P<', '?P<b_')})?)",
        rf"(?P<C>{_DATE_NUM.replace('?P<', '?P<c_')}{_WEEK.replace('?P<', '?P<c_')}\s*(?:{_TIME.replace('?P<', '?P<cc_')}{_WEEK_AFTER.replace('?P<', '?P<cc_')})?)",
        rf"(?P<G>{_MD_SLASH}{_WEEK.replace('?P<', '?P<g_')}\s*(?:{_TIME.replace('?P<', '?P<gg_')})?)",
        rf"(?P<D>{_TIME.replace('?P<', '?P<d_')})",
    ]
)
# Every character a point can begin with: a digit, a space before a time ("\s*8时"), or the first
# character of a relative day (今天, 次日), a relative year or month (今年, 本月, 下个月), a blank
# year (年2月6日) or a period of the day (凌晨, 下午). Tried first, it spares the engine the
# fifty alternatives at every other position (4× faster, the same matches: tests/test_timeexpr_properties.py).
POINT_FIRST_CHARS = r"[\d\s即昨今明次翌第当后同本去年下上凌早清中午傍晚夜深]"
_POINT = re.compile(rf"(?={POINT_FIRST_CHARS})(?:{_POINT_ALTERNATIVES})")
# Points that only make sense right after a range separator ("至2日", "~1.4"); they begin with a digit.
_END_ONLY_ALTERNATIVES = (
    rf"(?P<E>{_DAY_ONLY}{_WEEK.replace('?P<', '?P<e_')}\s*(?:{_TIME.replace('?P<', '?P<e_')})?)|(?P<F>{_MD_DOT}\s*(?:{_TIME.replace('?P<', '?P<f_')})?)"
)
_END_ONLY = re.compile(rf"(?=\d)(?:{_END_ONLY_ALTERNATIVES})")
RANGE_SEP = re.compile(r"^\s*(?:起|开始)?\s*(?:至|到|~|〜|—|–|-|－|直至|一直到|止于)\s*(?:次日|翌日)?\s*$")
_REL_DAYS = {
    "即日": (0, "publication"), "昨天": (-1, "publication"), "昨日": (-1, "publication"), "昨晚": (-1, "publication"),
    "今天": (0, "publication"), "今日": (0, "publication"), "今晚": (0, "publication"), "今晨": (0, "publication"),
    "本日": (0, "publication"), "明天": (1, "publication"), "明日": (1, "publication"), "明晚": (1, "publication"),
    "明晨": (1, "publication"), "后天": (2, "publication"), "次日": (1, "previous"), "翌日": (1, "previous"),
    "第二天": (1, "previous"), "当日": (0, "previous"), "当天": (0, "previous"), "当晚": (0, "previous"),
    "同日": (0, "previous"),
}


@dataclass(frozen=True)
class TimePoint:
    """A date/time expression as printed, before any calendar reasoning.

    ``"2022年3月11日24时"`` → ``TimePoint(year=2022, month=3, day=11, hour=24, minute=0)``.
    """

    text: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    year_blank: bool = False  # "年2月6日": a year was printed but its digits were lost
    rel_year: int | None = None  # 今年 0, 明年 +1, 去年 -1
    rel_day: int | None = None
    rel_anchor: str | None = None  # "publication" (今天, 明日) or "previous" (次日, 当日)
    weekday: int | None = None  # 0 = Monday
    month_end: bool = False  # 12月底
    rel_month: int | None = None  # 本月 0, 下月 +1, 上月 -1 (counted from the publication date)
    period: str | None = None  # 上午, 下午, 下半夜 …

    @property
    def has_date(self) -> bool:
        return self.month is not None or self.day is not None or self.rel_day is not None or self.rel_month is not None

    @property
    def has_time(self) -> bool:
        return self.hour is not None


def _time_fields(g: dict, prefix: str) -> tuple[int | None, int | None, str | None]:
    per = g.get(prefix + "per")
    h = g.get(prefix + "h") or g.get(prefix + "h2") or g.get(prefix + "h3")
    if h is None:
        return None, None, per
    hour = int(h)
    mi = g.get(prefix + "mi") or g.get(prefix + "mi2")
    minute = int(mi) if mi else (30 if g.get(prefix + "half") else 0)
    if per in ("中午", "午间") and hour < 6:
        hour += 12
    elif per and per.startswith(_EVENING) and hour == 12 and per != "下午":
        hour = 24  # 晚上12点 is midnight, the end of that day
    elif per and per.startswith(_EVENING) and hour < 12:
        if not (per in ("夜间", "夜里", "深夜") and hour <= 5):
            hour += 12
    return hour, minute, per


def _point(m: re.Match[str], offset: int = 0) -> TimePoint | None:
    g = m.groupdict()
    text = m.group(0)
    start, end = m.start() + offset, m.end() + offset
    if g.get("A"):
        rel = g["rel"]
        delta, anchor = _REL_DAYS[rel]
        hour, minute, per = _time_fields(g, "a_")
        if rel in ("今晚", "明晚", "当晚", "昨晚") and hour is not None and hour <= 12 and not (per or "").startswith(("凌晨", "下半夜")):
            hour = 24 if hour == 12 else hour + 12
        return TimePoint(text, start, end, hour=hour, minute=minute, rel_day=delta, rel_anchor=anchor, period=per)
    if g.get("B"):
        hour, minute, per = _time_fields(g, "b_")
        wd = g.get("wd") or g.get("b_wa")
        return TimePoint(
            text, start, end,
            year=int(g["y"]) if g.get("y") else None,
            month=int(g["m"]) if g.get("m") else None,
            rel_month={"本": 0, "下": 1, "下个": 1, "次": 1, "上": -1, "上个": -1}[g["mrel"]] if g.get("mrel") else None,
            day=int(g["d"]) if g.get("d") else None,
            hour=hour, minute=minute,
            year_blank=bool(g.get("yblank")),
            rel_year={"今": 0, "本": 0, "明": 1, "去": -1}.get(g.get("yrel") or ""),
            weekday=_WEEKDAYS.get(wd) if wd else None,
            month_end=bool(g.get("mend")),
            period=per,
        )
    if g.get("C"):
        hour, minute, per = _time_fields(g, "cc_")
        wd = g.get("c_wd") or g.get("cc_wa")
        return TimePoint(
            text, start, end,
            year=int(g["c_ny"]), month=int(g["c_nm"]), day=int(g["c_nd"]),
            hour=hour, minute=minute, weekday=_WEEKDAYS.get(wd) if wd else None, period=per,
        )
    if g.get("G"):
        hour, minute, per = _time_fields(g, "gg_")
        wd = g.get("g_wd")
        month, day = (g["sm"], g["sd"]) if g.get("sm") else (g["pm"], g["pd"])
        return TimePoint(text, start, end, month=int(month), day=int(day), hour=hour, minute=minute,
                         weekday=_WEEKDAYS.get(wd) if wd else None, period=per)
    if g.get("D"):
        hour, minute, per = _time_fields(g, "d_")
        if hour is None:
            return None
        return TimePoint(text, start, end, hour=hour, minute=minute, period=per)
    if g.get("E"):
        hour, minute, per = _time_fields(g, "e_")
        wd = g.get("e_wd")
        return TimePoint(text, start, end, day=int(g["od"]), hour=hour, minute=minute, period=per,
                         weekday=_WEEKDAYS.get(wd) if wd else None)
    if g.get("F"):
        hour, minute, per = _time_fields(g, "f_")
        return TimePoint(text, start, end, month=int(g["dm"]), day=int(g["dd"]), hour=hour, minute=minute, period=per)
    return None


def _plausible(p: TimePoint) -> bool:
    if p.month is not None and not 1 <= p.month <= 12:
        return False
    if p.day is not None and not 1 <= p.day <= 31:
        return False
    if p.hour is not None and not 0 <= p.hour <= 24:
        return False
    if p.minute is not None and not 0 <= p.minute <= 59:
        return False
    return not (p.hour == 24 and p.minute)


def parse_points(sentence: str) -> list[TimePoint]:
    """Every date/time point in a sentence, in order.

    ``parse_points("2022年3月11日24时起停机，3月21日24时启用")`` → two points, the second
    without a year.
    """
    # a new list each call, so a caller may change it; the points themselves are frozen
    return list(_parse_points(sentence))


# between a point and an end-only form: "起至", "~", "、"
_GAP_TO_END = re.compile(r"\s*(?:起|开始)?\s*(?:至|到|~|〜|—|–|-|－|、)\s*")


@lru_cache(maxsize=4096)
def _parse_points(sentence: str) -> tuple[TimePoint, ...]:
    """:func:`parse_points`, cached: the extractors parse each sentence about three times."""
    sentence = arabize(sentence)
    points: list[TimePoint] = []
    pos = 0
    while pos < len(sentence):
        m = _POINT.search(sentence, pos)
        # an end-only form (至2日, ~1.4) directly after a range separator
        if points:
            gap_start = points[-1].end
            sep = _GAP_TO_END.match(sentence[gap_start:])
            if sep and gap_start + sep.end() >= pos:
                e = _END_ONLY.match(sentence, gap_start + sep.end())
                if e and (m is None or e.end() > m.end() or m.start() > e.start()):
                    p = _point(e)
                    if p and _plausible(p) and not (m and m.start() == e.start() and m.end() >= e.end()):
                        points.append(p)
                        pos = e.end()
                        continue
        if m is None:
            break
        if m.end() == m.start():
            pos = m.end() + 1
            continue
        p = _point(m)
        if p is not None and _plausible(p) and not _is_false_time(sentence, m):
            points.append(p)
        pos = m.end()
    return tuple(points)


def implausible_points(sentence: str) -> list[str]:
    """Expressions shaped like a date or time that cannot exist.

    >>> implausible_points("13月1日起停机")
    ['13月1日']
    """
    return list(_implausible_points(sentence))  # a new list: callers may change it


@lru_cache(maxsize=4096)
def _implausible_points(sentence: str) -> tuple[str, ...]:
    """:func:`implausible_points`, cached like :func:`parse_points` (a notice repeats its sentences)."""
    sentence = arabize(sentence)
    out = []
    for pat in (_POINT, _END_ONLY):
        for m in pat.finditer(sentence):
            if m.end() == m.start():
                continue
            p = _point(m)
            if p is not None and not _plausible(p):
                out.append(m.group(0).strip())
    return tuple(dict.fromkeys(out))


def _is_false_time(sentence: str, m: re.Match[str]) -> bool:
    """Bare times that are durations, not clock times: ``24小时``, ``3点多`` is fine, ``7个工作日`` never matches."""
    after = sentence[m.end() : m.end() + 2]
    if m.group("D") and after.startswith(("小时", "个")):
        return True
    if m.group("D") and m.group(0).strip().endswith("点") and after[:1].isdigit():
        return True  # 1.5点 style numbers
    return False


def _carry_period(a: TimePoint, b: TimePoint) -> TimePoint:
    """A bare end time inherits the start's afternoon/evening: ``下午2点至5点`` ends at 17:00."""
    if (b.hour is not None and b.period is None and not b.has_date and a.period and a.period.startswith(_EVENING)
            and a.hour is not None and b.hour < 12 and b.hour + 12 > a.hour):
        return replace(b, hour=b.hour + 12)
    return b


@dataclass(frozen=True)
class TimeRange:
    """A start point with an optional end point, as printed in one sentence."""

    start: TimePoint
    end: TimePoint | None
    text: str


def find_ranges(sentence: str, points: list[TimePoint] | None = None) -> list[TimeRange]:
    """Pair consecutive points joined by a range separator; other points stand alone.

    ``find_ranges("2021年8月15日零时起至8月26日8:00")`` → one range.
    """
    if points is None:
        return list(_find_ranges(sentence))  # a new list: callers may change it
    return _pair(arabize(sentence), points)


@lru_cache(maxsize=4096)
def _find_ranges(sentence: str) -> tuple[TimeRange, ...]:
    """:func:`find_ranges` of a sentence's own points, cached like :func:`parse_points`."""
    sentence = arabize(sentence)
    return tuple(_pair(sentence, parse_points(sentence)))


_BARE_QI = re.compile(r"\s*起\s*")


def _pair(sentence: str, pts: list[TimePoint]) -> list[TimeRange]:
    """The ranges of :func:`find_ranges` from points already found in the (arabized) sentence."""
    out: list[TimeRange] = []
    i = 0
    while i < len(pts):
        a = pts[i]
        gap = sentence[a.end : pts[i + 1].start] if i + 1 < len(pts) else ""
        # "X至Y", and "X起Y止" with no 至 between them
        if i + 1 < len(pts) and (RANGE_SEP.match(gap) or (
            _BARE_QI.fullmatch(gap) and sentence[pts[i + 1].end :].lstrip().startswith("止"))):
            b = _carry_period(a, pts[i + 1])
            out.append(TimeRange(a, b, sentence[a.start : b.end]))
            i += 2
            continue
        out.append(TimeRange(a, None, a.text))
        i += 1
    return out


# ---------------------------------------------------------------- resolution


# Years a cutover notice can speak of; outside them a printed year is a typo (0221年, 20023年).
PLAUSIBLE_YEARS = (1950, 2100)


@dataclass(frozen=True)
class YearChoice:
    """A year chosen from evidence: ``YearChoice(2022, "year_from_publication", "published 2022-02-05")``."""

    year: int
    rule: str
    evidence: str


YearGuess = Callable[[int, int, "int | None"], "YearChoice | None"]


@dataclass
class Resolved:
    """A point resolved to a datetime, with the inferences made on the way."""

    at: datetime | None
    year_inferred: bool = False
    date_only: bool = False
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, repaired value, evidence)
    problem: str | None = None
    problem_rule: str = "year_unresolved"  # or impossible_date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def resolve_point(
    p: TimePoint,
    *,
    context: datetime | None = None,
    publication: date | None = None,
    year_guess: YearGuess | None = None,
    end_of_day_for_date_only: bool = False,
    end_of_range: bool = True,
) -> Resolved:
    """Resolve a point to a minute-precision datetime (see :func:`_resolve_point`).

    Dates at the end of the calendar (``9999年12月31日24时``) give a problem, never an exception.
    """
    try:
        return _resolve_point(p, context=context, publication=publication, year_guess=year_guess,
                              end_of_day_for_date_only=end_of_day_for_date_only, end_of_range=end_of_range)
    except (OverflowError, ValueError) as exc:
        return Resolved(at=None, problem=f"'{p.text}' cannot be placed on the calendar: {exc}",
                        problem_rule="impossible_date")


def _resolve_point(
    p: TimePoint,
    *,
    context: datetime | None = None,
    publication: date | None = None,
    year_guess: YearGuess | None = None,
    end_of_day_for_date_only: bool = False,
    end_of_range: bool = True,
) -> Resolved:
    """Resolve a point to a minute-precision datetime.

    ``context`` is the range start (for an end) or the previous point of the sentence;
    ``publication`` anchors 今天/明日/今年. ``"3月21日24时"`` with context 2022-03-11 →
    2022-03-22 00:00, logging ``hour_24_next_day``.
    ``end_of_day_for_date_only`` makes a date without a time mean the end of that day
    (00:00 of the next day), as a range end does (``1月1日至2日`` ends 1月3日 00:00).
    ``end_of_range`` (the default) makes a date without a year that falls before ``context`` roll
    into the next year, as a range's end must; a point of its own (``end_of_range=False``) takes
    the nearer year instead when it falls at most half a year before its context.
    """
    r = Resolved(at=None)
    # --- the day
    if p.rel_day is not None:
        base = publication if p.rel_anchor == "publication" else (context.date() if context else None)
        if base is None:
            base = context.date() if context else None
        if base is None:
            r.problem = f"'{p.text}' is relative but the notice gives no date to anchor it"
            return r
        day = base + timedelta(days=p.rel_day)
        r.notes.append(("relative_day", day.isoformat(), f"'{p.text}' counted from {base.isoformat()}"))
        r.year_inferred = True
    elif p.month is None and p.day is None:
        if context is None:
            r.problem = f"'{p.text}' has a time but no date"
            return r
        day = context.date()
    else:
        month = p.month
        dnum = p.day
        year = p.year
        if month is None and p.rel_month is not None:
            # "本月31日", "下月3日": counted from the publication date (or the range start)
            base = publication or (context.date() if context else None)
            if base is None:
                r.problem = f"'{p.text}' is relative but the notice gives no date to anchor it"
                return r
            idx = base.year * 12 + base.month - 1 + p.rel_month
            year, month = idx // 12, idx % 12 + 1
            r.notes.append(("relative_day", f"{year}-{month:02d}", f"'{p.text}' counted from {base.isoformat()}"))
            r.year_inferred = True
        if month is None:  # day only ("至2日"): the month of the context
            if context is None:
                r.problem = f"'{p.text}' has no month"
                return r
            month = context.month
            year = context.year
            if dnum is not None and dnum < context.day:
                month += 1
                if month == 13:
                    month, year = 1, year + 1
        if year is not None and not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
            r.problem = f"'{p.text}' prints the year {year}, which no notice can mean (a typo in the source?)"
            r.problem_rule = "impossible_date"
            return r
        if year is None and p.rel_year is not None and publication is not None:
            year = publication.year + p.rel_year
            r.notes.append(("year_from_publication", str(year), f"'{p.text}' read against publication {publication}"))
            r.year_inferred = True
        if year is None and context is not None:
            year = context.year
            candidate_day = dnum if dnum is not None else 1
            try:
                here = date(year, month, min(candidate_day, _last_day(year, month)))
                if here < context.date() and not end_of_range and (context.date() - here).days <= 183:
                    # a date of its own that the text states after a later one ("将于2021年11月30日进行切换,
                    # 自10月28日起,将逐步停止…"): the same year, not eleven months on; only a range's end must follow its start
                    r.notes.append(("year_from_context", str(year), f"year of '{p.text}' taken from {context:%Y-%m-%d} "
                                    "in the same sentence (the nearer year: it is not the end of a range)"))
                elif here < context.date():
                    year += 1
                    r.notes.append(("year_rollover", str(year), f"'{p.text}' falls before {context:%Y-%m-%d}, so it is in the next year"))
                else:
                    r.notes.append(("year_from_context", str(year), f"year of '{p.text}' taken from {context:%Y-%m-%d} in the same range"))
            except ValueError:
                pass
            r.year_inferred = True
        if year is None and year_guess is not None:
            choice = year_guess(month, dnum or 1, p.weekday)
            if choice is not None:
                year = choice.year
                r.notes.append((choice.rule, str(year), choice.evidence))
                r.year_inferred = True
        if year is None:
            r.problem = f"the year of '{p.text}' is not printed and nothing in the notice gives it"
            r.notes.append(("year_unresolved", "", r.problem))
            r.year_inferred = True
            return r
        if p.month_end or dnum is None:
            dnum = _last_day(year, month)
        try:
            day = date(year, month, dnum)
        except ValueError:
            r.problem = f"'{p.text}' is not a calendar date ({year}-{month}-{dnum})"
            r.problem_rule = "impossible_date"
            return r
    # --- the time
    if p.hour is None:
        r.date_only = True
        if end_of_day_for_date_only:
            nxt = day + timedelta(days=1)
            r.at = datetime(nxt.year, nxt.month, nxt.day)
            r.notes.append(("date_only_end_next_day", r.at.strftime("%Y-%m-%dT%H:%M"),
                            f"'{p.text}' names a whole day, so the range ends at 00:00 of the next day"))
        else:
            r.at = datetime(day.year, day.month, day.day)
        return r
    hour, minute = p.hour, p.minute or 0
    if hour == 24:
        nxt = day + timedelta(days=1)
        r.at = datetime(nxt.year, nxt.month, nxt.day, 0, 0)
        r.notes.append(("hour_24_next_day", r.at.strftime("%Y-%m-%dT%H:%M"), f"24时 of {day.isoformat()} is 00:00 of the next day"))
        return r
    at = datetime(day.year, day.month, day.day, hour, minute)
    if p.month is None and p.day is None and p.rel_day is None and context is not None and at < context:
        at += timedelta(days=1)  # "今晚10点至下半夜4点": a bare time earlier than the start is the next day
    r.at = at
    return r
