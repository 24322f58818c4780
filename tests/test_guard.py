"""The first-character guard (``pipeline/vocab/guard.py``): a speed change that must find what the bare pattern finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.vocab.guard import GUARDED, first_characters, guarded
from pipeline.vocab.terms import load_rows

CORPUS = Path(__file__).resolve().parent / "corpus" / "raw"


def _cue_sources() -> dict[str, str]:
    """Each guidance cue kind's alternation as ``action._cues`` builds it, without the guard."""
    out: dict[str, list[str]] = {}
    for row in load_rows("guidance_cues"):
        out.setdefault(row["kind"], []).append(row["pattern"])
    return {k: "|".join(f"(?:{p})" for p in v) for k, v in out.items()}


def _guarded_in_the_pipeline() -> dict[str, tuple[str, int]]:
    """Every pattern the pipeline guards (guarded form → as written, flags), once its modules are imported."""
    import pipeline.extract.notice  # noqa: F401 - imports every extractor
    import pipeline.read.normalize  # noqa: F401
    from pipeline.extract.guidance.action import _cues

    _cues()
    return dict(GUARDED)


GUARDED_PATTERNS = _guarded_in_the_pipeline()
# every pattern the pipeline guards, as written (the guarded forms are compared with these)
GUARDED_SOURCES = sorted({source for source, _flags in GUARDED_PATTERNS.values()})


def test_first_characters_of_a_cue_pattern() -> None:
    """The later-provider cue (``vocab/data/guidance_cues.csv``): a match begins with 补, 重, 再 or 退."""
    assert first_characters(r"(补办|补录|重新|再)[^，,。；;]{0,12}(结算|刷卡)|退费") == "[再补退重]"
    # a lookbehind is zero-width; an optional item lets the next one begin the match; \d stays a category
    assert first_characters(r"(?<!无法)提前开药|备?足|\d+\s*[日时]前") == r"[\d备提足]"


@pytest.mark.parametrize("pattern", [
    ".*垫付",            # any character may begin it
    "[^，,。]{0,8}结算",   # a negated class
    "(?:补办)?",         # matches the empty string
    "(?i)phone|电话",     # case-blind: a class of these characters would not be
    r"(结算)?\1办理",     # a back-reference may begin it
])
def test_no_guard_where_the_first_characters_cannot_be_named(pattern: str) -> None:
    assert first_characters(pattern) is None
    assert guarded(pattern) == pattern


def test_no_guard_where_re_already_skips_ahead() -> None:
    """A pattern beginning with a literal, a class or an alternation of literals is scanned by ``re`` in
    C already; a lookahead in front would only slow it (measured: ``pay`` 1.1 → 1.4 µs a sentence)."""
    for pattern in ("垫付|自付|挂账", "[垫自]付", "(?:(垫付|自付))", "取消[^，,。]{0,6}登记"):
        assert guarded(pattern) == pattern
    assert guarded("(?:(补办|重新)结算)|退费").startswith("(?=[")
    assert guarded("(补办|重新)结算", re.I) == "(补办|重新)结算"  # flags given: no guard


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


_ALPHABET = sorted({ch for src in GUARDED_SOURCES for ch in src if not ch.isascii()} | set("0123456789 ,;。，；:：()（）abnz-/.\t\u3000"))


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(GUARDED_SOURCES), st.text(alphabet=_ALPHABET, max_size=60))
@example("(?:(补办|重新)结算)|退费", "请补办结算或退费")
def test_guarded_patterns_find_what_the_bare_patterns_find(source: str, text: str) -> None:
    """Same matches, same spans, same groups, on texts made of the patterns' own characters."""
    assert _spans(re.compile(guarded(source)), text) == _spans(re.compile(source), text)


def test_the_pipeline_guards_its_hot_patterns() -> None:
    """The cue kinds and the unanchored patterns searched over every line (contacts, metadata, windows,
    guidance, normalisation) are guarded, each compiled without flags."""
    assert len(GUARDED_PATTERNS) >= 20
    assert all(flags == 0 for _source, flags in GUARDED_PATTERNS.values())
    from pipeline.extract.contacts import CONTACT_HEADING
    from pipeline.extract.windows.mentions import _TRAILING

    assert CONTACT_HEADING.pattern in GUARDED_PATTERNS and _TRAILING.pattern in GUARDED_PATTERNS


def test_guarded_patterns_on_every_sentence_of_the_test_corpus() -> None:
    sentences = [s for p in sorted(CORPUS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
                 for s in re.split(r"(?<=[。；;])", line) if s.strip()]
    assert len(sentences) > 500
    for source in GUARDED_SOURCES:
        bare, fast = re.compile(source), re.compile(guarded(source))
        assert [_spans(fast, s) for s in sentences] == [_spans(bare, s) for s in sentences], source


def test_guidance_cues_are_compiled_guarded() -> None:
    from pipeline.extract.guidance.action import _cues

    cues = _cues()
    assert {k: p.pattern for k, p in cues.items()} == {k: guarded(v) for k, v in _cue_sources().items()}
    assert cues["later_provider"].pattern.startswith("(?=[")  # alternatives beginning with groups: guarded
    assert cues["pay"].pattern == _cue_sources()["pay"]  # literals: re's own skip
