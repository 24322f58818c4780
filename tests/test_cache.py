"""Incremental runs: unchanged files are not extracted again, and the cache never changes output."""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import TABLES

import pipeline.runner.cache as cache_mod
import pipeline.runner.engine as run_mod
from pipeline.cli import build_parser
from pipeline.commands.run import run
from pipeline.extract import SourceHints
from pipeline.runner.cache import CACHE_DIR, CACHE_FILE, ExtractionCache, cache_key, pipeline_fingerprint
from pipeline.runner.engine import run_pipeline

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    """A private copy of raw/ that a test may change."""
    dst = tmp_path / "raw"
    shutil.copytree(REPO / "raw", dst)
    return dst


class _CallLog:
    """Calls recorded by forked worker processes: each appends a line to a file (O_APPEND
    writes of one short line do not interleave); reading it back gives the calls in order."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(name + "\n")

    def _read(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._read())

    def __eq__(self, other: object) -> bool:
        return self._read() == other

    def __repr__(self) -> str:
        return repr(self._read())


@pytest.fixture()
def extract_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> _CallLog:
    """Every call of extract_notice (and so of reading) during the test, by source file.

    Extraction runs in worker processes (pipeline.runner.budget), forked after the patch is made.
    """
    calls = _CallLog(tmp_path / "extract-calls.log")
    real = run_mod.extract_notice

    def counting(doc, *args, **kwargs):
        calls.append(doc.source_file)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(run_mod, "extract_notice", counting)
    return calls


def _n_notices(raw: Path) -> int:
    return len(run_mod.discover(raw))


def test_rerun_with_nothing_changed_extracts_nothing(raw: Path, tmp_path: Path, extract_calls: _CallLog) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    first = run_pipeline(raw, cache_dir, jobs=1)
    assert len(extract_calls) == _n_notices(raw)
    extract_calls.clear()
    second = run_pipeline(raw, cache_dir, jobs=1)
    assert extract_calls == []
    assert second.rows == first.rows and second.errors == first.errors


def test_one_changed_file_is_the_only_one_extracted(raw: Path, tmp_path: Path, extract_calls: _CallLog) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    run_pipeline(raw, cache_dir, jobs=1)
    extract_calls.clear()
    target = raw / "suzhou-2021-cutover.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n特此通告。\n", encoding="utf-8")
    run_pipeline(raw, cache_dir, jobs=1)
    assert extract_calls == ["suzhou-2021-cutover.txt"]


def test_changed_manifest_hint_re_extracts_that_file(raw: Path, tmp_path: Path, extract_calls: _CallLog) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    run_pipeline(raw, cache_dir, jobs=1)
    extract_calls.clear()
    manifest = raw / "manifest.csv"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("qingdao-2021-cutover-forum.txt,,,,", "qingdao-2021-cutover-forum.txt,,青岛市,,"), encoding="utf-8")
    run_pipeline(raw, cache_dir, jobs=1)
    assert extract_calls == ["qingdao-2021-cutover-forum.txt"]


def test_full_forces_every_file(raw: Path, tmp_path: Path, extract_calls: _CallLog) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    extract_calls.clear()
    assert run(raw, out, quiet=True) == 0
    assert extract_calls == []
    assert run(raw, out, quiet=True, full=True) == 0
    assert len(extract_calls) == _n_notices(raw)


def test_output_is_identical_with_and_without_cache(raw: Path, tmp_path: Path) -> None:
    cached, uncached = tmp_path / "cached", tmp_path / "uncached"
    assert run(raw, cached, quiet=True) == 0  # cold: fills the cache
    assert run(raw, cached, quiet=True) == 0  # warm: every row from the cache
    assert run(raw, uncached, quiet=True, cache=False) == 0
    assert not (uncached / CACHE_DIR).exists()
    for name in TABLES:
        assert (cached / f"{name}.csv").read_bytes() == (uncached / f"{name}.csv").read_bytes(), name
        assert pq.read_table(cached / f"{name}.parquet").equals(pq.read_table(uncached / f"{name}.parquet")), name


def test_cache_keeps_only_entries_of_the_last_run(raw: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    run_pipeline(raw, cache_dir, jobs=1)
    (raw / "ningbo-2015-year-end.txt").unlink()
    run_pipeline(raw, cache_dir, jobs=1)
    with ExtractionCache(cache_dir) as cache:
        assert len(cache) == _n_notices(raw)


def test_a_corrupt_cache_file_is_replaced_not_fatal(raw: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "out" / CACHE_DIR
    cache_dir.mkdir(parents=True)
    (cache_dir / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    result = run_pipeline(raw, cache_dir, jobs=1)
    assert len(result.rows["notices"]) == _n_notices(raw)
    with ExtractionCache(cache_dir) as cache:
        assert len(cache) == _n_notices(raw)


def test_key_depends_on_bytes_path_hints_and_code() -> None:
    base = cache_key("0" * 64, "a.txt", SourceHints())
    assert cache_key("1" * 64, "a.txt", SourceHints()) != base
    assert cache_key("0" * 64, "b.txt", SourceHints()) != base
    assert cache_key("0" * 64, "a.txt", SourceHints(published=date(2021, 1, 1))) != base
    assert cache_key("0" * 64, "a.txt", SourceHints(), fingerprint="other-code") != base
    assert cache_key("0" * 64, "a.txt", SourceHints()) == base


def test_fingerprint_changes_when_pipeline_source_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pipeline"
    shutil.copytree(cache_mod._PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_mod, "_PACKAGE_DIR", package)
    pipeline_fingerprint.cache_clear()
    try:
        before = pipeline_fingerprint()
        timeexpr = package / "extract" / "timeexpr.py"
        timeexpr.write_text(timeexpr.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
        pipeline_fingerprint.cache_clear()
        assert pipeline_fingerprint() != before
    finally:
        pipeline_fingerprint.cache_clear()


def test_run_command_accepts_full_jobs_and_no_cache() -> None:
    args = build_parser().parse_args(["run", "--full", "--jobs", "2", "--no-cache"])
    assert args.full is True and args.jobs == 2 and args.cache is False
    args = build_parser().parse_args(["run"])
    assert args.full is False and args.jobs is None and args.cache is True


@pytest.fixture()
def write_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time the load stage moved a generation of outputs into place, by output folder."""
    import pipeline.publish.tables as load_mod

    calls: list[Path] = []
    real = load_mod.Generation.commit

    def counting(self, *args, **kwargs):
        calls.append(self.out_dir)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(load_mod.Generation, "commit", counting)
    return calls


def test_rerun_with_nothing_changed_writes_nothing(raw: Path, tmp_path: Path, write_calls: list[Path], caplog) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    def outputs() -> dict[str, int]:  # the lock file is touched by every run that takes it: not an output
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}

    before = outputs()
    with caplog.at_level(logging.INFO, logger="pipeline"):
        assert run(raw, out) == 0
    assert len(write_calls) == 1
    assert "is up to date" in caplog.text
    assert outputs() == before and "report.html" in before


@pytest.mark.parametrize("damage", ["touch", "delete"])
def test_touched_or_deleted_output_is_rebuilt(raw: Path, tmp_path: Path, write_calls: list[Path], damage: str) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    victim = out / "contacts.csv"
    if damage == "touch":
        victim.write_bytes(victim.read_bytes() + b"edited by hand\n")
    else:
        victim.unlink()
    assert run(raw, out, quiet=True) == 0
    assert len(write_calls) == 2
    assert b"edited by hand" not in victim.read_bytes()


def test_changed_raw_file_is_not_up_to_date(raw: Path, tmp_path: Path, write_calls: list[Path]) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    (raw / "new-notice.txt").write_bytes((raw / "suzhou-2021-cutover.txt").read_bytes() + "\n特此通告。\n".encode())
    assert run(raw, out, quiet=True) == 0
    assert len(write_calls) == 2
