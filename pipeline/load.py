"""Load stage: the only module that writes files.

Every table goes to ``TABLE.parquet``, ``TABLE.csv`` (UTF-8 with BOM) and ``notices.duckdb``.
Everything is first written into a staging folder inside the output folder, then moved into
place with ``os.replace`` (atomic on one file system), so a run that dies leaves the previous
outputs whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.tables import TABLES, ColumnSpec, column_specs

DB_NAME = "notices.duckdb"

_ARROW = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "list": pa.list_(pa.string()),
}
_DUCKDB = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "list": "VARCHAR[]",
}


def arrow_schema(specs: list[ColumnSpec]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.kind], nullable=c.nullable) for c in specs])


def duckdb_ddl(table: str, specs: list[ColumnSpec]) -> str:
    """``CREATE TABLE`` derived from the pandera model.

    ``duckdb_ddl("errors", column_specs(ErrorsSchema))`` →
    ``CREATE TABLE errors (source_file VARCHAR NOT NULL, stage VARCHAR NOT NULL, error VARCHAR NOT NULL)``.
    """
    cols = ", ".join(f"{c.name} {_DUCKDB[c.kind]}{'' if c.nullable else ' NOT NULL'}" for c in specs)
    return f"CREATE TABLE {table} ({cols})"


def _cell_py(value, kind: str):
    if value is None or (not isinstance(value, list) and pd.isna(value)):
        return None
    if kind == "timestamp":
        return pd.Timestamp(value).to_pydatetime().replace(second=0, microsecond=0)
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "list":
        return [str(v) for v in value]
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def to_arrow(frame: pd.DataFrame, specs: list[ColumnSpec]) -> pa.Table:
    arrays = {c.name: [_cell_py(v, c.kind) for v in frame[c.name].tolist()] for c in specs}
    return pa.Table.from_pydict(arrays, schema=arrow_schema(specs))


def _cell_csv(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "timestamp":
        return value.strftime("%Y-%m-%dT%H:%M")
    if kind == "date":
        return value.isoformat()
    if kind == "list":
        return ";".join(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return f"{value:g}"
    return str(value)


def write_csv(table: pa.Table, specs: list[ColumnSpec], path: Path) -> None:
    """CSV per contract: UTF-8 with BOM, one header, empty cell for null, lists joined by ';'."""
    import csv

    columns = {c.name: table.column(c.name).to_pylist() for c in specs}
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([c.name for c in specs])
        for i in range(table.num_rows):
            writer.writerow([_cell_csv(columns[c.name][i], c.kind) for c in specs])


def _sql_string(text: str) -> str:
    """A SQL string literal (COMMENT ON does not take parameters): ``"it's"`` → ``'it''s'``."""
    return "'" + text.replace("'", "''") + "'"


def write_outputs(frames: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write every table to Parquet, CSV and DuckDB in ``out_dir``, atomically per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        db_path = staging / DB_NAME
        con = duckdb.connect(str(db_path))
        try:
            for spec in TABLES:
                specs = column_specs(spec.model)
                table = to_arrow(frames[spec.name], specs)
                pq.write_table(table, staging / f"{spec.name}.parquet")
                write_csv(table, specs, staging / f"{spec.name}.csv")
                con.execute(duckdb_ddl(spec.name, specs))
                con.register("incoming", table)
                con.execute(f"INSERT INTO {spec.name} SELECT * FROM incoming")
                con.unregister("incoming")
                con.execute(f"COMMENT ON TABLE {spec.name} IS {_sql_string(spec.description)}")
                for c in specs:
                    if c.description:
                        con.execute(f"COMMENT ON COLUMN {spec.name}.{c.name} IS {_sql_string(c.description)}")
            from pipeline.views import create_views

            create_views(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        written = []
        for item in sorted(staging.iterdir()):
            target = out_dir / item.name
            os.replace(item, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
