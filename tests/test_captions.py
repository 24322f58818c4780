"""pipeline/publish/captions.py: one table of captions for both languages, and dates written each language's way."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.publish.captions import (
    CODES,
    COLUMNS,
    TEXTS,
    code,
    column,
    fmt_date,
    fmt_datetime,
    fmt_duration,
    fmt_month,
    text,
)
from pipeline.publish.views import VIEWS
from pipeline.vocab.codes import (
    CONFIDENCE_LEVELS,
    CONFIDENCE_REASONS,
    END_SOURCES,
    ERROR_STAGES,
    EVENT_JOIN_MODIFIERS,
    EVENT_JOIN_RULES,
    EVENT_REVIEW_REASONS,
    FORMATS,
    GUIDANCE_ACTIONS,
    GUIDANCE_CATEGORIES,
    GUIDANCE_PLACES,
    NOTICE_SCOPES,
    PHONE_STATUSES,
    PLACE_SCOPES,
    REPAIR_RULES,
    REVISION_ENDS,
    REVISION_KINDS,
    REVISION_RULES,
)
from schemas.tables import DERIVED_TABLES, TABLES, column_specs


def test_every_table_column_and_code_has_a_chinese_caption():
    missing = [c.name for t in TABLES + DERIVED_TABLES for c in column_specs(t.model) if c.name not in COLUMNS]
    assert missing == [], f"add captions for {missing} to pipeline/publish/captions.py COLUMNS"
    from pipeline.extract.windows.linking import BONUS, SCORES

    for kind, codes in (("category", GUIDANCE_CATEGORIES), ("action", GUIDANCE_ACTIONS), ("phone_status", PHONE_STATUSES),
                        ("stage", ERROR_STAGES), ("rule", tuple(REPAIR_RULES)), ("place", GUIDANCE_PLACES),
                        ("scope", NOTICE_SCOPES),
                        ("confidence", CONFIDENCE_LEVELS), ("confidence_reason", tuple(CONFIDENCE_REASONS)),
                        ("end_source", END_SOURCES), ("format", FORMATS), ("end_rule", (*SCORES, *BONUS, "same_list")),
                        ("join_rule", tuple(EVENT_JOIN_RULES)), ("join_modifier", tuple(EVENT_JOIN_MODIFIERS)),
                        ("revision_kind", tuple(REVISION_KINDS)), ("revision_rule", tuple(REVISION_RULES)),
                        ("moved", REVISION_ENDS), ("review_reason", tuple(EVENT_REVIEW_REASONS)),
                        ("city_scope", tuple(PLACE_SCOPES)), ("table_name", tuple(t.name for t in TABLES + DERIVED_TABLES))):
        assert set(codes) <= set(CODES[kind]), (kind, sorted(set(codes) - set(CODES[kind])))
    for zh, en in [*COLUMNS.values(), *TEXTS.values(), *(p for c in CODES.values() for p in c.values())]:
        assert zh and en


def test_view_columns_are_captioned():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from synthetic import memory_db

    con = memory_db()
    for view in ("city_comparison", "national_daily_outages", "province_rollout_calendar", "longest_outages",
                 "event_timeline", "prefecture_coverage", "province_coverage"):
        assert view in VIEWS
        names = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
        assert [n for n in names if n not in COLUMNS] == [], view


def test_lookups_fall_back_to_the_code():
    assert column("start_at") == "停机开始" and column("start_at", "en") == "stops"
    assert column("a_new_column") == "a_new_column"  # a column added later shows by its name until captioned
    assert code("action", "pay_then_reimburse") == "先垫付，后报销"
    assert code("action", "new_code") == "new_code" and code("action", None) == ""
    assert text("more_items", "zh", n=3) == "另有3项未列出"
    assert text("more_items", "en", n=3) == "3 more not listed"


@pytest.mark.parametrize(("hours", "zh", "en"), [
    (220, "9天4小时", "9 d 4 h"),
    (48, "2天", "2 d"),
    (0.5, "30分钟", "30 min"),
    (36.25, "1天12小时15分钟", "1 d 12 h 15 min"),
    (0, "0小时", "0 h"),
])
def test_durations(hours, zh, en):
    assert fmt_duration(hours, "zh") == zh and fmt_duration(hours, "en") == en


def test_dates():
    when = dt.datetime(2021, 11, 21, 20, 0)
    assert fmt_datetime(when, "zh") == "2021年11月21日 20:00"
    assert fmt_datetime(when, "en") == "2021-11-21 20:00"
    assert fmt_date(dt.date(2022, 1, 5), "zh") == "2022年1月5日" and fmt_date(dt.date(2022, 1, 5), "en") == "2022-01-05"
    assert fmt_month(dt.date(2021, 3, 1), "zh") == "2021年3月" and fmt_month(dt.date(2021, 3, 1), "en") == "2021-03"
    assert fmt_duration(None, "zh") == "未公布" and fmt_datetime(None) == ""


def test_a_repair_without_a_value_says_what_was_done():
    from pipeline.publish.captions import repaired_text

    assert repaired_text("spam_line_dropped", None) == "已删除该行"  # not "无法修复"
    assert repaired_text("digits_lost", None) == "照录，不猜测号码"
    assert repaired_text("some_new_rule", None) == "仅标记，未修复"
    assert repaired_text("hour_24_next_day", "2022-03-21T00:00") == "2022年3月21日 00:00"
    assert repaired_text("hour_24_next_day", "2022-03-21T00:00", "en") == "2022-03-21T00:00"


def test_linking_rules_and_losing_ends_read_in_chinese():
    from pipeline.publish.captions import alternatives_zh, codes_zh, end_rule_zh

    assert end_rule_zh("general_resumption+same_section+go_live_statement") == "全部业务的恢复说明＋同一段落＋上线说明"
    # end_alternatives as outage_windows holds it (哈尔滨, 2021)
    assert alternatives_zh("2021-10-31T08:00 general_resumption (20); 2021-10-31T08:00 general_resumption+same_section (24)") == \
        "2021年10月31日 08:00（全部业务的恢复说明，20分）；2021年10月31日 08:00（全部业务的恢复说明＋同一段落，24分）"
    assert codes_zh("confidence_reason", ["end_other_resumption", "year_printed"]) == \
        "结束时间取自另一部分业务的恢复时间（仅有此项可用）；年份均已印出"
