"""The command line's streams and statuses: results on stdout, problems on stderr, -q/-qq, run --strict."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import RAW, cli

from pipeline.commands.run import EXIT_ERRORS_ROWS


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One notice and one file that cannot be read (an errors row)."""
    folder = tmp_path_factory.mktemp("cli") / "raw"
    folder.mkdir()
    shutil.copyfile(RAW / "hangzhou-2022-cutover-notice.txt", folder / "hangzhou-2022-cutover-notice.txt")
    (folder / "junk.txt").write_bytes(b"\x00\x01binary" * 100)
    return folder


def test_run_strict_exits_5_when_errors_rows_were_written(raw: Path, tmp_path: Path) -> None:
    proc = cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--strict", "--no-cache")
    assert proc.returncode == EXIT_ERRORS_ROWS == 5  # 4 is a derived file that could not be made
    assert "errors rows" in proc.stdout  # the summary is the result: stdout
    err = proc.stderr.splitlines()
    assert any(line.startswith("warning: junk.txt [read]: binary data") for line in err)
    assert err[-1] == f"error: --strict: 1 errors rows written to {tmp_path / 'out'}"
    assert (tmp_path / "out" / "errors.parquet").is_file()  # written all the same
    assert cli("run", "--raw", str(raw), "--out", str(tmp_path / "out2"), "--no-cache").returncode == 0  # not strict


def test_quiet_levels(raw: Path, tmp_path: Path) -> None:
    quiet = cli("-q", "run", "--raw", str(raw), "--out", str(tmp_path / "q"))
    assert quiet.returncode == 0 and quiet.stdout == ""  # no summary
    assert "warning: junk.txt [read]" in quiet.stderr  # problems still said
    quieter = cli("-qq", "run", "--raw", str(raw), "--out", str(tmp_path / "qq"), "--no-cache")
    assert quieter.returncode == 0 and quieter.stdout == "" and quieter.stderr == ""
    # information (not a problem) goes to stderr, and -q drops it
    again = cli("run", "--raw", str(raw), "--out", str(tmp_path / "q"))
    assert "is up to date" in again.stderr and "is up to date" not in again.stdout
    assert "is up to date" not in cli("-q", "run", "--raw", str(raw), "--out", str(tmp_path / "q")).stderr


def test_problems_of_other_commands_go_to_stderr(tmp_path: Path) -> None:
    for args in (["query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")], ["review", "--out", str(tmp_path)],
                 ["report", "--out", str(tmp_path)], ["eval", "--gold", str(tmp_path)]):
        proc = cli(*args)
        assert proc.returncode == 2 and proc.stdout == "", args
        assert proc.stderr.startswith("error: "), args
