"""Guidance: one row per instruction for a situation (category, action, deadline, documents)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_doc

from pipeline.extract.guidance import action_of, category_of, deadlines_of, documents_of, extract_guidance
from pipeline.resolve_year import YearClues

PUB = YearClues(publication=date(2022, 2, 5), publication_text="signature 年2月5日")


def guidance(text, clues=None):
    return extract_guidance(list(make_doc(text).lines), clues or YearClues())


@pytest.mark.parametrize(
    "text, code",
    [
        ("停机期间门诊慢性病患者如何购药?", "chronic_special"),
        ("异地住院", "out_of_area"),
        ("本地住院", "inpatient"),
        ("停机期间参保人员如何办理出院?", "inpatient"),
        ("参保缴费", "enrollment_payment"),
        ("零星报销", "reimbursement"),
        ("西安市医保卡(原IC卡)停止使用", "insurance_card"),
        ("离休干部就医", "retirees"),
        ("转外就医", "referral_filing"),
        ("定点药店购药", "pharmacy"),
        ("急诊抢救", "outpatient"),
        ("门诊特药患者如何购药?", "chronic_special"),
        ("其他事项", "other"),
    ],
)
def test_category_of(text, code):
    assert category_of(text) == code


@pytest.mark.parametrize(
    "text, code",
    [
        ("医疗费用由个人先行垫付，待新平台上线后，在就诊医疗机构补办医保结算", "pay_then_settle_at_provider"),
        ("可直接办理自费入院，待“智慧医保”上线后再转为医保入院", "pay_then_settle_at_provider"),
        ("由参保人先行垫付医疗费用，于年3月15日后携带医疗费票据原件到本市医保经办窗口办理零星报销", "pay_then_reimburse"),
        ("视作已规范办理备案手续，享受相应的医保待遇", "deemed_approved"),
        ("在系统停机前，可适当开具2—3个月的药品，确保停机期间正常用药", "stock_up_medicine"),
        ("请于实时结算停机前提前到相关定点医药机构就医购药，备足所需药品", "stock_up_medicine"),
        ("出院当日在医院完成医保结算", "settle_before"),
        ("应在停机前办理医保出院结算手续", "settle_before"),
        ("暂停异地就医医保个人账户门诊缴费业务", "suspended"),
        ("原有的门诊特殊病种等手工结算业务不受停机影响，按原流程审核办理", "unaffected"),
        ("请关注后续通知", "other"),
    ],
)
def test_action_of(text, code):
    assert action_of(text) == code


@pytest.mark.parametrize(
    "text, docs",
    [
        ("携带医疗费票据原件(含电子票据)、本人社保卡、本人银行卡", ["医疗费票据原件", "电子票据", "社会保障卡", "银行卡"]),
        ("医疗费用清单、出院小结、社保卡(含医保电子凭证或身份证)", ["医疗费用清单", "出院小结", "社会保障卡", "医保电子凭证", "居民身份证"]),
        ("凭社会保障卡、医保电子凭证、居民身份证三者中任一种介质办理", ["社会保障卡", "医保电子凭证", "居民身份证"]),
        ("请错峰就医", []),
    ],
)
def test_documents_of(text, docs):
    assert documents_of(text) == docs


def test_deadline_range_with_stripped_years_from_publication():
    assert deadlines_of("参保人员可于年3月15日至12月31日之间,携带医疗费票据原件到定点医疗机构重新结算。", PUB)[:2] == (
        date(2022, 3, 15), date(2022, 12, 31))


def test_deadline_after_and_latest_before():
    text = "于年3月15日后(最迟在年12月31日之前)携带医疗费票据原件到本市医保经办窗口办理零星报销。"
    assert deadlines_of(text, PUB)[:2] == (date(2022, 3, 15), date(2022, 12, 31))


def test_deadline_only_an_end():
    assert deadlines_of("请于2021年12月25日前到定点医药机构办理结算。", YearClues())[:2] == (None, date(2021, 12, 25))


def test_deadline_relative_is_kept_as_text():
    dfrom, dto, dtext = deadlines_of("各经办窗口将在新系统上线后7个工作日内补录入。", PUB)
    assert (dfrom, dto) == (None, None)
    assert dtext == "上线后7个工作日内"


def test_deadline_without_year_evidence_is_not_guessed():
    assert deadlines_of("参保人员可于年3月15日至12月31日之间办理。", YearClues())[:2] == (None, None)


def test_stop_range_is_not_a_deadline():
    text = "实时结算停机期间(2022年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。"
    assert deadlines_of(text, YearClues())[:2] == (None, None)


def test_qa_pair_becomes_one_row():
    text = ("二、门诊慢性病攻略\n3.停机期间门诊慢性病患者如何购药?\n"
            "答：停机前，您可依据病情提前到医药机构开具三个月用药量，确保日常用药不间断。\n")
    rows = guidance(text)
    assert len(rows) == 1
    r = rows[0]
    assert (r["category"], r["action"]) == ("chronic_special", "stock_up_medicine")
    assert r["condition"] == "停机期间门诊慢性病患者如何购药?"
    assert r["guidance_no"] == 1


def test_wechat_bold_bullets_with_scheme_headings():
    text = (
        "住院业务\n原省直职工医保\n"
        "- ☛ **系统停机前可出院的** 出院当日在医院完成医保结算。\n"
        "- ☛ **系统停机前不具备出院条件的及停机期间新入院的** 医疗费用由个人先行垫付，待新平台上线运行后，"
        "补办医保入院登记及出院结算。\n"
    )
    rows = guidance(text)
    got = [(r["scheme"], r["category"], r["condition"], r["action"]) for r in rows]
    assert got == [
        ("原省直职工医保", "inpatient", "系统停机前可出院的", "settle_before"),
        ("原省直职工医保", "inpatient", "系统停机前不具备出院条件的及停机期间新入院的", "pay_then_settle_at_provider"),
    ]


def test_official_numbered_section_referral():
    text = ("三、停机期间业务办理指南\n(四)转外就医\n"
            "业务经办停机期间(年2月6日0时至2月15日0时),参保人员需去市外定点医疗机构就诊的,视作已规范办理备案手续,"
            "享受相应的医保待遇。\n")
    rows = guidance(text, PUB)
    assert [(r["category"], r["action"]) for r in rows] == [("referral_filing", "deemed_approved")]


def test_outpatient_paragraph_with_deadline_and_documents():
    text = ("三、停机期间业务办理指南\n(一)门诊\n"
            "实时结算停机期间(年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。参保人员可于年3月15日至12月31日之间,"
            "携带医疗费票据原件(含电子票据)、本人社保卡(含医保电子凭证或身份证)、本人银行卡到所就诊的定点医疗机构"
            "按规定重新进行医保结算。\n")
    rows = guidance(text, PUB)
    assert len(rows) == 1
    r = rows[0]
    assert (r["category"], r["action"]) == ("outpatient", "pay_then_settle_at_provider")
    assert (r["deadline_from"], r["deadline_to"]) == (date(2022, 3, 15), date(2022, 12, 31))
    assert r["documents"] == ["医疗费票据原件", "电子票据", "社会保障卡", "医保电子凭证", "居民身份证", "银行卡"]


def test_out_of_area_inpatient_reimbursement():
    text = ("三、停机期间业务办理指南\n(三)异地住院\n"
            "我市参保人员在市外定点医疗机构住院的,实时结算停机期间(年2月10日0时至2月15日0时)费用先行垫付;"
            "年3月15日后(最迟在年12月31日之前),携带医疗费票据原件、医疗费用清单、出院小结到本市医保经办窗口办理零星报销。\n")
    rows = guidance(text, PUB)
    assert len(rows) == 1
    r = rows[0]
    assert (r["category"], r["action"]) == ("out_of_area", "pay_then_reimburse")
    assert (r["deadline_from"], r["deadline_to"]) == (date(2022, 3, 15), date(2022, 12, 31))
    assert r["documents"] == ["医疗费票据原件", "医疗费用清单", "出院小结"]


def test_introduction_is_not_guidance():
    text = "三、停机期间业务办理指南\n停机期间,相关医保业务按以下方式办理:\n"
    assert guidance(text) == []


def test_traditional_wechat_guidance():
    text = "住院業務\n- ☛ **系統停機前可出院的** 出院當日在醫院完成醫保結算。\n"
    rows = guidance(text)
    assert [(r["category"], r["condition"], r["action"]) for r in rows] == [
        ("inpatient", "系统停机前可出院的", "settle_before")]


def test_rows_are_numbered_in_order():
    text = ("一、本地住院攻略\n1.停机期间参保人员如何办理入院?\n答：您可先行垫付费用，待新平台上线运行后再补办医保手续。\n"
            "2.停机期间参保人员如何办理出院?\n答：您可先行垫付费用，待新平台上线运行后到就诊医疗机构补办医保结算。\n")
    rows = guidance(text)
    assert [r["guidance_no"] for r in rows] == [1, 2]
    assert all(r["category"] == "inpatient" and r["action"] == "pay_then_settle_at_provider" for r in rows)
