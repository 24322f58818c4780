"""DuckDB views created by every run, for analysts and regulators."""

from __future__ import annotations

import duckdb

VIEWS: dict[str, str] = {
    "city_timeline": """
        SELECT n.city, w.scheme, w.service, w.start_at, w.end_at, w.hours, n.source_file, w.notice_id
        FROM outage_windows w JOIN notices n USING (notice_id)
        ORDER BY n.city, w.start_at
    """,
}


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
