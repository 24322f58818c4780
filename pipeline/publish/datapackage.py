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
    GUIDANCE_ACTION_MEANINGS,
    GUIDANCE_CATEGORY_MEANINGS,
    GUIDANCE_PLACE_MEANINGS,
    NOTICE_SCOPE_MEANINGS,
    REPAIR_RULES,
)
from schemas.tables import TABLES, ColumnSpec, column_specs

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
}
# Every table but errors points at the notice it came from (errors name files that never made one).
FOREIGN_KEY_TABLES: tuple[str, ...] = ("outage_windows", "guidance", "contacts", "repairs")


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
    if spec.name == "rule" and model.__name__ == "RepairsSchema":
        # the codes are opaque without their meaning; REPAIR_RULES is where they are defined
        description += ". Codes: " + "; ".join(f"{code} = {meaning}" for code, meaning in REPAIR_RULES.items())
    if model.__name__ == "GuidanceSchema" and spec.name in ("category", "action", "place"):
        meanings = {"category": GUIDANCE_CATEGORY_MEANINGS, "action": GUIDANCE_ACTION_MEANINGS,
                    "place": GUIDANCE_PLACE_MEANINGS}[spec.name]
        description += ". Codes: " + "; ".join(f"{code} = {meaning}" for code, meaning in meanings.items())
    if model.__name__ == "NoticesSchema" and spec.name == "scope":
        description += ". Codes: " + "; ".join(f"{code} = {meaning}" for code, meaning in NOTICE_SCOPE_MEANINGS.items())
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
    """The whole package: one resource per table of :data:`schemas.tables.TABLES`."""
    return {
        "profile": "tabular-data-package",
        "name": "ybcutover-notices",
        "title": "医保 platform cutover notices as tables",
        "description": (
            "Chinese city medical-insurance (医保) system-cutover notices turned into tables: which "
            "services stop and when (outage_windows), what patients must do (guidance), whom to call "
            "(contacts), what the pipeline repaired (repairs) and which files failed (errors). Times are "
            "Beijing wall-clock time (UTC+8) at minute precision."
        ),
        "version": __version__,
        "contract_version": CONTRACT_VERSION,
        "resources": [resource_descriptor(t.name, t.model, t.description) for t in TABLES],
    }


def write_datapackage(out_dir: Path) -> Path:
    """Write ``out_dir/datapackage.json`` atomically; ``write_datapackage(Path("outputs"))``."""
    text = json.dumps(datapackage_descriptor(), ensure_ascii=False, indent=2) + "\n"
    return atomic_write_text(out_dir / DATAPACKAGE_NAME, text)
