"""Contacts: one row per (organisation, phone number); numbers never invented."""

from __future__ import annotations

import pytest
from conftest import make_doc, rules_of

from pipeline.extract.contacts import extract_contacts

XIAN_TABLE = """附：西安市各区（县、开发区）医保部门咨询电话：
| 序号 | 行政区域 | 医疗保障局 | 医疗保障经办机构 |
|----|----------|--------------|--------------|
| 1 | 新城区 | 029-87424266 | 029-83290945 |
| 2 | 碑林区 | 029-89625533 | 029-89625685 |
"""

MERGED_TABLE = """| 序号 | 行政区域 | 单位 | 电话 |
|----|----|----|----|
| 14 | 西咸新区 | 空港新城医疗保障局 | 029-33636591 |
| | | 沣东新城医疗保障局 | 029-84501596 |
| | | 秦汉新城医疗保障局 | 029-38037736 |
"""


def contacts(text, city=None):
    return extract_contacts(make_doc(text), city)


def test_directory_table_rows():
    rows, repairs = contacts(XIAN_TABLE, "西安市")
    got = [(r["region"], r["organization"], r["phone_e164"], r["phone_status"]) for r in rows]
    assert got == [
        ("新城区", "新城区医疗保障局", "+862987424266", "ok"),
        ("新城区", "新城区医疗保障经办机构", "+862983290945", "ok"),
        ("碑林区", "碑林区医疗保障局", "+862989625533", "ok"),
        ("碑林区", "碑林区医疗保障经办机构", "+862989625685", "ok"),
    ]
    assert repairs == []


def test_directory_table_merged_rows_carry_region_down():
    rows, _ = contacts(MERGED_TABLE, "西安市")
    got = [(r["region"], r["organization"], r["phone_e164"]) for r in rows]
    assert got == [
        ("西咸新区", "空港新城医疗保障局", "+862933636591"),
        ("西咸新区", "沣东新城医疗保障局", "+862984501596"),
        ("西咸新区", "秦汉新城医疗保障局", "+862938037736"),
    ]


def test_table_phone_raw_kept_as_printed():
    rows, _ = contacts(XIAN_TABLE, "西安市")
    assert rows[0]["phone_raw"] == "029-87424266"


def test_name_phone_lines_under_heading_get_city_area_code():
    text = "医院医保办咨询电话：\n总院门诊 85324550\n总院住院 85323231\n"
    rows, repairs = contacts(text, "西安市")
    got = [(r["organization"], r["phone_raw"], r["phone_e164"], r["phone_status"]) for r in rows]
    assert got == [
        ("医院医保办 总院门诊", "85324550", "+862985324550", "area_code_inferred"),
        ("医院医保办 总院住院", "85323231", "+862985323231", "area_code_inferred"),
    ]
    assert rules_of(repairs) == ["area_code_from_city", "area_code_from_city"]


def test_first_number_on_the_heading_line_itself():
    text = "医院医保办咨询电话： 总院门诊 85324550\n东院门诊 86848358\n"
    rows, _ = contacts(text, "西安市")
    assert [(r["organization"], r["phone_e164"]) for r in rows] == [
        ("医院医保办 总院门诊", "+862985324550"),
        ("医院医保办 东院门诊", "+862986848358"),
    ]


def test_bare_number_without_city_is_damaged_not_guessed():
    rows, repairs = contacts("咨询电话：\n总院门诊 85324550\n", None)
    assert [(r["phone_raw"], r["phone_e164"], r["phone_status"]) for r in rows] == [("85324550", None, "damaged")]
    assert repairs and repairs[0]["repaired_value"] is None


def test_hotline_in_long_prose_is_short_number():
    rows, _ = contacts("如有其他疑问，可咨询我市12345热线，或在工作日咨询各区（县、开发区）医保部门。", "西安市")
    assert [(r["phone_raw"], r["phone_e164"], r["phone_status"]) for r in rows] == [("12345", None, "short_number")]


@pytest.mark.parametrize("text", ["如有疑问，可咨询我市12345热线。", "如有其他疑问，可咨询我市12345热线，或在工作日咨询各区医保部门。"])
def test_hotline_in_short_prose_is_short_number(text):
    rows, _ = contacts(text, "西安市")
    assert [(r["phone_raw"], r["phone_e164"], r["phone_status"]) for r in rows] == [("12345", None, "short_number")]


def test_hotline_with_area_code_is_short_number():
    rows, _ = contacts("政务服务便民热线：0531-12345", "济南市")
    assert [(r["phone_e164"], r["phone_status"]) for r in rows] == [(None, "short_number")]


def test_lost_digits_are_damaged_rows_with_no_number():
    text = "咨询电话(工作时间)\n萧山区:-\n余杭区:-\n临安区:-638-\n"
    rows, repairs = contacts(text, "杭州市")
    got = [(r["region"], r["phone_raw"], r["phone_e164"], r["phone_status"]) for r in rows]
    assert got == [
        ("萧山区", "-", None, "damaged"),
        ("余杭区", "-", None, "damaged"),
        ("临安区", "-638-", None, "damaged"),
    ]
    assert set(rules_of(repairs)) == {"digits_lost"}


def test_lost_digits_with_labels_in_value():
    rows, _ = contacts("咨询电话(工作时间)\n建德市:-(参保)-(待遇)\n", "杭州市")
    assert len(rows) == 1
    assert rows[0]["phone_e164"] is None and rows[0]["phone_status"] == "damaged"
    assert rows[0]["organization"] == "建德市"


def test_mobile_number():
    rows, _ = contacts("联系人：张老师，手机13912345678。", "洛阳市")
    assert [(r["phone_e164"], r["phone_status"]) for r in rows] == [("+8613912345678", "ok")]


def test_fullwidth_phone_number():
    rows, _ = contacts("咨询电话：０２９－８７４２４２６６", "西安市")
    assert [(r["phone_raw"], r["phone_e164"]) for r in rows] == [("029-87424266", "+862987424266")]


def test_area_code_in_parentheses():
    rows, _ = contacts("市医保中心咨询电话：(0571)85123456", "杭州市")
    assert [r["phone_e164"] for r in rows] == ["+8657185123456"]


def test_two_numbers_in_one_line():
    rows, _ = contacts("市医保中心咨询电话：0571-85123456、0571-85123457", "杭州市")
    assert [r["phone_e164"] for r in rows] == ["+8657185123456", "+8657185123457"]


def test_name_phone_lines_with_district_regions():
    text = "各区县医保经办机构咨询电话：\n萧山区 82345678\n余杭区 86223344\n"
    rows, _ = contacts(text, "杭州市")
    got = [(r["region"], r["phone_e164"], r["phone_status"]) for r in rows]
    assert got == [
        ("萧山区", "+8657182345678", "area_code_inferred"),
        ("余杭区", "+8657186223344", "area_code_inferred"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2022年3月11日24时起停机，2022-03-21起启用。",
        "门诊统筹支付限额为221.67元，共计12345678元。",
        "参保人员可于2022年3月15日至12月31日之间办理。",
    ],
)
def test_dates_and_amounts_are_not_contacts(text):
    rows, _ = contacts(text, "西安市")
    assert rows == []


def test_same_number_listed_twice_is_one_row():
    text = "咨询电话：029-87424266\n咨询电话：029-87424266\n"
    rows, _ = contacts(text, "西安市")
    assert len(rows) == 1


def test_status_agrees_with_number():
    text = XIAN_TABLE + "医院医保办咨询电话：\n总院门诊 85324550\n萧山区:-\n如有疑问可咨询12345热线。\n"
    rows, _ = contacts(text, "西安市")
    assert rows
    for r in rows:
        assert (r["phone_e164"] is not None) == (r["phone_status"] in ("ok", "area_code_inferred")), r
        if r["phone_e164"]:
            assert r["phone_e164"].startswith("+86") and "-" not in r["phone_e164"]


# --- issue 16: what leads a name is not part of it ---------------------------------------------

@pytest.mark.parametrize("heading", ["三、咨询电话", "（三）咨询电话", "3.咨询电话", "四、咨询电话："])
def test_numbered_heading_never_prefixes_the_organisation(heading):
    # the headings the issue quotes, over a directory line as the written corpus prints it
    rows, _ = contacts(f"{heading}\n长沙市医疗保障事务中心:0731-88665120\n省直医保经办窗口:0731-84891537\n", "长沙市")
    assert [r["organization"] for r in rows] == ["长沙市医疗保障事务中心", "省直医保经办窗口"]


@pytest.mark.parametrize("text, raw", [
    ("医保服务热线：12393", "12393"),  # the sentence: not "医保 12393热线"
    ("３．参保人员如有疑问，可拨打医保服务热线０３１０－１２３９３咨询。", "0310-12393"),
    ("如有疑问，可拨打12393医保服务热线咨询。", "12393"),
    ("医保服务热线  12393", "12393"),
])
def test_a_hotline_is_named_by_its_printed_name(text, raw):
    rows, _ = contacts(text, "邯郸市")
    assert [(r["organization"], r["phone_raw"], r["phone_status"]) for r in rows] == [("医保服务热线", raw, "short_number")]


def test_a_hotline_without_a_name_is_its_number():
    rows, _ = contacts("如系统切换时间有调整，将另行发布通告。咨询电话：12345。", "湛江市")
    assert [r["organization"] for r in rows] == ["12345热线"]


def test_the_words_offering_a_number_are_not_its_organisation():
    # qinhuangdao-2021-year-end-d004: nobody is named
    rows, _ = contacts("如有相关业务咨询,请拨打联系电话:5912333。", "秦皇岛市")
    assert [(r["organization"], r["phone_e164"]) for r in rows] == [(None, "+863355912333")]


def test_the_office_offered_before_a_phone_word_answers_it():
    # heyuan-2019-fund-c014
    rows, _ = contacts("以上事项,敬请相互转告。如有疑问,请联系我中心资金管理股,联系电话:0762-7824485,"
                       "公共服务中心窗口:0762-7889005。给您造成的不便,敬请谅解!", "河源市")
    assert [(r["organization"], r["phone_e164"]) for r in rows] == [
        ("我中心资金管理股", "+867627824485"), ("公共服务中心窗口", "+867627889005")]


def test_contact_person_label_and_trailing_comma_are_dropped():
    rows, _ = contacts("联系人：省医保局待遇保障处 李敏，电话：020-83129375", "广州市")
    assert [r["organization"] for r in rows] == ["省医保局待遇保障处 李敏"]


def test_a_second_number_joined_by_a_comma_keeps_the_first_ones_organisation():
    rows, _ = contacts("諮詢電話：市醫(yī)保中心 64152379、63186420", "昆明市")
    assert [(r["organization"], r["phone_e164"]) for r in rows] == [
        ("市医保中心", "+8687164152379"), ("市医保中心", "+8687163186420")]


@pytest.mark.parametrize("text, org", [
    ("三、", None), ("☎ 有疑问？拨打", None), ("单位", None), ("咨询电话：市医保服务中心", "市医保服务中心"),
    ("可拨打市医保服务中心电话", "市医保服务中心"), ("医保咨询服务中心", "医保咨询服务中心"),
])
def test_clean_org(text, org):
    from pipeline.extract.contacts import clean_org

    assert clean_org(text) == org
