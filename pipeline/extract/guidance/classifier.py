"""The fitted guidance classifier at run time: which (category, action) pairs each unit gives.

Two one-vs-rest logistic regressions over the same features (:mod:`~pipeline.extract.guidance.features`:
character 1–3-gram TF-IDF of the unit and of its context, and the cue vocabularies): one for
the action (with ``none``: the unit is not an instruction), one for the category. A unit gives
the pairs of every action and every category whose probability reaches the threshold (the most
probable category when none does), unless ``none`` is at least as probable as its best action.
A unit in which no cue of the vocabularies fires is not asked about (:func:`~pipeline.extract.guidance.features.asked`).
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
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.extract.guidance.features import asked, cue_feature_names, cue_features, unit_context, unit_text
from pipeline.extract.guidance.units import Unit

MODEL_NAME = "guidance_model"
# scikit-learn's CountVectorizer(analyzer="char") collapses runs of whitespace before counting
_WHITE_SPACES = re.compile(r"\s\s+")


class ModelMismatch(RuntimeError):
    """The shipped model does not fit this code (its cue features or classes differ): retrain it."""


def ngram_text(text: str) -> str:
    """The text whose character n-grams scikit-learn's ``TfidfVectorizer(analyzer="char")`` counts:
    lower-cased, runs of whitespace collapsed to one space.

    >>> ngram_text("垫付  A   B")
    '垫付 a b'
    """
    return _WHITE_SPACES.sub(" ", text.lower())


@dataclass
class CharTfidf:
    """One fitted ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)``:
    its vocabulary (n-gram → column) and idf."""

    vocabulary: dict[str, int]
    idf: np.ndarray


# joins a notice's texts for one pass; no vocabulary term contains it
_SEPARATOR = "\x00"


def ngram_keys(text: str) -> np.ndarray:
    """Every character n-gram of ``text`` (n = 1, 2, 3, at every position: scikit-learn's
    ``analyzer="char", ngram_range=(1, 3)`` after :func:`ngram_text`) as one integer: the code points plus one, 21 bits each, so that no two n-grams of
    any length share a key.

    >>> ngram_keys("ab").tolist() == [ord("a") + 1, ord("b") + 1, ((ord("a") + 1) << 21) + ord("b") + 1]
    True
    """
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64) + 1
    bigrams = (cp[:-1] << np.uint64(21)) | cp[1:]
    return np.concatenate([cp, bigrams, (bigrams[:-1] << np.uint64(21)) | cp[2:]])


class NgramCounter:
    """The TF-IDF rows of texts under two vectorizers at once (the units' texts under one, their
    contexts under the other), as one sparse matrix over the model's stacked columns.

    The n-grams of a whole notice are made and looked up in a few numpy operations: each n-gram is
    an integer (:func:`ngram_keys`), found by binary search among the sorted keys of the
    vocabularies — instead of hundreds of Python slices and dictionary look-ups per unit.
    """

    def __init__(self, first: CharTfidf, second: CharTfidf, position: np.ndarray | None = None) -> None:
        """``position``: where each stacked column (the first's, then the second's) is to be reported
        (default: at itself) — the model reports them in the order of its rearranged weights."""
        terms = list(dict.fromkeys([*first.vocabulary, *second.vocabulary]))
        if any(_SEPARATOR in t or not 1 <= len(t) <= 3 for t in terms):
            raise ModelMismatch("the vocabularies are not of character 1-3-grams")
        keys = np.array([int(ngram_keys(t)[-1]) for t in terms], dtype=np.uint64)
        order = np.argsort(keys)
        # sorted, and a last key above any n-gram's, so that a search never runs off the end
        self._keys = np.append(keys[order], np.uint64(2**64 - 1))
        n_first = len(first.vocabulary)
        # each term's column under each vectorizer (-1: not in its vocabulary), the second's after the first's
        self._column = np.full((2, len(terms) + 1), -1, dtype=np.int32)  # 4 bytes: less of the cache
        for i, term in enumerate(terms[k] for k in order):
            if term in first.vocabulary:
                self._column[0, i] = first.vocabulary[term]
            if term in second.vocabulary:
                self._column[1, i] = n_first + second.vocabulary[term]
        idf = np.concatenate([first.idf, second.idf])
        if position is not None:
            self._column = np.where(self._column >= 0, position[self._column], -1).astype(np.int32)
            idf = idf[np.argsort(position)]
        self.idf = idf

    def rows(self, first: list[str], second: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of ``first`` (under the first vectorizer) then of ``second`` as (row, column,
        value) triples sorted by row: ``1 + ln(count)`` times idf, each row l2-normalised (a row
        with no known n-gram has no entry).

        >>> counter = NgramCounter(CharTfidf({"a": 0, "垫付": 1, "付": 2}, np.array([1.0, 2.0, 1.5])),
        ...                        CharTfidf({"付": 0}, np.array([3.0])))
        >>> rows, cols, values = counter.rows(["先垫付", "", "A  付"], ["付款"])
        >>> rows.tolist(), cols.tolist(), values.round(3).tolist()
        ([0, 0, 2, 2, 3], [1, 2, 0, 2, 3], [0.8, 0.6, 0.555, 0.832, 1.0])
        """
        texts = [ngram_text(t) for t in (*first, *second)]
        # the whole notice at once, its texts joined by a character no vocabulary term contains
        # (an n-gram across two texts is unknown, as it would be to scikit-learn)
        keys = ngram_keys(_SEPARATOR.join(texts))
        # the text of each character (the separator after a text counts as its own: n-grams with it are unknown)
        row = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])
        length = len(row) - 1
        row_of = np.concatenate([row[:length], row[:max(length - 1, 0)], row[:max(length - 2, 0)]])
        at = np.searchsorted(self._keys, keys)
        known = self._keys[at] == keys
        row_of, term = row_of[known], at[known]
        cols = self._column[(row_of >= len(first)).astype(np.int64), term]
        in_vocabulary = cols >= 0
        # one key per (row, column): counting equal keys counts each n-gram in its text
        cells = np.sort(row_of[in_vocabulary] * len(self.idf) + cols[in_vocabulary])
        starts = np.flatnonzero(np.diff(cells, prepend=-1))
        cells, counts = cells[starts], np.diff(np.append(starts, len(cells)))
        rows, cols = np.divmod(cells, len(self.idf))
        values = (np.log(counts) + 1.0) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
        return rows, cols, values / norms[rows]


def _sum_rows(out: np.ndarray, rows: np.ndarray, contributions: np.ndarray) -> None:
    """``out[r] += contributions[i]`` for each ``i`` with ``rows[i] == r`` (``rows`` sorted)."""
    if len(rows):
        first = np.flatnonzero(np.diff(rows, prepend=-1))
        out[rows[first]] += np.add.reduceat(contributions, first, axis=0)


@dataclass
class GuidanceModel:
    """A fitted classifier: the two vectorizers, the weights of both heads over the stacked
    features ``[text TF-IDF | context TF-IDF | cue features]``, and what decides a pair."""

    actions: tuple[str, ...]  # the action head's classes, "none" among them
    categories: tuple[str, ...]  # the category head's classes
    text: CharTfidf
    context: CharTfidf
    # (features, actions + categories), float32 as shipped: every product with a float64 value is
    # exact in float64, and half the bytes to gather
    weights: np.ndarray
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
            weights=arrays["weights"].astype(np.float32), intercepts=arrays["intercepts"].astype(np.float64),
            fixed=arrays["fixed"].astype(np.float64), threshold=float(meta["threshold"]), meta=meta)

    @cached_property
    def _fixed(self) -> np.ndarray:
        return np.flatnonzero(~np.isnan(self.fixed))

    @cached_property
    def _layout(self) -> tuple[NgramCounter, np.ndarray, np.ndarray]:
        """The n-gram counter, the TF-IDF weights and the cue weights as the run-time product reads them.

        The TF-IDF rows of the weights are rearranged by document frequency, the most frequent
        n-grams first: a notice's n-grams then gather from rows that stay in the CPU's cache from one
        notice to the next, instead of from all over the 0.6 MB matrix. The sums are the same.
        """
        n_tfidf = len(self.text.vocabulary) + len(self.context.vocabulary)
        order = np.argsort(np.concatenate([self.text.idf, self.context.idf]), kind="stable")
        position = np.empty(n_tfidf, dtype=np.int64)
        position[order] = np.arange(n_tfidf)
        return (NgramCounter(self.text, self.context, position), np.ascontiguousarray(self.weights[:n_tfidf][order]),
                self.weights[n_tfidf:].astype(np.float64))

    def decision(self, units: list[Unit], cues: np.ndarray | None = None) -> np.ndarray:
        """The linear scores of every class (actions, then categories) for each unit (``cues``: their
        :func:`~pipeline.extract.guidance.features.cue_features`, when already read)."""
        # units under one heading share their context: each distinct one is read once
        contexts = [unit_context(u) for u in units]
        index = {c: len(units) + i for i, c in enumerate(dict.fromkeys(contexts))}
        counter, tfidf_weights, cue_weights = self._layout
        rows, cols, values = counter.rows([unit_text(u) for u in units], list(index))
        sums = np.zeros((len(units) + len(index), self.weights.shape[1]))
        _sum_rows(sums, rows, tfidf_weights[cols] * values[:, None])
        out = (cue_features(units) if cues is None else cues) @ cue_weights
        out += self.intercepts
        out += sums[:len(units)]
        out += sums[[index[c] for c in contexts]]
        return out

    def probabilities(self, units: list[Unit], cues: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``predict_proba`` of both heads: (units × actions, units × categories).

        scikit-learn's ``OneVsRestClassifier(LogisticRegression())`` on multilabel targets: each
        class's probability is the sigmoid of its own score, not normalised across classes.
        """
        if not units:
            return np.zeros((0, len(self.actions))), np.zeros((0, len(self.categories)))
        p = 1.0 / (1.0 + np.exp(-self.decision(units, cues)))
        if self._fixed.size:
            p[:, self._fixed] = self.fixed[self._fixed]
        return p[:, :len(self.actions)], p[:, len(self.actions):]

    def pairs(self, units: list[Unit]) -> list[list[Pair]]:
        """The pairs each unit gives (:func:`decide`), with their probabilities; a unit in which no
        cue fires gives none and is not scored (:func:`~pipeline.extract.guidance.features.asked`)."""
        cues = cue_features(units, cued_only=True)
        chosen = np.flatnonzero(asked(cues)).tolist()
        out: list[list[Pair]] = [[] for _ in units]
        if chosen:
            pa, pc = self.probabilities([units[i] for i in chosen], cues[chosen])
            for i, got in zip(chosen, decide(self.actions, self.categories, pa, pc, self.threshold)):
                out[i] = got
        return out


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
           threshold: float, only: np.ndarray | None = None) -> list[list[Pair]]:
    """The pairs of each unit from its probabilities (one row per unit): each action that reaches
    ``threshold`` (unless ``none`` is at least as probable as the best of them) with each category
    that reaches it, or the most probable category when none does. With ``only`` (a mask), the
    other units give nothing.

    >>> decide(("suspended", "unaffected", "none"), ("outpatient", "inpatient"), np.array([[0.8, 0.1, 0.3], [0.7, 0.1, 0.9]]),
    ...        np.array([[0.4, 0.3], [0.9, 0.9]]), 0.6)
    [[Pair(category='outpatient', action='suspended', p_category=0.4, p_action=0.8)], []]
    """
    none = actions.index("none")
    reached = pa >= threshold
    reached[:, none] = False
    best = np.where(reached, pa, -1.0).max(axis=1, initial=-1.0)
    giving = (best >= 0) & (pa[:, none] < best)
    out: list[list[Pair]] = [[] for _ in range(len(pa))]
    for i in np.flatnonzero(giving if only is None else giving & only).tolist():
        p_act, p_cat = pa[i].tolist(), pc[i].tolist()
        acts = [j for j, p in enumerate(p_act) if j != none and p >= threshold]
        cats = [k for k, p in enumerate(p_cat) if p >= threshold] or [int(np.argmax(pc[i]))]
        out[i] = [Pair(categories[k], actions[j], p_cat[k], p_act[j]) for k in cats for j in acts]
    return out


def model_folder() -> Any:
    """Where the shipped model lives (package data)."""
    return resources.files("pipeline.extract.guidance") / "data"


@cache
def shipped_model() -> GuidanceModel:
    """The shipped model, loaded once per process."""
    return GuidanceModel.load(model_folder())
