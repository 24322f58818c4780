"""Files made to stall or sink a run (tests/bad/pathological.py) beside the shipped notices.

The corpus is generated into a temporary folder (a zip bomb inflates to 1 GiB: it is never
committed). One run over raw/ plus every pathological file must finish, account for every
file (a notices row or an errors row), give each pathological file what ``EXPECTED`` says —
its notice's rows or an errors row that says what to do — within its budget (no file is
stopped by the time or memory limit: the readers refuse or read them first), and leave the
rows of the shipped notices exactly as a run without them (conftest's ``shipped_run``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import pipeline.runner.engine as run_mod
from pipeline.commands.run import run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "bad"))

from helpers import NOTICE_TABLES, TABLES, read_csv, read_table_csv  # noqa: E402
from pathological import EXPECTED, write_corpus  # noqa: E402

SUB = "patho"
CHANGING = f"{SUB}/changing.txt"


def _changing_while_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """``changing.txt`` gets a line appended right after the run hashed it (a download in progress)."""
    real = run_mod._sha256_file

    def hash_then_change(path: Path) -> str:
        digest = real(path)
        if str(path).endswith(CHANGING):
            with open(path, "a", encoding="utf-8") as f:
                f.write("（未完）\n")
        return digest

    monkeypatch.setattr(run_mod, "_sha256_file", hash_then_change)


@pytest.fixture(scope="module")
def mixed_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("pathological") / "raw"
    shutil.copytree(REPO / "raw", raw)
    write_corpus(raw / SUB)
    return raw


@pytest.fixture(scope="module")
def mixed(mixed_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one default run (default budget, default jobs) over raw/ and the corpus."""
    out = tmp_path_factory.mktemp("pathological-out")
    with pytest.MonkeyPatch.context() as mp:
        _changing_while_read(mp)
        assert run(mixed_raw, out, quiet=True) == 0
    return out


def test_every_file_is_accounted_for(mixed: Path, mixed_raw: Path) -> None:
    files = {p.relative_to(mixed_raw).as_posix() for p in run_mod.discover(mixed_raw)}
    noticed = [n["source_file"] for n in read_table_csv(mixed, "notices")]
    errored = [e["source_file"] for e in read_table_csv(mixed, "errors")]
    assert sorted(noticed + errored) == sorted(files), "each file: exactly one notices row or one errors row"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pathological_file_gives_its_rows_or_an_actionable_error(mixed: Path, name: str) -> None:
    expected = EXPECTED[name]
    source = f"{SUB}/{name}"
    errors = [e for e in read_table_csv(mixed, "errors") if e["source_file"] == source]
    notices = [n for n in read_table_csv(mixed, "notices") if n["source_file"] == source]
    if errors:
        assert expected.error_words, f"{name} should have been read, got {errors}"
        for word in expected.error_words:
            assert word in errors[0]["error"], errors[0]["error"]
        return
    assert expected.window is not None, f"{name} should have been refused"
    (notice,) = notices
    windows = [w for w in read_table_csv(mixed, "outage_windows") if w["notice_id"] == notice["notice_id"]]
    assert notice["city"] == expected.city
    assert [(w["start_at"], w["end_at"]) for w in windows] == [expected.window]


def test_no_file_needed_the_budget_or_crashed_a_reader(mixed: Path) -> None:
    """Every pathological file is settled by a reader within its budget, none stopped by a limit."""
    messages = [e["error"] for e in read_table_csv(mixed, "errors")]
    assert not [m for m in messages if m.startswith(("stopped", "the worker", "unexpected"))], messages


def test_shipped_notices_rows_are_unchanged(mixed: Path, shipped_run: Path) -> None:
    good_ids = {r[0] for r in read_csv(shipped_run / "notices.csv")[1:]}
    for name in NOTICE_TABLES:
        good = read_csv(shipped_run / f"{name}.csv")
        rows = read_csv(mixed / f"{name}.csv")
        assert good[0] == rows[0]
        assert good[1:] == [r for r in rows[1:] if r[0] in good_ids], f"{name}: rows of shipped notices changed"


def test_parallel_run_writes_the_same_tables(mixed: Path, mixed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mixed`` ran serially (fewer than PARALLEL_MIN_FILES files); two workers give the same files."""
    _changing_while_read(monkeypatch)
    assert run(mixed_raw, tmp_path / "parallel", quiet=True, jobs=2, cache=False) == 0
    for name in TABLES:
        assert (tmp_path / "parallel" / f"{name}.csv").read_bytes() == (mixed / f"{name}.csv").read_bytes(), name
