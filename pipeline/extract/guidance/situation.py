"""Which situations an instruction addresses: the ``category`` codes of its guidance rows.

The situation is read where the notice states it: the condition a sentence opens with
(``参保人在系统切换期间须住院治疗的,``), else the words of the whole sentence, else the heading
or question it answers. One instruction can address several situations
(``门诊、住院、购药等费用先行垫付`` → outpatient, inpatient, pharmacy). The words are data
(``vocab/data/situations.csv``), each with a strength:

- ``exclusive`` (异地, 离休): the sentence is about that situation only;
- ``absorbing`` (门诊慢性病): it takes the 门诊/购药 words that belong to it;
- ``card``: the card or e-voucher is a situation only when it is the subject, not a document to bring;
- ``strong``/``weak``: settings; a weak word (就医, 医疗费用, 购药) names a situation only in the
  condition a sentence opens with, or when nothing stronger is named.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import find_rows

# the place where a person goes, not the situation: "由就医医院进行结算", "到原就诊定点医药机构"
_PLACE_WORDS = re.compile(r"(就医|就诊|购药)(?=医院|医疗机构|定点|的定点|机构|点|药店)")
# who the people are, not what they do: "缴存职工" (housing-fund members), "缴存单位"
_PEOPLE_WORDS = re.compile(r"缴存(?=职工|单位|人)")
# paying a bill, not a contribution: "患者可先用现金缴费"
_BILL_PAYMENT = re.compile(r"(?<=现金)缴费")
# a card is the subject only when the sentence says what happens to the card itself
_CARD_AS_SUBJECT = re.compile(r"^[^，,。；;]{0,12}(停止使用|停用|暂停|激活|领取|换发|不受影响|正常使用|失效|作废|无法使用|补办|注销)")
# "(含异地)", "(包括异地医疗机构)": the same action also for out-of-area care
_EXTENSION = re.compile(r"[(（](?:含|包括|包含)([^)）]{1,30})[)）]")
# the condition a sentence opens with ends at the first action
# situations more specific than a heading's setting: named in the sentence, they decide
SPECIFIC = ("chronic_special", "retirees", "out_of_area", "insurance_card", "referral_filing",
            "enrollment_payment", "reimbursement")
# "因转诊等特殊情况需…出院结算的": the reason for the situation, not the situation
_REASON = re.compile(r"因[^,，。]{0,10}等?特殊(情况|原因)")
# "待完成补缴2023年4月的医保费后", "待用人单位完成年度申报缴费并确认到账后": a contribution to wait for
# before acting is when, not the situation
_WAIT_FOR_PAYMENT = re.compile(r"待[^,，。；;]{0,30}(?:缴费|医保费|缴纳|补缴)[^,，。；;]{0,12}后")
# "(不含灵活就业)", "(不含城乡居民医保)": who is not addressed
_EXCLUSION = re.compile(r"[(（]不(?:含|包括)[^)）]{0,30}[)）]")


def _aside(text: str) -> str:
    """The text without what only frames the situation: a reason, a contribution to wait for, an exclusion.

    ``"生育津贴申领延迟开放,待用人单位完成年度申报缴费并确认到账后自动开放"`` → ``"生育津贴申领延迟开放,自动开放"``."""
    return _EXCLUSION.sub("", _WAIT_FOR_PAYMENT.sub("", _REASON.sub("", text)))
_ACTION_CUE = re.compile(r"垫付|自付|自费|报销|结算|挂账|记账|备足|暂停|无法|不能")
_ACTION_START = re.compile(r"先|由|可|须|需|应|请|均|将|暂|无法|不能|垫付|自付|自费|报销|结算|办理|视|按|凭|持|携带")


# a long quotation is a principle or a name ("按照“确保…就医购药不受影响…”的原则"), not the situation
_QUOTED = re.compile(r"“[^”]{10,}”")


def _hits(text: str) -> list[tuple[int, dict[str, str]]]:
    text = _PLACE_WORDS.sub(lambda m: "□" * len(m.group(1)), text)
    text = _PEOPLE_WORDS.sub("□□", text)
    text = _BILL_PAYMENT.sub("□□", text)
    text = _QUOTED.sub(lambda m: "□" * len(m.group(0)), text)
    return find_rows(text, "situations")


def _card_is_subject(text: str, pos: int) -> bool:
    return bool(_CARD_AS_SUBJECT.match(text[pos:]))
# a sentence's opening: a time phrase ("停机期间,"), the people it is about ("…住院治疗的,"), its first clause
_LEADING_PERIOD = re.compile(r"^\s*(?:在)?[^,，。]{0,12}期间\s*[,，]\s*")
_WHOSE = re.compile(r"^(?:对于|对|凡)?([^,，:：;；。]{2,60}?的)(?:参保人员|参保人|患者|人员|病人|职工)?\s*[,，:：]")
_FIRST_CLAUSE = re.compile(r"^([^,，;；。]{2,40}?)[,，]")


@lru_cache(maxsize=8192)  # pure; the steps of one instruction each ask it (~9 times per different sentence)
def condition_of(sentence: str) -> str:
    """The situation a sentence opens with; empty when the sentence starts with its action.

    >>> condition_of("参保人在系统切换期间须住院治疗的,由个人先行垫付…"), condition_of("先行垫付,")
    ('参保人在系统切换期间须住院治疗的', '')
    """
    # a leading time phrase ("在暂停服务期间,", "停机期间,") is when, not who
    s = _LEADING_PERIOD.sub("", sentence.strip())
    m = _WHOSE.match(s)
    if m:
        return m.group(1)
    m = _FIRST_CLAUSE.match(s)
    if m and not _ACTION_START.match(m.group(1)) and not _ACTION_CUE.search(m.group(1)):
        return m.group(1)
    return ""


def categories_in(text: str, include_weak: bool, extensions: bool = True) -> list[str]:
    return list(_categories_in(text, include_weak, extensions))


@lru_cache(maxsize=16384)  # pure; the same condition, heading and sentence are read several times
def _categories_in(text: str, include_weak: bool, extensions: bool = True) -> tuple[str, ...]:
    """Situation codes named in ``text``, in order of appearance, with the precedence rules applied.

    >>> categories_in("参保人员在定点医药机构发生的门诊、住院、购药等费用", True)
    ['outpatient', 'inpatient', 'pharmacy']
    >>> categories_in("我市参保人员在市外定点医疗机构住院的", True)
    ['out_of_area']
    """
    # in order of appearance (a set would order them by hash: rows in another order on each run)
    extended = list(dict.fromkeys(row["category"] for m in _EXTENSION.finditer(text) for _, row in _hits(m.group(1))))
    main = _EXTENSION.sub("", text)
    hits = _hits(main)
    found: list[str] = []
    strengths: dict[str, set[str]] = {}
    listed = _listed_together(main) and any(row["strength"] in ("strong", "exclusive") for _, row in hits)
    for pos, row in hits:
        if row["strength"] == "weak" and not include_weak and not listed:
            continue  # but "门诊、住院、购药等费用": a setting listed with the others is one of them
        if row["strength"] == "card" and not _card_is_subject(main, pos):
            continue
        strengths.setdefault(row["category"], set()).add(row["strength"])
        if row["category"] not in found:
            found.append(row["category"])
    exclusive = [c for c in found if "exclusive" in strengths[c]]
    if exclusive:
        found = exclusive[:1]
    elif any("absorbing" in strengths[c] for c in found):
        # "门诊慢性病患者如何购药": the 购药 of a chronic patient is the chronic situation itself, and
        # "门诊慢性病资格认定" is the chronic disease's own approval
        found = [c for c in found if not (c in ("outpatient", "pharmacy") and strengths[c] == {"weak"})
                 and c != "referral_filing"]
    elif any(strengths[c] - {"weak"} for c in found) and not _listed_together(main):
        # a situation named outright: a weak word beside it is the same visit ("住院治疗…医疗费用",
        # "需办理医疗费手工报销的")
        found = [c for c in found if strengths[c] != {"weak"}]
    for ext in (extended if extensions else ()):
        if ext not in found:
            found.append(ext)
    return tuple(found)


def _listed_together(text: str) -> bool:
    """``"就医购药或办理出入院的"``, ``"门诊、住院、购药等费用"``: settings listed together, each a situation."""
    return bool(_LISTED_TOGETHER.search(text))
_LISTED_TOGETHER = re.compile(guarded(r"(就医|就诊|看病)[、和及与或]?购药|购药[、和及与或]?(就医|就诊)|(就医|购药)[^，,。]{0,4}或[^，,。]{0,6}(出入院|住院)"
                              r"|[、和及](购药|就医)|(购药|就医)[、和及]"))


def situations_of(sentence: str, context: str = "", heading: str = "", scheme: str | None = None) -> list[str]:
    """Categories of one instruction.

    The situation is read, in order, from the condition the sentence opens with (``…住院治疗的,``),
    the heading or question it answers, the rest of the sentence; a weak word (就医, 医疗费用) counts
    only when nothing stronger is named. An out-of-area or retirees' heading decides outright.

    >>> situations_of("参保人个人全额自付医疗费用,出院后,持相关票据到参保地医保经办机构报销", "异地住院")
    ['out_of_area']
    """
    return read_situations(sentence, context, heading, scheme)[0]


# Where a situation was read (the evidence behind a guidance row's confidence): the sentence's own
# words (its opening condition or the rest), the question or bullet condition it answers, the
# heading it stands under, a weak word only (就医, 医疗费用), or nothing ("other").
SITUATION_SOURCES = ("condition", "sentence", "question", "heading", "weak_word", "none")


def read_situations(sentence: str, context: str = "", heading: str = "", scheme: str | None = None
                    ) -> tuple[list[str], str]:
    """:func:`situations_of` and where it was read (one of :data:`SITUATION_SOURCES`):
    ``read_situations("参保人个人全额自付医疗费用,出院后,持相关票据到参保地医保经办机构报销", "", "异地住院")``
    → ``(["out_of_area"], "heading")``."""
    cond = _aside(condition_of(sentence))
    in_cond_strong = categories_in(cond, include_weak=True) if cond and categories_in(cond, include_weak=False) else []
    in_context_strong = categories_in(context, include_weak=False) if context else []
    in_sentence = categories_in(_aside(sentence), include_weak=False)
    if "out_of_area" in in_sentence and "out_of_area" not in in_cond_strong and not _EXTENSION.search(sentence):
        return ["out_of_area"], "sentence"  # out-of-area sentences go to out_of_area only (LABELING.md)
    in_heading = categories_in(heading, include_weak=False) if heading else []
    for outer, source in ((in_context_strong, "question"), (in_heading, "heading")):
        if outer and outer[0] in ("out_of_area", "retirees"):
            return outer[:1], source
    if scheme and "异地" in scheme:
        return ["out_of_area"], "heading"  # under an out-of-area scheme's heading (异地就医医保)
    specific = [c for c in categories_in(_aside(sentence), include_weak=False, extensions=False) if c in SPECIFIC]
    for found, source in ((in_cond_strong, "condition"), (specific, "sentence"), (in_context_strong, "question"),
                          (in_heading, "heading"), (in_sentence, "sentence")):
        if found and found != ["other"]:
            # a heading that repeats what the sentence names ("门诊就医、药店购药" over "…门诊就医、定点药店购药无法刷卡结算")
            return found, ("sentence" if source == "heading" and set(found) <= set(in_sentence) else source)
    for text, source in ((cond, "weak_word"), (context, "question"), (heading, "heading"), (_aside(sentence), "weak_word")):
        found = categories_in(text, include_weak=True) if text else []
        if found:
            return found, source
    return ["other"], "none"
