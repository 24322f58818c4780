"""Which situations a text names: the ``category`` codes its words stand for, and the condition an
instruction opens with.

The guidance classifier decides each unit's categories; :func:`categories_in` gives it (and a row's
confidence, :func:`pipeline.extract.guidance.features.named_categories`) the situations a sentence,
question or heading names outright. One text can name several (``门诊、住院、购药等费用先行垫付`` →
outpatient, inpatient, pharmacy). The words are data (``vocab/data/situations.csv``), each with a
strength:

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

