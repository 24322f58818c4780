"""Repair log rows: one per defect the pipeline fixed or flagged, with its evidence."""

from __future__ import annotations

from pipeline.vocab.codes import REPAIR_RULES


def repair(table: str, column: str, raw: str, repaired: str | None, rule: str, evidence: str) -> dict:
    """One ``repairs`` row (without notice_id, which the caller stamps).

    ``repair("outage_windows", "start_at", "3月11日24时", "2022-03-12T00:00", "hour_24_next_day",
    "24时 of 3月11日 is 00:00 of the next day")``.
    """
    if rule not in REPAIR_RULES:
        raise ValueError(f"unknown repair rule {rule!r}: add it to pipeline.vocab.codes.REPAIR_RULES")
    return {
        "table_name": table,
        "column_name": column,
        "raw_value": raw,
        "repaired_value": repaired,
        "rule": rule,
        "evidence": evidence,
    }
