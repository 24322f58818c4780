"""Plain-text reader: bytes in any common Chinese encoding → Document.

Markdown-style pipe tables (``| a | b |``) found in text are also returned as tables.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from pipeline.document import Document, ReadError, Table

# Encodings tried in order before asking the detector: UTF-8 is unambiguous when it decodes,
# and GB18030 is a superset of GBK/GB2312, which is what undeclared Chinese text mostly is.
_CANDIDATES = ("utf-8-sig", "gb18030", "big5")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes, returning ``(text, charset)``.

    >>> decode_bytes("西安市医疗保障局关于停机切换的通告".encode("gbk"))
    ('西安市医疗保障局关于停机切换的通告', 'gb18030')
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary data, not text (NUL bytes): check the file is really a notice")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if _looks_chinese(text) or best.encoding.replace("_", "").lower() in {"gb18030", "gbk", "gb2312", "big5"}:
            return text, best.encoding
    for enc in _CANDIDATES[1:]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_chinese(text):
            return text, enc
    raise ReadError("cannot decode text in any common Chinese encoding (UTF-8, GB18030, Big5)")


def _looks_chinese(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han >= max(1, len(text) // 20)


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE_ROW = re.compile(r"^\s*\|?[\s:\-|]+\|?\s*$")


def split_pipe_row(line: str) -> tuple[str, ...]:
    """The cells of a ``|``-separated table row.

    >>> split_pipe_row("| 1 | 新城区 | 029-87424266 |")
    ('1', '新城区', '029-87424266')
    """
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return tuple(cell.strip() for cell in inner.split("|"))


def pipe_tables(lines: list[str]) -> list[Table]:
    """Find markdown pipe tables among lines (header row, ``|---|`` rule, data rows)."""
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if _PIPE_ROW.match(lines[i]):
            start = i
            rows: list[tuple[str, ...]] = []
            has_header = False
            while i < len(lines) and _PIPE_ROW.match(lines[i]):
                if _RULE_ROW.match(lines[i]) and "-" in lines[i]:
                    has_header = len(rows) == 1
                else:
                    rows.append(split_pipe_row(lines[i]))
                i += 1
            if len(rows) >= 2:
                tables.append(Table(rows=tuple(rows), has_header=has_header, line_index=start))
        else:
            i += 1
    return tables


def read_text(data: bytes, source_file: str) -> Document:
    """Read a ``.txt`` notice; blank lines dropped, every other line kept as printed."""
    text, charset = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    lines = [ln.rstrip() for ln in raw_lines if ln.strip()]
    return Document(
        source_file=source_file,
        format="txt",
        lines=tuple(lines),
        tables=tuple(pipe_tables(lines)),
        meta={"charset": charset},
    )
