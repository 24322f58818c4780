"""The vocabulary files (``pipeline/vocab/data/*.csv``): one loader, and the word lists the patterns are built from."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.vocab.matcher import WordMatcher
from pipeline.vocab.terms import alternation, load_rows, vocabulary, words

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
DATA = resources.files("pipeline.vocab").joinpath("data")
NAMES = sorted(p.name.removesuffix(".csv") for p in DATA.iterdir() if p.name.endswith(".csv"))


@pytest.mark.parametrize("name", NAMES)
def test_every_vocabulary_file_loads_once_with_its_header(name: str) -> None:
    rows = vocabulary(name)
    assert rows, f"{name}.csv has no rows"
    header = DATA.joinpath(f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert all(list(r) == header for r in rows)
    assert vocabulary(name) is rows  # cached: read once per process


def test_only_the_loader_reads_the_vocabulary_files() -> None:
    """No module opens ``vocab/data`` itself (issue 22: vocabularies were read three different ways)."""
    readers = [p.relative_to(PIPELINE).as_posix() for p in PIPELINE.rglob("*.py")
               if re.search(r"""joinpath\(\s*f?["']data/""", p.read_text(encoding="utf-8"))]
    assert readers == ["vocab/terms.py"]


def test_load_rows_puts_longer_terms_first_and_keeps_file_order_among_equals() -> None:
    rows = load_rows("services")
    assert [len(r["term"]) for r in rows] == sorted((len(r["term"]) for r in rows), reverse=True)
    same_length = [r["term"] for r in vocabulary("services") if len(r["term"]) == len(rows[-1]["term"])]
    assert [r["term"] for r in rows if len(r["term"]) == len(rows[-1]["term"])] == same_length


def test_every_word_list_is_described_and_every_description_has_words() -> None:
    listed = {r["list"] for r in vocabulary("cue_words")}
    described = [r["list"] for r in vocabulary("cue_lists")]
    assert sorted(described) == sorted(listed)
    assert len(described) == len(set(described))


def test_every_word_list_the_code_names_exists_and_compiles() -> None:
    used = set()
    for path in PIPELINE.rglob("*.py"):
        used |= set(re.findall(r"""(?:alternation|words)\(["']([a-z_]+)["']\)""", path.read_text(encoding="utf-8")))
    assert used, "no module builds a pattern from a word list"
    for name in sorted(used):
        assert words(name), name
        re.compile(alternation(name))


def test_an_alternation_keeps_the_file_order() -> None:
    """The order is the pattern's: ``联系人`` before ``联系`` (``_OFFER``: "请联系人：…" must take the longer word)."""
    offer = words("offer_verbs")
    assert offer.index("联系人") < offer.index("联系")
    assert alternation("offer_verbs") == "|".join(offer)
    with pytest.raises(KeyError):
        words("no_such_list")


def test_word_matcher_finds_what_the_alternation_found() -> None:
    """Leftmost, then longest: ``re.findall("ABC|AB|BCD")`` on "ABCD" gives ["ABC"], never "BCD"."""
    names = ["AB", "BCD", "ABC", "西安市", "西安", "雁塔区"]
    matcher = WordMatcher(names)
    pattern = re.compile("|".join(sorted(names, key=len, reverse=True)))
    for text in ("ABCD", "西安市雁塔区", "陕西省西安市、西安", "", "ABABCDBCD"):
        assert [w for _, w in matcher.leftmost_longest(text)] == pattern.findall(text)
    assert matcher.leftmost_longest("西安市雁塔区医保") == [(0, "西安市"), (3, "雁塔区")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="西安市区A😀B", min_size=1, max_size=4), max_size=8),
       st.text(alphabet="西安市区A😀B,", max_size=40))
def test_word_matcher_against_a_brute_force_search(words_: list[str], text: str) -> None:
    """Every occurrence is every place a word starts (positions in characters, an emoji one of them);
    the leftmost-longest choice is what the longest-first alternation finds."""
    matcher = WordMatcher(words_)
    every = sorted({(i, w) for w in set(words_) for i in range(len(text)) if text.startswith(w, i)},
                   key=lambda o: (o[0], -len(o[1])))
    assert matcher.occurrences(text) == every
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words_), key=len, reverse=True)))
    expected = [(m.start(), m.group(0)) for m in pattern.finditer(text)] if words_ else []
    assert matcher.leftmost_longest(text) == expected


def test_place_names_by_automaton_as_by_alternation() -> None:
    """The gazetteer's 3,181 names over every line of the test corpus: the automaton's leftmost-longest
    choice is the alternation's (what ``metadata._places_in`` ran before the automaton)."""
    from pipeline.extract.metadata import _place_names

    matcher = _place_names()
    pattern = re.compile("|".join(map(re.escape, sorted(matcher.words, key=len, reverse=True))))
    corpus = Path(__file__).resolve().parent / "corpus" / "raw"
    lines = [line for p in sorted(corpus.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    found = 0
    for line in lines:
        got = matcher.leftmost_longest(line)
        assert got == [(m.start(), m.group(0)) for m in pattern.finditer(line)], line
        found += len(got)
    assert found > 100
