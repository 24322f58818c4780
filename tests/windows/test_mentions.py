"""Step 1: every date's role and subject, on sentences of real notices (../shared/corpus)."""

from __future__ import annotations

from datetime import date, datetime

from window_helpers import mentions_of

D = datetime


def test_switching_onto_the_new_platform_is_a_go_live_not_a_stop():
    # taizhou-2021-outage-a009
    m = mentions_of("泰州市医疗保险信息系统将于2021年9月21日8时起正式切换上线国家医疗保障信息平台(以下简称“新平台”),"
                    "现就有关事项公告如下:")
    assert m.stops == []
    assert [(r.at, r.go_live) for r in m.resumes] == [(D(2021, 9, 21, 8), True)]


def test_a_date_only_switch_is_a_go_live():
    # jingmen-2021-outage-b003
    m = mentions_of("按照国家医保局、湖北省医保局统一部署,2021年12月10日,荆门市医保信息系统切换到湖北省医疗保障信息平台。")
    assert m.stops == [] and [r.at for r in m.resumes] == [D(2021, 12, 10)]


def test_a_deadline_for_people_is_no_mention():
    # jingmen-2021-outage-b003
    m = mentions_of("(一)11月28日0:00时前,各参保单位和个人应当及时足额缴纳已核定的医保费、社保费;", date(2021, 11, 20))
    assert m.stops == [] and m.resumes == []


def test_a_reporters_date_is_no_resumption():
    # jiangxi-2025-fund-c013: 3月26日 is when someone spoke, not when service returned
    m = mentions_of("3月26日,江西省住房保障和公积金管理中心一工作人员表示,25日中午已将光缆修好,目前可以办理业务了。",
                    date(2025, 3, 26))
    assert m.resumes == [] and m.stops == []


def test_an_exception_does_not_turn_a_resumption_into_a_stop():
    # jingmen-2021-outage-b003
    m = mentions_of("(四)12月8日8:00时起,除继续暂停办理工伤住院结算外,恢复各项社保业务。", date(2021, 11, 20))
    assert m.stops == []
    (res,) = m.resumes
    assert res.at == D(2021, 12, 8, 8) and res.subject.general and res.subject.domains == {"社保"}


def test_a_range_under_a_schedule_heading_and_a_labelled_resumption():
    # wenzhou-2022-hospital-a006
    m = mentions_of("医保实时结算停机、恢复时间\n2022年3月4日0时-3月6日24时,恢复时间暂定3月7日0时,影响范围涵盖全部参保人员。")
    assert [(s.at, s.end) for s in m.stops] == [(D(2022, 3, 4), D(2022, 3, 7))]
    assert [r.at for r in m.resumes] == [D(2022, 3, 7)]


def test_a_poster_broken_into_lines_is_one_statement():
    # nanping-2023-year-end-c001
    m = mentions_of("根据全省统一安排\n2023年12月31日21:00\n至2024年1月4日6:00\n医保信息平台将关闭\n药店和医院均无法使用")
    assert [(s.at, s.end) for s in m.stops] == [(D(2023, 12, 31, 21), D(2024, 1, 4, 6))]


def test_a_stop_moved_earlier_keeps_its_day_and_points_to_the_window_it_moves():
    # ningde-2024-year-end-a007
    m = mentions_of("一、停机时间:2024年12月31日21时至2025年1月1日8时(跨省相关业务停机时间提前至18时)")
    main, moved = m.stops
    assert (main.at, main.end) == (D(2024, 12, 31, 21), D(2025, 1, 1, 8))
    assert moved.at == D(2024, 12, 31, 18) and moved.parent == main.order


def test_a_stop_list_continues_the_dated_stop():
    # haerbin-2021-outage-a001
    m = mentions_of("(一)2021年10月15日20时起,暂时关闭哈尔滨税务社保缴费平台医疗保险缴费功能;"
                    "暂停网上、手机APP、自助一体机等不见面医保征缴业务;暂停生育津贴申报业务。")
    assert len(m.stops) == 3 and {s.at for s in m.stops} == {D(2021, 10, 15, 20)}
    head, *items = m.stops
    assert all(i.group == head.order for i in items)
    assert "不见面服务" in items[0].subject.services


def test_an_open_end_in_the_stop_sentence():
    # henan-2021-outage-b004
    m = mentions_of("2021年11月18日18时起,省直医保单位网厅和个人网厅停止所有线上医保业务,新的网厅上线时间另行通知。")
    (stop,) = m.stops
    (op,) = m.opens
    assert op.sentence_no == stop.sentence_no


def test_a_contingency_is_not_an_open_end():
    # tianmen-2021-cutover
    m = mentions_of("如果系统切换进度提前或者延后,将在天门日报、天门电视台等相关媒体上发布公告,请及时关注。")
    assert m.opens == []


def test_relative_month_from_the_publication_date():
    # zhangzhou-2016-year-end-d007
    m = mentions_of("因医保年度结转工作需要,漳州将于本月31日18时至明年1月3日18时关闭医保信息系统。", date(2016, 12, 22))
    assert [(s.at, s.end) for s in m.stops] == [(D(2016, 12, 31, 18), D(2017, 1, 3, 18))]
