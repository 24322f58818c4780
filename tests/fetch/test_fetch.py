"""``python -m pipeline fetch`` against a local HTTP server (never the internet)."""

from __future__ import annotations

import csv
import hashlib
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from pipeline.cli import main
from pipeline.commands.fetch import (
    EXTRA_COLUMNS,
    Fetcher,
    FetchError,
    Policy,
    append_manifest,
    attachment_links,
    check_url,
    extension_for,
    load_sources,
    manifest_header,
    storage_name,
)
from pipeline.runner.manifest import MANIFEST_COLUMNS

GBK_PAGE = (
    '<html><head><meta name="PubDate" content="2022-02-26 10:00"><title>停机通告</title></head>'
    "<body><p>2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台。</p></body></html>"
).encode("gbk")


@pytest.fixture
def server(httpserver):
    """The local server with no robots.txt (404 means everything may be fetched)."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


def fetch(raw: Path, *args: str) -> int:
    """Run the CLI with test-sized politeness (no pause, no backoff, short timeout)."""
    return main(["fetch", *args, "--raw", str(raw), "--delay", "0", "--backoff", "0", "--timeout", "2"])


def manifest(raw: Path) -> list[dict[str, str]]:
    with (raw / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_gbk_page_is_stored_content_addressed_with_provenance(server, tmp_path, capsys):
    server.expect_request("/tz/1.html").respond_with_data(GBK_PAGE, content_type="text/html")
    url = server.url_for("/tz/1.html")
    assert fetch(tmp_path, url, "--city", "西安市") == 0
    [row] = manifest(tmp_path)
    sha = hashlib.sha256(GBK_PAGE).hexdigest()
    assert row["file"] == f"fetched/localhost_{server.port}/{sha[:16]}.html"
    assert (tmp_path / row["file"]).read_bytes() == GBK_PAGE
    assert row["url"] == url and row["final_url"] == url
    assert row["city"] == "西安市"
    assert row["published"] == "2022-02-26"  # from the page's PubDate meta
    assert row["charset"] == "gb18030"  # undeclared GBK, detected
    assert row["sha256"] == sha
    assert row["content_type"] == "text/html"
    assert row["fetched_at"].endswith("Z")
    assert "1 new, 0 unchanged, 0 failed" in capsys.readouterr().out


def test_user_agent_names_the_project(server, tmp_path):
    server.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    fetch(tmp_path, server.url_for("/a.html"))
    agents = {req.headers.get("User-Agent", "") for req, _ in server.log}
    assert agents and all(a.startswith("ybcutover/") for a in agents)


def test_redirect_is_followed_and_recorded(server, tmp_path):
    server.expect_request("/old.html").respond_with_data("", status=301, headers={"Location": "/new.html"})
    server.expect_request("/new.html").respond_with_data(GBK_PAGE, content_type="text/html")
    assert fetch(tmp_path, server.url_for("/old.html")) == 0
    [row] = manifest(tmp_path)
    assert row["url"] == server.url_for("/old.html")
    assert row["final_url"] == server.url_for("/new.html")


def test_redirect_loop_stops(server, tmp_path, capsys):
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    assert fetch(tmp_path, server.url_for("/loop")) == 1
    assert "too many redirects" in capsys.readouterr().err


def test_redirect_to_another_scheme_is_refused(server, tmp_path, capsys):
    server.expect_request("/evil").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    assert fetch(tmp_path, server.url_for("/evil")) == 1
    assert "only http(s)" in capsys.readouterr().err
    assert not (tmp_path / "manifest.csv").exists()


def test_404_fails_without_a_row(server, tmp_path, capsys):
    server.expect_request("/gone.html").respond_with_data("not here", status=404)
    assert fetch(tmp_path, server.url_for("/gone.html")) == 1
    err = capsys.readouterr().err  # a failure is a problem: on stderr
    assert "failed" in err and "HTTP 404 Not Found" in err
    assert not (tmp_path / "manifest.csv").exists()
    assert not (tmp_path / "fetched").exists()


def test_slow_response_hits_the_timeout(server, tmp_path, capsys):
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(GBK_PAGE, content_type="text/html")

    server.expect_request("/slow.html").respond_with_handler(slow)
    started = time.monotonic()
    rc = main(["fetch", server.url_for("/slow.html"), "--raw", str(tmp_path), "--delay", "0", "--timeout", "0.5", "--retries", "0"])
    assert rc == 1
    assert time.monotonic() - started < 1.0
    assert "timed out" in capsys.readouterr().err


def test_transient_error_is_retried(server, tmp_path):
    server.expect_oneshot_request("/busy.html").respond_with_data("busy", status=503)
    server.expect_oneshot_request("/busy.html").respond_with_data(GBK_PAGE, content_type="text/html")
    assert main(["fetch", server.url_for("/busy.html"), "--raw", str(tmp_path), "--delay", "0", "--backoff", "0", "--retries", "1"]) == 0
    assert len(manifest(tmp_path)) == 1


def test_retries_are_bounded(server, tmp_path, capsys):
    server.expect_request("/down.html").respond_with_data("down", status=503)
    assert main(["fetch", server.url_for("/down.html"), "--raw", str(tmp_path), "--delay", "0", "--backoff", "0", "--retries", "2"]) == 1
    assert "HTTP 503" in capsys.readouterr().err
    assert sum(1 for req, _ in server.log if req.path == "/down.html") == 3  # one try and two retries


@pytest.mark.parametrize("announced", [True, False])
def test_oversized_body_is_aborted(server, tmp_path, capsys, announced):
    big = b"%PDF-1.4\n" + b"0" * 5000

    def handler(request: Request) -> Response:
        if announced:
            return Response(big, content_type="application/pdf")
        # streamed without Content-Length: the cap must hold while reading
        return Response((big[i : i + 500] for i in range(0, len(big), 500)), content_type="application/pdf")

    server.expect_request("/big.pdf").respond_with_handler(handler)
    assert fetch(tmp_path, server.url_for("/big.pdf"), "--max-bytes", "1000") == 1
    assert "too large" in capsys.readouterr().err
    assert not (tmp_path / "fetched").exists()


def test_attachments_are_followed_when_asked(server, tmp_path):
    page = (
        '<html><head><meta name="PubDate" content="2022-02-26"></head><body><p>停机通告</p>'
        '<a href="files/%E9%99%84%E4%BB%B61.pdf">附件1：咨询电话</a>'
        '<a href="/download?name=guide.docx">附件2</a>'
        '<a href="other.html">相关文章</a><a href="mailto:a@b.cn">mail</a>'
        '<a href="files/%E9%99%84%E4%BB%B61.pdf#page=2">again</a></body></html>'
    ).encode()
    pdf = b"%PDF-1.4 fake attachment\n%%EOF\n"
    docx = b"PK\x03\x04 word/document.xml fake"
    server.expect_request("/tz/1.html").respond_with_data(page, content_type="text/html; charset=utf-8")
    server.expect_request("/tz/files/附件1.pdf").respond_with_data(pdf, content_type="application/octet-stream")
    server.expect_request("/download").respond_with_data(docx, content_type="application/octet-stream")
    url = server.url_for("/tz/1.html")

    assert fetch(tmp_path, url, "--city", "西安市") == 0
    assert len(manifest(tmp_path)) == 1  # not followed unless asked

    assert fetch(tmp_path, url, "--city", "西安市", "--follow-attachments") == 0
    rows = manifest(tmp_path)
    assert [Path(r["file"]).suffix for r in rows] == [".html", ".pdf", ".docx"]
    for row in rows[1:]:
        assert row["parent_url"] == url
        assert row["city"] == "西安市"
        assert row["published"] == "2022-02-26"  # the page's date, inherited
    assert (tmp_path / rows[1]["file"]).read_bytes() == pdf
    assert not any("other.html" in r["url"] for r in rows)


def test_same_page_twice_adds_nothing(server, tmp_path, capsys):
    server.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    url = server.url_for("/a.html")
    assert fetch(tmp_path, url) == 0
    before = (tmp_path / "manifest.csv").read_bytes()
    capsys.readouterr()
    assert fetch(tmp_path, url) == 0
    assert (tmp_path / "manifest.csv").read_bytes() == before
    assert "0 new, 1 unchanged, 0 failed" in capsys.readouterr().out


def test_page_whose_bytes_change_but_text_does_not_is_unchanged(server, tmp_path, capsys):
    """WeChat and CMS pages embed per-request tokens: that is not a new version of the notice."""
    server.expect_oneshot_request("/w.html").respond_with_data(GBK_PAGE + b"<script>var token='1';</script>", content_type="text/html")
    server.expect_oneshot_request("/w.html").respond_with_data(GBK_PAGE + b"<script>var token='2';</script>", content_type="text/html")
    url = server.url_for("/w.html")
    fetch(tmp_path, url)
    fetch(tmp_path, url)
    assert len(manifest(tmp_path)) == 1
    assert "same text" in capsys.readouterr().out


def test_changed_page_is_kept_as_a_new_version(server, tmp_path):
    url = server.url_for("/a.html")
    server.expect_oneshot_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    fetch(tmp_path, url)
    changed = GBK_PAGE.replace("3月21日".encode("gbk"), "3月22日".encode("gbk"))
    server.expect_oneshot_request("/a.html").respond_with_data(changed, content_type="text/html")
    fetch(tmp_path, url)
    rows = manifest(tmp_path)
    assert len(rows) == 2 and rows[0]["file"] != rows[1]["file"]
    assert (tmp_path / rows[0]["file"]).read_bytes() == GBK_PAGE  # the old version untouched
    assert (tmp_path / rows[1]["file"]).read_bytes() == changed


def test_robots_disallow_is_respected(httpserver, tmp_path, capsys):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/private/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    assert fetch(tmp_path, httpserver.url_for("/private/a.html")) == 1
    assert "disallowed by robots.txt" in capsys.readouterr().err
    assert all(req.path != "/private/a.html" for req, _ in httpserver.log)


def test_robots_txt_server_error_means_do_not_fetch(httpserver, tmp_path, capsys):
    httpserver.expect_request("/robots.txt").respond_with_data("oops", status=500)
    httpserver.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    assert main(["fetch", httpserver.url_for("/a.html"), "--raw", str(tmp_path), "--delay", "0", "--retries", "0"]) == 1
    assert "robots.txt" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.pdf", "javascript:alert(1)", "/relative/path.html", "http:///nohost"])
def test_non_http_url_is_rejected(url, tmp_path, capsys):
    with pytest.raises(FetchError):
        check_url(url)
    assert fetch(tmp_path, url) == 1
    assert "refused" in capsys.readouterr().err
    assert not (tmp_path / "manifest.csv").exists()


def test_existing_manifest_rows_are_kept_and_header_extended(server, tmp_path):
    legacy = "file,url,city,published,fetched_at\nxian.txt,,西安市,2022-02-26,\nxiamen.txt,http://example.cn/a.shtml,,,\n"
    (tmp_path / "manifest.csv").write_text(legacy, encoding="utf-8")
    server.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    fetch(tmp_path, server.url_for("/a.html"))
    rows = manifest(tmp_path)
    assert list(rows[0]) == [*MANIFEST_COLUMNS, *EXTRA_COLUMNS]
    assert rows[0] == {**dict.fromkeys(rows[0], ""), "file": "xian.txt", "city": "西安市", "published": "2022-02-26"}
    assert rows[1]["url"] == "http://example.cn/a.shtml"
    assert len(rows) == 3


def test_fetch_all_refreshes_the_registry(server, tmp_path, capsys):
    server.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    server.expect_request("/missing.html").respond_with_data("", status=404)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - city: 西安市\n    issuer: 西安市医疗保障局\n    urls:\n      - {server.url_for('/a.html')}\n"
        f"      - {server.url_for('/missing.html')}\n",
        encoding="utf-8",
    )
    assert fetch(tmp_path, "--all", "--sources", str(sources)) == 1
    out = capsys.readouterr().out
    assert "1 new, 0 unchanged, 1 failed" in out
    assert manifest(tmp_path)[0]["city"] == "西安市"
    fetch(tmp_path, "--all", "--sources", str(sources))
    assert "0 new, 1 unchanged, 1 failed" in capsys.readouterr().out


def test_shipped_registry_is_empty_and_valid():
    registry = Path(__file__).resolve().parents[2] / "raw" / "sources.yaml"
    assert load_sources(registry) == []


def test_malformed_registry_is_reported(tmp_path, capsys):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - city: 西安市\n", encoding="utf-8")
    assert fetch(tmp_path, "--all", "--sources", str(bad)) == 2
    assert "urls" in capsys.readouterr().err


def test_pause_between_requests_to_one_host(server):
    server.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    slept: list[float] = []
    now = [100.0]
    fetcher = Fetcher(Policy(delay=1.5, retries=0), sleep=slept.append, clock=lambda: now[0])
    fetcher.get(server.url_for("/a.html"))  # robots.txt, then the page: one pause between them
    assert slept == [1.5]


def test_robots_crawl_delay_lengthens_the_pause(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 3\n")
    httpserver.expect_request("/a.html").respond_with_data(GBK_PAGE, content_type="text/html")
    slept: list[float] = []
    fetcher = Fetcher(Policy(delay=0.5, retries=0), sleep=slept.append, clock=lambda: 100.0)
    fetcher.get(httpserver.url_for("/a.html"))
    assert slept == [3.0]


# --- pure helpers ------------------------------------------------------------------------------


def test_extension_prefers_the_bytes():
    assert extension_for(b"%PDF-1.7", "application/octet-stream", "https://x.cn/get?id=1") == "pdf"
    assert extension_for(b"<html><body>x</body></html>", "", "https://x.cn/a") == "html"
    assert extension_for("通告".encode(), "text/plain; charset=utf-8", "https://x.cn/a") == "txt"


def test_storage_name_is_stable():
    assert storage_name("https://YBJ.xa.gov.cn:8080/a", b"abc", "html") == "fetched/ybj.xa.gov.cn_8080/ba7816bf8f01cfea.html"


def test_attachment_links_resolve_against_base():
    page = b'<html><head><base href="https://x.gov.cn/files/"></head><body><a href="a.PDF">a</a><a href="b.html">b</a></body></html>'
    assert attachment_links(page, "https://x.gov.cn/tz/1.html") == ["https://x.gov.cn/files/a.PDF"]


def test_manifest_header_adds_only_missing_columns(tmp_path):
    assert manifest_header(["file", "url", "note"]) == ["file", "url", "note", "city", "published", "fetched_at", *EXTRA_COLUMNS]
    path = tmp_path / "manifest.csv"
    append_manifest(path, [{"file": "a.html", "url": "http://x/a"}])
    append_manifest(path, [{"file": "b.html", "url": "http://x/b"}])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join([*MANIFEST_COLUMNS, *EXTRA_COLUMNS]) and len(lines) == 3
