"""PDF reader: reading order, ruled tables over page breaks, and the PDFs it must refuse.

Small PDFs are drawn here with reportlab (a dev dependency) in Adobe's STSong-Light CID font,
which needs no font file; the seed rendering in tests/fixtures/formats/ is read as committed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipeline.document import ReadError
from pipeline.read import read_document
from pipeline.read.pdf import SCANNED_MESSAGE, garbage_ratio, join_wrapped, merge_continued_tables, read_pdf

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "xian-2022-cutover-notice-and-guide.pdf"
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
W, H = 595.0, 842.0


def new_canvas(buf: io.BytesIO, **kwargs) -> canvas.Canvas:
    c = canvas.Canvas(buf, pagesize=(W, H), invariant=1, **kwargs)
    c.setFont(FONT, 12)
    return c


def draw_rows(c: canvas.Canvas, top: float, rows: list[list[str]], widths: list[float], merged: dict | None = None) -> float:
    """Ruled rows from ``top`` down; ``merged[(r, col)] = n`` draws one cell over n rows. Returns the new top."""
    merged = merged or {}
    covered: set[tuple[int, int]] = set()
    for (r, col), n in merged.items():
        covered |= {(r + k, col) for k in range(1, n)}
    c.setFont(FONT, 10)
    for r, row in enumerate(rows):
        x = 72.0
        for col, (text, w) in enumerate(zip(row, widths, strict=True)):
            if (r, col) not in covered:
                h = 20.0 * merged.get((r, col), 1)
                c.rect(x, top - 20.0 * r - h, w, h)
                c.drawString(x + 3, top - 20.0 * r - h / 2 - 3, text)
            x += w
    c.setFont(FONT, 12)
    return top - 20.0 * len(rows)


def two_page_table_pdf() -> bytes:
    """A paragraph, a table starting low on page 1 and continued (header repeated) on page 2, a closing line."""
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.drawString(72, 780, "附：各区医保部门咨询电话：")
    c.drawString(72, 750, "停机期间各项业务办理时限到期的，予以顺延，参保人医保待遇不变，请广大参保人员")
    c.drawString(72, 729, "相互转告。")
    header = ["序号", "行政区域", "医疗保障局", "电话"]
    widths = [50.0, 100.0, 150.0, 150.0]
    first = [header] + [[str(i), f"第{i}区", f"第{i}区医疗保障局", f"029-8742{i:04d}"] for i in range(1, 31)]
    draw_rows(c, 700, first, widths)
    c.drawString(W / 2 - 10, 40, "— 1 —")
    c.showPage()
    c.setFont(FONT, 12)
    second = [header, ["31", "西咸新区", "空港新城医疗保障局", "029-33636591"], ["31", "西咸新区", "沣东新城医疗保障局", "029-84501596"]]
    second[2][:2] = ["", ""]
    bottom = draw_rows(c, 780, second, widths, merged={(1, 0): 2, (1, 1): 2})
    c.drawString(72, bottom - 30, "备注：为不影响您使用，建议在工作日内通过电话咨询。")
    c.drawString(W / 2 - 10, 40, "— 2 —")
    c.save()
    return buf.getvalue()


def test_table_over_a_page_break_is_one_table():
    doc = read_pdf(two_page_table_pdf(), "a.pdf")
    assert doc.format == "pdf"
    [table] = doc.tables
    assert table.has_header
    assert table.rows[0] == ("序号", "行政区域", "医疗保障局", "电话")
    assert len(table.rows) == 1 + 30 + 2  # the repeated header is dropped
    assert table.rows[-2:] == (
        ("31", "西咸新区", "空港新城医疗保障局", "029-33636591"),
        ("31", "西咸新区", "沣东新城医疗保障局", "029-84501596"),  # the merged cell repeated
    )


def test_reading_order_wrapping_and_no_duplicates():
    doc = read_pdf(two_page_table_pdf(), "a.pdf")
    table = doc.tables[0]
    assert doc.lines[: table.line_index] == (
        "附：各区医保部门咨询电话：",
        "停机期间各项业务办理时限到期的，予以顺延，参保人医保待遇不变，请广大参保人员相互转告。",  # re-joined
    )
    rows = doc.lines[table.line_index : table.line_index + len(table.rows)]
    assert rows[0] == "| 序号 | 行政区域 | 医疗保障局 | 电话 |"
    assert rows[1] == "| 1 | 第1区 | 第1区医疗保障局 | 029-87420001 |"
    assert doc.lines[table.line_index + len(table.rows) :] == ("备注：为不影响您使用，建议在工作日内通过电话咨询。",)
    assert sum("029-87420001" in line for line in doc.lines) == 1  # table text is not also read as text
    assert not any("— 1 —" in line or line == "1" for line in doc.lines)  # page numbers dropped


def test_seed_rendering_joins_its_directory_over_the_page_break():
    doc = read_document(FIXTURE, FIXTURE.name)
    [table] = doc.tables
    assert len(table.rows) == 24
    assert sum(1 for row in table.rows if row[0] == "序号") == 1
    assert [row[2] for row in table.rows if row[1] == "西咸 新区"] == [
        "空港新城医疗保障局", "沣东新城医疗保障局", "秦汉新城医疗保障局", "沣西新城医疗保障局", "泾河新城医疗保障局",
    ]
    assert doc.meta["title"] == "关于西安市医疗保障局停机切换国家平台的通告及医保攻略"


def test_scanned_pdf_is_refused():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H))
    c.drawImage(ImageReader(Image.new("L", (400, 600), 200)), 50, 100, width=495, height=700)
    c.showPage()
    c.save()
    with pytest.raises(ReadError) as err:
        read_pdf(buf.getvalue(), "scan.pdf")
    assert str(err.value) == SCANNED_MESSAGE
    assert "OCR is out of scope" in SCANNED_MESSAGE


def test_encrypted_pdf_is_refused():
    buf = io.BytesIO()
    c = new_canvas(buf, encrypt="secret")
    c.drawString(72, 700, "停机通告")
    c.save()
    with pytest.raises(ReadError, match="encrypted"):
        read_pdf(buf.getvalue(), "locked.pdf")


def test_truncated_pdf_is_refused():
    data = two_page_table_pdf()
    with pytest.raises(ReadError, match="truncated"):
        read_pdf(data[: len(data) // 2], "cut.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nthis is not a pdf at all\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    ],
)
def test_corrupt_pdf_is_a_read_error(data):
    with pytest.raises(ReadError, match="PDF"):
        read_pdf(data, "bad.pdf")


def minimal_pdf(objects: list[bytes]) -> bytes:
    """A PDF from raw object bodies (object 1 is the catalog), with a correct xref table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_text_without_unicode_mapping_is_refused():
    """A CID font with Identity-H encoding and no ToUnicode map extracts as ``(cid:NN)``."""
    content = b"BT /F1 12 Tf 72 700 Td <" + b"".join(b"%04X" % (100 + i) for i in range(60)) + b"> Tj ET"
    data = minimal_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /Garbled /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Garbled /CIDSystemInfo"
            b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
            b"<< /Type /FontDescriptor /FontName /Garbled /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
            b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        ]
    )
    with pytest.raises(ReadError, match=r"\(cid:NN\)"):
        read_pdf(data, "garbled.pdf")


def test_garbage_ratio():
    assert garbage_ratio("(cid:12)(cid:34)通告") == 0.5
    assert garbage_ratio("停机时间 2022年") == 0.0
    assert garbage_ratio("\ue001\ue002ab") == 0.5


def test_join_wrapped():
    assert join_wrapped("启用国家医疗", "保障信息平台") == "启用国家医疗保障信息平台"
    assert join_wrapped("National Healthcare", "Security") == "National Healthcare Security"


def test_merge_continued_tables():
    head = ["序号", "电话"]
    assert merge_continued_tables([head, ["1", "a"]], [head, ["2", "b"]]) == [head, ["1", "a"], ["2", "b"]]
    assert merge_continued_tables([head, ["1", "a"]], [["2", "b"]]) == [head, ["1", "a"], ["2", "b"]]
