"""Train the guidance classifier and write it as package data (``pipeline/extract/guidance/data/``).

    .venv/bin/pip install -e '.[train]'        # scikit-learn: training only, never at run time
    .venv/bin/python scripts/train_guidance_model.py                       # all labelled real notices → the shipped model
    .venv/bin/python scripts/train_guidance_model.py --part dev --out /tmp/m --test-part new_unread   # a held-out run

The design (docs/extraction.md, "Guidance"): the units extraction reads, each labelled with the
gold pairs whose evidence it overlaps; two one-vs-rest logistic regressions (actions with
"none", categories) over character 1–3-gram TF-IDF of the unit and of its question/heading plus
the cue vocabularies. C and the probability threshold are chosen by 5-fold cross-validation over
the training notices (pair F1 as ``pipeline eval`` counts it, through the rows extraction would
publish); so are the confidence cut-offs (``high`` where the out-of-fold rows at or above it were
right at least 90 % of the time, ``low`` below which at most half were). The model is then fitted
on every training notice.

It prints the cross-validated figures (the estimate for notices the model has not seen), the
in-sample figures (the model scoring its own training notices: no measure of generalisation),
and with ``--test-part``/``--test-gold`` the score of notices left out of training, read through
``extract_guidance`` with the fitted model exactly as extraction runs it.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.extract.guidance import extract_guidance  # noqa: E402
from pipeline.extract.guidance.classifier import GuidanceModel, model_folder  # noqa: E402
from pipeline.extract.guidance.training import (  # noqa: E402
    FOLDS,
    HIGH_PRECISION,
    LOW_PRECISION,
    confidence_cutoffs,
    cross_validate,
    fit_on,
    library_versions,
    load_notices,
    notice_rows,
    score,
    score_line,
    training_set_sha256,
    units_sha256,
    write_model,
)
from pipeline.repair.confidence import guidance_confidence  # noqa: E402

SPLIT = ROOT / "tests" / "real" / "split.csv"


def part_files(part: str) -> set[str]:
    """Notice files of one part of ``tests/real/split.csv`` (``dev`` = every part but ``new_unread``)."""
    with SPLIT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["file"] for r in rows if r["part"] == part or (part == "dev" and r["part"] != "new_unread")}


def labels_in(gold: Path, part: str | None) -> list[Path]:
    stems = {f.rsplit(".", 1)[0] for f in part_files(part)} if part else None
    return sorted(p for p in gold.glob("*.json") if stems is None or p.stem in stems)


def levels(rows: dict[str, list[dict]], gold: dict[str, set], cutoffs: dict[str, float]) -> dict[str, list[int]]:
    """Rows and rows right per confidence level."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for n, rs in rows.items():
        for r in rs:
            level, _ = guidance_confidence(**r["_how"], cutoffs=cutoffs)
            out[level][0] += 1
            out[level][1] += (r["category"], r["action"]) in gold[n]
    return out


def level_line(name: str, counts: dict[str, list[int]]) -> str:
    parts = [f"{lv} {counts[lv][1]}/{counts[lv][0]} right ({counts[lv][1] / counts[lv][0]:.0%})"
             for lv in ("high", "medium", "low") if counts.get(lv, [0])[0]]
    return f"{name}: " + ", ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", type=Path, default=ROOT / "raw", help="the notices (and their manifest.csv)")
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "real" / "shared_gold", help="their labels")
    ap.add_argument("--part", help="train only on this part of tests/real/split.csv (dev = all but new_unread)")
    ap.add_argument("--out", type=Path, default=Path(str(model_folder())), help="where to write the model")
    ap.add_argument("--test-part", help="score this part of tests/real/split.csv through extract_guidance")
    ap.add_argument("--test-gold", type=Path, help="score these labels (notices in --raw) through extract_guidance")
    ap.add_argument("--folds", type=int, default=FOLDS)
    args = ap.parse_args()
    # a fold whose training notices lack an action gets scikit-learn's constant predictor for it (as intended)
    warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")

    t0 = time.time()
    train_labels = labels_in(args.gold, args.part)
    train = load_notices(args.raw, train_labels)
    names = sorted(train)
    gold = {n: train[n].gold for n in names}
    n_units = sum(len(n.units) for n in train.values())
    labelled = sum(bool(lab) for n in train.values() for lab in n.labels)
    print(f"training: {len(train)} notices, {n_units} units, {labelled} labelled with a pair "
          f"({time.time() - t0:.0f} s to read)")

    cv = cross_validate(train, args.folds, log=print)
    print(f"chosen by {args.folds}-fold cross-validation over notices: C={cv.c}, threshold={cv.threshold}")
    for (c, t), f in sorted(cv.grid.items()):
        print(f"  C={c:<5} threshold={t}: cross-validated F1 {f:.3f}")
    cv_result = score(cv.pairs(), gold)
    print(score_line("cross-validated (the estimate for unseen notices)", cv_result))
    cutoffs = confidence_cutoffs(cv.rows, gold)
    print(f"confidence cut-offs from the out-of-fold rows: high ≥ {cutoffs['high']:.3f} "
          f"(rows right ≥ {HIGH_PRECISION:.0%}), low < {cutoffs['low']:.3f} (rows right ≤ {LOW_PRECISION:.0%})")
    cv_levels = levels(cv.rows, gold, cutoffs)
    print(level_line("cross-validated rows per level", cv_levels))

    model = fit_on(train.values(), cv.c, cv.threshold)
    meta = {
        "design": "char 1-3-gram TF-IDF (unit, question+heading) + cue features; OneVsRest LogisticRegression "
                  "(class_weight=balanced) for actions (with none) and categories",
        "C": cv.c, "folds": args.folds,
        "cross_validation": {
            "f1": round(cv_result[2], 4), "precision": round(cv_result[0], 4), "recall": round(cv_result[1], 4),
            "per_category": {c: {"f1": round(v[0], 4), "right": v[1], "predicted": v[2], "gold": v[3]}
                             for c, v in cv_result[3].items()},
            "grid": {f"C={c} threshold={t}": round(f, 4) for (c, t), f in sorted(cv.grid.items())},
            "levels": {lv: {"rows": v[0], "right": v[1]} for lv, v in sorted(cv_levels.items())},
        },
        "confidence_cutoffs": cutoffs,
        "training": {"notices": len(train), "units": n_units, "labelled_units": labelled, "part": args.part or "all",
                     "set_sha256": training_set_sha256(args.raw, train_labels), "units_sha256": units_sha256(
                         train[n] for n in names)},
        "libraries": library_versions(),
    }
    written = write_model(model.to_model(meta), args.out)
    shipped = GuidanceModel.load(args.out)
    worst = 0.0
    for n in names:
        pa, pc = model.probabilities(train[n].units)
        qa, qc = shipped.probabilities(train[n].units)
        worst = max(worst, float(abs(pa - qa).max(initial=0)), float(abs(pc - qc).max(initial=0)))
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {', '.join(str(p) for p in written)} ({size / 1024:.0f} KiB; {shipped.weights.shape[0]} features); "
          f"numpy against scikit-learn on the training units: largest difference {worst:.1e}")

    insample = {n: notice_rows(train[n], shipped.pairs(train[n].units)) for n in names}
    print(score_line("in sample (the model on its own training notices: no measure of generalisation)",
                     score({n: {(r["category"], r["action"]) for r in rs} for n, rs in insample.items()}, gold)))
    print(level_line("in-sample rows per level", levels(insample, gold, cutoffs)))

    if args.test_part or args.test_gold:
        test_labels = labels_in(args.gold, args.test_part) if args.test_part else sorted(args.test_gold.glob("*.json"))
        test = load_notices(args.raw, test_labels)
        pred, rows = {}, {}
        for n, notice in test.items():
            got = extract_guidance(notice.lines, notice.clues, notice.stop_sentences, model=shipped)
            pred[n] = {(r["category"], r["action"]) for r in got}
            rows[n] = got
        tgold = {n: test[n].gold for n in test}
        print(score_line(f"held out ({len(test)} notices, through extract_guidance)", score(pred, tgold)))
        per_level: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for n, rs in rows.items():
            for r in rs:
                per_level[r["confidence"]][0] += 1
                per_level[r["confidence"]][1] += (r["category"], r["action"]) in tgold[n]
        print(level_line("held-out rows per level", per_level))
    print(f"done in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
