"""HTML reader: a saved web page (government site, WeChat article, repost) → Document.

The page is decoded (declared charset checked against the bytes), its chrome removed
(navigation, footers, share buttons, "related articles"), and the remaining content walked in
document order: block elements become lines, inline text is joined, and data tables become a
grid (rowspan/colspan expanded) that is also written into ``lines`` as ``| a | b |`` rows.
"""

from __future__ import annotations

import codecs
import re
import warnings
from datetime import datetime, timedelta, timezone

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)
from charset_normalizer import from_bytes

from pipeline.document import Document, ReadError, Table
from pipeline.read.grid import add_table, expand_grid, looks_like_header
from pipeline.read.text import decode_bytes

__all__ = ["read_html", "decode_html", "declared_charset", "parse_published", "clean_inline", "strip_chrome"]

# --- charset -----------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)

# Declared names widened to the superset codec: pages declared GB2312 routinely contain GBK
# characters (人名 like 镕, 堃), and Big5 pages contain HKSCS/cp950 extensions.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs", "big5hkscs": "big5hkscs"}
_FAMILY = {"gb18030": "gb", "gbk": "gb", "gb2312": "gb", "big5": "big5", "big5hkscs": "big5", "cp950": "big5"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in ``<meta>`` (or an XML prolog), as a Python codec name.

    ``b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'`` → ``"gb2312"``;
    an unknown name (``charset=foo``) → ``None``.
    """
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _family(codec: str) -> str:
    return _FAMILY.get(codecs.lookup(codec).name, codecs.lookup(codec).name)


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode page bytes, trusting a declared charset only when the bytes agree with it.

    UTF-8 bytes that decode cleanly win over any declaration (reposts keep the original
    ``charset=gbk`` meta after converting); a declared CJK charset is checked against the
    detector, because GBK bytes often *also* decode as Big5, into nonsense.

    ``'<meta charset="utf-8"><p>通告</p>'.encode("gbk")`` → ``('<meta charset="utf-8"><p>通告</p>', 'gb18030')``.
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), "utf-16" if codec == "utf-16" else "utf-8"
            except UnicodeDecodeError:
                break
    if data.isascii():
        return data.decode("ascii"), declared_charset(data) or "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared and declared != "utf-8":
        codec = _WIDEN.get(declared, declared)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = None  # the declaration is wrong: detect below
        if text is not None:
            # Ask the detector to choose among the CJK codecs; it rejects a decoding that only
            # happens to be valid (GBK read as Big5 gives rare traditional characters).
            rivals = [codec] + [c for c in ("gb18030", "big5hkscs") if _family(c) != _family(codec)]
            match = from_bytes(data, cp_isolation=rivals).best()
            if match is None or _family(match.encoding) == _family(codec):
                return text, codecs.lookup(codec).name
            return str(match), codecs.lookup(match.encoding).name
    try:
        text, charset = decode_bytes(data)
    except ReadError as exc:
        raise ReadError(f"cannot decode HTML page: {exc}") from exc
    return text, codecs.lookup(_WIDEN.get(charset.lower(), charset)).name


# --- dates -------------------------------------------------------------------------------

_BEIJING = timezone(timedelta(hours=8))
_DATE_TIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2}))?"
)


def parse_published(value: str) -> str | None:
    """A page's publication stamp → ISO ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (Beijing time).

    ``"2022-02-26 10:00:00"`` → ``"2022-02-26T10:00"``; a Unix timestamp ``"1645840800"`` →
    ``"2022-02-26T10:00"``; ``"2022年2月26日"`` → ``"2022-02-26"``; nonsense → ``None``.
    """
    value = value.strip()
    if re.fullmatch(r"\d{9,10}", value):  # WeChat ``var ct``: seconds since the epoch
        stamp = datetime.fromtimestamp(int(value), tz=_BEIJING)
        return stamp.strftime("%Y-%m-%dT%H:%M")
    try:  # ISO 8601 with an offset (``article:published_time``): convert to Beijing wall time
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is not None and stamp.tzinfo is not None:
        return stamp.astimezone(_BEIJING).strftime("%Y-%m-%dT%H:%M")
    m = _DATE_TIME.search(value)
    if not m:
        return None
    try:
        day = datetime(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return day.strftime("%Y-%m-%d")
        return day.replace(hour=int(m["H"]), minute=int(m["M"])).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return None


# WeChat article pages set these in inline scripts; ``ct`` is the most reliable (epoch seconds).
_WECHAT_VARS = (
    re.compile(r"""var\s+ct\s*=\s*["']?(\d{9,10})"""),
    re.compile(r"""var\s+createTime\s*=\s*["']([^"']+)["']"""),
    re.compile(r"""var\s+publish_time\s*=\s*["']([^"']+)["']"""),
)
_PUB_META_NAMES = {
    "pubdate", "publishdate", "publish_date", "article:published_time", "og:release_date",
    "og:article:published_time", "firstpublishedtime", "dc.date.issued", "weibo:article:create_at",
}


def _published(soup: BeautifulSoup, scripts: list[str]) -> str | None:
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or tag.get("property") or tag.get("itemprop") or "").strip().lower()
        if name in _PUB_META_NAMES and tag.get("content"):
            found = parse_published(str(tag["content"]))
            if found:
                return found
    for pattern in _WECHAT_VARS:
        for script in scripts:
            m = pattern.search(script)
            if m and (found := parse_published(m.group(1))):
                return found
    em = soup.find(id="publish_time")
    if isinstance(em, Tag) and (found := parse_published(em.get_text())):
        return found
    return None


# --- chrome ------------------------------------------------------------------------------

_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "frame", "frameset", "template", "svg", "canvas", "object",
    "embed", "nav", "aside", "footer", "button", "input", "select", "textarea", "link", "head", "map",
)
# class/id *tokens* that mark page chrome (split on space, '-' and '_')
_CHROME_TOKENS = {
    "nav", "navbar", "navigation", "menu", "submenu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "footer", "foot", "copyright", "share", "sharebox", "bdshare", "fenxiang", "related", "relate",
    "recommend", "sidebar", "comment", "comments", "ad", "ads", "advert", "banner", "toolbar", "login",
    "search", "position", "location", "dqwz", "weizhi", "pagination", "pager", "print",
}
# substrings that are unambiguous even inside a longer class name (``bdsharebuttonbox``)
_CHROME_STEMS = ("breadcrumb", "bdshare", "copyright", "sharebtn", "share-", "navbar", "sidebar", "related")
_WHOLE_CHROME = {"header", "head", "top", "topbar", "site-header", "bottom"}
_RELATED = re.compile(r"^\s*(相关文章|相关阅读|相关新闻|相关链接|相关推荐|猜你喜欢|推荐阅读|热点推荐|热门推荐|热门文章|延伸阅读|精彩推荐|上一篇|下一篇)")
# short lines of page tools that survive markup-based removal
_TOOL_LINE = re.compile(
    r"^[【\[]?\s*(分享到|打印本页|打印|关闭窗口|关闭本页|关闭|字体|字号|收藏|扫一扫|返回顶部|浏览次数|阅读次数)\s*([】\]:：\s]|$)"
)


def _tokens(tag: Tag) -> list[str]:
    values: list[str] = []
    classes = tag.get("class") or []
    values.extend(classes if isinstance(classes, list) else [str(classes)])
    if tag.get("id"):
        values.append(str(tag["id"]))
    return [v.lower() for v in values]


def _is_chrome(tag: Tag) -> bool:
    """Does a tag's class/id mark it as navigation, footer, sharing or related links?

    ``<div class="bdsharebuttonbox">`` → True; ``<div class="article-content">`` → False.
    """
    for value in _tokens(tag):
        if value in _WHOLE_CHROME or any(stem in value for stem in _CHROME_STEMS):
            return True
        if any(tok in _CHROME_TOKENS for tok in re.split(r"[\s_\-]+", value)):
            return True
    return False


def _text_len(tag: Tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _link_len(tag: Tag) -> int:
    return sum(_text_len(a) for a in tag.find_all("a"))


def _link_dense(tag: Tag) -> bool:
    """A block of mostly links: a menu, a list of other articles, "上一篇/下一篇"."""
    links = tag.find_all("a")
    total = _text_len(tag)
    return len(links) >= 3 and total > 0 and _link_len(tag) / total >= 0.6


def strip_chrome(root: Tag) -> None:
    """Remove navigation, footers, share widgets and "related articles" blocks in place.

    An element that holds most of the page's text is never removed, whatever its class
    says (``<div id="content-with-sidebar">`` wraps the article itself).
    """
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    total = max(1, _text_len(root))

    def removable(tag: Tag) -> bool:
        return _text_len(tag) <= 0.5 * total or _text_len(tag) < 200

    for tag in root.find_all(True):
        if tag.decomposed or tag.name in {"body", "html"} or tag.get("id") == "js_content":
            continue
        if _is_chrome(tag) and removable(tag):
            tag.decompose()
    for text in root.find_all(string=_RELATED):
        heading = text.parent
        if len(text.strip()) > 12 or not isinstance(heading, Tag) or heading.decomposed:
            continue
        # climb from the heading to the box that holds it and its links
        box = heading
        while box.parent is not None and box.parent.name not in {"body", "html", "[document]"}:
            if _link_dense(box.parent) and removable(box.parent):
                box = box.parent
            else:
                break
        if box is heading:
            for sib in list(heading.find_next_siblings()):
                if _link_dense(sib) or sib.find("a") is not None and _text_len(sib) == _link_len(sib):
                    sib.decompose()
        box.decompose()
    for tag in root.find_all(["ul", "ol", "div", "p", "dl", "section", "table"]):
        if not tag.decomposed and _link_dense(tag) and removable(tag):
            tag.decompose()


# --- tables ------------------------------------------------------------------------------

_MAX_SPAN = 500  # a typo like rowspan="9999" must not allocate a huge grid


def _span(tag: Tag, attr: str) -> int:
    try:
        value = int(str(tag.get(attr, "1")).strip() or 1)
    except ValueError:
        return 1
    return max(1, min(value, _MAX_SPAN))  # rowspan="0" (to the end) is treated as 1 row


def _is_data_table(table: Tag) -> bool:
    """Layout tables (whole pages built of ``<table>``) are walked as text, not gridded."""
    if table.find("table") is not None:
        return False
    rows = table.find_all("tr")
    if len(rows) < 2 or max(len(tr.find_all(["td", "th"])) for tr in rows) < 2:
        return False
    return all(_text_len(cell) <= 300 for cell in table.find_all(["td", "th"]))


def _has_header(table: Tag, grid: list[list[str]]) -> bool:
    first = table.find("tr")
    if table.find("thead") is not None or (first is not None and first.find("th") is not None and first.find("td") is None):
        return True
    return looks_like_header(grid)  # Word-exported tables use <td> for headers


# --- text walking --------------------------------------------------------------------------

_BLOCK = {
    "address", "article", "blockquote", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul", "body", "html",
}
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
_WS_NEWLINE_CJK = re.compile(rf"(?<={_WIDE})[ \t\r\f\v]*\n\s*(?={_WIDE})")
_WS = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Collapse whitespace like a browser: a source line break between two Chinese characters
    vanishes (CSS segment-break rule), any other run becomes one space; ends are stripped.

    ``"那么，\\n  在上线 切换"`` → ``"那么，在上线 切换"``; ``"\\u3000\\u3000按照&nbsp;"`` → ``"按照"``.
    """
    text = _WS_NEWLINE_CJK.sub("", text)
    return _WS.sub(" ", text).strip()


class _Lines:
    """Accumulates inline text into lines; a block boundary ends the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self._buf: list[str] = []

    def add(self, text: str) -> None:
        self._buf.append(text)

    def flush(self) -> None:
        line = clean_inline("".join(self._buf))
        self._buf.clear()
        if line and not (len(line) < 40 and _TOOL_LINE.match(line)):
            self.lines.append(line)


def _walk(root: Tag, out: _Lines) -> None:
    """Depth-first walk without recursion (pages nest deeper than Python's recursion limit)."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            out.flush()
            continue
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            out.add(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if node.name == "br":
            out.flush()
            continue
        if node.name == "table" and _is_data_table(node):
            out.flush()
            _emit_table(node, out)
            continue
        block = node.name in _BLOCK
        if block:
            out.flush()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))


def _cell_text(cell: Tag) -> str:
    sub = _Lines()
    _walk(cell, sub)
    sub.flush()
    return " ".join(sub.lines)


def _emit_table(table: Tag, out: _Lines) -> None:
    raw = [
        [(_cell_text(td), _span(td, "rowspan"), _span(td, "colspan")) for td in tr.find_all(["td", "th"])]
        for tr in table.find_all("tr")
    ]
    grid = expand_grid(raw)
    caption = table.find("caption")
    if caption is not None and (text := _cell_text(caption)):
        out.lines.append(text)
    add_table(out.lines, out.tables, grid, _has_header(table, grid))


# --- the reader --------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜| - | — | -- )\s*")


def _title(soup: BeautifulSoup) -> str | None:
    """og:title, WeChat ``#activity-name``, the first ``<h1>``, else ``<title>`` minus the site name."""
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag) and og.get("content") and (t := clean_inline(str(og["content"]))):
        return t
    for found in (soup.find(id="activity-name"), soup.find("h1")):
        if isinstance(found, Tag) and (t := clean_inline(found.get_text(" "))):
            return t
    if soup.title and (t := clean_inline(soup.title.get_text())):
        # "关于…的通告_西安市医疗保障局" → the longest part is the article's own title
        return max(_TITLE_SPLIT.split(t), key=len)
    return None


def _canonical_url(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and link.get("href", "").startswith("http"):
        return str(link["href"])
    og = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(og, Tag) and str(og.get("content", "")).startswith("http"):
        return str(og["content"])
    return None


def read_html(data: bytes, source_file: str) -> Document:
    """Read a saved web page into lines, tables and container metadata.

    ``<html><title>通告</title><body><nav>首页</nav><p>停机时间</p></body></html>`` →
    ``Document(lines=("停机时间",), meta={"title": "通告", "charset": "ascii"})``.
    """
    text, charset = decode_html(data)
    try:
        with warnings.catch_warnings():
            # XHTML pages start with <?xml …>; the HTML parser reads them right, the warning is noise
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml is forgiving; this is a damaged file, say so
        raise ReadError(f"cannot parse HTML: {exc}") from exc
    scripts = [s.get_text() for s in soup.find_all("script")]
    meta: dict[str, str] = {"charset": charset}
    if title := _title(soup):
        meta["title"] = title
    if published := _published(soup, scripts):
        meta["published"] = published
    if url := _canonical_url(soup):
        meta["url"] = url

    out = _Lines()
    wechat = soup.find(id="js_content")
    if isinstance(wechat, Tag):
        # A WeChat article: the title sits outside the content root, everything else is chrome.
        heading = soup.find(id="activity-name")
        if isinstance(heading, Tag) and (t := clean_inline(heading.get_text(" "))):
            out.lines.append(t)
        root: Tag = wechat
    else:
        root = soup.body if soup.body is not None else soup
    strip_chrome(root)
    _walk(root, out)
    out.flush()
    if not out.lines:
        raise ReadError("HTML page has no text content (a script-rendered page, or only navigation?)")
    return Document(source_file=source_file, format="html", lines=tuple(out.lines), tables=tuple(out.tables), meta=meta)
