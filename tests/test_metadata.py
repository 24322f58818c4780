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


# --- issue 16: page stamps, several places, province-wide notices, the manifest's city ---------

# chengdu-2021-cutover-b002: a content farm's page stamp a year after the 人民网 report it reposts
CHENGDU_REPOST = (
    "成都医保系统停机切换持续9天 “门特”患者、“两病”患者请在停机前购药结算\n"
    "时间:2022-11-11 13:29:52来源:法律常识\n"
    "来源:人民网\n"
    "人民网成都11月17日电 (郭莹)按照国家和四川省医疗保障局统一部署,2021年11月21日0时-11月30日0时,"
    "成都将暂停办理全市所有医保线上线下渠道业务。\n"
)


def test_page_stamp_after_the_stop_is_a_repost_date_and_the_dateline_dates_the_notice():
    ex = extract_notice(make_doc(CHENGDU_REPOST), SourceHints(), "0" * 16)
    assert ex.notice["published_on"] == date(2021, 11, 17)  # the dateline, its year below the stamp
    assert ex.notice["repost_stamp"] == datetime(2022, 11, 11)
    set_aside = [r for r in ex.repairs if r["rule"] == "page_stamp_after_events"]
    assert len(set_aside) == 1 and set_aside[0]["raw_value"].startswith("2022-11-11")
    assert "2021-11-21" in set_aside[0]["evidence"]


def test_a_page_stamp_before_the_stop_stays_the_publication_date():
    # wenzhou-2022-hospital-a006: the hospital's own page, posted three days before the stop
    text = ("必看!这三天医保刷卡结算暂停,来温州老年病医院就诊要注意这些!\n"
            "发布时间:2022-03-01 08:47:51    浏览:11404\n"
            "据国家医保局和省医保局统一部署,温州市将切换上线国家医疗保障信息平台。"
            "2022年3月4日0时-3月6日24时,医保刷卡结算暂停。\n")
    ex = extract_notice(make_doc(text), SourceHints(), "0" * 16)
    assert ex.notice["published_on"] == date(2022, 3, 1)
    assert not [r for r in ex.repairs if r["rule"] == "page_stamp_after_events"]


# hunan-2023-outage-b007: a province's 公告 on a content site; its header date is a day after the first stop
HUNAN_PROVINCE = (
    "关于湖南省社会保险系统停机及“金保工程二期”社保一体化系统切换上线的公告\n"
    "2023-04-19\n"
    "一、全省人社部门系统切换安排\n"
    "(一)2023年4月18日18时起,暂停企业职工养老保险、机关事业单位养老保险、城乡居民养老保险、失业保险跨省社会保险关系转移接续服务。\n"
    "(二)2023年4月25日18时起,暂停五险所有业务经办服务;暂停外部接口系统(包括网上办事系统、长沙市统一登记系统、"
    "领待人员资格认证系统、政务一体化平台等)服务。\n"
)


def test_province_named_in_the_title_is_a_province_wide_notice_without_a_city():
    ex = extract_notice(make_doc(HUNAN_PROVINCE), SourceHints(), "0" * 16)
    # 长沙市 is named once, in a system's name: not the notice's city
    assert (ex.notice["city"], ex.notice["province"], ex.notice["scope"]) == (None, "湖南省", "province")
    assert ex.notice["published_on"] is None  # the header date falls after the first stop: a repost's
    assert [r["rule"] for r in ex.repairs if r["column_name"] == "published_on"] == ["page_stamp_after_events"]
    assert {w["province"] for w in ex.windows} == {"湖南省"} and {w["city"] for w in ex.windows} == {None}


def test_a_stop_time_label_is_not_a_publication_line():
    # unnamed-2023-outage-d014: "停止时间 :" labels a stop, not the page's date
    md = meta_of("厦门市医保年底停止结算\n停止时间 :2023年12月31日21时至2024年1月3日21时\n"
                 "说明 :全省医保服务系统统一关闭,期间暂停待遇结算及业务经办,费用需垫付后冲账。\n")
    assert md.published_on is None


# unnamed-2023-outage-d014, the page as saved (footer and ads left out)
COMPILATION = """职工医保年底什么时候停止结算的
有家健康网 2025-05-07阅读量:9839
职工医保年底停止结算的时间因地区和年度而异,具体如下:
厦门市
停止时间 :2023年12月31日21时至2024年1月3日21时
说明 :全省医保服务系统统一关闭,期间暂停待遇结算及业务经办,费用需垫付后冲账。
苏州市
停止时间 :2023年12月31日18:00至2024年1月1日6:00
说明 :仅暂停医保刷卡结算和部分业务,1月1日6:00后恢复。
泰州市
结算周期 :2022年起按自然年度结算(1月1日至12月31日)
说明 :年底前完成全年结算,无需额外操作,但次年1月1日起新年度生效。
其他地区参考
广西 :2023年12月31日20:00至2025年1月1日24:00暂停服务(需以最新通告为准)。
四川 :2025年4月25日22:00至26日8:00暂停联网结算(与年底无关)。
医院地址:厦门市湖里区湖里大道37号
"""


def test_compilation_page_has_no_single_city_and_its_windows_carry_their_places():
    ex = extract_notice(make_doc(COMPILATION), SourceHints(), "0" * 16)
    assert (ex.notice["city"], ex.notice["province"], ex.notice["scope"]) == (None, None, "compilation")
    assert ex.notice["published_on"] is None  # the page's date is no notice's
    places = {(w["start_at"].isoformat(timespec="minutes"), w["city"], w["province"]) for w in ex.windows}
    assert places == {
        ("2023-12-31T21:00", "厦门市", "福建省"),
        ("2023-12-31T18:00", "苏州市", "江苏省"),
        ("2023-12-31T20:00", None, "广西壮族自治区"),
        ("2025-04-25T22:00", None, "四川省"),
    }
    rules = [r["rule"] for r in ex.repairs]
    assert rules.count("compilation_page") == 2 and rules.count("place_from_block") == 4


def test_province_table_rows_give_each_window_its_city():
    # fujian-hospital-2018-year-end-table: a province hospital relays every prefecture's stop
    text = ("各地市医保停机时间:\n地市 结转停机时间\n省本级 2018.1.1~1.4\n福州 2018.1.1~1.5\n莆田 2018.1.1~1.3\n"
            "泉州 2018.1.1~1.7\n给您带来的不便,敬请谅解。\n福建省级机关医院\n2017年12月26日\n")
    ex = extract_notice(make_doc(text), SourceHints(), "0" * 16)
    assert (ex.notice["city"], ex.notice["province"], ex.notice["scope"]) == (None, "福建省", "province")
    got = {(w["evidence"][:2], w["city"], w["province"]) for w in ex.windows}
    assert got == {("省本", None, "福建省"), ("福州", "福州市", "福建省"), ("莆田", "莆田市", "福建省"),
                   ("泉州", "泉州市", "福建省")}


def test_a_city_notice_keeps_its_city_and_scope():
    ex = extract_notice(make_doc(OFFICIAL), SourceHints(), "0" * 16)
    assert (ex.notice["city"], ex.notice["scope"]) == ("西安市", "city")
    assert {(w["city"], w["province"]) for w in ex.windows} == {("西安市", "陕西省")}


def test_municipality_named_in_the_body_is_the_city():
    # tianjin-2022-social-security: 天津市 is a province and a city at once
    text = ("人社部门提示,请各用人单位和办事群众按照我市防控要求,尽量减少到服务大厅现场办理业务,避免人员聚集。"
            "有关详情,可以致电天津市人力资源和社会保障局服务热线、天津市税务局纳税缴费服务热线或天津政务服务便民热线咨询。\n")
    md = meta_of(text)
    assert (md.city, md.province) == ("天津市", "天津市")


def test_province_level_pool_in_the_title_has_no_city():
    # henan-2021-outage-b004: 省直 in the title, 郑州 never the jurisdiction
    md = meta_of("关于国家医疗保障信息平台在省直线上测试期间暂停医保服务的通知\n作者: 时间:2021-11-17 点击数:\n"
                 "根据河南省医疗保障局相关通知,2021年11月21日18时起,全国统一的医疗保障信息平台在省直进行上线测试。\n")
    assert (md.city, md.province, md.scope) == (None, "河南省", "province")


def test_manifest_city_contradicting_the_issuer_is_flagged_and_not_high():
    text = OFFICIAL  # signed 西安市医疗保障局
    ex = extract_notice(make_doc(text), SourceHints(city="兰州市"), "0" * 16)
    assert ex.notice["city"] == "兰州市"  # the manifest is kept: a person set it
    assert ex.notice["city_confidence"] == "low" and "city_conflict" in ex.notice["city_confidence_reasons"]
    flagged = [r for r in ex.repairs if r["rule"] == "city_conflict"]
    assert len(flagged) == 1 and "西安市" in flagged[0]["evidence"]


def test_manifest_city_agreeing_with_a_county_issuer_is_not_a_conflict():
    # heyuan-2019-fund-c014: 紫金县 belongs to 河源市
    text = "紫金县住房公积金管理中心关于暂停办理业务的通告\n发布时间:2018-12-14 来源: 县公积金管理中心 阅读人次: -\n"
    ex = extract_notice(make_doc(text), SourceHints(city="河源市"), "0" * 16)
    assert ex.notice["city_confidence"] == "high"
    assert not [r for r in ex.repairs if r["rule"] == "city_conflict"]


def test_a_dateline_under_a_set_aside_stamp_takes_the_year_of_the_stop_not_the_reposts():
    # the same report reposted two years on: the dateline's year is the stop's (on or before it)
    text = CHENGDU_REPOST.replace("时间:2022-11-11 13:29:52", "时间:2023-05-11 13:29:52")
    ex = extract_notice(make_doc(text), SourceHints(), "0" * 16)
    assert ex.notice["published_on"] == date(2021, 11, 17)
    assert ex.notice["repost_stamp"] == datetime(2023, 5, 11)


@pytest.mark.parametrize("line, is_label", [
    ("作者: 时间:2021-11-17 点击数:", True),  # henan-2021-outage-b004's page line
    ("时间:2022-11-11 13:29:52来源:法律常识", True),  # chengdu-2021-cutover-b002
    ("发布时间:2021年09月24日", True),  # tianmen-2021-cutover
    ("停止时间 :2023年12月31日21时至2024年1月3日21时", False),  # unnamed-2023-outage-d014: a stop's time
    ("暂停服务时间：2023年4月24日0时至5月8日9时", False),
])
def test_publication_labels(line, is_label):
    from pipeline.extract.metadata import _PUB_LABEL

    assert bool(_PUB_LABEL.search(line)) is is_label


def test_a_headline_naming_a_city_by_its_short_form_is_not_province_wide():
    # wuhan-2021-cutover-b010 (a real notice) as a web page: its headline becomes the title, and
    # "上线省医保系统平台" names the province's platform the city moves onto, not the issuer
    headline = "2021武汉医保系统将上线省医保系统平台,武汉医保平台停机切换是什么时候停机及恢复的"
    text = headline + "\n按照国家和省医保局统一部署,武汉市将停机切换国家医疗保障信息平台,各类医保服务切换时间如下:"
    from pipeline.extract import SourceHints
    from pipeline.extract.metadata import find_city

    doc = make_doc(text)
    city, province, evidence, _, clue = find_city(doc, None, headline, SourceHints())
    assert (city, province) == ("武汉市", "湖北省") and clue != "province_wide", evidence
