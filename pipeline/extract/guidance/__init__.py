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

from pipeline.extract.guidance.action import action_of, alternatives, has, is_instruction, without_advice
from pipeline.extract.guidance.details import deadlines_of, documents_of, place_of
from pipeline.extract.guidance.situation import condition_of, situations_of
from pipeline.extract.guidance.units import Unit, units_of
from pipeline.repair.resolve_year import YearClues


def category_of(text: str) -> str:
    """The first situation named in ``text``.

    >>> category_of("停机期间门诊慢性病患者如何购药?")
    'chronic_special'
    """
    return situations_of(text)[0]


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
# an alternative or a follow-up of the instruction before it: its situation is that one's
CONTINUES = re.compile(r"^\s*(?:也可|或者|或由|或|亦可|同时|此外|另外|若|如|确因|但|以上|上述)")


def _row(u: Unit, text: str, cat: str, action: str, clues: YearClues) -> dict:
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
    }


WORKAROUND_ACTIONS = {"pay_then_settle_at_provider", "pay_then_reimburse", "deemed_approved",
                      "stock_up_medicine", "settle_before"}


def _answered(rows: list[dict]) -> list[dict]:
    """Rows without the suspensions and reassurances that a workaround answers.

    LABELING.md: "when a workaround is given, the workaround is the pair" — ``"停机期间，暂停省医保所有
    门诊业务。门诊慢性病…由个人先行垫付…补办医保结算"`` is one pair, not also ``suspended``. A
    suspension is answered by a workaround for its situation anywhere in the notice, or by any
    workaround of its own paragraph; a reassurance by one for its situation in its paragraph.
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


def extract_guidance(lines: list[str], clues: YearClues, stop_sentences: tuple[str, ...] = ()) -> list[dict]:
    """The guidance rows of a notice's body lines (without ``notice_id``).

    ``stop_sentences`` are the sentences the windows step read stops from (the schedule).
    """
    units, suspensions = units_of(lines, stop_sentences)
    rows: list[dict] = []
    general: list[str] = []
    seen: set[tuple[str, str]] = set()
    consumed: set[int] = set()
    previous: tuple[int, str, list[str]] | None = None  # (paragraph, heading, situations) of the last instruction
    for i, u in enumerate(units):
        if i in consumed:
            continue
        text = _with_later_step(units, i)
        if text != u.text:
            consumed.add(i + 1)
        text = without_advice(text)
        if not is_instruction(text):
            continue
        cats = situations_of(text, u.context, u.heading, u.scheme)
        near = previous is not None and (previous[0] == u.paragraph or (u.heading and previous[1] == u.heading))
        if near and CONTINUES.match(text) and (not condition_of(text) or re.match(r"^\s*(以上|上述)", text)):
            cats = previous[2]  # "如无法提前购药,…", "以上出院人员也可…": the same people as before
        if has("pay", text) and cats == ["reimbursement"]:
            cats = ["other"]  # the claim is the later step of a workaround, not the situation
        if cats == ["other"] and previous is not None and (previous[0] == u.paragraph or CONTINUES.match(text)):
            cats = previous[2]
        for alt in alternatives(text):
            action = action_of(alt)
            if action is None:
                continue
            if action == "suspended" and (cats == ["other"] or len(cats) > 2
                                          or (len(cats) > 1 and GENERAL_SUSPENSION.search(alt))):
                general.append(text)  # "business stops" for everyone: the general statement
                continue
            if action == "other" and cats == ["other"]:
                continue  # neither a situation nor an action a code names
            row_cats = cats
            if cats == ["other"] and action in ("pay_then_settle_at_provider", "pay_then_reimburse"):
                row_cats = ["outpatient"]  # medical costs with no setting named are outpatient costs (LABELING.md)
            for cat in row_cats:
                if (cat, alt) in seen:
                    continue
                seen.add((cat, alt))
                row = _row(u, alt, cat, action, clues)
                row["_paragraph"] = u.paragraph
                rows.append(row)
        if cats != ["other"]:
            previous = (u.paragraph, u.heading, cats)
    rows = _answered(rows)
    if not rows and (general or suspensions):
        evidence = (general or suspensions)[0]
        rows.append({
            "scheme": None, "category": "other", "condition": None, "action": "suspended",
            "deadline_from": None, "deadline_to": None, "deadline_text": None, "documents": [], "place": None,
            "evidence": evidence[:400],
        })
    for n, row in enumerate(rows, start=1):
        row["guidance_no"] = n
    return rows


__all__ = ["extract_guidance", "action_of", "category_of", "deadlines_of", "documents_of", "place_of"]
