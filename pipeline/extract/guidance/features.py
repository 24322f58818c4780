"""What the guidance classifier sees of one unit: its text, its context, and the cue vocabularies.

Shared by the training (:mod:`~pipeline.extract.guidance.training`, scikit-learn) and the run-time
classifier (:mod:`~pipeline.extract.guidance.classifier`, numpy), so the two cannot drift:

- the unit's text, and its context (the question or bullet condition it answers, then the
  heading it stands under), each read as character 1–3-grams (TF-IDF);
- the cue vocabularies as binary features: which kinds of ``vocab/data/guidance_cues.csv`` fire
  in the unit (``pay``, ``later_provider``, ``suspended`` …), which ``situations.csv`` categories
  the unit names, and which its context names (weak words such as 就医 included).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

from pipeline.extract.guidance.situation import categories_in
from pipeline.extract.guidance.units import Unit
from pipeline.vocab.codes import GUIDANCE_CATEGORIES
from pipeline.vocab.terms import vocabulary


def unit_text(u: Unit) -> str:
    """The text the classifier reads of a unit: the sentence itself."""
    return u.text


def unit_context(u: Unit) -> str:
    """The unit's context as one text: ``"停机期间参保人员如何办理出院? 一、本地住院攻略"``."""
    return (u.context or "") + " " + (u.heading or "")


@cache
def cue_kinds() -> tuple[str, ...]:
    """The kinds of ``guidance_cues.csv``, sorted: ``("before", "claim", "deemed", …)``."""
    return tuple(sorted({row["kind"] for row in vocabulary("guidance_cues")}))


@cache
def _cue_patterns() -> tuple[re.Pattern[str], ...]:
    """One pattern per kind, in :func:`cue_kinds` order: the kind's patterns as alternatives, as
    :func:`pipeline.extract.guidance.action.has` searches them (compiled here once so that the
    eleven searches per unit skip its look-ups)."""
    rows = vocabulary("guidance_cues")
    return tuple(re.compile("|".join(f"(?:{r['pattern']})" for r in rows if r["kind"] == k)) for k in cue_kinds())


def cue_feature_names() -> tuple[str, ...]:
    """Names of the cue features, in column order: ``cue:pay``, ``unit:inpatient``, ``context:inpatient`` …"""
    return (tuple(f"cue:{k}" for k in cue_kinds()) + tuple(f"unit:{c}" for c in GUIDANCE_CATEGORIES)
            + tuple(f"context:{c}" for c in GUIDANCE_CATEGORIES))


@lru_cache(maxsize=16384)  # pure; a row's text, question and heading are looked up again for its confidence
def named_categories(text: str) -> frozenset[str]:
    """The situations ``text`` names, weak words included: ``"门诊慢性病患者"`` → ``{"chronic_special"}``."""
    return frozenset(categories_in(text, include_weak=True)) if text.strip() else frozenset()


def cue_features(units: list[Unit], cued_only: bool = False) -> np.ndarray:
    """The cue features of each unit (rows) in :func:`cue_feature_names` order, 0.0 or 1.0.

    With ``cued_only``, the situations are read only for units in which a cue fires (the others
    are not :func:`asked` about, and their situation columns stay 0).

    >>> u = Unit("医疗费用由个人先行垫付,出院后到医保经办机构报销", "", None, None, 1, False, "异地住院")
    >>> names, row = cue_feature_names(), cue_features([u])[0]
    >>> sorted(n for n, v in zip(names, row) if v)
    ['context:out_of_area', 'cue:later_agency', 'cue:pay', 'unit:inpatient']
    """
    patterns, n_kinds = _cue_patterns(), len(cue_kinds())
    column = {c: i for i, c in enumerate(GUIDANCE_CATEGORIES)}
    out = np.zeros((len(units), n_kinds + 2 * len(GUIDANCE_CATEGORIES)))
    context_columns: dict[str, list[int]] = {}  # units under one heading share their context
    hits_i: list[int] = []
    hits_j: list[int] = []
    for i, u in enumerate(units):
        text, context = unit_text(u), unit_context(u)
        found = [j for j, pattern in enumerate(patterns) if pattern.search(text)]
        if found or not cued_only:
            if context not in context_columns:
                context_columns[context] = [n_kinds + len(column) + column[c] for c in named_categories(context)
                                            if c in column]
            found += [n_kinds + column[c] for c in named_categories(text) if c in column] + context_columns[context]
        hits_i += [i] * len(found)
        hits_j += found
    out[hits_i, hits_j] = 1.0
    return out


def asked(cues: np.ndarray) -> np.ndarray:
    """Which units the classifier is asked about: those in which a cue of ``guidance_cues.csv`` fires
    (rows of :func:`cue_features`). A unit with none is no instruction: measured on the real
    notices, leaving them out changed no pair, cross-validated or on the unread notices, and halves
    the classifier's work (docs/extraction.md).

    >>> asked(cue_features([Unit("请先行垫付费用", "", None, None, 1, False), Unit("感谢理解", "", None, None, 2, False)])).tolist()
    [True, False]
    """
    return cues[:, :len(cue_kinds())].any(axis=1)
