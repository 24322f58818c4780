"""Plausibility checks and the refused end (pipeline/repair/plausibility.py, issue 16 item 1, issue 20 item 5).

Real sentences where the corpus has them; a check that no real notice fails is shown on a written
sentence that changes one thing of a real one (said in each test).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conftest import rules_of, windows_of
from hypothesis import given
from hypothesis import strategies as st

from pipeline.repair.plausibility import bound_for, check_windows, printed_durations

D = datetime


def test_an_end_over_a_year_after_its_start_is_refused_and_the_stop_goes_to_review():
    # unnamed-2023-outage-d014 (a compilation page): 广西's printed range runs into 2025, an 8,812-hour window
    res = windows_of("广西 :2023年12月31日20:00至2025年1月1日24:00暂停服务(需以最新通告为准)。")
    (row,) = res.rows
    assert row["start_at"] == D(2023, 12, 31, 20) and row["end_at"] is None and row["hours"] is None
    assert row["plausible"] is False and row["confidence"] == "low"
    assert "end_refused_beyond_a_year" in row["confidence_reasons"]
    refused = [r for r in res.repairs if r["rule"] == "end_refused_beyond_a_year"]
    assert refused and refused[0]["repaired_value"] is None and "2025-01-02T00:00" in refused[0]["evidence"]


def test_a_year_end_window_of_its_usual_length_is_plausible():
    # qinhuangdao-2021-year-end-d004: 3.5 days of year-end settlement
    res = windows_of("一、我市医保年终结转信息系统停机时间为2021年12月31日19时至2022年1月4日7时。")
    (row,) = res.rows
    assert row["plausible"] is True and not [r for r in res.repairs if r["rule"].startswith("implausible")]


def test_a_year_end_window_longer_than_its_kind_allows_is_implausible():
    # the qinhuangdao sentence with its end moved a month on (2月4日): year-end runs last days, not weeks
    res = windows_of("一、我市医保年终结转信息系统停机时间为2021年12月31日19时至2022年2月4日7时。")
    (row,) = res.rows
    assert row["plausible"] is False and row["confidence"] == "low"
    assert "implausible_length_for_kind" in row["confidence_reasons"]
    (flag,) = [r for r in res.repairs if r["rule"] == "implausible_length_for_kind"]
    assert "year_end" in flag["evidence"] and "15" in flag["evidence"]


def test_kinds_and_bounds_come_from_the_words_of_the_stop():
    assert bound_for("我市医保年终结转信息系统停机时间为…", "") == ("year_end", 15.0)
    # ningbo-2015-year-end: a year-end run that is also an upgrade may last an upgrade's length
    assert bound_for("因省医保年度结转及系统升级需要,省内各地将…暂停全省异地就医联网结算", "")[0] == "upgrade"
    # wuhai-2021-cutover
    assert bound_for("乌海市医疗保障信息平台将于…停用现医保业务系统,统一切换使用国家医疗保障信息平台", "") == ("cutover", 62.0)
    assert bound_for("停机时间:2022年2月26日0时至3月20日24时", "") == ("general", 62.0)


def test_a_start_long_after_the_publication_date_is_implausible():
    # neimenggu-2021-cutover's sentence as the old year rollover read it: 2022-10-28, a year after the
    # notice of 2021-10-28
    row = {"start_at": D(2022, 10, 28), "end_at": None, "start_text": "10月28日", "end_text": None, "service": None,
           "evidence": "自10月28日起,将逐步停止医保业务办理。", "confidence": "medium",
           "confidence_reasons": ["end_not_found", "year_from_publication"]}
    (flag,) = check_windows([row], [row["evidence"]], date(2021, 10, 28))
    assert flag["rule"] == "implausible_start_vs_publication" and flag["column_name"] == "start_at"
    assert row["plausible"] is False and row["confidence"] == "low"


def test_printed_durations_of_real_notices():
    # chengdu-2021-cutover-b002 and neimenggu-2021-cutover: two sources that print the stop's length
    (a,) = printed_durations(["此次系统停机切换的目的是什么?为什么会持续时间长达9天?停机切换期间,市民如何就医?"])
    assert a.hours == 9 * 24
    (b,) = printed_durations(["据了解,自治区本级医疗保障系统停机时间1个月,12月1日起正常办理各项医保业务。"])
    assert b.hours == 720 and b.unit == "月"
    # a quantity of medicine or a deadline is not a stop's length
    assert printed_durations(["停机前，如您病情平稳，治疗方案不变，可提前开具三个月用药量。"]) == []
    assert printed_durations(["系统切换后10天内补办结算手续。"]) == []


def test_the_real_printed_lengths_agree_with_their_windows():
    # chengdu-2021-cutover-b002: 9 days printed, 11-21 0时 to 11-30 0时
    res = windows_of("2021年11月21日0时-11月30日0时,成都将暂停办理全市所有医保线上线下渠道业务。\n"
                     "此次系统停机切换的目的是什么?为什么会持续时间长达9天?")
    assert [r["plausible"] for r in res.rows] == [True]
    # neimenggu-2021-cutover: "1个月" for 10-28 → 12-01 (34 days) is within a month's rounding
    res = windows_of("自治区本级将于2021年11月30日进行新旧系统切换,自10月28日起,将逐步停止医保业务办理。\n"
                     "据了解,自治区本级医疗保障系统停机时间1个月,12月1日起正常办理各项医保业务。",
                     publication=date(2021, 10, 28))
    assert all(r["plausible"] for r in res.rows)
    assert "implausible_printed_duration" not in rules_of(res.repairs)


def test_a_printed_length_that_the_dates_contradict():
    # the chengdu sentence with 3 days printed for its 9-day window
    res = windows_of("2021年11月21日0时-11月30日0时,成都将暂停办理全市所有医保线上线下渠道业务。\n"
                     "此次系统停机切换持续时间3天。")
    (row,) = res.rows
    assert row["plausible"] is False and "implausible_printed_duration" in row["confidence_reasons"]
    assert "implausible_printed_duration" in rules_of(res.repairs)


@given(start=st.datetimes(min_value=D(2000, 1, 1), max_value=D(2030, 1, 1)),
       minutes=st.integers(min_value=1, max_value=60 * 24 * 366),
       evidence=st.sampled_from(["医保年终结转停机", "系统切换", "光缆被挖断,系统故障", "停机时间", "住房公积金系统升级"]))
def test_no_window_over_62_days_is_high_or_plausible(start, minutes, evidence):
    end = start + timedelta(minutes=minutes)
    row = {"start_at": start, "end_at": end, "start_text": "", "end_text": "", "service": None, "evidence": evidence,
           "confidence": "high", "confidence_reasons": ["end_printed", "year_printed"]}
    repairs = check_windows([row], [evidence], None)
    if end - start > timedelta(days=62):
        assert row["confidence"] != "high" and row["plausible"] is False and repairs
    assert row["plausible"] == (not repairs)
