"""Training the guidance classifier (scikit-learn, the ``train`` extra): labelled units, the fit,
cross-validation by notice, and the model written as package data.

Used by ``scripts/train_guidance_model.py`` (the shipped model) and
``benchmarks/guidance_classifier.py`` (a held-out comparison); nothing at run time imports it.
scikit-learn is imported inside the functions that need it, so the module imports without it.

A unit is labelled with the gold pairs whose evidence it overlaps (gold evidence is verbatim,
possibly several segments joined by " … "). Units come from the notices exactly as extraction
reads them (:func:`pipeline.extract.notice.metadata_and_windows`, then
:func:`~pipeline.extract.guidance.units.units_of`), and a notice's pairs are scored through the
same row-building code extraction uses (:func:`pipeline.extract.guidance.read_rows`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.extract.guidance.classifier import MODEL_NAME, CharTfidf, GuidanceModel, Pair, decide
from pipeline.extract.guidance.features import asked, cue_feature_names, cue_features, unit_context, unit_text
from pipeline.extract.guidance.units import Unit, units_of
from pipeline.repair.resolve_year import YearClues
from pipeline.vocab.codes import GUIDANCE_ACTIONS, GUIDANCE_CATEGORIES

PairKey = tuple[str, str]
PUNCT = re.compile(r"[\s,，。;；:：!！?？()（）“”\"、*【】\[\]…·]")
# the grid cross-validation chooses from (the benchmark's)
C_GRID = (0.3, 1.0, 3.0, 10.0)
THRESHOLD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
FOLDS = 5
# the precision a confidence level promises, measured by cross-validation
HIGH_PRECISION, LOW_PRECISION = 0.9, 0.5


def _plain(text: str) -> str:
    return PUNCT.sub("", text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


@dataclass
class LabelledNotice:
    """One labelled notice as extraction reads it: its units and stops, and its gold pairs."""

    file: str
    lines: list[str]
    clues: YearClues
    stop_sentences: tuple[str, ...]
    units: list[Unit]
    suspensions: list[str]
    gold: set[PairKey]
    labels: list[set[PairKey]] = field(default_factory=list)  # the gold pairs of each unit


def read_notice(raw: Path, name: str, hints: Any = None) -> tuple[list[str], YearClues, tuple[str, ...]]:
    """A notice's body lines, year clues and stop sentences, as :func:`~pipeline.extract.notice.extract_notice`
    hands them to the guidance step."""
    from pipeline.extract import SourceHints
    from pipeline.extract.notice import metadata_and_windows
    from pipeline.read import read_document
    from pipeline.read.normalize import normalize_document

    path = raw / name
    doc, _ = normalize_document(read_document(path, name, path.read_bytes()))
    md, lines, windows = metadata_and_windows(doc, hints or SourceHints())
    return lines, md.clues, windows.stop_sentences


def unit_labels(units: list[Unit], gold: list[dict]) -> list[set[PairKey]]:
    """The gold pairs each unit carries: a unit and an evidence segment that share most of their
    character bigrams (the segment inside the unit, or the unit inside a long segment).

    >>> u = Unit("费用先行垫付,出院后到医保经办机构报销。", "", None, None, 1, False, "异地住院")
    >>> unit_labels([u], [{"category": "out_of_area", "action": "pay_then_reimburse", "evidence": "費用先行墊付,出院後到醫保經辦機構報銷"}])
    [{('out_of_area', 'pay_then_reimburse')}]
    """
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


def load_notices(raw: Path, labels: Iterable[Path]) -> dict[str, LabelledNotice]:
    """The labelled notices (label files with a ``guidance`` list), read from ``raw`` with its manifest's hints."""
    from pipeline.runner.manifest import MANIFEST_NAME, read_manifest

    hints = read_manifest(raw) if (raw / MANIFEST_NAME).is_file() else {}
    out = {}
    for path in sorted(labels):
        g = json.loads(path.read_text(encoding="utf-8"))
        if g.get("guidance") is None:
            continue
        lines, clues, stops = read_notice(raw, g["file"], hints.get(g["file"]))
        units, suspensions = units_of(lines, stops)
        out[g["file"]] = LabelledNotice(g["file"], lines, clues, stops, units, suspensions,
                                        {(x["category"], x["action"]) for x in g["guidance"]},
                                        unit_labels(units, g["guidance"]))
    return out


def training_set_sha256(raw: Path, labels: Iterable[Path]) -> str:
    """A hash of what a model was trained on: each label file and its notice, by name and content."""
    h = hashlib.sha256()
    for path in sorted(labels):
        g = json.loads(path.read_text(encoding="utf-8"))
        if g.get("guidance") is None:
            continue
        for name, blob in ((path.name, path.read_bytes()), (g["file"], (raw / g["file"]).read_bytes())):
            h.update(name.encode() + b"\0" + hashlib.sha256(blob).digest())
    return h.hexdigest()


def units_sha256(notices: Iterable[LabelledNotice]) -> str:
    """A hash of the training units as the classifier sees them (text, context, cue features, labels):
    it changes when the units, the cue vocabularies or the labels do — then the model must be retrained."""
    h = hashlib.sha256()
    for n in notices:
        feats = cue_features(n.units)
        for u, f, lab in zip(n.units, feats, n.labels):
            h.update(f"{n.file}\0{unit_text(u)}\0{unit_context(u)}\0{sorted(lab)}\0".encode())
            h.update(f.astype(np.uint8).tobytes())
    return h.hexdigest()


class Classifier:
    """Two one-vs-rest logistic regressions: actions (with "none": not an instruction) and categories.

    Fitted with scikit-learn; its weights are then rounded to float32, the precision they ship in,
    so that cross-validation scores the model that would ship.
    """

    def __init__(self, c: float, threshold: float) -> None:
        self.c, self.threshold = c, threshold

    def _x(self, units: list[Unit], fit: bool):
        from scipy.sparse import csr_matrix, hstack

        text = [unit_text(u) for u in units]
        ctx = [unit_context(u) for u in units]
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vt = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
            self.vc = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
            self.vt.fit(text)
            self.vc.fit(ctx)
        return hstack([self.vt.transform(text), self.vc.transform(ctx), csr_matrix(cue_features(units))]).tocsr()

    def fit(self, units: list[Unit], labels: list[set[PairKey]]) -> Classifier:
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
        for ovr in (self.act, self.cat):
            if not ovr.multilabel_ or len(ovr.estimators_) < 2:
                raise ValueError("expected multilabel targets with two classes or more per head")
            for e in ovr.estimators_:
                if hasattr(e, "coef_"):
                    e.coef_ = e.coef_.astype(np.float32).astype(np.float64)
                    e.intercept_ = e.intercept_.astype(np.float32).astype(np.float64)
        return self

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self.ma.classes_)

    def probabilities(self, units: list[Unit]) -> tuple[np.ndarray, np.ndarray]:
        """scikit-learn's ``predict_proba`` of both heads."""
        if not units:
            return np.zeros((0, len(self.actions))), np.zeros((0, len(self.cat_classes)))
        x = self._x(units, fit=False)
        return self.act.predict_proba(x), self.cat.predict_proba(x)

    def pairs(self, units: list[Unit]) -> list[list[Pair]]:
        pa, pc = self.probabilities(units)
        return decide(self.actions, tuple(self.cat_classes), pa, pc, self.threshold, asked(cue_features(units)))

    def to_model(self, meta: dict[str, Any] | None = None) -> GuidanceModel:
        """The numpy model of :mod:`~pipeline.extract.guidance.classifier` with this fit's parameters."""
        columns, intercepts, fixed = [], [], []
        for ovr in (self.act, self.cat):
            for e in ovr.estimators_:
                if hasattr(e, "coef_"):
                    columns.append(np.asarray(e.coef_[0], dtype=np.float64))
                    intercepts.append(float(e.intercept_[0]))
                    fixed.append(np.nan)
                else:  # scikit-learn's _ConstantPredictor: a class present in all or no training units
                    columns.append(np.zeros(self.act.n_features_in_))
                    intercepts.append(0.0)
                    fixed.append(float(np.asarray(e.y_).ravel()[0]))
        return GuidanceModel(
            actions=self.actions, categories=tuple(self.cat_classes),
            text=CharTfidf(dict(self.vt.vocabulary_), self.vt.idf_.astype(np.float64)),
            context=CharTfidf(dict(self.vc.vocabulary_), self.vc.idf_.astype(np.float64)),
            weights=_float32(np.stack(columns, axis=1)), intercepts=np.array(intercepts), fixed=np.array(fixed),
            threshold=self.threshold, meta=dict(meta or {}))


def _float32(values: np.ndarray) -> np.ndarray:
    """``values`` as float32, which they must already be exactly (:class:`Classifier` rounds its weights)."""
    out = values.astype(np.float32)
    if not np.array_equal(out.astype(np.float64), values.astype(np.float64)):
        raise ValueError("weights are not float32 values: fit with Classifier, which rounds them")
    return out


def write_model(model: GuidanceModel, folder: Path) -> list[Path]:
    """Write ``model`` as ``folder/guidance_model.npz`` (arrays; weights as float32) and ``.json`` (the rest)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name, vec in (("text", model.text), ("context", model.context)):
        terms = [""] * len(vec.vocabulary)
        for t, i in vec.vocabulary.items():
            terms[i] = t
        arrays[f"{name}_terms"] = np.array(terms, dtype=str)
        if arrays[f"{name}_terms"].tolist() != terms:  # numpy drops trailing NULs of fixed-width strings
            raise ValueError(f"{name} vocabulary does not survive a numpy string array")
        arrays[f"{name}_idf"] = vec.idf.astype(np.float64)
    arrays |= {"weights": _float32(model.weights), "intercepts": _float32(model.intercepts),
               "fixed": model.fixed.astype(np.float64)}
    npz, meta = folder / f"{MODEL_NAME}.npz", folder / f"{MODEL_NAME}.json"
    np.savez_compressed(npz, **arrays)
    meta.write_text(json.dumps({**model.meta, "actions": list(model.actions), "categories": list(model.categories),
                                "threshold": model.threshold, "cue_features": list(cue_feature_names())},
                               ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [npz, meta]


def fit_on(notices: Iterable[LabelledNotice], c: float, threshold: float) -> Classifier:
    notices = list(notices)
    units = [u for n in notices for u in n.units]
    labels = [lab for n in notices for lab in n.labels]
    return Classifier(c, threshold).fit(units, labels)


def notice_rows(n: LabelledNotice, unit_pairs: list[list[Pair]]) -> list[dict]:
    """The guidance rows extraction would publish for ``n`` with these unit pairs (each with ``_how``:
    its probability and how its situation was read, before the confidence cut-offs)."""
    from pipeline.extract.guidance import read_rows

    return read_rows(n.units, unit_pairs, n.suspensions, n.stop_sentences, n.clues)


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("scikit-learn", "scipy", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out


# --- scoring, as `pipeline eval` counts guidance pairs -------------------------------------------


def score(pred: dict[str, set], gold: dict[str, set]) -> tuple[float, float, float, dict[str, tuple[float, int, int, int]]]:
    """Pair P/R/F1 over notices as ``pipeline eval`` counts them, and per category (F1, right, predicted, gold)."""
    from pipeline.commands.evaluate import prf

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


def score_line(name: str, result: tuple) -> str:
    p, r, f, per = result
    cats = ", ".join(f"{c} {v[0]:.2f} ({v[1]}/{v[2]}/{v[3]})" for c, v in per.items())
    return f"{name}: P={p:.2f} R={r:.2f} F1={f:.2f} | per category F1 (right/predicted/gold): {cats}"


def paired_bootstrap(a: dict[str, set], b: dict[str, set], gold: dict[str, set], draws: int = 2000
                     ) -> tuple[float, float, float]:
    """How sure a difference in pair F1 is on so few notices: resample notices with replacement
    (both sides on the same draw); the 5th and 95th percentile of F1(b) - F1(a), and the share of
    draws where b is ahead."""
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


# --- cross-validation by notice -----------------------------------------------------------------


@dataclass
class CrossValidation:
    """The grid search's choice and the out-of-fold rows of the chosen setting."""

    c: float
    threshold: float
    f1: float
    grid: dict[tuple[float, float], float]
    rows: dict[str, list[dict]]  # notice → its out-of-fold rows (with ``_how``)

    def pairs(self) -> dict[str, set[PairKey]]:
        return {n: {(r["category"], r["action"]) for r in rows} for n, rows in self.rows.items()}


def folds_of(names: list[str], folds: int = FOLDS) -> list[list[str]]:
    """Notices split into folds by sorted name, every ``folds``-th in one (the benchmark's split).

    >>> folds_of(["a", "b", "c", "d", "e"], 2)
    [['a', 'c', 'e'], ['b', 'd']]
    """
    names = sorted(names)
    return [names[i::folds] for i in range(folds)]


def cross_validate(notices: dict[str, LabelledNotice], folds: int = FOLDS, c_grid: tuple[float, ...] = C_GRID,
                   threshold_grid: tuple[float, ...] = THRESHOLD_GRID, log: Any = None) -> CrossValidation:
    """Choose C and the threshold by ``folds``-fold cross-validation over notices (pair F1 as
    ``pipeline eval`` counts it, through the rows extraction would publish).

    Each fold's model is fitted once per C; the thresholds only change the decision, so they are
    scored on the same fitted probabilities.
    """
    names = sorted(notices)
    gold = {n: notices[n].gold for n in names}
    probs: dict[float, dict[str, tuple[Classifier, np.ndarray, np.ndarray]]] = {}
    for c in c_grid:
        probs[c] = {}
        for k, fold in enumerate(folds_of(names, folds)):
            model = fit_on([notices[n] for n in names if n not in fold], c, threshold_grid[0])
            for n in fold:
                probs[c][n] = (model, *model.probabilities(notices[n].units))
            if log:
                log(f"  C={c}: fold {k + 1}/{folds} fitted")
    grid: dict[tuple[float, float], float] = {}
    best: tuple[float, float, float] | None = None
    for c in c_grid:
        for threshold in threshold_grid:
            pred = {n: {(r["category"], r["action"]) for r in _oof_rows(notices[n], probs[c][n], threshold)} for n in names}
            f = score(pred, gold)[2]
            grid[(c, threshold)] = f
            if best is None or f > best[0]:
                best = (f, c, threshold)
    assert best is not None
    f, c, threshold = best
    return CrossValidation(c, threshold, f, grid, {n: _oof_rows(notices[n], probs[c][n], threshold) for n in names})


def _oof_rows(n: LabelledNotice, fitted: tuple[Classifier, np.ndarray, np.ndarray], threshold: float) -> list[dict]:
    model, pa, pc = fitted
    acts, cats = model.actions, tuple(model.cat_classes)
    only = asked(cue_features(n.units)) if n.units else None
    return notice_rows(n, decide(acts, cats, pa, pc, threshold, only))


# --- confidence cut-offs --------------------------------------------------------------------------


def confidence_cutoffs(rows: dict[str, list[dict]], gold: dict[str, set[PairKey]]) -> dict[str, float]:
    """The probability cut-offs of a row's confidence, from out-of-fold rows (each right when its pair
    is in its notice's labels, as ``pipeline eval`` counts):

    - ``high``: among the rows whose other reasons allow ``high``, the lowest probability from which
      the rows at or above it are right at least :data:`HIGH_PRECISION` of the time;
    - ``low``: among the rows whose other reasons do not already make them ``low``, the probability
      below which wrong rows outnumber right ones the most (so the rows below it are right less
      than half of the time); 0 when wrong rows never outnumber right ones from the bottom up.

    >>> how = lambda p: {"probability": p, "situation": "sentence"}
    >>> marks = [(.9, "y"), (.8, "y"), (.7, "y"), (.6, "y"), (.5, "z"), (.4, "y"), (.3, "z"), (.2, "z")]
    >>> rows = {"a": [{"category": "x", "action": a, "_how": how(p)} for p, a in marks]}
    >>> confidence_cutoffs(rows, {"a": {("x", "y")}})
    {'high': 0.6, 'low': 0.4}
    """
    from pipeline.repair.confidence import guidance_reasons, level_of

    scored = []
    for n, rs in rows.items():
        for r in rs:
            how = r["_how"]
            if "probability" in how:
                others = level_of(guidance_reasons(how["situation"], how.get("stop_in_unit", False)))
                scored.append((how["probability"], (r["category"], r["action"]) in gold[n], others))
    scored.sort(key=lambda x: x[0], reverse=True)
    high, right = 1.0, 0
    candidates = [(p, ok) for p, ok, others in scored if others == "high"]
    for i, (p, ok) in enumerate(candidates):
        right += ok
        if right / (i + 1) >= HIGH_PRECISION and (i + 1 == len(candidates) or candidates[i + 1][0] < p):
            high = p
    low, excess, best = 0.0, 0, 0
    ascending = [(p, ok) for p, ok, others in reversed(scored) if others != "low"]
    for i, (p, ok) in enumerate(ascending):
        excess += -1 if ok else 1
        if excess > best and i + 1 < len(ascending) and ascending[i + 1][0] > p:
            best, low = excess, ascending[i + 1][0]
    return {"high": high, "low": min(low, high)}
