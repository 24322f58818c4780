"""Text reader and format sniffing: encodings, pipe tables, files that are not notices."""

from __future__ import annotations

import pytest

from pipeline.document import ReadError
from pipeline.read import FORMATS, read_document, sniff_format
from pipeline.read.text import decode_bytes, pipe_tables, read_text

SENTENCE = "西安市医保2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_simplified_in_common_encodings(encoding):
    doc = read_text(f"通告\n\n{SENTENCE}\r\n".encode(encoding), "a.txt")
    assert doc.lines == ("通告", SENTENCE)
    assert doc.format == "txt"


def test_big5_text():
    text = "停機時間：2022年3月11日24時起，啟用國家醫療保障信息平台。"
    assert decode_bytes(text.encode("big5"))[0] == text


def test_binary_is_refused():
    with pytest.raises(ReadError, match="binary"):
        read_text(b"\x00\x01\x02" * 100, "a.txt")


def test_pipe_table_is_found_in_context():
    lines = ["附：咨询电话", "| 序号 | 区域 | 电话 |", "|---|---|---|", "| 1 | 新城区 | 029-87424266 |", "备注"]
    [table] = pipe_tables(lines)
    assert table.rows == (("序号", "区域", "电话"), ("1", "新城区", "029-87424266"))
    assert table.has_header and table.line_index == 1


@pytest.mark.parametrize(
    ("data", "suffix", "fmt"),
    [
        (b"%PDF-1.7\n...", ".txt", "pdf"),
        (b"PK\x03\x04....word/document.xml....", ".bin", "docx"),
        (b"PK\x03\x04....xl/workbook.xml....", ".zip", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".doc", "doc"),
        (b"<!DOCTYPE html><html><body>x</body></html>", ".txt", "html"),
        ("<div>通告</div>".encode("gbk"), "", "html"),
        ("通告：停机时间".encode(), ".htm", "html"),
        ("通告：停机时间".encode(), ".txt", "txt"),
    ],
)
def test_sniff_format(data, suffix, fmt):
    assert sniff_format(data, suffix) == fmt


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Word .doc"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    ],
)
def test_unreadable_files_say_why(tmp_path, data, message):
    path = tmp_path / "notice.bin"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=message):
        read_document(path, "notice.bin")


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="cannot open"):
        read_document(tmp_path / "nope.txt", "nope.txt")


def test_format_names():
    assert FORMATS == ("txt", "html", "pdf", "docx")
