"""The labelled corpora's scores must not fall: a floor, not a copy of today's figures.

The real notices come first: the reposted notices of ``../shared/corpus`` with the two seeds of
``../shared``, whose labels the repository carries with guidance added (``tests/real/shared_gold``,
kept equal to ``../shared`` by ``tests/test_shared_copies.py``). Their floors are the issue's
targets (windows F1 ≥ 0.95, starts ≥ 0.97, city ≥ 95 %, publication ≥ 90 % since invented values
count as wrong), set after the first
honest run (windows 0.77, starts 0.85, publication 19/22, city 32/34) and raised as the work
landed. The self-written corpora (``tests/corpus``, ``tests/heldout``) test single behaviours;
they keep a floor too.
"""

from pathlib import Path

from helpers import REAL_GOLD, ROOT, gold_folder, real_labels

from pipeline.commands.evaluate import evaluate, score


def _check(raw: Path | dict, gold: Path, windows_f1: float, phones_f1: float, city_share: float,
           starts_f1: float = 0.0, published_share: float = 0.0) -> dict:
    """Score a raw folder, or the validated frames of one (``shipped_frames``), against ``gold``."""
    s = (score(raw, gold) if isinstance(raw, dict) else evaluate(raw, gold)).summary()
    assert s["missing"] == 0
    assert s["windows_f1"] >= windows_f1, s
    assert s["starts_f1"] >= starts_f1, s
    assert s["phones_f1"] >= phones_f1, s
    assert s["city_ok"] >= city_share * s["city_n"], s
    assert s["published_ok"] >= published_share * s["published_n"], s
    return s


def test_seed_scores_stay_perfect(tmp_path: Path, shipped_frames: dict) -> None:
    seeds = real_labels("gold")
    assert len(seeds) == 2
    _check(shipped_frames, gold_folder(seeds, tmp_path / "gold"), 1.0, 1.0, 1.0, 1.0, 1.0)


def test_real_corpus_scores_meet_the_targets(tmp_path: Path, shipped_frames: dict) -> None:
    labels = real_labels("corpus/gold")
    assert len(labels) >= 42
    _check(shipped_frames, gold_folder(labels, tmp_path / "gold"), 0.95, 0.95, 0.95, starts_f1=0.97, published_share=0.90)


def test_real_guidance_scores_do_not_fall(shipped_frames: dict) -> None:
    s = _check(shipped_frames, REAL_GOLD, 0.95, 0.95, 0.95)
    assert s["guidance_files"] == len(list(REAL_GOLD.glob("*.json")))
    assert s["guidance_f1"] >= 0.78, s  # first honest run 0.31 (keyword rules); 0.83 after the rewrite


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
