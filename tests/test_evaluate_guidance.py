"""pipeline eval's guidance lines: per category, and per confidence level, as the scorer counts pairs."""

from __future__ import annotations

import json

import pandas as pd

from pipeline.commands.evaluate import score

NID = "0123456789abcdef"


def _frames(guidance: list[dict]) -> dict[str, pd.DataFrame]:
    return {
        "notices": pd.DataFrame([{"notice_id": NID, "source_file": "a.txt", "city": None, "published_on": None}]),
        "outage_windows": pd.DataFrame(columns=["notice_id", "start_at", "end_at", "confidence"]),
        "guidance": pd.DataFrame([{"notice_id": NID, **g} for g in guidance]),
        "contacts": pd.DataFrame(columns=["notice_id", "phone_e164", "confidence"]),
    }


def test_guidance_per_category_adds_up_to_the_summary(tmp_path) -> None:
    gold = [{"category": "inpatient", "action": "settle_before", "evidence": "x"},
            {"category": "inpatient", "action": "pay_then_settle_at_provider", "evidence": "y"},
            {"category": "out_of_area", "action": "pay_then_reimburse", "evidence": "z"}]
    (tmp_path / "a.json").write_text(json.dumps({"file": "a.txt", "windows": [], "guidance": gold}), encoding="utf-8")
    sc = score(_frames([
        {"category": "inpatient", "action": "settle_before", "confidence": "high"},
        {"category": "inpatient", "action": "suspended", "confidence": "medium"},
        {"category": "outpatient", "action": "suspended", "confidence": "low"},
    ]), tmp_path)
    lines = sc.guidance_category_lines()
    assert lines == [
        "guidance outpatient: P=0.00 R=1.00 F1=0.00 (right 0, predicted 1, gold 0)",
        "guidance inpatient: P=0.50 R=0.50 F1=0.50 (right 1, predicted 2, gold 2)",
        "guidance out_of_area: P=0.00 R=0.00 F1=0.00 (right 0, predicted 0, gold 1)",
    ]
    s = sc.summary()
    assert sum(v["right"] for v in s["guidance_by_category"].values()) == 1
    assert sum(v["gold"] for v in s["guidance_by_category"].values()) == 3
    assert "| guidance pairs=0.33 on 1 files |" in sc.summary_line()
    calibration = [x for x in sc.calibration_lines() if x.startswith("confidence guidance")]
    assert calibration == ["confidence guidance: high 1/1 right (100%), medium 0/1 right (0%), low 0/1 right (0%)"
                           " | wrong rows not high: 2/2 (100%)"]
