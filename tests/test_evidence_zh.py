"""Evidence in Chinese (pipeline/publish/evidence_zh.py): each sentence shape the extractors log,
as it was logged for a real notice of the development corpus, and what a Chinese reader sees."""

from __future__ import annotations

import pytest

from pipeline.publish.captions import evidence_text
from pipeline.publish.evidence_zh import evidence_zh, fallback_zh, has_english_prose, split_clauses

REAL = [
    ("year of '7月3日' taken from 2018-07-02 in the same range", "“7月3日”的年份取自同一时间段的2018年7月2日"),
    ("24时 of 2022-03-20 is 00:00 of the next day", "2022年3月20日24时即次日00:00"),
    ("'7月3日' names a whole day, so the range ends at 00:00 of the next day", "“7月3日”只写到日，时间段止于次日00:00"),
    ("'10月28日' falls before 2021-11-30, so it is in the next year", "“10月28日”早于2021年11月30日，故属于下一年"),
    ("'当天9时' counted from 2025-03-25", "“当天9时”从2025年3月25日起算"),
    ("'去年12月26日' read against publication 2014-01-03", "“去年12月26日”按发布日期2014年1月3日推算"),
    ("the year of '6月30日' is not printed and nothing in the notice gives it", "“6月30日”未印年份，通知中也无据可补"),
    ("'18点' has a time but no date", "“18点”只有时间没有日期"),
    ("'2.0' is not a possible date or time, in '各类线上公服渠道、线下经办窗口、政务2.0等相关入口将关闭。'",
     "“2.0”不是可能的日期或时间，见“各类线上公服渠道、线下经办窗口、政务2.0等相关入口将关闭。”"),
    ("the year of 2021-11-24, stated just before in the same paragraph", "年份取自同一段落中紧接其前所写的2021年11月24日"),
    ("the notice prints the year 2018 elsewhere", "通知别处印有2018年"),
    ("publication date 2021-07-07 (article header date: 2021/7/7); 2021-07-09 is a 五 as printed",
     "发布日期2021年7月7日（文章标题下的日期：2021/7/7）；2021年7月9日是星期五，与原文所印相符"),
    ("repost stamp 发表于 2021-11-27 08:48:59 | 显示全部楼层 |阅读模式 is an upper bound",
     "转载网站时间戳“发表于 2021-11-27 08:48:59 | 显示全部楼层 |阅读模式”是上限"),
    ("news dateline '12月30日'; issued before the first dated event 2015-12-31",
     "新闻电头日期“12月30日”；发布于通知所载第一个事件（2015年12月31日）之前"),
    ("news dateline '12月22日'; the source URL https://hyyz888.com/zz/2016-12/22/content_18878916.htm carries 2016-12-22",
     "新闻电头日期“12月22日”；原文网址 https://hyyz888.com/zz/2016-12/22/content_18878916.htm 中含日期2016年12月22日"),
    ("date in the source URL http://www.northnews.cn/finance/2021/1028/2041278.html",
     "原文网址中的日期：http://www.northnews.cn/finance/2021/1028/2041278.html"),
    ("signature date: 2021年10月14日", "落款日期：2021年10月14日"),
    ("发布时间 line: 2021年09月24日", "“发布时间”行：2021年09月24日"),
    ("resumption stated in (same_service): 三、2026年1月4日0:00起,线上业务恢复正常办理;",
     "恢复时间见（同一业务的恢复说明）：三、2026年1月4日0:00起,线上业务恢复正常办理;"),
    ("no own resumption; ends with the switch window: 2021年8月15日0时起至8月26日8:00。",
     "本项未写恢复时间，随切换主时段结束：2021年8月15日0时起至8月26日8:00。"),
    ("local number printed without area code; 秦皇岛市 uses 0335", "本地号码未印区号；秦皇岛市的区号是0335"),
    ("area code 0531 is 济南市", "区号0531属于济南市"),
    ("districts 奉化市、宁海县 belong to 宁波市", "所列区县奉化市、宁海县属于宁波市"),
    ("the source URL names 新乡市 (http://xinxiang.kuyiso.com/news/7532spgf088b.html)",
     "原文网址中含新乡市的拼音（http://xinxiang.kuyiso.com/news/7532spgf088b.html）"),
    ("body names 青岛市 8 times", "正文8次提到青岛市"),
    ("body names 南宁 in 2 media, office or headline mentions", "正文在2处媒体、机构或标题中以简称提到南宁"),
    ("names 8 cities of 福建省: a province-wide notice", "提到福建省的8个城市：全省通知"),
    ("issuer: 西安市医疗保障局", "发布机构：西安市医疗保障局"),
    ("62 traditional characters converted to simplified", "62个繁体字已转为简体"),
    ("6 pinyin annotations removed", "删除了6处夹在词中的拼音"),
    ("3 places where a wrong encoding garbled characters, e.g. '是什么?为什么'", "3处因编码错误出现乱码，例如“是什么?为什么”"),
    ("page chrome or repost-site line", "网页导航或转载网站插入的行"),
    ("exactly one known name fits the pattern: 浙江政务服务网", "只有一个已知名称与之相符：浙江政务服务网"),
    ("a character was censored by the source ('*'); no single known name fits", "原网站屏蔽了字（*），没有唯一相符的已知名称"),
]


@pytest.mark.parametrize(("logged", "zh"), REAL)
def test_logged_evidence_reads_in_chinese(logged, zh):
    assert evidence_zh(logged) == zh
    assert not has_english_prose(zh)


def test_a_parenthesis_holding_clauses_is_one_clause():
    # 杭州, 2022: the publication date's evidence quotes clauses of its own
    logged = ("publication date 2022-02-05 (signature date '年2月5日'; the latest year not after the repost stamp "
              "TUhjnbcbe - 2022/11/25 22:29:00; 春节 2022 falls on 2022-02-01, inside '因受春节假期和停机影响,年2月1日至2月15日期间'); "
              "2022-02-06 is a 日 as printed")
    assert len(split_clauses(logged)) == 2
    zh = evidence_zh(logged)
    assert zh == ("发布日期2022年2月5日（落款日期“年2月5日”；取不晚于转载网站时间戳“TUhjnbcbe - 2022/11/25 22:29:00”的最近年份；"
                  "2022年春节在2022年2月1日，原文“因受春节假期和停机影响,年2月1日至2月15日期间”）；2022年2月6日是星期日，与原文所印相符")
    assert not has_english_prose(zh)


def test_an_unknown_shape_is_never_shown_in_english():
    logged = "seen near '3月5日' by a rule written after this table"
    assert evidence_zh(logged) is None
    assert evidence_text("year_from_publication", logged) == "年份取自发布日期（原文：3月5日）"
    assert fallback_zh("年份取自发布日期", "no Chinese at all") == "年份取自发布日期"
    assert evidence_text("year_from_publication", logged, "en") == logged  # the English page keeps the log
