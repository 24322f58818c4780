"""Guidance: what patients are told to do, one row per instruction for a situation.

Three steps, one module each: :mod:`~pipeline.extract.guidance.units` finds the instructions
(Q&A answers, bullets, numbered items, run-on paragraphs) with their context;
:mod:`~pipeline.extract.guidance.situation` reads which situations each addresses;
:mod:`~pipeline.extract.guidance.action` reads what to do; :mod:`~pipeline.extract.guidance.details`
adds by when, what to bring and where. A notice whose only instruction is that business stops
gets one general row (``other``, ``suspended``), as LABELING.md prescribes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.guidance.action import (
    action_of,
    alternatives,
    filing_later,
    has,
    is_instruction,
    without_advice,
)
from pipeline.extract.guidance.details import deadlines_of, documents_of, place_of
from pipeline.extract.guidance.situation import categories_in, condition_of, read_situations, situations_of
from pipeline.extract.guidance.units import Unit, units_of
from pipeline.repair.confidence import guidance_confidence
from pipeline.repair.resolve_year import YearClues
from pipeline.vocab.guard import guarded


def category_of(text: str) -> str:
    """The first situation named in ``text``.

    >>> category_of("停机期间门诊慢性病患者如何购药?")
    'chronic_special'
    """
    return situations_of(text)[0]


def _bill_situations(cats: list[str], text: str, previous: tuple[int, str, list[str]] | None, paragraph: int) -> list[str]:
    """The situations of a bill settled at the hospital that names a contribution (缴费, 医保费): the
    other situations named, else those of the instruction before it in its paragraph, else the
    medical costs' (outpatient)."""
    rest = [c for c in cats if c != "enrollment_payment"]
    if rest:
        return rest
    if previous is not None and previous[0] == paragraph and "enrollment_payment" not in previous[2]:
        return previous[2]
    return [c for c in categories_in(text, include_weak=True) if c not in ("enrollment_payment", "other")] or ["outpatient"]


def _with_later_step(units: list[Unit], i: int) -> str:
    """A "pay now" sentence whose later step is stated in the next sentence of its paragraph reads as
    one instruction: ``"门诊费用需参保人员全额垫付。参保人员可于…到所就诊的定点医疗机构重新结算。"``."""
    u = units[i]
    if not has("pay", u.text) or has("later_provider", u.text) or has("later_agency", u.text):
        return u.text
    if i + 1 < len(units) and units[i + 1].paragraph == u.paragraph:
        nxt = units[i + 1].text
        if (has("later_provider", nxt) or has("later_agency", nxt)) and not has("pay", nxt):
            return u.text + nxt
    return u.text


GENERAL_SUSPENSION = re.compile(r"所有|各项|全部|一切|各类|相关业务|系统|停机")
# "系统停机期间,": when, not what stops
STOP_PERIOD = re.compile(guarded(r"(?:系统|平台)?(?:停机|切换|升级|结转|暂停服务)[^,，。]{0,6}期间"))
# "医院和药店无法进行医保结算", "定点医疗机构、定点零售药店将无法办理医保结算": everywhere stops
PROVIDERS_AND_PHARMACIES = re.compile(r"(医院|医疗机构)[^。；;]{0,12}药店|药店[^。；;]{0,12}(医院|医疗机构)")


def is_general_suspension(text: str, cats: list[str]) -> bool:
    """A suspension said of everything, not of one situation: LABELING.md's "a list of everything
    that stops is one general statement". ``"药店和医院均无法使用"`` → True; ``"系统切换期间,参保人到…定点
    医疗机构门诊就医购药的,暂无法进行医保刷卡业务,相关费用由个人全额自付"`` → False: paying in full is
    that situation's own instruction, and "系统切换期间" says when, not what."""
    if cats == ["other"] or len(cats) > 2:
        return True
    if has("pay", text):
        return False
    bare = STOP_PERIOD.sub("", text)
    if PROVIDERS_AND_PHARMACIES.search(bare) and set(categories_in(bare, include_weak=False)) <= {"pharmacy"}:
        return True  # places, not situations: "门诊就医、定点药店购药无法刷卡结算" names two situations instead
    return len(cats) > 1 and bool(GENERAL_SUSPENSION.search(bare))
# an alternative or a follow-up of the instruction before it: its situation is that one's
CONTINUES = re.compile(r"^\s*(?:也可|或者|或由|或|亦可|同时|此外|另外|若|如|确因|但|以上|上述)")
# a condition that is the fallback of the instruction before it ("如确实无法补办结算手续的", "如因特殊原因")
FALLBACK = re.compile(r"^\s*(?:如|若|确因)")
# "以上出院人员也可…": the people of the instruction before
ABOVE = re.compile(r"^\s*(以上|上述)")


def _row(u: Unit, text: str, cat: str, action: str, clues: YearClues, evidence: dict) -> dict:
    dfrom, dto, dtext = deadlines_of(text, clues)
    return {
        "scheme": u.scheme,
        "category": cat,
        "condition": u.condition or condition_of(text) or None,
        "action": action,
        "deadline_from": dfrom,
        "deadline_to": dto,
        "deadline_text": dtext,
        "documents": documents_of(text),
        "place": place_of(text),
        "evidence": text[:400],
        "_paragraph": u.paragraph,
        "_how": evidence,  # how the row was read, for its confidence (pipeline.repair.confidence)
    }


WORKAROUND_ACTIONS = {"pay_then_settle_at_provider", "pay_then_reimburse", "deemed_approved",
                      "stock_up_medicine", "settle_before"}


def _answered(rows: list[dict]) -> list[dict]:
    """Rows without the suspensions and reassurances that a workaround answers.

    LABELING.md: "when a workaround is given, the workaround is the pair" — ``"停机期间，暂停省医保所有
    门诊业务。门诊慢性病…由个人先行垫付…补办医保结算"`` is one pair, not also ``suspended``. A
    suspension is answered by any workaround of its own paragraph, a reassurance by one for its
    situation in its paragraph. (A workaround for the same situation elsewhere in the notice does not
    answer it: the labels keep both, e.g. a 门诊慢特病 approval stopped in one section and its patients'
    medicine paid and settled later in another — measured: counting those as answered lost 7 right pairs
    on the development notices.)
    """
    out = []
    for r in rows:
        def answers(o: dict, r: dict = r) -> bool:
            if o is r or o["action"] not in WORKAROUND_ACTIONS:
                return False
            same_para = o["_paragraph"] == r["_paragraph"]
            if r["action"] == "suspended":
                return same_para
            return same_para and o["category"] == r["category"]
        if r["action"] in ("suspended", "unaffected") and any(answers(o) for o in rows):
            continue
        out.append(r)
    for r in out:
        r.pop("_paragraph", None)
    return out


@dataclass
class _Previous:
    """The last instruction read: a follow-up or a fallback is about the same people."""

    paragraph: int
    heading: str
    situations: list[str]


def _situations(u: Unit, text: str, previous: _Previous | None) -> tuple[list[str], str]:
    """The situations of one instruction and where they were read
    (:data:`~pipeline.extract.guidance.situation.SITUATION_SOURCES`, or ``previous``)."""
    cats, source = read_situations(text, u.context, u.heading, u.scheme)
    near = previous is not None and (previous.paragraph == u.paragraph or bool(u.heading and previous.heading == u.heading))
    cond = condition_of(text)
    if near and previous is not None and CONTINUES.match(text) and (
            not cond or ABOVE.match(text)
            or (FALLBACK.match(cond) and not categories_in(cond, include_weak=False))):
        # "如无法提前购药,…", "以上出院人员也可…", "如因特殊原因,患者可…", "如确实无法补办结算手续的,可…零星报销":
        # the same people as before, in a fallback that names no situation of its own
        cats, source = previous.situations, "previous"
    if has("pay", text) and cats == ["reimbursement"]:
        cats, source = ["other"], "none"  # the claim is the later step of a workaround, not the situation
    if cats == ["other"] and previous is not None and (previous.paragraph == u.paragraph or CONTINUES.match(text)):
        cats, source = previous.situations, "previous"
    return cats, source


def _row_situations(cats: list[str], action: str, text: str, previous: _Previous | None, paragraph: int
                    ) -> tuple[list[str], bool]:
    """The categories a row takes for ``action`` (LABELING.md's defaults applied), and whether a default decided."""
    if cats == ["other"] and action in ("pay_then_settle_at_provider", "pay_then_reimburse"):
        return ["outpatient"], True  # medical costs with no setting named are outpatient costs (LABELING.md)
    if cats == ["other"] and action == "stock_up_medicine":
        return ["chronic_special"], True  # "参保人员可…酌情提前备药": long-term medication, its usual home
    if "enrollment_payment" in cats and (action == "pay_then_settle_at_provider" or place_of(text) == "provider"):
        # settled at the hospital: medical costs, whatever was paid in ("对于医保已缴费确需退费的,请…来我院办理退费手续")
        prev = (previous.paragraph, previous.heading, previous.situations) if previous else None
        return _bill_situations(cats, text, prev, paragraph), True
    return cats, False


def extract_guidance(lines: list[str], clues: YearClues, stop_sentences: tuple[str, ...] = ()) -> list[dict]:
    """The guidance rows of a notice's body lines (without ``notice_id``), each with its confidence.

    ``stop_sentences`` are the sentences the windows step read stops from (the schedule).
    """
    units, suspensions = units_of(lines, stop_sentences)
    rows: list[dict] = []
    general: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    consumed: set[int] = set()
    previous: _Previous | None = None
    for i, u in enumerate(units):
        if i in consumed:
            continue
        text = _with_later_step(units, i)
        if text != u.text:
            consumed.add(i + 1)
        text = without_advice(text)
        if not is_instruction(text):
            continue
        cats, source = _situations(u, text, previous)
        readings = [(alt, action_of(alt), False) for alt in alternatives(text)]
        if any(filing_later(alt) for alt, _, _ in readings):
            readings.append((text, "deemed_approved", True))  # and the filing made late counts
        only_general = True  # a statement that everything stops names no situation a follow-up could share
        used = cats  # the situations its rows took ("参保人可先行全额垫付相关费用…": outpatient)
        for alt, action, second in readings:
            if action is None:
                continue
            if action == "suspended" and is_general_suspension(alt, cats):
                general.append(text)  # "business stops" for everyone: the general statement
                continue
            only_general = False
            if action == "other" and cats == ["other"]:
                continue  # neither a situation nor an action a code names
            row_cats, defaulted = _row_situations(cats, action, alt, previous, u.paragraph)
            used = row_cats
            how = {"action": action, "situation": "default" if defaulted else source,
                   "stop_in_unit": action != "suspended" and has("suspended", text),
                   "pay_in_full": action == "suspended" and has("pay", alt) and not has("suspended", alt),
                   "second_action": second, "alternatives": len(readings) > 1 and not second}
            for cat in row_cats:
                if (cat, alt, action) in seen:
                    continue
                seen.add((cat, alt, action))
                rows.append(_row(u, alt, cat, action, clues, how))
        if used != ["other"] and not only_general:
            previous = _Previous(u.paragraph, u.heading, used)
    rows = _answered(rows)
    stops = [x for x in stop_sentences if x.strip()]
    if not rows and (general or suspensions or stops):
        # "…将于2025年7月1日暂停办理各类公积金业务": the stop itself, when nothing else is said
        evidence = (general or suspensions or stops)[0]
        rows.append({
            "scheme": None, "category": "other", "condition": None, "action": "suspended",
            "deadline_from": None, "deadline_to": None, "deadline_text": None, "documents": [], "place": None,
            "evidence": evidence[:400], "_how": {"action": "suspended", "situation": "general"},
        })
    for n, row in enumerate(rows, start=1):
        row["guidance_no"] = n
        row["confidence"], row["confidence_reasons"] = guidance_confidence(**row.pop("_how"))
    return rows


__all__ = ["extract_guidance", "action_of", "category_of", "deadlines_of", "documents_of", "place_of"]
