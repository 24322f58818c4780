"""Helpers of the crash and fault-injection tests (tests/test_crash.py, tests/test_faults.py).

A run is started in a subprocess through a *driver* that makes one step of it wait at a marker
file, so a signal lands exactly where a test wants it, every time, however loaded the machine
is: the test waits (generously) for the marker, signals, and lets the step go on by creating a
go-file. Every process a test starts, and every worker those start, is tracked and killed by
pid when the test ends, so the suite leaves no process behind even when an assertion fails.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers import TABLES

from pipeline.publish import DERIVED_FILES as DERIVED
from schemas.tables import DERIVED_TABLES

REPO = Path(__file__).resolve().parent.parent
# every table the schemas define (the contract's and those derived from them): a new one is checked too
PUBLISHED = (tuple(f"{t}.{ext}" for t in TABLES + tuple(d.name for d in DERIVED_TABLES) for ext in ("csv", "parquet"))
             + ("notices.duckdb", *DERIVED))
# real notices of raw/, small and varied (none of the ten held out from development: README)
OLD_NOTICES = ("ningbo-2015-year-end.txt", "haerbin-2021-outage-a001.txt", "shijiazhuang-2021-outage-a002.txt")
NEW_NOTICES = OLD_NOTICES + ("xian-2022-cutover-notice-and-guide.txt", "hangzhou-2022-cutover-notice.txt",
                             "suzhou-2021-cutover.txt", "lanzhou-2021-cutover.txt", "tianmen-2021-cutover.txt")
WAIT = 240.0  # seconds to wait for a subprocess to reach a point: far more than it needs, even under load

# Runs `pipeline run` with one step made to wait: it creates MARKER when it gets there, then waits
# for GO (a test that kills the run never creates it). Steps: extract (in every worker), write (the
# first CSV batch), database, datapackage, report, workbook (inside the row iterator the Rust writer
# consumes), swap (after the third file moved into place), stamp (before the stamp is written).
DRIVER = r"""
import os, sys, time
from pathlib import Path
marker, go, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]

def reached():
    marker.touch()
    deadline = time.monotonic() + 300
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

def before(module, name):
    real = getattr(module, name)
    def waiting(*a, **k):
        reached()
        return real(*a, **k)
    setattr(module, name, waiting)

import pipeline.publish.tables as tables
if step == "extract":
    import pipeline.read.normalize as normalize
    real_normalize = normalize.normalize_document
    def slow(doc):
        reached()
        return real_normalize(doc)
    normalize.normalize_document = slow
elif step == "write":
    real_csv = tables.write_csv
    def slow_csv(*a, **k):
        real_csv(*a, **k)
        reached()
    tables.write_csv = slow_csv
elif step == "database":
    before(tables, "build_database")
elif step == "datapackage":
    import pipeline.publish.datapackage as datapackage
    before(datapackage, "write_datapackage")
elif step == "report":
    import pipeline.publish.report as report
    before(report, "write_report")
elif step == "workbook":
    import pipeline.publish.workbook as workbook
    real_rows = workbook._rows
    def slow_rows(*a, **k):
        for i, row in enumerate(real_rows(*a, **k)):
            if i == 0:
                reached()
            yield row
    workbook._rows = slow_rows
elif step == "swap":
    real_replace = os.replace
    moved = []
    def slow_replace(src, dst):
        real_replace(src, dst)
        if tables.STAGING_PREFIX in str(src) and tables.STAGING_PREFIX not in str(dst):  # staging → outputs
            moved.append(dst)
            if len(moved) == 3:
                reached()
    os.replace = slow_replace
elif step == "stamp":
    before(tables, "write_stamp")
from pipeline.cli import main
sys.exit(main(["run", *args]))
"""


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = str(REPO) + os.pathsep + out.get("PYTHONPATH", "")
    out.update(extra)
    return out


def cli(*args: str, timeout: float = 600, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline ARGS`` in a subprocess, its output captured."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=env(**extra_env),
                          capture_output=True, text=True, timeout=timeout)


def make_raw(folder: Path, names: tuple[str, ...]) -> Path:
    """A raw folder with copies of ``names`` from raw/ and their manifest rows."""
    folder.mkdir(parents=True)
    with (REPO / "raw" / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["file"] in names]
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "url", "city", "published", "fetched_at"], extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    for name in names:
        (folder / name).write_bytes((REPO / "raw" / name).read_bytes())
    return folder


# --- processes ---------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, ppid)`` of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped does not count)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (its workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[1], []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return {p for p in found if alive(p)}


def wait_until_gone(pids: set[int], timeout: float) -> set[int]:
    """Poll until every pid has ended or ``timeout`` passed; return those still alive."""
    deadline = time.monotonic() + timeout
    left = {p for p in pids if alive(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {p for p in left if alive(p)}
    return left


def wait_for(condition, timeout: float = WAIT, what: str = "the condition", proc: subprocess.Popen | None = None) -> None:
    """Poll ``condition()`` every 50 ms; fail the test (with the subprocess's stderr) after ``timeout``."""
    import pytest

    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"the run ended (status {proc.returncode}) before {what}: {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout:g} s")
        time.sleep(0.05)


class Processes:
    """The processes a test started and every descendant seen of them; :meth:`cleanup` kills
    those still alive, by pid (a pid is only killed if it still runs Python)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.seen: set[int] = set()

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(args, cwd=REPO, env=kwargs.pop("env", env()), **kwargs)
        self.procs.append(proc)
        return proc

    def note(self) -> set[int]:
        """Record (and return) the living descendants of every started process."""
        now = set()
        for proc in self.procs:
            now |= descendants(proc.pid)
        self.seen |= now
        return now

    def cleanup(self) -> None:
        self.note()
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=60)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        for pid in wait_until_gone(self.seen, 0):
            try:
                if "python" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        wait_until_gone(self.seen, 30)


@contextmanager
def processes() -> Iterator[Processes]:
    """``with processes() as ps: proc = ps.start([...])`` — nothing outlives the block."""
    ps = Processes()
    try:
        yield ps
    finally:
        ps.cleanup()


class Stopped:
    """A driver run stopped at a step: ``proc`` (ended), its stderr, the workers it had."""

    def __init__(self, proc: subprocess.Popen, stderr: str, workers: set[int]) -> None:
        self.proc, self.stderr, self.workers = proc, stderr, workers
        self.returncode = proc.returncode


def stop_at(ps: Processes, tmp: Path, step: str, signum: int, args: list[str]) -> Stopped:
    """Run ``pipeline run ARGS`` until it reaches ``step``, send ``signum``, let it go on, wait for its end."""
    marker, go = tmp / f"reached-{step}", tmp / f"go-{step}"
    marker.unlink(missing_ok=True)
    go.unlink(missing_ok=True)
    proc = ps.start([sys.executable, "-c", DRIVER, str(marker), str(go), step, *args],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(marker.exists, what=f"the run to reach {step}", proc=proc)
    workers = ps.note()
    os.kill(proc.pid, signum)
    go.touch()  # a signal that is held back (the swap) lets the run finish its moves first
    try:
        _, stderr = proc.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
    return Stopped(proc, stderr or "", workers)


# --- outputs -----------------------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (dot-files, the lock and the cache, left out)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


def stamp(out: Path) -> dict | None:
    path = out / ".cache" / "outputs.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def assert_one_complete_generation(out: Path) -> dict:
    """The outputs are one generation, complete and as stamped: every published file present,
    the stamp complete and listing exactly them, each file's SHA-256 the one the run staged it
    with, and every table with the same rows in CSV, Parquet and DuckDB. Returns the stamp."""
    import duckdb
    import pyarrow.parquet as pq

    body = stamp(out)
    assert body is not None, "no stamp: the outputs are not known to be one generation"
    assert body["complete"] is True, body
    assert sorted(body["files"]) == sorted(PUBLISHED), sorted(body["files"])
    for name, entry in body["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], f"{name} is not the stamped one"
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        for name in TABLES:
            n_db = con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
            n_parquet = pq.read_table(out / f"{name}.parquet").num_rows
            with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
                n_csv = len(list(csv.reader(f))) - 1
            assert n_db == n_parquet == n_csv, (name, n_db, n_parquet, n_csv)
    finally:
        con.close()
    return body


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
