"""The outline of a notice: headings, numbered sections, label/value lines, re-joined fragments.

Window and guidance extraction both read a notice through its outline: a heading names the
scheme or service of what follows (``原省直职工医保``, ``(二)实时结算停机时间``), a top-level
number (``二、``) opens a section whose statements belong together, and a poster's lines
(``2023年12月31日21:00`` / ``至2024年1月4日6:00`` / ``医保信息平台将关闭``) are one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.timeexpr import find_ranges, parse_points
from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import alternation

HEADING_MARK = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\(?[一二三四五六七八九十]+\)|（[一二三四五六七八九十]+）|\d{1,2}[、.．]\s*|第[一二三四五六七八九十]+[条部分章])\s*")
TOP_MARK = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+[条部分章])")
SCHEDULE_HEADING = re.compile(r"(" + alternation("schedule_verbs") + r")[^,，。]{0,8}(时间|安排)")
# "暂停业务时间：…", "恢复时间：…": a label naming a moment, then the moment
TIME_LABEL = re.compile(r"(?:^|[;；。\s])([^,，。;；:：]{0,14}(?:时间|日期))\s*[:：]")
TERMINAL = "。；;！!？?"
RANGE_OPENER = re.compile(r"^\s*(?:至|到|~|〜|—|–|-|－|直至)\s*\S")
_HEADING_TIME_WORDS = re.compile(guarded(r"(" + alternation("heading_time_verbs") + r")?(时间|安排)$"))
# a heading names a scheme (原省直职工医保), not a business or a schedule (业务办理, 停机时间)
_SCHEME_WORDS = re.compile(alternation("scheme_heading_words"))
_NOT_SCHEME_WORDS = re.compile(alternation("not_scheme_heading_words"))
_SENTENCE_MARK = re.compile(r"[。;；]")
_COMMA = re.compile(r"[,，]")
_TIME_FILLER = re.compile(r"[\s起至到~〜—–\-－自从于(（)）|]")
FRAGMENT_END = re.compile(r"(?:至|到|~|〜|—|–|-|－|起|自|于|[,，、])\s*$")


def is_heading(line: str) -> bool:
    """A short line without a sentence in it: ``"原省直职工医保"``, ``"(二)实时结算停机时间"``."""
    s = line.strip()
    if len(s) > 26 or _SENTENCE_MARK.search(s):
        return False
    if find_ranges(s) and not SCHEDULE_HEADING.search(s):
        return False
    return not _COMMA.search(s)


def heading_label(line: str) -> str:
    """The heading without its number and time words.

    >>> heading_label("(二)实时结算停机时间")
    '实时结算'
    """
    s = HEADING_MARK.sub("", line.strip()).strip(" :：")
    s = _HEADING_TIME_WORDS.sub("", s)
    return s.strip(" :：")


def scheme_of(label: str) -> str | None:
    """A heading names a scheme when it is a fund or insured group.

    >>> scheme_of("原省直职工医保"), scheme_of("门诊业务")
    ('原省直职工医保', None)
    """
    if _SCHEME_WORDS.search(label) and len(label) <= 12 and not _NOT_SCHEME_WORDS.search(label):
        return label
    return None


def _only_times(line: str) -> bool:
    """``"2023年12月31日21:00"`` and ``"至2024年1月4日6:00"`` hold nothing but time expressions."""
    s = line.strip()
    pts = parse_points(s)
    if not pts:
        return False
    rest = s
    for p in sorted(pts, key=lambda p: -p.start):
        rest = rest[: p.start] + rest[p.end :]
    if len(_TIME_FILLER.sub("", rest)) > 1:
        return False
    # a bare date is a signature, a single moment a page stamp; a range is the head of a statement
    return len(pts) > 1 or bool(FRAGMENT_END.search(s))


@dataclass(frozen=True)
class Paragraph:
    """Lines read as one: ``text`` with the index of its first line in the notice."""

    text: str
    line_no: int


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Re-join lines that a poster or a flattened page broke inside one statement.

    A line of nothing but times, a line ending in ``至``/``起``/a comma, and a line starting with
    ``至…`` belong with their neighbour: ``["2023年12月31日21:00", "至2024年1月4日6:00",
    "医保信息平台将关闭"]`` → one paragraph. Other lines stay as they are.
    """
    out: list[Paragraph] = []
    i = 0
    while i < len(lines):
        text, start = lines[i], i
        joins = 0
        while i + 1 < len(lines) and joins < 4:
            nxt = lines[i + 1]
            stripped = text.rstrip()
            if not nxt.strip() or (stripped and stripped[-1] in TERMINAL):
                break
            if not (_only_times(text) or FRAGMENT_END.search(stripped) or RANGE_OPENER.match(nxt)):
                break
            if HEADING_MARK.match(nxt) and not RANGE_OPENER.match(nxt):
                break
            text = stripped + nxt.strip()
            i += 1
            joins += 1
        out.append(Paragraph(text, start))
        i += 1
    return out


@dataclass
class OutlineState:
    """Where a paragraph stands: its top-level section, the scheme and service its headings name."""

    section: int = 0
    scheme: str | None = None
    service_label: str | None = None
    schedule: bool = False  # under a heading such as "停机时间安排"

    def enter(self, text: str) -> bool:
        """Update from one paragraph; true when the paragraph is only a heading."""
        if TOP_MARK.match(text):
            self.section += 1
            self.scheme = None
        if not is_heading(text):
            return False
        label = heading_label(text)
        scheme = scheme_of(label)
        if HEADING_MARK.match(text) or not scheme:
            self.schedule = bool(SCHEDULE_HEADING.search(text))
            self.service_label = label or None
            if not scheme:
                self.scheme = None
        if scheme:
            self.scheme = scheme
        return True
