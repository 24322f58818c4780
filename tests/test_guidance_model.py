"""The guidance classifier: the shipped model, its run-time arithmetic against scikit-learn's, and
what it was trained on (pipeline/extract/guidance/classifier.py, training.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.guidance.classifier import (
    CharTfidf,
    GuidanceModel,
    NgramCounter,
    decide,
    model_folder,
    ngram_keys,
    ngram_text,
    shipped_model,
)
from pipeline.extract.guidance.features import cue_feature_names, cue_features, unit_context, unit_text
from pipeline.extract.guidance.training import load_notices, training_set_sha256, units_sha256
from pipeline.vocab.codes import CONFIDENCE_REASONS, GUIDANCE_ACTIONS, GUIDANCE_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
RAW, LABELS = ROOT / "raw", ROOT / "tests" / "real" / "shared_gold"
RETRAIN = "run scripts/train_guidance_model.py (docs/extraction.md, 'Guidance') and commit the model"


def _labels() -> list[Path]:
    return sorted(LABELS.glob("*.json"))


@pytest.fixture(scope="module")
def training_notices():
    """Every labelled real notice, read as extraction reads it (about a second)."""
    return load_notices(RAW, _labels())


def test_the_shipped_model_loads_once_and_fits_the_code() -> None:
    model = shipped_model()
    assert shipped_model() is model  # one load per process
    assert set(model.actions) == {*GUIDANCE_ACTIONS, "none"}
    assert set(model.categories) <= set(GUIDANCE_CATEGORIES) and len(model.categories) >= 2
    n_features = len(model.text.vocabulary) + len(model.context.vocabulary) + len(cue_feature_names())
    assert model.weights.shape == (n_features, len(model.actions) + len(model.categories))
    assert model.weights.dtype == np.float32 and np.isfinite(model.weights).all()
    assert 0 < model.threshold < 1
    cut = model.meta["confidence_cutoffs"]
    assert 0 <= cut["low"] <= cut["high"] <= 1
    # what the docs report comes from the file: the cross-validated figure and the libraries it was fitted with
    assert 0 < model.meta["cross_validation"]["f1"] < 1
    assert {"scikit-learn", "numpy", "python"} <= set(model.meta["libraries"])


def test_the_model_was_trained_on_these_labels_and_these_units(training_notices) -> None:
    training = shipped_model().meta["training"]
    assert training["notices"] == len(training_notices)
    assert training["set_sha256"] == training_set_sha256(RAW, _labels()), f"the labels or notices changed: {RETRAIN}"
    # units, cue vocabularies and situation words decide what the model sees: a change to them needs a new fit
    assert training["units_sha256"] == units_sha256(training_notices[n] for n in sorted(training_notices)), \
        f"the units or the cue features of the training notices changed: {RETRAIN}"


def _sklearn_heads(model: GuidanceModel):
    """scikit-learn's vectorizers and one-vs-rest estimators rebuilt from the shipped parameters."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import LabelBinarizer

    vectorizers = []
    for part in (model.text, model.context):
        v = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, vocabulary=part.vocabulary)
        v.idf_ = part.idf
        vectorizers.append(v)
    heads = []
    columns = iter(range(model.weights.shape[1]))
    for classes in (model.actions, model.categories):
        estimators = []
        for _ in classes:
            j = next(columns)
            assert np.isnan(model.fixed[j]), "a constant class: rebuild scikit-learn's _ConstantPredictor here"
            lr = LogisticRegression()
            lr.coef_ = model.weights[:, j].astype(np.float64)[None, :]
            lr.intercept_ = model.intercepts[j:j + 1]
            lr.classes_ = np.array([0, 1])
            estimators.append(lr)
        ovr = OneVsRestClassifier(LogisticRegression())
        ovr.estimators_ = estimators
        ovr.label_binarizer_ = LabelBinarizer(sparse_output=True).fit(np.eye(len(classes), dtype=int))
        heads.append(ovr)
    return vectorizers, heads


def test_numpy_probabilities_equal_scikit_learns_on_every_training_unit(training_notices) -> None:
    pytest.importorskip("sklearn")
    from scipy.sparse import csr_matrix, hstack

    model = shipped_model()
    (vt, vc), (act, cat) = _sklearn_heads(model)
    units = [u for n in sorted(training_notices) for u in training_notices[n].units]
    x = hstack([vt.transform([unit_text(u) for u in units]), vc.transform([unit_context(u) for u in units]),
                csr_matrix(cue_features(units))]).tocsr()
    pa, pc = model.probabilities(units)
    assert len(units) > 500
    assert np.abs(pa - act.predict_proba(x)).max() < 1e-9
    assert np.abs(pc - cat.predict_proba(x)).max() < 1e-9
    # and notice by notice, as extraction calls it (each notice's texts and contexts in one pass)
    for n in sorted(training_notices)[:10]:
        one = training_notices[n].units
        if one:
            start = units.index(one[0])
            assert np.abs(model.probabilities(one)[0] - pa[start:start + len(one)]).max() < 1e-12


TEXTS = st.text(alphabet=st.sampled_from(list("垫付报销住院门诊异地 \t\n　ABab1。,？") + ["\x00", "İ", "\U0001F600"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_the_ngrams_counted_are_scikit_learns(text: str) -> None:
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    analyzer = sklearn_text.TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).build_analyzer()
    assert Counter(ngram_keys(ngram_text(text)).tolist()) == Counter(int(ngram_keys(g)[-1]) for g in analyzer(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("垫付报销住院门诊异地 ab") + ["\U0001F600"]), min_size=1, max_size=12))
def test_an_ngram_key_is_one_ngram(text: str) -> None:
    # every n-gram of the text has the key of that n-gram alone, and distinct n-grams have distinct keys
    grams = [text[i:i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]
    keys = ngram_keys(text).tolist()
    assert keys == [int(ngram_keys(g)[-1]) for g in grams]
    assert len(set(keys)) == len(set(grams))


CORPUS = ["先行垫付医疗费用", "异地住院 报销", "门诊  费用 垫付", "住院垫付AB", "停机期间 门诊", "ab 报销。"]


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, max_size=4), st.lists(TEXTS, max_size=3))
def test_tfidf_rows_are_scikit_learns(first: list[str], second: list[str]) -> None:
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    fitted = []
    for corpus in (CORPUS, CORPUS[::2] + ["异地"]):
        v = sklearn_text.TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(corpus)
        fitted.append(v)
    counter = NgramCounter(*(CharTfidf(dict(v.vocabulary_), v.idf_) for v in fitted))
    rows, cols, values = counter.rows(first, second)
    n_first = len(fitted[0].vocabulary_)
    got = np.zeros((len(first) + len(second), n_first + len(fitted[1].vocabulary_)))
    got[rows, cols] = values
    assert len(set(zip(rows.tolist(), cols.tolist()))) == len(rows)  # one entry per cell
    if first:
        assert np.abs(got[:len(first), :n_first] - fitted[0].transform(first).toarray()).max() < 1e-12
    if second:
        assert np.abs(got[len(first):, n_first:] - fitted[1].transform(second).toarray()).max() < 1e-12
    assert not got[:len(first), n_first:].any() and not got[len(first):, :n_first].any()


def test_a_unit_gives_the_pairs_its_probabilities_reach() -> None:
    actions, categories = ("settle_before", "suspended", "none"), ("inpatient", "outpatient", "other")
    pa = np.array([[0.9, 0.7, 0.1],   # two actions reach the threshold
                   [0.7, 0.1, 0.8],   # "none" beats the best action: not an instruction
                   [0.2, 0.3, 0.1]])  # no action reaches it
    pc = np.array([[0.65, 0.9, 0.1], [0.9, 0.1, 0.1], [0.9, 0.1, 0.1]])
    got = decide(actions, categories, pa, pc, 0.6)
    assert [(p.category, p.action) for p in got[0]] == [("inpatient", "settle_before"), ("inpatient", "suspended"),
                                                       ("outpatient", "settle_before"), ("outpatient", "suspended")]
    assert got[1] == [] and got[2] == []
    # no category reaches the threshold: the most probable one
    only = decide(actions, categories, pa[:1], np.array([[0.2, 0.5, 0.4]]), 0.6)[0]
    assert {p.category for p in only} == {"outpatient"} and only[0].probability == 0.5


def test_every_reason_a_guidance_row_can_carry_is_a_code() -> None:
    from pipeline.repair.confidence import guidance_confidence

    for situation in ("sentence", "question", "heading", "unnamed", "general"):
        for p in (0.0, 0.5, 0.99):
            level, reasons = guidance_confidence(situation, p, stop_in_unit=True, cutoffs={"high": 0.8, "low": 0.3})
            assert reasons and all(r in CONFIDENCE_REASONS for r in reasons)


def test_the_model_folder_is_package_data() -> None:
    names = {p.name for p in model_folder().iterdir()}
    assert {"guidance_model.npz", "guidance_model.json"} <= names
