"""Vocabularies kept as data (``vocab/data/*.csv``): printed term → canonical name and attributes.

Every file of ``vocab/data/`` is read here, once per process, by :func:`vocabulary`; the other
functions are views of it (rows longest term first, terms with their canonical names, the word
lists that regular expressions are built from).
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.vocab.matcher import WordMatcher


@cache
def vocabulary(name: str) -> tuple[dict[str, str], ...]:
    """Every row of ``vocab/data/NAME.csv`` as a dict, in the file's order (read once, then cached).

    ``vocabulary("era_markers")[0]["term"]`` → ``"国家医疗保障信息平台"``.
    """
    text = resources.files("pipeline.vocab").joinpath(f"data/{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


@cache
def load_rows(name: str) -> tuple[dict[str, str], ...]:
    """Every row of ``vocab/data/NAME.csv`` as a dict, longest ``term`` first.

    ``load_rows("services")[0]`` → ``{"term": "网上服务大厅", "service": "线上业务", "family": "online"}``
    (one of the longest terms).
    """
    return tuple(sorted(vocabulary(name), key=lambda r: -len(r.get("term", ""))))


@cache
def words(list_name: str) -> tuple[str, ...]:
    """The words of one list of ``vocab/data/cue_words.csv``, in the file's order (what each list
    is for: ``cue_lists.csv``): ``words("page_stamp_after")`` → ``("来源", "浏览", "阅读", "点击", "作者", "编辑")``."""
    found = tuple(r["term"] for r in vocabulary("cue_words") if r["list"] == list_name)
    if not found:
        raise KeyError(f"no word list {list_name!r} in vocab/data/cue_words.csv")
    return found


@cache
def alternation(list_name: str) -> str:
    """The words of a list as a regular-expression alternation, in the file's order (the order is
    the pattern's: where one word begins another, the first listed is tried first).

    ``alternation("schedule_verbs")`` → ``"停机|切换|暂停|停办|结转|关闭|停止"``. A word may carry a
    small variant mark (``截止到?``, ``县\\(市``): the lists are patterns, written as words.
    """
    return "|".join(words(list_name))


@cache
def load_terms(name: str) -> tuple[tuple[str, str], ...]:
    """``load_terms("services")`` → ``(("网上服务大厅", "线上业务"), …)``: each term with its canonical
    name (the file's second column), longest term first."""
    out = []
    for r in load_rows(name):
        canon_key = next(k for k in r if k != "term")
        out.append((r["term"], r[canon_key]))
    return tuple(out)


def find_rows(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """Every vocabulary row whose term occurs in ``text``, as ``(position, row)`` in text order.

    Longer terms win where two overlap: ``刷卡结算``, not ``刷卡``.

    >>> [(i, row["term"]) for i, row in find_rows("暂停柜面业务和医保刷卡结算", "services")]
    [(2, '柜面'), (9, '刷卡结算')]
    """
    return list(_find_rows(text, name))


# Cached: the extractors look up the same clause in the same vocabulary several times (subject,
# situation, context), about 35 look-ups per notice; a pure function of its arguments.
@lru_cache(maxsize=32768)
def _find_rows(text: str, name: str) -> tuple[tuple[int, dict[str, str]], ...]:
    """Longer terms first (the file's order among equals), each occurrence taken where it overlaps
    nothing taken before; the occurrences come from one automaton pass over the text instead of a
    ``str.find`` loop per row of the vocabulary (same choices: only the search changed)."""
    rows = load_rows(name)
    first_row = _first_row_of_term(name)
    found = sorted((first_row[term], start) for start, term in _term_matcher(name).occurrences(text))
    hits: list[tuple[int, dict[str, str]]] = []
    taken: list[tuple[int, int]] = []
    for index, i in found:
        row = rows[index]
        end = i + len(row["term"])
        if not any(a < end and i < b for a, b in taken):
            taken.append((i, end))
            hits.append((i, row))
    return tuple(sorted(hits, key=lambda h: h[0]))


@cache
def _first_row_of_term(name: str) -> dict[str, int]:
    """Term → index of its first row in :func:`load_rows` order (a later row with the same term never wins)."""
    out: dict[str, int] = {}
    for index, row in enumerate(load_rows(name)):
        out.setdefault(row["term"], index)
    return out


@cache
def _term_matcher(name: str) -> WordMatcher:
    # imported here: the date-grammar benchmark's own venv reads vocabularies without pyahocorasick
    from pipeline.vocab.matcher import WordMatcher

    return WordMatcher(row["term"] for row in load_rows(name))


def find_terms(text: str, name: str) -> list[str]:
    """Canonical names of every vocabulary term in ``text``, in order, without repeats.

    >>> find_terms("暂停办理医保柜面和线上业务(联网结算除外)", "services")
    ['柜面业务', '线上业务', '联网结算']
    """
    out: list[str] = []
    for _, row in find_rows(text, name):
        canon = row[next(k for k in row if k != "term")]
        if canon not in out:
            out.append(canon)
    return out
