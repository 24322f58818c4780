"""What an instruction tells a person to do: the ``action`` code, read from the instruction's cues.

The cues are data (``vocab/data/guidance_cues.csv``): paying now (垫付, 挂账), settling later at the
same provider (补办结算, 退费重结) or at the agency (零星报销), doing something before the stop
(停机前结算), stocking up (备足药品), a late filing that still counts (视同, 顺延, 只受理申请),
continuing as usual (不受影响), or a service that is simply not available (暂停). The decision
follows LABELING.md: a workaround beats the suspension it works around; "pay now" names its
later step, and "pay in full" with no later step is ``suspended``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import load_rows

# alternatives in one sentence are separate instructions: "…补扫码结算或者到参保地…报销"
ALTERNATIVE = re.compile(guarded(r"[,，;；]?\s*(?:或者|或由|也可以?|亦可|或可|或选择|或在|或到|或回)"))
# a clause that only advises on timing names no action ("请合理安排", "错峰就医", "尽量避免")
PURPOSE = re.compile(guarded(r"(?:^|(?<=[,，;；]))\s*(?:为了|为确保|为保证|为保障|确保|以免|避免)[^,，;；。]*[,，;；。]?"))
# 报销 as a claim, not as a noun ("已经取得…报销资格的患者": the patients' eligibility)
CLAIM_WORD = re.compile(r"报销(?!资格|比例|政策|待遇|范围|标准|目录)")
SCHEDULING_ONLY = re.compile(r"合理安排|错峰|避开|尽量避免|提前安排|提前做好[^，,。]{0,6}安排|敬请谅解|带来的不便")


# a filing made after the restart beside a pay-now instruction: "费用由本人先行垫付,出院后到医保政务服务窗口补办
# 备案手续,手工报销" — the filing counts (deemed_approved) and the bill has its own later step
FILING_LATER = re.compile(r"补办[^，,。；;]{0,10}备案(?:手续)?|待[^。；;]{0,20}(?:恢复|上线)后[^。；;]{0,40}?备案(?:手续)?")
# patterns of the functions below, compiled once
CLAUSE_END = re.compile(r"(?<=[,，;；])")
FILING = re.compile(r"补办[^，,。；;]{0,10}备案")
LATER = re.compile(guarded(r"待[^。]{0,24}(后|恢复|上线|开机)|(上线|恢复|开机|正常)后|节后|年后|重新办理"))
SETTLED_LATER = re.compile(r"待[^。；;]{0,30}结算")
MADE_UP_LATER = re.compile(r"补办|补录|重新办理")
PROVIDER_CLAIM = re.compile(r"(医院|医疗机构|药店|定点)[^，,。]{0,10}报销")
UNAFFECTED_AS_PURPOSE = re.compile(r"(以免|避免|确保|保证|为了)[^，,。]{0,20}(不受|受到)?影响")
UNAFFECTED_SAID = re.compile(r"(不受影响|不影响)[。;；]?$|照常|正常运行|正常办理|继续")


def filing_later(text: str) -> bool:
    """True when a pay-now instruction also files late: ``"需先自费办理住院,待服务恢复后7个工作日内,联系参保地医保经办
    机构或转出医疗机构办理异地就医备案手续,出院时在就诊医疗机构直接办理出院报销手续"`` → True."""
    return has("pay", text) and bool(FILING_LATER.search(text))


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    """Each kind's patterns as one alternation, with a first-character guard where ``re`` has no
    quick skip of its own (:func:`~pipeline.vocab.guard.guarded`: the same matches)."""
    out: dict[str, list[str]] = {}
    for row in load_rows("guidance_cues"):
        out.setdefault(row["kind"], []).append(row["pattern"])
    return {k: re.compile(guarded("|".join(f"(?:{p})" for p in v))) for k, v in out.items()}


@lru_cache(maxsize=8192)  # pure; asked again of the same sentence when a notice repeats it
def without_advice(text: str) -> str:
    """The text without its clauses of advice on timing; a clause that names the situation stays.

    >>> without_advice("请参保人员提前做好就医购药安排,确需…"), without_advice("慢性病患者请提前安排好时间,")
    ('确需…', '慢性病患者请提前安排好时间,')
    """
    from pipeline.extract.guidance.situation import categories_in

    clauses = CLAUSE_END.split(text)
    kept = [c for c in clauses if not SCHEDULING_ONLY.search(c)
            or categories_in(SCHEDULING_ONLY.sub("", c), include_weak=False)]
    return "".join(kept) if kept else text


# Cached: the guidance steps ask about the same sentence again and again (units, instruction,
# situation, action, confidence: ~250 questions per notice, ~90 different); a pure function.
@lru_cache(maxsize=65536)
def has(kind: str, text: str) -> bool:
    """Whether ``text`` holds a cue of ``kind`` (``vocab/data/guidance_cues.csv``).

    >>> has("pay", "医疗费用由个人先行垫付"), has("later_provider", "医疗费用由个人先行垫付")
    (True, False)
    """
    return bool(_cues()[kind].search(text))


@lru_cache(maxsize=16384)
def has_any(kinds: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` holds a cue of any of ``kinds`` (asked in that order, as ``any`` would):
    ``has_any(("stock", "pay"), "医疗费用由个人先行垫付")`` → True. Cached like :func:`has`."""
    return any(has(k, text) for k in kinds)


@lru_cache(maxsize=8192)  # pure: each alternative of an instruction is read once per notice or more
def action_of(text: str) -> str | None:
    """The action code of one instruction.

    >>> action_of("医疗费用由个人先行垫付，待新平台上线后，在就诊医疗机构补办医保结算")
    'pay_then_settle_at_provider'
    >>> action_of("请于11月18日17时前到定点医疗机构开取12月份药品"), action_of("暂停异地就医医保个人账户门诊缴费业务")
    ('stock_up_medicine', 'suspended')
    """
    # "为了确保医疗保险待遇不受影响,请…": the purpose of the action is not the action
    text = PURPOSE.sub("", text) or text
    if filing_later(text):
        text = FILING_LATER.sub("", text)  # the filing is a row of its own (deemed_approved); the bill's step decides
    elif FILING.search(text) and not has("pay", text):
        return "deemed_approved"  # "可直接去异地办理住院手续,可在系统恢复后补办异地就医备案和入院登记手续"
    if has("stock", text):
        return "stock_up_medicine"
    if has("strong_unaffected", text) and not _unaffected_is_purpose(text) and not has("pay", text) \
            and not has("deemed", text):
        return "unaffected"  # "原有的…手工结算业务不受停机影响": said outright
    pay, provider, agency = has("pay", text), has("later_provider", text), has("later_agency", text)
    # a bare 报销 is a claim at the agency unless a provider is named as the place; in the
    # condition ("需享受…药品报销的参保人,") it names the people, not the action
    from pipeline.extract.guidance.situation import condition_of

    cond = condition_of(text)
    action_part = text[text.find(cond) + len(cond):] if cond else text
    agency = agency or (bool(CLAIM_WORD.search(action_part)) and not provider)
    later = bool(LATER.search(text))
    if has("claim", text) and not has("deemed", text) and not provider:
        return "pay_then_reimburse"  # "…前办理手工报销": the claim is the instruction
    if provider and (pay or later) and not (agency and _agency_after_provider(text)):
        return "pay_then_settle_at_provider"
    if agency and (pay or later or "报销" in text) and not has("deemed", text):
        return "pay_then_reimburse"
    if pay and SETTLED_LATER.search(text):
        return "pay_then_settle_at_provider"  # settled later, no agency named: where the bill was booked
    if pay and MADE_UP_LATER.search(text):
        return "pay_then_settle_at_provider"  # "先行挂账,待系统恢复后补办相关手续"
    if has("deemed", text):
        return "deemed_approved"
    if has("strong_unaffected", text) and not _unaffected_is_purpose(text):
        return "unaffected"
    if has("before", text):
        return "settle_before"
    if has("unaffected", text) and not _unaffected_is_purpose(text):
        return "unaffected"
    if pay:
        return "suspended"  # pay in full, nothing stated later: the service is not available
    if has("suspended", text):
        return "suspended"
    if has("other", text):
        return "other"
    return None  # no cue a code names: not an instruction this table records


def _agency_after_provider(text: str) -> bool:
    """``"…到医院结算…,最后回参保地报销"``: the last step named decides."""
    p = [m.start() for m in _cues()["later_provider"].finditer(text)]
    a = [m.start() for m in _cues()["later_agency"].finditer(text)]
    return bool(a and p and max(a) > max(p) and not PROVIDER_CLAIM.search(text))


def _unaffected_is_purpose(text: str) -> bool:
    """``"…以免待遇受到影响"``, ``"为确保…不受影响"``: the reason for an action, not the action."""
    return bool(UNAFFECTED_AS_PURPOSE.search(text)) and not UNAFFECTED_SAID.search(text)


def alternatives(text: str) -> list[str]:
    """One sentence split at its alternatives, the shared "pay now" part (``垫付``) kept with each.

    >>> alternatives("先垫付，待恢复后到医院补扫码结算或者到参保地经办部门报销")
    ['先垫付，待恢复后到医院补扫码结算', '垫付,到参保地经办部门报销']
    """
    parts = [p for p in ALTERNATIVE.split(text) if is_instruction(p)]
    if len(parts) <= 1:
        return [text]
    head = parts[0]
    shared = "垫付" if has("pay", head) else ""
    return [head] + [(shared + "," if shared and not has("pay", p) else "") + p for p in parts[1:]]


# the cue kinds that make a text an instruction, and those that make advice on timing one
INSTRUCTION_KINDS = ("stock", "pay", "later_provider", "later_agency", "deemed", "before", "unaffected", "suspended",
                     "other")
TIMING_ADVICE_KINDS = ("stock", "before", "pay", "deemed")


@lru_cache(maxsize=16384)  # pure: units, alternatives and the instruction itself ask it of the same texts
def is_instruction(text: str) -> bool:
    """True when the text tells someone to do something or says what happens to them; a bare
    description, a preamble or advice on timing is not an instruction."""
    if SCHEDULING_ONLY.search(text) and not has_any(TIMING_ADVICE_KINDS, text):
        return False
    return has_any(INSTRUCTION_KINDS, text)
