"""The fitted guidance classifier at run time: which (category, action) pairs each unit gives.

Two one-vs-rest logistic regressions over the same features (:mod:`~pipeline.extract.guidance.features`:
character 1–3-gram TF-IDF of the unit and of its context, and the cue vocabularies): one for
the action (with ``none``: the unit is not an instruction), one for the category. A unit gives
the pairs of every action and every category whose probability reaches the threshold (the most
probable category when none does), unless ``none`` is at least as probable as its best action.
The model is trained by ``scripts/train_guidance_model.py`` (scikit-learn; docs/extraction.md)
and shipped as package data in ``data/``: ``guidance_model.npz`` (vocabularies, idf, weights
as float32, intercepts) and ``guidance_model.json`` (classes, threshold, confidence cut-offs,
cross-validated figures, what it was trained on).

Why hand-written rather than scikit-learn's ``predict_proba``: importing scikit-learn (and
scipy) costs about a second and tens of MB in every worker, and extraction has a CPU budget of
about 1.5 ms per notice. What the model computes is small — count character n-grams, sublinear
tf times idf, l2-normalise, a dot product, a sigmoid — so numpy does it, and
``tests/test_guidance_model.py`` holds the probabilities equal to scikit-learn's (to 1e-9) on
every training unit, with the vectorizers and estimators rebuilt from the shipped parameters.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import chain
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.extract.guidance.features import cue_feature_names, cue_features, unit_context, unit_text
from pipeline.extract.guidance.units import Unit

MODEL_NAME = "guidance_model"
# scikit-learn's CountVectorizer(analyzer="char") collapses runs of whitespace before counting
_WHITE_SPACES = re.compile(r"\s\s+")


class ModelMismatch(RuntimeError):
    """The shipped model does not fit this code (its cue features or classes differ): retrain it."""


def char_ngrams(text: str) -> list[str]:
    """Character 1–3-grams as scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3))``
    makes them (lower-cased, runs of whitespace collapsed).

    >>> char_ngrams("垫付 A")
    ['垫', '付', ' ', 'a', '垫付', '付 ', ' a', '垫付 ', '付 a']
    """
    t = _WHITE_SPACES.sub(" ", text.lower())
    bigrams = list(map(add, t, t[1:]))
    return list(chain(t, bigrams, map(add, bigrams, t[2:])))


@dataclass
class CharTfidf:
    """One fitted ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)``:
    its vocabulary (n-gram → column) and idf."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's TF-IDF row as (columns, values): ``1 + ln(count)`` times idf, l2-normalised."""
        vocab = self.vocabulary
        counts = [(vocab[g], c) for g, c in Counter(char_ngrams(text)).items() if g in vocab]
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        cols = np.fromiter((j for j, _ in counts), dtype=np.intp, count=len(counts))
        tf = np.fromiter((c for _, c in counts), dtype=np.float64, count=len(counts))
        values = (np.log(tf) + 1.0) * self.idf[cols]
        norm = math.sqrt(float(values @ values))
        return cols, (values / norm if norm else values)


@dataclass
class GuidanceModel:
    """A fitted classifier: the two vectorizers, the weights of both heads over the stacked
    features ``[text TF-IDF | context TF-IDF | cue features]``, and what decides a pair."""

    actions: tuple[str, ...]  # the action head's classes, "none" among them
    categories: tuple[str, ...]  # the category head's classes
    text: CharTfidf
    context: CharTfidf
    weights: np.ndarray  # (features, actions + categories), float64 of the shipped float32 values
    intercepts: np.ndarray  # (actions + categories,)
    fixed: np.ndarray  # a class seen always (1) or never (0) in training has that probability; NaN: fitted
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | Any) -> GuidanceModel:
        """The model written by :func:`pipeline.extract.guidance.training.write_model` in ``folder``."""
        meta = json.loads((folder / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
        with (folder / f"{MODEL_NAME}.npz").open("rb") as f, np.load(f, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        if tuple(meta["cue_features"]) != cue_feature_names():
            raise ModelMismatch("the guidance model was trained on other cue features than guidance_cues.csv and "
                                "the categories give now: run scripts/train_guidance_model.py")
        return cls(
            actions=tuple(meta["actions"]), categories=tuple(meta["categories"]),
            text=CharTfidf({t: i for i, t in enumerate(arrays["text_terms"].tolist())}, arrays["text_idf"]),
            context=CharTfidf({t: i for i, t in enumerate(arrays["context_terms"].tolist())}, arrays["context_idf"]),
            weights=arrays["weights"].astype(np.float64), intercepts=arrays["intercepts"].astype(np.float64),
            fixed=arrays["fixed"].astype(np.float64), threshold=float(meta["threshold"]), meta=meta)

    def decision(self, units: list[Unit]) -> np.ndarray:
        """The linear scores of every class (actions, then categories) for each unit."""
        n_text, n_context = len(self.text.vocabulary), len(self.context.vocabulary)
        w_text, w_context, w_cue = self.weights[:n_text], self.weights[n_text:n_text + n_context], \
            self.weights[n_text + n_context:]
        cues = cue_features(units)
        out = cues @ w_cue + self.intercepts
        by_context: dict[str, np.ndarray] = {}  # units under one heading share their context
        for i, u in enumerate(units):
            cols, values = self.text.row(unit_text(u))
            out[i] += values @ w_text[cols]
            ctx = unit_context(u)
            if ctx not in by_context:
                c_cols, c_values = self.context.row(ctx)
                by_context[ctx] = c_values @ w_context[c_cols]
            out[i] += by_context[ctx]
        return out

    def probabilities(self, units: list[Unit]) -> tuple[np.ndarray, np.ndarray]:
        """``predict_proba`` of both heads: (units × actions, units × categories).

        scikit-learn's ``OneVsRestClassifier(LogisticRegression())`` on multilabel targets: each
        class's probability is the sigmoid of its own score, not normalised across classes.
        """
        if not units:
            return np.zeros((0, len(self.actions))), np.zeros((0, len(self.categories)))
        p = 1.0 / (1.0 + np.exp(-self.decision(units)))
        fixed = ~np.isnan(self.fixed)
        p[:, fixed] = self.fixed[fixed]
        return p[:, :len(self.actions)], p[:, len(self.actions):]

    def pairs(self, units: list[Unit]) -> list[list[Pair]]:
        """The pairs each unit gives (:func:`decide`), with their probabilities."""
        pa, pc = self.probabilities(units)
        return [decide(self.actions, self.categories, pa[i], pc[i], self.threshold) for i in range(len(units))]


@dataclass(frozen=True)
class Pair:
    """One (category, action) a unit gives, with the classifier's probability of each."""

    category: str
    action: str
    p_category: float
    p_action: float

    @property
    def probability(self) -> float:
        """How sure the pair is: the lower of its two probabilities (the cut-offs of its confidence apply to it)."""
        return min(self.p_category, self.p_action)


def decide(actions: tuple[str, ...], categories: tuple[str, ...], pa: np.ndarray, pc: np.ndarray,
           threshold: float) -> list[Pair]:
    """The pairs of one unit from its probabilities: each action that reaches ``threshold`` (unless
    ``none`` is at least as probable as the best of them) with each category that reaches it, or
    the most probable category when none does.

    >>> decide(("suspended", "unaffected", "none"), ("outpatient", "inpatient"), np.array([0.8, 0.1, 0.3]),
    ...        np.array([0.4, 0.3]), 0.6)
    [Pair(category='outpatient', action='suspended', p_category=0.4, p_action=0.8)]
    """
    none = actions.index("none")
    acts = [j for j, a in enumerate(actions) if j != none and pa[j] >= threshold]
    if not acts or pa[none] >= max(pa[j] for j in acts):
        return []
    cats = [k for k in range(len(categories)) if pc[k] >= threshold] or [int(np.argmax(pc))]
    return [Pair(categories[k], actions[j], float(pc[k]), float(pa[j])) for k in cats for j in acts]


def model_folder() -> Any:
    """Where the shipped model lives (package data)."""
    return resources.files("pipeline.extract.guidance") / "data"


@cache
def shipped_model() -> GuidanceModel:
    """The shipped model, loaded once per process."""
    return GuidanceModel.load(model_folder())
