"""Notice metadata: title, issuer, city, province, publication date, repost stamp."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from conftest import make_doc, meta_of

from pipeline.extract import SourceHints
from pipeline.extract.metadata import extract_metadata
from pipeline.extract.notice import extract_notice

OFFICIAL = """西安市医疗保障局关于停机切换国家医疗保障信息平台的通告
广大参保患者：
按照国家、省、市医保局统一部署，近期医保结算系统将切换上线国家医疗保障信息平台。
2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台。
特此通告。
西安市医疗保障局
2022年2月26日
"""


def test_official_notice_all_fields():
    md = meta_of(OFFICIAL)
    assert md.title == "西安市医疗保障局关于停机切换国家医疗保障信息平台的通告"
    assert md.issuer == "西安市医疗保障局"
    assert (md.city, md.province) == ("西安市", "陕西省")
    assert md.published_on == date(2022, 2, 26)
    assert md.published_inferred is False


def test_title_starting_with_guanyu_issuer_from_signature():
    md = meta_of("关于切换上线国家医疗保障信息平台的通告\n各参保单位：\n2021年8月15日0时起暂停医保结算。\n兰州市医疗保障局\n2021年8月10日\n")
    assert md.title == "关于切换上线国家医疗保障信息平台的通告"
    assert md.issuer == "兰州市医疗保障局"
    assert (md.city, md.province) == ("兰州市", "甘肃省")
    assert md.published_on == date(2021, 8, 10)


def test_traditional_characters_notice():
    md = meta_of("蘭州市醫療保障局關於醫保系統停機切換的通告\n停機期間暫停辦理醫保業務。\n蘭州市醫療保障局\n2021年8月10日\n")
    assert md.issuer == "兰州市医疗保障局"
    assert md.city == "兰州市"


def test_pinyin_injected_traditional_issuer():
    md = meta_of("昆明市醫(yī)療保障局關(guān)於系統切換的通知\n停機期間暫停結算。\n")
    assert md.issuer == "昆明市医疗保障局"
    assert (md.city, md.province) == ("昆明市", "云南省")


def test_pinyin_injected_issuer_with_few_traditional_characters():
    md = meta_of("昆明市醫(yī)療保障局关于系统切换的通知\n停机期间暂停结算。\n")
    assert md.issuer == "昆明市医疗保障局"


def test_chinese_numeral_signature_date():
    md = meta_of("关于医保系统停机的通知\n12月20日起暂停结算。\n兰州市医疗保障局\n二〇二一年十二月十五日\n")
    assert md.published_on == date(2021, 12, 15)
    assert md.published_inferred is False


def test_fullwidth_signature_date():
    md = meta_of("关于医保系统停机的通知\n停机期间暂停结算。\n兰州市医疗保障局\n２０２２年２月５日\n")
    assert md.published_on == date(2022, 2, 5)


def test_publication_label_line():
    md = meta_of("医保系统停机公告\n发布时间：2021-09-15 10:20\n兰州市医保中心：2021年9月20日起暂停结算。\n")
    assert md.published_on == date(2021, 9, 15)
    assert md.published_inferred is False


def test_stripped_year_signature_without_evidence_stays_empty_and_flagged():
    text = "关于医保系统停机切换的通告\n年2月6日0时起暂停办理所有业务。\n杭州市医疗保障局\n年2月5日\n"
    md = meta_of(text)
    assert md.published_on is None
    ex = extract_notice(make_doc(text), SourceHints(), "0" * 16)
    flagged = [r for r in ex.repairs if r["column_name"] == "published_on"]
    assert [(r["rule"], r["repaired_value"]) for r in flagged] == [("year_unresolved", None)]


def test_stripped_year_signature_resolved_by_repost_stamp():
    text = ("首页 » 常识 » 预防 » 杭州市医疗保障局关于停机切换国家医疗保障\n"
            "TUhjnbcbe - 2022/11/25 22:29:00\n"
            "杭州市医疗保障局关于停机切换国家医疗保障信息平台的通告\n"
            "年2月6日0时起,暂停办理所有业务。\n杭州市医疗保障局\n年2月5日\n")
    md = meta_of(text)
    assert md.stamp is not None and md.stamp.date() == date(2022, 11, 25)
    assert md.published_on == date(2022, 2, 5)
    assert md.published_inferred is True
    assert (md.city, md.province) == ("杭州市", "浙江省")


def test_forum_post_by_stamp_is_not_a_publication_date():
    text = "[b]关于医保系统停机的通知[/b]\nPost By:2021/11/18 8:38:37\n停机期间暂停结算。\n"
    md = meta_of(text)
    assert md.stamp is not None and md.stamp.date() == date(2021, 11, 18)
    assert md.published_on is None


def test_forum_post_by_stamp_keeps_its_time():
    md = meta_of("关于医保系统停机的通知\nPost By:2021/11/18 8:38:37\n停机期间暂停结算。\n")
    assert md.stamp == datetime(2021, 11, 18, 8, 38)


def test_publication_from_url_date_when_text_has_none():
    md = meta_of("厦门医保系统本周末切换\n记者从厦门市医保局获悉，医保系统将切换上线。\n",
                 url="http://hxnews.com/news/fj/mn/xm/202110/26/2027720.shtml")
    assert md.published_on == date(2021, 10, 26)
    assert md.published_inferred is True


def test_news_dateline_year_from_url():
    text = "福州医保系统年底结转\n中新网12月28日电 记者从福州市医保局获悉，医保系统将于年底停机结转。\n"
    md = meta_of(text, url="https://fj.cri.cn/chinanews/20181228/4739e23c.html")
    assert md.published_on == date(2018, 12, 28)
    assert md.published_inferred is True
    assert md.city == "福州市"


def test_stripped_signature_year_from_nearby_url_date():
    text = "关于医保系统停机的通知\n停机期间暂停结算。\n厦门市医疗保障局\n年10月25日\n"
    md = meta_of(text, url="http://hxnews.com/news/fj/mn/xm/202110/26/2027720.shtml")
    assert md.published_on == date(2021, 10, 25)


def test_wechat_container_publish_time():
    doc = make_doc("成都医保｜系统切换期间就医攻略来啦\n停机期间暂停结算。\n")
    doc = replace(doc, meta={**doc.meta, "published": "2021-11-02 18:00:00"})
    md = extract_metadata(doc, SourceHints())
    assert md.published_on == date(2021, 11, 2)
    assert md.published_inferred is False


def test_manifest_hints_win():
    md = meta_of("关于医保系统停机的通知\n停机期间暂停结算。\n", city="天门市", published=date(2021, 9, 1))
    assert (md.city, md.province) == ("天门市", "湖北省")
    assert md.published_on == date(2021, 9, 1)
    assert md.published_inferred is False


def test_issuer_from_source_line():
    md = meta_of("关于医保系统停机的通知\n2022年1月1日起暂停办理医保业务。\n来源：济南市医疗保障局\n")
    assert md.issuer == "济南市医疗保障局"
    assert (md.city, md.province) == ("济南市", "山东省")


def test_city_named_only_in_body():
    md = meta_of("医保系统停机公告\n各位参保人：\n青岛市医保信息系统将于2021年11月20日起停机，青岛市各定点医院暂停结算。\n")
    assert (md.city, md.province) == ("青岛市", "山东省")


def test_city_from_districts_only():
    text = "医保系统年终结转停机通知\n余姚、奉化、宁海、象山各经办机构于2015年12月31日起暂停办理医保业务。\n"
    md = meta_of(text)
    assert (md.city, md.province) == ("宁波市", "浙江省")
    assert md.city_rule == "city_from_district"


def test_city_from_area_code_only():
    text = "医保系统停机公告\n2021年11月20日起暂停结算。\n如有疑问请拨打0931-8881234。\n"
    md = meta_of(text)
    assert (md.city, md.province) == ("兰州市", "甘肃省")
    assert md.city_rule == "city_from_area_code"


def test_city_rule_becomes_a_repair_row():
    text = "医保系统停机公告\n2021年11月20日起暂停结算。\n如有疑问请拨打0931-8881234。\n"
    ex = extract_notice(make_doc(text), SourceHints(), "f" * 16)
    city_repairs = [r for r in ex.repairs if r["column_name"] == "city"]
    assert [(r["rule"], r["repaired_value"]) for r in city_repairs] == [("city_from_area_code", "兰州市")]
    assert ex.notice["city"] == "兰州市"


def test_province_wide_flattened_table_has_no_city():
    text = ("全省定点医院年终结转停机时间\n福州 2018.1.1~1.5\n厦门 2018.1.1~1.4\n泉州 2018.1.1~1.3\n"
            "漳州 2018.1.1~1.5\n")
    md = meta_of(text)
    assert md.city is None
    assert md.province == "福建省"


def test_no_place_at_all_leaves_city_empty():
    md = meta_of("关于医保系统停机的通知\n停机期间暂停结算。\n")
    assert (md.city, md.province) == (None, None)
    assert md.city_rule is None


def test_metadata_clues_feed_year_resolution():
    md = meta_of(OFFICIAL)
    assert md.clues.publication == date(2022, 2, 26)
    assert 2022 in md.clues.printed_years


# --- where real pages put the date and the city (issue 13) -------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("https://www.example.gov.cn/art/2022/1/26/art_1229_123.html", (2022, 1, 26)),
    ("http://www.example.cn/2021-07/03/c_1127.htm", (2021, 7, 3)),
    ("http://www.example.cn/201809/t20180911_1.html", (2018, 9, 11)),
    ("https://zg.changzhou.gov.cn/html/czzg/2012/CIBLKPQE_0619/16376.html", (2012, 6, 19)),
    ("http://fangchan.smartjx.com/fczx/2023/0129/253014674.html", (2023, 1, 29)),
    ("https://www.tmwcn.com/html/news/7/202109/t244263.html", (2021, 9, None)),
    ("http://m.bbbaike.com/baike/techan/226479.html", None),
])
def test_url_dates_in_the_shapes_cms_use(url, expected):
    from pipeline.repair.resolve_year import url_date

    assert url_date(url) == expected


@pytest.mark.parametrize("url, city", [
    ("http://www.lsd17.com/news/ankang/akzh/344482.html", "安康市"),  # ankang-2018-fund-c003's host
    ("http://www.jiangyin.gov.cn/doc/2021/notice.html", "无锡市"),  # a county-level city's own site
    ("https://suzhou.gusuwang.com/v46529.html", None),  # 苏州 and 宿州 share the pinyin: no guess
    ("https://hyyz888.com/zz/2016-12/22/content_18878916.htm", None),  # abbreviations are not read
    ("http://m.hunanyuer.com/baike/techan/767232.html", None),
])
def test_city_from_the_source_url(url, city):
    from pipeline.extract.metadata import city_of_url

    found = city_of_url(url)
    assert (found.name if found else None) == city


def test_news_lead_is_the_notices_date_not_the_portals():
    # shanxi-2021-outage-a004: the portal's 时间 line is the repost's; the lead says when the notice came out
    md = meta_of("时间:2021-09-05 来源:山西省人民政府门户网站 浏览量:170\n"
                 "9月3日,省医保局发布消息,省医保中心将停用省直医保业务系统。9月6日17时起,暂停办理医保关系转移接续。")
    assert md.published_on == date(2021, 9, 3) and md.published_evidence.startswith("news lead")
