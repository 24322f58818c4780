"""PDF reader (pdfplumber): text in reading order plus ruled tables → Document.

Per page, drawn tables are found with pdfplumber's *lines* strategy (a notice's directory is
a ruled grid; the text strategy invents tables out of aligned paragraphs). Characters inside a
table are read only as table cells, everything else as text lines, and both are put back in
order of their position on the page. Lines that a paragraph wrapped onto are joined again, page
numbers in the margins are dropped, and a table continued at the top of the next page is
joined to the one that ended the page before.

What it refuses, with a :class:`ReadError` that says why: scanned pages without a text layer,
text whose fonts have no Unicode mapping (``(cid:NN)``), encrypted and truncated files.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from pipeline.document import Document, ReadError, Table
from pipeline.read.grid import add_table, looks_like_header

__all__ = ["read_pdf", "garbage_ratio", "join_wrapped", "merge_continued_tables", "check_streams"]

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_CID = re.compile(r"\(cid:\d+\)")
_PUA = re.compile(r"[\ue000-\uf8ff]")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2014\u2026\u201c\u201d]")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(\d{1,4}|第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)[-—–－\s]*$")
# a line starting like this begins a new item even when the line before it filled the width
_ITEM_START = re.compile(
    r"^\s*(\d{1,2}\s*[.、．)）]|[（(]\s*[\d一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十\d]+[条章节]|[-•·●■◆▪☛🔹※])"
)
SCANNED_MESSAGE = "PDF has no text layer (scanned image?): OCR is out of scope"


def garbage_ratio(text: str) -> float:
    """Share of characters that are glyph codes without Unicode (``(cid:NN)``, private-use).

    >>> garbage_ratio("(cid:12)(cid:34)通告")  # two codes, two real characters
    0.5
    """
    cids = len(_CID.findall(text))
    rest = _CID.sub("", text)
    rest = re.sub(r"\s+", "", rest)
    pua = len(_PUA.findall(rest))
    total = cids + len(rest)
    return (cids + pua) / total if total else 0.0


def join_wrapped(left: str, right: str) -> str:
    """Join a line and the line it wrapped onto: no space between Chinese characters.

    >>> join_wrapped("启用国家医疗", "保障信息平台"), join_wrapped("National Healthcare", "Security")
    ('启用国家医疗保障信息平台', 'National Healthcare Security')
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if _WIDE.match(left[-1]) or _WIDE.match(right[0]) or left.endswith("-"):
        return left + right
    return f"{left} {right}"


@dataclass
class _Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Grid:
    rows: list[list[str]]
    page: int
    top: float
    bottom: float
    has_header: bool


@dataclass
class _Page:
    items: list[_Line | _Grid] = field(default_factory=list)
    height: float = 842.0


# --- tables ------------------------------------------------------------------------------


def _edges(values: list[float], tolerance: float = 1.5) -> list[float]:
    """Cluster coordinates that differ by less than ``tolerance`` points.

    >>> _edges([10, 10.4, 50])
    [10, 50]
    """
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _cell_text(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").split("\n") if ln.strip()]
    out = ""
    for ln in lines:
        out = join_wrapped(out, ln) if out else ln
    return out


def _table_grid(table: Any) -> list[list[str]]:
    """A pdfplumber table as a full grid: a merged cell's text fills every position it covers.

    pdfplumber reports a merged cell once, at its top-left, and ``None`` where it spans; the
    cell's bounding box says how many grid rows and columns it covers.
    """
    texts = table.extract(x_tolerance=1.5, y_tolerance=3)
    xs = _edges([c[0] for c in table.cells] + [c[2] for c in table.cells])
    ys = _edges([c[1] for c in table.cells] + [c[3] for c in table.cells])
    grid = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for row, row_texts in zip(table.rows, texts, strict=True):
        for bbox, text in zip(row.cells, row_texts, strict=True):
            if bbox is None:
                continue
            c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
            r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
            value = _cell_text(text)
            for r in range(r0, max(r1, r0 + 1)):
                for c in range(c0, max(c1, c0 + 1)):
                    grid[r][c] = value
    return grid


def merge_continued_tables(first: list[list[str]], second: list[list[str]]) -> list[list[str]]:
    """Join a table with its continuation on the next page, dropping a repeated header row.

    >>> merge_continued_tables([["序号", "电话"], ["1", "a"]], [["序号", "电话"], ["2", "b"]])
    [['序号', '电话'], ['1', 'a'], ['2', 'b']]
    """
    if second and first and second[0] == first[0]:
        second = second[1:]
    return first + second


# --- pages -------------------------------------------------------------------------------


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _read_page(page: Any, number: int) -> _Page:
    out = _Page(height=float(page.height))
    tables = [t for t in page.find_tables(_TABLE_SETTINGS) if len(t.rows) >= 2 and len(_edges([c[0] for c in t.cells])) >= 2]
    boxes = [t.bbox for t in tables]
    for t in tables:
        grid = _table_grid(t)
        out.items.append(_Grid(grid, number, float(t.bbox[1]), float(t.bbox[3]), looks_like_header(grid)))
    text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for ln in text_page.extract_text_lines(strip=True, return_chars=True, x_tolerance=1.5, y_tolerance=3):
        text = ln["text"].strip()
        if not text:
            continue
        in_margin = ln["top"] > page.height * 0.9 or ln["bottom"] < page.height * 0.08
        if in_margin and _PAGE_NUMBER.match(text):
            continue  # "— 3 —", "第3页 共5页": page furniture, not notice text
        sizes = [c.get("size", 0) for c in ln["chars"] if c.get("text", "").strip()]
        out.items.append(
            _Line(text, number, float(ln["x0"]), float(ln["x1"]), float(ln["top"]), float(ln["bottom"]), median(sizes) if sizes else 0.0)
        )
    out.items.sort(key=lambda item: item.top)
    return out


def _join_pages(pages: list[_Page]) -> list[_Line | _Grid]:
    """All items in order, a table that ends one page and starts the next joined into one."""
    items: list[_Line | _Grid] = []
    for page in pages:
        for i, item in enumerate(page.items):
            prev = items[-1] if items else None
            if (
                i == 0
                and isinstance(item, _Grid)
                and isinstance(prev, _Grid)
                and prev.page == item.page - 1
                and len(prev.rows[0]) == len(item.rows[0])
            ):
                prev.rows = merge_continued_tables(prev.rows, item.rows)
                prev.page = item.page
                continue
            items.append(item)
    return items


def _join_paragraphs(items: list[_Line | _Grid]) -> list[str | _Grid]:
    """Re-join lines a paragraph was wrapped onto.

    A line continues the one before when that one ran to the right margin, and it starts at
    the left margin (not indented, not a numbered item) in the same type size.
    """
    lines = [it for it in items if isinstance(it, _Line) and len(it.text) >= 4]
    if not lines:
        return [it.text if isinstance(it, _Line) else it for it in items]
    right = max(ln.x1 for ln in lines)
    left = sorted(ln.x0 for ln in lines)[len(lines) // 10]
    out: list[str | _Grid] = []
    prev: _Line | None = None
    for it in items:
        if isinstance(it, _Grid):
            out.append(it)
            prev = None
            continue
        size = it.size or 10.0
        continues = (
            prev is not None
            and prev.x1 >= right - 1.6 * size
            and it.x0 <= left + 0.5 * size
            and abs(prev.size - it.size) <= 0.6
            and (it.page != prev.page or 0 <= it.top - prev.bottom <= 1.2 * size)
            and not _ITEM_START.match(it.text)
        )
        if continues and isinstance(out[-1], str):
            out[-1] = join_wrapped(out[-1], it.text)
        else:
            out.append(it.text)
        prev = it
    return out


# --- the reader --------------------------------------------------------------------------


def _open_error(exc: Exception) -> ReadError:
    """Translate pdfminer/pdfplumber exceptions into a message a person can act on."""
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    names = " ".join(type(x).__name__ for x in chain) + " " + " ".join(str(x) for x in chain)
    if re.search(r"password|encrypt", names, re.I):
        return ReadError("PDF is encrypted (password-protected): ask the publisher for an open copy")
    return ReadError(f"PDF is damaged or not a PDF ({type(chain[-1]).__name__}): {chain[-1]}".strip())


# What converters and CMSs put in /Title when the author set none: a placeholder, never a notice's
# title. Chinese titles of notices run to ten characters and more; one with fewer than
# MIN_TITLE_HAN Chinese characters is a file name (附件1, 20211015093512), an English word
# (untitled, Document1) or a page name (pdfsrc.html). A name that still ends in an extension
# after the Office one is stripped (通知.html, a.tmp) is a file name too.
_PLACEHOLDER_TITLE = re.compile(r"^(?:无标题|未命名|新建.*文档|文档\d*|标题|附件\s*[\d一二三四五六七八九十]*)$")
_FILE_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}$")
MIN_TITLE_HAN = 4


def _title(metadata: dict) -> str | None:
    """The document-info title, without a converter's ``Microsoft Word - x.docx`` wrapping; None
    for a placeholder: ``{"Title": "untitled"}``, ``{"Title": "pdfsrc.html"}`` → ``None``;
    ``{"Title": "Microsoft Word - 关于医保系统停机切换的通告.docx"}`` → ``"关于医保系统停机切换的通告"``."""
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", "ignore")
    if not isinstance(title, str):
        return None
    title = re.sub(r"^Microsoft (Word|PowerPoint|Excel) - ", "", title.strip())
    title = re.sub(r"\.(docx?|wps|pdf)$", "", title, flags=re.I).strip()
    han = sum(1 for ch in title if "\u4e00" <= ch <= "\u9fff")
    if han < MIN_TITLE_HAN or _PLACEHOLDER_TITLE.match(title) or _FILE_EXTENSION.search(title):
        return None
    return title or None


# A notice is a few pages; a PDF of hundreds is a report or a gazette, and pdfplumber reads
# every page (≈ 0.1 s each), so the page count is checked first.
MAX_PAGES = 300
# pdfminer inflates each compressed stream whole (zlib.decompress, no limit): a 1 MB stream
# can inflate to gigabytes. A page's content is tens to hundreds of KB, an embedded CJK font
# or a raster image a few tens of MB.
MAX_STREAM_BYTES = 64 * 2**20
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")


def check_streams(data: bytes, limit: int = MAX_STREAM_BYTES) -> None:
    """Refuse a PDF any of whose compressed streams inflates past ``limit`` bytes, inflating each
    at most that far.

    A 1 MB file whose content stream inflates to 512 MB → ``ReadError("… would inflate to more
    than 64 MB …")``. Written here because pdfminer has no limit to configure; it scans for
    ``stream`` … ``endstream`` rather than parsing objects, so a stream whose compressed bytes
    happen to contain ``endstream`` is checked only up to there (the per-file memory budget,
    pipeline.runner.budget, still stops it). Streams that are not zlib data (images, encrypted
    streams) are skipped: pdfminer does not inflate them either.
    """
    for m in _STREAM_START.finditer(data):
        end = data.find(b"endstream", m.end())
        chunk = data[m.end() : end if end >= 0 else len(data)]
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(chunk, limit + 1)
        except zlib.error:
            continue
        if len(inflated) > limit:
            raise ReadError(
                f"PDF has a compressed stream of {len(chunk) / 2**20:.1f} MB that would inflate to more than "
                f"{limit // 2**20} MB, over the limit for a notice (a decompression bomb?): "
                "print the notice to a new PDF or save its text, and run again"
            )


def _page_count(pdf: Any) -> int | None:
    """The page count the document declares (``/Count`` of its page tree), without reading pages."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # no usable /Count: let pdfplumber find out
        return None


def read_pdf(data: bytes, source_file: str) -> Document:
    """Read a PDF notice with a text layer.

    A two-page notice whose district directory is a ruled table running over the page break →
    one Document whose ``tables[0]`` holds every row once, header first, and whose ``lines``
    hold the paragraphs (re-joined) and ``| … |`` table rows in reading order.
    """
    import pdfplumber  # imported here: reading a .txt corpus never pays for pdfminer

    if b"%%EOF" not in data[-2048:]:
        raise ReadError("PDF is truncated (no %%EOF end marker): the download was cut off, fetch it again")
    check_streams(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise _open_error(exc) from exc
    count = _page_count(pdf)
    if count is not None and count > MAX_PAGES:
        pdf.close()
        raise ReadError(
            f"PDF has {count} pages, over the limit of {MAX_PAGES} for a notice: a report or a collection, "
            "not a notice; save the notice's own pages as a PDF and run again"
        )
    try:
        with pdf:
            pages = [_read_page(page, n) for n, page in enumerate(pdf.pages)]
            has_images = any(page.images for page in pdf.pages)
            title = _title(pdf.metadata or {})
    except ReadError:
        raise
    except Exception as exc:  # anything pdfminer raises mid-document: a damaged file
        raise _open_error(exc) from exc
    if not pages:
        raise ReadError("PDF has no pages")

    all_text = "".join(it.text for p in pages for it in p.items if isinstance(it, _Line)) + "".join(
        cell for p in pages for it in p.items if isinstance(it, _Grid) for row in it.rows for cell in row
    )
    if garbage_ratio(all_text) > 0.3:
        raise ReadError(
            "PDF text layer is unreadable: most characters are glyph codes without Unicode ((cid:NN)); "
            "its fonts carry no ToUnicode map, and OCR is out of scope"
        )
    meaningful = len(re.sub(r"\s+", "", _CID.sub("", all_text)))
    if meaningful < 10 * len(pages) and (has_images or meaningful == 0):
        raise ReadError(SCANNED_MESSAGE)

    lines: list[str] = []
    tables: list[Table] = []
    for item in _join_paragraphs(_join_pages(pages)):
        if isinstance(item, _Grid):
            rows = [[_CID.sub("\ufffd", cell) for cell in row] for row in item.rows]
            add_table(lines, tables, rows, item.has_header)
        else:
            # a stray undecodable glyph: mark it rather than feed "(cid:12)" to the extractors
            lines.append(_CID.sub("\ufffd", item))
    meta = {"title": title} if title else {}
    return Document(source_file=source_file, format="pdf", lines=tuple(lines), tables=tuple(tables), meta=meta)
