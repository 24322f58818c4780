"""Guidance: what patients are told to do, one row per instruction for a situation.

Three steps: :mod:`~pipeline.extract.guidance.units` finds the instructions (Q&A answers,
bullets, numbered items, run-on paragraphs) with their context; the fitted classifier
(:mod:`~pipeline.extract.guidance.classifier`) decides the (category, action) pairs each unit
gives; :mod:`~pipeline.extract.guidance.details` adds by when, what to bring and where. A notice
that gives no pair but states a stop gets one general row (``other``, ``suspended``), as
LABELING.md prescribes.

The classifier replaced hand-written situation and action rules because it did better on notices
nobody had read (docs/extraction.md, "What was measured").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.extract.guidance.action import has
from pipeline.extract.guidance.classifier import GuidanceModel, Pair, shipped_model
from pipeline.extract.guidance.details import deadlines_of, documents_of, place_of
from pipeline.extract.guidance.features import named_categories
from pipeline.extract.guidance.situation import condition_of
from pipeline.extract.guidance.units import Unit, units_of
from pipeline.repair.confidence import guidance_confidence
from pipeline.repair.resolve_year import YearClues


def situation_source(category: str, text: str, u: Unit) -> str:
    """Where the row's situation is named: ``sentence`` (the instruction itself), ``question`` (the
    question or bullet condition it answers), ``heading`` (only the heading it stands under), or
    ``unnamed`` (nowhere: the classifier read it from other words; ``other`` is never named).

    >>> u = Unit("参保人个人全额自付医疗费用,出院后,持相关票据到参保地医保经办机构报销。", "", None, None, 1, False, "异地住院")
    >>> situation_source("out_of_area", u.text, u), situation_source("inpatient", u.text, u)
    ('heading', 'sentence')
    """
    for source, where in (("sentence", text), ("question", u.context), ("heading", u.heading)):
        if category in named_categories(where or ""):
            return source
    return "unnamed"


@dataclass(frozen=True)
class _Details:
    """What the details step reads from an instruction's text (once per text: a unit that gives
    several pairs gives several rows with the same text)."""

    deadline_from: date | None
    deadline_to: date | None
    deadline_text: str | None
    documents: tuple[str, ...]
    place: str | None
    condition: str
    states_stop: bool

    @classmethod
    def of(cls, text: str, clues: YearClues) -> _Details:
        return cls(*deadlines_of(text, clues), tuple(documents_of(text)), place_of(text), condition_of(text),
                   has("suspended", text))


def _row(u: Unit, text: str, pair: Pair, d: _Details) -> dict:
    return {
        "scheme": u.scheme,
        "category": pair.category,
        "condition": u.condition or d.condition or None,
        "action": pair.action,
        "deadline_from": d.deadline_from,
        "deadline_to": d.deadline_to,
        "deadline_text": d.deadline_text,
        "documents": list(d.documents),
        "place": d.place,
        "evidence": text[:400],
        # how the row was read, for its confidence (pipeline.repair.confidence.guidance_confidence)
        "_how": {"probability": pair.probability, "situation": situation_source(pair.category, text, u),
                 "stop_in_unit": pair.action != "suspended" and d.states_stop},
    }


def read_rows(units: list[Unit], unit_pairs: list[list[Pair]], suspensions: list[str],
              stop_sentences: tuple[str, ...], clues: YearClues) -> list[dict]:
    """The rows of a notice from the pairs each unit gives, before their confidence (each keeps ``_how``).

    A pair that the next sentence of the same paragraph gives again is one instruction stated in
    two sentences (``"门诊费用需参保人员全额垫付。参保人员可于…到所就诊的定点医疗机构重新进行医保结算。"``):
    one row, its details read from both. A notice that gives no pair but states a stop gets the
    general ``(other, suspended)`` row.
    """
    drafts: list[list] = []  # [first unit, text, best pair] of each row
    last: dict[tuple[str, str], tuple[int, list]] = {}  # pair → (the unit that last gave it, its draft)
    for i, (u, pairs) in enumerate(zip(units, unit_pairs)):
        for pair in pairs:
            key = (pair.category, pair.action)
            prev = last.get(key)
            if prev is not None and prev[0] == i - 1 and units[i - 1].paragraph == u.paragraph:
                draft = prev[1]
                draft[1] += u.text
                draft[2] = max(draft[2], pair, key=lambda p: p.probability)
            else:
                draft = [u, u.text, pair]
                drafts.append(draft)
            last[key] = (i, draft)
    details: dict[str, _Details] = {}
    for _, text, _ in drafts:
        if text not in details:
            details[text] = _Details.of(text, clues)
    rows = [_row(u, text, pair, details[text]) for u, text, pair in drafts]
    stops = [x for x in stop_sentences if x.strip()]
    if not rows and (suspensions or stops):
        # "…将于2025年7月1日暂停办理各类公积金业务": the stop itself, when nothing else is said
        rows.append({
            "scheme": None, "category": "other", "condition": None, "action": "suspended",
            "deadline_from": None, "deadline_to": None, "deadline_text": None, "documents": [], "place": None,
            "evidence": (suspensions or stops)[0][:400], "_how": {"situation": "general"},
        })
    return rows


def extract_guidance(lines: list[str], clues: YearClues, stop_sentences: tuple[str, ...] = (),
                     model: GuidanceModel | None = None) -> list[dict]:
    """The guidance rows of a notice's body lines (without ``notice_id``), each with its confidence.

    ``stop_sentences`` are the sentences the windows step read stops from (the schedule);
    ``model`` is the shipped classifier unless another is given (the trainer's held-out runs).
    """
    model = model or shipped_model()
    units, suspensions = units_of(lines, stop_sentences)
    rows = read_rows(units, model.pairs(units), suspensions, stop_sentences, clues)
    cutoffs = model.meta.get("confidence_cutoffs", {})
    for n, row in enumerate(rows, start=1):
        row["guidance_no"] = n
        row["confidence"], row["confidence_reasons"] = guidance_confidence(**row.pop("_how"), cutoffs=cutoffs)
    return rows


__all__ = ["extract_guidance", "read_rows", "deadlines_of", "documents_of", "place_of"]
