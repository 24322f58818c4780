"""Service and scheme vocabularies (``vocab/data/*.csv``): printed term → canonical name."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def load_terms(name: str) -> tuple[tuple[str, str], ...]:
    """``load_terms("services")`` → ``(("业务经办", "业务经办"), ("柜面", "柜面和线上业务"), …)``, longest term first."""
    text = resources.files("pipeline.vocab").joinpath(f"data/{name}.csv").read_text(encoding="utf-8")
    rows = [(r["term"], r[next(k for k in r if k != "term")]) for r in csv.DictReader(text.splitlines())]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def find_terms(text: str, name: str) -> list[str]:
    """Canonical names of every vocabulary term in ``text``, in order, without repeats.

    ``find_terms("暂停办理医保柜面和线上业务(联网结算除外)", "services")`` →
    ``["柜面和线上业务", "联网结算"]``.
    """
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for term, canon in load_terms(name):
        start = 0
        while (i := text.find(term, start)) >= 0:
            if not any(a < i + len(term) and i < b for a, b in taken):
                taken.append((i, i + len(term)))
                hits.append((i, canon))
            start = i + 1
    out: list[str] = []
    for _, canon in sorted(hits):
        if canon not in out:
            out.append(canon)
    return out
