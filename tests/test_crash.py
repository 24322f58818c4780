"""A run killed while writing leaves whole, readable outputs; two runs on one folder take turns.

The pipeline runs in a subprocess that is SIGKILLed at a chosen moment: while the new files are
being written (the previous outputs must be untouched), or halfway through moving them into
place (every file must still be whole, and the next run rolls the set forward to one
generation). A driver script (tests/faults.py) makes the chosen step wait at a marker file, so
the kill lands where the test wants it, every time. Every process a test starts, and its
workers, is reaped by pid (tests/faults.py): the suite leaves no process behind.
"""

from __future__ import annotations

import csv
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from faults import REPO, env, processes, stop_at, wait_until_gone
from filelock import FileLock
from helpers import TABLES, cli, cli_popen

from pipeline.publish.tables import (
    COMPLETE_MARKER,
    LOCK_NAME,
    LOCK_TIMEOUT_ENV,
    STAGING_PREFIX,
    locked_outputs,
    recover_outputs,
)


def _env(**extra: str) -> dict[str, str]:
    return env(**extra)


def _run(raw: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return cli("run", "--out", str(out), "--raw", str(raw), "--quiet", env=_env(**env))  # --out first: tests/faults.py


def _kill_at(mode: str, raw: Path, out: Path, tmp_path: Path) -> None:
    """Start the driver (tests/faults.py), wait until it reaches the step, SIGKILL it; its workers must follow."""
    with processes() as ps:
        stopped = stop_at(ps, tmp_path, mode, signal.SIGKILL, ["--out", str(out), "--raw", str(raw), "--quiet", "--no-cache"])
        assert not wait_until_gone(stopped.workers, 15), "workers outlived their killed parent"
    assert stopped.returncode == -signal.SIGKILL


def assert_readable(out: Path) -> dict[str, int]:
    """Every output opens in every format with the same row count; returns rows per table."""
    counts = {}
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        for name in TABLES:
            n_db = con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
            n_parquet = pq.read_table(out / f"{name}.parquet").num_rows
            with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
                n_csv = len(list(csv.reader(f))) - 1
            assert n_db == n_parquet == n_csv, (name, n_db, n_parquet, n_csv)
            counts[name] = n_csv
    finally:
        con.close()
    return counts


def assert_each_file_whole(out: Path) -> None:
    """Every output file opens on its own (a kill inside the swap may mix two runs' files)."""
    for name in TABLES:
        pq.read_table(out / f"{name}.parquet")
        with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            list(csv.reader(f))
    duckdb.connect(str(out / "notices.duckdb"), read_only=True).close()


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture()
def two_corpora(tmp_path: Path) -> tuple[Path, Path]:
    """``old``: five notices of raw/; ``new``: all of raw/ — so each file tells which run wrote it."""
    old, new = tmp_path / "raw-old", tmp_path / "raw-new"
    shutil.copytree(REPO / "raw", new)
    old.mkdir()
    for path in sorted((REPO / "raw").glob("*.txt"))[:5]:
        shutil.copy(path, old / path.name)
    return old, new


def test_kill_while_writing_keeps_previous_outputs(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_corpora
    out = tmp_path / "out"
    assert _run(old, out).returncode == 0
    before = _snapshot(out)
    _kill_at("write", new, out, tmp_path)
    assert _snapshot(out) == before, "a killed run changed the previous outputs"
    assert assert_readable(out)["notices"] == 5
    assert list(out.glob(STAGING_PREFIX + "*")), "the killed run's staging folder should be left behind"
    result = _run(new, out)
    assert result.returncode == 0, result.stderr
    assert not list(out.glob(STAGING_PREFIX + "*")), "the next run must clean up the staging folder"
    assert assert_readable(out)["notices"] == len(list(new.glob("*.txt")))


def test_kill_during_swap_leaves_whole_files_and_rolls_forward(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_corpora
    out, reference = tmp_path / "out", tmp_path / "reference"
    assert _run(old, out).returncode == 0
    assert _run(new, reference).returncode == 0
    _kill_at("swap", new, out, tmp_path)
    (staging,) = out.glob(STAGING_PREFIX + "*")
    assert (staging / COMPLETE_MARKER).exists()
    # mid-swap every single file is whole (each was replaced atomically) even if the set is mixed
    assert_each_file_whole(out)
    with locked_outputs(out, timeout=5):
        assert recover_outputs(out) == [f"rolled forward {staging.name}"]
    assert not staging.exists()
    for name in TABLES:  # one generation again: the killed run's
        assert (out / f"{name}.csv").read_bytes() == (reference / f"{name}.csv").read_bytes(), name
    assert assert_readable(out)["notices"] == len(list(new.glob("*.txt")))
    assert _run(new, out).returncode == 0


def test_kill_at_random_moments_never_breaks_outputs(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    """Unscripted kills at spread-out moments of a real run (start-up, extraction, writing); the
    killed run's workers end with it (they once lived on for 40 minutes after the suite)."""
    old, new = two_corpora
    out = tmp_path / "out"
    assert _run(old, out).returncode == 0
    for delay in (0.3, 1.0, 1.8, 2.6):
        with processes() as ps:
            proc = ps.start([sys.executable, "-m", "pipeline", "run", "--out", str(out), "--raw", str(new), "--quiet", "--full"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + delay
            workers: set[int] = set()
            while time.monotonic() < deadline and proc.poll() is None:
                workers |= ps.note()
                time.sleep(0.05)
            workers |= ps.note()
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            assert not wait_until_gone(workers, 15), f"workers {workers} outlived their killed parent"
        assert_each_file_whole(out)
        with locked_outputs(out, timeout=5):  # what the next run does first
            recover_outputs(out)
        assert assert_readable(out)["notices"] in (5, len(list(new.glob("*.txt"))))
    result = _run(new, out)
    assert result.returncode == 0, result.stderr
    assert assert_readable(out)["notices"] == len(list(new.glob("*.txt")))
    assert not list(out.glob(STAGING_PREFIX + "*"))


def test_second_run_fails_clearly_when_the_folder_stays_locked(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_corpora
    out = tmp_path / "out"
    assert _run(old, out).returncode == 0
    before = _snapshot(out)
    with FileLock(str(out / LOCK_NAME)):  # another run is writing
        result = _run(new, out, **{LOCK_TIMEOUT_ENV: "1"})
    assert result.returncode != 0
    assert "another pipeline run is writing to" in result.stderr
    assert LOCK_TIMEOUT_ENV in result.stderr
    assert _snapshot(out) == before


def test_second_run_waits_for_the_first(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_corpora
    out = tmp_path / "out"
    assert _run(old, out).returncode == 0
    lock = FileLock(str(out / LOCK_NAME))
    lock.acquire()
    try:
        proc = cli_popen("run", "--out", str(out), "--raw", str(new), "--quiet",
                         env=_env(**{LOCK_TIMEOUT_ENV: "120"}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)  # long enough for the run to reach the lock
        assert proc.poll() is None, "the second run should be waiting for the lock"
        assert assert_readable(out)["notices"] == 5
    finally:
        lock.release()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert assert_readable(out)["notices"] == len(list(new.glob("*.txt")))


def test_two_concurrent_runs_both_succeed_and_outputs_stay_whole(two_corpora: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_corpora
    out = tmp_path / "out"
    procs = [
        cli_popen("run", "--out", str(out), "--raw", str(raw), "--quiet",
                  env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for raw in (old, new)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 0, stderr
    assert assert_readable(out)["notices"] in (5, len(list(new.glob("*.txt"))))
    assert not list(out.glob(STAGING_PREFIX + "*"))
