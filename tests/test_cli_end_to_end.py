"""End to end: ``python -m pipeline run --raw DIR --out DIR`` writes every contract table."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import RAW, ROOT, TABLES, cli

from schemas.tables import TABLES as TABLE_SPECS
from schemas.tables import column_specs

CONTRACT = ROOT / "docs" / "contract.md"  # the output contract, version 1, with this repository's additions
RAW_FILES = ["hangzhou-2022-cutover-notice.txt", "xian-2022-cutover-notice-and-guide.txt", "lanzhou-2021-cutover.txt"]
JUNK = "broken/junk.txt"
# the contract's tables (a table the schema adds is not in the contract)
CONTRACT_TABLES = ("notices", "outage_windows", "guidance", "contacts", "repairs", "errors")
TIMESTAMP_CSV = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")

DUCKDB_TYPE = {"string": "VARCHAR", "int": "BIGINT", "timestamp": "TIMESTAMP", "date": "DATE",
               "bool": "BOOLEAN", "list of string": "VARCHAR[]"}


def contract_columns() -> dict[str, list[tuple[str, str, bool]]]:
    """``{table: [(column, base type, nullable), …]}`` parsed from CONTRACT.md."""
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    current = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^###\s+(\w+)\s", line)
        if m:
            current = m.group(1)
            tables[current] = []
            continue
        if current and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2 or cells[0] == "column":
                continue
            kind = cells[1]
            nullable = kind.endswith("?")
            for name in cells[0].split("/"):
                tables[current].append((name.strip(), kind.rstrip("?"), nullable))
    return tables


def _parquet_type_ok(t: pa.DataType, kind: str) -> bool:
    return {
        "string": lambda: pa.types.is_string(t) or pa.types.is_large_string(t),
        "int": lambda: pa.types.is_int64(t),
        "timestamp": lambda: pa.types.is_timestamp(t) and t.tz is None,
        "date": lambda: pa.types.is_date32(t) or pa.types.is_date64(t),
        "bool": lambda: pa.types.is_boolean(t),
        "list of string": lambda: (pa.types.is_list(t) or pa.types.is_large_list(t))
        and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)),
    }[kind]()


def _src(name: str) -> Path:
    return RAW / name


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    out = tmp_path_factory.mktemp("out")
    for i, name in enumerate(RAW_FILES):
        dest = raw / ("nested/deeper" if i == 2 else "") / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_src(name), dest)
    junk = raw / JUNK
    junk.parent.mkdir(parents=True, exist_ok=True)
    junk.write_bytes(b"\x00\x01\x02\xff\xfe\x00garbage" * 200 + bytes(range(256)))
    return cli("run", "--raw", str(raw), "--out", str(out), timeout=600), out


def test_exit_status_zero(run):
    proc, _ = run
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_contract_parsed():
    cols = contract_columns()
    assert set(cols) == set(CONTRACT_TABLES)
    assert ("start_at", "timestamp", False) in cols["outage_windows"]
    assert ("end_text", "string", False) in cols["outage_windows"]


@pytest.mark.parametrize("spec", TABLE_SPECS, ids=TABLES)
def test_parquet_and_csv_exist(run, spec):
    _, out = run
    assert (out / f"{spec.name}.parquet").is_file()
    assert (out / f"{spec.name}.csv").is_file()


@pytest.mark.parametrize("spec", TABLE_SPECS, ids=TABLES)
def test_csv_bom_header_and_timestamps(run, spec):
    _, out = run
    data = (out / f"{spec.name}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    specs = column_specs(spec.model)
    assert rows[0] == [c.name for c in specs]
    for c_i, c in enumerate(specs):
        if c.kind == "timestamp":
            for row in rows[1:]:
                assert row[c_i] == "" or TIMESTAMP_CSV.match(row[c_i]), (c.name, row[c_i])


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_duckdb_has_contract_columns_with_types(run, table):
    _, out = run
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        types = {name: typ for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall()}
        for name, kind, nullable in contract_columns()[table]:
            assert name in types, f"{table}.{name} missing"
            assert types[name] == DUCKDB_TYPE[kind], (table, name, types[name])
            if not nullable:
                n = con.execute(f"SELECT count(*) FROM {table} WHERE {name} IS NULL").fetchone()[0]
                assert n == 0, f"{table}.{name} is not optional but has {n} nulls"
    finally:
        con.close()


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_parquet_has_contract_columns_with_types(run, table):
    _, out = run
    schema = pq.read_schema(out / f"{table}.parquet")
    for name, kind, _ in contract_columns()[table]:
        assert name in schema.names, f"{table}.{name} missing"
        assert _parquet_type_ok(schema.field(name).type, kind), (table, name, str(schema.field(name).type))


def test_junk_file_is_a_read_error_and_others_are_notices(run):
    _, out = run
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        errors = con.execute("SELECT source_file, stage, error FROM errors").fetchall()
        notices = {r[0] for r in con.execute("SELECT source_file FROM notices").fetchall()}
    finally:
        con.close()
    assert [(f, s) for f, s, _ in errors] == [(JUNK, "read")]
    assert errors[0][2].strip()
    expected = {RAW_FILES[0], RAW_FILES[1], f"nested/deeper/{RAW_FILES[2]}"}
    assert notices == expected


def test_notice_ids_are_sha256_prefixes(run):
    import hashlib

    _, out = run
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        ids = dict(con.execute("SELECT source_file, notice_id FROM notices").fetchall())
    finally:
        con.close()
    for rel, nid in ids.items():
        assert nid == hashlib.sha256(_src(Path(rel).name).read_bytes()).hexdigest()[:16]


def test_missing_raw_folder_exits_non_zero(tmp_path):
    proc = cli("run", "--raw", str(tmp_path / "does-not-exist"), "--out", str(tmp_path / "o"))
    assert proc.returncode != 0
