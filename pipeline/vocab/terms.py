"""Vocabularies kept as data (``vocab/data/*.csv``): printed term → canonical name and attributes."""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from importlib import resources


@cache
def load_rows(name: str) -> tuple[dict[str, str], ...]:
    """Every row of ``vocab/data/NAME.csv`` as a dict, longest ``term`` first.

    ``load_rows("services")[0]`` → ``{"term": "网上服务大厅", "service": "线上业务", "family": "online"}``
    (one of the longest terms).
    """
    text = resources.files("pipeline.vocab").joinpath(f"data/{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return tuple(sorted(rows, key=lambda r: -len(r.get("term", ""))))


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
    hits: list[tuple[int, dict[str, str]]] = []
    taken: list[tuple[int, int]] = []
    for row in load_rows(name):
        term = row["term"]
        start = 0
        while (i := text.find(term, start)) >= 0:
            if not any(a < i + len(term) and i < b for a, b in taken):
                taken.append((i, i + len(term)))
                hits.append((i, row))
            start = i + 1
    return tuple(sorted(hits, key=lambda h: h[0]))


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
