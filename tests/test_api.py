"""The Python API (pipeline/api.py): the command line's rows as DataFrames, nothing printed."""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import RAW, ROOT, TABLES, cli

from pipeline import api
from pipeline.cli import main
from pipeline.commands.run import EXIT_ERRORS_ROWS
from pipeline.extract import SourceHints

CORPUS = ROOT / "tests" / "corpus" / "raw"
BAD = ROOT / "tests" / "bad" / "inputs"
# two seeds, a written notice whose manifest row gives its URL (a clue for its years), a file
# that cannot be read, an empty one, and one with a flagged defect (a repairs row, no window)
FILES = {
    "xian-2022-cutover-notice-and-guide.txt": RAW,
    "hangzhou-2022-cutover-notice.txt": RAW,
    "zunyi-2022-cutover-stripped-year-url.txt": CORPUS,
    "binary-junk.txt": BAD,
    "empty.txt": BAD,
    "mistyped-year.txt": BAD,
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("api") / "raw"
    raw.mkdir()
    for name, where in FILES.items():
        shutil.copyfile(where / name, raw / name)
    zunyi = next(line for line in (CORPUS / "manifest.csv").read_text(encoding="utf-8").splitlines() if line.startswith("zunyi"))
    (raw / "manifest.csv").write_text(f"file,url,city,published,fetched_at\n{zunyi}\n", encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def cli_out(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api-cli-out")
    cli("run", "--raw", str(folder), "--out", str(out), "--quiet", check=True)
    return out


def _rows_of(tables: dict[str, pd.DataFrame], source_file: str) -> dict[str, pd.DataFrame]:
    """The rows of one file in every table (by its notice id; ``errors`` by its file name)."""
    notices = tables["notices"]
    ids = set(notices.loc[notices["source_file"] == source_file, "notice_id"])
    out = {}
    for name, frame in tables.items():
        mine = frame["source_file"] == source_file if name == "errors" else frame["notice_id"].isin(ids)
        out[name] = frame[mine].reset_index(drop=True)
    return out


@pytest.mark.parametrize("name", list(FILES))
def test_extract_file_gives_exactly_the_command_lines_rows(name: str, folder: Path, cli_out: Path) -> None:
    published = _rows_of(api.load(cli_out), name)
    extracted = api.extract_file(folder / name)
    assert list(extracted) == list(TABLES)
    assert sum(len(f) for f in extracted.values()) > 0
    for table in TABLES:
        pd.testing.assert_frame_equal(extracted[table], published[table], obj=f"{name}: {table}")


def test_the_files_give_notices_errors_and_hints(folder: Path) -> None:
    """The comparison above covers what it means to: rows, an unreadable file, a failed extraction, a hint."""
    assert len(api.extract_file(folder / "xian-2022-cutover-notice-and-guide.txt")["outage_windows"]) >= 3
    for bad in ("binary-junk.txt", "empty.txt"):
        tables = api.extract_file(folder / bad)
        assert tables["errors"]["stage"].tolist() == ["read"] and tables["notices"].empty
    mistyped = api.extract_file(folder / "mistyped-year.txt")
    assert len(mistyped["repairs"]) >= 1 and mistyped["outage_windows"].empty
    zunyi = folder / "zunyi-2022-cutover-stripped-year-url.txt"
    assert api.extract_file(zunyi)["notices"]["source_url"].tolist() == ["http://www.zunyi.gov.cn/zwgk/tzgg/202203/t20220302_73312345.html"]
    assert api.extract_file(zunyi, hints=SourceHints())["notices"]["source_url"].isna().all()


def test_run_returns_counts_and_errors_and_prints_nothing(folder: Path, tmp_path: Path, capfd) -> None:
    assert main(["report", "--out", str(tmp_path / "nothing")]) == 2  # a command run in this process first
    assert capfd.readouterr().err.startswith("error: ")  # says its problem, and leaves no handler behind
    result = api.run(folder, tmp_path / "out", cache=False)
    assert capfd.readouterr() == ("", "")
    assert result.ok and result.exit_status == 0
    loaded = api.load(tmp_path / "out")
    assert result.counts == {name: len(frame) for name, frame in loaded.items()}
    assert result.counts["notices"] == 4
    assert [(e["source_file"], e["stage"]) for e in result.errors] == [("binary-junk.txt", "read"), ("empty.txt", "read")]
    assert [m for m in result.messages if m.startswith("warning: binary-junk.txt [read]")]
    assert result.paths["notices"] == tmp_path / "out" / "notices.parquet" and "database" in result.paths


def test_run_strict_and_a_missing_folder(folder: Path, tmp_path: Path) -> None:
    strict = api.run(folder, tmp_path / "out", strict=True, cache=False)
    assert strict.exit_status == EXIT_ERRORS_ROWS and not strict.ok
    assert strict.counts["errors"] == 2 and strict.counts["notices"] == 4  # the outputs are written all the same
    missing = api.run(tmp_path / "nowhere", tmp_path / "out2")
    assert missing.exit_status == 2 and missing.counts == {} and missing.errors == []
    assert missing.messages == [f"error: raw folder {tmp_path / 'nowhere'} does not exist"]
    with pytest.raises(ValueError):
        api.run(folder, tmp_path / "out3", time_limit=-1)


def test_load_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no notices.parquet in"):
        api.load(tmp_path)


def test_importing_the_package_face_stays_cheap() -> None:
    """``import pipeline`` (what every command-line start pays) imports no data library; the API comes on first use."""
    code = ("import sys, pipeline; heavy = [m for m in ('pandas', 'pyarrow', 'duckdb', 'pandera', 'pipeline.api') if m in sys.modules]; "
            "print(heavy); from pipeline import extract_file, load, run, RunResult; print(run.__module__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.splitlines() == ["[]", "pipeline.api"]


# --- the README's example -------------------------------------------------------------------------


def readme_example() -> str:
    """The ``>>>`` code block of the README's "Python API" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return block


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example as a doctest, in a folder laid out like the repository (raw/ with the two seeds)."""
    (tmp_path / "raw").mkdir()
    for name in ("xian-2022-cutover-notice-and-guide.txt", "hangzhou-2022-cutover-notice.txt"):
        shutil.copyfile(RAW / name, tmp_path / "raw" / name)
    monkeypatch.chdir(tmp_path)
    example = readme_example()
    test = doctest.DocTestParser().get_doctest(example, {}, "README.md#python-api", "README.md", 0)
    assert len(test.examples) >= 5
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test, out=lambda text: pytest.fail(text, pytrace=False))
    assert runner.summarize(verbose=False).failed == 0
