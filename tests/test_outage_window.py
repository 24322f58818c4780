"""Outage windows: every distinct interruption a notice announces, one row each.

Every expected datetime below was worked out by hand from the contract rules:
24时 → 00:00 of the next day; a date-only start → 00:00; a date-only range end → 00:00 of
the next day; a start-only stop ends at its own resume statement, else the general resume,
else the main switch window's end, else stays open.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import rules_of, windows_of

from pipeline.extract.outline import is_heading
from pipeline.extract.windows import extract_windows
from pipeline.repair.resolve_year import HolidayHint, YearClues

D = datetime


def spans(result):
    return [(r["start_at"], r["end_at"]) for r in result.rows]


# --- single statements --------------------------------------------------------

def test_24_hour_start_and_end_with_resume_in_same_sentence():
    res = windows_of("2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台，逐步恢复各项医保业务办理。")
    assert spans(res) == [(D(2022, 3, 12), D(2022, 3, 22))]
    assert res.rows[0]["service"] is None  # everything stops
    assert "hour_24_next_day" in rules_of(res.repairs)


def test_range_with_clock_time_and_service():
    res = windows_of("2021年8月15日0时至8月26日8:00，暂停医保实时结算。")
    assert spans(res) == [(D(2021, 8, 15), D(2021, 8, 26, 8, 0))]
    assert res.rows[0]["service"] == "实时结算"
    assert res.rows[0]["end_source"] == "range"


def test_date_only_range_ends_at_midnight_after_last_day():
    res = windows_of("2022年1月1日至2日暂停办理医保业务。")
    assert spans(res) == [(D(2022, 1, 1), D(2022, 1, 3))]
    assert "date_only_end_next_day" in rules_of(res.repairs)


def test_date_only_start_is_midnight():
    res = windows_of("2021年12月20日起至12月25日17:00，暂停医保结算服务。")
    assert spans(res) == [(D(2021, 12, 20), D(2021, 12, 25, 17, 0))]


def test_24_hour_start_of_month_end():
    res = windows_of("2022年1月31日24时至2月3日24时，医保信息系统停机切换。")
    assert spans(res) == [(D(2022, 2, 1), D(2022, 2, 4))]


def test_hour_minute_with_dian_and_fen():
    res = windows_of("2021年12月31日17点30分至2022年1月1日8点30分，暂停办理医保业务。")
    assert spans(res) == [(D(2021, 12, 31, 17, 30), D(2022, 1, 1, 8, 30))]
    assert res.rows[0]["year_inferred"] is False  # both years printed


def test_evening_clock_times():
    res = windows_of("2022年3月25日晚上7:00至3月26日早上7:00暂停医保结算。")
    assert spans(res) == [(D(2022, 3, 25, 19, 0), D(2022, 3, 26, 7, 0))]


def test_half_hour_with_ban():
    res = windows_of("2021年11月5日下午5点半至11月6日上午9点，暂停医保结算。")
    assert spans(res) == [(D(2021, 11, 5, 17, 30), D(2021, 11, 6, 9, 0))]


def test_ci_ri_end_of_overnight_upgrade():
    res = windows_of("2021年11月21日20:00起至次日8:00，系统停机升级，暂停医保结算。")
    assert spans(res) == [(D(2021, 11, 21, 20, 0), D(2021, 11, 22, 8, 0))]


def test_relative_today_tomorrow_from_publication():
    res = windows_of("今天20:00至明日8:00暂停医保结算服务。", publication=date(2021, 11, 20))
    assert spans(res) == [(D(2021, 11, 20, 20, 0), D(2021, 11, 21, 8, 0))]
    assert "relative_day" in rules_of(res.repairs)
    assert res.rows[0]["year_inferred"] is True


def test_tonight_to_small_hours():
    res = windows_of("今晚10点至下半夜4点，医保系统停机维护。", publication=date(2023, 3, 2))
    assert spans(res) == [(D(2023, 3, 2, 22, 0), D(2023, 3, 3, 4, 0))]


def test_relative_day_without_publication_is_not_guessed():
    res = windows_of("明日8:00至18:00暂停医保结算服务。")
    assert res.rows == []


def test_chinese_numeral_dates():
    res = windows_of("二〇二一年十二月二十日零时起至十二月二十六日二十四时，暂停医保结算。")
    assert spans(res) == [(D(2021, 12, 20), D(2021, 12, 27))]


def test_traditional_and_fullwidth_digits():
    res = windows_of("２０２２年２月２０日０時起停機，２月２８日０時起啟用國家醫療保障信息平台。")
    assert spans(res) == [(D(2022, 2, 20), D(2022, 2, 28))]


def test_forum_bbcode_around_times():
    res = windows_of("[b]2021年11月21日20:00[/b][b]起[/b]至[color=red]11月22日8:00[/color]暂停医保结算。")
    assert spans(res) == [(D(2021, 11, 21, 20, 0), D(2021, 11, 22, 8, 0))]


def test_cross_new_year_range_without_years():
    res = windows_of("12月31日18时至1月3日8时暂停医保结算。", publication=date(2021, 12, 25))
    assert spans(res) == [(D(2021, 12, 31, 18, 0), D(2022, 1, 3, 8, 0))]
    assert res.rows[0]["year_inferred"] is True


def test_year_inferred_when_end_year_not_printed():
    res = windows_of("2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台。")
    assert res.rows[0]["year_inferred"] is True


def test_evidence_and_texts_as_printed():
    res = windows_of("2021年8月15日0时至8月26日8:00，暂停医保实时结算。")
    row = res.rows[0]
    assert row["start_text"] == "2021年8月15日0时"
    assert row["end_text"] == "8月26日8:00"
    assert "暂停医保实时结算" in row["evidence"]
    assert row["window_no"] == 1


def test_city_is_stamped_on_rows():
    res = windows_of("2022年1月1日至2日暂停办理医保业务。", city="福州市")
    assert res.rows[0]["city"] == "福州市"


def test_hours_of_window():
    res = windows_of("2021年8月15日0时至8月16日12:00，暂停医保实时结算。")
    assert res.rows[0]["hours"] == 36


# --- stripped years ------------------------------------------------------------

def test_stripped_year_from_publication():
    res = windows_of("年2月10日0时至2月15日0时,暂停医保实时结算。", publication=date(2022, 2, 5))
    assert spans(res) == [(D(2022, 2, 10), D(2022, 2, 15))]
    assert res.rows[0]["year_inferred"] is True
    assert "year_from_publication" in rules_of(res.repairs)


def test_stripped_year_without_evidence_is_flagged_not_guessed():
    res = windows_of("年2月6日0时起,暂停办理基本医疗保险参保登记等所有业务。")
    assert res.rows == []
    unresolved = [r for r in res.repairs if r["rule"] == "year_unresolved"]
    assert unresolved and unresolved[0]["repaired_value"] is None


def test_stripped_year_from_repost_stamp():
    clues = YearClues(stamp=date(2022, 11, 25), stamp_text="TUhjnbcbe - 2022/11/25 22:29:00")
    res = windows_of("年2月10日0时至2月15日0时,暂停医保实时结算。", clues=clues)
    assert spans(res) == [(D(2022, 2, 10), D(2022, 2, 15))]
    assert "year_from_repost_stamp" in rules_of(res.repairs)


def test_stripped_year_from_url_date():
    clues = YearClues(url_date=(2021, 10, 26), url="http://hxnews.com/news/fj/mn/xm/202110/26/2027720.shtml")
    res = windows_of("11月1日0时至11月3日24时暂停医保结算。", clues=clues)
    assert spans(res) == [(D(2021, 11, 1), D(2021, 11, 4))]
    assert "year_from_url" in rules_of(res.repairs)


def test_spring_festival_picks_year_under_stamp():
    hint = HolidayHint("春节", (2, 1), (2, 15), "因受春节假期和停机影响,年2月1日至2月15日期间")
    clues = YearClues(stamp=date(2023, 6, 1), stamp_text="stamp", holidays=[hint])
    res = windows_of("年2月6日0时至2月15日0时,暂停办理医保业务。", clues=clues)
    # 2023 is excluded: 春节 2023 fell on 1月22日, outside the printed span
    assert spans(res) == [(D(2022, 2, 6), D(2022, 2, 15))]


# --- start-only stops and resume statements -------------------------------------

def test_start_only_stop_ends_at_general_resume():
    text = "2021年12月20日0时起暂停医保业务办理。\n2021年12月25日8时起逐步恢复各项业务。"
    res = windows_of(text)
    assert spans(res) == [(D(2021, 12, 20), D(2021, 12, 25, 8, 0))]
    assert res.rows[0]["end_source"] == "resume_statement"
    assert "end_from_resume_statement" in rules_of(res.repairs)


def test_each_service_ends_at_its_own_resume():
    text = (
        "2022年2月6日0时起，暂停办理参保登记、零星报销等业务经办。\n"
        "2022年2月10日0时起，暂停医保实时结算。\n"
        "2022年2月15日0时起，逐步恢复医保实时结算。\n"
        "2022年2月16日起，业务经办窗口逐步恢复。\n"
    )
    res = windows_of(text)
    assert spans(res) == [(D(2022, 2, 6), D(2022, 2, 16)), (D(2022, 2, 10), D(2022, 2, 15))]


def test_hangzhou_style_sections_with_publication():
    text = (
        "(一)业务经办停机时间\n"
        "年2月6日0时起,暂停办理基本医疗保险参保登记、关系转移接续、医疗费用零星报销等所有业务。\n"
        "(二)实时结算停机时间\n"
        "年2月10日0时起,暂停医保实时结算(含医保电子凭证,下同)。\n"
        "(三)恢复时间\n"
        "年2月15日0时起,正式启用浙江省“智慧医保”平台,逐步恢复本地、异地所有医保实时交易结算。\n"
        "年2月15日起,市和各区、县(市)医保经办机构等线下窗口业务逐步恢复。\n"
        "实时结算停机期间(年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。\n"
        "业务经办停机期间(年2月6日0时至2月15日0时),参保人员需去市外定点医疗机构就诊的,视作已规范办理备案手续。\n"
    )
    res = windows_of(text, publication=date(2022, 2, 5))
    assert spans(res) == [(D(2022, 2, 6), D(2022, 2, 15)), (D(2022, 2, 10), D(2022, 2, 15))]
    assert all(r["year_inferred"] for r in res.rows)


def test_start_only_stop_falls_back_to_main_window():
    text = ("2022年3月1日0时至3月5日24时，医保信息系统停机切换。\n"
            "2022年3月2日0时起，暂停异地就医直接结算。\n")
    res = windows_of(text)
    assert spans(res) == [(D(2022, 3, 1), D(2022, 3, 6)), (D(2022, 3, 2), D(2022, 3, 6))]
    assert res.rows[1]["end_source"] == "main_window"
    assert "end_from_main_window" in rules_of(res.repairs)


def test_start_only_stop_without_any_resume_stays_open():
    res = windows_of("2021年7月1日起暂停办理医保关系转移业务，恢复时间另行通知。")
    assert spans(res) == [(D(2021, 7, 1), None)]
    assert res.rows[0]["end_source"] is None
    assert res.rows[0]["hours"] is None


def test_resume_before_stop_is_not_used():
    text = "2022年1月5日起恢复医保结算。\n2022年3月1日起暂停办理医保业务。"
    res = windows_of(text)
    assert spans(res) == [(D(2022, 3, 1), None)]


# --- restatements and several windows -------------------------------------------

def test_restated_window_is_one_row():
    text = ("2022年2月10日0时至2月15日0时暂停医保实时结算。\n"
            "实时结算停机期间(2022年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。\n"
            "温馨提示：停机期间(2022年2月10日0时至2月15日0时)请错峰就医。\n")
    res = windows_of(text)
    assert spans(res) == [(D(2022, 2, 10), D(2022, 2, 15))]


def test_restated_start_only_then_range_is_one_row():
    text = ("2022年3月11日24时起停机。\n"
            "停机期间(2022年3月11日24时至3月21日24时)，医疗费用由个人先行垫付。\n")
    res = windows_of(text)
    assert spans(res) == [(D(2022, 3, 12), D(2022, 3, 22))]


def test_xian_three_schemes_from_headings():
    text = (
        "系统停机切换时间\n"
        "原省直职工医保\n"
        "2022年2月20日0时起停机，2月28日0时起启用国家医疗保障信息平台，逐步恢复医保业务办理。\n"
        "西安市医保\n"
        "2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台，逐步恢复各项医保业务办理。\n"
        "异地医保\n"
        "2022年2月20日0时起停机，3月21日24时启用国家医疗保障信息平台，逐步恢复各项医保业务办理。\n"
    )
    res = windows_of(text, city="西安市")
    got = [(r["scheme"], r["start_at"], r["end_at"]) for r in res.rows]
    assert got == [
        ("原省直职工医保", D(2022, 2, 20), D(2022, 2, 28)),
        ("西安市医保", D(2022, 3, 12), D(2022, 3, 22)),
        ("异地医保", D(2022, 2, 20), D(2022, 3, 22)),
    ]
    assert [r["window_no"] for r in res.rows] == [1, 2, 3]


def test_flattened_timetable_rows():
    text = "全省定点医院年终结转停机时间\n福州 2018.1.1~1.5\n厦门 2018.1.1~1.4\n"
    res = windows_of(text)
    assert spans(res) == [(D(2018, 1, 1), D(2018, 1, 6)), (D(2018, 1, 1), D(2018, 1, 5))]


def test_news_dateline_relative_window():
    text = ("南充网讯 3月1日消息，记者从市医保局获悉，今晚22:00至明日6:00，医保信息系统升级，"
            "暂停医保结算服务。")
    res = windows_of(text, publication=date(2023, 3, 1))
    assert spans(res) == [(D(2023, 3, 1, 22, 0), D(2023, 3, 2, 6, 0))]


def test_patient_story_day_is_not_a_window():
    res = windows_of("系统停机前可出院的，出院当日在医院完成医保结算。")
    assert res.rows == []


def test_deadline_is_not_a_window():
    res = windows_of("参保人员可于2022年3月15日至12月31日之间，携带票据到定点医疗机构重新进行医保结算。")
    assert res.rows == []


def test_time_without_date_is_not_a_window():
    res = windows_of("窗口工作时间为8:00至17:30。")
    assert res.rows == []


def test_is_heading():
    assert is_heading("原省直职工医保")
    assert is_heading("(二)实时结算停机时间")
    assert not is_heading("2022年3月11日24时起停机，3月21日24时启用。")


def test_extract_windows_takes_plain_lines():
    res = extract_windows(["2022年1月1日至2日暂停办理医保业务。"], YearClues(), None)
    assert spans(res) == [(D(2022, 1, 1), D(2022, 1, 3))]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("自2021年12月25日18:00起至12月27日8:00止，暂停医保结算业务。", (D(2021, 12, 25, 18), D(2021, 12, 27, 8))),
        ("2021年12月25日18:00—12月27日8:00期间暂停医保结算。", (D(2021, 12, 25, 18), D(2021, 12, 27, 8))),
        pytest.param(
            "定于2021年12月25日(星期六)18时至27日(星期一)8时停机。", (D(2021, 12, 25, 18), D(2021, 12, 27, 8)),
        ),
        ("2019.12.31 18:00~2020.1.2 8:00 医保系统年终结转停机。", (D(2019, 12, 31, 18), D(2020, 1, 2, 8))),
    ],
)
def test_range_styles(sentence, expected):
    assert spans(windows_of(sentence)) == [expected]


def test_stripped_years_from_weekdays_and_era():
    # zhongshan-2020-cutover-forum: no publication date, no URL date, every year stripped; the weekday
    # pair and the move onto the 医疗保障信息平台 leave 2020 → 2021 (issue 20 item 4)
    text = ("按照广东省医疗保障信息平台中山市上线工作统一安排和部署,将于年12月28日将原中山市医保经办使用的信息系统迁移到"
            "广东省医疗保障信息平台,期间,全市医疗保险经办机构暂停医保信息系统的对外服务。\n"
            "停机时间年12月28日(星期一)20:00至年1月1日00:00(星期五)。")
    from conftest import make_doc

    from pipeline.repair.resolve_year import era_of

    doc = make_doc(text)
    clues = YearClues(weekdays=[(12, 28, 0), (1, 1, 4)], era=era_of(doc.text))
    res = extract_windows(list(doc.lines), clues, None)
    assert spans(res) == [(D(2020, 12, 28, 20), D(2021, 1, 1))]
    assert "year_from_weekday_and_era" in rules_of(res.repairs)
    assert res.rows[0]["confidence"] != "high"


def test_a_date_stated_after_a_later_one_keeps_its_year():
    # neimenggu-2021-cutover: "10月28日" follows "2021年11月30日" in the sentence but is not a range's
    # end: it is 2021-10-28, not 2022-10-28
    text = "记者10月27日从自治区医疗保险服务中心了解到,自治区本级将于2021年11月30日进行新旧系统切换,自10月28日起,将逐步停止医保业务办理。"
    starts = [r["start_at"] for r in windows_of(text, publication=date(2021, 10, 28)).rows]
    assert D(2021, 10, 28) in starts and D(2022, 10, 28) not in starts
