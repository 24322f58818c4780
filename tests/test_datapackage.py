"""datapackage.json: generated from schemas/, valid against a real run's CSV files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest

from pipeline.publish.datapackage import datapackage_descriptor
from schemas.tables import DERIVED_TABLES, TABLES, column_specs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run_dir(shipped_run: Path) -> Path:
    return shipped_run


def test_real_run_validates(run_dir):
    report = frictionless.validate(str(run_dir / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]
    assert report.stats["tasks"] == len(TABLES) + len(DERIVED_TABLES)


def test_describes_every_table_and_column_from_the_schemas(run_dir):
    package = json.loads((run_dir / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == [t.name for t in TABLES + DERIVED_TABLES]
    for spec in TABLES + DERIVED_TABLES:
        fields = resources[spec.name]["schema"]["fields"]
        assert [f["name"] for f in fields] == [c.name for c in column_specs(spec.model)]
        assert all(f["description"] for f in fields)
        # the header of the written CSV is the one described
        with (run_dir / resources[spec.name]["path"]).open(encoding="utf-8-sig", newline="") as f:
            assert next(csv.reader(f)) == [fld["name"] for fld in fields]
    windows = {f["name"]: f for f in resources["outage_windows"]["schema"]["fields"]}
    assert windows["start_at"]["type"] == "datetime" and windows["hours"]["type"] == "number"
    assert windows["window_no"]["constraints"] == {"required": True, "minimum": 1}
    guidance = {f["name"]: f for f in resources["guidance"]["schema"]["fields"]}
    assert guidance["deadline_to"]["type"] == "date"
    assert guidance["documents"]["type"] == "list" and guidance["documents"]["delimiter"] == ";"
    assert "reimbursement" in guidance["category"]["constraints"]["enum"]
    assert resources["outage_windows"]["schema"]["primaryKey"] == ["notice_id", "window_no"]
    assert resources["contacts"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "notices", "fields": ["notice_id"]}
    assert resources["events"]["schema"]["primaryKey"] == ["event_id"]
    assert {"resource": "events", "fields": ["event_id"]} in [k["reference"] for k in resources["revisions"]["schema"]["foreignKeys"]]
    kinds = {f["name"]: f for f in resources["revisions"]["schema"]["fields"]}
    assert "advanced = 提前" in kinds["kind"]["description"] and kinds["kind"]["constraints"]["enum"][0] == "advanced"


def test_validation_catches_a_broken_file(run_dir, tmp_path):
    """The check has teeth: a dangling notice_id and a bad code fail it."""
    for item in run_dir.iterdir():
        if item.suffix in {".csv", ".json"}:
            (tmp_path / item.name).write_bytes(item.read_bytes())
    path = tmp_path / "guidance.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][0] = "ffffffffffffffff"  # no such notice
    rows[2][rows[0].index("category")] = "not_a_category"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    kinds = {e[0] for e in report.flatten(["type"])}
    assert not report.valid and {"foreign-key", "constraint-error"} <= kinds


def test_descriptor_is_plain_json():
    assert json.loads(json.dumps(datapackage_descriptor(), ensure_ascii=False))["profile"] == "tabular-data-package"
