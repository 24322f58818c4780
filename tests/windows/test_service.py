"""What stops: ``service`` and ``service_text`` (issue 16 item 4: "unknown" is not "everything")."""

from __future__ import annotations

from datetime import date, datetime

from conftest import windows_of

from pipeline.extract.windows.mentions import names_everything, service_of

D = datetime


def test_a_partial_stop_keeps_its_service():
    # the sentence of issue 16: a chronic-disease settlement stop, not a full stop
    res = windows_of("其中，门诊慢特病结算于4月14日12时起暂停，4月17日8时恢复。", publication=date(2022, 4, 10))
    (row,) = res.rows
    assert (row["start_at"], row["end_at"]) == (D(2022, 4, 14, 12), D(2022, 4, 17, 8))
    assert row["service"] == "门诊慢特病" and row["service_text"] == "门诊慢特病结算"


def test_a_printed_service_the_vocabulary_lacks_is_kept_as_printed():
    # qingdao-2021-cutover-traditional-news (the line is cut in the source)
    res = windows_of("11月24日00:00起暂停医保定点医药机构门诊、住院医疗费的结", publication=date(2021, 11, 18))
    (row,) = res.rows
    assert row["service"] == "医保定点医药机构门诊、住院医疗费的结" == row["service_text"]


def test_a_chronic_disease_stop_is_named_by_the_vocabulary():
    # shijiazhuang-2021-outage-a002
    assert service_of("起,慢性病认定暂停。") == ("门诊慢特病", "慢性病认定")


def test_an_explicit_full_stop_has_an_empty_service_and_keeps_its_words():
    # henan-2021-outage-b004
    res = windows_of("2021年11月21日18时起,省直医保经办机构暂停所有医保业务办理,各定点医药机构医保刷卡及各类医疗费用保险服务,"
                     "预计2021年11月28日8时起,所有医保服务全面恢复。")
    (row,) = res.rows
    assert row["service"] is None and row["service_text"] == "所有医保业务办理"
    # nanping-2023-year-end-c001: the platform closes
    (row,) = windows_of("2023年12月31日21:00至2024年1月4日6:00医保信息平台将关闭").rows
    assert row["service"] is None and row["service_text"] == "医保信息平台"


def test_a_label_names_no_object():
    # jinan-2022-social-security-traditional
    (row,) = windows_of("停机时间:2022年2月26日0时至3月20日24时").rows
    assert row["service"] is None and row["service_text"] is None


def test_the_words_before_the_verb_when_nothing_follows_it():
    # xiamen-2021-cutover-news: the old system stops (everything it serves)
    assert service_of(",我市将停止运行原厦门市医保信息系统,切换上线国家医保信息平台") == (None, "原厦门市医保信息系统")
    # guyuan-2025-fund-c002
    assert service_of("起,暂停办理包括跨省通办在内的所有住房公积金柜面业务。") == (
        "柜面业务", "包括跨省通办在内的所有住房公积金柜面业务")


def test_names_everything():
    assert names_everything("全市医保部门所有业务办理")
    assert names_everything("城镇职工及城乡居民医保业务")
    assert names_everything("现医保业务系统")
    assert not names_everything("门诊慢特病结算")
