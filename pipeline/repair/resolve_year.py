"""Where missing years are repaired: choose a year for a month-day from the notice's evidence.

Rules, in order of strength (each choice names the clue that decided):

1. a year printed in the same sentence or range (handled in :mod:`pipeline.extract.timeexpr`);
2. the publication date — events fall on or after it (at most 30 days before it);
3. a date in the source URL (``/202110/26/``);
4. a repost stamp — an upper bound: the latest year not more than 30 days after it;
5. years printed elsewhere in the notice.
A printed weekday (星期一) or a named lunar holiday (春节 within a printed span) filters the
candidate years first. With no clue at all the year stays empty and is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from lunardate import LunarDate

from pipeline.extract.timeexpr import YearChoice, find_ranges
from pipeline.vocab.terms import vocabulary

# Lunar holidays whose solar date moves from year to year: (lunar month, lunar day).
LUNAR_HOLIDAYS = {"春节": (1, 1), "元宵": (1, 15), "端午": (5, 5), "中秋": (8, 15)}
SLACK_BEFORE_PUBLICATION = timedelta(days=30)
SLACK_AFTER_STAMP = timedelta(days=30)


@lru_cache(maxsize=512)
def holiday_date(name: str, year: int) -> date | None:
    """Solar date of a lunar holiday.

    >>> holiday_date("春节", 2022)
    datetime.date(2022, 2, 1)
    """
    lm, ld = LUNAR_HOLIDAYS[name]
    try:
        return LunarDate(year, lm, ld).to_solar_date()
    except (ValueError, AttributeError):
        try:
            return LunarDate(year, lm, ld).toSolarDate()
        except ValueError:
            return None


@dataclass(frozen=True)
class HolidayHint:
    """``因受春节假期…年2月1日至2月15日期间`` → HolidayHint("春节", (2, 1), (2, 15))."""

    name: str
    first: tuple[int, int]
    last: tuple[int, int]
    text: str

    def fits(self, year: int) -> bool:
        day = holiday_date(self.name, year)
        if day is None:
            return False
        try:
            lo = date(year, *self.first) - timedelta(days=7)
            hi = date(year, *self.last) + timedelta(days=7)
        except ValueError:
            return False
        return lo <= day <= hi


_HOLIDAY_SENTENCE_END = re.compile(r"[。;；]")


def holiday_hints(lines: list[str]) -> list[HolidayHint]:
    """Spans of dates printed in a sentence that names a lunar holiday."""
    hints = []
    for line in lines:
        if not any(h in line for h in LUNAR_HOLIDAYS):
            continue  # (a sentence names a holiday only if its line does: a quick skip of most lines)
        for sentence in _HOLIDAY_SENTENCE_END.split(line):
            names = [h for h in LUNAR_HOLIDAYS if h in sentence]
            if not names:
                continue
            for r in find_ranges(sentence):
                if r.end is None:
                    continue  # a single date near a holiday ("春节期间…1月23日前") says nothing of where it falls
                a, b = r.start, r.end
                if a.month and a.day:
                    last = (b.month or a.month, b.day or a.day)
                    hints.append(HolidayHint(names[0], (a.month, a.day), last, sentence.strip()[:80]))
    return hints


@dataclass
class YearClues:
    """Everything in and around a notice that can give a year."""

    publication: date | None = None
    publication_text: str | None = None
    url_date: tuple[int, int | None, int | None] | None = None
    url: str | None = None
    stamp: date | None = None
    stamp_text: str | None = None
    printed_years: list[int] = field(default_factory=list)
    holidays: list[HolidayHint] = field(default_factory=list)
    # (month, day, weekday) of dates printed without a year but with 星期/周: all of one notice
    weekdays: list[tuple[int, int, int]] = field(default_factory=list)
    era: tuple[int, int, str] | None = None  # years the notice's own vocabulary allows

    def _fits_weekdays(self, y: int, ref_month: int) -> bool:
        """Every printed weekday holds if the date being resolved (in ``ref_month``) is in year ``y``.

        A notice spanning New Year puts early-year dates in the next year: a weekday printed for
        1月2日 in a notice resolved around 12月 is checked in ``y + 1``.
        """
        def year_of(m: int) -> int:
            if ref_month >= 10 and m <= 3:
                return y + 1
            if ref_month <= 3 and m >= 10:
                return y - 1
            return y

        return all(_weekday_is(year_of(m), m, d, wd) for m, d, wd in self.weekdays)

    def _era_choice(self, month: int, day: int, weekday: int | None) -> YearChoice | None:
        """With no reference date at all: the only year in the notice's era that fits every weekday and holiday.

        ``年12月28日(星期一)…年1月1日(星期五)`` fits 2009/10, 2015/16, 2020/21 and 2026/27; a notice
        moving onto the 医疗保障信息平台 (2020-2023) leaves 2020: ``year_from_weekday_and_era``.
        """
        if self.era is None or not (self.weekdays or self.holidays or weekday is not None):
            return None
        lo, hi, why = self.era
        cands = [y for y, _ in self._candidates(month, day, weekday, range(lo, hi + 1))]
        if len(cands) != 1:
            return None
        y = cands[0]
        clues = [f"{m}月{d}日 is a 星期{'一二三四五六日'[wd]}" for m, d, wd in self.weekdays[:4]]
        if weekday is not None and not self.weekdays:
            clues.append(f"{month}月{day}日 is a 星期{'一二三四五六日'[weekday]}")
        clues += [f"{h.name} {y} falls on {holiday_date(h.name, y)}" for h in self.holidays[:2]]
        rule = "year_from_weekday_and_era" if self.weekdays or weekday is not None else "year_from_holiday"
        return YearChoice(y, rule, f"only {y} in the era {lo}-{hi} fits the printed weekdays: " + "; ".join(clues)
                          + f"; era: {why}")

    def _candidates(self, month: int, day: int, weekday: int | None, years: range) -> list[tuple[int, str]]:
        out = []
        for y in years:
            try:
                d = date(y, month, day)
            except ValueError:
                continue
            why = []
            if weekday is not None:
                if d.weekday() != weekday:
                    continue
                why.append(f"{d.isoformat()} is a {'一二三四五六日'[weekday]!s} as printed")
            if self.holidays and not all(h.fits(y) for h in self.holidays):
                continue
            if self.weekdays and not self._fits_weekdays(y, month):
                continue
            for h in self.holidays:
                why.append(f"{h.name} {y} falls on {holiday_date(h.name, y)}, inside '{h.text}'")
            out.append((y, "; ".join(why)))
        return out

    def choose_event_year(self, month: int, day: int, weekday: int | None = None) -> YearChoice | None:
        """Year of an event date printed without one (a stop, a deadline)."""
        if self.publication is not None:
            ref = self.publication
            cands = self._candidates(month, day, weekday, range(ref.year - 1, ref.year + 2))
            if cands:
                # the year that puts the date nearest the publication, a date after it counting
                # closer (notices announce what comes): a page dated weeks after the notice it
                # reposts still gives the notice's year, not the next one
                y, why = min(cands, key=lambda c: _distance(date(c[0], month, day), ref))
                return YearChoice(y, "year_from_publication",
                                  _join(f"publication date {ref.isoformat()} ({self.publication_text})", why))
        if self.url_date is not None:
            uy, um, ud = self.url_date
            ref = date(uy, um or 1, ud or 1)
            cands = self._candidates(month, day, weekday, range(uy - 1, uy + 2))
            ok = [(y, w) for y, w in cands if date(y, month, day) >= ref - SLACK_BEFORE_PUBLICATION]
            if ok:
                y, why = min(ok, key=lambda c: date(c[0], month, day))
                return YearChoice(y, "year_from_url", _join(f"date in the source URL {self.url}", why))
        if self.stamp is not None:
            cands = self._candidates(month, day, weekday, range(self.stamp.year - 5, self.stamp.year + 2))
            ok = [(y, w) for y, w in cands if date(y, month, day) <= self.stamp + SLACK_AFTER_STAMP]
            if ok:
                y, why = max(ok, key=lambda c: c[0])
                return YearChoice(y, "year_from_repost_stamp",
                                  _join(f"repost stamp {self.stamp_text} is an upper bound", why))
        if self.printed_years:
            common = max(set(self.printed_years), key=self.printed_years.count)
            cands = self._candidates(month, day, weekday, range(common - 1, common + 2))
            if cands:
                y, why = min(cands, key=lambda c: abs(c[0] - common))
                return YearChoice(y, "year_from_document", _join(f"the notice prints the year {common} elsewhere", why))
        return self._era_choice(month, day, weekday)

    def choose_publication_year(self, month: int, day: int, weekday: int | None = None,
                                first_event: date | None = None) -> YearChoice | None:
        """Year of a publication date printed without one (a signature ``年2月5日``)."""
        if self.url_date is not None:
            uy, um, ud = self.url_date
            printed = f"{uy}" + (f"-{um:02d}" if um else "") + (f"-{ud:02d}" if ud else "")
            if (um is None or um == month) and (ud is None or ud == day):
                return YearChoice(uy, "year_from_url", f"the source URL {self.url} carries {printed}")
            # a page is put online on or shortly after the signature date
            url_day = date(uy, um or 12, ud or 28)
            for y in (uy, uy - 1):
                try:
                    d = date(y, month, day)
                except ValueError:
                    continue
                if url_day - timedelta(days=90) <= d <= url_day:
                    return YearChoice(y, "year_from_url", f"the page's URL date {printed} ({self.url}) is on or shortly after it")
        if self.stamp is not None:
            cands = self._candidates(month, day, weekday, range(self.stamp.year - 6, self.stamp.year + 1))
            ok = [(y, w) for y, w in cands if date(y, month, day) <= self.stamp]
            if ok:
                y, why = max(ok, key=lambda c: c[0])
                return YearChoice(y, "year_from_holiday" if self.holidays else ("year_from_weekday" if weekday is not None else "year_from_repost_stamp"),
                                  _join(f"the latest year not after the repost stamp {self.stamp_text}", why))
        if first_event is not None:
            cands = self._candidates(month, day, weekday, range(first_event.year - 1, first_event.year + 1))
            ok = [(y, w) for y, w in cands if date(y, month, day) <= first_event]
            if ok:
                y, why = max(ok, key=lambda c: c[0])
                return YearChoice(y, "year_from_document", _join(f"issued before the first dated event {first_event.isoformat()}", why))
        if self.printed_years:
            common = max(set(self.printed_years), key=self.printed_years.count)
            cands = self._candidates(month, day, weekday, range(common - 1, common + 1))
            if cands:
                y, why = max(cands, key=lambda c: c[0])
                return YearChoice(y, "year_from_document", _join(f"the notice prints the year {common}", why))
        # a weekday alone fits one year in seven: only with the notice's era as a bound
        return self._era_choice(month, day, weekday)


def _distance(d: date, ref: date) -> float:
    """Days from ``ref`` to ``d``, a date before ``ref`` counting double.

    >>> _distance(date(2022, 1, 1), date(2021, 11, 20)), _distance(date(2021, 11, 20), date(2022, 1, 1))
    (42, 84)
    """
    days = (d - ref).days
    return days if days >= 0 else -2 * days


def _weekday_is(y: int, m: int, d: int, wd: int) -> bool:
    try:
        return date(y, m, d).weekday() == wd
    except ValueError:
        return False


def era_of(text: str) -> tuple[int, int, str] | None:
    """Years allowed by dated vocabulary (``vocab/data/era_markers.csv``, each row with its source).

    A word bounds the years from below (``医保电子凭证`` exists from 2019 on); a word said with a
    cutover verb in the same sentence (``迁移到广东省医疗保障信息平台``) dates the notice to the
    platform's rollout, 2020-2023.

    >>> era_of("将原信息系统迁移到广东省医疗保障信息平台")[:2], era_of("医保电子凭证")[:2]
    ((2020, 2023), (2019, 2100))
    """
    lo, hi, whys = 1900, 2100, []
    sentences = [s for s in re.split(r"[。;；!！?？\n]", text) if s]
    for r in vocabulary("era_markers"):
        term, needs = r["term"], r.get("needs") or ""
        if term not in text:
            continue
        if needs and not any(term in s and re.search(needs, s) for s in sentences):
            continue
        a = int(r["from_year"])
        b = int(r["to_year"]) if r.get("to_year") else 2100
        if a > lo or b < hi:
            lo, hi = max(lo, a), min(hi, b)
            whys.append(f"'{term}'" + (" with a cutover verb" if needs else "") + f": {r['why']} ({r['source']})")
    return (lo, hi, "; ".join(whys)) if whys else None


def _join(main: str, why: str) -> str:
    return f"{main}; {why}" if why else main


_URL_DATE = [
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_/]?(0[1-9]|1[0-2])[-_/]?(0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_/]?(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_]?(0[1-9]|1[0-2])(?=/)"),
    # CMS folders without zero padding: "/art/2022/1/26/art_123.html"
    re.compile(r"/((?:19|20)\d{2})/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/"),
    # a year folder and a folder ending in its month and day: "/2012/CIBLKPQE_0619/16376.html"
    re.compile(r"/((?:19|20)\d{2})/[^/]*?[_-](0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/"),
]


def url_date(url: str | None) -> tuple[int, int | None, int | None] | None:
    """A date in a URL path, in the shapes CMSs use; a month without a day gives ``None`` for the day.

    >>> [url_date(u) for u in (".../202110/26/2027720.shtml", "/art/2022/1/26/", "/2012/CIBLKPQE_0619/")]
    [(2021, 10, 26), (2022, 1, 26), (2012, 6, 19)]
    >>> url_date(".../202109/t244263.html"), url_date("/2021-07/03/"), url_date("/2023/0129/")
    ((2021, 9, None), (2021, 7, 3), (2023, 1, 29))

    Measured against htmldate's URL rule on the real notices: 13 of 41 URLs read here, 4 there
    (``benchmarks/publication_dates.py``), so the shapes stay ours.
    """
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    for pat in (_URL_DATE[1], _URL_DATE[0], _URL_DATE[3], _URL_DATE[4]):
        m = pat.search(path)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            try:
                date(y, mo, d)
                return (y, mo, d)
            except ValueError:
                pass
    m = _URL_DATE[2].search(path)
    if m:
        return (int(m.group(1)), int(m.group(2)), None)
    return None
