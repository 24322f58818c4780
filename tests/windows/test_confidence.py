"""How sure a window is, from its linking record (issue 20 item 3), on sentences of real notices."""

from __future__ import annotations

from datetime import date

from conftest import windows_of

from pipeline.repair.confidence import window_confidence


def _by_start(res):
    return {r["start_at"].strftime("%m-%d %H:%M") + (" open" if r["end_at"] is None else ""): r for r in res.rows}


def test_a_rival_end_keeps_a_window_from_high():
    # haerbin-2021-outage-a001: the open end said of the 不见面 services beat the general resumption
    text = ("(一)2021年10月15日20时起,暂时关闭哈尔滨税务社保缴费平台医疗保险缴费功能;"
            "暂停网上、手机APP、自助一体机等不见面医保征缴业务。\n"
            "二、医保系统恢复上线时间2021年10月31日8时起,正式启用新医保平台,正式恢复定点医疗机构门诊刷卡结算,其他业务视新平台上线情况逐步恢复。\n"
            "哈尔滨各项“不见面”医保智能公共服务系统,恢复时间另行通知。")
    rows = _by_start(windows_of(text))
    opened = rows["10-15 20:00 open"]
    assert opened["confidence"] == "medium" and "rival_end" in opened["confidence_reasons"]
    assert opened["end_alternatives"]  # the losing end is shown to the reviewer


def test_the_only_end_stated_for_the_same_service_is_high():
    # hunan-2023-outage-b007: the tax side's 征收 stops on 4-25 and resumes on 4-28, stated together
    text = ("(二)2023年4月25日18时起,税务部门暂停全省所有社会保险费(含医保,下同)征收;"
            "2023年4月28日8时起,恢复全省所有社会保险费征收。")
    (row,) = windows_of(text, publication=date(2023, 4, 10)).rows
    assert row["confidence"] == "high" and "rival_end" not in row["confidence_reasons"]


def test_a_day_without_a_time_taken_as_the_end_is_not_high():
    # hangzhou-2022-cutover-notice: the counters come back "年2月15日起", a day without a time
    text = ("(一)业务经办停机时间\n"
            "年2月6日0时起,暂停办理基本医疗保险参保登记、关系转移接续、医疗费用零星报销等所有业务。\n"
            "(三)恢复时间\n"
            "年2月15日起,市和各区、县(市)医保经办机构等线下窗口业务逐步恢复。")
    (row,) = windows_of(text, publication=date(2022, 2, 5)).rows
    assert "end_date_only" in row["confidence_reasons"] and row["confidence"] != "high"


def test_a_flattened_table_row_is_not_high():
    # a county table flattened into text (as in flattened_row's docstring)
    text = "县(区)  停机时间  恢复时间\n阳朔县  2021年12月30日17:30  2022年1月3日8:00"
    (row,) = windows_of(text).rows
    assert "stop_from_table" in row["confidence_reasons"] and row["confidence"] == "medium"


def test_restatements_with_another_end_disagree():
    # written: a notice that states the same stop twice with two different ends
    text = ("2022年3月1日0时至3月3日8时,暂停医保实时结算。\n"
            "温馨提示:2022年3月1日0时至3月4日8时暂停医保实时结算,请合理安排就医。")
    rows = windows_of(text).rows
    assert len(rows) == 2 and all("restatements_disagree" in r["confidence_reasons"] for r in rows)
    assert all(r["confidence"] != "high" for r in rows)


def test_a_printed_range_with_printed_years_is_high():
    # lanzhou-2021-cutover
    (row,) = windows_of("(一)2021年8月15日18:00至2021年8月26日08:00暂停省内、省外异地就医直结业务;").rows
    assert row["confidence"] == "high" and row["confidence_reasons"] == ["end_printed", "year_printed"]


def test_levels_from_the_record():
    assert window_confidence("same_service", (), False, [], True, rival=True) == (
        "medium", ["end_same_service", "rival_end", "year_printed"])
    assert window_confidence("same_service", (), True, [], True, rival=True)[0] == "low"  # a close call
    assert window_confidence("range", (), False, [], False, end_refused=True)[0] == "low"
    assert window_confidence("range", (), False, ["year_from_weekday_and_era"], True)[0] == "low"
