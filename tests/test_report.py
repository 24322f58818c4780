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
from synthetic import tables, write_synthetic_outputs

from pipeline.cli import main
from pipeline.publish.report import (
    REPORT_NAME,
    esc,
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


def test_esc_and_safe_url():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc(None) == ""
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
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page  # the title shows as text
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
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") > 20
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
    assert [c.h3.get_text(" ", strip=True).split()[0] for c in cards] == [
        "(city", "(city", "丙市", "乙省", "甲市"
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
    from pipeline.publish.report import BARS_PER_LANE, TIMELINE_NOTICES

    drawn = int(run_cli("query", f"""
        SELECT sum(least(n, {BARS_PER_LANE})) FROM (
            SELECT count(*) AS n, bool_or(end_at IS NULL) AS has_open,
                   max(coalesce(end_at, start_at)) - min(start_at) AS span
            FROM outage_windows GROUP BY notice_id ORDER BY has_open DESC, span DESC, notice_id
            LIMIT {TIMELINE_NOTICES})""", "--db", str(shipped_run / "notices.duckdb"), "--format", "csv").stdout.split()[-1])
    timeline = soup.find("svg", id="timeline")
    assert timeline is not None and len(timeline.select("rect.bar")) == drawn > 0

    shot = tmp_path / "report.png"
    snap = chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, profile=tmp_path / "profile-shot")
    assert snap.returncode == 0 and shot.is_file(), snap.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1280, 2000)
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
        province, cities = con.execute(
            "SELECT province, count(*) FROM city_comparison WHERE city_scope = 'city' GROUP BY province "
            "ORDER BY count(*) DESC, province LIMIT 1").fetchone()
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
    review = soup.find(id="review").find_next("table")
    listed = review.select("tbody tr")
    assert len(listed) == 1 and "end_main_window" in listed[0].get_text() and "same_service (30)" in listed[0].get_text()
    assert "low" in listed[0].get("class")
    marked = [r for r in soup.select("rect.bar") if "low" in r.get("class")]
    assert marked, "the low-confidence window's bar carries the 'low' class"
    assert soup.select("table tr.low")  # and its row in the city card is marked
