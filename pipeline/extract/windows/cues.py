"""The words that give a date its role: stop, resumption, go-live, open end, deadline, report.

The words are data (``vocab/data/window_cues.csv``); this module only compiles them. Where two
cues start at the same place the longer wins (``切换上线`` is a go-live, ``切换`` alone a stop).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pipeline.vocab.terms import alternation, load_rows


@cache
def _by_role() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for row in load_rows("window_cues"):
        out.setdefault(row["role"], []).append(row["term"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def cue_pattern(roles: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every cue of ``roles``, longest first (``cue_pattern(("stop",))``)."""
    terms = sorted({t for r in roles for t in _by_role().get(r, ())}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, terms)))


@cache
def role_of_cue(term: str) -> str:
    """The role of a cue word.

    >>> role_of_cue("切换上线")
    'go_live'
    """
    for role, terms in _by_role().items():
        if term in terms:
            return role
    raise KeyError(term)


EVENT_ROLES = ("stop", "stop_weak", "resume", "resume_weak", "go_live", "open", "report")
# a weak cue ("切换", "升级", "正常办理") gives its plain role only when no strong cue follows it
# a resumption that is denied or in doubt is no resumption: "仍未恢复", "能否恢复正常还不好说"
NEGATED = re.compile(r"(?:" + alternation("negations") + r")\s*$")


def first_event_cue(text: str, roles: tuple[str, ...] = EVENT_ROLES) -> tuple[str, re.Match[str]] | None:
    """The first cue in ``text`` and its role.

    A resumption cue right after a negation (``尚未恢复``) reads as ``open``.

    >>> role, match = first_event_cue("起正式切换上线国家平台")
    >>> role, match.group(0)
    ('go_live', '正式切换')
    """
    weak: tuple[str, re.Match[str]] | None = None
    for m in cue_pattern(roles).finditer(text):
        role = role_of_cue(m.group(0))
        if role in ("resume", "resume_weak", "go_live") and NEGATED.search(text[max(0, m.start() - 8) : m.start()]):
            return "open", m
        if role.endswith("_weak"):
            # "系统切换正式上线": a weak cue yields to a strong one later in the same text
            weak = weak or (role.removesuffix("_weak"), m)
            continue
        return role, m
    return weak


def has_cue(text: str, *roles: str) -> bool:
    """Whether ``text`` holds a cue of any of ``roles``: ``has_cue("2月6日起停机", "stop")`` → True."""
    return _has_cue(text, roles)


@lru_cache(maxsize=16384)  # pure; the window steps ask it of the same sentence and clause again
def _has_cue(text: str, roles: tuple[str, ...]) -> bool:
    return bool(cue_pattern(roles).search(text))
