"""Events and revisions (pipeline/publish/events.py): real notices of the corpus, then the rules one by one.

The real cases run the whole pipeline on copies of shipped notices; their expected values were
checked against the hand labels (../shared/corpus/gold) and the notices' own sentences, not
copied from a run. The rules are tested on plain rows, one behaviour each.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.publish.events import (
    build_events,
    families_of,
    join_candidate,
    revision_cue,
)

ROOT = Path(__file__).resolve().parents[1]
REAL = ("qingdao-2021-cutover-forum.txt", "qingdao-2021-cutover-traditional-news.txt",
        "shaoxing-2020-hospital-d002.txt", "shaoxing-undated-outage-a012.txt", "ningde-2024-year-end-a007.txt")


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    """The pipeline over copies of the five real notices (with their manifest rows)."""
    base = tmp_path_factory.mktemp("events")
    raw, out = base / "raw", base / "out"
    raw.mkdir()
    with (ROOT / "raw" / "manifest.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["file"] in REAL]
    assert {r["file"] for r in rows} == set(REAL)
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name in REAL:
        shutil.copy(ROOT / "raw" / name, raw / name)
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def _rows(out: Path, sql: str) -> list[dict]:
    con = duckdb.connect(str(out / "notices.duckdb"), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_qingdao_forum_repost_and_news_report_are_the_same_two_events(real_run):
    # the forum repost is cut off before any resumption; the news report states
    # "暫停的業務將于11月30日20:00系統切換上線後恢復辦理" (gold: both windows end 2021-11-30 20:00)
    events = _rows(real_run, "SELECT * FROM events WHERE city = '青岛市' ORDER BY start_at")
    assert [(e["start_at"], e["end_at"]) for e in events] == [
        (datetime(2021, 11, 21, 20, 0), datetime(2021, 11, 30, 20, 0)),
        (datetime(2021, 11, 24, 0, 0), datetime(2021, 11, 30, 20, 0)),
    ]
    for e in events:
        assert e["notices"] == 2 and e["windows"] == 2
        # the dated news report (2021-11-17) is the first announcement; the forum post has no date
        assert e["source_files"] == ["qingdao-2021-cutover-traditional-news.txt", "qingdao-2021-cutover-forum.txt"]
        assert e["first_announced_on"] == e["last_announced_on"] == date(2021, 11, 17) and e["undated_notices"] == 1
        assert e["agree"] and e["revisions"] == 0 and not e["needs_review"]  # an end left out is no disagreement
        assert e["join_rules"] == ["anchor", "same_start"]
    members = _rows(real_run, """SELECT m.* FROM event_members m JOIN events e USING (event_id)
                                 WHERE e.city = '青岛市' AND m.source_file LIKE '%forum%' ORDER BY m.window_no""")
    assert [m["join_rule"] for m in members] == ["same_start", "same_start"]
    assert all(m["end_at"] is None and m["joined_to"].endswith(f"#{m['window_no']}") for m in members)


def test_shaoxing_hospital_notice_and_the_city_notice_without_years_are_one_event(real_run):
    # hospital: "2020年1月1日00:00至1月8日24:00" (gold 2020-01-01 → 2020-01-09);
    # the city's repost: "定于年1月1日00:00-年1月8日24:00期间进行系统停机切换" — no year, so no window
    events = _rows(real_run, "SELECT * FROM events WHERE city = '绍兴市'")
    assert len(events) == 1
    e = events[0]
    assert (e["start_at"], e["end_at"]) == (datetime(2020, 1, 1, 0, 0), datetime(2020, 1, 9, 0, 0))
    assert e["notices"] == 2 and e["windows"] == 1
    assert e["source_files"] == ["shaoxing-2020-hospital-d002.txt", "shaoxing-undated-outage-a012.txt"]
    assert e["join_rules"] == ["anchor", "undated_same_day"]
    assert e["needs_review"] and e["review_reasons"] == ["joined_without_year"]
    dateless = _rows(real_run, "SELECT * FROM event_members WHERE window_no IS NULL")
    assert len(dateless) == 1 and dateless[0]["source_file"] == "shaoxing-undated-outage-a012.txt"
    assert dateless[0]["join_evidence"] == "年1月1日00:00" and dateless[0]["start_at"] is None


def test_ningde_moves_the_cross_province_stop_three_hours_earlier(real_run):
    # "一、停機時間:2024年12月31日21時至2025年1月1日8時(跨省相關業務停機時間提前至18時)"
    revisions = _rows(real_run, "SELECT r.*, e.start_at AS event_start FROM revisions r JOIN events e USING (event_id)")
    assert len(revisions) == 1
    r = revisions[0]
    assert (r["kind"], r["moved"], r["rule"]) == ("advanced", "start", "within_notice")
    assert (r["from_value"], r["to_value"], r["delta_hours"]) == (datetime(2024, 12, 31, 21), datetime(2024, 12, 31, 18), -3.0)
    assert r["from_notice_id"] == r["to_notice_id"] and "提前至18时" in r["evidence"]
    assert r["event_start"] == datetime(2024, 12, 31, 18) and not r["needs_review"]


def test_every_window_is_in_exactly_one_event(real_run):
    missing = _rows(real_run, """SELECT w.notice_id, w.window_no FROM outage_windows w
                                 LEFT JOIN event_members m USING (notice_id, window_no) WHERE m.event_id IS NULL""")
    assert missing == []
    twice = _rows(real_run, "SELECT notice_id, window_no FROM event_members WHERE window_no IS NOT NULL "
                            "GROUP BY ALL HAVING count(*) > 1")
    assert twice == []
    for name in ("events", "event_members", "revisions"):
        assert (real_run / f"{name}.parquet").is_file() and (real_run / f"{name}.csv").is_file()


# ---------------------------------------------------------------------------------------------
# the rules, on plain rows


def nid(n: int) -> str:
    return f"{n:016x}"


def notice(n: int, city: str | None = "甲市", published: date | None = None, title: str | None = None,
           province: str | None = "丁省") -> dict:
    return {"notice_id": nid(n), "source_file": f"n{n}.txt", "city": city, "province": province,
            "published_on": published, "title": title}


def window(n: int, no: int, start: datetime, end: datetime | None, service: str | None = None, **extra) -> dict:
    return {"notice_id": nid(n), "window_no": no, "city": None, "scheme": None, "service": service,
            "start_at": start, "end_at": end, "year_inferred": False, "confidence": "high",
            "evidence": "停机时间为……", "end_rule": "range"} | extra


D = datetime


def test_revision_cues_come_from_the_vocabulary():
    assert revision_cue("(跨省相关业务停机时间提前至18时)") == "advanced"
    assert revision_cue("关于医保系统停机时间的更正公告") == "corrected"
    assert revision_cue("恢复时间推迟至12月3日8时") == "postponed"
    assert revision_cue("停机时间调整为3月8日") == ""
    assert revision_cue("请参保人员注意提前缴费") is None  # 提前 alone moves nothing
    assert revision_cue(None) is None


def test_service_families():
    assert families_of("刷卡结算、零星报销") == {"settlement", "reimbursement"}
    assert families_of(None) is None
    assert families_of("跨省相关业务") == {"term:跨省相关业务"}


def test_a_later_notice_that_moves_the_stop_earlier_is_a_revision():
    # the real sentence pattern (宁德, 2024): "停机时间提前至18时", here in a follow-up notice
    notices = [notice(1, published=date(2021, 11, 1)), notice(2, published=date(2021, 11, 20))]
    windows = [window(1, 1, D(2021, 11, 25, 18), D(2021, 11, 30, 8)),
               window(2, 1, D(2021, 11, 24, 18), D(2021, 11, 30, 8), evidence="停机时间提前至11月24日18时")]
    out = build_events(windows, notices)
    assert len(out.events) == 1
    e = out.events[0]
    assert e["start_at"] == D(2021, 11, 24, 18) and e["end_at"] == D(2021, 11, 30, 8) and not e["agree"]
    assert e["event_id"] == hashlib.sha256(f"{nid(1)}:1".encode()).hexdigest()[:16]  # anchored on the first notice
    (r,) = out.revisions
    assert (r["kind"], r["moved"], r["delta_hours"], r["rule"]) == ("advanced", "start", -24.0, "later_notice")
    assert (r["from_notice_id"], r["to_notice_id"], r["announced_on"]) == (nid(1), nid(2), date(2021, 11, 20))
    assert [m["join_rule"] for m in out.members] == ["anchor", "overlap"]


def test_a_later_notice_that_postpones_the_resumption():
    notices = [notice(1, published=date(2021, 11, 1)), notice(2, published=date(2021, 11, 29))]
    windows = [window(1, 1, D(2021, 11, 25, 18), D(2021, 12, 1, 8)),
               window(2, 1, D(2021, 11, 25, 18), D(2021, 12, 3, 8), evidence="恢复时间推迟至12月3日8时")]
    out = build_events(windows, notices)
    (e,) = out.events
    assert e["end_at"] == D(2021, 12, 3, 8) and e["hours"] == (D(2021, 12, 3, 8) - D(2021, 11, 25, 18)).total_seconds() / 3600
    (r,) = out.revisions
    assert (r["kind"], r["moved"], r["delta_hours"]) == ("postponed", "end", 48.0)
    assert out.members[1]["join_rule"] == "same_start"


def test_a_correction_notice_is_a_correction_whichever_way_it_moves():
    notices = [notice(1, published=date(2022, 2, 1)), notice(2, published=date(2022, 2, 3), title="关于停机时间的更正公告")]
    windows = [window(1, 1, D(2022, 2, 10), D(2022, 2, 15)), window(2, 1, D(2022, 2, 10), D(2022, 2, 14))]
    (r,) = build_events(windows, notices).revisions
    assert (r["kind"], r["moved"], r["delta_hours"]) == ("corrected", "end", -24.0)


def test_notices_whose_order_is_unknown_conflict_and_go_to_review():
    notices = [notice(1), notice(2)]  # neither is dated
    windows = [window(1, 1, D(2022, 2, 10), D(2022, 2, 15), confidence="medium"),
               window(2, 1, D(2022, 2, 10), D(2022, 2, 14), confidence="high")]
    out = build_events(windows, notices)
    (e,) = out.events
    assert e["end_at"] == D(2022, 2, 14)  # the more confident window's end
    assert e["needs_review"] and e["review_reasons"] == ["conflicting_announcements"]
    (r,) = out.revisions
    assert (r["kind"], r["rule"], r["needs_review"]) == ("conflict", "order_unknown", True)
    assert (r["from_value"], r["to_value"]) == (D(2022, 2, 15), D(2022, 2, 14))


def test_windows_far_apart_join_only_when_the_later_one_says_it_moves_the_stop():
    notices = [notice(1, published=date(2022, 2, 1)), notice(2, published=date(2022, 2, 20))]
    moved = [window(1, 1, D(2022, 3, 1), D(2022, 3, 3)),
             window(2, 1, D(2022, 3, 8), D(2022, 3, 10), evidence="停机时间调整为3月8日至3月10日")]
    out = build_events(moved, notices)
    assert len(out.events) == 1 and out.members[1]["join_rule"] == "revision_cue"
    assert [(r["moved"], r["kind"], r["delta_hours"]) for r in out.revisions] == [("start", "postponed", 168.0),
                                                                                  ("end", "postponed", 168.0)]
    unrelated = [moved[0], window(2, 1, D(2022, 3, 8), D(2022, 3, 10))]
    assert len(build_events(unrelated, notices).events) == 2
    a_year_later = [moved[0], window(2, 1, D(2023, 3, 1), D(2023, 3, 3), evidence="停机时间调整为3月1日")]
    assert len(build_events(a_year_later, notices).events) == 2


def test_what_never_joins():
    notices = [notice(1), notice(2, city="乙市"), notice(3)]
    same_notice = [window(1, 1, D(2022, 1, 1), D(2022, 1, 3)), window(1, 2, D(2022, 1, 1), D(2022, 1, 3))]
    assert len(build_events(same_notice, notices).events) == 2  # a notice's windows are distinct by the contract
    other_city = [window(1, 1, D(2022, 1, 1), D(2022, 1, 3)), window(2, 1, D(2022, 1, 1), D(2022, 1, 3))]
    assert len(build_events(other_city, notices).events) == 2
    other_family = [window(1, 1, D(2022, 1, 1), D(2022, 1, 3), service="刷卡结算"),
                    window(3, 1, D(2022, 1, 1), D(2022, 1, 3), service="医保费征收")]
    assert len(build_events(other_family, notices).events) == 2
    other_scheme = [window(1, 1, D(2022, 1, 1), D(2022, 1, 3), scheme="职工医保"),
                    window(3, 1, D(2022, 1, 1), D(2022, 1, 3), scheme="城乡居民医保")]
    assert len(build_events(other_scheme, notices).events) == 2


def test_a_window_with_its_own_city_is_placed_there():
    # a page listing several cities (the metadata step gives such windows their own city)
    notices = [notice(1, city=None, province="福建省"), notice(2, city="南平市", province="福建省")]
    windows = [window(1, 1, D(2018, 1, 1), D(2018, 1, 8), city="南平市"), window(2, 1, D(2018, 1, 1), D(2018, 1, 8))]
    (e,) = build_events(windows, notices).events
    assert (e["city_scope"], e["city"], e["notices"]) == ("city", "南平市", 2)


def test_everything_stopping_covers_one_service_and_scores_lower():
    notices = [notice(1), notice(2)]
    a, b = window(1, 1, D(2022, 1, 1), D(2022, 1, 3)), window(2, 1, D(2022, 1, 1), D(2022, 1, 3), service="刷卡结算")
    out = build_events([a, b], notices)
    assert len(out.events) == 1 and out.events[0]["service"] is None  # the event stops everything
    assert out.members[1]["join_modifiers"] == "covers_services" and out.members[1]["join_score"] == 100 - 15


def test_the_strongest_tie_wins_and_the_loser_is_recorded():
    # notice 2's second window could join notice 1's first (overlap) but joins notice 1's second (same start)
    notices = [notice(1, published=date(2021, 11, 17)), notice(2)]
    windows = [window(1, 1, D(2021, 11, 21, 20), D(2021, 11, 30, 20), service="参保登记"),
               window(1, 2, D(2021, 11, 24), D(2021, 11, 30, 20), service="参保登记"),
               window(2, 1, D(2021, 11, 21, 20), None, service="参保登记"),
               window(2, 2, D(2021, 11, 24), None, service="参保登记")]
    out = build_events(windows, notices)
    assert len(out.events) == 2
    second = next(m for m in out.members if m["notice_id"] == nid(2) and m["window_no"] == 2)
    assert second["join_rule"] == "same_start" and second["joined_to"] == f"{nid(1)}#2"
    assert second["join_alternatives"].endswith("overlap (65)") and second["join_margin"] == 30.0


def test_everything_stopping_and_a_longer_partial_stop_from_another_day_are_two_events():
    notices = [notice(1), notice(2)]
    windows = [window(1, 1, D(2021, 9, 1), D(2021, 9, 3)),
               window(2, 1, D(2021, 9, 2), D(2021, 9, 10), service="实时结算、联网结算")]
    assert len(build_events(windows, notices).events) == 2


def test_an_implausible_window_stands_alone_and_is_marked():
    notices = [notice(1), notice(2)]
    windows = [window(1, 1, D(2022, 1, 1), D(2022, 1, 3)), window(2, 1, D(2022, 1, 1), D(2022, 1, 3), plausible=False)]
    out = build_events(windows, notices)
    assert sorted(e["plausible"] for e in out.events) == [False, True]


def test_join_candidate_scores_the_rule_with_its_modifiers():
    from pipeline.publish.events import Place, Win

    def win(n: int, start: datetime, end: datetime | None) -> Win:
        return Win(nid(n), 1, Place("city", "青岛市", "山东省", "city:青岛市"), None, "参保登记", start, end, False,
                   "medium", "", "range", True, None, f"n{n}.txt", None)

    assert join_candidate(win(1, D(2021, 11, 21, 20), D(2021, 11, 30, 20)), win(2, D(2021, 11, 21, 20), None)) == \
        ("same_start", 95, ("same_service",))
    assert join_candidate(win(1, D(2021, 11, 21, 20), None), win(1, D(2021, 11, 21, 20), None)) is None


def test_a_dateless_notice_is_not_joined_when_two_events_share_its_day():
    notices = [notice(1, published=date(2019, 12, 20)), notice(2, published=date(2020, 12, 20)), notice(3)]
    windows = [window(1, 1, D(2020, 1, 1), D(2020, 1, 3)), window(2, 1, D(2021, 1, 1), D(2021, 1, 3))]
    undated = [{"notice_id": nid(3), "raw_value": "年1月1日"}]
    out = build_events(windows, notices, undated)
    assert all(m["window_no"] is not None for m in out.members)  # year-end stops recur: the day alone is not enough
    one = build_events(windows[:1], notices, undated)
    assert [m["join_rule"] for m in one.members] == ["anchor", "undated_same_day"]


WINDOWS = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["甲市", "乙市"]), st.integers(0, 20), st.integers(0, 72),
              st.sampled_from([None, "刷卡结算", "医保费征收"]), st.booleans()),
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(WINDOWS)
def test_every_window_lands_in_one_event_and_no_event_holds_two_windows_of_a_notice(spec):
    notices = [notice(n, city=None, published=date(2021, 1, n)) for n in range(1, 5)]
    windows = []
    for k, (n, city, day, hours, service, open_end) in enumerate(spec, start=1):
        start = D(2021, 3, 1) + (D(2021, 3, 2) - D(2021, 3, 1)) * day
        end = None if open_end else start + (D(2021, 3, 1, 1) - D(2021, 3, 1)) * hours
        windows.append(window(n, k, start, end, service=service, city=city))
    out = build_events(windows, notices)
    seen = [(m["notice_id"], m["window_no"]) for m in out.members]
    assert sorted(seen) == sorted((w["notice_id"], w["window_no"]) for w in windows)
    by_event: dict[str, list[str]] = {}
    for m in out.members:
        by_event.setdefault(m["event_id"], []).append(m["notice_id"])
    assert all(len(v) == len(set(v)) for v in by_event.values())
    assert {e["event_id"] for e in out.events} == set(by_event)
    for e in out.events:
        assert e["end_at"] is None or e["end_at"] >= e["start_at"]
