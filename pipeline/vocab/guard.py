"""A first-character guard for a regular expression built from vocabulary patterns.

Python's ``re`` scans quickly for a pattern that begins with a literal, a character class, or an
alternation of literals (it skips, in C, to the next place one of those characters occurs). A
pattern whose alternatives begin with a group, a lookbehind or a repeat
(``(补办|补录|…)[^，,。]{0,12}(结算|…)|退费|…``) gets no such skip: every alternative is tried at
every character of the text. :func:`guarded` puts a lookahead on the characters a match can begin
with in front of such a pattern, computed from the pattern itself, so that the patterns stay
written as they are in the vocabulary CSVs; it finds exactly the matches the bare pattern finds
(a match must begin with one of those characters), only sooner.

Written by hand: no library computes a pattern's first characters. It reads the pattern with the
standard library's own parser (``re._parser``); on any construct it does not know, or if that
parser is missing, the pattern is returned unchanged — slower, never different.
"""

from __future__ import annotations

import re

try:
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - another Python: no guard, the same matches
    _c = _p = None  # type: ignore[assignment]


class _AnyCharacter(Exception):
    """A match may begin with a character the guard cannot name (``.``, ``[^…]``, a back-reference)."""


_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")


def _first(items: list, out: set[str]) -> bool:
    """Add to ``out`` (class items as pattern text) every character a match of ``items`` can begin
    with; return True when ``items`` can match the empty string (the next item's characters count too)."""
    for op, av in items:
        name = str(op)  # the parser's opcode names (LITERAL, IN, BRANCH, …)
        if name == "LITERAL":
            out.add(re.escape(chr(av)))
            return False
        if name == "IN":
            for o, a in av:
                if str(o) == "LITERAL":
                    out.add(re.escape(chr(a)))
                elif str(o) == "RANGE":
                    out.add(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
                elif str(o) == "CATEGORY" and str(a) in _CATEGORIES:
                    out.add(_CATEGORIES[str(a)])
                else:
                    raise _AnyCharacter
            return False
        if name == "BRANCH":
            if not any([_first(list(alt), out) for alt in av[1]]):  # a list: every alternative's characters
                return False
            continue
        if name == "SUBPATTERN":
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _AnyCharacter
            if not _first(list(sub), out):
                return False
            continue
        if name in _REPEATS:
            low, _high, sub = av
            if not _first(list(sub), out) and low > 0:
                return False
            continue
        if name in _ZERO_WIDTH:
            continue  # zero-width: the match's first character is the next item's
        raise _AnyCharacter
    return True


def _has_fast_start(items: list) -> bool:
    """Whether ``re`` already skips ahead for this pattern: it begins (inside plain groups) with a
    literal, a class, an anchor, or an alternation whose every alternative begins with a literal."""
    while items and str(items[0][0]) == "SUBPATTERN" and not (items[0][1][1] or items[0][1][2]):
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if str(op) in ("LITERAL", "IN", "AT"):
        return True  # AT: "^…" is tried at the start only, a guard in front would make it try everywhere
    return str(op) == "BRANCH" and all(alt and str(list(alt)[0][0]) == "LITERAL" for alt in av[1])


def first_characters(pattern: str, flags: int = 0) -> str | None:
    """A character class matching every character a match of ``pattern`` can begin with; None when
    the pattern can match the empty string, begins with any character, or has flags (``re.I``: the
    class would not be case-blind).

    >>> first_characters(r"(?<!无法)提前[^，,。]{0,8}开药|\\d+\\s*[日时]前|(回|到)医院")
    '[\\\\d到回提]'
    """
    if _p is None:
        return None
    try:
        tree = _p.parse(pattern, flags)
    except re.error:
        return None
    if tree.state.flags & ~_c.SRE_FLAG_UNICODE:
        return None
    out: set[str] = set()
    try:
        if _first(list(tree), out):
            return None
    except _AnyCharacter:
        return None
    return "[" + "".join(sorted(out)) + "]"


# every pattern guarded in this process: guarded form → (pattern as written, flags), for the tests
# that hold each guarded form to its bare pattern (tests/test_guard.py)
GUARDED: dict[str, tuple[str, int]] = {}


def guarded(pattern: str, flags: int = 0) -> str:
    """``pattern`` with a lookahead on its first characters in front, where that makes ``re`` skip
    ahead and it does not already; else ``pattern`` unchanged. The same matches, groups and spans
    when compiled with the same ``flags``.

    >>> guarded("(补办|重新)[^，,。]{0,12}结算|退费")
    '(?=[补退重])(?:(补办|重新)[^，,。]{0,12}结算|退费)'
    >>> guarded("垫付|自付")    # re already skips to 垫 or 自
    '垫付|自付'
    """
    first = first_characters(pattern, flags)
    if first is None or _has_fast_start(list(_p.parse(pattern))):
        return pattern
    out = f"(?={first})(?:{pattern})"
    GUARDED[out] = (pattern, flags)
    return out
