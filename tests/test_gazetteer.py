"""Gazetteer: cities, short names and telephone area codes."""

from __future__ import annotations

import pytest

from pipeline.vocab.gazetteer import area_code_for_city, city_for_area_code, gazetteer, short_name


@pytest.mark.parametrize(
    "city, code",
    [("西安市", "29"), ("杭州市", "571"), ("北京市", "10"), ("兰州市", "931"), ("济南市", "531"),
     ("福州市", "591"), ("西安", "29"), ("宁波市", "574")],
)
def test_area_code_for_city(city, code):
    assert area_code_for_city(city) == code


def test_area_code_for_unknown_city_is_none():
    assert area_code_for_city("不存在市") is None


@pytest.mark.parametrize(
    "code, expected",
    [("531", ("济南市", "山东省")), ("0571", ("杭州市", "浙江省")), ("29", ("西安市", "陕西省")),
     ("931", ("兰州市", "甘肃省")), ("591", ("福州市", "福建省"))],
)
def test_city_for_area_code(code, expected):
    assert city_for_area_code(code) == expected


def test_city_for_unassigned_area_code_is_none():
    assert city_for_area_code("000") is None


@pytest.mark.parametrize(
    "name, short",
    [
        ("西安市", "西安"),
        ("恩施土家族苗族自治州", "恩施"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("广西壮族自治区", "广西"),
        ("陕西省", "陕西"),
        ("蓝田县", "蓝田"),
        ("新城区", "新城"),
        ("西安", "西安"),
    ],
)
def test_short_name(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize("name, short", [("浦东新区", "浦东"), ("西咸新区", "西咸")])
def test_short_name_new_district(name, short):
    assert short_name(name) == short


def test_gazetteer_city_and_province_levels():
    g = gazetteer()
    xian = [p for p in g.lookup("西安市") if p.level == "city"]
    assert xian and xian[0].province == "陕西省"
    assert any(p.level == "province" for p in g.lookup("陕西省"))


def test_gazetteer_municipality_is_city_and_province():
    levels = {p.level for p in gazetteer().lookup("北京市")}
    assert {"city", "province"} <= levels


def test_gazetteer_district_knows_its_city():
    places = [p for p in gazetteer().lookup("萧山区") if p.level == "district"]
    assert places and places[0].city == "杭州市" and places[0].province == "浙江省"


def test_gazetteer_province_direct_county_city_acts_as_city():
    assert any(p.level == "city" and p.province == "湖北省" for p in gazetteer().lookup("天门市"))


def test_area_code_file_is_what_the_installed_phonenumbers_says():
    """``vocab/data/area_codes.csv`` is phonenumbers' geocoder written out (so that no worker imports
    40 MB of geodata): after a phonenumbers upgrade this fails until the file is written again with
    ``python -m pipeline.vocab.gazetteer --write-area-codes``."""
    from pipeline.vocab.gazetteer import _area_codes, area_codes_from_phonenumbers

    fresh = area_codes_from_phonenumbers()
    assert list(_area_codes().items()) == list(fresh.items())  # the order too: first code of a city wins
