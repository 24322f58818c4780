"""Table-driven tests of the Chinese date-time grammar (:mod:`pipeline.extract.timeexpr`).

Every expected value below was derived by hand from the conventions of the notices (see
``tests/corpus/README.md``), never copied from the grammar's output:

- a date-only start is 00:00 of that day;
- ``24时`` (``24:00``) of a day is 00:00 of the next day;
- a date-only range end (``1月1日至2日``) is 00:00 of the day after (``end_of_day_for_date_only``);
- an end printed without a year takes the start's year and rolls over at New Year;
- a start printed without a year gets it from the ``year_guess`` callable (here a fixed year);
- 今天/今晚/明日/后天 count from the publication date, 次日/翌日/当日 from the range start;
- a bare time earlier than the start (``今晚10点至下半夜4点``) is on the next day;
- 起 / 另行通知 leave the end open (``None``); relative deadlines (``上线后7个工作日内``),
  durations, amounts and version strings are not points at all.

The sentences are resolved as the pipeline resolves a sentence: ranges from
:func:`find_ranges`, each start with the publication date and the year guess (and, after the
first range, the previous start as context), each end against its start.

Cases the grammar gets wrong keep their correct expectation and are marked
``xfail(strict=True)``: when the grammar is fixed the test turns into an XPASS failure, and the
mark is to be removed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from pipeline.extract.timeexpr import (
    YearChoice,
    YearGuess,
    arabize,
    cn_number,
    find_ranges,
    parse_points,
    resolve_point,
)
from pipeline.read.normalize import to_simplified

Span = tuple[str | None, str | None]  # (start, end) as "YYYY-MM-DDTHH:MM"; end None = open


def fixed_year(year: int) -> YearGuess:
    """A year_guess that answers ``year`` for every date printed without one."""

    def guess(month: int, day: int, weekday: int | None) -> YearChoice | None:
        return YearChoice(year, "year_from_test", f"the test says {year}")

    return guess


def _fmt(at: datetime | None, problem: str | None) -> str | None:
    if at is None:
        return f"UNRESOLVED: {problem}"
    return at.strftime("%Y-%m-%dT%H:%M")


def resolve_sentence(sentence: str, publication: date | None = None, year: int | None = None) -> list[Span]:
    """Every range of a sentence, resolved as (start, end) strings."""
    guess = fixed_year(year) if year is not None else None
    out: list[Span] = []
    context: datetime | None = None
    for r in find_ranges(sentence):
        s = resolve_point(r.start, context=context, publication=publication, year_guess=guess)
        end: str | None = None
        if r.end is not None:
            e = resolve_point(
                r.end, context=s.at, publication=publication, year_guess=guess,
                end_of_day_for_date_only=True,
            )
            end = _fmt(e.at, e.problem)
        out.append((_fmt(s.at, s.problem), end))
        context = s.at or context
    return out


@dataclass(frozen=True)
class Case:
    id: str
    sentence: str
    expected: tuple[Span, ...]
    publication: date | None = None
    year: int | None = None  # what year_guess answers for a start printed without a year
    normalize: str = ""  # "nfkc" (full-width input) or "t2s+nfkc" (traditional characters)
    bug: str | None = None  # the grammar gets this case wrong: xfail(strict=True) with this reason

    def text(self) -> str:
        s = self.sentence
        if "t2s" in self.normalize:
            s = to_simplified(s)
        if "nfkc" in self.normalize:
            s = unicodedata.normalize("NFKC", s)
        return s


def C(
    id: str, sentence: str, *expected: Span, pub: date | None = None, year: int | None = None,
    norm: str = "", bug: str | None = None,
) -> Case:
    return Case(id, sentence, tuple(expected), pub, year, norm, bug)


NONE: tuple[Span, ...] = ()

CASES: list[Case] = [
    # ---------------------------------------------------------------- absolute 年月日
    C("abs_24h_end", "2022年3月11日18时至2022年3月15日24时", ("2022-03-11T18:00", "2022-03-16T00:00")),
    C("abs_end_without_year_24h", "2021年10月16日0时至10月24日24时暂停",
      ("2021-10-16T00:00", "2021-10-25T00:00")),
    C("colon_24_00", "2021年11月26日20:00至11月28日24:00", ("2021-11-26T20:00", "2021-11-29T00:00")),
    C("embedded_lanzhou", "2021年8月21日18:00至2021年8月26日08:00,兰州市医保经办业务及定点医药机构联网结算暂停办理",
      ("2021-08-21T18:00", "2021-08-26T08:00")),
    C("new_year_dawn", "2020年12月31日23:00至2021年1月1日凌晨5:00", ("2020-12-31T23:00", "2021-01-01T05:00")),
    C("new_year_end_without_year", "省内异地就医联网结算将于2019年12月31日18时至1月2日8时暂停",
      ("2019-12-31T18:00", "2020-01-02T08:00")),
    C("new_year_guess_weekday", "12月29日（星期六）17时至1月2日8时", ("2018-12-29T17:00", "2019-01-02T08:00"),
      year=2018),
    C("date_only_new_year", "2015年12月31日至2016年1月3日暂停联网结算", ("2015-12-31T00:00", "2016-01-04T00:00")),
    C("date_only_day_end", "1月1日至2日", ("2022-01-01T00:00", "2022-01-03T00:00"), year=2022),
    C("weekday_day_end", "7月11日（星期六）至12日（星期日）", ("2020-07-11T00:00", "2020-07-13T00:00"), year=2020),
    C("day_end_24h", "定点医药机构结算：9月25日零时至29日24时暂停", ("2021-09-25T00:00", "2021-09-30T00:00"),
      year=2021),
    C("day_end_next_month", "2022年1月30日18时至2日8时", ("2022-01-30T18:00", "2022-02-02T08:00")),
    C("day_end_next_year", "2021年12月30日至2日", ("2021-12-30T00:00", "2022-01-03T00:00")),
    C("date_only_end_rolls_year", "2021年12月31日至1月3日", ("2021-12-31T00:00", "2022-01-04T00:00")),
    C("zero_padded_fen", "2022年03月01日08时00分至2022年03月05日17时30分",
      ("2022-03-01T08:00", "2022-03-05T17:30")),
    C("seconds", "2021年10月8日17:30:00起暂停办理", ("2021-10-08T17:30", None)),
    C("hao", "3月1号至3月5号", ("2022-03-01T00:00", "2022-03-06T00:00"), year=2022),
    C("month_end_di", "2022年3月1日至3月底", ("2022-03-01T00:00", "2022-04-01T00:00")),
    C("day_end_with_time", "2022年3月1日8时至5日17时", ("2022-03-01T08:00", "2022-03-05T17:00")),
    C("day_end_date_only", "2022年3月1日至5日", ("2022-03-01T00:00", "2022-03-06T00:00")),
    # ---------------------------------------------------------------- numeric dates
    C("iso_dates", "2022-03-01至2022-03-05", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("iso_date_times", "2022-03-01 08:00至2022-03-05 18:00", ("2022-03-01T08:00", "2022-03-05T18:00")),
    C("dotted_dates", "2022.3.1至2022.3.5", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("dotted_padded_hyphen", "2022.03.01-2022.03.05", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("slashed_date_times", "2022/3/1 18:00至2022/3/5 8:00", ("2022-03-01T18:00", "2022-03-05T08:00")),
    C("dot_month_day_end_with_time", "市本级  2021.10.22 18:00—10.26 8:00",
      ("2021-10-22T18:00", "2021-10-26T08:00")),
    C("slash_month_day_end_with_time", "业务经办暂停：2022年2月25日17:00 ~ 3/3 8:30",
      ("2022-02-25T17:00", "2022-03-03T08:30")),
    C("slash_month_day_end", "2022年2月28日至3/1", ("2022-02-28T00:00", "2022-03-02T00:00")),
    C("slash_start_weekday_time", "医保缴费暂停：2/24（周四）17:00起", ("2022-02-24T17:00", None), year=2022),
    C("slash_both_weekday_24h", "医保结算暂停：2/28（周一）0:00 ~ 3/1（周二）24:00",
      ("2022-02-28T00:00", "2022-03-02T00:00"), year=2022),
    C("slash_start_qi", "3/2起回原就诊机构重新结算", ("2022-03-02T00:00", None), year=2022),
    C("dot_month_day_end_new_year", "2022.12.30~1.2", ("2022-12-30T00:00", "2023-01-03T00:00")),
    # ---------------------------------------------------------------- Chinese numerals
    C("cn_full_open", "经办服务：自二〇二二年三月十一日十八时起暂停", ("2022-03-11T18:00", None)),
    C("cn_24h", "联网结算：三月十二日零时至三月十五日二十四时", ("2022-03-12T00:00", "2022-03-16T00:00"),
      year=2022),
    C("cn_minutes", "三月十七日八时三十分起恢复", ("2022-03-17T08:30", None), year=2022),
    C("cn_new_year", "二〇二一年十二月三十一日十七时至二〇二二年一月四日八时",
      ("2021-12-31T17:00", "2022-01-04T08:00")),
    C("cn_circle_zero", "二○二二年一月一日起执行", ("2022-01-01T00:00", None)),
    C("cn_twenty", "十二月二十日零时起", ("2021-12-20T00:00", None), year=2021),
    C("cn_liang_dian", "2022年6月1日下午两点起", ("2022-06-01T14:00", None)),
    # ---------------------------------------------------------------- weekdays
    C("weekday_evening", "2023年3月24日（星期五）晚上7:00到3月26日（星期日）晚上7:00",
      ("2023-03-24T19:00", "2023-03-26T19:00")),
    C("evening_to_morning", "2023年3月24日晚上7:00到3月27日上午10:00", ("2023-03-24T19:00", "2023-03-27T10:00")),
    C("zhou", "医保缴费暂停：2022年2月24日（周四）17:00起", ("2022-02-24T17:00", None)),
    C("libai_halfwidth_parens", "2022年3月1日(礼拜二)8时起", ("2022-03-01T08:00", None)),
    # ---------------------------------------------------------------- times of day
    C("xiawu_18", "医保中心自2019年12月30日下午18时起停止办理参保登记", ("2019-12-30T18:00", None)),
    C("xiawu_5", "2020年12月30日下午5时起暂停", ("2020-12-30T17:00", None)),
    C("zhongwu_12", "12月31日中午12点至1月2日8时", ("2020-12-31T12:00", "2021-01-02T08:00"), year=2020),
    C("zhongwu_1_to_xiawu_3", "2022年1月5日中午1点至下午3点", ("2022-01-05T13:00", "2022-01-05T15:00")),
    C("dian_fen", "2022年6月1日8点30分至17点", ("2022-06-01T08:30", "2022-06-01T17:00")),
    C("dian_ban", "2022年6月1日8点半起", ("2022-06-01T08:30", None)),
    C("dian_zheng", "2022年6月1日8点整起", ("2022-06-01T08:00", None)),
    C("lingchen", "2021年1月1日凌晨2点至凌晨6点", ("2021-01-01T02:00", "2021-01-01T06:00")),
    C("wanshang_to_ciri_zaoshang", "2021年5月8日晚上10点至次日早上6点", ("2021-05-08T22:00", "2021-05-09T06:00")),
    C("bangwan", "2022年6月1日傍晚6点起", ("2022-06-01T18:00", None)),
    C("bare_time_end_overnight", "2022年3月1日18:00至8:00", ("2022-03-01T18:00", "2022-03-02T08:00")),
    C("xiawu_carries_to_end", "2022年3月1日下午2点至5点", ("2022-03-01T14:00", "2022-03-01T17:00")),
    C("shenye_to_lingchen", "2022年3月1日深夜11点至凌晨3点", ("2022-03-01T23:00", "2022-03-02T03:00")),
    C("shangwu_bare_end", "2022年3月1日上午8:30-11:30", ("2022-03-01T08:30", "2022-03-01T11:30")),
    C("cn_liang_dian_ban", "2022年6月1日下午两点半起", ("2022-06-01T14:30", None)),
    C("lingshi", "2022年1月1日零时起", ("2022-01-01T00:00", None)),
    # ---------------------------------------------------------------- relative days
    C("tonight_to_second_half_of_night", "今晚10点至下半夜4点", ("2020-07-10T22:00", "2020-07-11T04:00"),
      pub=date(2020, 7, 10)),
    C("tonight_to_ciri", "四川省医保信息平台将于今晚8点至次日8时进行升级维护",
      ("2021-09-10T20:00", "2021-09-11T08:00"), pub=date(2021, 9, 10)),
    C("jintian", "全市各级医保经办窗口今天18时起暂停受理业务", ("2022-03-11T18:00", None), pub=date(2022, 3, 11)),
    C("mingri_lingshi", "明日零时起", ("2022-03-12T00:00", None), pub=date(2022, 3, 11)),
    C("mingtian_am_pm", "明天上午9点至下午5点", ("2022-03-12T09:00", "2022-03-12T17:00"), pub=date(2022, 3, 11)),
    C("ciri_from_start", "2021年9月30日22时至次日6时", ("2021-09-30T22:00", "2021-10-01T06:00")),
    C("yiri_new_year", "2021年12月31日20时至翌日8时", ("2021-12-31T20:00", "2022-01-01T08:00")),
    C("jinri_colon", "今日17:30起", ("2022-05-05T17:30", None), pub=date(2022, 5, 5)),
    C("mingwan_to_houtian", "明晚8点至后天凌晨2点", ("2022-05-06T20:00", "2022-05-07T02:00"), pub=date(2022, 5, 5)),
    C("jinwan_12", "今晚12点起暂停", ("2022-03-12T00:00", None), pub=date(2022, 3, 11)),
    C("jinwan_to_mingri_lingchen", "今晚11点至明日凌晨3点", ("2022-03-11T23:00", "2022-03-12T03:00"),
      pub=date(2022, 3, 11)),
    C("ciri_as_second_start", "2022年3月1日18时起暂停，次日8时恢复", ("2022-03-01T18:00", None),
      ("2022-03-02T08:00", None)),
    C("zuowan", "昨晚8点起系统已暂停", ("2022-03-10T20:00", None), pub=date(2022, 3, 11)),
    C("jintian_to_mingtian_date_only", "今天至明天", ("2022-03-11T00:00", "2022-03-13T00:00"), pub=date(2022, 3, 11)),
    C("dangri_24h", "2022年3月1日18时至当日24时", ("2022-03-01T18:00", "2022-03-02T00:00")),
    C("jinnian", "今年3月1日起", ("2022-03-01T00:00", None), pub=date(2022, 2, 10)),
    C("mingnian", "明年1月1日起执行", ("2022-01-01T00:00", None), pub=date(2021, 12, 10)),
    # ---------------------------------------------------------------- 24时
    C("h24_month_rollover", "2022年1月31日24时起", ("2022-02-01T00:00", None)),
    C("h24_both_ends", "2021年12月31日24时至2022年1月3日24时", ("2022-01-01T00:00", "2022-01-04T00:00")),
    C("h24_iso_start", "2022-01-31 24:00起", ("2022-02-01T00:00", None)),
    C("h24_leap_day", "2020年2月28日24时起", ("2020-02-29T00:00", None)),
    C("h24_year_rollover", "2022年12月31日24时起", ("2023-01-01T00:00", None)),
    # ---------------------------------------------------------------- stripped years (年2月6日)
    C("stripped_start_weekday", "年1月21日（星期五）18时起暂停", ("2022-01-21T18:00", None), year=2022),
    C("stripped_range", "年2月6日0时至2月10日24时", ("2022-02-06T00:00", "2022-02-11T00:00"), year=2022),
    C("stripped_both_new_year", "年12月31日18时至年1月2日8时", ("2022-12-31T18:00", "2023-01-02T08:00"), year=2022),
    C("stripped_weekdays", "二、年1月24日（星期一）0时至1月27日（星期四）24时",
      ("2022-01-24T00:00", "2022-01-28T00:00"), year=2022),
    # ---------------------------------------------------------------- full-width (NFKC) and traditional
    C("fullwidth_colon_times", "２０１６年１２月３１日１７：００至２０１７年１月３日９：００",
      ("2016-12-31T17:00", "2017-01-03T09:00"), norm="nfkc"),
    C("fullwidth_24_00", "（二）城镇居民基本医疗保险：２０１６年１２月３１日１７：００至２０１７年１月２日２４：００",
      ("2016-12-31T17:00", "2017-01-03T00:00"), norm="nfkc"),
    C("fullwidth_weekday", "２０２２年１月２４日（星期一）０时起", ("2022-01-24T00:00", None), norm="nfkc"),
    C("fullwidth_slash_tilde", "２０２２／３／１～２０２２／３／５", ("2022-03-01T00:00", "2022-03-06T00:00"), norm="nfkc"),
    C("traditional_stripped", "二、年1月24日（星期一）0時至1月27日（星期四）24時暫停醫保聯網結算",
      ("2022-01-24T00:00", "2022-01-28T00:00"), year=2022, norm="t2s+nfkc"),
    C("traditional_hours", "（二）城鎮居民基本醫療保險：2015年12月31日12時至2016年1月4日8時暫停聯網結算",
      ("2015-12-31T12:00", "2016-01-04T08:00"), norm="t2s+nfkc"),
    C("traditional_fen", "2022年6月24日17時至2022年7月4日8時30分", ("2022-06-24T17:00", "2022-07-04T08:30"),
      norm="t2s+nfkc"),
    C("traditional_zhou", "2022年7月4日（週一）8時30分起恢復", ("2022-07-04T08:30", None), norm="t2s+nfkc"),
    C("traditional_fullwidth", "２０１５年１２月３０日１７時起暫停", ("2015-12-30T17:00", None), norm="t2s+nfkc"),
    # ---------------------------------------------------------------- separators, 起…止, open ends
    C("sep_tilde", "2022年3月1日~3月5日", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("sep_em_dash", "2022年3月1日—3月5日", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("sep_dao", "2022年3月1日到3月5日", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("sep_hyphen_times", "2022年3月1日8:00-2022年3月5日18:00", ("2022-03-01T08:00", "2022-03-05T18:00")),
    C("sep_spaced_dash", "2022年3月1日 8:00 — 2022年3月5日 18:00", ("2022-03-01T08:00", "2022-03-05T18:00")),
    C("sep_zhizhi", "2022年3月1日18时直至3月5日8时", ("2022-03-01T18:00", "2022-03-05T08:00")),
    C("sep_yizhidao", "2022年3月1日一直到3月5日", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("kaishi_zhi_jieshu", "2022年3月1日开始至3月5日结束", ("2022-03-01T00:00", "2022-03-06T00:00")),
    C("qi_zhi_zhi_dates", "自2022年1月1日起至2022年1月3日止", ("2022-01-01T00:00", "2022-01-04T00:00")),
    C("qi_zhi_zhi_hours", "2022年1月1日0时起至1月3日24时止暂停服务", ("2022-01-01T00:00", "2022-01-04T00:00")),
    C("qi_zhi_without_zhi", "2022年1月1日起2022年1月3日止", ("2022-01-01T00:00", "2022-01-04T00:00")),
    C("open_qi", "四、2021年度医保起付线、封顶线等待遇标准自2021年1月1日起执行", ("2021-01-01T00:00", None)),
    C("open_lingxing_tongzhi", "自2021年9月15日18:00起暂停，恢复时间另行通知", ("2021-09-15T18:00", None)),
    C("open_zhi_lingxing_tongzhi", "2021年9月15日18:00至另行通知", ("2021-09-15T18:00", None)),
    # ---------------------------------------------------------------- several ranges in one sentence
    C("stop_then_resume_open", "2022年3月11日24时起停机，3月21日24时启用",
      ("2022-03-12T00:00", None), ("2022-03-22T00:00", None)),
    C("range_then_resume", "经办业务：2021年10月11日17:30至2021年10月25日8:30暂停办理，10月25日8:30起恢复",
      ("2021-10-11T17:30", "2021-10-25T08:30"), ("2021-10-25T08:30", None)),
    C("list_dun_day_only", "2022年3月1日、5日各停机一天", ("2022-03-01T00:00", None), ("2022-03-05T00:00", None)),
    # ---------------------------------------------------------------- no point at all
    C("deadline_workdays", "新平台上线后7个工作日内到原就诊机构补办结算"),
    C("deadline_months", "系统恢复后3个月内持票据到原就诊机构补结算"),
    C("hours_24_emergency", "医院急诊24小时开放"),
    C("hours_7x24", "提供7×24小时服务"),
    C("amount_yuan", "个人自付221.67元"),
    C("months_digits", "单次开药量可放宽至3个月"),
    C("months_cn", "慢病患者可一次开具三个月的药量"),
    C("version_v", "请将客户端升级至V2.3.1版本"),
    C("version_app", "医保APP 3.10.2版已上线"),
    C("fraction", "报销比例为1/3"),
    C("hotline", "拨打12345热线咨询"),
    C("year_only_niandu", "2021年度医保起付线、封顶线标准不变"),
    C("workdays_range", "1-3个工作日内办结"),
    C("duration_decimal_hours", "预计停机2.5小时"),
    C("phone_number", "医保咨询电话：0311-86012345"),
    C("document_number", "冀医保发〔2021〕45号"),
    C("month_only", "12月份养老金正常发放"),
]


def _param(c: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []
    return pytest.param(c, id=c.id, marks=marks)


def test_enough_cases() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_resolves_as_derived_by_hand(case: Case) -> None:
    got = resolve_sentence(case.text(), publication=case.publication, year=case.year)
    assert got == list(case.expected)


@pytest.mark.parametrize("case", [_param(c) for c in CASES if not c.expected])
def test_negatives_yield_no_point(case: Case) -> None:
    assert parse_points(case.text()) == []


# ---------------------------------------------------------------- smaller units


@pytest.mark.parametrize(
    ("token", "value"),
    [("二〇二二", 2022), ("二○二一", 2021), ("十", 10), ("十二", 12), ("二十", 20), ("二十四", 24),
     ("三十一", 31), ("零", 0), ("两", 2), ("十十", None), ("一百", None)],
)
def test_cn_number(token: str, value: int | None) -> None:
    assert cn_number(token) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇二一年十二月二十日零时", "2021年12月20日0时"),
        ("三月十二日二十四时", "3月12日24时"),
        ("一是暂停", "一是暂停"),
        ("三个月", "三个月"),
    ],
)
def test_arabize(text: str, expected: str) -> None:
    assert arabize(text) == expected


def test_points_keep_printed_fields() -> None:
    [p] = parse_points("年2月6日0时")
    assert (p.year, p.month, p.day, p.hour, p.minute, p.year_blank) == (None, 2, 6, 0, 0, True)
    [q] = parse_points("2022年1月21日（星期五）18时")
    assert (q.year, q.weekday, q.hour) == (2022, 4, 18)


def test_year_guess_gets_the_printed_weekday() -> None:
    seen: list[tuple[int, int, int | None]] = []

    def guess(month: int, day: int, weekday: int | None) -> YearChoice | None:
        seen.append((month, day, weekday))
        return YearChoice(2022, "year_from_test", "test")

    [r] = find_ranges("年1月21日（星期五）18时起")
    res = resolve_point(r.start, year_guess=guess)
    assert seen == [(1, 21, 4)]
    assert res.at == datetime(2022, 1, 21, 18, 0)
    assert res.year_inferred


def test_no_year_and_no_clue_is_a_problem_not_a_guess() -> None:
    [r] = find_ranges("3月1日8时起")
    res = resolve_point(r.start)
    assert res.at is None
    assert res.problem


def test_relative_day_without_anchor_is_a_problem() -> None:
    [r] = find_ranges("明日零时起")
    res = resolve_point(r.start)
    assert res.at is None
    assert res.problem


def test_inferences_are_logged() -> None:
    [r] = find_ranges("2021年12月31日18时至1月2日24时")
    assert r.end is not None
    s = resolve_point(r.start)
    e = resolve_point(r.end, context=s.at, end_of_day_for_date_only=True)
    assert e.at == datetime(2022, 1, 3, 0, 0)
    rules = [n[0] for n in e.notes]
    assert "year_rollover" in rules
    assert "hour_24_next_day" in rules
    assert e.year_inferred and not s.year_inferred


def test_date_only_end_is_flagged() -> None:
    [r] = find_ranges("2022年3月1日至3月5日")
    assert r.end is not None
    s = resolve_point(r.start)
    e = resolve_point(r.end, context=s.at, end_of_day_for_date_only=True)
    assert s.date_only and e.date_only
    assert e.at == datetime(2022, 3, 6, 0, 0)
    # without the flag a date-only point is the start of its day
    e2 = resolve_point(r.end, context=s.at)
    assert e2.at == datetime(2022, 3, 5, 0, 0)


def test_weekday_printed_after_the_time():
    # zhongshan-2020-cutover-forum: "年1月1日00:00(星期五)"
    (r,) = find_ranges("停机时间年12月28日(星期一)20:00至年1月1日00:00(星期五)。")
    assert (r.start.weekday, r.end.weekday) == (0, 4)
    assert (r.end.month, r.end.day, r.end.hour) == (1, 1, 0)


@pytest.mark.parametrize(("sentence", "start", "end"), [
    # beijing-2025-outage-a005 (a real notice): the hour unit printed once, on the range's end
    ("5月31日凌晨2至4时将开展北京市医疗保险信息系统维护工作", (5, 31, 2), (4,)),
    ("5月31日凌晨3至4时,全市门急诊医保结算类业务影响将暂停", (5, 31, 3), (4,)),
    ("1月2日晚上8至10时暂停", (1, 2, 20), (22,)),
])
def test_an_hour_range_with_its_unit_printed_once(sentence, start, end):
    [r] = find_ranges(sentence)
    assert (r.start.month, r.start.day, r.start.hour) == start and (r.end.hour,) == end


@pytest.mark.parametrize("sentence", ["1至3日暂停办理", "第1至2项业务", "每月1至5日缴费"])
def test_a_day_or_item_range_is_not_an_hour_range(sentence):
    assert all(r.start.hour is None for r in find_ranges(sentence))
