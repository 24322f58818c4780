"""Bad input never stops a run, and never changes the rows of the good notices beside it.

The bad-input corpus is ``tests/bad/inputs/`` (see ``tests/bad/README.md``); the 50 MB page is
generated here into ``tmp_path``. One run on ``raw/`` alone and one on ``raw/`` plus the bad
files are compared row by row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import NOTICE_TABLES, RAW, TABLES, read_csv, read_table_csv

from pipeline.commands.run import run
from pipeline.extract import SourceHints
from pipeline.runner.engine import MAX_FILE_BYTES, process_file, run_pipeline

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "tests" / "bad" / "inputs"
HUGE = "bad/huge-page.html"


def _huge_page(path: Path, size: int = 50 * 2**20) -> None:
    """A real notice followed by ~50 MB of "related articles" links, like a dumped CMS page."""
    head = (BAD / "same-notice.html").read_text(encoding="utf-8").replace("眉山", "雅安").replace("</body></html>", "")
    unit = '<li><a href="/news/2021/1234567.html">关于做好2021年度城乡居民医疗保险参保缴费工作的通知</a></li>\n'
    with path.open("w", encoding="utf-8") as f:
        f.write(head + "<ul>")
        f.write(unit * (size // len(unit.encode("utf-8")) + 1))
        f.write("</ul></body></html>")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, shipped_run: Path) -> dict[str, Path]:
    """Output folders of a run on raw/ alone (``good``: the session's run) and on raw/ plus every bad file (``mixed``)."""
    base = tmp_path_factory.mktemp("robust")
    mixed_raw = base / "raw-mixed"
    shutil.copytree(RAW, mixed_raw)
    shutil.copytree(BAD, mixed_raw / "bad")
    _huge_page(mixed_raw / HUGE)
    out = base / "out-mixed"
    assert run(mixed_raw, out, quiet=True) == 0  # the run completes despite every bad file
    return {"good": shipped_run, "mixed": out}


@pytest.fixture(scope="module")
def mixed(runs: dict[str, Path]) -> dict[str, list[dict[str, str]]]:
    """The mixed run's tables as lists of dicts."""
    return {name: read_table_csv(runs["mixed"], name) for name in TABLES}


def test_good_notices_rows_are_identical_with_bad_files_beside_them(runs: dict[str, Path]) -> None:
    good_ids = {r[0] for r in read_csv(runs["good"] / "notices.csv")[1:]}
    for name in NOTICE_TABLES:
        good = read_csv(runs["good"] / f"{name}.csv")
        mixed_rows = read_csv(runs["mixed"] / f"{name}.csv")
        assert good[0] == mixed_rows[0], f"{name}: header differs"
        assert good[1:] == [r for r in mixed_rows[1:] if r[0] in good_ids], f"{name}: rows of good notices changed"
    good_errors = read_csv(runs["good"] / "errors.csv")[1:]
    assert all(e in read_csv(runs["mixed"] / "errors.csv") for e in good_errors)


# file → (stage, words the message must contain so a person knows what happened and what to do)
EXPECTED_ERRORS = {
    "bad/empty.txt": ("read", ["empty"]),
    "bad/binary-junk.txt": ("read", ["binary", "not text"]),
    "bad/truncated.pdf": ("read", ["truncated", "fetch it again"]),
    "bad/encrypted.pdf": ("read", ["encrypted", "open copy"]),
    "bad/scanned.pdf": ("read", ["no text layer", "OCR"]),
    "bad/dup-b.txt": ("read", ["same bytes as bad/dup-a.txt", "duplicate"]),
    "bad/same-notice.txt": ("extract", ["same notice as bad/same-notice.html", "keep one copy"]),
    HUGE: ("read", [f"{MAX_FILE_BYTES // 2**20} MB limit", "save just the notice"]),
}


@pytest.mark.parametrize("source_file", sorted(EXPECTED_ERRORS))
def test_bad_file_gets_an_actionable_error_row(mixed: dict[str, list[dict[str, str]]], source_file: str) -> None:
    stage, words = EXPECTED_ERRORS[source_file]
    rows = [e for e in mixed["errors"] if e["source_file"] == source_file]
    assert len(rows) == 1, f"expected one errors row for {source_file}, got {rows}"
    assert rows[0]["stage"] == stage
    for word in words:
        assert word in rows[0]["error"], rows[0]["error"]
    assert not any(n["source_file"] == source_file for n in mixed["notices"]), "a refused file must have no notice row"


def test_no_bad_file_crashes_a_reader_or_extractor(mixed: dict[str, list[dict[str, str]]]) -> None:
    crashes = [e for e in mixed["errors"] if e["error"].startswith("unexpected")]
    assert not crashes, crashes


def _notice(mixed: dict[str, list[dict[str, str]]], source_file: str) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """The notice row of a file and its rows in every other table."""
    (notice,) = [n for n in mixed["notices"] if n["source_file"] == source_file]
    nid = notice["notice_id"]
    return notice, {t: [r for r in mixed[t] if r["notice_id"] == nid] for t in NOTICE_TABLES if t != "notices"}


def test_gbk_without_declaration_reads_like_its_utf8_original(tmp_path: Path, mixed: dict[str, list[dict[str, str]]]) -> None:
    notice, rows = _notice(mixed, "bad/gbk-undeclared.txt")
    assert notice["city"] == "宜宾市"
    assert notice["title"] == "宜宾市医疗保障局关于医保信息系统停机切换的通告"
    assert [(w["start_at"], w["end_at"]) for w in rows["outage_windows"]] == [("2021-11-20T18:00", "2021-11-29T00:00")]
    utf8 = tmp_path / "gbk-undeclared.txt"
    utf8.write_text((BAD / "gbk-undeclared.txt").read_bytes().decode("gbk"), encoding="utf-8")
    from_gbk, err_gbk, _ = process_file(BAD / "gbk-undeclared.txt", "x.txt", SourceHints())
    from_utf8, err_utf8, _ = process_file(utf8, "x.txt", SourceHints())
    assert err_gbk is None and err_utf8 is None and from_gbk is not None and from_utf8 is not None
    strip = lambda rows: [{k: v for k, v in r.items() if k != "notice_id"} for r in rows]  # noqa: E731
    assert strip(from_gbk.windows) == strip(from_utf8.windows)
    assert strip(from_gbk.contacts) == strip(from_utf8.contacts)


def test_scripts_and_iframes_are_not_read_as_notice_text(mixed: dict[str, list[dict[str, str]]]) -> None:
    notice, rows = _notice(mixed, "bad/scripts-iframes.html")
    assert notice["city"] == "泸州市"
    # only the article's window; the dates inside <script>, <style>, <iframe> and JSON-LD are not windows
    assert [(w["start_at"], w["end_at"]) for w in rows["outage_windows"]] == [("2021-11-12T18:00", "2021-11-16T08:00")]
    assert [c["phone_raw"] for c in rows["contacts"]] == ["0830-3125678"]


def test_impossible_dates_are_flagged_not_invented(mixed: dict[str, list[dict[str, str]]]) -> None:
    _, rows = _notice(mixed, "bad/impossible-dates.txt")
    for w in rows["outage_windows"]:
        assert w["end_at"] == "" or w["end_at"] >= w["start_at"]
        assert not w["start_at"].startswith("2022-02-30")
    flagged = [r for r in rows["repairs"] if r["repaired_value"] == ""]
    assert any("2月30日" in r["raw_value"] for r in flagged), "2月30日 must be flagged"
    assert any("before start" in r["evidence"] for r in flagged), "an end before its start must be flagged"


def test_hour_25_is_flagged(mixed: dict[str, list[dict[str, str]]]) -> None:
    _, rows = _notice(mixed, "bad/impossible-dates.txt")
    assert any("25时" in r["raw_value"] for r in rows["repairs"])


def test_notice_without_dates_is_flagged(mixed: dict[str, list[dict[str, str]]]) -> None:
    notice, rows = _notice(mixed, "bad/no-dates.txt")
    assert notice["city"] == "自贡市" and rows["outage_windows"] == []
    flagged = [r for r in rows["repairs"] if r["repaired_value"] == ""]
    errors = [e for e in mixed["errors"] if e["source_file"] == "bad/no-dates.txt"]
    assert flagged or errors, "an analyst should learn that this notice announces no dated outage"


def test_mistyped_year_is_refused_without_touching_other_notices(mixed: dict[str, list[dict[str, str]]]) -> None:
    """``0221年`` once made the whole outage_windows column fail validation, for every notice."""
    errors = [e for e in mixed["errors"] if e["source_file"] == "bad/mistyped-year.txt"]
    flagged = [r for r in mixed["repairs"] if "0221年" in r["raw_value"] and r["repaired_value"] == ""]
    assert flagged or (errors and "implausible year 221" in errors[0]["error"])
    assert not [e for e in mixed["errors"] if e["source_file"] == "*"], "no table may fail as a whole"
    assert all(not w["start_at"].startswith("0221") for w in mixed["outage_windows"])


def test_truncated_page_keeps_what_arrived(mixed: dict[str, list[dict[str, str]]]) -> None:
    notice, rows = _notice(mixed, "bad/truncated-page.html")
    assert notice["city"] == "遂宁市"
    assert [(w["start_at"], w["end_at"]) for w in rows["outage_windows"]] == [("2021-11-19T18:00", "2021-11-23T08:00")]


def test_truncated_phone_is_flagged(mixed: dict[str, list[dict[str, str]]]) -> None:
    _, rows = _notice(mixed, "bad/truncated-page.html")
    damaged = [c for c in rows["contacts"] if c["phone_status"] == "damaged"]
    flagged = [r for r in rows["repairs"] if r["rule"] == "digits_lost"]
    assert damaged or flagged


def test_unreadable_file_is_an_error_row_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"  # discovered, then deleted before reading
    extraction, error, _ = process_file(missing, "gone.txt", SourceHints())
    assert extraction is None and error is not None
    assert error["stage"] == "read" and error["error"].startswith("cannot open file")


def test_a_reminder_repeating_a_notices_windows_is_not_a_duplicate(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (BAD / "same-notice.txt").read_text(encoding="utf-8")
    (raw / "a-notice.txt").write_text(text, encoding="utf-8")
    (raw / "b-reminder.txt").write_text(text.replace("关于国家医疗保障信息平台上线切换的通告", "关于停机切换的温馨提醒", 1), encoding="utf-8")
    (raw / "c-copy.html").write_bytes((BAD / "same-notice.html").read_bytes())
    result = run_pipeline(raw, jobs=1)
    assert [n["source_file"] for n in result.rows["notices"]] == ["a-notice.txt", "b-reminder.txt"]
    assert [(e["source_file"], e["stage"]) for e in result.errors] == [("c-copy.html", "extract")]
