"""Validate stage: every table against its pandera model before anything is written.

Rows of a notice that fail go to ``errors`` (stage ``validate``) with the reason; the notice's
other rows in that table are dropped with them so a consumer never sees half a notice, and
every other notice is written. A row with a key that is not a column of its table (a misspelt
``servce``) fails the same way, naming the key: a key the model does not know would otherwise
be dropped, and the column it was meant for left empty. A notice whose own ``notices`` row fails
loses its rows in every table: windows, guidance and contacts of a notice that is not there would
be orphans.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.errors as pa_errors

from schemas.tables import TABLES, column_specs, empty_frame


def to_frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows → a DataFrame with exactly the model's columns, in order."""
    spec = next(t for t in TABLES if t.name == table)
    cols = [c.name for c in column_specs(spec.model)]
    if not rows:
        return empty_frame(spec.model)
    frame = pd.DataFrame(rows)
    for col in cols:
        if col not in frame.columns:
            frame[col] = None
    return frame[cols]


def validate_tables(
    rows: dict[str, list[dict]], source_of: dict[str, str]
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Validate every table; return the valid frames and the error rows for failures.

    ``source_of`` maps notice_id → source_file, so an error row names the file to look at.
    """
    frames: dict[str, pd.DataFrame] = {}
    errors: list[dict] = []
    dropped: set[str] = set()  # notices whose notices row failed: none of their rows may stay
    for spec in TABLES:
        if spec.name == "errors":
            continue
        table_rows, unknown = without_unknown_keys(spec.name, rows.get(spec.name, []), source_of)
        errors.extend(unknown)
        if spec.name != "notices" and dropped:
            table_rows = [r for r in table_rows if r.get("notice_id") not in dropped]
        frame = to_frame(spec.name, table_rows)
        frames[spec.name], errs = _validate_one(spec, frame, source_of)
        errors.extend(errs)
        if spec.name == "notices":
            kept = set(frames["notices"]["notice_id"]) if len(frames["notices"]) else set()
            dropped = {r.get("notice_id") for r in table_rows} - kept
            errors.extend({"source_file": source_of.get(nid, str(nid)), "stage": "validate",
                           "error": "every row of this notice dropped (windows, guidance, contacts, repairs): its "
                                    "notices row failed validation (above)"}
                          for nid in sorted(dropped, key=str))
    return frames, errors


def without_unknown_keys(
    table: str, rows: list[dict], source_of: dict[str, str]
) -> tuple[list[dict], list[dict]]:
    """The rows of notices whose every key is a column of ``table``, and an errors row per notice
    that used another key (its rows of that table are dropped, as for any failed check).

    >>> rows = [{"notice_id": "a" * 16, "servce": "业务经办"}, {"notice_id": "b" * 16}]
    >>> kept, errors = without_unknown_keys("outage_windows", rows, {"a" * 16: "x.txt"})
    >>> kept == rows[1:], errors[0]["source_file"], errors[0]["error"]
    (True, 'x.txt', "outage_windows: rows of this notice dropped: unknown column 'servce' (not in schemas/tables.py)")
    """
    columns = _columns(table)
    bad: dict[object, set[str]] = {}
    for row in rows:
        extra = row.keys() - columns
        if extra:
            bad.setdefault(row.get("notice_id"), set()).update(extra)
    if not bad:
        return rows, []
    errors = [{"source_file": source_of.get(str(nid), str(nid)), "stage": "validate",
               "error": f"{table}: rows of this notice dropped: "
                        + ", ".join(f"unknown column {key!r}" for key in sorted(keys)) + " (not in schemas/tables.py)"}
              for nid, keys in bad.items()]
    return [row for row in rows if row.get("notice_id") not in bad], errors


@cache
def _columns(table: str) -> frozenset[str]:
    spec = next(t for t in TABLES if t.name == table)
    return frozenset(c.name for c in column_specs(spec.model))


def _validate_one(spec, frame: pd.DataFrame, source_of: dict[str, str]):
    errors: list[dict] = []
    for _ in range(3):  # a second pass catches nothing new unless coercion of a bad row hid another
        try:
            return spec.model.validate(frame, lazy=True), errors
        except pa_errors.SchemaErrors as exc:
            cases = exc.failure_cases
            bad_idx = set(cases["index"].dropna().tolist()) if "index" in cases else set()
            bad_ids = {frame.loc[i, "notice_id"] for i in bad_idx if i in frame.index and "notice_id" in frame}
            if not bad_ids:
                # a failure not tied to a row (a value that could not be coerced fails the column):
                # find the notices responsible one by one, so every other notice is still written
                return _validate_by_notice(spec, frame, source_of, errors)
            for nid in sorted(bad_ids):
                mine = cases[cases["index"].isin(frame.index[frame["notice_id"] == nid])]
                errors.append(
                    {
                        "source_file": source_of.get(nid, nid),
                        "stage": "validate",
                        "error": f"{spec.name}: rows of this notice dropped: {_summary(mine, frame)}",
                    }
                )
            frame = frame[~frame["notice_id"].isin(bad_ids)].reset_index(drop=True)
    return spec.model.validate(frame, lazy=True), errors


def _validate_by_notice(spec, frame: pd.DataFrame, source_of: dict[str, str], errors: list[dict]):
    good = []
    for nid, part in frame.groupby("notice_id", sort=False) if "notice_id" in frame else [("*", frame)]:
        try:
            spec.model.validate(part, lazy=True)
            good.append(part)
        except (pa_errors.SchemaErrors, pa_errors.SchemaError) as exc:
            cases = getattr(exc, "failure_cases", None)
            detail = _summary(cases, part) if isinstance(cases, pd.DataFrame) else str(exc)[:300]
            errors.append({"source_file": source_of.get(nid, str(nid)), "stage": "validate",
                           "error": f"{spec.name}: rows of this notice dropped: {detail}"})
    kept = pd.concat(good, ignore_index=True) if good else empty_frame(spec.model)
    return spec.model.validate(kept, lazy=True), errors


def _summary(cases: pd.DataFrame, frame: pd.DataFrame | None = None) -> str:
    """One clause per failed check: ``"end_at must not be before start_at (window_no 2)"``."""
    parts = []
    for check, group in cases.groupby("check", sort=False, dropna=False):
        where = ""
        if frame is not None and "index" in group:
            idx = [i for i in group["index"].dropna().unique().tolist() if i in frame.index][:5]
            key = next((k for k in ("window_no", "guidance_no") if k in frame.columns), None)
            if key and idx:
                where = f" ({key} {', '.join(str(frame.loc[i, key]) for i in idx)})"
        columns = sorted({str(c) for c in group["column"].dropna().unique()} - {"None"})
        on = "" if len(columns) > 3 or not columns else f" in {', '.join(columns)}"
        # by repr, not .unique(): a failing value of a list column (documents, reasons) is unhashable
        values = list(dict.fromkeys(repr(v) for v in group["failure_case"].dropna().tolist()))[:3] if len(columns) <= 1 else []
        parts.append(f"{check}{on}{where}" + (f": {', '.join(values)}" if values else ""))
    return "; ".join(parts[:5])
