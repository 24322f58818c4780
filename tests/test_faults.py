"""Faults and abuse a run must survive (issue 19): each case of the probe, kept fixed.

Publishing: a run stopped at any step — SIGKILL, SIGTERM, Ctrl-C — leaves either the previous
outputs, untouched, or one complete generation (tables, database, report, workbook, data
package, all stamped together); the next run finishes what a kill left; a missing or stale
derived file is made again; a full disk or a read-only folder ends in one clear line and a
non-zero status. Inputs: GBK file names, manifests and corrections, links out of the raw folder,
an output folder inside it, formula-like text, impossible corrections, a PDF whose title is a
placeholder. Around the run: workers die with their parent; ``query`` reaches no file, network or
extension; ``fetch`` has a total deadline and reads its registry safely.

Tests wait for what they check with generous limits (tests/faults.py) and never time a run; every
process they start is killed by pid at the end.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from faults import (
    DERIVED,
    NEW_NOTICES,
    OLD_NOTICES,
    PUBLISHED,
    REPO,
    TABLES,
    alive,
    assert_one_complete_generation,
    cli,
    make_raw,
    no_traceback,
    processes,
    snapshot,
    stamp,
    stop_at,
    wait_until_gone,
)

from pipeline.commands.run import EXIT_INCOMPLETE, EXIT_UNWRITABLE, run
from pipeline.publish.cells import exact_text, spreadsheet_safe
from pipeline.publish.swap import STAGING_PREFIX

# After SIGKILL of the main process no worker of that run may be alive this much later (issue 19).
WORKERS_GONE_WITHIN = 15.0


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``old`` (3 notices) with its outputs in ``old-out`` (a complete run), and ``new`` (8 notices)."""
    base = tmp_path_factory.mktemp("faults")
    old = make_raw(base / "raw-old", OLD_NOTICES)
    new = make_raw(base / "raw-new", NEW_NOTICES)
    out = base / "old-out"
    result = cli("run", *_run_args(old, out))
    assert result.returncode == 0, result.stderr
    return {"old": old, "new": new, "old-out": out}


@pytest.fixture()
def out(corpora: dict[str, Path], tmp_path: Path) -> Path:
    """A private copy of the old run's outputs (cache included), for a test to stop a run in."""
    dst = tmp_path / "out"
    shutil.copytree(corpora["old-out"], dst)
    return dst


def _run_args(raw: Path, out: Path) -> list[str]:
    # --out first: the command line then does not match the `pkill -f "pipeline run --raw /tmp/pytest"`
    # other sessions on a shared machine use to clean up after their own test runs
    return ["--out", str(out), "--raw", str(raw), "--quiet"]


def _notices(out: Path) -> int:
    return pq.read_table(out / "notices.parquet").num_rows


BEFORE_SWAP = ("extract", "write", "database", "datapackage", "report", "workbook")


# --- 1. a run stopped at any step of publishing ----------------------------------------------------


@pytest.mark.parametrize("step", [*BEFORE_SWAP, "swap", "stamp"])
def test_sigkill_at_each_step_leaves_old_outputs_or_one_generation(corpora, out: Path, tmp_path: Path, step: str) -> None:
    """Probe: SIGKILL while report/workbook/datapackage were written left them stale beside new
    tables, and the next run said "up to date". Now: before the swap nothing outside the staging
    folder has changed; a kill inside the swap or before the stamp is finished by the next run
    first thing (it then has nothing left to do); either way the next run ends with one complete
    generation, and the killed run's workers are gone within 15 s."""
    before = snapshot(out)
    with processes() as ps:
        stopped = stop_at(ps, tmp_path, step, signal.SIGKILL, _run_args(corpora["new"], out))
        assert stopped.returncode == -signal.SIGKILL
        assert not wait_until_gone(stopped.workers, WORKERS_GONE_WITHIN), "workers outlived their killed parent"
    if step in BEFORE_SWAP:
        assert snapshot(out) == before, "a killed run changed the previous outputs"
        assert_one_complete_generation(out)  # still the old run's, stamp and all
    else:
        for name in PUBLISHED:  # mid-swap the set may be mixed, but every file is whole
            assert (out / name).exists()
        pq.read_table(out / "notices.parquet")
    result = cli("run", *_run_args(corpora["new"], out)[:-1])
    assert result.returncode == 0, result.stderr
    if step in ("swap", "stamp"):
        # the next run rolled the killed run's generation forward before anything else, stamp included
        assert "is up to date" in result.stderr, result.stderr  # a log line
    assert_one_complete_generation(out)
    assert _notices(out) == len(NEW_NOTICES)
    assert not list(out.glob(STAGING_PREFIX + "*"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("step", ["extract", "workbook", "swap"])
def test_sigint_and_sigterm_stop_cleanly_with_their_exit_status(corpora, out: Path, tmp_path: Path, step: str,
                                                                signum: int) -> None:
    """Probe: Ctrl-C during the workbook exited 0 with a stale workbook; SIGTERM left workers and
    stale files. Now: 130 / 143, one line on stderr, no traceback, no staging folder, no worker;
    stopped before the swap the outputs are the previous run's, untouched; during the swap the
    signal waits for the moves to end, so the outputs are this run's, complete."""
    before = snapshot(out)
    with processes() as ps:
        stopped = stop_at(ps, tmp_path, step, signum, _run_args(corpora["new"], out))
        assert not wait_until_gone(stopped.workers, WORKERS_GONE_WITHIN)
    assert stopped.returncode == 128 + signum, stopped.stderr
    assert f"interrupted by {signal.Signals(signum).name}" in stopped.stderr
    no_traceback(stopped.stderr)
    assert not list(out.glob(STAGING_PREFIX + "*")), "the stopped run must delete its staging folder"
    if step == "swap":
        assert "complete outputs" in stopped.stderr
        assert_one_complete_generation(out)
        assert _notices(out) == len(NEW_NOTICES)
    else:
        assert "previous run, unchanged" in stopped.stderr
        assert snapshot(out) == before
        assert_one_complete_generation(out)


@pytest.mark.parametrize("victim", DERIVED)
def test_a_deleted_or_edited_derived_file_is_written_again(corpora, out: Path, victim: str) -> None:
    """Probe: deleting report.html and running again did not restore it ("up to date")."""
    (out / victim).unlink()
    result = cli("run", *_run_args(corpora["old"], out))
    assert result.returncode == 0, result.stderr
    assert (out / victim).exists() and "up to date" not in result.stderr
    assert_one_complete_generation(out)
    (out / victim).write_bytes((out / victim).read_bytes() + b"\n")  # edited by hand
    assert cli("run", *_run_args(corpora["old"], out)).returncode == 0
    assert_one_complete_generation(out)
    again = cli("run", *_run_args(corpora["old"], out)[:-1])
    assert "is up to date" in again.stderr  # and then nothing is left to do (a log line)


def test_leftover_temporary_files_and_staging_folders_are_removed(corpora, out: Path) -> None:
    """Probe: ``.*.tmp`` files left by killed writers were never cleaned."""
    leftovers = [out / ".report.html.k2j4x9.tmp", out / ".notices.xlsx.abc.tmp", out / ".cache" / ".outputs.json.x1.tmp"]
    for path in leftovers:
        path.write_bytes(b"half a file")
    (out / (STAGING_PREFIX + "dead")).mkdir()  # a run killed while writing, no marker
    result = cli("run", *_run_args(corpora["old"], out))
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in leftovers)
    assert not list(out.glob(STAGING_PREFIX + "*"))


# --- 2. a full disk, a read-only folder ------------------------------------------------------------


def test_disk_full_while_deriving_publishes_the_tables_without_stale_files(corpora, out: Path, monkeypatch, caplog) -> None:
    """Probe: a full disk while the report was written left the old report beside new tables,
    exit 0, and the next run said "up to date". Now the tables go in, the old report is deleted,
    the exit status is 4 with the reason, and the next run writes the report."""
    import pipeline.publish.report as report_mod

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report_mod, "write_report", full)
    assert run(corpora["new"], out, quiet=True) == EXIT_INCOMPLETE
    err = caplog.text
    assert "could not write report.html" in err and "No space left on device" in err
    assert not (out / "report.html").exists(), "the previous run's report must not stay beside new tables"
    assert _notices(out) == len(NEW_NOTICES) and (out / "notices.xlsx").exists()
    assert stamp(out)["complete"] is False
    monkeypatch.undo()
    assert run(corpora["new"], out, quiet=True) == 0
    assert_one_complete_generation(out)


def test_disk_full_while_writing_tables_keeps_the_previous_outputs(corpora, out: Path, monkeypatch, caplog) -> None:
    import pipeline.publish.tables as tables_mod

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = snapshot(out)
    monkeypatch.setattr(tables_mod, "write_csv", full)
    assert run(corpora["new"], out, quiet=True) == EXIT_UNWRITABLE
    err = caplog.text
    assert "No space left on device" in err and "the disk is full" in err and "unchanged" in err
    assert snapshot(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*"))
    monkeypatch.undo()
    assert run(corpora["new"], out, quiet=True) == 0
    assert_one_complete_generation(out)


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """A small tmpfs of our own (root only; skipped elsewhere, where the patched tests above stand in)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_real_full_disk_ends_in_a_message_and_the_next_run_recovers(corpora, tmpfs: Path) -> None:
    """On a real full file system: the run ends with status 3 or 4 (wherever the space ran out),
    one line, no traceback; outputs are never a mix of runs; with space again, one generation."""
    out = tmpfs / "out"
    assert cli("run", *_run_args(corpora["old"], out)).returncode == 0
    before = snapshot(out)
    free = shutil.disk_usage(tmpfs).free
    (tmpfs / "filler").write_bytes(b"\0" * max(0, free - 300_000))  # room for a few tables, not a generation
    result = cli("run", *_run_args(corpora["new"], out), "--full")
    assert result.returncode in (EXIT_UNWRITABLE, EXIT_INCOMPLETE), result.stderr
    no_traceback(result.stderr)
    assert "No space left on device" in result.stderr
    if result.returncode == EXIT_UNWRITABLE:
        assert snapshot(out) == before
    else:  # the tables went in; no derived file older than them stayed
        assert _notices(out) == len(NEW_NOTICES)
        assert stamp(out) is None or stamp(out)["complete"] is False
    (tmpfs / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,size=64m", str(tmpfs)], check=True)
    result = cli("run", *_run_args(corpora["new"], out))
    assert result.returncode == 0, result.stderr
    assert_one_complete_generation(out)
    assert _notices(out) == len(NEW_NOTICES)


def test_a_read_only_output_folder_is_one_clear_line(corpora, tmpfs: Path) -> None:
    """Probe: a read-only output folder ended in a traceback (the cache, `report`, `review`)."""
    out = tmpfs / "out"
    assert cli("run", *_run_args(corpora["old"], out)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    nid = _table(out, "SELECT notice_id FROM notices LIMIT 1")[0][0]
    for args, status in ((["run", *_run_args(corpora["new"], out), "--full"], EXIT_UNWRITABLE),
                         (["report", "--out", str(out)], 3),
                         (["review", "--out", str(out), "--raw", str(tmpfs), "--accept", f"N:{nid}:city"], 3)):
        result = cli(*args)
        assert result.returncode == status, (args, result.stderr)
        no_traceback(result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
    assert "Read-only file system" in cli("run", *_run_args(corpora["new"], out), "--full").stderr


def test_an_output_folder_that_cannot_be_made_fails_before_extraction(corpora, tmp_path: Path, monkeypatch, caplog) -> None:
    """Where no read-only tmpfs can be mounted: an output path below a file. The run fails at
    once (nothing extracted for nothing), with one line and status 3."""
    import pipeline.commands.run as run_command

    def never(*args, **kwargs):
        raise AssertionError("extraction started although the outputs cannot be written")

    monkeypatch.setattr(run_command, "run_pipeline", never)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    assert run(corpora["old"], tmp_path / "a-file" / "out", quiet=True) == EXIT_UNWRITABLE
    records = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(records) == 1 and records[0].getMessage().startswith("cannot write outputs to") and "Traceback" not in caplog.text


# --- 3. workers die with their parent ----------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_parent(corpora, tmp_path: Path, signum: int) -> None:
    """Probe: SIGKILL or SIGTERM of the main process left its two workers alive (12+ minutes). The
    helper process forked beside them (it writes the workbook while the report is written) must die too."""
    with processes() as ps:
        stopped = stop_at(ps, tmp_path, "extract", signum,
                          _run_args(corpora["new"], tmp_path / "out") + ["--jobs", "2", "--time-limit", "0"])
        # the two extraction workers, and the helper that writes the workbook at the end (pipeline.runner.helper)
        assert len(stopped.workers) == 3, stopped.workers
        left = wait_until_gone(stopped.workers, WORKERS_GONE_WITHIN)
        assert not left, f"workers {left} still alive {WORKERS_GONE_WITHIN:g} s after their parent ended"


WATCHDOG = r"""
import ctypes, os, sys, time
import pipeline.runner.budget as budget
def no_prctl(*a, **k):
    raise OSError("no prctl here")
ctypes.CDLL = no_prctl  # the kernel's parent-death signal unavailable: only the watchdog is left
if os.fork() == 0:  # the parent of the worker
    parent = os.getpid()
    if os.fork() == 0:  # the worker
        budget.die_with_parent(parent)
        sys.stdout.write(f"worker {os.getpid()} parent {parent}\n"); sys.stdout.flush()
        time.sleep(600)
        os._exit(0)
    time.sleep(600)
    os._exit(0)
time.sleep(600)
"""


def test_the_parent_watchdog_ends_a_worker_when_the_kernel_signal_is_missing() -> None:
    with processes() as ps:
        proc = ps.start([sys.executable, "-c", WATCHDOG], stdout=subprocess.PIPE, text=True)
        _, worker, _, parent = proc.stdout.readline().split()
        worker, parent = int(worker), int(parent)
        ps.seen |= {parent, worker}
        os.kill(parent, signal.SIGKILL)
        assert not wait_until_gone({worker}, WORKERS_GONE_WITHIN), "the watchdog did not end the orphaned worker"


# --- 4. corrections ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory, corpora) -> dict:
    """A run, then three impossible corrections written into corrections.csv (as a hand edit or an
    old pipeline would) and one good one, then a run again."""
    from pipeline.repair.corrections import append_correction, row_key

    base = tmp_path_factory.mktemp("corrected")
    raw = base / "raw"
    shutil.copytree(corpora["new"], raw)
    out = base / "out"
    assert run(raw, out, quiet=True) == 0
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        def rows(sql: str) -> list[dict]:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES if t != "errors"}
        contact = rows("SELECT c.*, n.source_file FROM contacts c JOIN notices n USING (notice_id) "
                       "WHERE phone_e164 IS NOT NULL ORDER BY notice_id, phone_raw LIMIT 1")[0]
        window = rows("SELECT w.*, n.source_file FROM outage_windows w JOIN notices n USING (notice_id) "
                      "WHERE end_at IS NOT NULL ORDER BY notice_id, window_no LIMIT 1")[0]
        notice = rows("SELECT * FROM notices WHERE published_on IS NOT NULL ORDER BY notice_id LIMIT 1")[0]
        good = rows("SELECT w.*, n.source_file FROM outage_windows w JOIN notices n USING (notice_id) "
                    f"WHERE end_at IS NOT NULL AND notice_id NOT IN ('{window['notice_id']}', '{notice['notice_id']}') "
                    "ORDER BY notice_id DESC, window_no LIMIT 1")[0]
    finally:
        con.close()
    by = {"who": "tester", "at": "2026-01-01", "why": "probe"}
    fixes = [
        ("contacts", contact, "phone_e164", "not-a-number"),
        ("outage_windows", window, "end_at", "2000-01-01T00:00"),  # before its start
        ("notices", {**notice, "source_file": notice["source_file"]}, "published_on", "0001-01-01"),
    ]
    for table, row, column, value in fixes:
        append_correction(raw, {**by, "notice_id": row["notice_id"], "source_file": row["source_file"], "table_name": table,
                                "row_key": row_key(table, row), "column_name": column, "value": value})
    good_end = "2031-01-01T08:00"
    append_correction(raw, {**by, "notice_id": good["notice_id"], "source_file": good["source_file"],
                            "table_name": "outage_windows", "row_key": row_key("outage_windows", good),
                            "column_name": "end_at", "value": good_end})
    assert run(raw, out, quiet=True) == 0
    return {"raw": raw, "out": out, "counts": counts, "contact": contact, "window": window, "notice": notice,
            "good": good, "good_end": good_end}


def _table(out: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_impossible_corrections_are_refused_alone_and_drop_no_row(corrected: dict) -> None:
    """Probe: one bad phone_e164 correction dropped a batch of contacts (77 → 12); an end_at before
    its start dropped both windows of the notice; published_on=0001-01-01 dropped the notice and
    left its windows, guidance and contacts as orphans."""
    out = corrected["out"]
    for table, n in corrected["counts"].items():
        if table != "repairs":
            assert _table(out, f"SELECT count(*) FROM {table}")[0][0] == n, f"{table} lost rows"
    c, w, n = corrected["contact"], corrected["window"], corrected["notice"]
    assert _table(out, "SELECT phone_e164 FROM contacts WHERE notice_id = ? AND phone_raw = ?",
                  [c["notice_id"], c["phone_raw"]]) == [(c["phone_e164"],)]
    assert _table(out, "SELECT end_at FROM outage_windows WHERE notice_id = ? AND window_no = ?",
                  [w["notice_id"], w["window_no"]]) == [(w["end_at"],)]
    assert _table(out, "SELECT published_on FROM notices WHERE notice_id = ?", [n["notice_id"]]) == [(n["published_on"],)]
    errors = [e for (e,) in _table(out, "SELECT error FROM errors WHERE stage = 'correct'")]
    assert len(errors) == 3, errors
    assert any("phone_e164 'not-a-number' is refused" in e and "+862987424266" in e for e in errors)
    assert any("end_at must not be before start_at" in e for e in errors)
    assert any("published_on must lie in the years 1950–2100" in e for e in errors)
    assert all("the extracted value is kept" in e for e in errors)
    orphans = _table(out, "SELECT count(*) FROM outage_windows WHERE notice_id NOT IN (SELECT notice_id FROM notices)")
    assert orphans == [(0,)]


def test_a_good_correction_beside_bad_ones_is_applied(corrected: dict) -> None:
    g = corrected["good"]
    (end, confidence), = _table(corrected["out"], "SELECT strftime(end_at, '%Y-%m-%dT%H:%M'), confidence FROM outage_windows "
                                "WHERE notice_id = ? AND window_no = ?", [g["notice_id"], g["window_no"]])
    assert end == corrected["good_end"] and confidence == "reviewed"


@pytest.mark.parametrize(("kind", "column", "value", "words"), [
    ("C", "phone_e164", "not-a-number", "E.164"),
    ("W", "end_at", "2000-01-01T00:00", "end_at must not be before start_at"),
    ("W", "end_at", "next tuesday", "is not a valid end_at"),
    ("N", "published_on", "0001-01-01", "1950–2100"),
    ("N", "published_on", "1800-06-01", "1950–2100"),
])
def test_review_set_refuses_an_impossible_value_with_a_clear_message(corrected: dict, kind: str, column: str,
                                                                     value: str, words: str) -> None:
    """Probe: ``review --set`` checked nothing."""
    from pipeline.repair.corrections import row_key

    row = {"C": corrected["contact"], "W": corrected["window"], "N": corrected["notice"]}[kind]
    table = {"C": "contacts", "W": "outage_windows", "N": "notices"}[kind]
    item = f"{kind}:{row['notice_id']}:{row_key(table, row) if kind != 'N' else ''}"
    before = (corrected["raw"] / "corrections.csv").read_bytes()
    result = cli("review", "--out", str(corrected["out"]), "--raw", str(corrected["raw"]), "--set", item, f"{column}={value}")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
    no_traceback(result.stderr)
    assert (corrected["raw"] / "corrections.csv").read_bytes() == before, "a refused correction must not be recorded"


# --- 5. encodings ------------------------------------------------------------------------------------


def test_gbk_names_manifest_and_corrections_do_not_stop_the_run(corpora, tmp_path: Path) -> None:
    """Probe: a GBK file name (as zip archives from Chinese Windows give), a manifest.csv or a
    corrections.csv saved by Excel in GBK each ended the run in a traceback, nothing published."""
    raw = tmp_path / "raw"
    shutil.copytree(corpora["old"], raw)
    def put(name: bytes, source: str) -> None:  # a name that is GBK bytes, as an unzipped archive leaves it
        with open(os.path.join(os.fsencode(raw), name), "wb") as f:
            f.write((REPO / "raw" / source).read_bytes())

    put("杭州市医保停机通知.txt".encode("gbk"), "hangzhou-2022-cutover-notice.txt")
    os.mkdir(os.path.join(os.fsencode(raw), "附件".encode("gbk")))
    put("附件".encode("gbk") + b"/" + "苏州.txt".encode("gbk"), "suzhou-2021-cutover.txt")
    manifest = (raw / "manifest.csv").read_text(encoding="utf-8")
    manifest += "杭州市医保停机通知.txt,http://ybj.hangzhou.gov.cn/art/2022/3/1/gbk.html,杭州市,,\n"
    (raw / "manifest.csv").write_bytes(manifest.encode("gbk"))
    result = cli("run", *_run_args(raw, tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    files = {r[0]: r[1] for r in _table(out, "SELECT source_file, source_url FROM notices")}
    assert files["杭州市医保停机通知.txt"] == "http://ybj.hangzhou.gov.cn/art/2022/3/1/gbk.html"  # the GBK manifest row applied
    assert "附件/苏州.txt" in files
    assert len(files) == len(OLD_NOTICES) + 2
    assert _table(out, "SELECT count(*) FROM errors") == [(0,)]

    # a correction saved by Excel in GBK: read, applied, and appended to in UTF-8 afterwards
    nid, key = _table(out, "SELECT notice_id, strftime(start_at, '%Y-%m-%dT%H:%M') || '→' || "
                           "coalesce(strftime(end_at, '%Y-%m-%dT%H:%M'), 'open') FROM outage_windows "
                           "ORDER BY notice_id, window_no LIMIT 1")[0]
    source = _table(out, "SELECT source_file FROM notices WHERE notice_id = ?", [nid])[0][0]
    line = f"{nid},{source},outage_windows,{key},end_at,confirmed,审核员,2026-01-02,核对原文无误\n"
    (raw / "corrections.csv").write_bytes(("notice_id,source_file,table_name,row_key,column_name,value,who,at,why\n"
                                           + line).encode("gbk"))
    assert cli("run", *_run_args(raw, out)).returncode == 0
    evidence = [e for (e,) in _table(out, "SELECT evidence FROM repairs WHERE rule = 'manual_correction'")]
    assert evidence == ["confirmed by 审核员 at 2026-01-02: 核对原文无误"]
    from pipeline.repair.corrections import append_correction

    append_correction(raw, {"notice_id": nid, "source_file": source, "table_name": "notices", "row_key": "",
                            "column_name": "city", "value": "confirmed", "who": "审核员", "at": "2026-01-03", "why": "对"})
    text = (raw / "corrections.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and text.decode("utf-8-sig").count("审核员") == 2  # one encoding, UTF-8


def test_an_unreadable_manifest_is_an_errors_row(corpora, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(corpora["old"], raw)
    (raw / "sub").mkdir()
    (raw / "sub" / "manifest.csv").write_bytes(os.urandom(2048).replace(b"\0", b"\1") + b"\0\0")
    assert run(raw, tmp_path / "out", quiet=True) == 0
    rows = _table(tmp_path / "out", "SELECT source_file, stage, error FROM errors")
    assert [(r[0], r[1]) for r in rows] == [("sub/manifest.csv", "read")] and "cannot be read" in rows[0][2]
    assert _table(tmp_path / "out", "SELECT count(*) FROM notices") == [(len(OLD_NOTICES),)]


# --- 6. what the raw folder holds ------------------------------------------------------------------


def test_an_output_folder_inside_the_raw_folder_is_not_read_as_notices(corpora, tmp_path: Path) -> None:
    """Probe: ``--out`` inside ``--raw`` read its own tables and report as notices on the next run."""
    raw = tmp_path / "raw"
    shutil.copytree(corpora["old"], raw)
    shutil.copytree(corpora["old-out"], raw / "old-outputs")  # another run's outputs, left in the folder
    for _ in range(2):
        assert run(raw, raw / "out", quiet=True) == 0
        files = [r[0] for r in _table(raw / "out", "SELECT source_file FROM notices")]
        assert sorted(files) == sorted(OLD_NOTICES)
        assert _table(raw / "out", "SELECT count(*) FROM errors") == [(0,)]
    result = cli("run", "--out", str(raw), "--raw", str(raw))
    assert result.returncode == 2 and "is the raw folder" in result.stderr


def test_symlinks_out_of_the_raw_folder_are_refused(corpora, tmp_path: Path) -> None:
    """Probe: a symbolic link in raw/ to any file of the machine was read and published."""
    raw = tmp_path / "raw"
    shutil.copytree(corpora["old"], raw)
    secret = tmp_path / "secret.txt"
    secret.write_text("西安市医疗保障局关于停机的通告\n2022年3月11日18时起停机。密码：hunter2\n", encoding="utf-8")
    (raw / "passwd.txt").symlink_to(secret)
    (raw / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    (raw / "inside.txt").symlink_to(raw / OLD_NOTICES[1])  # inside: read (and found to repeat that file)
    assert run(raw, tmp_path / "out", quiet=True) == 0
    errors = {r[0]: r[2] for r in _table(tmp_path / "out", "SELECT source_file, stage, error FROM errors")}
    assert "symbolic link to a file outside the raw folder" in errors["passwd.txt"]
    assert "same bytes as" in errors["inside.txt"]
    assert "folder outside the raw folder: not followed" in errors["elsewhere"]
    assert not any(p.startswith("elsewhere/") for p in errors)
    files = [r[0] for r in _table(tmp_path / "out", "SELECT source_file FROM notices")]
    assert sorted(files) == sorted(OLD_NOTICES)
    for name in TABLES:
        assert b"hunter2" not in (tmp_path / "out" / f"{name}.csv").read_bytes()


def test_a_pdf_placeholder_title_never_becomes_the_notice_title(tmp_path: Path) -> None:
    """Probe: a PDF's /Title "untitled" or "pdfsrc.html" became the notice's title."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import SourceHints
    from pipeline.runner.engine import process_file

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    for placeholder in ("untitled", "pdfsrc.html", "Microsoft Word - 附件1.docx", "20211015093512.pdf"):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, invariant=1)
        c.setTitle(placeholder)
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(("宜宾市医疗保障局关于医保信息系统停机切换的通告",
                                  "因国家医疗保障信息平台上线，2021年11月20日18时至11月29日0时医保系统停机。",
                                  "宜宾市医疗保障局", "2021年11月15日")):
            c.drawString(60, 780 - 24 * i, line)
        c.save()
        path = tmp_path / "notice.pdf"
        path.write_bytes(buf.getvalue())
        extraction, error, _ = process_file(path, "notice.pdf", SourceHints())
        assert error is None and extraction is not None
        assert extraction.notice["title"] == "宜宾市医疗保障局关于医保信息系统停机切换的通告", placeholder


# --- 7. CSV cells that would open as formulas ----------------------------------------------------------


FORMULA_NOTICE = """=HYPERLINK("http://evil.example/x","点击")宜宾市医疗保障局关于医保信息系统停机切换的通告
@SUM(1+1)各参保单位：
因国家医疗保障信息平台上线，2021年11月20日18时至11月29日0时医保信息系统停机。
-2+3+cmd|' /C calc'!A0 咨询电话：0831-8201234
宜宾市医疗保障局
2021年11月15日
"""


def test_no_csv_cell_opens_as_a_formula(corpora, tmp_path: Path, capsys) -> None:
    """Probe: notice text such as ``@SUM(1+1)`` or ``=HYPERLINK(…)`` was written as-is into the
    CSVs people open in Excel, and so were file names. Now such a cell starts with ``'``; the
    Parquet files keep the exact text; E.164 numbers (``+86…``) and codes are unchanged."""
    raw = tmp_path / "raw"
    shutil.copytree(corpora["new"], raw)
    (raw / "=cmd.txt").write_text(FORMULA_NOTICE, encoding="utf-8")
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    starts = ("=", "+", "-", "@", "\t", "\r")
    for name in TABLES:
        with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            header, *rows = list(csv.reader(f))
        parquet = pq.read_table(out / f"{name}.parquet").to_pylist()
        assert len(rows) == len(parquet)
        for row, exact in zip(rows, parquet, strict=True):
            for column, cell in zip(header, row, strict=True):
                if cell.startswith(starts):
                    assert cell.lstrip("+").isdigit(), f"{name}.{column} would open as a formula: {cell!r}"
                value = exact[column]
                if isinstance(value, (str, list)):  # text: the CSV cell gives the exact text back
                    text = ";".join(value) if isinstance(value, list) else value
                    assert exact_text(cell) == text, (name, column, cell, text)
    notices = {r["source_file"]: r for r in pq.read_table(out / "notices.parquet").to_pylist()}
    assert "=cmd.txt" in notices  # exact in Parquet
    assert any(r[1] == "'=cmd.txt" for r in csv.reader((out / "notices.csv").open(encoding="utf-8-sig")))
    e164 = [r["phone_e164"] for r in pq.read_table(out / "contacts.parquet").to_pylist() if r["phone_e164"]]
    csv_e164 = [r["phone_e164"] for r in csv.DictReader((out / "contacts.csv").open(encoding="utf-8-sig")) if r["phone_e164"]]
    assert e164 and csv_e164 == e164 and all(p.startswith("+86") for p in csv_e164)
    evidence = [r["evidence"] for r in csv.DictReader((out / "outage_windows.csv").open(encoding="utf-8-sig"))]
    assert not any(e.startswith(starts) for e in evidence)
    # the review queue as CSV, for a spreadsheet too
    result = cli("review", "--out", str(out), "--format", "csv")
    assert result.returncode == 0
    for row in csv.reader(result.stdout.splitlines()):
        for cell in row:
            assert not cell.startswith(starts) or cell.lstrip("+").isdigit(), cell


def test_the_spreadsheet_rule_itself() -> None:
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert spreadsheet_safe("\t=1") == "'\t=1" and spreadsheet_safe("\r=1") == "'\r=1"
    assert spreadsheet_safe("'=1") == "''=1"
    for kept in ("+862987424266", "-5", "2022-03-22T00:00", "settle_before", "西安市", "", "0831-8201234",
                 "'7月3日' names a whole day", "''"):
        assert spreadsheet_safe(kept) == kept
    for text in ("=1", "'=1", "''=1", "'x", "+86 29", "-", "'-", "@", "plain", "'", "+862987424266"):
        assert exact_text(spreadsheet_safe(text)) == text, text  # exactly reversible


def test_the_shipped_corpus_has_no_formula_cell(shipped_run: Path) -> None:
    """Done when: on the shipped corpus no CSV cell opens as a formula (only aggregate checks here)."""
    for name in TABLES:
        with (shipped_run / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            cells = [c for row in list(csv.reader(f))[1:] for c in row]
        bad = sum(1 for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not c.lstrip("+-").isdigit())
        assert bad == 0, f"{name}: {bad} cells would open as formulas"


# --- 8. query ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "COPY notices TO '{tmp}/leak.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "SELECT * FROM 'https://127.0.0.1:9/x.parquet'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "SET enable_external_access = true",
    "SET autoinstall_known_extensions = true",
])
def test_query_reaches_no_file_network_or_extension(corpora, tmp_path: Path, sql: str) -> None:
    """Probe: ``query`` could write and read any file and auto-installed extensions from the network."""
    sql = sql.format(tmp=tmp_path)
    result = cli("query", sql, "--db", str(corpora["old-out"] / "notices.duckdb"))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert list(tmp_path.iterdir()) == []
    assert "root:" not in result.stdout
    ok = cli("query", "SELECT count(*) AS n FROM notices", "--db", str(corpora["old-out"] / "notices.duckdb"))
    assert ok.returncode == 0 and str(len(OLD_NOTICES)) in ok.stdout


# --- 9. fetch ------------------------------------------------------------------------------------------


class _Trickle(socketserver.ThreadingTCPServer):
    """A server that sends its answer one byte every 0.2 s: headers (``mode="headers"``) or body."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _TrickleHandler)


class _TrickleHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        request = self.request.recv(65536)
        if b"/robots.txt" in request.split(b"\r\n", 1)[0]:
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
        drip, rest = (head, b"") if self.server.mode == "headers" else (b"<html>" * 20000, head)
        try:
            self.request.sendall(rest)
            for byte in drip:
                if self.server.stop.is_set():
                    return
                self.request.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            return


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(tmp_path: Path, mode: str, capsys) -> None:
    """Probe: 1 byte/s kept a request alive past 400 s with ``--timeout 5 --retries 0`` (no total
    deadline for headers or a non-chunked body). The trickle here would last hours; the deadline
    is 2 s, the limit checked 60 s: what matters is that it ends, not how fast."""
    from pipeline.cli import main

    server = _Trickle(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        url = f"http://127.0.0.1:{server.server_address[1]}/notice.html"
        status = main(["fetch", url, "--raw", str(tmp_path), "--delay", "0", "--retries", "0", "--timeout", "5",
                       "--total-timeout", "2"])
        elapsed = time.monotonic() - started
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
    assert status == 1
    assert "no complete response within 2 s" in capsys.readouterr().err  # a failed fetch is a problem: stderr
    assert elapsed < 60, elapsed
    assert not (tmp_path / "manifest.csv").exists()


def test_a_yaml_alias_bomb_in_the_registry_is_refused(tmp_path: Path, capsys) -> None:
    """Probe: a "billion laughs" sources.yaml grew to 2.7 GB."""
    from pipeline.cli import main
    from pipeline.commands.fetch import load_sources

    lines = ['a: &a ["https://x.gov.cn/1.html","https://x.gov.cn/1.html","https://x.gov.cn/1.html"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append("sources:\n  - city: 西安市\n    urls: *j")
    bomb = tmp_path / "sources.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="aliases"):
        load_sources(bomb)
    assert main(["fetch", "--all", "--sources", str(bomb), "--raw", str(tmp_path)]) == 2
    assert "aliases" in capsys.readouterr().err
    # a few aliases are fine, but a URL must be text: nested lists are refused before they are expanded
    nested = tmp_path / "nested.yaml"
    nested.write_text('u: &u ["https://x.gov.cn/1.html"]\nsources:\n  - city: 西安市\n    urls: [*u, *u]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="every URL must be text"):
        load_sources(nested)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"sources: []\n" + b"#" * (2 * 1024 * 1024))
    with pytest.raises(ValueError, match="KB a source registry may have"):
        load_sources(big)


def test_fetched_files_and_manifest_are_shared_readable(httpserver, tmp_path: Path) -> None:
    """Probe: fetch's temporary files left downloads and the manifest at mode 0600."""
    from pipeline.cli import main

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a.html").respond_with_data("<html><body><p>停机通告</p></body></html>".encode(),
                                                          content_type="text/html; charset=utf-8")
    assert main(["fetch", httpserver.url_for("/a.html"), "--raw", str(tmp_path), "--delay", "0"]) == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 2 and all(p.stat().st_mode & 0o777 == 0o644 for p in files), [oct(p.stat().st_mode) for p in files]


def test_a_gbk_manifest_is_extended_in_one_encoding(httpserver, tmp_path: Path) -> None:
    from pipeline.cli import main
    from pipeline.commands.fetch import read_manifest_rows

    (tmp_path / "manifest.csv").write_bytes("file,url,city,published,fetched_at\n西安.txt,,西安市,,\n".encode("gbk"))
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a.html").respond_with_data("<html><body><p>停机通告</p></body></html>".encode(),
                                                          content_type="text/html; charset=utf-8")
    assert main(["fetch", httpserver.url_for("/a.html"), "--raw", str(tmp_path), "--delay", "0"]) == 0
    data = (tmp_path / "manifest.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    _, rows = read_manifest_rows(tmp_path / "manifest.csv")
    assert [r["city"] for r in rows] == ["西安市", ""]


# --- the schema and the extractor agree ---------------------------------------------------------------


def test_the_schema_years_are_the_extractors() -> None:
    from pipeline.extract.timeexpr import PLAUSIBLE_YEARS as EXTRACTOR
    from schemas.tables import PLAUSIBLE_YEARS as SCHEMA

    assert SCHEMA == EXTRACTOR


def test_no_process_of_this_test_session_is_left(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every run the tests so far started (this module's, the crash tests') was reaped: no process
    whose command line names a folder of this test session is alive (the probe found workers of
    ``test_kill_at_random_moments`` alive 40 minutes after the suite)."""
    session = str(tmp_path_factory.getbasetemp()) + "/"
    left = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if session in cmd and alive(int(pid)):
                left.append((pid, cmd.replace("\0", " ")))
    assert not left, left

