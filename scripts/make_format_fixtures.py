#!/usr/bin/env python3
"""Render the seed notices as the containers notices are really published in.

    python scripts/make_format_fixtures.py [--seeds DIR] [--out DIR]

For every ``*.txt`` seed it writes, into ``tests/fixtures/formats/``:

- ``STEM.gov.html``: a government-site article page encoded GBK (characters outside GBK as
  ``&#NNNN;`` references, as such sites do), with navigation, breadcrumb, share buttons,
  "相关文章" and a footer around the notice; pipe tables become a real ``<table>`` whose
  blank cells under a row label are written as ``rowspan``;
- ``STEM.wechat.html``: a WeChat article page (``#activity-name``, ``#js_content``,
  ``var createTime``);
- ``STEM.pdf``: A4 pages, wrapped paragraphs, page numbers, tables drawn as ruled grids with
  merged cells, broken over a page with the header row repeated;
- ``STEM.docx``: paragraphs, bullet lists and a table with vertically merged cells.

Every rendering carries the seed's words, numbers and dates unchanged (lost digits stay lost);
only markdown syntax (``- `` bullets, ``**bold**``, ``|---|`` rules) becomes real formatting.
The fixtures are committed, so tests need neither the fonts nor reportlab; re-run this after
changing a seed. The PDF needs a CJK font and a symbol font from Debian::

    apt-get install -y fonts-wqy-zenhei fonts-symbola
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "tests" / "fixtures" / "formats"

CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Simplified Chinese
)
SYMBOL_FONTS = ("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# How each seed was published: the page's own stamp (as the seed prints it, or the notice date
# when it prints no other), and the page title when the seed's first line is not the notice's
# title (a repost that starts with the site's section name; its title is the seed's own words,
# from its breadcrumb). Container metadata, written where each format keeps it.
PAGES: dict[str, dict[str, str]] = {
    "xian-2022-cutover-notice-and-guide": {"published": "2022-02-26"},
    "hangzhou-2022-cutover-notice": {"published": "2022-11-25 22:29", "title": "杭州市医疗保障局关于停机切换国家医疗保障"},
}

# --- the seed as blocks ------------------------------------------------------------------


@dataclass
class Block:
    """A run of the seed: ``title``, ``para`` (one seed line), ``item`` (a ``- `` line) or ``table``."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


_PIPE = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*\|[\s:\-|]+\|\s*$")


def parse_seed(text: str, title: str | None = None) -> list[Block]:
    """Split a seed into blocks; the first non-blank line is the title unless one is given.

    ``"标题\\n\\n正文\\n- 条目\\n| a | b |\\n|---|---|\\n| 1 | 2 |"`` → title, para, item, table.
    """
    blocks: list[Block] = [Block("title", title)] if title else []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if _PIPE.match(line):
            rows = []
            while i < len(lines) and _PIPE.match(lines[i].strip()):
                if not _RULE.match(lines[i].strip()):
                    inner = lines[i].strip()[1:-1]
                    rows.append([cell.strip() for cell in inner.split("|")])
                i += 1
            blocks.append(Block("table", rows=rows))
            continue
        if not blocks:
            blocks.append(Block("title", line))
        elif line.startswith("- "):
            blocks.append(Block("item", line[2:].strip()))
        else:
            blocks.append(Block("para", line))
        i += 1
    return blocks


def runs(text: str) -> list[tuple[str, bool]]:
    """``"提示：**门诊慢性病** 长期用药"`` → ``[("提示：", False), ("门诊慢性病", True), (" 长期用药", False)]``."""
    parts = re.split(r"\*\*(.+?)\*\*", text)
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


def plain(text: str) -> str:
    return "".join(part for part, _ in runs(text))


def is_heading(text: str) -> bool:
    """Short lines without closing punctuation are headings (styling only)."""
    return len(text) <= 22 and not re.search(r"[。：:，,；;？?！!)）]$", text) and not re.fullmatch(r"[\d\s]+", text)


def row_spans(rows: list[list[str]]) -> list[list[tuple[str, int, int]]]:
    """Blank leading cells under a filled one become a rowspan of that cell.

    ``[["14", "西咸", "空港"], ["", "", "沣东"]]`` → ``[[("14", 2, 1), ("西咸", 2, 1), ("空港", 1, 1)], [("沣东", 1, 1)]]``.
    Only the leading (label) columns are merged: a blank cell further right is just blank.
    """
    out: list[list[tuple[str, int, int]]] = [[(c, 1, 1) for c in row] for row in rows]
    for r in range(1, len(rows)):
        lead = 0
        while lead < len(rows[r]) - 1 and rows[r][lead] == "" and any(rows[r][lead + 1 :]):
            lead += 1
        if lead == 0:
            continue
        # the nearest row above that holds these labels
        top = r - 1
        while top > 0 and all(rows[top][c] == "" for c in range(lead)):
            top -= 1
        for c in range(lead):
            text, span, cs = out[top][c]
            out[top][c] = (text, span + 1, cs)
        out[r] = [cell for c, cell in enumerate(out[r]) if c >= lead]
    return out


def spans_grid(rows: list[list[str]]) -> list[list[tuple[int, int]]]:
    """For each grid position: ``(rowspan, colspan)`` of the cell starting there, ``(0, 0)`` when covered."""
    grid = [[(1, 1) for _ in row] for row in rows]
    for r, row in enumerate(row_spans(rows)):
        c = 0
        for _text, span, _cs in row:
            while grid[r][c] == (0, 0):
                c += 1
            grid[r][c] = (span, 1)
            for dr in range(1, span):
                grid[r + dr][c] = (0, 0)
            c += 1
    return grid


# --- HTML ---------------------------------------------------------------------------------


def html_runs(text: str) -> str:
    return "".join(f"<strong>{html.escape(t)}</strong>" if bold else html.escape(t) for t, bold in runs(text))


def html_table(rows: list[list[str]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse" width="100%">', "<tbody>"]
    for r, row in enumerate(row_spans(rows)):
        tag = "th" if r == 0 else "td"
        cells = []
        for text, span, _ in row:
            attr = f' rowspan="{span}"' if span > 1 else ""
            cells.append(f'<{tag}{attr} align="center">{html.escape(text)}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def html_body(blocks: list[Block], wechat: bool) -> str:
    out: list[str] = []
    in_list = False
    for b in blocks:
        if b.kind == "title":
            continue
        if b.kind == "item" and not in_list:
            out.append("<ul>")
            in_list = True
        if b.kind != "item" and in_list:
            out.append("</ul>")
            in_list = False
        if b.kind == "item":
            out.append(f"<li>{html_runs(b.text)}</li>")
        elif b.kind == "table":
            out.append(html_table(b.rows))
        elif wechat:
            style = "font-weight:bold;" if is_heading(plain(b.text)) else "text-indent:2em;"
            out.append(f'<section style="margin:8px 0"><p style="{style}"><span style="font-size:15px;">{html_runs(b.text)}</span></p></section>')
        elif is_heading(plain(b.text)):
            out.append(f"<h3>{html_runs(b.text)}</h3>")
        else:
            # government CMS pages indent with ideographic spaces and wrap long source lines
            out.append(f'<p style="text-indent:2em">\u3000\u3000{html_runs(b.text)}</p>')
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


GOV_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>{title}_医疗保障局门户网站</title>
<meta name="SiteName" content="医疗保障局门户网站" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{published}" />
<link rel="stylesheet" type="text/css" href="/css/style.css" />
<style type="text/css">.TRS_Editor p{{line-height:2;font-size:16px}} .nav li{{float:left}}</style>
<script type="text/javascript" src="/js/jquery.min.js"></script>
</head>
<body>
<div class="header">
  <div class="logo"><img src="/images/logo.png" alt="医疗保障局门户网站" /></div>
  <div class="nav"><ul>
    <li><a href="/">首页</a></li><li><a href="/jggk/">机构概况</a></li><li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/zcfg/">政策法规</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li>
  </ul></div>
</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/tzgg/">通知公告</a></div>
<div class="main">
 <div class="article">
  <h1>{title}</h1>
  <div class="TRS_Editor">
{body}
  </div>
  <div class="bdsharebuttonbox">分享到：<a href="#" class="bds_weixin">微信</a><a href="#" class="bds_tsina">微博</a><a href="#" class="bds_qzone">QQ空间</a></div>
  <div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】 【<a href="javascript:window.close()">关闭窗口</a>】</div>
 </div>
 <div class="related">
  <h3>相关文章</h3>
  <ul>
   <li><a href="/zwgk/tzgg/202201/t20220115_1.html">关于做好春节期间医疗保障服务工作的通知</a><span>2022-01-15</span></li>
   <li><a href="/zwgk/tzgg/202112/t20211220_2.html">关于调整门诊慢特病病种的通知</a><span>2021-12-20</span></li>
   <li><a href="/zwgk/tzgg/202111/t20211108_3.html">医保电子凭证激活指南</a><span>2021-11-08</span></li>
  </ul>
 </div>
</div>
<div id="footer" class="footer">
  <p>主办单位：医疗保障局 &nbsp; 网站标识码：0000000000 &nbsp; ICP备00000000号</p>
  <p>地址：人民路1号 &nbsp; 网站联系电话：029-00000000 &nbsp; 技术支持：信息中心</p>
</div>
<script type="text/javascript">var _hmt = _hmt || []; document.write("<span>访问量</span>");</script>
</body>
</html>
"""

WECHAT_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0,viewport-fit=cover">
<meta property="og:title" content="{title}" />
<meta property="og:type" content="article" />
<meta property="og:description" content="" />
<title>{title}</title>
<style>.rich_media_content{{overflow:hidden;color:#333;font-size:17px}}</style>
<script type="text/javascript">
  var biz = "MzA4NjAwMDAwMA==";
  var msg_title = '{title_js}'.html(false);
{ct}  var createTime = '{published}';
</script>
</head>
<body id="activity-detail" class="zh_CN wx_wap_page">
<div id="js_article" class="rich_media">
 <div class="rich_media_inner">
  <div id="page-content" class="rich_media_area_primary">
   <h1 class="rich_media_title" id="activity-name">
   {title}
   </h1>
   <div id="meta_content" class="rich_media_meta_list">
    <span class="rich_media_meta rich_media_meta_text">原创</span>
    <span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">医保服务</a></span>
    <em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>
   </div>
   <div class="rich_media_content" id="js_content" style="visibility: hidden;">
{body}
   </div>
   <div class="rich_media_tool" id="js_toobar3"><a id="js_view_source" href="##">阅读原文</a><span id="readNum3">阅读 10万+</span></div>
  </div>
  <div class="rich_media_area_extra">
   <div class="mpda_bottom_container" id="js_bottom_ad_area"></div>
   <div id="js_related_area"><div class="related_article_title">喜欢此内容的人还喜欢</div>
    <ul><li><a href="/s/a1">医保电子凭证怎么激活？</a></li><li><a href="/s/a2">门诊慢特病待遇有变化</a></li><li><a href="/s/a3">异地就医备案线上办理</a></li></ul>
   </div>
  </div>
 </div>
</div>
<script type="text/javascript">document.getElementById("js_content").style.visibility = "visible";</script>
</body>
</html>
"""

_BEIJING = timezone(timedelta(hours=8))


def gov_html(blocks: list[Block], published: str) -> bytes:
    page = GOV_PAGE.format(title=html.escape(blocks[0].text), published=published, body=html_body(blocks, wechat=False))
    # characters outside GBK (emoji, ☛, ») become numeric references, as CMS exports do
    return page.encode("gbk", errors="xmlcharrefreplace")


def wechat_html(blocks: list[Block], published: str) -> bytes:
    title = blocks[0].text
    ct = ""
    if " " in published:  # a stamp with a time also has the epoch seconds WeChat prints as ``ct``
        stamp = datetime.strptime(published, "%Y-%m-%d %H:%M").replace(tzinfo=_BEIJING)
        ct = f'  var ct = "{int(stamp.timestamp())}";\n'
    page = WECHAT_PAGE.format(
        title=html.escape(title), title_js=title.replace("'", "\\'"), ct=ct, published=published, body=html_body(blocks, wechat=True)
    )
    return page.encode("utf-8")


# --- PDF ------------------------------------------------------------------------------------


def _utf16_hex(code: int) -> str:
    """``0x1F539`` → ``"D83DDD39"``: a ToUnicode target is UTF-16BE, surrogate pairs included."""
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def _patch_reportlab_tounicode() -> None:
    """reportlab writes non-BMP code points as 5 hex digits (``<1F539>``), which readers decode
    as garbage; write them as UTF-16 surrogate pairs so 🔹 extracts as 🔹."""
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap

    def fixed(fontname: str, subset: list[int]) -> str:
        cmap = original(fontname, subset)
        for i, code in enumerate(subset):
            if code > 0xFFFF:
                cmap = cmap.replace(f"<{i:02X}> <{code:04X}>", f"<{i:02X}> <{_utf16_hex(code)}>")
        return cmap

    ttfonts.makeToUnicodeCMap = fixed


class PdfWriter:
    """A tiny layout engine on a reportlab canvas: wrapped paragraphs, ruled tables, page numbers."""

    PAGE_W, PAGE_H = 595.27, 841.89
    LEFT, RIGHT, TOP, BOTTOM = 72.0, 72.0, 72.0, 96.0
    SIZE, LEADING = 12.0, 21.0

    def __init__(self, path: Path, cjk: tuple[str, int], symbol: str, title: str) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
        from reportlab.pdfgen import canvas

        _patch_reportlab_tounicode()
        pdfmetrics.registerFont(TTFont("CJK", cjk[0], subfontIndex=cjk[1]))
        pdfmetrics.registerFont(TTFont("SYM", symbol))
        self.cjk_chars = set(TTFontFile(cjk[0], subfontIndex=cjk[1]).charToGlyph)
        self.metrics = pdfmetrics
        # invariant=1: no creation time or random id, so re-running gives the same bytes
        self.c = canvas.Canvas(str(path), pagesize=(self.PAGE_W, self.PAGE_H), invariant=1)
        self.c.setTitle(title)
        self.page = 1
        self.y = self.PAGE_H - self.TOP
        self.width = self.PAGE_W - self.LEFT - self.RIGHT

    def _font(self, ch: str) -> str:
        return "CJK" if ord(ch) in self.cjk_chars or ch.isspace() else "SYM"

    def text_width(self, text: str, size: float) -> float:
        return sum(self.metrics.stringWidth(ch, self._font(ch), size) for ch in text)

    def draw(self, x: float, y: float, text: str, size: float) -> None:
        """Draw text switching to the symbol font for glyphs the CJK font lacks (🔹, ☛)."""
        for font, run in self._font_runs(text):
            self.c.setFont(font, size)
            self.c.drawString(x, y, run)
            x += self.metrics.stringWidth(run, font, size)

    def _font_runs(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self._font(ch)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def new_page(self) -> None:
        label = f"— {self.page} —"
        self.draw((self.PAGE_W - self.text_width(label, 10)) / 2, 40, label, 10)
        self.c.showPage()
        self.page += 1
        self.y = self.PAGE_H - self.TOP

    def wrap(self, text: str, first_width: float, width: float, size: float) -> list[str]:
        lines, current, limit = [], "", first_width
        for ch in text:
            if self.text_width(current + ch, size) > limit:
                lines.append(current)
                current, limit = ch, width
            else:
                current += ch
        if current:
            lines.append(current)
        return lines

    def paragraph(self, text: str, size: float | None = None, indent: float = 2.0, center: bool = False) -> None:
        size = size or self.SIZE
        leading = size * 1.75
        first_indent = indent * size
        for i, line in enumerate(self.wrap(text, self.width - first_indent, self.width, size)):
            if self.y - leading < self.BOTTOM:
                self.new_page()
            self.y -= leading
            if center:
                x = self.LEFT + (self.width - self.text_width(line, size)) / 2
            else:
                x = self.LEFT + (first_indent if i == 0 else 0)
            self.draw(x, self.y, line, size)
        self.y -= size * 0.4

    def table(self, rows: list[list[str]], break_before: int = 10) -> None:
        """A ruled grid, header repeated after a page break, merged label cells kept on one page.

        When the whole table would fit where it starts, it is still broken before data row
        ``break_before``, so the fixture always exercises the reader's cross-page join.
        """
        size, row_h = 9.0, 20.0
        ncol = len(rows[0])
        weights = [0.8, 1.5, 2.6, 1.8, 1.8, 1.8][:ncol] if ncol == 6 else [1.0] * ncol
        widths = [self.width * w / sum(weights) for w in weights]
        spans = spans_grid(rows)
        header, body = rows[0], list(range(1, len(rows)))
        fits = self.y - row_h * len(rows) - 10 > self.BOTTOM
        self.y -= 6
        self._row(header, [(1, 1)] * ncol, widths, row_h, size)
        r = 0
        while r < len(body):
            i = body[r]
            block = max((spans[i][c][0] for c in range(ncol)), default=1)  # rows a merged cell holds together
            forced = fits and i == break_before
            if forced or self.y - row_h * block < self.BOTTOM:
                self.new_page()
                self._row(header, [(1, 1)] * ncol, widths, row_h, size)
                fits = False
            for k in range(block):
                self._row(rows[i + k], spans[i + k], widths, row_h, size)
            r += block
        self.y -= 10

    def _row(self, cells: list[str], spans: list[tuple[int, int]], widths: list[float], row_h: float, size: float) -> None:
        x = self.LEFT
        top = self.y
        for text, (span, _), w in zip(cells, spans, widths, strict=True):
            if span:  # (0, 0): covered by a merged cell drawn in an earlier row
                h = row_h * span
                self.c.setLineWidth(0.6)
                self.c.rect(x, top - h, w, h, stroke=1, fill=0)
                ty = top - h / 2 - size * 0.35
                self.draw(x + 3, ty, text, size)
            x += w
        self.y -= row_h

    def save(self) -> None:
        self.new_page()
        self.c.save()


def write_pdf(blocks: list[Block], path: Path, cjk: tuple[str, int], symbol: str) -> None:
    pdf = PdfWriter(path, cjk, symbol, blocks[0].text)
    for b in blocks:
        if b.kind == "title":
            pdf.paragraph(b.text, size=16, indent=0, center=True)
        elif b.kind == "table":
            pdf.table(b.rows)
        else:
            pdf.paragraph(plain(b.text))
    pdf.save()


# --- Word --------------------------------------------------------------------------------------


def write_docx(blocks: list[Block], path: Path, published: str) -> None:
    from docx import Document
    from docx.oxml import OxmlElement

    doc = Document()
    doc.core_properties.title = blocks[0].text
    doc.core_properties.created = datetime.strptime(published[:10], "%Y-%m-%d")
    doc.core_properties.modified = doc.core_properties.created
    for b in blocks:
        if b.kind == "title":
            doc.add_paragraph(b.text, style="Title")
        elif b.kind == "item":
            p = doc.add_paragraph(style="List Bullet")
            for text, bold in runs(b.text):
                p.add_run(text).bold = bold
        elif b.kind == "para":
            p = doc.add_paragraph()
            for text, bold in runs(b.text):
                p.add_run(text).bold = bold
        else:
            ncol = len(b.rows[0])
            table = doc.add_table(rows=len(b.rows), cols=ncol)
            table.style = "Table Grid"
            spans = spans_grid(b.rows)
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    if spans[r][c] != (0, 0):
                        table.cell(r, c).text = text
            for r, row in enumerate(spans):
                for c, (span, _) in enumerate(row):
                    if span > 1:
                        table.cell(r, c).merge(table.cell(r + span - 1, c))
            # mark the first row as the header Word repeats on every page
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:tblHeader"))
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_stable_zip(buf.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """The same ZIP with fixed entry timestamps, so re-running the generator changes no bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2022, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --- main --------------------------------------------------------------------------------------


def find_fonts() -> tuple[tuple[str, int], str] | None:
    """``((cjk_path, subfont_index), symbol_path)`` of the first installed fonts, or None."""
    cjk = next((c for c in CJK_FONTS if Path(c[0]).exists()), None)
    symbol = next((p for p in SYMBOL_FONTS if Path(p).exists()), None)
    return (cjk, symbol) if cjk and symbol else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    fonts = find_fonts()
    if fonts is None:
        print("error: a CJK font and a symbol font are needed: apt-get install -y fonts-wqy-zenhei fonts-symbola", file=sys.stderr)
        return 2
    cjk, symbol = fonts
    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        print(f"error: no seed notices in {args.seeds}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        page = PAGES.get(seed.stem)
        if page is None:
            print(f"error: add {seed.stem!r} to PAGES (its page's publication stamp)", file=sys.stderr)
            return 2
        published = page["published"]
        blocks = parse_seed(seed.read_text(encoding="utf-8"), page.get("title"))
        (args.out / f"{seed.stem}.gov.html").write_bytes(gov_html(blocks, published))
        (args.out / f"{seed.stem}.wechat.html").write_bytes(wechat_html(blocks, published))
        write_pdf(blocks, args.out / f"{seed.stem}.pdf", cjk, symbol)
        write_docx(blocks, args.out / f"{seed.stem}.docx", published)
        print(f"{seed.name}: gov.html, wechat.html, pdf, docx → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
