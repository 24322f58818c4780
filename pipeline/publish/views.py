"""DuckDB views created by every run, for analysts and regulators.

Views are stored as SQL in ``notices.duckdb``, so they work on a read-only connection and always
reflect the tables next to them. Every view keys cities by ``city_label``, which is never NULL:

- ``西安市`` — the notice's city;
- ``福建省 (province-wide)`` — a notice with no city but a province;
- ``(city unknown) fuzhou-2018-year-end-news.txt`` — neither is known; the source file keeps
  two unrelated notices from being lumped together.

``city`` itself stays NULL in those rows, so ``WHERE city IS NULL`` still finds them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

# Guidance that sends a patient to get money back later: its deadline is the one a patient
# must not miss. ``pay_then_settle_at_provider`` counts too: the patient pays and settles later.
REIMBURSEMENT_CATEGORIES: tuple[str, ...] = ("reimbursement",)
REIMBURSEMENT_ACTIONS: tuple[str, ...] = ("pay_then_reimburse", "pay_then_settle_at_provider")

# Phone statuses a person can dial: short numbers (12345) have no E.164 form but do work.
USABLE_PHONE_STATUSES: tuple[str, ...] = ("ok", "area_code_inferred", "short_number")

PROVINCE_WIDE_SUFFIX = " (province-wide)"
UNKNOWN_CITY_PREFIX = "(city unknown) "
ALL_SERVICES = "(all services)"
UNKNOWN_PROVINCE = "(province unknown)"


def _sql_list(values: tuple[str, ...]) -> str:
    """A SQL ``IN`` list (the values are our own constants).

    >>> print(_sql_list(("a", "b")))
    'a', 'b'
    """
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


# One row per city label: how its rollout went, side by side with the others. A template over the
# events it counts: ``counted_events`` (plausible ones) or, for the "…_all" companion, ``event_timeline``.
_CITY_COMPARISON = f"""
        WITH
        labelled AS (
            -- a notice counts for its own label and for the label of every event it announces
            -- (a page listing several cities announces events of each)
            SELECT city_label, city, province, city_scope, notice_id, source_file FROM notice_places
            UNION
            SELECT city_label, city, province, city_scope,
                   unnest(notice_ids) AS notice_id, unnest(source_files) AS source_file
            FROM __EVENTS__
        ),
        places AS (
            SELECT city_label, any_value(city) AS city, any_value(province) AS province,
                   any_value(city_scope) AS city_scope,
                   count(DISTINCT notice_id) AS notices, list(DISTINCT source_file ORDER BY source_file) AS source_files
            FROM labelled GROUP BY city_label
        ),
        windows AS (
            SELECT p.city_label,
                   count(*) AS windows,
                   count(*) FILTER (WHERE w.end_at IS NULL) AS open_windows
            FROM outage_windows w JOIN notice_places p USING (notice_id)
            GROUP BY p.city_label
        ),
        evts AS (
            SELECT city_label,
                   count(*) AS events,
                   count(*) FILTER (WHERE end_at IS NULL) AS open_events,
                   min(start_at) AS first_stop,
                   -- an event no notice gave an end means nobody knows when service fully returned
                   CASE WHEN count(*) FILTER (WHERE end_at IS NULL) > 0 THEN NULL
                        ELSE max(end_at) END AS last_resume,
                   max(hours) AS longest_outage_hours  -- of the events that have an end
            FROM __EVENTS__
            GROUP BY city_label
        ),
        services AS (
            -- services are stored as canonical terms joined by '、'; NULL means everything stopped
            SELECT p.city_label, list(DISTINCT trim(s.service) ORDER BY trim(s.service)) AS services_stopped
            FROM outage_windows w JOIN notice_places p USING (notice_id),
                 unnest(string_split(coalesce(w.service, '{ALL_SERVICES}'), '、')) AS s(service)
            WHERE trim(s.service) <> ''
            GROUP BY p.city_label
        ),
        guide AS (
            SELECT p.city_label,
                   count(*) AS guidance_items,
                   list(DISTINCT g.category ORDER BY g.category) AS guidance_categories,
                   max(g.deadline_to) FILTER (
                       WHERE g.category IN ({_sql_list(REIMBURSEMENT_CATEGORIES)})
                          OR g.action IN ({_sql_list(REIMBURSEMENT_ACTIONS)})
                   ) AS reimbursement_deadline
            FROM guidance g JOIN notice_places p USING (notice_id)
            GROUP BY p.city_label
        ),
        phones AS (
            SELECT p.city_label,
                   count(*) FILTER (WHERE c.phone_status IN ({_sql_list(USABLE_PHONE_STATUSES)})) AS contacts_with_number,
                   count(*) FILTER (WHERE c.phone_status NOT IN ({_sql_list(USABLE_PHONE_STATUSES)})) AS contacts_without_number
            FROM contacts c JOIN notice_places p USING (notice_id)
            GROUP BY p.city_label
        ),
        implausible AS (
            SELECT p.city_label, count(*) AS implausible_windows
            FROM outage_windows w JOIN notice_places p USING (notice_id)
            WHERE NOT w.plausible
            GROUP BY p.city_label
        ),
        fixes AS (
            SELECT p.city_label, count(*) AS repairs
            FROM repairs r JOIN notice_places p USING (notice_id)
            GROUP BY p.city_label
        )
        SELECT
            places.city_label, places.city, places.province, places.city_scope,
            places.notices,
            coalesce(evts.events, 0) AS events,
            coalesce(evts.open_events, 0) AS open_events,
            coalesce(windows.windows, 0) AS windows,
            coalesce(windows.open_windows, 0) AS open_windows,
            evts.first_stop, evts.last_resume, evts.longest_outage_hours,
            coalesce(services.services_stopped, []) AS services_stopped,
            coalesce(guide.guidance_items, 0) AS guidance_items,
            coalesce(guide.guidance_categories, []) AS guidance_categories,
            guide.reimbursement_deadline,
            coalesce(phones.contacts_with_number, 0) AS contacts_with_number,
            coalesce(phones.contacts_without_number, 0) AS contacts_without_number,
            coalesce(fixes.repairs, 0) AS repairs,
            coalesce(implausible.implausible_windows, 0) AS implausible_windows,
            places.source_files
        FROM places
        LEFT JOIN evts USING (city_label)
        LEFT JOIN windows USING (city_label)
        LEFT JOIN services USING (city_label)
        LEFT JOIN guide USING (city_label)
        LEFT JOIN phones USING (city_label)
        LEFT JOIN fixes USING (city_label)
        LEFT JOIN implausible USING (city_label)
        ORDER BY places.city_label
    """


def _over(template: str, events: str) -> str:
    """A view's SQL over the events it counts: ``_over(_LONGEST, "event_timeline")`` → the "…_all" companion."""
    return template.replace("__EVENTS__", events)


# Order matters: later views select from earlier ones.
VIEWS: dict[str, str] = {
    # One row per notice with the label every other view groups by.
    "notice_places": f"""
        SELECT
            notice_id, city, province, source_file, source_url, title, issuer, published_on,
            CASE
                WHEN city IS NOT NULL THEN 'city'
                WHEN province IS NOT NULL THEN 'province'
                ELSE 'unknown'
            END AS city_scope,
            CASE
                WHEN city IS NOT NULL THEN city
                WHEN province IS NOT NULL THEN province || '{PROVINCE_WIDE_SUFFIX}'
                ELSE '{UNKNOWN_CITY_PREFIX}' || source_file
            END AS city_label
        FROM notices
    """,
    # One row per outage window, with its place and source: what a Gantt chart draws.
    "city_timeline": """
        SELECT
            p.city_label, p.city, p.province, w.scheme, w.service,
            w.start_at, w.end_at, w.hours,
            w.end_at IS NULL AS open_ended,
            w.year_inferred, w.start_text, w.end_text, w.end_source,
            p.source_file, p.source_url, w.notice_id, w.window_no, p.city_scope,
            w.confidence, w.confidence_reasons, w.end_alternatives, w.service_text, w.plausible
        FROM outage_windows w JOIN notice_places p USING (notice_id)
        ORDER BY p.city_label, w.start_at, w.window_no
    """,
    # One row per event (pipeline/publish/events.py) with the label every view groups by.
    "event_timeline": f"""
        SELECT
            CASE
                WHEN e.city_scope = 'city' THEN e.city
                WHEN e.city_scope = 'province' THEN e.province || '{PROVINCE_WIDE_SUFFIX}'
                ELSE '{UNKNOWN_CITY_PREFIX}' || e.source_files[1]
            END AS city_label,
            e.*,
            e.source_files[1] AS source_file,
            e.end_at IS NULL AS open_ended
        FROM events e
        ORDER BY city_label, e.start_at, e.event_id
    """,
    # THE place where implausible events leave the national picture: every national view, the
    # comparison and the report count the rows of this view, never the windows or the notices.
    "counted_events": """
        SELECT * FROM event_timeline WHERE plausible
    """,
    "city_comparison": _over(_CITY_COMPARISON, "counted_events"),
    "city_comparison_all": _over(_CITY_COMPARISON, "event_timeline"),
    # City × guidance category → the actions patients were told to take (long form: pivot at will).
    "guidance_matrix": """
        SELECT
            p.city_label, any_value(p.city) AS city, g.category,
            list(DISTINCT g.action ORDER BY g.action) AS actions,
            count(*) AS guidance_items,
            max(g.deadline_to) AS latest_deadline
        FROM guidance g JOIN notice_places p USING (notice_id)
        GROUP BY p.city_label, g.category
        ORDER BY p.city_label, g.category
    """,
}


_NATIONAL_DAILY_OUTAGES = """
        WITH spans AS (
            SELECT city_label, city_scope, province, event_id, service, notice_ids,
                   start_at::DATE AS first_day,
                   -- an event ending at 00:00 does not touch that day; an open event counts
                   -- on its first day only (nobody announced how long it lasted)
                   CASE WHEN end_at IS NULL OR end_at <= start_at THEN start_at::DATE
                        ELSE (end_at - INTERVAL 1 MINUTE)::DATE END AS last_day
            FROM __EVENTS__
        ),
        days AS (
            SELECT *, unnest(generate_series(first_day::TIMESTAMP, last_day::TIMESTAMP, INTERVAL 1 DAY))::DATE AS day
            FROM spans
        )
        SELECT
            day,
            count(DISTINCT city_label) FILTER (WHERE city_scope = 'city') AS cities_down,
            count(DISTINCT city_label) FILTER (WHERE city_scope = 'city' AND service IS NULL) AS cities_fully_down,
            count(DISTINCT city_label) FILTER (WHERE city_scope = 'province') AS province_wide_down,
            count(DISTINCT province) AS provinces_down,
            count(DISTINCT event_id) AS events,
            len(list_distinct(flatten(list(notice_ids)))) AS notices
        FROM days
        GROUP BY day
        ORDER BY day
    """

_PROVINCE_ROLLOUT_CALENDAR = f"""
        SELECT
            coalesce(province, '{UNKNOWN_PROVINCE}') AS province,
            date_trunc('month', start_at)::DATE AS month,
            count(DISTINCT city_label) FILTER (WHERE city_scope = 'city') AS cities_stopping,
            count(*) AS events,
            len(list_distinct(flatten(list(notice_ids)))) AS notices,
            min(start_at) AS first_stop,
            max(hours) AS longest_outage_hours
        FROM __EVENTS__
        GROUP BY ALL
        ORDER BY province, month
    """

_LONGEST_OUTAGES = """
        SELECT
            row_number() OVER (ORDER BY hours DESC, start_at, event_id) AS rank,
            row_number() OVER (PARTITION BY province ORDER BY hours DESC, start_at, event_id) AS rank_in_province,
            event_id, city_label, city_scope, city, province, scheme, service, start_at, end_at, hours, year_inferred,
            notices, source_file, source_files, agree, revisions, plausible
        FROM __EVENTS__
        WHERE hours IS NOT NULL
        ORDER BY rank
    """

# The national picture: views over all cities at once, and the gazetteer's cities, so a city
# that published nothing shows as missing rather than not at all.
VIEWS |= {
    # One row per calendar day on which any outage window was in force.
    "national_daily_outages": _over(_NATIONAL_DAILY_OUTAGES, "counted_events"),
    "national_daily_outages_all": _over(_NATIONAL_DAILY_OUTAGES, "event_timeline"),
    # Province × month: which provinces stopped when (by the month each event starts).
    "province_rollout_calendar": _over(_PROVINCE_ROLLOUT_CALENDAR, "counted_events"),
    "province_rollout_calendar_all": _over(_PROVINCE_ROLLOUT_CALENDAR, "event_timeline"),
    # One row per city of the gazetteer (and per notice city the gazetteer does not know).
    "prefecture_coverage": """
        WITH named AS (SELECT * FROM city_comparison WHERE city_scope = 'city')
        SELECT
            coalesce(g.province, c.province) AS province,
            coalesce(g.city, c.city) AS city,
            g.adcode,
            g.city IS NOT NULL AS in_gazetteer,
            coalesce(c.notices, 0) AS notices,
            coalesce(c.events, 0) AS events,
            c.first_stop, c.last_resume, c.longest_outage_hours,
            coalesce(c.contacts_with_number, 0) AS contacts_with_number,
            coalesce(c.contacts_without_number, 0) AS contacts_without_number,
            coalesce(c.notices, 0) > 0 AS has_notice,
            coalesce(c.contacts_with_number, 0) > 0 AS has_phone_number
        FROM gazetteer_cities g FULL OUTER JOIN named c ON c.city = g.city
        ORDER BY g.adcode NULLS LAST, city
    """,
    # One row per province: its cities with and without a notice, and without a number to call.
    "province_coverage": f"""
        WITH wide AS (
            SELECT province, count(*) AS province_wide_notices
            FROM notice_places WHERE city_scope = 'province' GROUP BY province
        ),
        cov AS (
            SELECT
                coalesce(province, '{UNKNOWN_PROVINCE}') AS province,
                count(*) FILTER (WHERE in_gazetteer) AS cities,
                count(*) FILTER (WHERE in_gazetteer AND has_notice) AS cities_with_notice,
                count(*) FILTER (WHERE in_gazetteer AND NOT has_notice) AS cities_without_notice,
                coalesce(list(city ORDER BY adcode) FILTER (WHERE in_gazetteer AND NOT has_notice), []) AS missing_cities,
                count(*) FILTER (WHERE has_notice AND NOT has_phone_number) AS cities_without_phone_number,
                coalesce(list(city ORDER BY adcode, city) FILTER (WHERE has_notice AND NOT has_phone_number), [])
                    AS cities_lacking_phone_number,
                count(*) FILTER (WHERE NOT in_gazetteer) AS other_places_with_notice,
                sum(notices) AS city_notices
            FROM prefecture_coverage
            GROUP BY ALL
        )
        SELECT
            province,
            coalesce(cities, 0) AS cities,
            coalesce(cities_with_notice, 0) AS cities_with_notice,
            coalesce(cities_without_notice, 0) AS cities_without_notice,
            coalesce(missing_cities, []) AS missing_cities,
            coalesce(cities_without_phone_number, 0) AS cities_without_phone_number,
            coalesce(cities_lacking_phone_number, []) AS cities_lacking_phone_number,
            coalesce(other_places_with_notice, 0) AS other_places_with_notice,
            coalesce(city_notices, 0) AS city_notices,
            coalesce(wide.province_wide_notices, 0) AS province_wide_notices
        FROM cov FULL OUTER JOIN wide USING (province)
        ORDER BY province
    """,
    # Every event with an announced end, longest first, ranked nationally and within its province.
    "longest_outages": _over(_LONGEST_OUTAGES, "counted_events"),
    "longest_outages_all": _over(_LONGEST_OUTAGES, "event_timeline"),
}

# Shown by ``duckdb_views()`` so an analyst browsing the file knows what each view is for.
VIEW_DESCRIPTIONS: dict[str, str] = {
    "notice_places": "one row per notice with city_label: the city, or province (province-wide), or (city unknown) file",
    "city_timeline": "one row per outage window with its city_label, scheme, service, start, end, hours and confidence",
    "event_timeline": "one row per event (a real-world interruption, across notices) with its city_label",
    "counted_events": "the events the national views count: event_timeline WHERE plausible",
    "city_comparison_all": "city_comparison counting every event, implausible ones included (see implausible_windows)",
    "national_daily_outages_all": "national_daily_outages with every event, implausible ones included",
    "province_rollout_calendar_all": "province_rollout_calendar with every event, implausible ones included",
    "longest_outages_all": "longest_outages with every event, implausible ones included (see plausible)",
    "city_comparison": "one row per city_label: events, first stop, last resume, longest outage (plausible events), services, guidance, deadline, contacts, repairs, implausible_windows left out",
    "guidance_matrix": "one row per city_label and guidance category with the actions patients were told to take",
    "national_daily_outages": "one row per day: how many cities (and province-wide notices) had an event in force",
    "province_rollout_calendar": "one row per province and month: cities stopping, events, notices",
    "prefecture_coverage": "one row per city of the gazetteer (and per other notice city): notices, events, phone numbers",
    "province_coverage": "one row per province: cities with and without a notice, cities without a number to call",
    "longest_outages": "every event with an end, longest first, ranked nationally and within its province",
}

GAZETTEER_TABLE = "gazetteer_cities"


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view in :data:`VIEWS` on a connection that holds the six tables (and the events).

    ``create_views(duckdb.connect("outputs/notices.duckdb"))`` then
    ``SELECT * FROM city_comparison`` gives one row per city.
    """
    create_gazetteer_table(con)
    from pipeline.publish.events import create_event_tables

    create_event_tables(con)  # a run's database has them; one loaded from the six tables gets them here
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        description = VIEW_DESCRIPTIONS.get(name, "").replace("'", "''")  # COMMENT ON takes no parameters
        con.execute(f"COMMENT ON VIEW {name} IS '{description}'")



def create_gazetteer_table(con: duckdb.DuckDBPyConnection) -> None:
    """The reference table ``gazetteer_cities`` (province, city, adcode), if the database lacks it.

    From :func:`pipeline.vocab.gazetteer.prefecture_cities`: the coverage views compare it with
    the notices, so a city that never published a notice is listed as missing.
    """
    from pipeline.vocab.gazetteer import prefecture_cities

    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = current_schema()",
        [GAZETTEER_TABLE],
    ).fetchone()[0]
    if exists:
        return
    con.execute(f"CREATE TABLE {GAZETTEER_TABLE} (province VARCHAR NOT NULL, city VARCHAR NOT NULL, adcode VARCHAR NOT NULL)")
    con.executemany(f"INSERT INTO {GAZETTEER_TABLE} VALUES (?, ?, ?)", prefecture_cities())
    con.execute(f"COMMENT ON TABLE {GAZETTEER_TABLE} IS 'reference: every city-level place of the national adcode table (cpca)'")


# What the publishing steps (report, workbook) may keep in memory while they read the views;
# past it DuckDB spills to a temporary folder, so reading costs the same at any corpus size.
READ_MEMORY_LIMIT = "256MB"


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts by column name.

    >>> fetch_dicts(duckdb.connect(), "SELECT 1 AS n")
    [{'n': 1}]
    """
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@contextmanager
def reading(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """``db`` opened read-only with bounded memory: ``with reading(Path("outputs/notices.duckdb")) as con: …``.

    A read-only connection has nowhere to spill by default and fails when a query outgrows the
    limit; it gets a temporary folder of its own, deleted afterwards.
    """
    spill = tempfile.mkdtemp(prefix="ybcutover-duckdb-")
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{spill}'")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
