"""The labelled corpora's scores must not fall: a floor, not a copy of today's figures.

The real notices come first, scored from one run of the shipped ``raw/`` (``shipped_frames``) against
their labels in ``tests/real/shared_gold`` (kept equal to ``../shared`` by
``tests/test_shared_copies.py``), part by part of the development split (``tests/real/split.csv``):

- the two seeds stay perfect;
- the 42 older reposted notices, on which the window rules were written, keep the targets of
  issues 13 and 16 (windows F1 ≥ 0.95, starts ≥ 0.97, city ≥ 95 %, publication ≥ 90 % since
  invented values count as wrong); their first honest run was windows 0.77, starts 0.85;
- the 21 notices added in issue 20 keep a floor above their first run before any change
  (windows 0.72, starts 0.82, city 15/17, published 11/13): windows ≥ 0.80, starts ≥ 0.90, city
  and publication ≥ 85 %; ten of them were held out unread until a final measurement (README);
- across all 65, at most two invented cities and two invented publication dates, and the
  guidance pairs' floor (in sample: the classifier is fitted on these labels; README).

The self-written corpora (``tests/corpus``, ``tests/heldout``) test single behaviours; they keep a
floor too.
"""

import csv
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


def _part(*parts: str) -> list[Path]:
    """The labels of some parts of the development split (``tests/real/split.csv``)."""
    with (ROOT / "tests" / "real" / "split.csv").open(encoding="utf-8", newline="") as f:
        return [REAL_GOLD / (Path(r["file"]).stem + ".json") for r in csv.DictReader(f) if r["part"] in parts]


def test_the_split_covers_every_real_label_once() -> None:
    labels = _part("older", "seed", "new_dev", "new_unread")
    assert sorted(labels) == sorted(REAL_GOLD.glob("*.json")) and len(set(labels)) == len(labels) == 65
    assert len(_part("older")) == 42 and len(_part("new_dev")) == 11 and len(_part("new_unread")) == 10
    # the corpus labels are the shared corpus's notices, the seeds the shared seeds
    assert sorted(_part("older", "new_dev", "new_unread")) == sorted(real_labels("corpus/gold"))


def test_real_corpus_scores_meet_the_targets(tmp_path: Path, shipped_frames: dict) -> None:
    _check(shipped_frames, gold_folder(_part("older"), tmp_path / "gold"), 0.95, 0.95, 0.95,
           starts_f1=0.97, published_share=0.90)


def test_new_real_notices_stay_above_their_first_run(tmp_path: Path, shipped_frames: dict) -> None:
    _check(shipped_frames, gold_folder(_part("new_dev", "new_unread"), tmp_path / "gold"), 0.80, 0.95, 0.85,
           starts_f1=0.90, published_share=0.85)


def test_real_guidance_scores_do_not_fall(shipped_frames: dict) -> None:
    s = _check(shipped_frames, REAL_GOLD, 0.88, 0.95, 0.95)
    assert s["guidance_files"] == len(list(REAL_GOLD.glob("*.json")))
    # In sample: the shipped classifier is fitted on these 65 (0.84 when it was adopted; 0.71
    # cross-validated, 0.66 on the ten unread notices fitted without them). The floor guards against a
    # broken model or units step, not a claim about unseen notices.
    assert s["guidance_f1"] >= 0.82, s
    assert s["city_invented"] <= 2 and s["published_invented"] <= 2, s


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
