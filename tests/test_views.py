"""The DuckDB views (pipeline/publish/views.py) on a hand-made set of tables (tests/synthetic.py)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from synthetic import NID_B, NID_PROV, memory_db, records, tables, window, write_synthetic_outputs

from pipeline.publish.views import VIEW_DESCRIPTIONS, VIEWS


@pytest.fixture(scope="module")
def con():
    con = memory_db()
    yield con
    con.close()


def by_label(rows):
    return {r["city_label"]: r for r in rows}


def test_city_timeline_has_one_row_per_window_with_places_kept(con):
    rows = records(con, "SELECT * FROM city_timeline")
    assert len(rows) == 5
    assert {"city", "scheme", "service", "start_at", "end_at", "hours"} <= rows[0].keys()
    labels = [r["city_label"] for r in rows]
    # a province-wide notice keeps its windows, labelled by province, city left NULL
    prov = [r for r in rows if r["notice_id"] == NID_PROV]
    assert {r["city_label"] for r in prov} == {"乙省 (province-wide)"}
    assert all(r["city"] is None for r in prov)
    assert labels == sorted(labels)
    open_row = next(r for r in prov if r["window_no"] == 2)
    assert open_row["open_ended"] is True and open_row["end_at"] is None and open_row["hours"] is None


def test_city_comparison_one_row_per_city_label(con):
    rows = by_label(records(con, "SELECT * FROM city_comparison"))
    assert set(rows) == {"甲市", "丙市", "乙省 (province-wide)", "(city unknown) x.txt", "(city unknown) y.txt"}

    jia = rows["甲市"]
    assert jia["notices"] == 2 and jia["windows"] == 2 and jia["events"] == 2
    assert jia["first_stop"] == datetime(2021, 9, 1, 0, 0)
    assert jia["last_resume"] == datetime(2021, 9, 10, 0, 0)
    assert jia["longest_outage_hours"] == 192.0
    assert jia["services_stopped"] == sorted(["(all services)", "实时结算", "联网结算"])
    assert jia["guidance_categories"] == ["outpatient", "reimbursement"]
    # latest deadline of reimbursement-ish guidance; the later stock-up deadline does not count
    assert jia["reimbursement_deadline"] == date(2022, 1, 15)
    # ok + area code inferred + short number are usable; two damaged are not
    assert (jia["contacts_with_number"], jia["contacts_without_number"]) == (3, 2)
    assert jia["repairs"] == 3
    assert jia["source_files"] == ["jia-1.txt", "sub/jia-2.txt"]


def test_city_comparison_open_window_and_empty_cities(con):
    rows = by_label(records(con, "SELECT * FROM city_comparison"))
    prov = rows["乙省 (province-wide)"]
    assert prov["city"] is None and prov["city_scope"] == "province"
    assert prov["open_windows"] == 1 and prov["open_events"] == 1
    assert prov["last_resume"] is None  # one window never ends: when everything returned is unknown
    assert prov["longest_outage_hours"] == 72.0
    assert prov["reimbursement_deadline"] is None  # settle_before is not a reimbursement

    unknown = rows["(city unknown) x.txt"]
    assert unknown["city_scope"] == "unknown"
    assert (unknown["windows"], unknown["first_stop"], unknown["services_stopped"]) == (0, None, [])
    assert unknown["guidance_categories"] == ["other"]
    assert rows["(city unknown) y.txt"]["guidance_items"] == 0

    bing = rows["丙市"]
    assert bing["longest_outage_hours"] == 12.0
    assert (bing["contacts_with_number"], bing["contacts_without_number"], bing["repairs"]) == (0, 0, 0)


def test_guidance_matrix_city_by_category(con):
    rows = records(con, "SELECT * FROM guidance_matrix")
    cell = {(r["city_label"], r["category"]): r for r in rows}
    assert cell[("甲市", "outpatient")]["actions"] == ["pay_then_reimburse", "stock_up_medicine"]
    assert cell[("甲市", "outpatient")]["guidance_items"] == 3
    assert cell[("甲市", "outpatient")]["latest_deadline"] == date(2022, 6, 30)
    assert cell[("甲市", "reimbursement")]["actions"] == ["pay_then_reimburse"]
    assert cell[("乙省 (province-wide)", "inpatient")]["actions"] == ["settle_before"]
    assert ("(city unknown) x.txt", "other") in cell
    assert len(rows) == 4


COVERAGE_VIEWS = ("prefecture_coverage", "province_coverage")


def test_views_on_empty_tables():
    con = memory_db({})
    for name in VIEWS:
        if name not in COVERAGE_VIEWS:
            assert con.execute(f"SELECT count(*) FROM {name}").fetchall() == [(0,)]
    # with no notice at all, every city of the gazetteer is missing
    assert con.execute("SELECT count(*) FILTER (WHERE has_notice), count(*) FROM prefecture_coverage").fetchone()[0] == 0
    missing, cities = con.execute("SELECT sum(cities_without_notice), sum(cities) FROM province_coverage").fetchone()
    assert missing == cities > 300


def test_every_run_creates_the_views_readable_read_only(tmp_path):
    write_synthetic_outputs(tmp_path)
    con = duckdb.connect(str(tmp_path / "notices.duckdb"), read_only=True)
    try:
        for name in ("city_timeline", "city_comparison", "guidance_matrix"):
            assert con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] > 0
        comments = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
        assert comments["city_comparison"].startswith("one row per city_label")
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# the national picture (expected values worked out by hand from tests/synthetic.py)


def test_national_daily_outages_counts_cities_per_day(con):
    days = {r["day"]: r for r in records(con, "SELECT * FROM national_daily_outages")}
    # 甲市: 09-01 00:00 → 09-03 00:00 (days 1 and 2) and 09-02 → 09-10 (days 2 … 9): one city
    assert days[date(2021, 9, 2)]["cities_down"] == 1
    # two events (an all-services stop and a longer partial one are not one interruption), two notices
    assert days[date(2021, 9, 2)]["events"] == 2 and days[date(2021, 9, 2)]["notices"] == 2
    assert days[date(2021, 9, 1)]["cities_fully_down"] == 1  # the first window stops everything
    assert days[date(2021, 9, 3)]["cities_fully_down"] == 0  # only the partial one is left
    assert date(2021, 9, 10) not in days  # an end at 00:00 does not touch that day
    # 乙省 is province-wide: not a city; its open window counts on its first day only
    assert days[date(2018, 1, 1)]["cities_down"] == 0
    assert days[date(2018, 1, 1)]["province_wide_down"] == 1 and days[date(2018, 1, 1)]["events"] == 2
    assert days[date(2018, 1, 3)]["events"] == 1 and date(2018, 1, 4) not in days
    # 丙市 18:00 → 06:00 the next morning touches two days
    assert days[date(2022, 2, 20)]["cities_down"] == days[date(2022, 2, 21)]["cities_down"] == 1


def test_province_rollout_calendar(con):
    rows = {(r["province"], r["month"]): r for r in records(con, "SELECT * FROM province_rollout_calendar")}
    assert set(rows) == {("丁省", date(2021, 9, 1)), ("丁省", date(2022, 2, 1)), ("乙省", date(2018, 1, 1))}
    assert rows[("丁省", date(2021, 9, 1))]["cities_stopping"] == 1
    assert rows[("丁省", date(2021, 9, 1))]["notices"] == 2
    assert rows[("丁省", date(2021, 9, 1))]["events"] == 2
    assert rows[("乙省", date(2018, 1, 1))]["events"] == 2 and rows[("乙省", date(2018, 1, 1))]["cities_stopping"] == 0


def test_coverage_lists_gazetteer_cities_without_a_notice():
    from synthetic import NID_B, tables

    rows = tables()
    # 丙市's notice becomes 西安市's: a real city of the gazetteer, with no usable number
    rows["notices"][-1].update(city="西安市", province="陕西省")
    assert rows["notices"][-1]["notice_id"] == NID_B
    con = memory_db(rows)
    cov = {r["province"]: r for r in records(con, "SELECT * FROM province_coverage")}
    shaanxi = cov["陕西省"]
    assert shaanxi["cities_with_notice"] == 1
    assert shaanxi["cities_without_notice"] == shaanxi["cities"] - 1 > 5
    assert "西安市" not in shaanxi["missing_cities"] and "咸阳市" in shaanxi["missing_cities"]
    assert shaanxi["cities_lacking_phone_number"] == ["西安市"]
    assert cov["乙省"]["province_wide_notices"] == 1
    # 甲市 is not in the gazetteer: kept as another place with a notice, not lost
    assert cov["丁省"]["other_places_with_notice"] == 1
    xian = records(con, "SELECT * FROM prefecture_coverage WHERE city = '西安市'")[0]
    assert xian["in_gazetteer"] and xian["has_notice"] and not xian["has_phone_number"] and xian["adcode"] == "610100"


def test_longest_outages_ranked_nationally_and_per_province(con):
    rows = records(con, "SELECT * FROM longest_outages")
    assert [r["hours"] for r in rows] == [192.0, 72.0, 48.0, 12.0]  # the open window has no length
    assert [r["rank_in_province"] for r in rows] == [1, 1, 2, 3]


def _with_implausible_window() -> duckdb.DuckDBPyConnection:
    """The synthetic tables plus a 丙市 window of 8,812 hours (2023-12-31 → 2025-01-01) marked not plausible."""
    rows = tables()
    rows["outage_windows"].append(window(NID_B, 2, datetime(2023, 12, 31, 20), datetime(2025, 1, 1, 12),
                                         plausible=False, confidence="low",
                                         confidence_reasons=["end_printed", "implausible_length_for_kind"]))
    return memory_db(rows)


def test_views_that_rank_or_count_leave_implausible_windows_out_unless_asked():
    con = _with_implausible_window()
    longest = records(con, "SELECT hours, plausible FROM longest_outages")
    assert [r["hours"] for r in longest] == [192.0, 72.0, 48.0, 12.0] and all(r["plausible"] for r in longest)
    everything = records(con, "SELECT hours, plausible FROM longest_outages_all ORDER BY rank")
    assert everything[0]["hours"] > 8000 and everything[0]["plausible"] is False and len(everything) == 5
    # no day of 2024 has a city down, unless asked
    assert records(con, "SELECT count(*) AS n FROM national_daily_outages WHERE year(day) = 2024")[0]["n"] == 0
    assert records(con, "SELECT count(*) AS n FROM national_daily_outages_all WHERE year(day) = 2024")[0]["n"] == 366
    bing = records(con, "SELECT * FROM city_comparison WHERE city = '丙市'")[0]
    # windows are all counted (the table holds them); the events that rank and count are the plausible ones
    assert bing["longest_outage_hours"] == 12.0 and bing["windows"] == 2 and bing["implausible_windows"] == 1
    bing_all = records(con, "SELECT * FROM city_comparison_all WHERE city = '丙市'")[0]
    assert bing_all["longest_outage_hours"] > 8000 and bing_all["windows"] == 2 and bing_all["implausible_windows"] == 1
    months = records(con, "SELECT * FROM province_rollout_calendar WHERE month = DATE '2023-12-01'")
    assert months == [] and records(con, "SELECT count(*) AS n FROM province_rollout_calendar_all "
                                         "WHERE month = DATE '2023-12-01'")[0]["n"] == 1


def test_every_companion_view_is_described():
    for name in VIEWS:
        assert VIEW_DESCRIPTIONS.get(name), name
        if name.endswith("_all"):
            assert name.removesuffix("_all") in VIEWS


def test_national_views_count_events_not_notices():
    from synthetic import tables, window

    rows = tables()
    # a repost of 甲市's first notice: another notice, the same window → the same event
    rows["notices"].append(dict(rows["notices"][0], notice_id="e0" * 8, source_file="jia-repost.txt"))
    rows["outage_windows"].append(window("e0" * 8, 1, datetime(2021, 9, 1, 0, 0), datetime(2021, 9, 3, 0, 0)))
    con = memory_db(rows)
    day = records(con, "SELECT * FROM national_daily_outages WHERE day = DATE '2021-09-01'")[0]
    assert (day["cities_down"], day["events"], day["notices"]) == (1, 1, 2)
    longest = records(con, "SELECT * FROM longest_outages WHERE city_label = '甲市' ORDER BY rank")
    assert [(r["hours"], r["notices"]) for r in longest] == [(192.0, 1), (48.0, 2)]
    jia = records(con, "SELECT * FROM city_comparison WHERE city_label = '甲市'")[0]
    assert (jia["notices"], jia["windows"], jia["events"]) == (3, 3, 2)


def test_implausible_events_leave_the_national_picture_in_one_place():
    con = memory_db()
    before = records(con, "SELECT count(*) AS n FROM longest_outages")[0]["n"]
    con.execute("UPDATE events SET plausible = false WHERE hours = 192")  # as if its window failed a check
    assert records(con, "SELECT count(*) AS n FROM longest_outages")[0]["n"] == before - 1
    assert records(con, "SELECT count(*) AS n FROM event_timeline")[0]["n"] == 5  # still listed, not counted
    assert not records(con, "SELECT * FROM national_daily_outages WHERE day = DATE '2021-09-09'")
