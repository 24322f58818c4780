"""Guidance: one row per instruction for a situation (category, action, deadline, documents).

The (category, action) pairs come from the fitted classifier (pipeline/extract/guidance/classifier.py;
its own tests: tests/test_guidance_model.py). Here: the units and rows around it, the details step,
the classifier's pairs on real sentences whose label is clear, and each row's confidence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import make_doc

from pipeline.extract.guidance import deadlines_of, documents_of, extract_guidance, place_of, read_rows
from pipeline.extract.guidance.classifier import Pair, shipped_model
from pipeline.extract.guidance.units import Unit, units_of
from pipeline.repair.resolve_year import YearClues

PUB = YearClues(publication=date(2022, 2, 5), publication_text="signature 年2月5日")
Y2021 = YearClues(publication=date(2021, 8, 13))


def guidance(text, clues=None):
    return extract_guidance(list(make_doc(text).lines), clues or YearClues())


def pairs(rows):
    return sorted({(r["category"], r["action"]) for r in rows})


# --- details: by when, what to bring, where -----------------------------------------------------


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
    assert dtext == "新系统上线后7个工作日内"  # the event counted from, as printed


def test_deadline_without_year_evidence_is_not_guessed():
    assert deadlines_of("参保人员可于年3月15日至12月31日之间办理。", YearClues())[:2] == (None, None)


def test_stop_range_is_not_a_deadline():
    text = "实时结算停机期间(2022年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。"
    assert deadlines_of(text, YearClues())[:2] == (None, None)


@pytest.mark.parametrize(
    "text, deadline_text, documents, place",
    [
        # issue 21's example: both the deadline and what to bring were lost
        ("系统恢复后3个月内凭发票、病历等材料到参保地医保经办机构报销", "系统恢复后3个月内", ["医疗收费票据", "病历资料"], "agency"),
        # xinxiang-2021-cutover
        ("需先自费办理住院,待服务恢复后7个工作日内,联系参保地医保经办机构或转出医疗机构办理异地就医备案手续",
         "服务恢复后7个工作日内", [], "provider"),
        # shaoxing-undated-outage-a012 and shaoxing-2020-hospital-d002 ("…后的30个工作日内")
        ("就医完毕后,先由本人全额自费,待系统上线后的30个工作日内,由参保地医保经办机构根据医保*策将报销金额直接发放至您的社保(市民)卡"
         "银行账户,并短信告知。", "系统上线后的30个工作日内", ["社会保障卡"], "agency"),
        ("以上参保人员如涉及有惠民医疗待遇的,由惠民对象本人先全额垫付,自年2月15日至28日,凭本人身份证、社保(市民)卡及就诊发票原件"
         "(代办需提供代办人身份证原件),医院进行惠民医疗优惠金额的现金报销。", None, ["居民身份证", "社会保障卡", "医疗收费票据"], "provider"),
        # wenzhou-2022-hospital-a006
        ("异地参保人:凭发票等相关材料回参保地报销。", None, ["医疗收费票据", "相关材料"], "agency"),
    ],
)
def test_details_of_real_instructions(text, deadline_text, documents, place):
    assert deadlines_of(text, YearClues())[2] == deadline_text
    assert documents_of(text) == documents
    assert place_of(text) == place


# --- units and rows -------------------------------------------------------------------------------


def _unit(text: str, paragraph: int, context: str = "", heading: str = "") -> Unit:
    return Unit(text, context, None, context or None, paragraph, False, heading)


def test_a_pair_stated_over_two_sentences_of_a_paragraph_is_one_row():
    # xian-2022-cutover-notice-and-guide: "pay now", then the later step in the next sentence
    first = _unit("实时结算停机期间(年2月10日0时至2月15日0时)门诊费用需参保人员全额垫付。", 1, heading="门诊")
    second = _unit("参保人员可于年3月15日至12月31日之间,携带医疗费票据原件(含电子票据)到所就诊的定点医疗机构按规定重新进行医保结算。",
                   1, heading="门诊")
    pair = Pair("outpatient", "pay_then_settle_at_provider", 0.7, 0.8)
    rows = read_rows([first, second], [[pair], [replace(pair, p_category=0.9, p_action=0.95)]], [], (), PUB)
    assert len(rows) == 1
    r = rows[0]
    assert r["evidence"] == first.text + second.text
    assert (r["deadline_from"], r["deadline_to"]) == (date(2022, 3, 15), date(2022, 12, 31))  # read from the second
    assert r["documents"] == ["医疗费票据原件", "电子票据"] and r["place"] == "provider"
    assert r["_how"]["probability"] == 0.9  # the more probable of the two
    # the same pair in another paragraph is another instruction
    third = replace(second, paragraph=2)
    assert len(read_rows([first, third], [[pair], [pair]], [], (), PUB)) == 2


def test_a_notice_with_no_pair_but_a_stop_gets_the_general_row():
    # ankang-2018-fund-c003 (LABELING.md: a notice that only says business stops)
    stop = "7月2日至7月3日,市住房公积金管理中心各管理部及三局工作站将暂停办理住房公积金提取、销户、转移、并户、贷款等业务"
    rows = read_rows([_unit("7月4日起恢复正常。", 1)], [[]], [], (stop,), YearClues())
    assert pairs(rows) == [("other", "suspended")] and rows[0]["evidence"] == stop
    assert read_rows([_unit("7月4日起恢复正常。", 1)], [[]], [], (), YearClues()) == []  # no stop: nothing to say


def test_the_stop_itself_when_nothing_else_is_said():
    # wenzhou-2025-fund-d001: the one stop sentence opens with its purpose (为做好…)
    text = ("为做好2025年度住房公积金结息工作,温州市住房公积金管理中心及各分支机构将于2025年7月1日(星期二)暂停办理各类公积金业务,"
            "其中线上业务从6月30日(星期一)下午4:00开始停止受理,2025年7月2日(星期三)恢复正常办理。")
    assert guidance(text) == []  # nothing the classifier reads as an instruction…
    rows = extract_guidance(list(make_doc(text).lines), YearClues(), stop_sentences=(text,))
    assert pairs(rows) == [("other", "suspended")]  # …but the windows step read a stop from it
    assert (rows[0]["confidence"], rows[0]["confidence_reasons"]) == ("medium", ["general_statement"])


def test_qa_answer_is_one_row_with_the_question_as_its_condition():
    text = ("二、门诊慢性病攻略\n3.停机期间门诊慢性病患者如何购药?\n"
            "答：停机前，您可依据病情提前到医药机构开具三个月用药量，确保日常用药不间断。\n")
    rows = guidance(text)
    assert [(r["category"], r["action"], r["condition"], r["guidance_no"]) for r in rows] == [
        ("chronic_special", "stock_up_medicine", "停机期间门诊慢性病患者如何购药?", 1)]


def test_bullets_give_their_condition_and_scheme_and_traditional_text_reads_the_same():
    text = ("住院业务\n原省直职工医保\n"
            "- ☛ **系统停机前可出院的** 出院当日在医院完成医保结算。\n"
            "- ☛ **系统停机前不具备出院条件的及停机期间新入院的** 医疗费用由个人先行垫付，待新平台上线运行后，"
            "补办医保入院登记及出院结算。\n")
    rows = guidance(text)
    assert {r["scheme"] for r in rows} == {"原省直职工医保"}
    got = {(r["condition"], r["category"], r["action"]) for r in rows}
    assert ("系统停机前可出院的", "inpatient", "settle_before") in got
    assert ("系统停机前不具备出院条件的及停机期间新入院的", "inpatient", "pay_then_settle_at_provider") in got
    assert [r["guidance_no"] for r in rows] == list(range(1, len(rows) + 1))
    traditional = ("住院業務\n原省直職工醫保\n- ☛ **系統停機前可出院的** 出院當日在醫院完成醫保結算。\n"
                   "- ☛ **系統停機前不具備出院條件的及停機期間新入院的** 醫療費用由個人先行墊付，待新平台上線運行後，補辦醫保入院登記及出院結算。\n")
    assert [(r["condition"], r["category"], r["action"]) for r in guidance(traditional)] == \
        [(r["condition"], r["category"], r["action"]) for r in rows]


def test_an_introduction_gives_no_row():
    text = "三、停机期间业务办理指南\n停机期间,相关医保业务按以下方式办理:\n"
    assert [u.heading for u in units_of(list(make_doc(text).lines))[0]] == ["停机期间业务办理指南"]  # a unit…
    assert guidance(text) == []  # …that the classifier reads as no instruction


def test_a_label_inside_a_line_is_the_heading_of_what_follows():
    # shaoxing-undated-outage-a012: "(二)市外住院" ends the line before the out-of-area instruction
    text = ("住院(一)本市住院\n停机期间住院的,我市参保人员须使用社保(市民)卡办理住院;停机期间我市参保病人办理出院的,可先做出院挂账处理,"
            "待医医院办理刷卡结算手续。(二)市外住院\n停医院住院费用,参保人员可随带就医发票(原件)、医疗费用清单、出院小结、本人社保"
            "(市民)卡等相关资料,到参保地医保经办窗口报销;")
    units = units_of(list(make_doc(text).lines))[0]
    assert units[-1].heading == "市外住院"
    assert {("inpatient", "pay_then_settle_at_provider"), ("out_of_area", "pay_then_reimburse")} <= set(pairs(guidance(text)))


# --- the classifier on real sentences whose label is clear -----------------------------------------
# Each sentence is copied from a real notice (tests/real/split.csv), the pairs from its label
# (tests/real/shared_gold). The shipped model gives each of them (and may give more: on unseen
# notices about 70 % of its pairs are right, docs/extraction.md). A retrained model that loses one
# fails here; whoever retrains decides whether the loss is worth the gain the cross-validation shows.


@pytest.mark.parametrize(
    "text, expected",
    [
        # xiamen-2021-cutover-news
        ("在异地就医的我市参保人,请先行垫付医疗费用,待我市医保经办业务恢复后,持医保卡或医保电子凭证、有效医疗收费票据、费用汇总清单、门诊病历、"
         "出院小结或诊断证明、参保人银行卡,到医保经办窗口办理报销。", [("out_of_area", "pay_then_reimburse")]),
        ("需住院的参保人,请先办理自费入院手续,待新平台上线后再补办医保入院手续。", [("inpatient", "pay_then_settle_at_provider")]),
        # ningde-2024-year-end-a007
        ("2024年度未直接结算的医疗费用原则上应在2025年3月31日前办理手工报销。", [("reimbursement", "pay_then_reimburse")]),
        # suzhou-2021-cutover: three situations listed together
        ("请参保人员提前做好就医购药安排,确需在暂停联网结算期间就医购药或办理出入院的,相关费用由参保人员先行垫付,在联网结算恢复后,"
         "持垫付票据在2022年3月31日前至原就医购药的定点单位办理退费,重新刷卡/扫码结算。",
         [("inpatient", "pay_then_settle_at_provider"), ("outpatient", "pay_then_settle_at_provider"),
          ("pharmacy", "pay_then_settle_at_provider")]),
        # tianmen-2021-cutover
        ("2.2021年9月30日18:00前达到出院条件的参保患者,在医保核心业务系统中办理医保结算业务。", [("inpatient", "settle_before")]),
        # shijiazhuang-2021-outage-a002: two alternatives
        ("异地就医手续办理\n(二)异地就医出院。参保人员市域外就医,如需要在停机期间办理出院结算的,参保人可向定点医疗机构申请系统恢复后进行补结算,"
         "或由参保人全额垫付医疗费后回参保地医保经办机构进行报销。",
         [("out_of_area", "pay_then_reimburse"), ("out_of_area", "pay_then_settle_at_provider")]),
        ("(一)异地就医入院。停机期间,无法通过平台备案的,可直接去异地办理住院手续,可在系统恢复后补办异地就医备案和入院登记手续。",
         [("out_of_area", "deemed_approved")]),
        # lanzhou-2021-cutover: a deadline despite the purpose in front
        ("为了确保医疗保险待遇不受影响,请各参保单位、缴费人于8月20日20:00之前完成医疗保险缴费工作。", [("enrollment_payment", "settle_before")]),
        # xian-2022-cutover-notice-and-guide
        ("门诊业务\n系统停机期间，暂停省医保所有门诊业务。门诊特检特治、门诊慢性病、门诊特殊病、门诊特药等属于医保基金支付的医药费用由个人"
         "先行垫付，待新平台上线后，在就诊医疗机构补办医保结算。", [("chronic_special", "pay_then_settle_at_provider")]),
        ("三、停机期间业务办理指南\n(四)转外就医\n业务经办停机期间(年2月6日0时至2月15日0时),参保人员需去市外定点医疗机构就诊的,"
         "视作已规范办理备案手续,享受相应的医保待遇。", [("out_of_area", "deemed_approved")]),
        # unnamed-undated-cutover, henan-2021-outage-b004: pay in full / no card payment, two situations
        ("(一)个人账户使用。系统停机期间,将暂停我市城镇职工参保人员医保个人账户刷卡就医、购药功能,参保人员在定点零售药店购药"
         "和定点医疗机构门诊就医需全额现金结付。", [("outpatient", "suspended"), ("pharmacy", "suspended")]),
        ("门诊就医、药店购药\n暂停服务期间,参保人员在定点医疗机构门诊就医、定点药店购药无法刷卡结算。",
         [("outpatient", "suspended"), ("pharmacy", "suspended")]),
        ("(二)特殊药品结算。系统停机期间,我市参保群众已经取得使用单行支付药品和高值药品报销资格的患者到供药机构购药的需全额现金结付。",
         [("chronic_special", "suspended")]),
        # medicine before the stop: unnamed-2024-outage, unnamed-2025-outage-b009, chengdu-2021-cutover-b002's headline
        ("此外,对于特殊药品和慢性病患者,务必根据自身实际情况,提前备药,以保证连续的医疗供应。", [("chronic_special", "stock_up_medicine")]),
        ("(一)在停机前,参保人员可根据实际情况,酌情提前备药。", [("chronic_special", "stock_up_medicine")]),
        ("成都医保系统停机切换持续9天 “门特”患者、“两病”患者请在停机前购药结算", [("chronic_special", "stock_up_medicine")]),
        # late but counted: tianjin-2022-social-security, heyuan-2019-fund-c014, shenzhen-2023-social-security-c011
        ("3月28日至31日完成缴纳3月份社保费的,不加收滞纳金,职工的各项社会保险权益及积分落户、小客车摇号等均不受影响。",
         [("enrollment_payment", "deemed_approved")]),
        ("二、自2019年1月12日至2月19日,暂停我县公积金贷款扣款还贷业务(若1月12日及以后银行发生扣款还贷业务的,自行将暂时退回职工)。"
         "在此期间内不计算个人逾期罚息,不影响个人信用记录,河源市公积金中心将于系统上线后恢复扣款还贷,并对停办业务期间未划扣的公积金"
         "贷款本息进行补扣。", [("other", "deemed_approved")]),
        ("对于2023年4月24日至4月30日期间急需办理参保登记业务的个人,市人力资源保障局各社保大厅提供业务咨询及手工收件服务。",
         [("enrollment_payment", "deemed_approved")]),
        ("温馨提醒:\n停机期间未及时受理的社会保险待遇类业务,系统恢复后优先受理,不影响个人权益;", [("referral_filing", "deemed_approved")]),
        # suzhou-2018-fund-b015: business as usual; heyuan-2019-fund-c014: housing-fund members before a date
        ("系统升级期间还可办哪些业务?\n公积金各分中心服务大厅照常上班,提供对外咨询查询服务。"
         "苏州公积金微信、支付宝城市服务公积金查询、12329热线、缴存单位“云服务”平台继续对外提供查询服务。", [("other", "unaffected")]),
        ("三、我县缴存职工按规定可以在2019年2月19日办理偿还购房贷款本息的职工,可提前至2019年1月11日前办理住房公积金提取业务。",
         [("other", "settle_before")]),
        # a bill refunded and settled again at the hospital (shenzhen-2023-social-security-c011, shenzhen-2012-hospital-d003)
        ("上述符合参保条件的参保人在2023年5月发生的医疗费用,待完成补缴2023年4月的医保费后,由各定点医药机构办理退费补记账手续。",
         [("outpatient", "pay_then_settle_at_provider")]),
        ("为此,龙华分院还在窗口贴出提示,患者可先用现金缴费,10个工作日内可凭发票退还现金。", [("outpatient", "pay_then_settle_at_provider")]),
        # zhoushan-2025-year-end-d009
        ("2026年该时段生育的女职工(不含灵活就业)生育津贴申领延迟开放(包括无感办和依申请办理),待用人单位完成年度申报缴费并确认到账后自动开放。",
         [("referral_filing", "suspended")]),
        # neimenggu-2021-cutover, xinxiang-2021-cutover: a late filing beside a bill
        ("停机期间,本级参保人员如果有转往区外就医的,无需备案,费用由本人先行垫付,出院后到医保政务服务窗口补办备案手续,手工报销。",
         [("out_of_area", "deemed_approved"), ("out_of_area", "pay_then_reimburse")]),
        ("2.暂停服务期间,参保人员需转往市外异地就医直接结算定点医疗机构就医的,需先自费办理住院,待服务恢复后7个工作日内,联系参保地医保"
         "经办机构或转出医疗机构办理异地就医备案手续,出院时在就诊医疗机构直接办理出院报销手续。",
         [("out_of_area", "deemed_approved"), ("out_of_area", "pay_then_reimburse")]),
        # guangzhou-2021-hospital: a fallback of a workaround; 补记账 at the hospital; 门特
        ("一、暂停服务期间业务办理指引:\n(一)参保人可先行全额垫付相关费用,待系统恢复后再回院补办结算手续。如确实无法补办结算手续的,"
         "可在收费处按要求办理医疗费用零星报销。",
         [("outpatient", "pay_then_reimburse"), ("outpatient", "pay_then_settle_at_provider")]),
        ("二、补记账指引:\n(二)住院补记账需符合以下条件:\n1.持医院开具的收费票据原件;\n2.必须当月办理,跨月无效;\n"
         "3.补记账业务后续未发生任何费用;\n4.持补记账指引单。", [("inpatient", "pay_then_settle_at_provider")]),
        ("二、补记账指引:\n(一)门诊及门特补记账需符合以下条件 :\n1.持医院开具的收费票据原件;\n3.补记账业务后续未发生任何费用 ;",
         [("chronic_special", "pay_then_settle_at_provider"), ("outpatient", "pay_then_settle_at_provider")]),
        # qinhuangdao-2021-year-end-d004 (LABELING log 5g: three pairs); jinchang-2021-cutover-traditional
        ("停机期间,各定点医药机构停止医保实时结算,参保人员在定点医药机构发生的门诊、住院、购药等费用先行垫付,待系统开机恢复运行后"
         "补划卡进行医保费用结算。", [("inpatient", "pay_then_settle_at_provider"), ("outpatient", "pay_then_settle_at_provider"),
                                     ("pharmacy", "pay_then_settle_at_provider")]),
        ("门诊慢特病\n在系统切换期间必须就医购药的,先由个人全额自付,待新系统上线后凭有效发票按相关政策规定进行报销。",
         [("chronic_special", "pay_then_reimburse")]),
        ("异地住院\n参保人个人全额自付医疗费用,出院后,持相关票据到参保地医保经办机构报销。", [("out_of_area", "pay_then_reimburse")]),
    ],
)
def test_the_classifier_gives_the_labelled_pairs_of_real_sentences(text, expected):
    assert set(expected) <= set(pairs(guidance(text)))


@pytest.mark.parametrize(
    "text",
    [
        "3月21日0时,各项业务服务全面恢复正常。",  # jinan-2022-social-security-traditional
        "据了解,当天上午11时30分,电脑恢复正常后,工作人员开始给患者挂号。",  # shenzhen-2012-hospital-d003
        "由于技术人员还没找出故障原因,李晓萍说,系统今天能否恢复正常还不好说。",  # unnamed-2007-hospital-a014
        # before OR after the switch is advice on timing, not labelled (jinchang-2021-cutover-traditional)
        "门诊慢特病\n办理了门诊特殊疾病的参保人,尽可能在系统切换前或新系统上线后到定点医疗机构就医购药。",
        # a description of the stop schedule under its heading: its label has no pair here (shenzhen-2023-social-security-c011)
        "2、医保待遇类业务\n2023年4月24日0时至5月8日9时本市参保人、参保单位无法通过网上服务或自助服务渠道办理医保待遇登记类、"
        "医保待遇核准发放类业务。",
    ],
)
def test_what_is_no_instruction_gives_no_row(text):
    assert guidance(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # nanping-2023-year-end-c001: a poster line; LABELING.md reads places that stop as the general statement. The
        # classifier finds no instruction (a notice that says nothing more still gets the general row from its stops)
        ("药店和医院均无法使用", [("other", "suspended")]),
        # unnamed-2024-outage: a question inside a paragraph; the label has the general statement, the classifier reads
        # the chronic patients the question names
        ("这一决定无疑让不少人感到忧心,尤其是依赖医保进行就医的患者。比如,如果你正在接受慢性病治疗,停机期间的就医和药品购买"
         "将面临怎样的困扰?在很多情况下,医保服务的暂停意味着医院和药店无法进行医保结算,这可能给你的健康造成不便。", [("other", "suspended")]),
        # wenzhou-2022-hospital-a006: the classifier gives inpatient and a contribution, not the outpatient costs
        ("智慧医保系统暂不支持2022年3月4日之前门诊和住院费用的退费操作。对于医保已缴费确需退费的,请在2022年3月3日前来我院办理退费手续。",
         [("inpatient", "settle_before"), ("outpatient", "settle_before")]),
    ],
)
@pytest.mark.xfail(strict=True, reason="known misses of the shipped model (docs/extraction.md); a model that gets them passes")
def test_known_misses_of_the_classifier(text, expected):
    assert set(expected) <= set(pairs(guidance(text)))


def test_details_stay_with_the_classifiers_rows():
    # xiamen-2021-cutover-news: documents and the agency's window; ningde: the deadline; suzhou: deadline and place
    rows = guidance("在异地就医的我市参保人,请先行垫付医疗费用,待我市医保经办业务恢复后,持医保卡或医保电子凭证、有效医疗收费票据、"
                    "费用汇总清单、门诊病历、出院小结或诊断证明、参保人银行卡,到医保经办窗口办理报销。")
    r = next(r for r in rows if (r["category"], r["action"]) == ("out_of_area", "pay_then_reimburse"))
    assert r["place"] == "agency"
    assert r["documents"] == ["医保卡", "医保电子凭证", "医疗收费票据", "医疗费用清单", "门诊病历", "出院小结", "诊断证明", "银行卡"]
    rows = guidance("2024年度未直接结算的医疗费用原则上应在2025年3月31日前办理手工报销。")
    assert {r["deadline_to"] for r in rows} == {date(2025, 3, 31)}
    rows = guidance("为了确保医疗保险待遇不受影响,请各参保单位、缴费人于8月20日20:00之前完成医疗保险缴费工作。", Y2021)
    r = next(r for r in rows if (r["category"], r["action"]) == ("enrollment_payment", "settle_before"))
    assert r["deadline_to"] == date(2021, 8, 20)


# --- how sure each guidance row is (pipeline/repair/confidence.py: guidance_confidence) ------------


def _levels(text):
    return {(r["category"], r["action"]): (r["confidence"], r["confidence_reasons"]) for r in guidance(text)}


def test_a_probable_pair_whose_situation_the_instruction_names_is_high():
    # xiamen-2021-cutover-news
    got = _levels("需住院的参保人,请先办理自费入院手续,待新平台上线后再补办医保入院手续。")
    assert got[("inpatient", "pay_then_settle_at_provider")] == ("high", ["pair_probable", "situation_stated"])


def test_a_situation_from_the_heading_alone_is_not_high():
    # jinchang-2021-cutover-traditional: the sentence names no situation, "异地住院" above it does
    level, reasons = _levels("异地住院\n参保人个人全额自付医疗费用,出院后,持相关票据到参保地医保经办机构报销。")[
        ("out_of_area", "pay_then_reimburse")]
    assert level == "medium" and "situation_from_heading" in reasons


def test_an_instruction_that_also_states_a_stop_is_not_high():
    # shijiazhuang-2021-outage-a002: the row reads the workaround; the stop in the same sentence could be the message
    level, reasons = _levels("(二)住院治疗人员,系统切换期间暂停医保结算,待系统切换完成后定点医疗机构补录结算。")[
        ("inpatient", "pay_then_settle_at_provider")]
    assert level == "medium" and reasons[-1] == "stop_in_unit"


def test_a_situation_nobody_names_is_low():
    # shenzhen-2012-hospital-d003: right (its label is outpatient), but read from no word that names it
    level, reasons = _levels("为此,龙华分院还在窗口贴出提示,患者可先用现金缴费,10个工作日内可凭发票退还现金。")[
        ("outpatient", "pay_then_settle_at_provider")]
    assert level == "low" and "situation_not_named" in reasons


def test_the_levels_follow_the_models_cut_offs():
    text = "需住院的参保人,请先办理自费入院手续,待新平台上线后再补办医保入院手续。"
    model = shipped_model()
    strict = replace(model, meta={**model.meta, "confidence_cutoffs": {"high": 1.0, "low": 0.999}})
    rows = extract_guidance(list(make_doc(text).lines), YearClues(), model=strict)
    assert rows and all(r["confidence"] == "low" and r["confidence_reasons"][0] == "pair_improbable" for r in rows)
