"""Pages that cover several places: place blocks, the scope they give, each window's place."""

from __future__ import annotations

import pytest

from pipeline.extract.places import assign_window_places, line_of, place_blocks, place_named, scope_of_blocks


@pytest.mark.parametrize("label, home, expected", [
    ("厦门市", None, ("厦门市", "福建省")),
    ("福州", None, ("福州市", "福建省")),  # a table row's short name (fujian-hospital-2018-year-end-table)
    ("广西", None, (None, "广西壮族自治区")),  # a province-level place has no city (unnamed-2023-outage-d014)
    ("四川", None, (None, "四川省")),
    ("北京", None, ("北京市", "北京市")),  # a municipality is both
    ("省本级", "福建省", (None, "福建省")),  # the province's own pool
    ("吉林", None, None),  # 吉林市 and 吉林省: neither
    ("停止时间", None, None),
    ("全市", None, None),
    ("新城区", None, None),  # districts lead a contact list, not a place block
])
def test_place_named(label, home, expected):
    assert place_named(label, home) == expected


D014 = ["职工医保年底停止结算的时间因地区和年度而异,具体如下:", "厦门市",
        "停止时间 :2023年12月31日21时至2024年1月3日21时", "说明 :全省医保服务系统统一关闭。", "苏州市",
        "停止时间 :2023年12月31日18:00至2024年1月1日6:00", "其他地区参考",
        "广西 :2023年12月31日20:00至2025年1月1日24:00暂停服务(需以最新通告为准)。",
        "建议 :由于当前时间为2025年5月,若需了解2024年底结算时间,请通过当地医保部门查询。"]


def test_heading_blocks_run_to_the_next_place_and_rows_are_their_own_line():
    blocks = place_blocks(D014)
    assert [(b.label, b.first, b.last, b.city, b.province) for b in blocks] == [
        ("厦门市", 1, 3, "厦门市", "福建省"),
        ("苏州市", 4, 6, "苏州市", "江苏省"),
        ("广西", 7, 7, None, "广西壮族自治区"),
    ]
    assert scope_of_blocks(blocks)[0] == "compilation"


def test_a_numbered_section_heading_closes_a_place_block():
    lines = ["一、厦门市", "2023年12月31日21时起暂停结算。", "二、注意事项", "2024年1月3日前请勿办理。"]
    assert [(b.first, b.last) for b in place_blocks(lines)] == [(0, 1)]


def test_a_place_led_line_without_a_date_is_no_block():
    # wuhai-2021-cutover's title line; a contact line of a province directory
    assert place_blocks(["乌海市 关于医保新旧信息系统切换期间暂停相关业务的通告", "福州 0591-87654321"]) == []


def test_places_of_one_province_make_a_province_scope():
    lines = ["省本级 2018.1.1~1.4", "福州 2018.1.1~1.5", "莆田 2018.1.1~1.3"]
    assert scope_of_blocks(place_blocks(lines, "福建省"))[0] == "province"
    assert scope_of_blocks(place_blocks(["福州 2018.1.1~1.5"], "福建省")) == (None, "")


def test_line_of_a_window_prefers_the_line_that_prints_its_start():
    lines = ["广西 :2023年12月31日20:00至2025年1月1日24:00暂停服务", "四川 :2025年4月25日22:00至26日8:00暂停联网结算"]
    assert line_of("四川 :2025年4月25日22:00至26日8:00暂停联网结算(与年底无关)。", "2025年4月25日22:00", lines) == 1
    assert line_of("nothing like it", None, lines) is None


def test_windows_outside_every_block_keep_the_notices_place():
    rows = [{"window_no": 1, "city": "西安市", "evidence": "2022年3月11日24时起停机", "start_text": "2022年3月11日24时"}]
    repairs = assign_window_places(rows, ["2022年3月11日24时起停机"], [], "西安市", "陕西省")
    assert (rows[0]["city"], rows[0]["province"], repairs) == ("西安市", "陕西省", [])
