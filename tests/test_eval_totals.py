"""The labelled corpora's scores must not fall: a floor, not a copy of today's figures.

The real notices come first: ``../shared/corpus`` (42 reposted notices) with the two seeds, and
the same 44 with guidance labels (``tests/real/shared_gold``). Their floors are the issue's
targets (windows F1 ≥ 0.95, starts ≥ 0.97, city ≥ 95 %, publication ≥ 90 % since invented values
count as wrong), set after the first honest run (windows 0.77, starts 0.85, publication 19/22,
city 32/34) and raised as the work landed. The self-written corpora (``tests/corpus``, ``tests/heldout``) test single behaviours;
they keep a floor too.
"""

import json
from pathlib import Path

import pytest

from pipeline.commands.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL_GOLD = ROOT / "tests" / "real" / "shared_gold"


def _check(raw: Path, gold: Path, windows_f1: float, phones_f1: float, city_share: float,
           starts_f1: float = 0.0, published_share: float = 0.0) -> dict:
    s = evaluate(raw, gold).summary()
    assert s["missing"] == 0
    assert s["windows_f1"] >= windows_f1, s
    assert s["starts_f1"] >= starts_f1, s
    assert s["phones_f1"] >= phones_f1, s
    assert s["city_ok"] >= city_share * s["city_n"], s
    assert s["published_ok"] >= published_share * s["published_n"], s
    return s


@pytest.mark.skipif(not (SHARED / "gold").is_dir(), reason="../shared/gold not beside the repo")
def test_seed_scores_stay_perfect() -> None:
    _check(ROOT / "raw", SHARED / "gold", 1.0, 1.0, 1.0, 1.0, 1.0)


@pytest.mark.skipif(not (SHARED / "corpus" / "gold").is_dir(), reason="../shared/corpus/gold not beside the repo")
def test_real_corpus_scores_meet_the_targets() -> None:
    # Since issue 16 a date or city where the label has none counts as wrong (as the scorer counts
    # it), and a page stamp after the first stop is never the date: on the 53 readable notices of
    # the corpus publication is 28/30 (a repost's URL date taken, a local site's stamp set aside),
    # so its floor is 0.90, still above the 0.80 for unseen notices.
    _check(ROOT / "raw", SHARED / "corpus" / "gold", 0.95, 0.95, 0.95, starts_f1=0.97, published_share=0.90)


def test_real_guidance_scores_do_not_fall() -> None:
    s = _check(ROOT / "raw", REAL_GOLD, 0.95, 0.95, 0.95)
    assert s["guidance_files"] == len(list(REAL_GOLD.glob("*.json")))
    assert s["guidance_f1"] >= 0.78, s  # first honest run 0.31 (keyword rules); 0.83 after the rewrite


@pytest.mark.skipif(not (SHARED / "corpus" / "gold").is_dir(), reason="../shared/corpus/gold not beside the repo")
def test_guidance_labels_are_copies_of_the_shared_labels() -> None:
    """tests/real/shared_gold adds guidance to copies of the shared labels: every other key must
    still be what ../shared says (a relabelled shared file must be copied again)."""
    for copy in REAL_GOLD.glob("*.json"):
        mine = json.loads(copy.read_text(encoding="utf-8"))
        src = SHARED / "corpus" / "gold" / copy.name
        if not src.exists():
            src = SHARED / "gold" / copy.name
        theirs = json.loads(src.read_text(encoding="utf-8"))
        mine = {k: v for k, v in mine.items() if k not in ("guidance", "guidance_notes")}
        theirs = {k: v for k, v in theirs.items() if k not in ("guidance", "guidance_notes")}
        assert mine == theirs, copy.name


def test_written_corpus_scores_do_not_fall() -> None:
    _check(ROOT / "tests" / "corpus" / "raw", ROOT / "tests" / "corpus" / "gold", 0.95, 0.95, 0.95)


def test_heldout_corpus_scores_do_not_fall() -> None:
    _check(ROOT / "tests" / "heldout" / "raw", ROOT / "tests" / "heldout" / "gold", 0.95, 0.95, 0.90)


def test_default_raw_is_the_folder_beside_the_labels_only_when_it_holds_notices() -> None:
    from pipeline.commands.evaluate import default_raw

    repo = Path(__file__).resolve().parent.parent
    assert default_raw(repo / "tests" / "heldout" / "gold") == repo / "tests" / "heldout" / "raw"
    # tests/real/raw holds only a manifest: the shared corpus labels score the shipped raw/.
    assert default_raw(repo / "tests" / "real" / "shared_gold").resolve() == (repo / "raw").resolve()
