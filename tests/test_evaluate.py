"""``pipeline eval`` scores exactly as ``../shared/tools/score.py`` and never scores nothing.

The fixture ``tests/fixtures/eval_agreement`` is a hand-made output folder with four labels; its
summary line below was worked out by hand from those files (not copied from either program):

- windows: a.txt 1 of 1 gold found plus 1 extra, b.txt's start found with the wrong end, c.txt
  not scored (``windows: null``), d.txt missing (1 gold) → tp 1, predicted 3, gold 3;
- starts: a.txt 1 right of 2 predicted, b.txt 1 of 1 → tp 2, predicted 3, gold 2 → F1 0.80;
  ends ok: a.txt's right, b.txt's wrong → 1/2;
- phones: a.txt's one number right; d.txt's missed (missing file) → P 1.00, R 0.50;
- city: a.txt right, b.txt invented (label null), c.txt missed → 1/3, invented 1;
- published: a.txt and c.txt right, b.txt invented → 2/3, invented 1;
- guidance: only c.txt carries labels: 1 of 2 pairs right, 2 predicted → F1 0.50 on 1 file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.commands.evaluate import GoldError, evaluate, score_output

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "eval_agreement"
# the shared scorer, copied into the repository (tests/test_shared_copies.py keeps the copy equal to
# ../shared/tools/score.py when that is beside the repository): a fresh clone runs this test too
SCORER = ROOT / "tests" / "real" / "score.py"

EXPECTED = ("files 4 (missing 1) | windows P=0.33 R=0.33 F1=0.33 | phones P=1.00 R=0.50 F1=0.67 | "
            "city 1/3 | published 2/3 | starts=0.80 ends ok 1/2 | guidance pairs=0.50 on 1 files | "
            "invented city=1 published=1")


def _scorer_line(out: Path, gold: Path) -> str:
    proc = subprocess.run([sys.executable, str(SCORER), str(out), str(gold)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def _eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "eval", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_summary_line_of_the_fixture_as_worked_out_by_hand():
    sc = score_output(FIXTURE / "out", FIXTURE / "gold")
    assert sc.summary_line() == EXPECTED
    s = sc.summary()
    assert (s["city_invented"], s["published_invented"]) == (1, 1)


def test_eval_command_prints_the_same_summary_line():
    proc = _eval("--gold", str(FIXTURE / "gold"), "--out", str(FIXTURE / "out"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == EXPECTED


def test_the_official_scorer_agrees_on_the_fixture():
    assert _scorer_line(FIXTURE / "out", FIXTURE / "gold") == EXPECTED


def test_a_value_where_the_label_has_none_is_wrong(tmp_path):
    """Only b.txt's label, whose city and date are null: the output's 长沙市 and 2023-04-19 are invented."""
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy(FIXTURE / "gold" / "b.json", gold)
    s = score_output(FIXTURE / "out", gold).summary()
    assert (s["city_ok"], s["city_n"], s["city_invented"]) == (0, 1, 1)
    assert (s["published_ok"], s["published_n"], s["published_invented"]) == (0, 1, 1)


@pytest.mark.parametrize("make", ["missing", "empty", "unrelated"])
def test_gold_that_cannot_be_scored_is_an_error_not_a_perfect_score(tmp_path, make):
    gold = tmp_path / "gold"
    if make != "missing":
        gold.mkdir()
    if make == "unrelated":
        (gold / "x.json").write_text(json.dumps({"file": "no-such-notice.txt", "city": None}), encoding="utf-8")
    with pytest.raises(GoldError):
        score_output(FIXTURE / "out", gold)
    proc = _eval("--gold", str(gold), "--out", str(FIXTURE / "out"))
    assert proc.returncode == 2
    assert "pipeline eval:" in proc.stderr and "F1" not in proc.stdout
    # the in-memory run refuses before running anything
    proc = _eval("--gold", str(gold), "--raw", str(ROOT / "tests" / "corpus" / "raw"))
    assert proc.returncode == 2 and "F1" not in proc.stdout


def test_in_memory_eval_and_the_published_csv_score_alike(tmp_path):
    """A real run of three written notices: ``eval`` (in memory) and ``eval --out`` (the CSV files
    the run wrote) give one summary line, and so does the official scorer when it is beside the repo.
    One label is changed to a province-wide reading (city null) so an invented city is counted."""
    raw, gold, out = tmp_path / "raw", tmp_path / "gold", tmp_path / "out"
    raw.mkdir()
    gold.mkdir()
    corpus = ROOT / "tests" / "corpus"
    for stem in ("beijing-2020-year-end", "nanjing-2019-year-end-news", "xuzhou-2019-social-security-news"):
        shutil.copy(corpus / "raw" / f"{stem}.txt", raw)
        shutil.copy(corpus / "gold" / f"{stem}.json", gold)
    relabel = gold / "nanjing-2019-year-end-news.json"
    data = json.loads(relabel.read_text(encoding="utf-8"))
    data["city"] = None
    relabel.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    from_csv = score_output(out, gold).summary_line()
    assert from_csv.endswith("invented city=1 published=0"), from_csv
    assert evaluate(raw, gold).summary_line() == from_csv
    if SCORER.exists():
        assert _scorer_line(out, gold) == from_csv
