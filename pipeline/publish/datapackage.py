"""``datapackage.json``: a Frictionless (Tabular) Data Package describing the CSV outputs.

Everything comes from the pandera models in :mod:`schemas.tables` (types, nullability, checks,
descriptions), so another application can read the CSV files without reading this code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from pipeline import __version__
from pipeline.runner.atomic import atomic_write_text
from pipeline.vocab.codes import (
    EVENT_JOIN_RULES,
    EVENT_REVIEW_REASONS,
    GUIDANCE_ACTION_MEANINGS,
    GUIDANCE_CATEGORY_MEANINGS,
    GUIDANCE_PLACE_MEANINGS,
    NOTICE_SCOPE_MEANINGS,
    PLACE_SCOPES,
    REPAIR_RULES,
    REVISION_KINDS,
    REVISION_RULES,
)
from schemas.tables import DERIVED_TABLES, TABLES, ColumnSpec, column_specs

DATAPACKAGE_NAME = "datapackage.json"
CONTRACT_VERSION = "1"  # the version printed in shared/CONTRACT.md

# How load.write_csv writes each kind (see pipeline/publish/tables.py:_cell_csv).
_FIELD_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
    "timestamp": {"type": "datetime", "format": "%Y-%m-%dT%H:%M"},
    "date": {"type": "date", "format": "default"},
    "list": {"type": "list", "delimiter": ";", "itemType": "string"},
}

PRIMARY_KEYS: dict[str, list[str]] = {
    "notices": ["notice_id"],
    "outage_windows": ["notice_id", "window_no"],
    "guidance": ["notice_id", "guidance_no"],
    "events": ["event_id"],
    "revisions": ["event_id", "revision_no"],
}
# Every table but errors points at the notice it came from (errors name files that never made one).
FOREIGN_KEY_TABLES: tuple[str, ...] = ("outage_windows", "guidance", "contacts", "repairs", "event_members")
# The derived tables point at their event (pipeline/publish/events.py).
EVENT_KEY_TABLES: tuple[str, ...] = ("event_members", "revisions")

# Code columns whose meanings the descriptor spells out: (table, column) → code → meaning.
CODE_MEANINGS: dict[tuple[str, str], dict[str, str]] = {
    ("repairs", "rule"): REPAIR_RULES,
    ("notices", "scope"): NOTICE_SCOPE_MEANINGS,
    ("guidance", "category"): GUIDANCE_CATEGORY_MEANINGS,
    ("guidance", "action"): GUIDANCE_ACTION_MEANINGS,
    ("guidance", "place"): GUIDANCE_PLACE_MEANINGS,
    ("events", "city_scope"): PLACE_SCOPES,
    ("events", "join_rules"): {k: v[1] for k, v in EVENT_JOIN_RULES.items()},
    ("events", "review_reasons"): EVENT_REVIEW_REASONS,
    ("event_members", "join_rule"): {k: v[1] for k, v in EVENT_JOIN_RULES.items()},
    ("revisions", "kind"): REVISION_KINDS,
    ("revisions", "rule"): REVISION_RULES,
}
TABLE_OF_MODEL = {t.model.__name__: t.name for t in TABLES + DERIVED_TABLES}


def _constraints(model: type[pa.DataFrameModel], spec: ColumnSpec) -> dict[str, Any]:
    """Table Schema constraints read off the pandera column: required, unique, enum, pattern, minimum.

    ``_constraints(GuidanceSchema, <category>)`` → ``{"required": True, "enum": ["outpatient", …]}``.
    """
    column = model.to_schema().columns[spec.name]
    out: dict[str, Any] = {"required": not spec.nullable}
    if column.unique:
        out["unique"] = True
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "isin":
            out["enum"] = list(stats["allowed_values"])
        elif check.name == "str_matches":
            # Table Schema patterns are implicitly anchored: drop pandera's ^…$
            out["pattern"] = str(stats["pattern"]).removeprefix("^").removesuffix("$")
        elif check.name == "greater_than_or_equal_to":
            out["minimum"] = stats["min_value"]
    if spec.kind == "list" or (spec.kind == "string" and not {"enum", "pattern"} & out.keys()):
        # CSV writes an empty list and an empty text ("nothing was printed") as an empty cell,
        # which Table Schema reads as missing: only codes and ids can promise a value
        out["required"] = False
    return out


def field_descriptor(model: type[pa.DataFrameModel], spec: ColumnSpec) -> dict[str, Any]:
    """One Table Schema field: ``{"name": "hours", "type": "number", "description": …, "constraints": …}``."""
    description = spec.description
    meanings = CODE_MEANINGS.get((TABLE_OF_MODEL.get(model.__name__, ""), spec.name))
    if meanings:
        # the codes are opaque without their meaning; pipeline/vocab/codes.py is where they are defined
        description += ". Codes: " + "; ".join(f"{code} = {meaning}" for code, meaning in meanings.items())
    if spec.kind == "list":
        description += " (joined by ';' in CSV; an empty cell is an empty list)"
    elif not spec.nullable and spec.kind == "string" and not _constraints(model, spec)["required"]:
        description += " (never null: an empty cell is empty text)"
    return {"name": spec.name, **_FIELD_TYPES[spec.kind], "description": description, "constraints": _constraints(model, spec)}


def resource_descriptor(name: str, model: type[pa.DataFrameModel], description: str) -> dict[str, Any]:
    """One CSV resource, e.g. ``{"name": "notices", "path": "notices.csv", "schema": {…}, …}``."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(model, c) for c in column_specs(model)],
        "missingValues": [""],
    }
    if name in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[name]
    if name in FOREIGN_KEY_TABLES:
        schema["foreignKeys"] = [
            {"fields": ["notice_id"], "reference": {"resource": "notices", "fields": ["notice_id"]}}
        ]
    if name in EVENT_KEY_TABLES:
        schema.setdefault("foreignKeys", []).append(
            {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}})
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        # the CSV files start with a BOM so Excel reads Chinese correctly
        "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "description": f"{description}. Same rows in {name}.parquet and in table {name} of notices.duckdb.",
        "schema": schema,
    }


def datapackage_descriptor() -> dict[str, Any]:
    """The whole package: one resource per table of :data:`schemas.tables.TABLES`, then the derived ones
    (``events``, ``event_members``, ``revisions``: :data:`schemas.tables.DERIVED_TABLES`)."""
    return {
        "profile": "tabular-data-package",
        "name": "ybcutover-notices",
        "title": "医保 platform cutover notices as tables",
        "description": (
            "Chinese city medical-insurance (医保) system-cutover notices turned into tables: which "
            "services stop and when (outage_windows), what patients must do (guidance), whom to call "
            "(contacts), what the pipeline repaired (repairs) and which files failed (errors); and, derived "
            "from them, one row per real-world interruption however many notices announce it (events, "
            "event_members) with the changes between announcements (revisions). Times are "
            "Beijing wall-clock time (UTC+8) at minute precision."
        ),
        "version": __version__,
        "contract_version": CONTRACT_VERSION,
        "resources": [resource_descriptor(t.name, t.model, t.description) for t in TABLES + DERIVED_TABLES],
    }


def write_datapackage(out_dir: Path) -> Path:
    """Write ``out_dir/datapackage.json`` atomically; ``write_datapackage(Path("outputs"))``."""
    text = json.dumps(datapackage_descriptor(), ensure_ascii=False, indent=2) + "\n"
    return atomic_write_text(out_dir / DATAPACKAGE_NAME, text)
