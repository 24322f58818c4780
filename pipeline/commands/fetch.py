"""``python -m pipeline fetch``: download notices into the raw folder, with provenance.

    python -m pipeline fetch URL... [--raw DIR] [--city 西安市] [--follow-attachments]
    python -m pipeline fetch --all [--sources raw/sources.yaml]

Each download is stored once under a content-addressed name, ``fetched/<host>/<sha256[:16]>.<ext>``,
and recorded in ``raw/manifest.csv`` (``file,url,city,published,fetched_at`` plus
``sha256,content_type,charset,final_url,parent_url``). Fetching unchanged content again adds
nothing; changed content becomes a new file beside the old one, which is never overwritten.

The client is polite and defensive: it names itself in its User-Agent, obeys robots.txt, sends
one request at a time with a pause between requests to the same host, retries transient
failures a bounded number of times with exponential backoff, follows at most a few redirects
(each checked again), refuses anything but http(s), stops reading a body past a size cap, and
gives every request a total deadline (headers and body: a server that drips one byte a second
is cut off at it, :class:`_Deadline`). The source registry is YAML read safely, with limits on
its size and on aliases (:func:`load_sources`).

The fetch functions take plain arguments and return plain results; only :func:`fetch_command`
(the CLI) writes files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import logging
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from pipeline import __version__
from pipeline.document import ReadError
from pipeline.read import read_document, sniff_format
from pipeline.runner.atomic import atomic_write_bytes, remove_stale_temporaries
from pipeline.runner.manifest import MANIFEST_COLUMNS, MANIFEST_NAME
from pipeline.runner.textio import UndecodableText, decode_table_text
from pipeline.settings import DEFAULT_RAW

log = logging.getLogger(__name__)

SOURCES_NAME = "sources.yaml"
EXTRA_COLUMNS = ("sha256", "content_type", "charset", "final_url", "parent_url")
USER_AGENT = f"ybcutover/{__version__} (medical-insurance cutover notice archiver; one request at a time; obeys robots.txt)"

_REDIRECTS = {301, 302, 303, 307, 308}
_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
_NOT_DOCUMENTS = ("image/", "video/", "audio/", "font/")


class FetchError(Exception):
    """A URL that could not be fetched; the message says why, for the per-URL report."""


class TooLarge(FetchError):
    """The body is over the size cap: retrying will not help."""


class _Transient(FetchError):
    """A failure worth retrying: a timeout or a dropped connection."""


@dataclass(frozen=True)
class Policy:
    """How hard and how politely to fetch. Defaults suit a government site; tests shrink them."""

    timeout: float = 20.0  # seconds to connect, and between two reads of the body
    total_timeout: float = 120.0  # seconds for a whole response, headers and body (a server dripping bytes)
    retries: int = 2  # further attempts after a timeout, a dropped connection, 429 or 5xx
    backoff: float = 2.0  # seconds before the first retry; doubled for each further one
    max_bytes: int = 20 * 1024 * 1024
    delay: float = 1.0  # seconds between two requests to the same host
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Response:
    """A fetched body and what the server said about it."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes


def check_url(url: str) -> str:
    """Accept only absolute http(s) URLs.

    >>> check_url("https://ybj.xa.gov.cn/a.html")
    'https://ybj.xa.gov.cn/a.html'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    pipeline.commands.fetch.FetchError: refused: only http(s) URLs are fetched, not 'file'
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchError(f"refused: only http(s) URLs are fetched, not {parts.scheme or 'a relative path'!r}")
    if not parts.hostname:
        raise FetchError("refused: URL has no host")
    return url.strip()


def _retry_after(value: str | None, cap: float = 60.0) -> float | None:
    """The seconds a ``Retry-After`` header asks for (an HTTP date is also understood); capped so a
    server cannot stall us.

    >>> _retry_after("5"), _retry_after("3600"), _retry_after(None)
    (5.0, 60.0, None)
    """
    if not value:
        return None
    try:
        return min(cap, max(0.0, float(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(cap, max(0.0, (when - datetime.now(timezone.utc)).total_seconds()))


def _origin(url: str) -> str:
    """What one robots.txt governs.

    >>> _origin("https://YBJ.xa.gov.cn/a/b.html")
    'https://ybj.xa.gov.cn'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _host(url: str) -> str:
    """One server, whatever the scheme or port.

    >>> _host("https://ybj.xa.gov.cn:8443/a")
    'ybj.xa.gov.cn'
    """
    return (urlsplit(url).hostname or "").lower()


# --- a total deadline per request -----------------------------------------------------------------
#
# requests (urllib3) only has per-read timeouts: a server that sends one byte every few seconds,
# in its headers or its body, keeps a request alive for ever. Neither requests, urllib3 nor httpx
# has a total deadline, so it is added here: the connections a request uses are noted (the
# connection classes below note themselves when they send a request), and a timer shuts their
# sockets down when the deadline passes, which ends any read blocked on them at once.


class _Deadline:
    """A total time limit for one request: when it passes, the request's sockets are shut down.

    ``with _Deadline(120) as deadline: session.get(…)`` — then ``deadline.expired`` tells a
    connection error caused by the deadline from a real one.
    """

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Deadline:
        self._previous = getattr(self._current, "deadline", None)
        self._current.deadline = self
        if self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._current.deadline = self._previous

    @classmethod
    def note(cls, connection: HTTPConnection) -> None:
        """Called by a connection as it sends a request: the current deadline (if any) watches it."""
        deadline = getattr(cls._current, "deadline", None)
        if deadline is not None:
            with deadline._lock:
                deadline._connections.append(connection)
                expired = deadline.expired
            if expired:
                deadline._shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            self._shut(connection)

    @staticmethod
    def _shut(connection: HTTPConnection) -> None:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args, **kwargs):  # type: ignore[override]
        _Deadline.note(self)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args, **kwargs):  # type: ignore[override]
        _Deadline.note(self)
        return super().request(*args, **kwargs)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections a :class:`_Deadline` can cut off (also through a proxy)."""

    _POOLS = {"http": _WatchedPool, "https": _WatchedHTTPSPool}

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(self._POOLS)
        return manager


class Fetcher:
    """One polite HTTP client for a run: robots.txt per host, a pause per host, bounded retries.

    Requests are made one at a time (the CLI fetches sequentially), so there is never more
    than one request in flight to any host.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or Policy()
        self.session = session or requests.Session()
        adapter = _DeadlineAdapter(max_retries=0)  # retries are ours (_request), with backoff
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = self.policy.user_agent
        self.session.max_redirects = self.policy.max_redirects  # robots.txt is fetched with redirects followed
        self._sleep, self._clock = sleep, clock
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    # -- politeness -------------------------------------------------------------------------

    def _pause(self, url: str) -> None:
        """Wait until ``delay`` (or the site's robots.txt ``Crawl-delay``, up to 30 s) has passed
        since the last request to this host."""
        robots = self._robots.get(_origin(url))
        crawl_delay = robots.crawl_delay(self.policy.user_agent) if robots is not None else None
        delay = max(self.policy.delay, min(float(crawl_delay or 0), 30.0))
        last = self._last.get(_host(url))
        if last is not None and (wait := delay - (self._clock() - last)) > 0:
            self._sleep(wait)

    def _robots_for(self, url: str) -> RobotFileParser:
        host = _origin(url)
        if host not in self._robots:
            parser = RobotFileParser()
            robots_url = f"{host}/robots.txt"
            try:
                status, _, body, _ = self._request(robots_url, max_bytes=512 * 1024, follow=True)
            except FetchError as exc:
                raise FetchError(f"robots.txt could not be read ({exc}): not fetching from {host}") from exc
            if status in (401, 403):
                parser.disallow_all = True
            elif 400 <= status < 500:
                parser.allow_all = True  # no robots.txt: everything is allowed
            elif status >= 500:
                raise FetchError(f"robots.txt answered HTTP {status}: not fetching from {host} until it works")
            else:
                parser.parse(body.decode("utf-8", "replace").splitlines())
            parser.modified()  # mark as read, or can_fetch() answers False for everything
            self._robots[host] = parser
        return self._robots[host]

    def allowed(self, url: str) -> bool:
        """Does the host's robots.txt let this client fetch ``url``?"""
        return self._robots_for(url).can_fetch(self.policy.user_agent, url)

    # -- transport --------------------------------------------------------------------------

    def _read_capped(self, resp: requests.Response, max_bytes: int) -> bytes:
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(f"too large: {int(declared)} bytes announced, the cap is {max_bytes}")
        started = self._clock()
        buf = bytearray()
        for chunk in resp.iter_content(64 * 1024):
            buf += chunk
            if len(buf) > max_bytes:
                raise TooLarge(f"too large: more than {max_bytes} bytes, download aborted")
            if self._clock() - started > self.policy.total_timeout:
                raise _Transient(f"timed out: body not complete after {self.policy.total_timeout:g} s")
        return bytes(buf)

    def _attempt(self, url: str, max_bytes: int, follow: bool) -> tuple[int, str, bytes, str, float | None]:
        """One GET: ``(status, content_type, body, url, retry_after)``. Transient failures raise
        :class:`_Transient`; a redirect (unless ``follow``) has an empty body and its target as url.

        The whole exchange — headers and body — must end within ``total_timeout`` seconds
        (:class:`_Deadline`); each read within ``timeout``.
        """
        total = self.policy.total_timeout
        late = f"timed out: no complete response within {total:g} s (--total-timeout)"
        with _Deadline(total) as deadline:
            try:
                resp = self.session.get(url, stream=True, timeout=(self.policy.timeout, self.policy.timeout),
                                        allow_redirects=follow)
            except requests.Timeout as exc:
                raise _Transient(late if deadline.expired else f"timed out: no response within {self.policy.timeout:g} s") from exc
            except requests.RequestException as exc:
                raise _Transient(late if deadline.expired else f"connection failed: {type(exc).__name__}") from exc
            with resp:
                if resp.status_code in _REDIRECTS and not follow:
                    return resp.status_code, "", b"", urljoin(url, resp.headers.get("Location", "")), None
                if resp.status_code >= 400:
                    return resp.status_code, "", b"", url, _retry_after(resp.headers.get("Retry-After"))
                try:
                    body = self._read_capped(resp, max_bytes)
                except requests.RequestException as exc:  # the connection dropped or stalled mid-body
                    if deadline.expired:
                        raise _Transient(late) from exc
                    stalled = "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()
                    raise _Transient("timed out while reading the body" if stalled else f"connection lost: {type(exc).__name__}") from exc
                if deadline.expired:  # a body without a length, cut off by the deadline: not complete
                    raise _Transient(late)
                return resp.status_code, resp.headers.get("Content-Type", ""), body, resp.url or url, None

    def _request(self, url: str, max_bytes: int | None = None, follow: bool = False) -> tuple[int, str, bytes, str]:
        """GET with bounded retries and exponential backoff: ``(status, content_type, body, url)``.

        Timeouts, dropped connections, 429 and 5xx are retried (after ``Retry-After`` when the
        server sends one); the size cap and 4xx are final.
        """
        max_bytes = self.policy.max_bytes if max_bytes is None else max_bytes
        for attempt in range(self.policy.retries + 1):
            last = attempt == self.policy.retries
            if attempt:
                self._sleep(self.policy.backoff * 2 ** (attempt - 1))
            self._pause(url)
            try:
                status, content_type, body, final, retry_after = self._attempt(url, max_bytes, follow)
            except _Transient:
                if last:
                    raise
                continue
            finally:
                self._last[_host(url)] = self._clock()  # the pause counts from the end of a request
            if status in _TRANSIENT and not last:
                if retry_after:
                    self._sleep(retry_after)
                continue
            return status, content_type, body, final
        raise AssertionError("unreachable: the last attempt returns or raises")

    def get(self, url: str) -> Response:
        """Fetch ``url`` following up to ``max_redirects`` redirects, each target checked for
        scheme and robots.txt; raise :class:`FetchError` on any failure."""
        current = check_url(url)
        for _ in range(self.policy.max_redirects + 1):
            if not self.allowed(current):
                raise FetchError(f"disallowed by robots.txt: {current}")
            status, content_type, body, location = self._request(current)
            if status in _REDIRECTS:
                current = check_url(location)
                continue
            if status >= 400:
                try:
                    reason = HTTPStatus(status).phrase
                except ValueError:
                    reason = ""
                raise FetchError(f"HTTP {status} {reason}".strip())
            if content_type.lower().startswith(_NOT_DOCUMENTS):
                raise FetchError(f"not a document: {content_type}")
            return Response(url=url, final_url=current, status=status, content_type=content_type, body=body)
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects})")


# --- what a download is -------------------------------------------------------------------------

_SUFFIX_EXT = {".htm": "html", ".html": "html", ".shtml": "html", ".txt": "txt", ".pdf": "pdf", ".docx": "docx", ".doc": "doc"}


def extension_for(body: bytes, content_type: str, url: str) -> str:
    """File extension from the bytes first (servers mislabel PDFs), then the Content-Type, then the URL.

    >>> extension_for(b"%PDF-1.7", "application/octet-stream", "https://x.cn/get?id=1")
    'pdf'
    """
    suffix = Path(unquote(urlsplit(url).path)).suffix.lower()
    fmt = sniff_format(body, suffix)
    if fmt in {"pdf", "docx", "doc", "zip", "html"}:
        return fmt
    mime = content_type.split(";")[0].strip().lower()
    if mime in {"text/html", "application/xhtml+xml"}:
        return "html"
    if mime == "text/plain":
        return "txt"
    return _SUFFIX_EXT.get(suffix, "bin")


def storage_name(url: str, body: bytes, ext: str) -> str:
    """Content-addressed path under the raw folder: the same bytes always get the same name.

    >>> storage_name("https://YBJ.xa.gov.cn:8080/a", b"abc", "html")
    'fetched/ybj.xa.gov.cn_8080/ba7816bf8f01cfea.html'
    """
    host = (urlsplit(url).netloc.rsplit("@", 1)[-1] or "unknown").lower().replace(":", "_")
    host = re.sub(r"[^a-z0-9._-]", "_", host)
    return f"fetched/{host}/{hashlib.sha256(body).hexdigest()[:16]}.{ext}"


_ATTACHMENT = re.compile(r"\.(pdf|docx?)$", re.I)
_ATTACHMENT_IN_QUERY = re.compile(r"\.(pdf|docx?)(?:$|[&#;])", re.I)


def attachment_links(body: bytes, base_url: str) -> list[str]:
    """Absolute http(s) URLs of PDF/DOC/DOCX files an HTML page links to, in page order, once each.

    >>> attachment_links('<a href="../files/附件1.pdf">附件1</a>'.encode(), "https://x.gov.cn/tz/1.html")
    ['https://x.gov.cn/files/附件1.pdf']
    """
    from bs4 import BeautifulSoup

    from pipeline.read.html import decode_html

    text, _ = decode_html(body)
    soup = BeautifulSoup(text, "lxml")
    base = soup.find("base", href=True)
    if base is not None:
        base_url = urljoin(base_url, str(base["href"]))
    found: list[str] = []
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            continue
        label = a.get_text(" ", strip=True)
        if _ATTACHMENT.search(unquote(parts.path)) or _ATTACHMENT_IN_QUERY.search(unquote(parts.query)) or _ATTACHMENT.search(label):
            url = url.split("#", 1)[0]
            if url not in found:
                found.append(url)
    return found


def html_facts(body: bytes, source: str = "page.html") -> tuple[str, str]:
    """``(charset, published date)`` of an HTML page, as the reader sees them; ``""`` when unknown."""
    from pipeline.read.html import decode_html, read_html

    try:
        _, charset = decode_html(body)
        published = read_html(body, source).meta.get("published", "")
    except ReadError:
        return "", ""
    return charset, published[:10]


# --- deciding new / unchanged ----------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one URL: ``new`` (with the bytes to store and the manifest row),
    ``unchanged`` or ``failed``."""

    url: str
    status: str
    detail: str = ""
    file: str = ""
    body: bytes | None = field(default=None, repr=False)
    row: dict[str, str] | None = None


def _same_text(old: Path, new_body: bytes, name: str) -> bool:
    """Do two versions read to the same lines? Pages re-rendered with new tokens or ad slots count as unchanged."""
    try:
        before = read_document(old, name)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(new_body)
            after = read_document(path, name)
    except (ReadError, OSError):
        return False
    return before.lines == after.lines and before.tables == after.tables


def classify(
    resp: Response, rows: list[dict[str, str]], raw_dir: Path, city: str = "", parent_url: str = "", fetched_at: str | None = None
) -> Outcome:
    """Decide whether a download is new; build its manifest row if it is. Reads, never writes.

    Unchanged: a manifest row already holds these bytes (same sha256 or same content-addressed
    file), or the latest version stored for this URL reads to the same text.
    """
    ext = extension_for(resp.body, resp.content_type, resp.final_url)
    name = storage_name(resp.final_url, resp.body, ext)
    sha = hashlib.sha256(resp.body).hexdigest()
    for row in rows:
        if row.get("sha256") == sha or row.get("file") == name:
            return Outcome(resp.url, "unchanged", "same bytes as before", file=row.get("file", name))
    previous = [row for row in rows if row.get("url") == resp.url and row.get("sha256")]
    if previous:
        last = previous[-1]
        old = raw_dir / last["file"]
        if old.is_file() and _same_text(old, resp.body, name):
            return Outcome(resp.url, "unchanged", "same text as before (page bytes differ)", file=last["file"])
    charset, published = html_facts(resp.body, name) if ext == "html" else ("", "")
    row = {
        "file": name,
        "url": resp.url,
        "city": city,
        "published": published,
        "fetched_at": fetched_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": sha,
        "content_type": resp.content_type,
        "charset": charset,
        "final_url": resp.final_url,
        "parent_url": parent_url,
    }
    detail = "changed since the last fetch, kept as a new version" if previous else ""
    return Outcome(resp.url, "new", detail, file=name, body=resp.body, row=row)


def fetch_url(
    fetcher: Fetcher,
    url: str,
    rows: list[dict[str, str]],
    raw_dir: Path,
    city: str = "",
    follow_attachments: bool = False,
) -> list[Outcome]:
    """Fetch one URL (and, if asked, the PDF/DOC/DOCX files its page links to).

    ``rows`` are the manifest rows known so far; outcomes of attachments follow the page's.
    Attachments inherit the page's city and publication date, and name the page as parent.
    """
    try:
        resp = fetcher.get(url)
    except FetchError as exc:
        return [Outcome(url, "failed", str(exc))]
    page = classify(resp, rows, raw_dir, city)
    outcomes = [page]
    ext = extension_for(resp.body, resp.content_type, resp.final_url)
    if follow_attachments and ext == "html":
        known = rows + [o.row for o in outcomes if o.row]
        published = page.row["published"] if page.row else html_facts(resp.body)[1]
        for link in attachment_links(resp.body, resp.final_url):
            try:
                got = fetcher.get(link)
            except FetchError as exc:
                outcomes.append(Outcome(link, "failed", str(exc)))
                continue
            outcome = classify(got, known, raw_dir, city, parent_url=resp.final_url)
            if outcome.row is not None:
                outcome.row["published"] = outcome.row["published"] or published
                known.append(outcome.row)
            outcomes.append(outcome)
    return outcomes


# --- the manifest ----------------------------------------------------------------------------------


def read_manifest_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """``(header, rows)`` of a manifest as stored, whatever its encoding (Excel saves GBK); a
    missing file → the contract header, no rows. Raises ``ValueError`` for a file that is not
    text in any encoding a manifest comes in."""
    if not path.exists():
        return list(MANIFEST_COLUMNS), []
    try:
        text, _ = decode_table_text(path.read_bytes())
    except UndecodableText as exc:
        raise ValueError(f"{path} cannot be read ({exc}): save it as CSV in UTF-8 and run again") from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    return list(reader.fieldnames or MANIFEST_COLUMNS), rows


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def manifest_header(existing: list[str]) -> list[str]:
    """The existing header plus any contract or provenance column it lacks, in that order.

    >>> manifest_header(["file", "url", "city", "published", "fetched_at"])[5:]
    ['sha256', 'content_type', 'charset', 'final_url', 'parent_url']
    """
    return existing + [c for c in (*MANIFEST_COLUMNS, *EXTRA_COLUMNS) if c not in existing]


def append_manifest(path: Path, new_rows: Iterable[dict[str, str]]) -> None:
    """Append rows; the file is rewritten only to add missing header columns (old rows kept as they were)."""
    new_rows = list(new_rows)
    header, rows = read_manifest_rows(path)
    wanted = manifest_header(header)
    if path.exists() and wanted == header and _is_utf8(path):
        data = path.read_bytes()
        with path.open("a", encoding="utf-8", newline="") as f:
            if data and not data.endswith(b"\n"):
                f.write("\n")
            csv.DictWriter(f, fieldnames=wanted, lineterminator="\n", extrasaction="ignore").writerows(new_rows)
        return
    # a manifest saved by Excel as GBK is rewritten as UTF-8 with a BOM (Excel opens that too),
    # never appended to in another encoding
    bom = path.exists() and (path.read_bytes().startswith(b"\xef\xbb\xbf") or not _is_utf8(path))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=wanted, lineterminator="\n", extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows + new_rows)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))


# --- the source registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One registered publisher: ``city``, ``issuer`` and the URLs to refresh."""

    city: str
    issuer: str
    urls: tuple[str, ...]
    follow_attachments: bool = False


# A registry lists URLs: kilobytes. Far larger, or full of aliases, it is not one (a YAML "billion
# laughs" of a few hundred bytes expands to gigabytes when its nested aliases are walked).
MAX_SOURCES_BYTES = 1024 * 1024
MAX_ALIASES = 50


def _limited_loader():
    """PyYAML's safe loader (plain data only: no Python objects) that refuses more than
    ``MAX_ALIASES`` aliases while it composes the document — before anything is expanded.

    Written here because PyYAML has no alias limit to configure and the alternatives
    (ruamel.yaml, strictyaml) are a dependency for ten lines.
    """
    import yaml

    class LimitedSafeLoader(yaml.SafeLoader):
        def __init__(self, stream) -> None:
            super().__init__(stream)
            self.aliases = 0

        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name): refused, a source registry "
                                         "needs none (an alias bomb expands to gigabytes)")
            return super().compose_node(parent, index)

    return LimitedSafeLoader


def load_sources(path: Path) -> list[Source]:
    """Parse ``raw/sources.yaml``; raise ValueError with the entry at fault when malformed.

    ``sources: [{city: 西安市, issuer: 西安市医疗保障局, urls: [https://…/t1.html]}]`` → one Source.
    Read safely (plain data only), refused when over ``MAX_SOURCES_BYTES`` or with more than
    ``MAX_ALIASES`` aliases, and every value must have its type (a URL is text, not a list).
    """
    import yaml

    size = path.stat().st_size
    if size > MAX_SOURCES_BYTES:
        raise ValueError(f"{path}: {size} bytes, over the {MAX_SOURCES_BYTES // 1024} KB a source registry may have")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_limited_loader()) or {}  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a top-level 'sources:' list")
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("urls"), list) or not entry["urls"]:
            raise ValueError(f"{path}: source #{n} needs a non-empty 'urls:' list")
        if not all(isinstance(u, str) for u in entry["urls"]):
            raise ValueError(f"{path}: source #{n}: every URL must be text")
        for key in ("city", "issuer"):
            if entry.get(key) is not None and not isinstance(entry[key], (str, int)):
                raise ValueError(f"{path}: source #{n}: '{key}' must be text")
        urls = tuple(u.strip() for u in entry["urls"] if u.strip())
        out.append(Source(str(entry.get("city") or ""), str(entry.get("issuer") or ""), urls, entry.get("follow_attachments") is True))
    return out


# --- the command -----------------------------------------------------------------------------------


def _store(raw_dir: Path, outcome: Outcome) -> None:
    """Write a new file; an existing file of that name already holds these very bytes."""
    target = raw_dir / outcome.file
    if outcome.body is not None and not target.exists():
        atomic_write_bytes(target, outcome.body)


def _remove_leftovers(raw_dir: Path) -> None:
    """Delete temporary files an earlier fetch left when it was killed mid-write (older than an
    hour, so a fetch running beside this one keeps its own)."""
    remove_stale_temporaries(raw_dir, older_than=3600)
    fetched = raw_dir / "fetched"
    if fetched.is_dir():
        for host in fetched.iterdir():
            if host.is_dir() and not host.is_symlink():
                remove_stale_temporaries(host, older_than=3600)


def fetch_command(args: argparse.Namespace) -> int:
    raw_dir: Path = args.raw
    policy = Policy(
        timeout=args.timeout, total_timeout=args.total_timeout, retries=args.retries, backoff=args.backoff,
        max_bytes=args.max_bytes, delay=args.delay,
    )
    jobs: list[tuple[str, str, bool]] = [(u.strip(), args.city, args.follow_attachments) for u in args.urls]
    if args.all:
        sources_path = args.sources or raw_dir / SOURCES_NAME
        try:
            sources = load_sources(sources_path)
        except (OSError, ValueError) as exc:
            log.error("cannot read the source registry: %s", exc)
            return 2
        if not sources:
            log.warning("no sources registered in %s: nothing to refresh", sources_path)
        jobs += [(u, s.city, s.follow_attachments or args.follow_attachments) for s in sources for u in s.urls]
    elif not jobs:
        log.error("give URLs to fetch, or --all to refresh the source registry")
        return 2

    fetcher = Fetcher(policy)
    manifest = raw_dir / MANIFEST_NAME
    try:
        _, rows = read_manifest_rows(manifest)
    except (OSError, ValueError) as exc:
        log.error("cannot read the manifest: %s", exc)
        return 2
    _remove_leftovers(raw_dir)
    counts = {"new": 0, "unchanged": 0, "failed": 0}
    for url, city, follow in jobs:
        for outcome in fetch_url(fetcher, url, rows, raw_dir, city=city, follow_attachments=follow):
            counts[outcome.status] += 1
            if outcome.status == "new" and outcome.row is not None:
                try:
                    _store(raw_dir, outcome)
                    append_manifest(manifest, [outcome.row])
                except OSError as exc:
                    log.error("cannot write into %s: %s", raw_dir, exc)
                    return 3
                rows.append(outcome.row)
            line = f"{outcome.status:<9} {outcome.url}"
            if outcome.file:
                line += f" → {outcome.file}"
            if outcome.detail:
                line += f" ({outcome.detail})" if outcome.status != "failed" else f": {outcome.detail}"
            if outcome.status == "failed":  # a problem: stderr; what was stored where: the command's result
                log.warning("%s", line)
            else:
                print(line)
    print(f"{counts['new']} new, {counts['unchanged']} unchanged, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fetch", help="download notices (and their attachments) into the raw folder, with provenance")
    p.add_argument("urls", nargs="*", metavar="URL", help="http(s) URLs of notice pages or files")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder to store into (default: raw/)")
    p.add_argument("--city", default="", help="city to record in the manifest for these URLs, e.g. 西安市")
    p.add_argument("--follow-attachments", action="store_true", help="also fetch PDF/DOC/DOCX files a page links to")
    p.add_argument("--all", action="store_true", help="refresh every URL in the source registry")
    p.add_argument("--sources", type=Path, default=None, help=f"source registry (default: RAW/{SOURCES_NAME})")
    p.add_argument("--timeout", type=float, default=Policy.timeout, help="seconds to wait for a server (default: %(default)s)")
    p.add_argument("--total-timeout", type=float, default=Policy.total_timeout,
                   help="seconds for a whole response, headers and body, however the server drips it (default: %(default)s)")
    p.add_argument("--retries", type=int, default=Policy.retries, help="retries after a transient failure (default: %(default)s)")
    p.add_argument("--backoff", type=float, default=Policy.backoff, help="seconds before the first retry, doubling (default: %(default)s)")
    p.add_argument("--max-bytes", type=int, default=Policy.max_bytes, help="size cap per download (default: 20 MB)")
    p.add_argument("--delay", type=float, default=Policy.delay, help="seconds between requests to one host (default: %(default)s)")
    p.set_defaults(func=fetch_command)
