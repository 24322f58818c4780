"""Parallel extraction gives exactly the rows of a serial run, in the same order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.commands.run import run
from pipeline.runner.engine import PARALLEL_MIN_FILES, resolve_jobs, run_pipeline

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """raw/, the labelled test corpus and the bad inputs in one folder: 60+ files of every kind."""
    root = tmp_path_factory.mktemp("parallel") / "raw"
    shutil.copytree(REPO / "raw", root)
    shutil.copytree(REPO / "tests" / "corpus" / "raw", root / "corpus")
    shutil.copytree(REPO / "tests" / "bad" / "inputs", root / "bad")
    return root


def test_parallel_rows_equal_serial_rows(corpus: Path) -> None:
    serial = run_pipeline(corpus, jobs=1)
    parallel = run_pipeline(corpus, jobs=2)
    assert parallel.files_read == serial.files_read >= PARALLEL_MIN_FILES
    assert parallel.rows == serial.rows
    assert parallel.errors == serial.errors
    assert parallel.source_of == serial.source_of


def test_parallel_output_files_equal_serial_files(corpus: Path, tmp_path: Path) -> None:
    assert run(corpus, tmp_path / "serial", quiet=True, jobs=1, cache=False) == 0
    assert run(corpus, tmp_path / "parallel", quiet=True, jobs=2, cache=False) == 0
    for csv_file in sorted((tmp_path / "serial").glob("*.csv")):
        assert csv_file.read_bytes() == (tmp_path / "parallel" / csv_file.name).read_bytes(), csv_file.name


def test_default_jobs_serial_for_small_corpora() -> None:
    assert resolve_jobs(None, PARALLEL_MIN_FILES - 1) == 1
    assert resolve_jobs(None, PARALLEL_MIN_FILES) == (os.cpu_count() or 1)
    assert resolve_jobs(0, 10_000) == (os.cpu_count() or 1)
    assert resolve_jobs(3, 5) == 3
