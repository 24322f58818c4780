"""A small, hand-made set of the six tables for testing views and the report.

The values are invented here (not copied from a pipeline run), so the expected aggregates in
the tests can be worked out by hand from this file alone.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline.publish.tables import duckdb_ddl, to_arrow, write_outputs
from pipeline.publish.views import create_views
from pipeline.validate import to_frame
from schemas.tables import TABLES, column_specs

NID_A1 = "a1" * 8
NID_A2 = "a2" * 8
NID_PROV = "b0" * 8
NID_UNK_X = "c1" * 8
NID_UNK_Y = "c2" * 8
NID_B = "d0" * 8


def notice(nid: str, source_file: str, city: str | None, province: str | None, **extra: Any) -> dict[str, Any]:
    row = {
        "notice_id": nid, "source_file": source_file, "format": "txt", "city": city, "province": province,
        "published_on_inferred": False, "published_on_confidence": "high", "published_on_confidence_reasons": [],
        "city_confidence": "high", "city_confidence_reasons": [],
    }
    return row | extra


def window(nid: str, no: int, start: datetime, end: datetime | None, **extra: Any) -> dict[str, Any]:
    hours = None if end is None else (end - start).total_seconds() / 3600
    row = {
        "notice_id": nid, "window_no": no, "start_at": start, "end_at": end, "hours": hours,
        "start_text": f"{start:%m月%d日%H时}", "end_text": None if end is None else f"{end:%m月%d日%H时}",
        "year_inferred": False, "evidence": "停机时间为……", "end_close_call": False,
        "confidence": "high", "confidence_reasons": [], "plausible": True,
    }
    return row | extra


def guidance(nid: str, no: int, category: str, action: str, **extra: Any) -> dict[str, Any]:
    row = {
        "notice_id": nid, "guidance_no": no, "category": category, "action": action,
        "documents": [], "evidence": "参保人员请……", "confidence": "high", "confidence_reasons": [],
    }
    return row | extra


def contact(nid: str, raw: str, status: str, e164: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"notice_id": nid, "phone_raw": raw, "phone_status": status, "phone_e164": e164,
            "confidence": "high", "confidence_reasons": []} | extra


def repair(nid: str, rule: str = "year_from_context") -> dict[str, Any]:
    return {
        "notice_id": nid, "table_name": "outage_windows", "column_name": "end_at", "raw_value": "9月3日",
        "repaired_value": "2021-09-03T00:00", "rule": rule, "evidence": "year of the range's start",
    }


def tables() -> dict[str, list[dict[str, Any]]]:
    """甲市 (two notices), 乙省 (province-wide, open window), two notices with no place, 丙市."""
    d = datetime
    return {
        "notices": [
            notice(NID_A1, "jia-1.txt", "甲市", "丁省", title="甲市医保停机通告", source_url="https://example.cn/jia"),
            notice(NID_A2, "sub/jia-2.txt", "甲市", "丁省"),
            notice(NID_PROV, "yi-province.txt", None, "乙省"),
            notice(NID_UNK_X, "x.txt", None, None),
            notice(NID_UNK_Y, "y.txt", None, None),
            notice(NID_B, "bing.txt", "丙市", "丁省"),
        ],
        "outage_windows": [
            window(NID_A1, 1, d(2021, 9, 1, 0, 0), d(2021, 9, 3, 0, 0)),  # 48 h, everything
            window(NID_A2, 1, d(2021, 9, 2, 0, 0), d(2021, 9, 10, 0, 0), service="实时结算、联网结算", scheme="职工医保"),
            window(NID_PROV, 1, d(2018, 1, 1, 0, 0), d(2018, 1, 4, 0, 0), scheme="省本级"),  # 72 h
            window(NID_PROV, 2, d(2018, 1, 1, 0, 0), None, service="联网结算"),  # left open
            window(NID_B, 1, d(2022, 2, 20, 18, 0), d(2022, 2, 21, 6, 0), year_inferred=True),  # 12 h
        ],
        "guidance": [
            guidance(NID_A1, 1, "reimbursement", "pay_then_reimburse",
                     deadline_from=date(2021, 10, 1), deadline_to=date(2021, 12, 31)),
            guidance(NID_A1, 2, "outpatient", "pay_then_reimburse", deadline_to=date(2022, 1, 15)),
            # a later deadline, but for stocking up: not a reimbursement deadline
            guidance(NID_A2, 1, "outpatient", "stock_up_medicine", deadline_to=date(2022, 6, 30)),
            guidance(NID_A2, 2, "outpatient", "pay_then_reimburse"),
            guidance(NID_PROV, 1, "inpatient", "settle_before", deadline_to=date(2017, 12, 31)),
            guidance(NID_UNK_X, 1, "other", "unaffected"),
        ],
        "contacts": [
            contact(NID_A1, "029-12345678", "ok", "+862912345678", region="新区", organization="新区医保局"),
            contact(NID_A1, "12345678", "area_code_inferred", "+862912345678", organization="医院医保办"),
            contact(NID_A1, "12345", "short_number", organization="市民热线"),
            contact(NID_A2, "-", "damaged", organization="老区医保局"),
            contact(NID_A2, "029-8", "damaged", organization="东区医保局"),
            contact(NID_PROV, "0591-1234567", "ok", "+865911234567"),
        ],
        "repairs": [repair(NID_A1), repair(NID_A2, "hour_24_next_day"), repair(NID_A2, "year_from_url"),
                    repair(NID_PROV)],
        "errors": [{"source_file": "broken.pdf", "stage": "read", "error": "not a PDF"}],
    }


def frames(rows: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, pd.DataFrame]:
    """The tables as validated DataFrames, as ``run`` hands them to ``write_outputs``."""
    rows = tables() if rows is None else rows
    return {spec.name: spec.model.validate(to_frame(spec.name, rows.get(spec.name, []))) for spec in TABLES}


def memory_db(rows: dict[str, list[dict[str, Any]]] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the six tables (DDL from the schemas) and the views."""
    con = duckdb.connect()
    for spec in TABLES:
        specs = column_specs(spec.model)
        con.execute(duckdb_ddl(spec.name, specs))
        frame = frames(rows)[spec.name]
        if len(frame):
            con.register("incoming", to_arrow(frame, specs))
            con.execute(f"INSERT INTO {spec.name} SELECT * FROM incoming")
            con.unregister("incoming")
    create_views(con)
    return con


def write_synthetic_outputs(out_dir: Path, rows: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """The synthetic tables written by the real load stage (Parquet, CSV, DuckDB with views)."""
    write_outputs(frames(rows), out_dir)
    return out_dir


def records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
