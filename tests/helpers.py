"""Helpers shared by the test modules: where things are, the table names, the command line.

One place for what every test file used to carry its own copy of: the repository root, the
names of the output tables (from :mod:`schemas.tables`, so a table added there is covered
everywhere), a ``python -m pipeline`` subprocess wrapper and a CSV reader. The session-wide
runs of the shipped corpus are fixtures in ``conftest.py``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from schemas.tables import TABLES as TABLE_SPECS

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
# The labels of the real notices, shipped in the repository (copies of ../shared's: see
# tests/test_shared_copies.py).
REAL_GOLD = ROOT / "tests" / "real" / "shared_gold"

# Every output table, in the order they are written: ("notices", …, "errors").
TABLES: tuple[str, ...] = tuple(spec.name for spec in TABLE_SPECS)
# The tables a notice's rows go to (every table but errors, which is per file).
NOTICE_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "errors")

PIPELINE = (sys.executable, "-m", "pipeline")


def real_labels(origin: str) -> list[Path]:
    """The labels of :data:`REAL_GOLD` copied from one folder of ``../shared`` (``"gold"``: the two
    seeds; ``"corpus/gold"``: the reposted notices), as ``tests/real/shared_copies.csv`` records."""
    with (ROOT / "tests" / "real" / "shared_copies.csv").open(encoding="utf-8", newline="") as f:
        return [ROOT / r["copy"] for r in csv.DictReader(f)
                if r["copy"].endswith(".json") and r["original"].rsplit("/", 1)[0] == origin]


def gold_folder(labels: list[Path], folder: Path) -> Path:
    """``folder`` holding copies of ``labels`` only (``eval`` scores every label of a folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for label in labels:
        (folder / label.name).write_bytes(label.read_bytes())
    return folder


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 300,
        check: bool = False) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline ARGS…`` in a subprocess, output captured as text.

    ``env`` adds to (does not replace) this process's environment. With ``check``, a non-zero
    exit fails with the command's stderr.
    """
    proc = subprocess.run([*PIPELINE, *args], cwd=cwd, env=_env(env), capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"python -m pipeline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


def cli_popen(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """``python -m pipeline ARGS…`` started in the background (for tests that signal or race it)."""
    return subprocess.Popen([*PIPELINE, *args], cwd=cwd, env=_env(env), **kwargs)


def _env(extra: dict[str, str] | None) -> dict[str, str] | None:
    return None if extra is None else {**os.environ, **extra}


def read_csv(path: Path) -> list[list[str]]:
    """A CSV output (UTF-8 with BOM) as lists of cells, header first."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_table_csv(out: Path, table: str) -> list[dict[str, str]]:
    """``OUT/TABLE.csv`` as a list of dicts keyed by column."""
    header, *rows = read_csv(out / f"{table}.csv")
    return [dict(zip(header, row, strict=True)) for row in rows]
