"""Incremental publish (issue 17): a run that builds on the previous generation gives exactly the
tables of a run from scratch, and reads only what changed.

Each case changes the raw folder, runs again into the same output folder (which builds on the
previous generation through its ledger, pipeline/runner/ledger.py), runs from scratch into another
folder, and compares every table: CSV byte for byte, Parquet by content. The cases are the ways
the set of published notices can change: a file edited, deleted, added, renamed, a duplicate added,
the file a duplicate repeats edited (so the duplicate is published now), corrections.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import RAW

import pipeline.publish.batches as batches
import pipeline.runner.engine as engine
from pipeline.commands.run import run
from pipeline.repair.corrections import append_correction, row_key
from pipeline.runner.cache import CACHE_DIR
from schemas.tables import DERIVED_TABLES, TABLES

ALL_TABLES = [t.name for t in TABLES + DERIVED_TABLES]
BUILT_ON = "built on the previous outputs"
# real notices of raw/ that are not held out (tests/faults.py lists them too), and a few more
NOTICES = ("ningbo-2015-year-end.txt", "haerbin-2021-outage-a001.txt", "shijiazhuang-2021-outage-a002.txt",
           "xian-2022-cutover-notice-and-guide.txt", "hangzhou-2022-cutover-notice.txt", "suzhou-2021-cutover.txt",
           "lanzhou-2021-cutover.txt", "tianmen-2021-cutover.txt", "qingdao-2021-cutover-forum.txt")


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in NOTICES:
        shutil.copy(RAW / name, folder / name)
    return folder


def _differences(a: Path, b: Path) -> list[str]:
    """Tables whose CSV bytes or Parquet contents differ (names only)."""
    out = []
    for name in ALL_TABLES:
        if (a / f"{name}.csv").read_bytes() != (b / f"{name}.csv").read_bytes():
            out.append(f"{name}.csv")
        if not pq.read_table(a / f"{name}.parquet").equals(pq.read_table(b / f"{name}.parquet")):
            out.append(f"{name}.parquet")
    return out


def _again(raw: Path, out: Path, tmp_path: Path, caplog, label: str) -> bool:
    """Run into ``out`` again and from scratch into another folder; the tables must be equal.
    Returns whether the run built on the previous generation."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="pipeline"):
        assert run(raw, out, quiet=True) == 0
    built_on = BUILT_ON in caplog.text
    scratch = tmp_path / f"scratch-{label}"
    assert run(raw, scratch, quiet=True, cache=False) == 0
    assert _differences(scratch, out) == [], label
    return built_on


def _append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


def test_every_change_gives_the_tables_of_a_run_from_scratch(raw: Path, tmp_path: Path, caplog) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    steps = [
        ("edited", lambda: _append(raw / NOTICES[4], "\n特此通告。\n")),
        ("deleted", lambda: (raw / NOTICES[1]).unlink()),
        ("duplicate added", lambda: shutil.copy(raw / NOTICES[0], raw / "zz-copy.txt")),
        ("its original edited", lambda: _append(raw / NOTICES[0], "\n（更新）\n")),  # the copy is published now
        ("renamed", lambda: (raw / NOTICES[3]).rename(raw / f"aa-{NOTICES[3]}")),
        ("added", lambda: (raw / "new.txt").write_bytes((RAW / NOTICES[5]).read_bytes() + "\n值班电话：010-61234567\n".encode())),
        ("three edited", lambda: [_append(raw / n, "\n特此通告。\n") for n in NOTICES[5:8]]),
    ]
    for label, change in steps:
        change()
        assert _again(raw, out, tmp_path, caplog, label), f"{label}: the run did not build on the previous outputs"


def test_only_the_changed_file_is_extracted(raw: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    seen: list[str] = []
    real = engine._outcomes

    def counting(items, *args, **kwargs):
        seen.extend(item.rel for item in items)
        return real(items, *args, **kwargs)

    monkeypatch.setattr(engine, "_outcomes", counting)
    _append(raw / NOTICES[2], "\n特此通告。\n")
    assert run(raw, out, quiet=True) == 0
    assert seen == [NOTICES[2]]  # no other file's outcome was even looked up


def test_corrections_stay_applied_to_kept_notices(raw: Path, tmp_path: Path, caplog) -> None:
    """A correction of a kept notice stays applied (its rows are the published ones); one that no
    longer applies, or a new one, makes the next run start from scratch (corrections.csv changed)."""
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    import duckdb

    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        cur = con.execute("SELECT w.*, n.source_file FROM outage_windows w JOIN notices n USING (notice_id) "
                          "WHERE end_at IS NOT NULL ORDER BY notice_id, window_no LIMIT 1")
        window = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    finally:
        con.close()
    append_correction(raw, {"notice_id": window["notice_id"], "source_file": window["source_file"],
                            "table_name": "outage_windows", "row_key": row_key("outage_windows", window),
                            "column_name": "end_at", "value": "2031-01-01T08:00", "who": "t", "at": "2026-01-01", "why": "t"})
    assert not _again(raw, out, tmp_path, caplog, "corrected")  # corrections.csv changed: from scratch
    other = next(n for n in NOTICES if n != window["source_file"])
    _append(raw / other, "\n特此通告。\n")
    assert _again(raw, out, tmp_path, caplog, "corrected, then another notice edited")
    _append(raw / window["source_file"], "\n特此通告。\n")  # the corrected notice changed: its correction is stale
    assert _again(raw, out, tmp_path, caplog, "the corrected notice edited")


def test_small_batches_and_the_fallback_give_the_same_tables(raw: Path, tmp_path: Path, caplog, monkeypatch) -> None:
    """Batches of three notices (the errors table's order is per batch); and when the previous
    generation cannot be built on after all (NotIncremental), the run publishes from scratch."""
    monkeypatch.setattr(batches, "BATCH_SIZE", 3)
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    _append(raw / NOTICES[6], "\n特此通告。\n")
    assert _again(raw, out, tmp_path, caplog, "batches of three")

    def refuse(self):
        raise batches.NotIncremental("as a test asks")

    monkeypatch.setattr(batches.BatchSink, "_incremental_errors", refuse)
    _append(raw / NOTICES[7], "\n特此通告。\n")
    assert not _again(raw, out, tmp_path, caplog, "fallback")


def test_a_previous_table_edited_by_hand_is_not_built_on(raw: Path, tmp_path: Path, caplog) -> None:
    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    path = out / "guidance.parquet"
    pq.write_table(pq.read_table(path).slice(0, 1), path)  # someone rewrote a published table
    _append(raw / NOTICES[4], "\n特此通告。\n")
    assert not _again(raw, out, tmp_path, caplog, "edited table")


def test_the_ledger_follows_the_generation(raw: Path, tmp_path: Path) -> None:
    """One ledger, the one the stamp names; a run without the cache writes none."""
    from pipeline.runner.cache import read_stamp
    from pipeline.runner.ledger import ledger_path

    out = tmp_path / "out"
    assert run(raw, out, quiet=True) == 0
    _append(raw / NOTICES[4], "\n特此通告。\n")
    assert run(raw, out, quiet=True) == 0
    ledgers = sorted((out / CACHE_DIR).glob("ledger-*"))
    assert ledgers == [ledger_path(out, read_stamp(out)["signature"])]
    assert run(raw, tmp_path / "uncached", quiet=True, cache=False) == 0
    assert not (tmp_path / "uncached" / CACHE_DIR).exists()
