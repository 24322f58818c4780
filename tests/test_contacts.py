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
