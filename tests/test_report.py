"""report.html: self-contained, escaped, written atomically, and drawn by a real browser."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from helpers import cli as run_cli
from markupsafe import escape
from synthetic import tables, write_synthetic_outputs

from pipeline.cli import main
from pipeline.publish.report import (
    REPORT_NAME,
    file_href,
    load_report_data,
    render_report,
    safe_url,
    write_report,
)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
EVIL = '<script>alert("x")</script>'

# A notice as a reposting site might serve it, with markup in its title, body and manifest URL.
EVIL_NOTICE = """关于<script>alert("xss")</script>西安市医疗保障局停机切换的通告
各参保单位、参保人员:
西安市医保信息系统将于2021年9月1日0时至9月3日24时停机切换,暂停办理<script>alert(1)</script>医保业务。
停机期间门诊费用由个人先行垫付,待系统恢复后到参保地医保经办机构报销,报销截止2021年12月31日<img src=x onerror=alert(2)>。
咨询电话:<b>新城区医疗保障局</b> 029-87424266
西安市医疗保障局
2021年8月25日
"""


def script_tags(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# helpers


def test_safe_url():
    assert safe_url("https://example.cn/a?b=1") == "https://example.cn/a?b=1"
    assert safe_url(" http://example.cn ") == "http://example.cn"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>", "file:///etc/passwd", "", None):
        assert safe_url(bad) is None


def test_file_href_is_relative_and_quoted(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "sub dir").mkdir(parents=True)
    (raw / "sub dir" / "西安.txt").write_text("x", encoding="utf-8")
    out.mkdir()
    assert file_href("sub dir/西安.txt", raw, out) == "../raw/sub%20dir/%E8%A5%BF%E5%AE%89.txt"
    assert file_href("missing.txt", raw, out) is None
    assert file_href("sub dir/西安.txt", None, out) is None


# ---------------------------------------------------------------------------------------------
# escaping


def test_fixture_notice_with_script_shows_as_text(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "evil-2021-cutover.txt").write_text(EVIL_NOTICE, encoding="utf-8")
    (raw / "manifest.csv").write_text(
        "file,url,city,published,fetched_at\nevil-2021-cutover.txt,javascript:alert(3),,,\n", encoding="utf-8"
    )
    proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    page = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert len(script_tags(page)) == 1  # ours, and nothing the notice brought
    assert str(escape('<script>alert("xss")</script>')) in page  # the title shows as text (escaped by the template engine)
    assert "<img" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("img") and not soup.find_all(onerror=True) and len(soup.find_all("script")) == 1
    assert '<script>alert("xss")</script>' in soup.get_text()  # a reader sees exactly what was printed
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert "javascript:alert(3)" in soup.get_text()  # the bad URL is shown, not linked


def test_every_notice_field_is_escaped(tmp_path):
    codes = {"notice_id", "format", "category", "action", "phone_status", "phone_e164", "rule", "table_name", "stage",
             "confidence", "published_on_confidence", "city_confidence", "end_source"}
    rows = tables()
    for table_rows in rows.values():
        for row in table_rows:
            for key in ("title", "issuer", "condition", "organization", "region"):
                row.setdefault(key, "")
            for key, value in row.items():
                if isinstance(value, str) and key not in codes:
                    row[key] = EVIL + value
    rows["notices"][0]["city"] = EVIL + "甲市"
    rows["notices"][0]["source_url"] = "https://example.cn/?q=<script>"
    rows["guidance"][0]["documents"] = [EVIL]
    out = write_synthetic_outputs(tmp_path, rows)
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test")
    assert len(script_tags(page)) == 1
    assert page.count(str(escape(EVIL))) > 20
    soup = BeautifulSoup(page, "html.parser")
    assert len(soup.find_all("script")) == 1


# ---------------------------------------------------------------------------------------------
# self-contained, atomic, command line


def test_report_loads_nothing_from_anywhere(tmp_path):
    out = write_synthetic_outputs(tmp_path)
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test")
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all(src=True), "no element may load a resource"
    assert not soup.find_all("link")
    assert not soup.find_all("iframe") and not soup.find_all("object")
    assert "@import" not in page and "url(http" not in page
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    for a in soup.find_all("a"):
        assert re.match(r"^(#|https?://|tel:|\.\./|[\w%])", a["href"]), a["href"]


def test_report_shows_cities_windows_contacts_and_repairs(tmp_path):
    out = write_synthetic_outputs(tmp_path)
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test", lang="en")
    soup = BeautifulSoup(page, "html.parser")
    cards = soup.select("section.card")
    # by province, then the province-wide row, then cities (adcode, else pinyin: 丙 bing < 甲 jia); no place last
    assert [c.h3.get_text(" ", strip=True).split()[0] for c in cards] == [
        "丙市", "甲市", "乙省", "(city", "(city"
    ]
    timeline = soup.find("svg", id="timeline")
    assert len(timeline.select("rect.bar")) == 5
    assert len(timeline.select("rect.bar.open")) == 1
    jia = next(c for c in cards if c.h3.get_text().startswith("甲市"))
    assert len(jia.select("tr.bad")) == 2  # the two damaged numbers are flagged
    assert "2022-01-15" in jia.get_text()  # reimbursement deadline
    assert "https://example.cn/jia" in [a["href"] for a in jia.find_all("a")]
    assert len(soup.select("table.repairs tbody tr")) == 4
    assert "broken.pdf" in soup.find(id="errors").find_next("table").get_text()


def test_report_of_empty_tables(tmp_path):
    out = write_synthetic_outputs(tmp_path, {})
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test", lang="en")
    assert "No outage windows." in page
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test")
    assert "没有停机时段。" in page


def test_write_report_is_atomic(tmp_path, monkeypatch):
    out = write_synthetic_outputs(tmp_path)
    write_report(out)
    before = (out / REPORT_NAME).read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_report(out, generated_at="another time")
    assert (out / REPORT_NAME).read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_report_command(tmp_path, capsys):
    out = write_synthetic_outputs(tmp_path / "out")
    assert main(["report", "--out", str(out)]) == 0
    assert '<html lang="zh-CN">' in (out / REPORT_NAME).read_text(encoding="utf-8")
    assert main(["report", "--out", str(out), "--lang", "en"]) == 0
    page = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert BeautifulSoup(page, "html.parser").find("h2", id="compare").text == "Cities side by side"
    assert main(["report", "--out", str(tmp_path / "nothing")]) == 2
    assert "pipeline run" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# a real browser


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--hide-scrollbars",
        # console messages (errors, CSP violations, failed loads) go to stderr as "CONSOLE" lines
        "--enable-logging=stderr", "--v=0",
        # any attempt to resolve a host fails loudly instead of reaching the network
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it)")
def test_report_in_headless_chromium(shipped_run, tmp_path):
    report = shipped_run / REPORT_NAME
    url = report.resolve().as_uri()

    dom = chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "the page logged to the console:\n" + "\n".join(console)
    soup = BeautifulSoup(dom.stdout, "html.parser")
    assert soup.html.get("data-report-ready") == "1", "the inline script did not run to its end"
    assert soup.find(id="city-filter").get("hidden") is None  # the script revealed the filter box

    # the main timeline draws the TIMELINE_NOTICES longest notices, at most BARS_PER_LANE bars each
    from pipeline.publish.report import BARS_PER_LANE, TIMELINE_LANES

    # one lane per city and first-announcing notice, events only (reposts are not lanes of their own)
    drawn = int(run_cli("query", f"""
        SELECT sum(least(n, {BARS_PER_LANE})) FROM (
            SELECT count(*) AS n, bool_or(end_at IS NULL) AS has_open,
                   max(coalesce(end_at, start_at)) - min(start_at) AS span
            FROM counted_events GROUP BY city_label, notice_ids[1] ORDER BY has_open DESC, span DESC, city_label, notice_ids[1]
            LIMIT {TIMELINE_LANES})""", "--db", str(shipped_run / "notices.duckdb"), "--format", "csv").stdout.split()[-1])
    timeline = soup.find("svg", id="timeline")
    assert timeline is not None and len(timeline.select("rect.bar")) == drawn > 0

    shot = tmp_path / "report.png"
    snap = chromium(f"--screenshot={shot}", "--window-size=1400,2000", url, profile=tmp_path / "profile-shot")
    assert snap.returncode == 0 and shot.is_file(), snap.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1400, 2000)
        # the bars' colours (#c0392b everything stops, #e67e22 some services) are on screen
        colours = {c for _, c in rgb.getcolors(maxcolors=1 << 20)}
        assert {(0xC0, 0x39, 0x2B), (0xE6, 0x7E, 0x22)} & colours, "no timeline bar was painted"


def test_every_run_writes_report_and_datapackage(shipped_run):
    assert (shipped_run / REPORT_NAME).stat().st_size > 10_000
    assert (shipped_run / "datapackage.json").is_file()
    leftovers = [p.name for p in shipped_run.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
    assert leftovers == []



@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it)")
def test_chinese_report_and_province_filter_in_headless_chromium(shipped_run, tmp_path):
    import duckdb

    report = shipped_run / REPORT_NAME
    con = duckdb.connect(str(shipped_run / "notices.duckdb"), read_only=True)
    try:
        days = con.execute("SELECT count(*) FROM national_daily_outages").fetchone()[0]
        province, cities = con.execute(  # the province with the most cities, and all its rows (province-wide ones too)
            "SELECT province, count(*) FROM city_comparison WHERE province IS NOT NULL GROUP BY province "
            "ORDER BY count(*) FILTER (WHERE city_scope = 'city') DESC, province LIMIT 1").fetchone()
    finally:
        con.close()

    dom = chromium("--dump-dom", report.resolve().as_uri(), profile=tmp_path / "profile-zh")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    soup = BeautifulSoup(dom.stdout, "html.parser")
    assert soup.html.get("lang") == "zh-CN" and soup.html.get("data-report-ready") == "1"
    page = soup.get_text(" ")
    for heading in ("全国概况", "各省上线日历", "覆盖情况", "最长停机", "城市对比", "各城市详情"):
        assert heading in page, heading
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", page), "dates are written the Chinese way"
    assert re.search(r"\d+天(\d+小时)?", page), "durations are written the Chinese way"
    chart = soup.find("svg", id="national-chart")
    assert chart is not None and len(chart.select("rect.day")) == days > 0  # a bar for every day with an outage

    # the province filter, opened from the address as a shared link would
    url = report.resolve().as_uri() + "#province=" + quote(province)
    dom = chromium("--dump-dom", url, profile=tmp_path / "profile-filter")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    soup = BeautifulSoup(dom.stdout, "html.parser")
    assert soup.html.get("data-province-filter") == province
    shown = [tr for tr in soup.select("table.compare tbody tr") if tr.get("hidden") is None]
    assert len(shown) == cities and {tr["data-province"] for tr in shown} == {province}
    others = [el for el in soup.select("[data-province]") if el["data-province"] != province]
    assert others and all(el.get("hidden") is not None for el in others)
    cards = [c for c in soup.select("section.card") if c.get("hidden") is None]
    assert cards and all(c["data-province"] == province for c in cards)


def test_low_confidence_windows_are_marked_and_listed_for_review(tmp_path):
    rows = tables()
    low = rows["outage_windows"][0]
    low["confidence"], low["confidence_reasons"] = "low", ["end_main_window"]
    low["end_alternatives"] = "2022-03-01T00:00 same_service (30)"
    out = write_synthetic_outputs(tmp_path, rows)
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test")
    soup = BeautifulSoup(page, "html.parser")
    review = soup.find("table", class_="review")
    listed = review.select("tbody tr")
    # reasons and the losing end in Chinese; the codes are not shown to a Chinese reader
    assert len(listed) == 1 and "本项未写结束时间，取主停机时段的结束时间" in listed[0].get_text()
    assert "2022年3月1日 00:00（同一业务的恢复说明，30分）" in listed[0].get_text()
    assert "end_main_window" not in listed[0].get_text() and "same_service" not in listed[0].get_text()
    assert "low" in listed[0].get("class")
    # its event takes its values from a low-confidence window: marked for review, its bar dashed
    marked = [r for r in soup.select("rect.bar") if "low" in r.get("class")]
    assert marked, "the event's bar carries the 'low' class"
    assert "所用时间来自低可信度时段" in soup.find("table", class_="review-events").get_text()
    assert soup.select("table tr.low")  # and its row in the city card is marked


# ---------------------------------------------------------------------------------------------
# Chinese where a regulator reads, order, calendar, time stamp (issue 18)

SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # end_main_window, outage_windows, year_unresolved …


def reader_text(soup: BeautifulSoup) -> str:
    """What a reader sees: the page's text without file names (<code>), the script and the style."""
    for tag in soup.find_all(["code", "script", "style"]):
        tag.decompose()
    return soup.get_text(" ")


def test_the_chinese_page_shows_no_code_where_a_reader_looks(tmp_path):
    from synthetic import tables

    rows = tables()
    rows["outage_windows"][0].update(confidence="low", confidence_reasons=["end_other_resumption", "year_printed"],
                                     end_alternatives="2021-09-05T00:00 general_resumption+same_section (24)")
    rows["repairs"] += [
        {"notice_id": rows["notices"][0]["notice_id"], "table_name": "notices", "column_name": "text",
         "raw_value": "首页 » 常识 » 预防", "repaired_value": None, "rule": "spam_line_dropped",
         "evidence": "page chrome or repost-site line"},
        {"notice_id": rows["notices"][0]["notice_id"], "table_name": "outage_windows", "column_name": "end_at",
         "raw_value": "10月8日8:00", "repaired_value": "2021-10-08T08:00", "rule": "year_from_publication",
         "evidence": "publication date 2021-09-09 (signature date: 2021年9月9日)"},
    ]
    out = write_synthetic_outputs(tmp_path, rows)
    soup = BeautifulSoup(render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test"), "html.parser")
    repairs = soup.find("table", class_="repairs")
    spam = next(tr for tr in repairs.select("tbody tr") if "首页" in tr.get_text())
    assert "已删除该行" in spam.get_text() and "无法修复" not in soup.get_text()
    dated = next(tr for tr in repairs.select("tbody tr") if "10月8日8:00" in tr.get_text())
    cells = [td.get_text() for td in dated.find_all("td")]
    assert cells[2] == "停机时段 · 恢复时间" and cells[4] == "2021年10月8日 08:00" and cells[5] == "年份取自发布日期"
    assert cells[6] == "发布日期2021年9月9日（落款日期：2021年9月9日）"
    from pipeline.publish.evidence_zh import has_english_prose

    assert not [c for c in repairs.select("td.ev") if has_english_prose(c.get_text())]  # synthetic evidence too
    review = soup.find("table", class_="review").get_text()
    assert "结束时间取自另一部分业务的恢复时间" in review and "年份均已印出" in review
    leaked = SNAKE_CODE.findall(reader_text(soup))
    assert leaked == [], f"codes shown to a Chinese reader: {sorted(set(leaked))}"


def test_the_english_page_keeps_its_english(tmp_path):
    out = write_synthetic_outputs(tmp_path)
    page = render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test", lang="en")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("h2", id="revisions").get_text() == "Changes between announcements"
    assert "year of the range's start" in soup.find("table", class_="repairs").get_text()  # the evidence as logged


def test_calendar_has_one_block_per_year_with_data_latest_first(tmp_path):
    out = write_synthetic_outputs(tmp_path)  # events in 2018, 2021 and 2022
    soup = BeautifulSoup(render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test"), "html.parser")
    blocks = soup.select(".cal-years .cal-year")
    assert [b["data-year"] for b in blocks] == ["2022", "2021", "2018"]
    y2021 = blocks[1]
    (row,) = y2021.select("tbody tr")
    cells = row.select("td.m")
    assert row["data-province"] == "丁省" and len(cells) == 12
    assert cells[8].get_text() == "1" and "m0" not in cells[8]["class"]  # September: 甲市 starts its stops
    assert all(c.get_text() == "" for i, c in enumerate(cells) if i != 8)
    assert not soup.select(".calendar-scroll, div.scroll")  # no horizontally scrolling box


def test_cities_are_ordered_by_adcode(tmp_path):
    from synthetic import tables

    rows = tables()
    places = {"jia-1.txt": ("青岛市", "山东省"), "sub/jia-2.txt": ("青岛市", "山东省"), "bing.txt": ("西安市", "陕西省"),
              "x.txt": ("济南市", "山东省")}
    for n in rows["notices"]:
        if n["source_file"] in places:
            n["city"], n["province"] = places[n["source_file"]]
    out = write_synthetic_outputs(tmp_path, rows)
    soup = BeautifulSoup(render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test"), "html.parser")
    labels = [tr.td.get_text(strip=True) for tr in soup.select("table.compare tbody tr")]
    # 济南市 370100, 青岛市 370200, 西安市 610100; by code point 西 (U+897F) would come before 青 (U+9752)
    assert labels[:3] == ["济南市", "青岛市", "西安市"]
    options = [o.get_text() for o in soup.select("#province-filter option")][1:]
    assert options.index("山东省") < options.index("陕西省")


def test_the_page_is_stamped_in_beijing_time(tmp_path):
    import datetime as dt

    out = write_synthetic_outputs(tmp_path)
    before = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None, second=0, microsecond=0)
    footer = BeautifulSoup(render_report(load_report_data(out / "notices.duckdb"), out), "html.parser").footer.get_text()
    m = re.search(r"生成于(\d{4})年(\d{1,2})月(\d{1,2})日 (\d\d):(\d\d)（北京时间，UTC\+8）", footer)
    assert m, footer
    stamped = dt.datetime(*map(int, m.groups()))
    assert before <= stamped <= before + dt.timedelta(minutes=2)


def test_revisions_are_listed_with_what_moved_and_by_how_much(tmp_path):
    from datetime import date, datetime

    from synthetic import NID_A1, notice, tables, window

    rows = tables()
    rows["notices"][0]["published_on"] = date(2021, 8, 20)
    later = "e1" * 8
    rows["notices"].append(notice(later, "jia-follow-up.txt", "甲市", "丁省", published_on=date(2021, 8, 30)))
    rows["outage_windows"].append(window(later, 1, datetime(2021, 8, 31, 21, 0), datetime(2021, 9, 3, 0, 0),
                                         evidence="停机时间提前至8月31日21时"))
    out = write_synthetic_outputs(tmp_path, rows)
    soup = BeautifulSoup(render_report(load_report_data(out / "notices.duckdb"), out, generated_at="test"), "html.parser")
    (row,) = soup.select("table.revisions tbody tr")
    text_ = row.get_text(" ")
    assert "提前" in text_ and "后发通知改动" in text_ and "停机开始时间" in text_ and "提前3小时" in text_
    assert "2021年9月1日 00:00" in text_ and "2021年8月31日 21:00" in text_ and "2021年8月30日" in text_
    assert [c.get_text() for c in row.find_all("code")] == ["jia-1.txt", "jia-follow-up.txt"]
    assert NID_A1  # the first announcement is the anchor: its file is the "from" side


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it)")
def test_printed_report_shows_the_rollout_years_whole(shipped_run, tmp_path):
    """Printed to PDF by headless Chromium: A4 landscape, and the calendar's busiest years (2021–22)
    are on paper in full — every province of them on one line, all twelve months — with no
    scrolling box to cut them off. (Only counts and names of the calendar's own rows are compared:
    the shipped corpus holds notices nobody may read.)"""
    import duckdb
    import pdfplumber

    con = duckdb.connect(str(shipped_run / "notices.duckdb"), read_only=True)
    try:
        provinces = {year: {p or "（省份不详）" for (p,) in con.execute(
            "SELECT DISTINCT nullif(province, '(province unknown)') FROM province_rollout_calendar WHERE year(month) = ?",
            [year]).fetchall()} for year in (2021, 2022)}
    finally:
        con.close()
    assert provinces[2021] and provinces[2022]
    pdf = tmp_path / "report.pdf"
    printed = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (shipped_run / REPORT_NAME).resolve().as_uri(),
                       profile=tmp_path / "profile-pdf")
    assert printed.returncode == 0 and pdf.is_file(), printed.stderr[-2000:]
    with pdfplumber.open(pdf) as doc:
        first = doc.pages[0]
        assert (round(first.width), round(first.height)) == (842, 595)  # A4 landscape, in points
        pages = [p.extract_text() or "" for p in doc.pages[:12]]
    start = next(i for i, t in enumerate(pages) if "各省上线日历" in t)
    calendar = "\n".join(pages[start:start + 3])
    calendar = calendar[calendar.index("各省上线日历"):calendar.index("覆盖情况") if "覆盖情况" in calendar else None]
    for year in (2021, 2022):
        assert re.search(rf"\b{year} · \d+个停机事件", calendar), f"the {year} block is not on paper"
    lines = calendar.splitlines()
    for name in provinces[2021] | provinces[2022]:  # 内蒙古自治区 on one line, not a column of characters
        assert any(name in line for line in lines), "a province name is split on paper"
    assert "1 2 3 4 5 6 7 8 9 10 11 12" in calendar  # the twelve months, none cut off


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it)")
def test_screenshot_at_1400_pixels_shows_the_latest_year_first(tmp_path):
    """The calendar at 1,400 px: blocks wrap instead of scrolling sideways, the latest year first
    (synthetic tables: blocks 2022, 2021, 2018 side by side in the first row)."""
    from PIL import Image

    out = write_synthetic_outputs(tmp_path / "out")
    write_report(out)
    shot = tmp_path / "report.png"
    snap = chromium(f"--screenshot={shot}", "--window-size=1400,1600", (out / REPORT_NAME).resolve().as_uri(),
                    profile=tmp_path / "profile")
    assert snap.returncode == 0 and shot.is_file(), snap.stderr[-2000:]
    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1400, 1600)
        # the month cells of starting stops are shaded #fcd9cc … #b2182b: find them
        shaded = {(x, y) for x in range(0, 1400, 2) for y in range(0, 1600, 2)
                  if rgb.getpixel((x, y)) in {(0xFC, 0xD9, 0xCC), (0xF4, 0xA5, 0x82), (0xD6, 0x60, 0x4D), (0xB2, 0x18, 0x2B)}}
    assert shaded, "no calendar cell painted"
    xs = sorted({x for x, _ in shaded})
    ys = sorted({y for _, y in shaded})
    assert xs[-1] < 1400 - 24  # nothing cut off at the right edge
    # three blocks side by side in one row: three clusters of shaded cells, far apart, at one height
    clusters = 1 + sum(1 for a, b in zip(xs, xs[1:]) if b - a > 60)
    assert clusters == 3 and ys[-1] - ys[0] < 40
