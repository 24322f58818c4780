"""Cues of what an instruction tells a person to do, read from its words.

The cues are data (``vocab/data/guidance_cues.csv``), one kind per row: paying now (垫付, 挂账),
settling later at the same provider (补办结算, 退费重结) or at the agency (零星报销), doing something
before the stop (停机前结算), stocking up (备足药品), a late filing that still counts (视同, 顺延),
continuing as usual (不受影响), or a service that is not available (暂停). They are not a decision:
the guidance classifier takes them as features (:mod:`pipeline.extract.guidance.features`) and
decides each unit's (category, action) pairs; :mod:`~pipeline.extract.guidance.units` asks them to
tell an instruction from a preamble or a question.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import load_rows


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    """Each kind's patterns as one alternation, with a first-character guard where ``re`` has no
    quick skip of its own (:func:`~pipeline.vocab.guard.guarded`: the same matches)."""
    out: dict[str, list[str]] = {}
    for row in load_rows("guidance_cues"):
        out.setdefault(row["kind"], []).append(row["pattern"])
    return {k: re.compile(guarded("|".join(f"(?:{p})" for p in v))) for k, v in out.items()}


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
