"""``python -m pipeline query``: SQL on notices.duckdb, read-only, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from helpers import cli
from synthetic import write_synthetic_outputs

from pipeline.cli import main
from pipeline.commands.query import format_table
from pipeline.publish.captions import display_width

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return write_synthetic_outputs(tmp_path_factory.mktemp("out")) / "notices.duckdb"


def query(capsys, db: Path, sql: str, fmt: str = "table") -> tuple[int, str, str]:
    code = main(["query", sql, "--db", str(db), "--format", fmt])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_format_aligns_chinese(capsys, db):
    code, out, _ = query(capsys, db, "SELECT city_label, windows FROM city_comparison WHERE city IS NOT NULL")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["city_label", "windows"]
    assert lines[-1] == "(2 rows)"
    body = lines[2:-1]
    assert [line.split() for line in body] == [["丙市", "1"], ["甲市", "2"]]
    # the count column starts at the same terminal column on every line, CJK counted double
    starts = {display_width(line[: line.rindex(" ") + 1]) for line in [lines[0], *body]}
    assert len(starts) == 1


def test_csv_format_joins_lists_and_writes_minutes(capsys, db):
    code, out, _ = query(
        capsys, db, "SELECT city_label, first_stop, services_stopped FROM city_comparison WHERE city = '甲市'", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [
        {"city_label": "甲市", "first_stop": "2021-09-01T00:00", "services_stopped": "(all services);实时结算;联网结算"}
    ]


def test_json_format_keeps_lists_and_nulls(capsys, db):
    code, out, _ = query(capsys, db, "SELECT * FROM city_comparison ORDER BY city_label", "json")
    assert code == 0
    rows = {r["city_label"]: r for r in json.loads(out)}
    assert rows["甲市"]["guidance_categories"] == ["outpatient", "reimbursement"]
    assert rows["甲市"]["reimbursement_deadline"] == "2022-01-15"
    assert rows["乙省 (province-wide)"]["last_resume"] is None


def test_database_is_opened_read_only(capsys, db):
    code, _, err = query(capsys, db, "DELETE FROM notices")
    assert code == 1 and "read-only" in err.lower()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM notices").fetchall() == [(6,)]
    # another reader holds the file open: a read-only query in another process still works
    proc = cli("query", "SELECT count(*) AS n FROM notices", "--db", str(db), "--format", "csv")
    con.close()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "6"]


def test_errors_are_messages_not_tracebacks(capsys, db, tmp_path):
    code, _, err = query(capsys, db, "SELECT * FROM no_such_table")
    assert code == 1 and err.startswith("error:") and "no_such_table" in err
    code, _, err = query(capsys, tmp_path / "missing.duckdb", "SELECT 1")
    assert code == 2 and "pipeline run" in err


def test_format_table_cuts_long_cells():
    text = format_table(["evidence"], [("很" * 100,)])
    line = text.splitlines()[2]
    assert line.endswith("…") and display_width(line) <= 60


def test_every_query_of_the_querying_guide_runs(shipped_run):
    """docs/querying.md promises one working query per view and derived table: each ```sql block runs."""
    import re

    import duckdb

    guide = (ROOT / "docs" / "querying.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", guide, flags=re.S)
    assert len(blocks) >= 12
    con = duckdb.connect(str(shipped_run / "notices.duckdb"), read_only=True)
    try:
        for sql in blocks:
            sql = sql.replace("'outputs/", f"'{shipped_run}/")
            con.execute(sql).fetchall()  # only that it runs: the rows are not looked at
    finally:
        con.close()
