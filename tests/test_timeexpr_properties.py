"""Property tests of the Chinese date-time grammar (:mod:`pipeline.extract.timeexpr`).

1. Robustness: :func:`parse_points`, :func:`find_ranges` and :func:`resolve_point` never raise,
   whatever the string (arbitrary text, and date-like token soup with CJK numerals, units,
   separators and relative words).
2. Round trip: a valid (start, end) pair of datetimes, printed in one of the styles the notices
   use, parses and resolves back to the same datetimes, with start <= end.

The expected values come from the datetimes that were generated, not from the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.extract.timeexpr import YearChoice, YearGuess, find_ranges, parse_points, resolve_point

# ---------------------------------------------------------------- 1. never raises

_TOKENS = [
    "年", "月", "日", "号", "时", "点", "點", "分", "半", "整", "底", "末", ":", ".", "-", "/", "~", "—",
    "至", "到", "起", "止", "直至", "开始", "、", "(", ")", "（", "）", "星期", "周", "礼拜",
    "今天", "今晚", "明日", "明晚", "后天", "昨晚", "次日", "翌日", "当日", "下半夜", "今年", "明年", "去年",
    "凌晨", "上午", "中午", "下午", "晚上", "深夜", "傍晚",
    "〇", "○", "零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "二十四", "二〇二二",
    "小时", "个", "个工作日内", "元", "版本", "V", " ", "，", "。", "另行通知", "暂停", "恢复",
]
_NUMBER = st.integers(min_value=0, max_value=99999).map(str)
DATEISH = st.lists(
    st.one_of(st.sampled_from(_TOKENS), _NUMBER, st.sampled_from(["0", "24", "29", "30", "31", "12", "2022", "1900", "9999"])),
    max_size=16,
).map("".join)
ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0x30, max_codepoint=0x3A) | st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)),
    DATEISH,
)


def _fixed_guess(year: int) -> YearGuess:
    def guess(month: int, day: int, weekday: int | None) -> YearChoice | None:
        return YearChoice(year, "year_from_test", "test")

    return guess


@settings(max_examples=200, deadline=None)
@given(
    text=ANY_TEXT,
    context=st.none() | st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
    publication=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    guess_year=st.none() | st.integers(min_value=1900, max_value=2100),
)
@example(text="2022年2月30日至3月1日", context=None, publication=None, guess_year=None)
@example(text="年2月29日0时至30日", context=None, publication=None, guess_year=2021)
def test_never_raises(
    text: str, context: datetime | None, publication: date | None, guess_year: int | None
) -> None:
    points = parse_points(text)
    assert all(0 <= p.start < p.end for p in points)
    guess = _fixed_guess(guess_year) if guess_year is not None else None
    for r in find_ranges(text):
        for p in (r.start, r.end):
            if p is None:
                continue
            for eod in (False, True):
                res = resolve_point(p, context=context, publication=publication, year_guess=guess,
                                    end_of_day_for_date_only=eod)
                assert res.at is not None or res.problem


@pytest.mark.parametrize("text", ["9999年12月31日24时", "9999年12月31日", "9999年12月底"])
def test_never_raises_at_the_end_of_the_calendar(text: str) -> None:
    for r in find_ranges(text):
        res = resolve_point(r.start, end_of_day_for_date_only=True)
        assert res.at is not None or res.problem


# ---------------------------------------------------------------- 2. round trip

_CN_DIGITS = "〇一二三四五六七八九"


def _cn(n: int) -> str:
    """0..99 as a Chinese numeral (``24`` → ``二十四``), as the notices print day and hour."""
    if n == 0:
        return "零"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _cn_year(y: int) -> str:
    return "".join(_CN_DIGITS[int(c)] for c in str(y))


def _printed(at: datetime, as_24: bool) -> tuple[date, int]:
    """The day and hour to print: midnight may be printed as 24时 of the day before."""
    if as_24 and at.hour == 0 and at.minute == 0:
        return at.date() - timedelta(days=1), 24
    return at.date(), at.hour


def _period(hour: int) -> tuple[str, int]:
    """The 12-hour reading the notices print: 15 → ("下午", 3), 0 → ("凌晨", 0), 12 → ("中午", 12)."""
    if hour < 6:
        return "凌晨", hour
    if hour < 12:
        return "上午", hour
    if hour == 12:
        return "中午", 12
    if hour <= 18:
        return "下午", hour - 12
    return "晚上", hour - 12


def render(at: datetime, style: str, as_24: bool, with_year: bool = True) -> str:
    """A datetime printed in one of the notices' styles."""
    d, h = _printed(at, as_24)
    y = f"{d.year}年" if with_year else ""
    if style == "shi":  # 2022年3月1日18时
        return f"{y}{d.month}月{d.day}日{h}时"
    if style == "colon":  # 2022年3月1日18:30
        return f"{y}{d.month}月{d.day}日{h}:{at.minute:02d}"
    if style == "dian_fen":  # 2022年3月1日8点30分
        return f"{y}{d.month}月{d.day}日{h}点{at.minute}分"
    if style == "cn":  # 二〇二二年三月一日十八时
        cy = f"{_cn_year(d.year)}年" if with_year else ""
        return f"{cy}{_cn(d.month)}月{_cn(d.day)}日{_cn(h)}时"
    if style == "period":  # 2022年3月1日下午6:30 (never 24时)
        period, h12 = _period(h)
        return f"{y}{d.month}月{d.day}日{period}{h12}:{at.minute:02d}"
    if style == "iso":  # 2022-03-01 18:30
        return f"{d.year}-{d.month:02d}-{d.day:02d} {h:02d}:{at.minute:02d}"
    raise ValueError(style)


_HOUR_STYLES = ("shi", "cn")  # styles that print no minutes
_SEPARATORS = ("至", "到", "~", "—", "-", "起至", " 至 ")


@dataclass(frozen=True)
class Printed:
    text: str
    start: datetime
    end: datetime
    year: int | None  # what year_guess answers (the start is printed without a year), else None


def _resolve(p: Printed) -> tuple[datetime | None, datetime | None]:
    ranges = find_ranges(p.text)
    assert len(ranges) == 1, f"{p.text!r} → {ranges}"
    [r] = ranges
    assert r.end is not None, f"{p.text!r}: no end found"
    guess = _fixed_guess(p.year) if p.year is not None else None
    s = resolve_point(r.start, year_guess=guess)
    e = resolve_point(r.end, context=s.at, year_guess=guess, end_of_day_for_date_only=True)
    return s.at, e.at


# Numeric dates are read for years 19xx-20xx only (a deliberate guard against other numbers), so
# starts stop early enough that an end (at most 800 days later) stays before 2100.
_START = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2096, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@st.composite
def printed_ranges(draw: st.DrawFn) -> Printed:
    """A (start, end) pair printed as ``START<sep>END`` in one of the notices' styles."""
    kind = draw(st.sampled_from(["full", "end_without_year", "start_year_guessed", "dotted_dates", "bare_end_hour"]))
    sep = draw(st.sampled_from(_SEPARATORS))
    start = draw(_START)
    if kind == "dotted_dates":  # 2022.3.1至2022.3.5: whole days, the end is 00:00 after the last day
        first = start.date()
        last = first + timedelta(days=draw(st.integers(0, 400)))
        text = f"{first.year}.{first.month}.{first.day}{sep}{last.year}.{last.month}.{last.day}"
        return Printed(text, datetime(first.year, first.month, first.day),
                       datetime(last.year, last.month, last.day) + timedelta(days=1), None)
    style = draw(st.sampled_from(["shi", "colon", "dian_fen", "cn", "period", "iso"] if kind == "full" else
                                 ["shi", "colon", "dian_fen", "cn", "period"]))
    if style in _HOUR_STYLES or kind == "bare_end_hour":
        start = start.replace(minute=0)
    if kind == "bare_end_hour":  # 2022年3月1日22时至6时: an end hour earlier than the start is the next day
        end = start + timedelta(hours=draw(st.integers(0, 23)))
        first = render(start, "shi", as_24=draw(st.booleans()))
        return Printed(f"{first}{sep}{end.hour}时", start, end, None)
    # an end printed without a year takes the start's year, rolling over at New Year: within a year only
    max_minutes = 364 * 24 * 60 if kind != "full" else 800 * 24 * 60
    span = draw(st.integers(0, max_minutes))
    if style in _HOUR_STYLES:
        span -= span % 60
    end = start + timedelta(minutes=span)
    start_24 = draw(st.booleans()) and style not in ("iso", "period")
    # 24时 of the day before the start day would read as an earlier date: only when the end is a later day
    end_24 = draw(st.booleans()) and style not in ("iso", "period") and end.date() > start.date()
    if kind == "start_year_guessed":  # 年3月1日18时至3月5日8时, the year from year_guess
        printed_start_day, _ = _printed(start, start_24)
        text = render(start, style, start_24, with_year=False) + sep + render(end, style, end_24, with_year=False)
        return Printed(text, start, end, printed_start_day.year)
    with_year = kind == "full"
    text = render(start, style, start_24) + sep + render(end, style, end_24, with_year=with_year)
    return Printed(text, start, end, None)


@settings(max_examples=200, deadline=None)
@given(printed_ranges())
@example(Printed("2021年12月31日18时至1月2日24时", datetime(2021, 12, 31, 18), datetime(2022, 1, 3), None))
@example(Printed("2020年2月28日24时至2月29日24时", datetime(2020, 2, 29), datetime(2020, 3, 1), None))
@example(Printed("2022年12月31日22时至6时", datetime(2022, 12, 31, 22), datetime(2023, 1, 1, 6), None))
@example(Printed("2021.12.31~2022.1.1", datetime(2021, 12, 31), datetime(2022, 1, 2), None))
def test_round_trip(p: Printed) -> None:
    s, e = _resolve(p)
    assert (s, e) == (p.start, p.end), p.text
    assert s is not None and e is not None and s <= e


# ---------------------------------------------------------------- 3. the first-character guard

def _match_spans(pattern, text: str) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), tuple(sorted((k, v) for k, v in m.groupdict().items() if v is not None)))
            for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.one_of(DATEISH, ANY_TEXT, st.lists(st.sampled_from(_TOKENS + ["2021", "8", "08", "30", " ", "\u3000", "１２"]),
                                             max_size=20).map("".join)))
@example("今年下月底")
@example("  8时至\u300010时")
@example("年2月6日0时")
def test_point_patterns_find_what_they_found_without_the_first_character_guard(text: str) -> None:
    """:data:`~pipeline.extract.timeexpr.POINT_FIRST_CHARS` only skips places where no point can
    begin: the guarded patterns find the same matches, with the same groups, as the bare alternations."""
    import re

    from pipeline.extract import timeexpr

    bare_point = re.compile(timeexpr._POINT_ALTERNATIVES)
    bare_end = re.compile(timeexpr._END_ONLY_ALTERNATIVES)
    assert _match_spans(timeexpr._POINT, text) == _match_spans(bare_point, text)
    assert _match_spans(timeexpr._END_ONLY, text) == _match_spans(bare_end, text)
