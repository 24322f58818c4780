"""Step 2: each stop's end, chosen among scored candidates (sentences of real notices)."""

from __future__ import annotations

from datetime import date, datetime

from window_helpers import mentions_of, spans_of

from pipeline.extract.windows import link_all

D = datetime


def test_each_channel_ends_at_its_own_resumption():
    # guyuan-2025-fund-c002: online and counters resume on the same day at different hours
    text = ("一、2025年12月30日00:00起,暂停办理住房公积金所有线上业务。\n"
            "二、2025年12月31日08:00起,暂停办理包括跨省通办在内的所有住房公积金柜面业务。\n"
            "三、2026年1月4日0:00起,线上业务恢复正常办理;1月4日9:00起,柜面各项业务恢复正常办理。")
    assert spans_of(text) == [(D(2025, 12, 30), D(2026, 1, 4)), (D(2025, 12, 31, 8), D(2026, 1, 4, 9))]


def test_a_stop_of_two_systems_takes_each_systems_resumption():
    # jingmen-2021-outage-b003: 医保 and 社保 stop together and come back apart
    text = ("(一)11月25日18:00时起,暂停办理医保(包括职工医保、生育保险、长护保险)、社保(包括养老保险、失业保险、工伤保险)等缴费核定。\n"
            "(四)12月8日8:00时起,除继续暂停办理工伤住院结算外,恢复各项社保业务。\n"
            "(五)12月10日9:00时起,恢复各项医保业务。")
    assert sorted(spans_of(text, date(2021, 11, 20))) == [(D(2021, 11, 25, 18), D(2021, 12, 8, 8)),
                                                          (D(2021, 11, 25, 18), D(2021, 12, 10, 9))]


def test_a_resumption_of_another_service_is_never_the_end():
    # hunan-2023-outage-b007: the tax side's 征收 resumes on 4-28; 关系转移 waits for the go-live
    text = ("湖南省“金保工程二期”社保一体化系统将于5月12日8时上线。\n"
            "(一)2023年4月18日18时起,暂停企业职工养老保险、失业保险跨省社会保险关系转移接续服务。\n"
            "(二)2023年4月25日18时起,税务部门暂停全省所有社会保险费(含医保,下同)征收;2023年4月28日8时起,恢复全省所有社会保险费征收。")
    links = {link.stop.at: link for link, _ in link_all(mentions_of(text, date(2023, 4, 10)))}
    transfer = links[D(2023, 4, 18, 18)]
    assert transfer.end == D(2023, 5, 12, 8) and "go_live" in transfer.winner.rule + "".join(transfer.winner.modifiers)
    assert ("other_service" in {rule for _, rule in transfer.excluded})
    assert links[D(2023, 4, 25, 18)].end == D(2023, 4, 28, 8)


def test_an_open_end_said_of_one_service_splits_it_from_the_list():
    # haerbin-2021-outage-a001
    text = ("(一)2021年10月15日20时起,暂时关闭哈尔滨税务社保缴费平台医疗保险缴费功能;"
            "暂停网上、手机APP、自助一体机等不见面医保征缴业务。\n"
            "二、医保系统恢复上线时间2021年10月31日8时起,正式启用新医保平台,正式恢复定点医疗机构门诊刷卡结算,其他业务视新平台上线情况逐步恢复。\n"
            "哈尔滨各项“不见面”医保智能公共服务系统,恢复时间另行通知。")
    assert spans_of(text) == [(D(2021, 10, 15, 20), D(2021, 10, 31, 8)), (D(2021, 10, 15, 20), None)]


def test_a_resumption_at_the_printed_end_confirms_the_range():
    # suzhou-2021-cutover: partly back at the printed end, fully a day later; the range stands
    text = ("3. 2022年1月1日0时起逐步恢复部分定点医疗机构、定点零售药店的联网结算。\n"
            "4. 2022年1月2日8时起全面恢复所有定点单位的联网结算。\n"
            "1. 2021年12月30日20时至2021年12月31日24时暂停联网结算期间,参保人员无法在定点医疗机构刷卡结算。")
    assert spans_of(text) == [(D(2021, 12, 30, 20), D(2022, 1, 1))]


def test_a_later_restart_of_the_same_service_replaces_the_printed_end():
    # LABELING.md's rule (停机至7时, 8时重启服务), as one sentence
    text = "2023年1月5日22时至1月6日7时暂停医保结算服务，1月6日8时重启医保结算服务。"
    (link, _), = link_all(mentions_of(text))
    assert link.end == D(2023, 1, 6, 8) and "later_restart" in link.winner.modifiers


def test_the_moved_start_ends_with_the_window_it_moves():
    # ningde-2024-year-end-a007
    text = "一、停机时间:2024年12月31日21时至2025年1月1日8时(跨省相关业务停机时间提前至18时)"
    assert spans_of(text) == [(D(2024, 12, 31, 21), D(2025, 1, 1, 8)), (D(2024, 12, 31, 18), D(2025, 1, 1, 8))]


def test_every_link_records_its_winner_and_the_losers():
    text = ("2021年12月20日0时起暂停医保业务办理。\n2021年12月25日8时起逐步恢复各项业务。\n"
            "2021年12月22日0时起恢复医保结算。")
    (link, _), = link_all(mentions_of(text))
    assert link.winner.rule == "general_resumption" and link.end == D(2021, 12, 25, 8)
    assert [c.rule for c in link.losers] == ["partial_resumption"]
    assert link.margin == link.winner.score - link.losers[0].score


# --- the error classes seen on unseen real notices (issue 13), as written single-behaviour snippets ---

def test_label_value_pairs_stay_within_their_section():
    text = ("(一)门诊\n暂停时间:2022年3月1日0时;\n恢复时间:2022年3月3日8时。\n"
            "(二)住院\n暂停时间:2022年3月2日0时;\n恢复时间:2022年3月5日8时。")
    assert spans_of(text) == [(D(2022, 3, 1), D(2022, 3, 3, 8)), (D(2022, 3, 2), D(2022, 3, 5, 8))]


def test_a_deadline_for_people_is_never_an_end():
    assert spans_of("2021年11月20日0时起暂停医保结算,报销期限延长至12月31日。") == [(D(2021, 11, 20), None)]


def test_another_systems_resumption_is_not_the_end():
    text = ("12月30日18:00起,暂停养老保险业务;12月31日18:00起,暂停医保结算业务。"
            "1月3日8:00起,恢复养老保险业务;1月4日8:00起,恢复医保结算业务。")
    assert spans_of(text, date(2021, 12, 20)) == [(D(2021, 12, 30, 18), D(2022, 1, 3, 8)),
                                                  (D(2021, 12, 31, 18), D(2022, 1, 4, 8))]


def test_an_open_end_is_not_given_another_services_end():
    text = ("2021年12月31日18时起暂停城乡居民医保缴费,恢复时间另行通知。"
            "2021年12月31日18时起暂停医保结算,2022年1月4日8时恢复医保结算。")
    assert spans_of(text) == [(D(2021, 12, 31, 18), None), (D(2021, 12, 31, 18), D(2022, 1, 4, 8))]


def test_stripped_years_across_new_year_take_the_publication_year():
    assert spans_of("年12月31日(星期五)18时至年1月4日(星期二)8时暂停医保结算。", date(2021, 12, 20)) == [
        (D(2021, 12, 31, 18), D(2022, 1, 4, 8))]
