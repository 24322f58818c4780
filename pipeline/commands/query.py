"""``python -m pipeline query "SQL" [--db PATH] [--format table|csv|json]``.

Runs one SQL statement against ``notices.duckdb`` opened read-only, so a query never takes the
writer's lock away from a running ``pipeline run`` and can never change the data — and locked
down (:data:`QUERY_CONFIG`): no file or network access beyond the database itself (``COPY … TO``,
``read_csv('/etc/passwd')``, ``ATTACH`` and ``http://`` URLs are refused), no extension installed
or loaded, and no setting changed afterwards. SQL typed by a person, or pasted from elsewhere,
reads the tables and nothing else.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import io
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from pipeline.publish.captions import display_width
from pipeline.publish.tables import DB_NAME
from pipeline.settings import DEFAULT_OUT

log = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")
MAX_CELL_WIDTH = 60  # display columns; longer cells are cut with … in the table format only


# DuckDB settings of the query connection, fixed when it opens (lock_configuration: SET cannot undo them).
QUERY_CONFIG: dict[str, Any] = {
    "enable_external_access": False,  # no file or URL but the database: COPY TO, read_csv, ATTACH, httpfs
    "autoinstall_known_extensions": False,  # an http:// URL must not download httpfs
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "memory_limit": "1GB",  # a runaway query fails instead of swapping the machine
    "lock_configuration": True,
}


def run_query(db: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of ``sql`` on ``db`` opened read-only and locked down (:data:`QUERY_CONFIG`).

    ``run_query(Path("outputs/notices.duckdb"), "SELECT count(*) AS n FROM notices")`` →
    ``(["n"], [(14,)])``; ``run_query(db, "COPY notices TO '/tmp/x.csv'")`` raises ``duckdb.Error``.
    """
    con = duckdb.connect(str(db), read_only=True, config=QUERY_CONFIG)
    try:
        cur = con.execute(sql)
        if cur.description is None:  # a statement without a result (SET, PRAGMA …)
            return [], []
        columns = [d[0] for d in cur.description]
        return columns, cur.fetchall()
    finally:
        con.close()


def cell_text(value: Any) -> str:
    """A value as text, the way the CSV outputs write it.

    >>> cell_text(dt.datetime(2022, 2, 20, 0, 0)), cell_text(["a", "b"]), cell_text(None)
    ('2022-02-20T00:00', 'a;b', '')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # minute precision like the contract, unless the value carries seconds
        return value.isoformat(timespec="minutes" if value.second == 0 and value.microsecond == 0 else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot encode itself.

    >>> _json_default(dt.date(2022, 3, 1))
    '2022-03-01'
    """
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return cell_text(value) if not isinstance(value, dt.time) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns (with …) and padded to exactly ``width``."""
    text = text.replace("\n", " ")
    if display_width(text) > width:
        out, used = "", 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out, used = out + ch, used + w
        text = out + "…"
    return text + " " * (width - display_width(text))


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as an aligned text table (CJK-aware) followed by a row count.

    >>> print(format_table(["city", "n"], [("西安市", 3)]), end="")
    city   n
    ------ -
    西安市 3
    (1 row)
    """
    texts = [[cell_text(v) for v in row] for row in rows]
    widths = [
        min(MAX_CELL_WIDTH, max([display_width(c)] + [display_width(r[i]) for r in texts]))
        for i, c in enumerate(columns)
    ]
    lines = [" ".join(_fit(c, w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append(" ".join("-" * w for w in widths))
    lines += [" ".join(_fit(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in texts]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def format_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as CSV with a header, lists joined by ``;`` like the CSV outputs."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    return buf.getvalue()


def format_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as a JSON array of objects; lists stay arrays, timestamps become ISO text."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2, default=_json_default) + "\n"


FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}


def query(sql: str, db: Path, fmt: str = "table") -> int:
    """Print the result of ``sql`` in ``fmt``; return the exit status (0, or 1/2 with a message)."""
    if not db.is_file():
        log.error("no database at %s: run `python -m pipeline run` first, or pass --db", db)
        return 2
    try:
        columns, rows = run_query(db, sql)
    except duckdb.Error as exc:
        log.error("%s", exc)
        return 1
    if columns:
        sys.stdout.write(FORMATTERS[fmt](columns, rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run SQL on notices.duckdb (read-only) and print the result")
    p.add_argument("sql", help='e.g. "SELECT * FROM city_comparison"')
    p.add_argument("--db", type=Path, default=DEFAULT_OUT / DB_NAME, help="database file (default: outputs/notices.duckdb)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.set_defaults(func=lambda a: query(a.sql, a.db, a.format))
