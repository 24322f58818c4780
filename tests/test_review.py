"""Confidence, the review queue and corrections that survive re-runs, end to end through the CLI."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import duckdb
import helpers
import pytest

from pipeline.repair.confidence import city_confidence, level_of, published_confidence, window_confidence
from pipeline.vocab.codes import CONFIDENCE_REASONS

ROOT = Path(__file__).resolve().parent.parent
# three real notices: one with a printed range, one whose ends come from resumption statements, one
# whose year comes from the publication date
NOTICES = ("ningbo-2015-year-end.txt", "haerbin-2021-outage-a001.txt", "shijiazhuang-2021-outage-a002.txt")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return helpers.cli(*args, check=True)


def table(out: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture()
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    rows = list(csv.DictReader((ROOT / "raw" / "manifest.csv").open(encoding="utf-8")))
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(r for r in rows if r["file"] in NOTICES)
    for name in NOTICES:
        shutil.copy(ROOT / "raw" / name, raw / name)
    cli("run", "--raw", str(raw), "--out", str(out), "--quiet")
    return raw, out


def test_every_reason_is_documented_and_levels_take_the_lowest() -> None:
    assert level_of(["end_printed", "year_printed"]) == "high"
    assert level_of(["end_printed", "year_from_publication"]) == "medium"
    assert level_of(["end_main_window", "year_printed"]) == "low"
    for reasons in (window_confidence("main_window", (), False, ["year_from_weekday"], True)[1],
                    published_confidence("news dateline", None, False)[1],
                    city_confidence("area_code")[1]):
        assert reasons and all(r in CONFIDENCE_REASONS for r in reasons)


def test_a_reason_outside_the_vocabulary_is_refused_by_the_schema() -> None:
    from pipeline.extract import SourceHints
    from pipeline.runner.engine import process_file
    from pipeline.validate import validate_tables

    name = "haerbin-2021-outage-a001.txt"
    extraction, error, nid = process_file(ROOT / "raw" / name, name, SourceHints())
    assert error is None and extraction is not None and extraction.windows
    _, errors = validate_tables(extraction.by_table(), {nid: name})
    assert errors == []
    extraction.windows[0]["confidence_reasons"] = ["end_printed", "looks_right_to_me"]
    _, errors = validate_tables(extraction.by_table(), {nid: name})
    assert errors and "CONFIDENCE_REASONS" in " ".join(e["error"] for e in errors)


def test_confidence_follows_the_evidence(workspace) -> None:
    _, out = workspace
    levels = dict(table(out, """SELECT w.end_rule || ' ' || strftime(w.start_at, '%m-%d %H:%M'), w.confidence
                                FROM outage_windows w JOIN notices n USING (notice_id)
                                WHERE n.source_file = 'haerbin-2021-outage-a001.txt'"""))
    # a resumption of everything is a fallback: not high; the only resumption stated for the stop's own
    # service, with no rival end, is high (issue 20: stops with no rival were right 69 of 71 times); the
    # open end (恢复时间另行通知) said of its own service beat a general resumption: a rival, so medium
    assert levels["general_resumption 10-15 20:00"] == "medium"
    assert levels["same_service 10-22 20:00"] == "high"
    assert levels["open_same_service 10-15 20:00"] == "medium"


def test_review_lists_what_is_not_high_most_consequential_first(workspace) -> None:
    _, out = workspace
    rows = list(csv.DictReader(cli("review", "--out", str(out), "--format", "csv").stdout.splitlines()))
    assert rows and all(r["level"] in ("medium", "low") for r in rows)
    order = {"low": 0, "medium": 1}
    # windows, dates and contacts first, most consequential first; then the guidance rows, low first
    kinds = [r["id"][0] for r in rows]
    assert "G" in kinds and kinds.index("G") == len(kinds) - kinds[::-1].index("G") - kinds.count("G")
    rest, guide = [r for r in rows if r["id"][0] != "G"], [r for r in rows if r["id"][0] == "G"]
    for part in (rest, guide):
        assert [order[r["level"]] for r in part] == sorted(order[r["level"]] for r in part)
    window = next(r for r in rows if r["id"].startswith("W:"))
    assert window["evidence"] and window["reasons"]
    # shijiazhuang-2021-outage-a002: "住院治疗人员,系统切换期间暂停医保结算,待…补录结算。" also states a stop: not high
    stop = next(r for r in guide if "住院治疗人员,系统切换期间暂停医保结算" in r["evidence"])
    assert stop["value"] == "inpatient → pay_then_settle_at_provider" and "stop_in_unit" in stop["reasons"].split(";")
    page = cli("review", "--out", str(out), "--format", "html").stdout
    assert page.startswith("<!doctype html>") and "<script" not in page


def test_a_correction_survives_a_full_rerun_and_a_stale_one_becomes_an_error(workspace) -> None:
    raw, out = workspace
    queue = list(csv.DictReader(cli("review", "--out", str(out), "--format", "csv").stdout.splitlines()))
    windows = [r for r in queue if r["id"].startswith("W:")]
    accepted, corrected = windows[0]["id"], windows[1]["id"]
    cli("review", "--out", str(out), "--raw", str(raw), "--accept", accepted, "--who", "tester", "--why", "checked")
    cli("review", "--out", str(out), "--raw", str(raw), "--set", corrected, "end_at=2031-01-01T08:00",
        "--who", "tester", "--why", "the notice says so")
    assert len(list(csv.DictReader((raw / "corrections.csv").open(encoding="utf-8")))) == 2

    cli("run", "--raw", str(raw), "--out", str(out), "--quiet", "--full")
    fixed = table(out, "SELECT confidence, end_at, hours FROM outage_windows WHERE strftime(end_at, '%Y') = '2031'")
    assert len(fixed) == 1 and fixed[0][0] == "reviewed" and fixed[0][2] > 0
    assert table(out, "SELECT count(*) FROM outage_windows WHERE confidence = 'reviewed'")[0][0] == 2
    logged = table(out, "SELECT raw_value, repaired_value, evidence FROM repairs WHERE rule = 'manual_correction'")
    assert len(logged) == 2 and any(r[1] == "2031-01-01T08:00" and "tester" in r[2] for r in logged)
    assert table(out, "SELECT count(*) FROM errors")[0][0] == 0
    assert not any(r["id"] in (accepted, corrected) for r in
                   csv.DictReader(cli("review", "--out", str(out), "--format", "csv").stdout.splitlines()))

    # the notice of the corrected window changes: its corrections are not applied, and say so
    notice_id = corrected.split(":")[1]
    source = table(out, f"SELECT source_file FROM notices WHERE notice_id = '{notice_id}'")[0][0]
    with (raw / source).open("a", encoding="utf-8") as f:
        f.write("\n(转载请注明出处)\n")
    cli("run", "--raw", str(raw), "--out", str(out), "--quiet")
    errors = table(out, "SELECT source_file, stage, error FROM errors")
    assert errors and all(e[1] == "correct" and e[0] == source and "changed" in e[2] for e in errors)
    assert table(out, "SELECT count(*) FROM outage_windows WHERE strftime(end_at, '%Y') = '2031'")[0][0] == 0
    assert (raw / source).read_text(encoding="utf-8").endswith("(转载请注明出处)\n")  # corrections never touch notices


def test_a_correction_of_a_row_that_no_longer_exists_is_an_error(workspace) -> None:
    raw, out = workspace
    nid, name = table(out, "SELECT notice_id, source_file FROM notices ORDER BY source_file LIMIT 1")[0]
    with (raw / "corrections.csv").open("w", encoding="utf-8") as f:
        f.write("notice_id,source_file,table_name,row_key,column_name,value,who,at,why\n"
                f"{nid},{name},outage_windows,2001-01-01T00:00→open,end_at,confirmed,tester,2026-11-30,old row\n"
                f"{nid},{name},outage_windows,x,hours,5,tester,not-a-date,bad line\n")
    cli("run", "--raw", str(raw), "--out", str(out), "--quiet")
    errors = [e[0] for e in table(out, "SELECT error FROM errors WHERE stage = 'correct'")]
    assert any("no such row" in e for e in errors) and any("line 3" in e for e in errors)


def test_accepted_corrections_export_as_labels_with_their_provenance(workspace, tmp_path: Path) -> None:
    import json

    from pipeline.commands.evaluate import label_windows

    raw, out = workspace
    queue = list(csv.DictReader(cli("review", "--out", str(out), "--format", "csv").stdout.splitlines()))
    window = next(r for r in queue if r["id"].startswith("W:"))
    nid = window["id"].split(":")[1]
    cli("review", "--out", str(out), "--raw", str(raw), "--set", window["id"], "end_at=2031-01-01T08:00",
        "--who", "tester", "--why", "the notice says so")
    cli("run", "--raw", str(raw), "--out", str(out), "--quiet")
    gold = tmp_path / "gold"
    printed = cli("review", "--out", str(out), "--raw", str(raw), "--export-gold", str(gold)).stdout.split()
    assert [Path(p).name for p in printed] == [p.name for p in sorted(gold.glob("*.json"))] and len(printed) == 1
    label = json.loads(Path(printed[0]).read_text(encoding="utf-8"))
    assert label["file"] == window["source_file"] and label["provenance"]["notice_id"] == nid
    # the corrected end is the label's, with who corrected it and why
    assert any(end.startswith("2031-01-01T08:00") for _, end in label_windows(label))
    [reviewed] = label["provenance"]["reviewed"]
    assert (reviewed["column_name"], reviewed["value"], reviewed["who"], reviewed["why"]) == (
        "end_at", "2031-01-01T08:00", "tester", "the notice says so")
    # what nobody reviewed is named, so the label is not taken for a complete one
    windows = table(out, f"SELECT count(*) FROM outage_windows WHERE notice_id = '{nid}'")[0][0]
    assert label["provenance"]["complete"] is (windows == 1 and not label["provenance"]["unreviewed"])
    # and the label is one pipeline eval reads: scored on the exported notice alone
    scored = helpers.cli("eval", "--gold", str(gold), "--out", str(out))
    assert scored.returncode == 0 and "files 1 (missing 0)" in scored.stdout
