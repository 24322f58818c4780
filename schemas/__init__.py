"""Pandera models of the output tables: the single source of truth for every table.

Column names, order, types, nullability, checks and descriptions all live here; the DuckDB DDL,
the Parquet schema, the CSV layout and ``datapackage.json`` are derived from these models.
"""

from schemas.tables import (
    TABLES,
    ContactsSchema,
    ErrorsSchema,
    GuidanceSchema,
    NoticesSchema,
    OutageWindowsSchema,
    RepairsSchema,
    TableSpec,
    column_specs,
)

__all__ = [
    "TABLES",
    "TableSpec",
    "column_specs",
    "NoticesSchema",
    "OutageWindowsSchema",
    "GuidanceSchema",
    "ContactsSchema",
    "RepairsSchema",
    "ErrorsSchema",
]
