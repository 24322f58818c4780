"""The progress bar (terminal only) and the closing summary of ``python -m pipeline run``."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import cli
from rich.console import Console

from pipeline.runner.progress import progress, show_progress, summary_table

ROOT = Path(__file__).resolve().parents[1]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_pass_through_when_not_a_terminal(capsys):
    assert list(progress(iter(range(5)), "reading")) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().out == ""


def test_bar_on_a_terminal_unless_quiet(monkeypatch):
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", term)
    assert list(progress(["a", "b", "c"], "reading notices")) == ["a", "b", "c"]
    assert "reading notices" in term.getvalue()

    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", quiet)
    with show_progress(False):
        assert list(progress(["a"], "reading notices")) == ["a"]
    assert quiet.getvalue() == ""


def test_summary_table_lists_files_rows_and_time():
    buf = io.StringIO()
    Console(file=buf, width=80).print(summary_table(14, {"notices": 14, "repairs": 90, "errors": 2}, 1.25))
    text = buf.getvalue()
    for label, value in (("files read", "14"), ("notices rows", "14"), ("repairs rows", "90"),
                         ("errors rows", "2"), ("time", "1.2 s")):
        line = next(line for line in text.splitlines() if label in line)
        assert value in line


def test_run_prints_summary_and_quiet_prints_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("xian-2022-cutover-notice-and-guide.txt", "lanzhou-2021-cutover.txt"):
        shutil.copyfile(ROOT / "raw" / name, raw / name)
    (raw / "empty.pdf").write_bytes(b"")  # an error row to count

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), *extra)

    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout  # not a terminal: no bar, no colour codes
    lines = proc.stdout.splitlines()
    assert any("files read" in line and "3" in line for line in lines)
    assert any("errors rows" in line and "1" in line for line in lines)
    for label in ("notices rows", "outage_windows rows", "guidance rows", "contacts rows", "repairs rows", "time"):
        assert any(label in line for line in lines), label
    # each errors row is a problem, on stderr (a warning), also when quiet
    assert any(line.startswith("warning: empty.pdf [read]") for line in proc.stderr.splitlines())

    quiet = run("--quiet", "--full")
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert any(line.startswith("warning: empty.pdf [read]") for line in quiet.stderr.splitlines())
