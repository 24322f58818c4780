"""Normalisation: repost-site damage removed before extraction."""

from __future__ import annotations

import pytest
from conftest import make_doc, make_doc_and_repairs, rules_of

from pipeline.extract import SourceHints
from pipeline.extract.notice import censored_repairs, extract_notice
from pipeline.read.normalize import is_chrome, normalize_line, strip_pinyin, to_simplified


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("醫(yī)療保障", "醫療保障"),
        ("停(tíng)機期間", "停機期間"),
        ("醫( yī )保", "醫保"),  # spaces inside the bracket
        ("暂停办理(lǜ)绿色通道", "暂停办理绿色通道"),  # ü with a tone mark
    ],
)
def test_strip_pinyin_removes_toned_syllables(raw, expected):
    assert strip_pinyin(raw) == expected


@pytest.mark.parametrize("raw", ["医保卡(IC卡)", "下载(APP)办理", "点击(link)", "2022(年)"])
def test_strip_pinyin_keeps_plain_ascii_in_brackets(raw):
    assert strip_pinyin(raw) == raw


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("停機時間", "停机时间"),
        ("醫療保障局關於系統切換的通告", "医疗保障局关于系统切换的通告"),
        ("蘭州市", "兰州市"),
    ],
)
def test_to_simplified(raw, expected):
    assert to_simplified(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("[b]1. 11月21日20:00時[/b][b]起[/b]", "1. 11月21日20:00時起"),
        ("[color=red]暂停[/color]医保结算", "暂停医保结算"),
        ("[url=http://bbs.example.com/x]详见附件[/url]", "详见附件"),
        ("[size=4][font=宋体]停机通知[/font][/size]", "停机通知"),
        # full-width digits, colon, parentheses and ideographic space
        ("\u3000２０２２年３月１１日２４时（星期五）", "2022年3月11日24时(星期五)"),
        ("８：００至１７：３０", "8:00至17:30"),
        # Chinese numerals before a date/time unit become digits; others stay
        ("二〇二一年十二月二十日零时起", "2021年12月20日0时起"),
        ("一是暂停结算", "一是暂停结算"),
        # a list number fused to a year or to text is split off
        ("1.2021年12月20日起停机", "1. 2021年12月20日起停机"),
        ("1如非急需请错峰就医", "1 如非急需请错峰就医"),
        ("2月6日0时起", "2月6日0时起"),
        ("   暂停办理   ", "暂停办理"),
    ],
)
def test_normalize_line(raw, expected):
    assert normalize_line(raw) == expected


@pytest.mark.parametrize(
    "line",
    [
        "首页 » 常识 » 预防 » 杭州市医疗保障局关于停机切换国家医疗保障",
        "您现在的位置：首页 > 通知公告",
        "TUhjnbcbe - 2022/11/25 22:29:00",
        "Post By:2021/11/18 8:38:37",
        "更新时间：2022-02-06",
        "相关阅读",
        "上一篇：关于做好春节期间医保服务的通知",
        "分享",
        "字号：大 中 小",
        "1",
        "查看完整版本: 杭州市医疗保障局关于停机切换国家医疗保障",
        "来源：本站 发布时间：2022-02-06",
    ],
)
def test_is_chrome_true(line):
    # the pipeline asks is_chrome about normalised lines (full-width colons already half-width)
    assert is_chrome(normalize_line(line))


@pytest.mark.parametrize(
    "line",
    [
        "年2月6日0时起,暂停办理基本医疗保险参保登记等所有业务。",
        "2022年2月5日",  # a signature date is content, not chrome
        "杭州市医疗保障局",
        "如有疑问，可咨询我市12345热线。",
        "来源：杭州日报",
        "| 1 | 新城区 | 029-87424266 |",
    ],
)
def test_is_chrome_false(line):
    assert not is_chrome(normalize_line(line))


def test_normalize_document_traditional_notice_is_simplified_and_logged():
    doc, repairs = make_doc_and_repairs("蘭州市醫療保障局\n關於醫保系統停機切換的通告\n停機期間暫停辦理醫保業務。")
    assert doc.lines == ("兰州市医疗保障局", "关于医保系统停机切换的通告", "停机期间暂停办理医保业务。")
    assert "traditional_to_simplified" in rules_of(repairs)


def test_normalize_document_pinyin_removed_and_logged():
    doc, repairs = make_doc_and_repairs("昆明市醫(yī)療保障局\n停(tíng)機期間暫停結算。")
    assert doc.lines[0] == "昆明市医疗保障局"
    assert doc.lines[1] == "停机期间暂停结算。"
    assert "pinyin_removed" in rules_of(repairs)


def test_normalize_document_drops_chrome_but_keeps_it_for_metadata():
    text = "首页 » 通知公告 » 医保 » 停机通知\n\n\n关于医保系统停机的通知\nPost By:2021/11/18 8:38:37\n停机期间暂停结算。\n相关阅读\n"
    doc, repairs = make_doc_and_repairs(text)
    assert doc.lines == ("关于医保系统停机的通知", "停机期间暂停结算。")
    assert "Post By:2021/11/18 8:38:37".lower() in [d.lower() for d in doc.dropped]
    assert rules_of(repairs).count("spam_line_dropped") == 3


def test_normalize_document_blank_lines_gone_and_fullwidth_fixed():
    doc = make_doc("\n\n２０２２年２月２０日０时起停机\n\n\n")
    assert doc.lines == ("2022年2月20日0时起停机",)


def test_normalize_document_normalises_table_cells():
    doc = make_doc("| 区域 | 电话 |\n|---|---|\n| 新城區 | ０２９－８７４２４２６６ |\n")
    assert doc.tables, "a pipe table must be read as a table"
    assert doc.tables[0].rows[1] == ("新城区", "029-87424266")


def test_censored_character_restored_from_known_name():
    repairs = censored_repairs(["涉及渠道:浙江*务服务网、浙里办APP。"])
    assert len(repairs) == 1
    assert repairs[0]["rule"] == "censored_character"
    assert repairs[0]["raw_value"] == "浙江*务服务网"
    assert repairs[0]["repaired_value"] == "浙江政务服务网"


def test_censored_character_unknown_is_flagged_not_guessed():
    repairs = censored_repairs(["请登录某某*某某系统办理"])
    assert [r["rule"] for r in repairs] == ["censored_character"]
    assert repairs[0]["repaired_value"] is None


def test_extract_notice_logs_censored_character_in_a_list():
    doc = make_doc("杭州市医疗保障局关于停机切换的通告\n涉及渠道:浙江*务服务网、浙里办APP、网上办事大厅。")
    ex = extract_notice(doc, SourceHints(), "0123456789abcdef")
    cens = [r for r in ex.repairs if r["rule"] == "censored_character"]
    assert [(r["raw_value"], r["repaired_value"]) for r in cens] == [("浙江*务服务网", "浙江政务服务网")]
    assert all(r["notice_id"] == "0123456789abcdef" for r in ex.repairs)


def test_censored_name_inside_prose_repairs_only_the_name():
    repairs = censored_repairs(["请登录浙江*务服务网办理。"])
    assert [(r["raw_value"], r["repaired_value"]) for r in repairs] == [("浙江*务服务网", "浙江政务服务网")]
