"""Guidance: the hand-set rules against a fitted classifier, on real notices the fit never saw.

    .venv/bin/pip install -e '.[bench]'     # scikit-learn is a benchmark-only dependency
    .venv/bin/python benchmarks/guidance_classifier.py --train-gold OLD_GOLD --test-gold NEW_GOLD --raw RAW

Both sides read the same units (``pipeline.extract.guidance.units.units_of``: Q&A answers, list
items, sentences with their heading) and are scored the same way (``pipeline eval``: the set of
(category, action) pairs per notice, P/R/F1 over all notices). The classifier replaces the rules'
situation and action steps: two one-vs-rest logistic regressions (scikit-learn) over character
1–3-grams of the unit and of its question/heading, plus the cue vocabularies as features (which
``vocab/data/guidance_cues.csv`` kinds fire, which ``situations.csv`` categories are named in the
unit and in its heading). A unit is labelled for training with the pairs whose gold evidence it
overlaps (gold evidence is verbatim, possibly several segments joined by " … "). Its probability
threshold and regularisation are chosen by leave-one-notice-out-group cross-validation on the
training notices alone; it is then fitted on all of them and scored on the test notices. Like the
rules, a notice with no pair but a stop gets (other, suspended).

The comparison means something only when neither side was tuned on the test notices' errors: it was
run before the rules were (figures in docs/extraction.md, "What was measured"), and can be run again
with notices nobody has read as the test set.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.commands.evaluate import prf  # noqa: E402
from pipeline.extract import SourceHints  # noqa: E402
from pipeline.extract.guidance import extract_guidance  # noqa: E402
from pipeline.extract.guidance.action import _cues  # noqa: E402
from pipeline.extract.guidance.situation import categories_in  # noqa: E402
from pipeline.extract.guidance.units import Unit, units_of  # noqa: E402
from pipeline.extract.metadata import extract_metadata  # noqa: E402
from pipeline.extract.windows import extract_windows  # noqa: E402
from pipeline.read import read_document  # noqa: E402
from pipeline.read.normalize import normalize_document  # noqa: E402
from pipeline.vocab.codes import GUIDANCE_ACTIONS, GUIDANCE_CATEGORIES  # noqa: E402

PUNCT = re.compile(r"[\s,，。;；:：!！?？()（）“”\"、*【】\[\]…·]")


def _plain(text: str) -> str:
    return PUNCT.sub("", text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def notice(raw: Path, name: str) -> tuple[list[Unit], list[str], list[tuple[str, str]]]:
    """A notice's units, its stop statements, and the rules' pairs (the same reading both sides use)."""
    path = raw / name
    doc, _ = normalize_document(read_document(path, name, path.read_bytes()))
    md = extract_metadata(doc, SourceHints())
    lines = list(doc.lines)
    windows = extract_windows(lines, md.clues, md.city)
    units, suspensions = units_of(lines, windows.stop_sentences)
    rules = sorted({(r["category"], r["action"]) for r in extract_guidance(lines, md.clues, windows.stop_sentences)})
    return units, suspensions, rules


def unit_labels(units: list[Unit], gold: list[dict]) -> list[set[tuple[str, str]]]:
    """The gold pairs each unit carries: a unit and an evidence segment that share most of their
    character bigrams (the segment inside the unit, or the unit inside a long segment)."""
    from opencc import OpenCC

    t2s = OpenCC("t2s")
    segs = [(_bigrams(_plain(t2s.convert(seg))), (g["category"], g["action"]))
            for g in gold for seg in g["evidence"].split("…") if len(_plain(seg)) >= 4]
    out = []
    for u in units:
        b = _bigrams(_plain(u.text))
        got = set()
        for sb, pair in segs:
            shared = len(b & sb)
            if sb and b and (shared / len(sb) >= 0.7 or shared / len(b) >= 0.8):
                got.add(pair)
        out.append(got)
    return out


def features(units: list[Unit]):
    """Cue-vocabulary features: which cue kinds fire in the unit, which situations it and its heading name."""
    kinds = sorted(_cues())
    rows = []
    for u in units:
        row = [float(bool(_cues()[k].search(u.text))) for k in kinds]
        for text in (u.text, u.context + " " + u.heading):
            named = set(categories_in(text, include_weak=True)) if text.strip() else set()
            row += [float(c in named) for c in GUIDANCE_CATEGORIES]
        rows.append(row)
    return rows


class Classifier:
    """Two one-vs-rest logistic regressions: actions (with "none": not an instruction) and categories."""

    def __init__(self, c: float, threshold: float) -> None:
        self.c, self.threshold = c, threshold

    def _x(self, units: list[Unit], fit: bool):
        from scipy.sparse import csr_matrix, hstack

        text = [u.text for u in units]
        ctx = [(u.context or "") + " " + (u.heading or "") for u in units]
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vt = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
            self.vc = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
            self.vt.fit(text)
            self.vc.fit(ctx)
        return hstack([self.vt.transform(text), self.vc.transform(ctx), csr_matrix(features(units))]).tocsr()

    def fit(self, units: list[Unit], labels: list[set[tuple[str, str]]]) -> Classifier:
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        x = self._x(units, fit=True)
        acts = [{a for _, a in lab} or {"none"} for lab in labels]
        self.ma = MultiLabelBinarizer(classes=[*GUIDANCE_ACTIONS, "none"]).fit(acts)
        lr = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)
        self.act = OneVsRestClassifier(lr).fit(x, self.ma.transform(acts))
        pos = [i for i, lab in enumerate(labels) if lab]
        cats = [{c for c, _ in labels[i]} for i in pos]
        self.mc = MultiLabelBinarizer(classes=list(GUIDANCE_CATEGORIES)).fit(cats)
        y = self.mc.transform(cats)
        keep = y.sum(axis=0) > 0  # a category never seen in training cannot be fitted
        self.cat_classes = [c for c, k in zip(self.mc.classes_, keep) if k]
        self.cat = OneVsRestClassifier(LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)).fit(
            x[pos], y[:, keep])
        return self

    def pairs(self, units: list[Unit]) -> set[tuple[str, str]]:
        if not units:
            return set()
        x = self._x(units, fit=False)
        pa, pc = self.act.predict_proba(x), self.cat.predict_proba(x)
        out = set()
        for i in range(len(units)):
            acts = [a for a, p in zip(self.ma.classes_, pa[i]) if a != "none" and p >= self.threshold]
            if not acts or pa[i][list(self.ma.classes_).index("none")] >= max(pa[i][list(self.ma.classes_).index(a)] for a in acts):
                continue
            cats = [c for c, p in zip(self.cat_classes, pc[i]) if p >= self.threshold] or \
                [self.cat_classes[int(pc[i].argmax())]]
            out |= {(c, a) for c in cats for a in acts}
        return out


def score(pred: dict[str, set], gold: dict[str, set]) -> tuple[float, float, float, dict[str, tuple[float, int, int, int]]]:
    """Pair P/R/F1 over notices as ``pipeline eval`` counts them, and per category (F1, right, predicted, gold)."""
    t: dict[str, int] = defaultdict(int)
    for name, g in gold.items():
        p = pred.get(name, set())
        t["tp"] += len(g & p)
        t["pred"] += len(p)
        t["gold"] += len(g)
        for c in {c for c, _ in g | p}:
            gc, pc = {x for x in g if x[0] == c}, {x for x in p if x[0] == c}
            t[c + "_tp"] += len(gc & pc)
            t[c + "_pred"] += len(pc)
            t[c + "_gold"] += len(gc)
    per = {c: (prf(t[c + "_tp"], t[c + "_pred"], t[c + "_gold"])[2], t[c + "_tp"], t[c + "_pred"], t[c + "_gold"])
           for c in GUIDANCE_CATEGORIES if t[c + "_pred"] or t[c + "_gold"]}
    return (*prf(t["tp"], t["pred"], t["gold"]), per)


def paired_bootstrap(a: dict[str, set], b: dict[str, set], gold: dict[str, set], draws: int = 2000
                     ) -> tuple[float, float, float]:
    """How sure a difference in pair F1 is on so few notices: resample notices with replacement
    (both sides on the same draw); the 5th and 95th percentile of F1(b) - F1(a), and the share of
    draws where b is ahead."""
    import random

    rng = random.Random(20240521)
    names = sorted(gold)
    diffs = []
    for _ in range(draws):
        pick = [rng.choice(names) for _ in names]
        ga = {f"{i}:{n}": gold[n] for i, n in enumerate(pick)}
        fa = score({f"{i}:{n}": a[n] for i, n in enumerate(pick)}, ga)[2]
        fb = score({f"{i}:{n}": b[n] for i, n in enumerate(pick)}, ga)[2]
        diffs.append(fb - fa)
    diffs.sort()
    return diffs[int(0.05 * draws)], diffs[int(0.95 * draws) - 1], sum(d > 0 for d in diffs) / draws


def load(raw: Path, gold_dir: Path) -> dict[str, dict]:
    out = {}
    for g_path in sorted(gold_dir.glob("*.json")):
        g = json.loads(g_path.read_text(encoding="utf-8"))
        if g.get("guidance") is None:
            continue
        units, suspensions, rules = notice(raw, g["file"])
        out[g["file"]] = {"units": units, "suspensions": suspensions, "rules": set(rules),
                          "gold": {(x["category"], x["action"]) for x in g["guidance"]},
                          "labels": unit_labels(units, g["guidance"])}
    return out


def predict(model: Classifier, n: dict) -> set[tuple[str, str]]:
    got = model.pairs(n["units"])
    if not got and n["suspensions"]:
        got = {("other", "suspended")}
    return got


def fit_on(notices: list[dict], c: float, threshold: float) -> Classifier:
    units = [u for n in notices for u in n["units"]]
    labels = [lab for n in notices for lab in n["labels"]]
    return Classifier(c, threshold).fit(units, labels)


def line(name: str, result: tuple) -> str:
    p, r, f, per = result
    cats = ", ".join(f"{c} {v[0]:.2f} ({v[1]}/{v[2]}/{v[3]})" for c, v in per.items())
    return f"{name}: P={p:.2f} R={r:.2f} F1={f:.2f} | per category F1 (right/predicted/gold): {cats}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", type=Path, required=True, help="folder holding every notice of both label folders")
    ap.add_argument("--train-gold", type=Path, required=True, help="labels the rules were written on: the fit's data")
    ap.add_argument("--test-gold", type=Path, required=True, help="labels of notices neither side was tuned on")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    train, test = load(args.raw, args.train_gold), load(args.raw, args.test_gold)
    labelled = sum(bool(lab) for n in train.values() for lab in n["labels"])
    print(f"training: {len(train)} notices, {sum(len(n['units']) for n in train.values())} units, "
          f"{labelled} labelled; test: {len(test)} notices")
    names = sorted(train)
    folds = [names[i::args.folds] for i in range(args.folds)]
    best = None
    for c in (0.3, 1.0, 3.0, 10.0):
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            pred = {}
            for fold in folds:
                model = fit_on([train[n] for n in names if n not in fold], c, threshold)
                pred |= {n: predict(model, train[n]) for n in fold}
            f = score(pred, {n: train[n]["gold"] for n in names})[2]
            if best is None or f > best[0]:
                best = (f, c, threshold)
    f_cv, c, threshold = best
    print(f"chosen by {args.folds}-fold cross-validation on the training notices: C={c}, threshold={threshold} "
          f"(cross-validated F1 {f_cv:.2f})")
    model = fit_on(list(train.values()), c, threshold)
    gold = {n: test[n]["gold"] for n in test}
    rules, fitted = {n: test[n]["rules"] for n in test}, {n: predict(model, test[n]) for n in test}
    print(line("rules on the test notices", score(rules, gold)))
    print(line("classifier on the test notices", score(fitted, gold)))
    low, high, share = paired_bootstrap(rules, fitted, gold)
    print(f"classifier minus rules, resampling the test notices (2,000 draws): 90% interval [{low:+.2f}, {high:+.2f}]; "
          f"classifier ahead in {share:.0%} of draws")
    print(line("rules on the training notices (in sample)", score({n: train[n]["rules"] for n in train},
                                                                   {n: train[n]["gold"] for n in train})))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
