"""Phone numbers: classification and E.164 form; nothing is ever invented."""

from __future__ import annotations

import pytest

from pipeline.extract.phones import classify, find_phones


@pytest.mark.parametrize(
    "raw, city, kind, status, e164",
    [
        ("029-87424266", "西安市", "area", "ok", "+862987424266"),
        ("029-87424266", None, "area", "ok", "+862987424266"),  # printed area code: city not needed
        ("(0571)85123456", "杭州市", "area", "ok", "+8657185123456"),
        ("0931-8881234", None, "area", "ok", "+869318881234"),
        ("010-12345678", None, "area", "ok", "+861012345678"),
        ("85324550", "西安市", "bare", "area_code_inferred", "+862985324550"),
        ("86848358", "西安", "bare", "area_code_inferred", "+862986848358"),  # short city name
        ("85324550", None, "bare", "damaged", None),  # no city: never guessed
        ("12345", "西安市", "short", "short_number", None),
        ("12393", None, "short", "short_number", None),
        ("0571-12345", "杭州市", "area", "short_number", None),
        ("13812345678", None, "mobile", "ok", "+8613812345678"),
    ],
)
def test_classify(raw, city, kind, status, e164):
    p = classify(raw, city, kind)
    assert (p.status, p.e164) == (status, e164)
    assert p.raw == raw


def test_classify_inferred_area_is_reported():
    assert classify("85324550", "西安市", "bare").inferred_area == "29"


def _found(text, city=None, context=True):
    return [(text[a:b], p.status, p.e164) for a, b, p in find_phones(text, city, context)]


def test_find_phones_area_code_number():
    assert _found("咨询电话：029-87424266") == [("029-87424266", "ok", "+862987424266")]


def test_find_phones_two_numbers_in_a_line():
    got = _found("市医保中心：0571-85123456、0571-85123457", "杭州市")
    assert [g[2] for g in got] == ["+8657185123456", "+8657185123457"]


def test_find_phones_bare_number_needs_contact_context():
    assert _found("总院门诊 85324550", "西安市", context=False) == []
    assert _found("总院门诊 85324550", "西安市", context=True) == [("85324550", "area_code_inferred", "+862985324550")]


@pytest.mark.parametrize(
    "text",
    [
        "2022-03-01起停机",
        "2022/11/25 22:29:00",
        "补助标准为221.67元",
        "共计12345678元",
        "2021年12月20日",
        "参保人数20220101人",
    ],
)
def test_find_phones_ignores_dates_and_amounts(text):
    assert _found(text, "西安市", context=False) == []


def test_find_phones_hotline_in_prose():
    assert _found("如有疑问，可咨询我市12345热线。", "西安市") == [("12345", "short_number", None)]


def test_find_phones_mobile_in_prose():
    assert _found("联系人：张老师，手机13912345678。") == [("13912345678", "ok", "+8613912345678")]


def test_find_phones_fullwidth_already_normalised_is_found():
    # find_phones sees normalised text; full-width digits become ASCII in normalize_line
    from pipeline.read.normalize import normalize_line

    assert _found(normalize_line("电话：０２９－８７４２４２６６")) == [("029-87424266", "ok", "+862987424266")]


def test_find_phones_lost_digits_give_nothing():
    assert _found("萧山区:-", "杭州市") == []
    assert _found("临安区:-638-", "杭州市") == []
