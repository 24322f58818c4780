"""Word .docx reader: body order, merged cells, line breaks, damaged files."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from pipeline.document import ReadError
from pipeline.read import read_document
from pipeline.read.docx import read_docx

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "xian-2022-cutover-notice-and-guide.docx"


def make_docx() -> bytes:
    doc = docx.Document()
    doc.core_properties.title = ""
    doc.add_paragraph("关于停机切换的通告", style="Title")
    doc.add_paragraph("2022年3月11日24时起停机。")
    table = doc.add_table(rows=4, cols=4)
    for c, text in enumerate(["序号", "行政区域", "医疗保障局", "电话"]):
        table.cell(0, c).text = text
    table.cell(1, 0).text, table.cell(1, 1).text = "14", "西咸新区"
    table.cell(1, 2).text, table.cell(1, 3).text = "空港新城医疗保障局", "029-33636591"
    table.cell(2, 2).text, table.cell(2, 3).text = "沣东新城医疗保障局", "029-84501596"
    table.cell(1, 0).merge(table.cell(2, 0))  # vertical merges
    table.cell(1, 1).merge(table.cell(2, 1))
    table.cell(3, 0).text = "合计"
    table.cell(3, 0).merge(table.cell(3, 1))  # a horizontal merge
    table.cell(3, 2).text = "2 个"
    p = doc.add_paragraph("备注：")
    p.add_run().add_break()
    p.add_run("工作日咨询。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_paragraphs_and_merged_table_in_body_order():
    doc = read_docx(make_docx(), "a.docx")
    assert doc.format == "docx"
    assert doc.meta["title"] == "关于停机切换的通告"
    [table] = doc.tables
    assert table.rows == (
        ("序号", "行政区域", "医疗保障局", "电话"),
        ("14", "西咸新区", "空港新城医疗保障局", "029-33636591"),
        ("14", "西咸新区", "沣东新城医疗保障局", "029-84501596"),
        ("合计", "合计", "2 个", ""),
    )
    assert table.has_header
    assert doc.lines[:3] == ("关于停机切换的通告", "2022年3月11日24时起停机。", "| 序号 | 行政区域 | 医疗保障局 | 电话 |")
    assert table.line_index == 2
    assert doc.lines[-2:] == ("备注：", "工作日咨询。")  # a line break inside a paragraph splits it


def test_rendered_seed_fixture_keeps_the_directory():
    doc = read_document(FIXTURE, FIXTURE.name)
    [table] = doc.tables
    assert len(table.rows) == 24 and table.has_header
    assert sum(1 for row in table.rows if row[1] == "西咸 新区") == 5


@pytest.mark.parametrize("data", [b"PK\x03\x04 word/document.xml but not a zip", make_docx()[:2000]])
def test_damaged_docx_is_a_read_error(data):
    with pytest.raises(ReadError, match="Word"):
        read_docx(data, "a.docx")
