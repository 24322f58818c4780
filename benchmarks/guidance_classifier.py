"""Guidance on notices the fit never saw: the classifier trained on one set of labels, scored on
another, beside another version's output for the same notices (the hand-written rules it replaced).

    .venv/bin/pip install -e '.[train]'     # scikit-learn: training only
    .venv/bin/python scripts/split_corpus.py /tmp/split
    # the rules' output on the test notices, from the last commit that had them (57c8bd4):
    mkdir /tmp/rules && git archive 57c8bd4 pipeline schemas | tar -x -C /tmp/rules
    (cd /tmp/rules && python -m pipeline run --raw /tmp/split/new_unread/raw --out /tmp/rules-out --quiet)
    .venv/bin/python benchmarks/guidance_classifier.py --raw raw --train-gold /tmp/split/dev/gold \\
        --test-gold /tmp/split/new_unread/gold --baseline-out /tmp/rules-out

The classifier is the shipped design, fitted by the same code as the shipped model
(``pipeline.extract.guidance.training``: the units extraction reads, labelled with the gold pairs
whose evidence they overlap; C and the threshold chosen by 5-fold cross-validation over the
training notices; fitted on all of them) and scored through ``extract_guidance`` on the test
notices (pair P/R/F1 as ``pipeline eval`` counts it). With ``--baseline-out`` the pairs another
version published for the test notices (its ``guidance.csv`` and ``notices.csv``) are scored the
same way, and a paired bootstrap over the test notices says how sure the difference is.

The comparison means something only when neither side was tuned on the test notices: see
docs/extraction.md, "What was measured", for the two splits where it was run that way.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.commands.evaluate import read_output  # noqa: E402
from pipeline.extract.guidance import extract_guidance  # noqa: E402
from pipeline.extract.guidance.training import (  # noqa: E402
    FOLDS,
    cross_validate,
    fit_on,
    load_notices,
    paired_bootstrap,
    score,
    score_line,
)


def published_pairs(out: Path) -> dict[str, set[tuple[str, str]]]:
    """The (category, action) pairs an output folder holds, by notice file name."""
    frames = read_output(out)
    files = {r["notice_id"]: Path(str(r["source_file"])).name for r in frames["notices"].to_dict("records")}
    got: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in frames["guidance"].to_dict("records"):
        got[files[r["notice_id"]]].add((r["category"], r["action"]))
    return got


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", type=Path, required=True, help="folder holding every notice of both label folders")
    ap.add_argument("--train-gold", type=Path, required=True, help="labels to fit on")
    ap.add_argument("--test-gold", type=Path, required=True, help="labels of notices neither side was tuned on")
    ap.add_argument("--baseline-out", type=Path, help="another version's output folder for the test notices")
    ap.add_argument("--folds", type=int, default=FOLDS)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
    train = load_notices(args.raw, sorted(args.train_gold.glob("*.json")))
    test = load_notices(args.raw, sorted(args.test_gold.glob("*.json")))
    labelled = sum(bool(lab) for n in train.values() for lab in n.labels)
    print(f"training: {len(train)} notices, {sum(len(n.units) for n in train.values())} units, {labelled} labelled; "
          f"test: {len(test)} notices")
    cv = cross_validate(train, args.folds)
    print(f"chosen by {args.folds}-fold cross-validation on the training notices: C={cv.c}, threshold={cv.threshold} "
          f"(cross-validated F1 {cv.f1:.2f})")
    model = fit_on(train.values(), cv.c, cv.threshold).to_model()
    gold = {n: test[n].gold for n in test}
    fitted = {n: {(r["category"], r["action"]) for r in extract_guidance(t.lines, t.clues, t.stop_sentences, model=model)}
              for n, t in test.items()}
    print(score_line("classifier on the test notices", score(fitted, gold)))
    if args.baseline_out:
        published = published_pairs(args.baseline_out)
        baseline = {n: published.get(n, set()) for n in test}
        print(score_line(f"{args.baseline_out} on the test notices", score(baseline, gold)))
        low, high, share = paired_bootstrap(baseline, fitted, gold)
        print(f"classifier minus baseline, resampling the test notices (2,000 draws): 90% interval [{low:+.2f}, {high:+.2f}]; "
              f"classifier ahead in {share:.0%} of draws")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
