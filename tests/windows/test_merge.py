"""Step 3: restatements fold into one window, what differs stays apart (real sentences)."""

from __future__ import annotations

from datetime import date, datetime

from window_helpers import spans_of

D = datetime


def test_an_intro_restating_the_schedule_by_day_folds_into_the_timed_stop():
    # haerbin-2021-outage-a001
    text = ("我市将于2021年10月15日起分时段关闭哈市医保信息系统相关功能,进行系统切换,并于2021年10月31日切换到国家医保信息平台(新平台)。\n"
            "(一)2021年10月15日20时起,暂时关闭哈尔滨税务社保缴费平台医疗保险缴费功能。\n"
            "二、医保系统恢复上线时间2021年10月31日8时起,正式启用新医保平台。")
    assert spans_of(text) == [(D(2021, 10, 15, 20), D(2021, 10, 31, 8))]


def test_a_day_only_stop_with_its_own_open_end_stays_apart():
    # shijiazhuang-2021-outage-a002
    text = ("市医保系统将于4月30日18:00起停机,全市各级医保经办机构及定点医药机构暂停所有医保业务办理。"
            "预计5月21日8:00起新系统上线试运行,全市逐步恢复各项医保业务办理。\n"
            "自4月30日起,慢性病认定暂停。同时“石家庄医保”APP等慢病申报平台暂停使用,申报启用时间另行通知。")
    assert spans_of(text, date(2021, 4, 25)) == [(D(2021, 4, 30, 18), D(2021, 5, 21, 8)), (D(2021, 4, 30), None)]


def test_a_restated_range_is_one_window():
    # ningbo-2015-year-end style restatement inside a guide
    text = ("2022年2月10日0时至2月15日0时暂停医保实时结算。\n"
            "实时结算停机期间(2022年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。")
    assert spans_of(text) == [(D(2022, 2, 10), D(2022, 2, 15))]
