"""The per-file budget (pipeline/runner/budget.py): limits fire, the run goes on, the cache remembers.

Each limit is made to fire on purpose — a task that sleeps far past a small time limit, one
that allocates far past a small memory limit, one that crashes — and the tests check what
comes back, never how long it took: a limit that did not fire would leave the test hanging
(sleep) or the allocation succeeding, and the assertions would fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

import pipeline.read.normalize as normalize_mod
import pipeline.runner.engine as run_mod
from pipeline.cli import build_parser
from pipeline.runner.budget import (
    DEFAULT_MEMORY_MB,
    DEFAULT_SECONDS,
    MEMORY_ENV,
    TIME_ENV,
    Budget,
    Overrun,
    mark_stage,
    run_budgeted,
)
from pipeline.runner.cache import CACHE_DIR
from pipeline.runner.engine import CHANGED_MESSAGE, run_pipeline

REPO = Path(__file__).resolve().parent.parent


# --- tasks for the workers (module level: the workers are forked and call them by reference) ---


def _task(arg: tuple[str, int]) -> str:
    """``("ok", n)`` returns at once; ``sleep`` never returns in time; ``alloc`` asks for n MB;
    ``crash`` kills its own process; ``extract`` marks the extract stage, then sleeps."""
    kind, n = arg
    if kind == "sleep":
        time.sleep(600)
    elif kind == "extract":
        mark_stage("extract")
        time.sleep(600)
    elif kind == "alloc":
        block = bytearray(n * 2**20)
        return f"allocated {len(block) >> 20}"
    elif kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return f"{kind}{n}"


def _results(items: list[tuple[str, int]], jobs: int, budget: Budget) -> list:
    return list(run_budgeted(_task, items, jobs, budget))


def test_results_come_back_in_input_order_serial_and_parallel() -> None:
    items = [("ok", i) for i in range(20)]
    expected = [f"ok{i}" for i in range(20)]
    assert _results(items, 1, Budget()) == expected
    assert _results(items, 3, Budget()) == expected


def test_time_limit_stops_a_task_and_the_rest_still_run() -> None:
    items = [("ok", 1), ("sleep", 0), ("ok", 2), ("sleep", 0), ("ok", 3)]
    for jobs in (1, 2):
        out = _results(items, jobs, Budget(seconds=0.5, memory_mb=0))
        assert out[0] == "ok1" and out[2] == "ok2" and out[4] == "ok3"
        for stopped in (out[1], out[3]):
            assert isinstance(stopped, Overrun) and stopped.limit == "time" and stopped.stage == "read"


def test_overrun_names_the_stage_the_worker_was_in() -> None:
    (out,) = _results([("extract", 0)], 1, Budget(seconds=0.5))
    assert isinstance(out, Overrun) and out.stage == "extract"
    assert "while extracting its rows" in out.message()


def test_memory_limit_stops_a_task_and_the_rest_still_run() -> None:
    items = [("alloc", 10), ("alloc", 600), ("alloc", 10)]
    for jobs in (1, 2):
        out = _results(items, jobs, Budget(seconds=60, memory_mb=100))
        assert out[0] == out[2] == "allocated 10"
        assert isinstance(out[1], Overrun) and out[1].limit == "memory"


def test_the_same_allocation_passes_without_a_memory_limit() -> None:
    """The control for the test above: 600 MB is not refused by the machine, only by the budget."""
    assert _results([("alloc", 600)], 1, Budget(seconds=60, memory_mb=0)) == ["allocated 600"]


def test_a_crashing_worker_is_reported_and_replaced() -> None:
    out = _results([("crash", 0), ("ok", 1), ("crash", 0), ("ok", 2)], 1, Budget())
    assert out[1] == "ok1" and out[3] == "ok2"
    for crash in (out[0], out[2]):
        assert isinstance(crash, Overrun) and crash.limit == "crash" and "SIGKILL" in crash.detail


def test_messages_say_which_limit_and_what_to_do() -> None:
    budget = Budget(seconds=7, memory_mb=300)
    time_msg = Overrun("time", "read", budget).message()
    assert "7 s" in time_msg and "--time-limit" in time_msg and TIME_ENV in time_msg and "raise the limit" in time_msg
    memory_msg = Overrun("memory", "extract", budget).message()
    assert "300 MB" in memory_msg and "--memory-limit" in memory_msg and MEMORY_ENV in memory_msg
    assert "memory limit" in Overrun("crash", "read", budget, "killed by SIGSEGV").message()


def test_budget_comes_from_flags_then_environment_then_defaults() -> None:
    assert Budget.resolve(environ={}) == Budget(DEFAULT_SECONDS, DEFAULT_MEMORY_MB)
    env = {TIME_ENV: "30", MEMORY_ENV: "1024"}
    assert Budget.resolve(environ=env) == Budget(30.0, 1024)
    assert Budget.resolve(5, None, environ=env) == Budget(5.0, 1024)
    assert Budget.resolve(0, 0, environ=env) == Budget(0.0, 0)
    with pytest.raises(ValueError, match=TIME_ENV):
        Budget.resolve(environ={TIME_ENV: "ten"})
    with pytest.raises(ValueError, match=MEMORY_ENV):
        Budget.resolve(None, -1, environ={})


def test_run_command_takes_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}
    import pipeline.commands.run as run_command

    monkeypatch.setattr(run_command, "run", lambda *a, **kw: seen.update(kw) or 0)
    monkeypatch.setenv(TIME_ENV, "30")
    args = build_parser().parse_args(["run", "--memory-limit", "256"])
    assert args.func(args) == 0
    assert seen["budget"] == Budget(30.0, 256)
    monkeypatch.setenv(MEMORY_ENV, "lots")
    args = build_parser().parse_args(["run"])
    assert args.func(args) == 2  # a bad variable is refused with a message, not a traceback


# --- in the pipeline ------------------------------------------------------------------------------

SLOW = "slow-notice.txt"


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    """raw/ plus one notice that the patch below makes slow."""
    dst = tmp_path / "raw"
    shutil.copytree(REPO / "raw", dst)
    (dst / SLOW).write_bytes((REPO / "tests" / "bad" / "inputs" / "gbk-undeclared.txt").read_bytes())
    return dst


@pytest.fixture()
def slow_extraction(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Normalising the slow notice hangs (once noted in a log file: the workers are processes)."""
    log = tmp_path / "slow-calls.log"
    real = normalize_mod.normalize_document

    def slow(doc):
        if doc.source_file == SLOW:
            with log.open("a") as f:
                f.write("called\n")
            time.sleep(600)
        return real(doc)

    monkeypatch.setattr(normalize_mod, "normalize_document", slow)  # process_file imports it at each call
    return log


def _rows_without(result, source_file: str) -> dict:
    return {t: [r for r in rows if r.get("notice_id") in result.source_of] for t, rows in result.rows.items()}


def test_a_file_over_its_time_limit_is_an_error_row_and_the_rest_are_unchanged(
    raw: Path, slow_extraction: Path, shipped_rows
) -> None:
    baseline = shipped_rows  # raw/ without the slow notice
    for jobs in (1, 2):
        # the slow notice sleeps for minutes; 5 s leaves room for a busy machine's real notices
        result = run_pipeline(raw, jobs=jobs, budget=Budget(seconds=5))
        (row,) = [e for e in result.errors if e["source_file"] == SLOW]
        assert row["stage"] == "extract" and "time limit" in row["error"]
        assert result.rows == baseline.rows
        assert not any(n["source_file"] == SLOW for n in result.rows["notices"])


def test_over_budget_is_remembered_for_those_bytes_and_retried_on_full_or_a_new_budget(
    raw: Path, slow_extraction: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    calls = lambda: len(slow_extraction.read_text().splitlines())  # noqa: E731
    first = run_pipeline(raw, cache_dir, budget=Budget(seconds=5))
    assert calls() == 1
    second = run_pipeline(raw, cache_dir, budget=Budget(seconds=5))
    assert calls() == 1, "the cached failure must not be paid for again"
    assert second.errors == first.errors and second.rows == first.rows
    run_pipeline(raw, cache_dir, full=True, budget=Budget(seconds=5))
    assert calls() == 2
    run_pipeline(raw, cache_dir, budget=Budget(seconds=6))  # a raised limit tries it again
    assert calls() == 3


def test_a_file_over_its_memory_limit_is_an_error_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The zip bomb with the reader's size check switched off: only the memory limit stands."""
    import sys

    import pipeline.read.docx as docx_mod

    sys.path.insert(0, str(REPO / "tests" / "bad"))
    from pathological import zip_bomb_docx

    raw = tmp_path / "raw"
    shutil.copytree(REPO / "raw", raw)
    (raw / "bomb.docx").write_bytes(zip_bomb_docx())
    monkeypatch.setattr(docx_mod, "MAX_XML_PART_BYTES", 2**40)
    monkeypatch.setattr(docx_mod, "MAX_PACKAGE_BYTES", 2**40)
    result = run_pipeline(raw, budget=Budget(seconds=120, memory_mb=200))
    (row,) = [e for e in result.errors if e["source_file"] == "bomb.docx"]
    assert row["stage"] == "read" and "memory limit of 200 MB" in row["error"]
    assert len(result.rows["notices"]) == len(run_mod.discover(REPO / "raw"))


def test_a_file_changed_while_read_is_an_error_row_and_not_cached(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = raw / "suzhou-2021-cutover.txt"
    real = run_mod._sha256_file

    def hash_then_change(path: Path) -> str:
        digest = real(path)
        if Path(path) == victim:  # a writer appends after the run hashed the file, before it reads it
            with open(path, "a", encoding="utf-8") as f:
                f.write("\n特此通告。\n")
        return digest

    monkeypatch.setattr(run_mod, "_sha256_file", hash_then_change)
    cache_dir = tmp_path / "out" / CACHE_DIR
    result = run_pipeline(raw, cache_dir)
    assert [e for e in result.errors if e["source_file"] == victim.name] == [
        {"source_file": victim.name, "stage": "read", "error": CHANGED_MESSAGE}
    ]
    monkeypatch.setattr(run_mod, "_sha256_file", real)
    again = run_pipeline(raw, cache_dir)  # the file is complete now: read, not the cached error
    assert not again.errors
    assert any(n["source_file"] == victim.name for n in again.rows["notices"])
