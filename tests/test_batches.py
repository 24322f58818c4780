"""A run validated and written a batch at a time: same outputs as one batch, same validation semantics."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
from helpers import RAW, TABLES
from synthetic import NID_A1, NID_A2, NID_B, tables

import pipeline.publish.batches as batches
from pipeline.commands.run import run
from pipeline.extract import Extraction
from pipeline.publish.batches import BatchSink
from pipeline.publish.tables import Generation, locked_outputs, recover_outputs


def test_small_batches_write_the_same_files_as_one(tmp_path, monkeypatch, shipped_run):
    """The session's run of raw/ (one batch) against the same notices written three at a time."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    monkeypatch.setattr(batches, "BATCH_SIZE", 3)  # 65 notices: 22 batches
    assert run(raw, tmp_path / "many", quiet=True, cache=False) == 0
    for name in TABLES:
        assert (shipped_run / f"{name}.csv").read_bytes() == (tmp_path / "many" / f"{name}.csv").read_bytes(), name
        assert pq.read_table(shipped_run / f"{name}.parquet").equals(pq.read_table(tmp_path / "many" / f"{name}.parquet"))


def _extractions() -> list[tuple[str, str, Extraction]]:
    """The synthetic notices as extractions, one per notice."""
    rows = tables()
    out = []
    for n in rows["notices"]:
        nid = n["notice_id"]
        mine = {k: [r for r in rows[k] if r["notice_id"] == nid] for k in ("outage_windows", "guidance", "contacts", "repairs")}
        out.append((nid, n["source_file"], Extraction(n, mine["outage_windows"], mine["guidance"], mine["contacts"], mine["repairs"])))
    return out


def test_a_failing_notice_loses_its_rows_only_in_its_own_batch(tmp_path):
    notices = _extractions()
    bad = next(e for nid, _, e in notices if nid == NID_A2)
    bad.contacts[0]["phone_status"] = "no such status"  # fails validation of contacts
    sink = BatchSink(tmp_path, batch_size=2)
    for nid, rel, extraction in notices:
        sink.add(nid, rel, extraction)
    rows, errors = sink.commit([{"source_file": "broken.pdf", "stage": "read", "error": "not a PDF"}], stamp=None)
    contacts = pq.read_table(tmp_path / "contacts.parquet").to_pylist()
    assert {c["notice_id"] for c in contacts} == {NID_A1, "b0" * 8}  # A2's contacts are gone, A1's stay
    assert rows["notices"] == 6 and rows["contacts"] == len(contacts) == 4
    assert [e["stage"] for e in errors] == ["read", "validate"]
    assert errors[1]["source_file"] == "sub/jia-2.txt" and "contacts" in errors[1]["error"]
    windows = pq.read_table(tmp_path / "outage_windows.parquet").column("notice_id").to_pylist()
    assert NID_A2 in windows and NID_B in windows  # its other tables are kept


def test_a_live_generation_survives_another_runs_recovery(tmp_path):
    generation = Generation(tmp_path)
    with locked_outputs(tmp_path, timeout=5):
        assert recover_outputs(tmp_path) == []  # held by a live run: left alone
    assert generation.staging.is_dir()
    generation.discard()
    assert not generation.staging.exists()
