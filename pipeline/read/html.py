"""HTML reader: a saved web page (government site, WeChat article, repost) → Document.

The page is decoded (declared charset checked against the bytes), its chrome removed
(navigation, footers, share buttons, "related articles"), and the remaining content walked in
document order: block elements become lines, inline text is joined, and data tables become a
grid (rowspan/colspan expanded) that is also written into ``lines`` as ``| a | b |`` rows.

Parsed with lxml's HTML parser directly (libxml2; BeautifulSoup on top of it cost 20–30 µs per
element, seconds for a big page) and with its resource limits kept (``huge_tree`` off): a page
nested deeper than 256 levels stops the parser, and is refused rather than read in part.
Every pass over the tree is linear in its size: text and link lengths are measured once,
bottom-up, and kept up to date as chrome is removed (an update climbs at most 256 ancestors).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree
from lxml.html import HtmlElement

from pipeline.document import Document, ReadError, Table
from pipeline.read.grid import add_table, check_table_size, expand_grid, looks_like_header
from pipeline.read.text import decode_bytes
from pipeline.vocab.terms import alternation

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

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    >>> declared_charset(b'<meta charset="foo">') is None  # an unknown name
    True
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

    >>> decode_html('<meta charset="utf-8"><p>西安市医疗保障局关于停机切换的通告</p>'.encode("gbk"))
    ('<meta charset="utf-8"><p>西安市医疗保障局关于停机切换的通告</p>', 'gb18030')
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

    >>> parse_published("2022-02-26 10:00:00"), parse_published("1645840800")  # a Unix timestamp
    ('2022-02-26T10:00', '2022-02-26T10:00')
    >>> parse_published("2022年2月26日"), parse_published("nonsense")
    ('2022-02-26', None)
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


def _published(tree: HtmlElement, scripts: list[str]) -> str | None:
    for tag in tree.iter("meta"):
        name = (tag.get("name") or tag.get("property") or tag.get("itemprop") or "").strip().lower()
        if name in _PUB_META_NAMES and tag.get("content"):
            found = parse_published(str(tag.get("content")))
            if found:
                return found
    for pattern in _WECHAT_VARS:
        for script in scripts:
            m = pattern.search(script)
            if m and (found := parse_published(m.group(1))):
                return found
    em = _by_id(tree, "publish_time")
    if em is not None and (found := parse_published(em.text_content())):
        return found
    return None


def _by_id(tree: HtmlElement, value: str) -> HtmlElement | None:
    """The first element with ``id=value`` (ids repeat on sloppy pages; the first one counts)."""
    return next(iter(tree.xpath("//*[@id=$v]", v=value)), None)


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
_RELATED = re.compile(r"^\s*(" + alternation("html_related_links") + r")")
# short lines of page tools that survive markup-based removal
_TOOL_LINE = re.compile(
    r"^[【\[]?\s*(" + alternation("html_buttons") + r")\s*([】\]:：\s]|$)"
)


def _tokens(tag: HtmlElement) -> list[str]:
    values = (tag.get("class") or "").split()
    if tag.get("id"):
        values.append(str(tag.get("id")))
    return [v.lower() for v in values]


def _is_chrome(tag: HtmlElement) -> bool:
    """Does a tag's class/id mark it as navigation, footer, sharing or related links?

    >>> _is_chrome(lxml.html.fromstring('<div class="bdsharebuttonbox"></div>'))
    True
    >>> _is_chrome(lxml.html.fromstring('<div class="article-content"></div>'))
    False
    """
    for value in _tokens(tag):
        if value in _WHOLE_CHROME or any(stem in value for stem in _CHROME_STEMS):
            return True
        if any(tok in _CHROME_TOKENS for tok in re.split(r"[\s_\-]+", value)):
            return True
    return False


def _chars(text: str | None) -> int:
    """Characters that are not white space.

    >>> _chars(" 通 告 ")
    2
    """
    return len("".join(text.split())) if text else 0


class _Sizes:
    """Text length, link-text length and link count of every element under a root, measured in
    one bottom-up pass and kept current as elements are dropped.

    Measuring each element with ``text_content()`` on demand is quadratic on nested pages
    (minutes for 20,000 nested ``<div>``s); this is linear.
    """

    def __init__(self, root: HtmlElement) -> None:
        self.of: dict[HtmlElement, list[int]] = {}
        for el in reversed(list(root.iter(tag=etree.Element))):  # children before their parents
            text, links, count = _chars(el.text), 0, 0
            for child in el:
                tail = _chars(child.tail)
                sizes = self.of.get(child)
                if sizes is not None:
                    text += sizes[0]
                    links += sizes[1]
                    count += sizes[2]
                text += tail
            if el.tag == "a":
                links, count = text, count + 1
            self.of[el] = [text, links, count]

    def text(self, el: HtmlElement) -> int:
        return self.of[el][0]

    def link_dense(self, el: HtmlElement) -> bool:
        """A block of mostly links: a menu, a list of other articles, "上一篇/下一篇"."""
        text, links, count = self.of[el]
        return count >= 3 and text > 0 and links / text >= 0.6

    def drop(self, el: HtmlElement) -> None:
        """Remove ``el`` and its subtree (its tail text stays) and take its sizes off its ancestors."""
        sizes = self.of[el]
        for anc in el.iterancestors():
            if anc in self.of:
                a = self.of[anc]
                a[0] -= sizes[0]
                a[1] -= sizes[1]
                a[2] -= sizes[2]
        el.drop_tree()


def _preorder(root: HtmlElement, dropped: set[HtmlElement]) -> Iterator[HtmlElement]:
    """Elements under ``root`` in document order, none inside a dropped one: lazily, so that
    what the caller drops on the way is not entered."""
    stack = [root]
    while stack:
        el = stack.pop()
        if el in dropped:
            continue
        yield el
        if el not in dropped:
            stack.extend(reversed([c for c in el if isinstance(c.tag, str)]))


def _attached(el: HtmlElement, root: HtmlElement) -> bool:
    while el is not None and el is not root:
        el = el.getparent()
    return el is root


def strip_chrome(root: HtmlElement) -> _Sizes:
    """Remove navigation, footers, share widgets and "related articles" blocks in place.

    An element that holds most of the page's text is never removed, whatever its class
    says (``<div id="content-with-sidebar">`` wraps the article itself). Returns the sizes of
    what is left, for the walk that follows.
    """
    for tag in list(root.iter(*_DROP_TAGS)):
        if tag is not root:
            tag.drop_tree()
    sizes = _Sizes(root)
    total = max(1, sizes.text(root))
    dropped: set[HtmlElement] = set()

    def removable(tag: HtmlElement) -> bool:
        return sizes.text(tag) <= 0.5 * total or sizes.text(tag) < 200

    def drop(tag: HtmlElement) -> None:
        sizes.drop(tag)
        dropped.add(tag)

    for tag in _preorder(root, dropped):
        if tag is root or tag.tag in {"body", "html"} or tag.get("id") == "js_content":
            continue
        if _is_chrome(tag) and removable(tag):
            drop(tag)
    headings = []
    for el in _preorder(root, dropped):
        for text, holder in ((el.text, el), (el.tail, el.getparent())):
            if text and _RELATED.search(text) and len(text.strip()) <= 12 and holder is not None:
                headings.append(holder)
    for heading in headings:
        if heading is root or not _attached(heading, root):
            continue
        # climb from the heading to the box that holds it and its links
        box = heading
        while (parent := box.getparent()) is not None and parent is not root and parent.tag not in {"body", "html"}:
            if sizes.link_dense(parent) and removable(parent):
                box = parent
            else:
                break
        if box is heading:
            for sib in list(heading.itersiblings()):
                if not isinstance(sib.tag, str):
                    continue
                if sizes.link_dense(sib) or sizes.of[sib][2] and sizes.text(sib) == sizes.of[sib][1]:
                    drop(sib)
        drop(box)
    for tag in _preorder(root, dropped):
        if tag is not root and tag.tag in {"ul", "ol", "div", "p", "dl", "section", "table"}:
            if sizes.link_dense(tag) and removable(tag):
                drop(tag)
    return sizes


# --- tables ------------------------------------------------------------------------------

_MAX_SPAN = 500  # a typo like rowspan="9999" must not allocate a huge grid


def _span(tag: HtmlElement, attr: str) -> int:
    try:
        value = int(str(tag.get(attr, "1")).strip() or 1)
    except ValueError:
        return 1
    return max(1, min(value, _MAX_SPAN))  # rowspan="0" (to the end) is treated as 1 row


def _cells(tr: HtmlElement) -> list[HtmlElement]:
    return list(tr.iter("td", "th"))


def _is_data_table(table: HtmlElement, sizes: _Sizes) -> bool:
    """Layout tables (whole pages built of ``<table>``) are walked as text, not gridded."""
    if table.find(".//table") is not None:
        return False
    rows = list(table.iter("tr"))
    if len(rows) < 2:
        return False
    widths = [len(_cells(tr)) for tr in rows]
    if max(widths) < 2:
        return False
    check_table_size(len(rows), max(widths), "HTML")
    return all(sizes.text(cell) <= 300 for cell in table.iter("td", "th"))


def _has_header(table: HtmlElement, grid: list[list[str]]) -> bool:
    first = next(table.iter("tr"), None)
    if table.find(".//thead") is not None or (
        first is not None and first.find(".//th") is not None and first.find(".//td") is None
    ):
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

    >>> clean_inline("那么，\\n  在上线 切换"), clean_inline("\\u3000\\u3000按照\\xa0")
    ('那么，在上线 切换', '按照')
    """
    text = _WS_NEWLINE_CJK.sub("", text)
    return _WS.sub(" ", text).strip()


class _Lines:
    """Accumulates inline text into lines; a block boundary ends the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self._buf: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self._buf.append(text)

    def flush(self) -> None:
        line = clean_inline("".join(self._buf))
        self._buf.clear()
        if line and not (len(line) < 40 and _TOOL_LINE.match(line)):
            self.lines.append(line)


_ENTER, _LEAVE, _TAIL = 0, 1, 2


def _walk(root: HtmlElement, out: _Lines, sizes: _Sizes) -> None:
    """Depth-first walk without recursion: an element's text, its children, then its tail."""
    stack: list[tuple[HtmlElement, int]] = [(root, _ENTER)]
    while stack:
        node, step = stack.pop()
        if step == _TAIL:
            out.add(node.tail)
            continue
        if step == _LEAVE:
            out.flush()
            continue
        if node.tag == "br":
            out.flush()
            continue
        if node.tag == "table" and _is_data_table(node, sizes):
            out.flush()
            _emit_table(node, out, sizes)
            continue
        if node.tag in _BLOCK:
            out.flush()
            stack.append((node, _LEAVE))
        for child in reversed(node):
            stack.append((child, _TAIL))
            if isinstance(child.tag, str):
                stack.append((child, _ENTER))
        out.add(node.text)


def _cell_text(cell: HtmlElement, sizes: _Sizes) -> str:
    sub = _Lines()
    _walk(cell, sub, sizes)
    sub.flush()
    return " ".join(sub.lines)


def _emit_table(table: HtmlElement, out: _Lines, sizes: _Sizes) -> None:
    raw = [
        [(_cell_text(td, sizes), _span(td, "rowspan"), _span(td, "colspan")) for td in _cells(tr)]
        for tr in table.iter("tr")
    ]
    grid = expand_grid(raw)
    caption = table.find(".//caption")
    if caption is not None and (text := _cell_text(caption, sizes)):
        out.lines.append(text)
    add_table(out.lines, out.tables, grid, _has_header(table, grid))


# --- the reader --------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜| - | — | -- )\s*")


def _title(tree: HtmlElement) -> str | None:
    """og:title, WeChat ``#activity-name``, the first ``<h1>``, else ``<title>`` minus the site name."""
    for og in tree.iter("meta"):
        if og.get("property") == "og:title" and og.get("content") and (t := clean_inline(str(og.get("content")))):
            return t
        if og.get("property") == "og:title":
            break
    for found in (_by_id(tree, "activity-name"), next(tree.iter("h1"), None)):
        if found is not None and (t := clean_inline(" ".join(found.itertext()))):
            return t
    title = next(tree.iter("title"), None)
    if title is not None and (t := clean_inline(title.text_content())):
        # "关于…的通告_西安市医疗保障局" → the longest part is the article's own title
        return max(_TITLE_SPLIT.split(t), key=len)
    return None


def _canonical_url(tree: HtmlElement) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").split():
            href = link.get("href") or ""
            if href.startswith("http"):
                return href
            break
    for og in tree.iter("meta"):
        if og.get("property") == "og:url":
            content = og.get("content") or ""
            return content if content.startswith("http") else None
    return None


# Far more than any notice page (a few thousand elements); a page past it is a site dump.
MAX_ELEMENTS = 200_000
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse_page(text: str) -> HtmlElement:
    """Parse a decoded page with libxml2's limits on, refusing what the parser gave up on.

    A page nested more than 256 levels deep, or with a text node over 10 MB, stops libxml2
    (``huge_tree`` off): the rest of the page would be lost, so the page is refused with a
    :class:`ReadError` instead.

    >>> parse_page("<p>通告</p>").find(".//p").text
    '通告'
    """
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=False, collect_ids=False)
    try:
        # lxml refuses a str that declares its encoding: the text is decoded already
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser)
    except etree.ParserError as exc:  # "Document is empty": only comments or markup
        raise ReadError(f"HTML page has no text content ({exc})") from exc
    fatal = [e for e in parser.error_log if e.level == etree.ErrorLevels.FATAL]
    if fatal:
        e = fatal[0]
        why = (
            "the page nests elements deeper than the parser's limit of 256 levels"
            if "depth" in e.message.lower()
            else f"the parser gave up ({e.message.strip()})"
        )
        raise ReadError(
            f"HTML page cannot be read whole: {why}, at line {e.line}; what follows would be lost, so nothing "
            "is taken from it: save just the notice (its text, or the page from a browser's reader view) and run again"
        )
    count = sum(1 for _ in tree.iter())
    if count > MAX_ELEMENTS:
        raise ReadError(
            f"HTML page has {count:,} elements, over the limit of {MAX_ELEMENTS:,} for one page: a site dump or "
            "a generated listing, not a notice page; save just the notice and run again"
        )
    return tree


def read_html(data: bytes, source_file: str) -> Document:
    """Read a saved web page into lines, tables and container metadata.

    >>> read_html("<html><title>通告</title><body><nav>首页</nav><p>停机时间</p></body></html>".encode(), "a.html")
    Document(source_file='a.html', format='html', lines=('停机时间',), tables=(), meta={'charset': 'utf-8', 'title': '通告'}, dropped=())
    """
    text, charset = decode_html(data)
    tree = parse_page(text)
    scripts = [s.text or "" for s in tree.iter("script")]
    meta: dict[str, str] = {"charset": charset}
    if title := _title(tree):
        meta["title"] = title
    if published := _published(tree, scripts):
        meta["published"] = published
    if url := _canonical_url(tree):
        meta["url"] = url

    out = _Lines()
    wechat = _by_id(tree, "js_content")
    if wechat is not None:
        # A WeChat article: the title sits outside the content root, everything else is chrome.
        heading = _by_id(tree, "activity-name")
        if heading is not None and (t := clean_inline(" ".join(heading.itertext()))):
            out.lines.append(t)
        root: HtmlElement = wechat
    else:
        body = tree.find(".//body")
        root = body if body is not None else tree
    sizes = strip_chrome(root)
    _walk(root, out, sizes)
    out.flush()
    if not out.lines:
        raise ReadError("HTML page has no text content (a script-rendered page, or only navigation?)")
    return Document(source_file=source_file, format="html", lines=tuple(out.lines), tables=tuple(out.tables), meta=meta)
