"""One exact test per labelled notice: its windows, phone numbers, city and publication date as
``pipeline eval`` compares them, every file on its own — so a regression on one notice cannot hide
under the slack of the corpus floors (``tests/test_eval_totals.py``).

A notice the pipeline gets wrong today is listed in :data:`KNOWN_MISSES` with the cause and the
difference as this test printed it; it runs as a strict expected failure: when a fix makes it pass,
the run fails (XPASS) until its entry is deleted, and when it starts to differ in another way, the
run fails too (the recorded difference is checked before the miss is excused). Guidance is scored
per corpus only (``test_eval_totals``): its per-notice misses are a fitted model's, not named causes.

``python tests/test_gold_files.py`` prints every current difference in the recorded format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REAL_GOLD, ROOT

from pipeline.commands.evaluate import label_windows
from pipeline.extract.timeexpr import minute_text

CORPORA = {  # labels → the raw folder they describe
    "real": (REAL_GOLD, ROOT / "raw"),
    "written": (ROOT / "tests" / "corpus" / "gold", ROOT / "tests" / "corpus" / "raw"),
    "written-heldout": (ROOT / "tests" / "heldout" / "gold", ROOT / "tests" / "heldout" / "raw"),
}

# cause → what goes wrong, in one sentence
CAUSES: dict[str, str] = {
    "stop_by_reference": "a stop whose moment is a back-reference to another (届时, 同步暂停 in a 因…于X开始 clause) is not read as a stop",
    "day_and_bare_period": "an end printed as a day and a bare period of the day with no hour (25日中午) is not read: the end stays open",
    "stop_implied_by_exception": "a stop implied by an exception clause (除继续暂停办理工伤住院结算外) is not read",
    "switch_date_as_stop": "a switch-over date is read as a stop, and a window stated across two sentences is not joined",
    "province_notice_under_city_headline": "a province's own notice (省直) reposted under a city's headline (2022济宁市…): the "
                                           "headline's city is taken, and the notice's date-only restatement of its window "
                                           "(定于3月15日至3月25日停机) is kept as a second window",
    "stop_inside_news_story": "a second stop told inside a news story (a hospital's account of the day) is not read",
    "end_refused_beyond_a_year": "an end printed more than a year after its start is refused by design (issue 20: a misread year must never reach the tables); the label keeps the printed range",
    "label_value_cards": "cards of '暂停时间: X起' / '恢复时间: …' lines: a card without a resumption line takes the next card's stop as a general resumption, and a card's own end is lost to a restatement",
    "repost_url_date": "the URL date of a content site that reposted an official notice is taken for the notice's date",
    "stamp_after_partial_stop": "a local site's page stamp two days after a partial first stop is set aside as a repost date, where the label keeps it",
    "city_from_newspaper_name": "the city is named only by a newspaper's name (客家新闻网 = 赣州) and is not read",
}

# (corpus, file) → (cause, the difference this test printed when the entry was written)
KNOWN_MISSES: dict[tuple[str, str], tuple[str, str]] = {
    ("real", "jiangmen-2021-cutover.txt"): ("stop_by_reference", "windows: missed [2021-04-20T00:00 → (open)]"),
    ("real", "luan-2021-cutover.txt"): ("stop_by_reference", "windows: missed [2021-10-28T18:00 → 2021-11-08T08:00]"),
    ("real", "jiangxi-2025-fund-c013.txt"): (
        "day_and_bare_period",
        "windows: missed [2025-03-25T09:00 → 2025-03-25T12:00]; extra [2025-03-25T09:00 → (open)]"),
    ("real", "jingmen-2021-outage-b003.txt"): ("stop_implied_by_exception", "windows: missed [2021-12-03T00:00 → (open)]"),
    ("real", "neimenggu-2021-cutover.txt"): (
        "switch_date_as_stop",
        "windows: missed [2021-11-01T00:00 → 2021-12-01T00:00]; extra [2021-11-30T00:00 → 2021-12-01T00:00]"),
    ("real", "shandong-2022-cutover.txt"): (
        "province_notice_under_city_headline",
        "windows: extra [2022-03-15T00:00 → 2022-03-26T00:00]; city: '济宁市' (label: none)"),
    ("real", "shenzhen-2012-hospital-d003.txt"): (
        "stop_inside_news_story", "windows: missed [2012-09-14T10:30 → 2012-09-14T15:00]"),
    ("real", "unnamed-2023-outage-d014.txt"): (
        "end_refused_beyond_a_year",
        "windows: missed [2023-12-31T20:00 → 2025-01-02T00:00]; extra [2023-12-31T20:00 → (open)]"),
    ("real", "wuhan-2021-cutover-b010.txt"): (
        "label_value_cards",
        "windows: missed [2021-12-14T17:30 → (open), 2021-12-15T00:00 → (open), 2021-12-22T18:00 → 2021-12-31T23:00]; "
        "extra [2021-12-14T17:30 → 2021-12-15T17:30, 2021-12-15T00:00 → 2021-12-15T17:30]"),
    ("real", "qingdao-2022-outage-c007.txt"): ("repost_url_date", "published: '2022-12-19' (label: none)"),
    ("real", "tianmen-2021-cutover.txt"): ("stamp_after_partial_stop", "published: none (label: '2021-09-24')"),
    ("written-heldout", "ganzhou-2021-cutover-news.txt"): ("city_from_newspaper_name", "city: none (label: '赣州市')"),
}


def _labels() -> Iterator[tuple[str, Path]]:
    for corpus, (gold, _) in CORPORA.items():
        for path in sorted(gold.glob("*.json")):
            yield corpus, path


def _pairs(windows: set[tuple[str, str]]) -> str:
    return ", ".join(f"{s} → {e or '(open)'}" for s, e in sorted(windows))


def _value(v: object) -> str:
    return f"'{v}'" if v else "none"


def difference(label: dict, frames: dict) -> str:
    """What the outputs say of one labelled notice that its label does not, ``""`` when they agree:
    ``"windows: missed [2021-04-20T00:00 → (open)]; published: none (label: '2021-09-24')"``."""
    notices = frames["notices"]
    row = notices[notices["source_file"].map(lambda f: Path(str(f)).name) == label["file"]]
    if row.empty:
        return "no row in notices"
    n = row.iloc[0].to_dict()
    parts = []
    if label.get("windows") is not None:
        w = frames["outage_windows"]
        w = w[w["notice_id"] == n["notice_id"]]
        got = {(minute_text(s), minute_text(e)) for s, e in zip(w["start_at"], w["end_at"])}
        want = label_windows(label)
        miss, extra = want - got, got - want
        if miss or extra:
            parts.append("windows: " + "; ".join(
                ([f"missed [{_pairs(miss)}]"] if miss else []) + ([f"extra [{_pairs(extra)}]"] if extra else [])))
    c = frames["contacts"]
    phones = {p for p in c[c["notice_id"] == n["notice_id"]]["phone_e164"] if isinstance(p, str) and p}
    if phones != set(label.get("phones_e164", [])):
        parts.append(f"phones: {sorted(phones)} (label: {sorted(label.get('phones_e164', []))})")
    city = n["city"] if isinstance(n["city"], str) else None
    if (city or None) != (label.get("city") or None):
        parts.append(f"city: {_value(city)} (label: {_value(label.get('city'))})")
    published = minute_text(n["published_on"])[:10] if n["published_on"] is not None and str(n["published_on"]) != "NaT" else None
    if (published or None) != (label.get("published_on") or None):
        parts.append(f"published: {_value(published)} (label: {_value(label.get('published_on'))})")
    return "; ".join(parts)


class KnownMiss(AssertionError):
    """The recorded miss, exactly: what a strict expected failure of this module may raise."""


@pytest.fixture(scope="module")
def frames(request, shipped_frames) -> dict[str, dict]:
    """Validated frames per corpus: the session's shipped run for the real notices, one run each for the written corpora."""
    from pipeline.runner.engine import run_pipeline
    from pipeline.validate import validate_tables

    out = {"real": shipped_frames}
    for corpus in ("written", "written-heldout"):
        result = run_pipeline(CORPORA[corpus][1])
        out[corpus] = validate_tables(result.rows, result.source_of)[0]
    return out


def _params() -> list:
    params = []
    for corpus, path in _labels():
        known = KNOWN_MISSES.get((corpus, path.stem + ".txt"))
        marks = [pytest.mark.xfail(strict=True, raises=KnownMiss, reason=f"{known[0]}: {CAUSES[known[0]]}")] if known else []
        params.append(pytest.param(corpus, path, id=f"{corpus}/{path.stem}", marks=marks))
    return params


@pytest.mark.parametrize(("corpus", "path"), _params())
def test_the_notice_is_read_as_labelled(corpus: str, path: Path, frames: dict) -> None:
    label = json.loads(path.read_text(encoding="utf-8"))
    diff = difference(label, frames[corpus])
    known = KNOWN_MISSES.get((corpus, label["file"]))
    if known is not None and diff:
        assert diff == known[1], f"a known miss changed: now {diff!r}"
        raise KnownMiss(f"{known[0]}: {diff}")
    assert diff == "", diff


def test_known_misses_name_a_cause_and_a_labelled_file() -> None:
    files = {(corpus, p.stem + ".txt") for corpus, p in _labels()}
    for key, (cause, diff) in KNOWN_MISSES.items():
        assert key in files and cause in CAUSES and diff, key
    unused = set(CAUSES) - {cause for cause, _ in KNOWN_MISSES.values()}
    assert not unused, f"causes no known miss has any more (delete them from CAUSES): {sorted(unused)}"


if __name__ == "__main__":  # print every current difference, for a person updating KNOWN_MISSES
    import sys

    sys.path.insert(0, str(ROOT))
    from pipeline.runner.engine import run_pipeline
    from pipeline.validate import validate_tables

    for corpus, (gold, raw) in CORPORA.items():
        result = run_pipeline(raw)
        fr = validate_tables(result.rows, result.source_of)[0]
        for path in sorted(gold.glob("*.json")):
            d = difference(json.loads(path.read_text(encoding="utf-8")), fr)
            if d:
                print(f"({corpus!r}, {path.stem + '.txt'!r}): {d!r}")
