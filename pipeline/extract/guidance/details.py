"""Details of an instruction: by when (a period or a relative deadline), what to bring, and where.

``deadlines_of("参保人员可于年3月15日至12月31日之间…重新进行医保结算", clues)`` → (2022-03-15,
2022-12-31, "年3月15日至12月31日"); ``documents_of("携带医疗费票据原件(含电子票据)、本人社保卡")``
→ ["医疗费票据原件", "电子票据", "社会保障卡"]; ``place_of("…到参保地医保经办窗口办理零星报销")`` → "agency".
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pipeline.extract.timeexpr import find_ranges, resolve_point
from pipeline.repair.resolve_year import YearClues
from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import find_terms

# where the person goes: the hospital or pharmacy that treated them, the agency's window, or online
PLACES: tuple[tuple[str, str], ...] = (
    ("online", r"网上|线上|APP|App|小程序|公众号|网厅|网办|掌上"),
    ("agency", r"经办机构|经办窗口|经办部门|医保中心|医保局|服务大厅|经办大厅|管理部|参保地|政务服务中心|窗口"),
    ("provider", r"医院|医疗机构|药店|医药机构|定点单位|就诊|就医|购药点|收费处|我院|本院|来院|回院"),
)


# by when, counted from an event: "上线后7个工作日内", "系统恢复后3个月内", "待系统上线后的30个工作日内"
RELATIVE_DEADLINE = re.compile(guarded(r"(?:(?:新)?系统|平台|服务|业务)?(?:上线|恢复|开通|启用|开机|出院)[^,，。]{0,6}后的?\s*[一二三四五六七八九十两\d]+\s*个?"
                               r"(?:工作日|日|天|月|周|星期)(?:之内|以内|内)"))
# around a date: a period to act in, a deadline (…前, 截至…), a start (…后), or the stop itself
WITHIN = re.compile(r"之间|期间|内|办理|前")
STOPPED = re.compile(r"停机|暂停")
BY_AFTER = re.compile(r"\s*(之前|以前|前|止|截止)")
BY_BEFORE = re.compile(r"(截至|截止|持续到|延长至|最迟在?)\s*$")
STOP_AFTER = re.compile(r"停机|暂停|切换")
FROM_AFTER = re.compile(r"\s*(之后|以后|后)")


def documents_of(text: str) -> list[str]:
    """The documents an instruction asks for, by their canonical names.

    >>> documents_of("携带医疗费票据原件(含电子票据)、本人社保卡、本人银行卡")
    ['医疗费票据原件', '电子票据', '社会保障卡', '银行卡']
    """
    return find_terms(text, "documents")


def deadlines_of(text: str, clues: YearClues) -> tuple[date | None, date | None, str | None]:
    """The period in which to act, and the deadline as printed; a deadline counted from an event is
    kept as printed, with what it counts from.

    >>> deadlines_of("于年3月15日至12月31日之间", YearClues(publication=date(2022, 3, 1)))
    (datetime.date(2022, 3, 15), datetime.date(2022, 12, 31), '年3月15日至12月31日')
    >>> deadlines_of("系统恢复后3个月内凭发票、病历等材料到医保经办机构报销", YearClues(publication=date(2022, 3, 1)))
    (None, None, '系统恢复后3个月内')
    """
    rel = RELATIVE_DEADLINE.search(text)
    best: tuple[date | None, date | None, str | None] = (None, None, rel.group(0) if rel else None)
    context = None
    for r in find_ranges(text):
        if not r.start.has_date:
            continue
        after = text[(r.end or r.start).end : (r.end or r.start).end + 6]
        before = text[max(0, r.start.start - 6) : r.start.start]
        s = resolve_point(r.start, context=context, publication=clues.publication, year_guess=clues.choose_event_year)
        if s.at is None:
            continue
        context = s.at
        if r.end is not None:
            e = resolve_point(r.end, context=s.at, publication=clues.publication, year_guess=clues.choose_event_year)
            if e.at is not None and WITHIN.search(after + text[(r.end).end : (r.end).end + 30]) and not STOPPED.search(before + after):
                return s.at.date(), e.at.date(), r.text
        elif BY_AFTER.match(after) or BY_BEFORE.search(before):
            if not STOP_AFTER.search(after):
                best = (best[0], s.at.date(), r.start.text)
        elif FROM_AFTER.match(after) and best[0] is None:
            best = (s.at.date(), best[1], r.start.text)
    return best


_PLACE_PATTERNS = tuple((code, re.compile(pattern)) for code, pattern in PLACES)


@lru_cache(maxsize=8192)  # pure; asked of a row's text and again of its situations' defaults
def place_of(text: str) -> str | None:
    """Where the person acts, by the place named last; None when no place is named.

    >>> place_of("…先行垫付,待上线后到就诊医疗机构补办结算"), place_of("先行垫付")
    ('provider', None)
    """
    best: tuple[int, str] | None = None
    for code, pattern in _PLACE_PATTERNS:
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), code)
    return best[1] if best else None
