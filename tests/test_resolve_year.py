"""Year resolution: every choice names the clue that decided; no clue, no year."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.repair.resolve_year import HolidayHint, YearClues, era_of, holiday_date, holiday_hints, url_date


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://hxnews.com/news/fj/mn/xm/202110/26/2027720.shtml", (2021, 10, 26)),
        ("https://www.tmwcn.com/html/news/7/202109/t244263.html", (2021, 9, None)),
        ("https://fj.cri.cn/chinanews/20181228/4739e23c-7863-1b89-c597-22238a5edfe5.html", (2018, 12, 28)),
        ("http://www.judyconway.com/content/2021-08/13/68_86737.html", (2021, 8, 13)),
        ("https://m12333.cn/policy/iacz.html", None),
        ("http://m.bbbaike.com/baike/techan/226479.html", None),
        ("https://www.shebaoonline.com/yiliaobaoxian/800895", None),
        ("http://www.gov.cn/zhengce/2022-02/05/content_123.htm", (2022, 2, 5)),
        (None, None),
        ("", None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected


@pytest.mark.parametrize(
    "name, year, expected",
    [("春节", 2022, date(2022, 2, 1)), ("春节", 2021, date(2021, 2, 12)), ("春节", 2018, date(2018, 2, 16)),
     ("中秋", 2021, date(2021, 9, 21)), ("端午", 2022, date(2022, 6, 3)), ("元宵", 2022, date(2022, 2, 15))],
)
def test_holiday_date(name, year, expected):
    assert holiday_date(name, year) == expected


def test_holiday_hints_from_spring_festival_sentence():
    hints = holiday_hints(["因受春节假期和停机影响,年2月1日至2月15日期间符合条件未能办理参保的人员,允许补办。"])
    assert len(hints) == 1
    h = hints[0]
    assert (h.name, h.first, h.last) == ("春节", (2, 1), (2, 15))
    assert h.fits(2022)  # 春节 2022 = 2月1日
    assert not h.fits(2023)  # 春节 2023 = 1月22日, far from 2月1日–15日


def test_holiday_hints_ignore_sentences_without_holiday():
    assert holiday_hints(["年2月1日至2月15日期间暂停办理。"]) == []


# --- event years -------------------------------------------------------------

def test_event_year_from_publication():
    c = YearClues(publication=date(2022, 2, 5), publication_text="signature")
    ch = c.choose_event_year(2, 6)
    assert (ch.year, ch.rule) == (2022, "year_from_publication")


def test_event_year_after_publication_crosses_new_year():
    # published late December: a 1月3日 event is in the next January
    assert YearClues(publication=date(2021, 12, 25)).choose_event_year(1, 3).year == 2022


def test_event_year_far_before_publication_goes_to_next_year():
    # published 2021-11-20: 1月1日 (more than a month before) must be 2022-01-01
    assert YearClues(publication=date(2021, 11, 20)).choose_event_year(1, 1).year == 2022


def test_event_year_publication_beats_url():
    c = YearClues(publication=date(2022, 2, 5), url_date=(2021, 1, 1), url="http://x/20210101/a.html")
    assert c.choose_event_year(2, 6).rule == "year_from_publication"


def test_event_year_from_url():
    c = YearClues(url_date=(2021, 10, 26), url="http://hxnews.com/news/202110/26/1.shtml")
    ch = c.choose_event_year(11, 1)
    assert (ch.year, ch.rule) == (2021, "year_from_url")
    assert c.choose_event_year(1, 5).year == 2022


def test_event_year_from_repost_stamp_is_an_upper_bound():
    c = YearClues(stamp=date(2022, 11, 25), stamp_text="TUhjnbcbe - 2022/11/25 22:29:00")
    ch = c.choose_event_year(2, 6)
    assert (ch.year, ch.rule) == (2022, "year_from_repost_stamp")
    # 12月31日 of 2022 lies more than 30 days after the stamp: the latest possible is 2021
    assert c.choose_event_year(12, 31).year == 2021


def test_event_year_weekday_filters_candidates():
    c = YearClues(stamp=date(2022, 11, 25), stamp_text="stamp")
    assert c.choose_event_year(2, 6, weekday=6).year == 2022  # 2022-02-06 is a Sunday
    assert c.choose_event_year(2, 6, weekday=5).year == 2021  # 2021-02-06 is a Saturday


def test_event_year_spring_festival_filters_candidates():
    hint = HolidayHint("春节", (2, 1), (2, 15), "因受春节假期…年2月1日至2月15日期间")
    c = YearClues(stamp=date(2023, 6, 1), stamp_text="stamp", holidays=[hint])
    # 2023 is the latest year under the stamp, but 春节 2023 (1月22日) is not near 2月1日–15日
    assert c.choose_event_year(2, 6).year == 2022


def test_event_year_without_any_clue_is_none():
    assert YearClues().choose_event_year(2, 6) is None


def test_event_year_from_years_printed_elsewhere():
    ch = YearClues(printed_years=[2021, 2021]).choose_event_year(8, 15)
    assert (ch.year, ch.rule) == (2021, "year_from_document")


# --- publication years -------------------------------------------------------

def test_publication_year_from_url_with_same_day():
    c = YearClues(url_date=(2021, 10, 26), url="http://hxnews.com/news/202110/26/1.shtml")
    ch = c.choose_publication_year(10, 26)
    assert (ch.year, ch.rule) == (2021, "year_from_url")


def test_publication_year_from_stamp():
    c = YearClues(stamp=date(2022, 11, 25), stamp_text="TUhjnbcbe - 2022/11/25 22:29:00")
    assert c.choose_publication_year(2, 5).year == 2022


def test_publication_year_from_stamp_and_weekday():
    c = YearClues(stamp=date(2022, 11, 25), stamp_text="stamp")
    ch = c.choose_publication_year(2, 5, weekday=5)  # 2022-02-05 is a Saturday
    assert (ch.year, ch.rule) == (2022, "year_from_weekday")


def test_publication_year_before_first_event():
    ch = YearClues().choose_publication_year(12, 28, first_event=date(2019, 1, 1))
    assert ch.year == 2018


def test_publication_year_without_clue_is_none():
    assert YearClues().choose_publication_year(2, 5) is None
    assert YearClues().choose_publication_year(2, 5, weekday=5) is None


def test_a_page_dated_weeks_after_the_notice_still_gives_the_notices_year():
    # a repost's page date (2022-02-10) after a year-end stop: the nearest year, not the next one
    clues = YearClues(publication=date(2022, 2, 10), publication_text="发布时间 2022-02-10")
    assert clues.choose_event_year(12, 31).year == 2021
    assert clues.choose_event_year(3, 1).year == 2022  # what comes next is after the page date


# --- years from weekdays and the era (issue 20 item 4) --------------------------

def test_era_of_a_cutover_onto_the_platform_is_its_rollout():
    # zhongshan-2020-cutover-forum: the move onto the provincial instance of the national platform
    era = era_of("按照广东省医疗保障信息平台中山市上线工作统一安排和部署,将于年12月28日将原中山市医保经办使用的信息系统"
                 "迁移到广东省医疗保障信息平台,期间,全市医疗保险经办机构暂停医保信息系统的对外服务。")
    assert era is not None and era[:2] == (2020, 2023)
    assert "医疗保障信息平台" in era[2] and "2020" in era[2]


def test_era_words_without_a_cutover_bound_from_below_only():
    # a year-end notice that names the platform without moving onto it (nanping-2023-year-end-c001)
    era = era_of("2023年12月31日21:00至2024年1月4日6:00医保信息平台将关闭。请使用医保电子凭证。")
    assert era is not None and era[0] == 2019 and era[1] == 2100


def test_every_era_marker_names_its_source():
    import csv
    from importlib import resources

    rows = list(csv.DictReader(resources.files("pipeline.vocab").joinpath("data/era_markers.csv")
                               .read_text(encoding="utf-8").splitlines()))
    assert rows and all(r["source"].strip() and r["why"].strip() and int(r["from_year"]) >= 2000 for r in rows)


def test_a_stripped_weekday_pair_and_the_era_leave_one_year():
    # zhongshan-2020-cutover-forum: 12月28日 is a Monday and 1月1日 a Friday in 2009/10, 2015/16, 2020/21
    # and 2026/27; only 2020 lies in the platform's rollout
    era = era_of("将于年12月28日将原中山市医保经办使用的信息系统迁移到广东省医疗保障信息平台")
    clues = YearClues(weekdays=[(12, 28, 0), (1, 1, 4)], era=era)
    ch = clues.choose_event_year(12, 28, 0)
    assert (ch.year, ch.rule) == (2020, "year_from_weekday_and_era")
    assert "星期一" in ch.evidence and "医疗保障信息平台" in ch.evidence


def test_weekdays_without_an_upper_bound_give_no_year():
    # 医保电子凭证 only says "2019 or later": 2020 and 2026 both fit, so nothing is chosen
    clues = YearClues(weekdays=[(12, 28, 0), (1, 1, 4)], era=era_of("可使用医保电子凭证就医"))
    assert clues.choose_event_year(12, 28, 0) is None
