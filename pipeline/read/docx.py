"""Word ``.docx`` reader: paragraphs and tables in body order → Document.

Merged cells are expanded by python-docx itself (a horizontal span repeats the cell, a
vertical ``vMerge`` continuation returns the cell it continues); rows that start late or end
early (``gridBefore``/``gridAfter``) are padded so every row has the table's width.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from pipeline.document import Document, ReadError, Table
from pipeline.read.grid import add_table, looks_like_header
from pipeline.read.html import clean_inline

__all__ = ["read_docx", "check_package"]


def _blocks(parent, body) -> Iterator[Paragraph | DocxTable]:
    """Paragraphs and tables of a body in document order, looking inside content controls."""
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield DocxTable(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(parent, content)


def _grid(table: DocxTable) -> list[list[str]]:
    """The table as a rectangular grid of cell texts, merged cells repeated."""
    rows: list[list[str]] = []
    for row in table.rows:
        try:
            cells = [clean_inline(cell.text) for cell in row.cells]
        except Exception:  # a vMerge "continue" with nothing above it: read the cells as they are
            cells = [clean_inline("".join(t.text or "" for t in tc.iter(qn("w:t")))) for tc in row._tr.tc_lst]
        rows.append([""] * row.grid_cols_before + cells + [""] * row.grid_cols_after)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _header_row_marked(table: DocxTable) -> bool:
    """Word's "repeat as header row" flag (``w:tblHeader``) on the first row."""
    if not table.rows:
        return False
    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


# python-docx inflates every part of the package into memory before anything can be checked,
# so the sizes the ZIP's central directory declares are checked first. A notice's document.xml
# is tens to hundreds of KB; pictures make up the rest of a package.
MAX_XML_PART_BYTES = 32 * 2**20
MAX_PACKAGE_BYTES = 256 * 2**20
MAX_PARTS = 5_000


def check_package(data: bytes) -> None:
    """Refuse a ``.docx`` whose parts would inflate past the limits, before inflating any.

    A 1 MB file whose ``word/document.xml`` declares 1 GB → ``ReadError("… would inflate to
    1024 MB …")``. A part that declares less than it holds cannot slip through: ``zipfile`` stops
    at the declared size and the CRC check then fails, which reads as a damaged file.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ReadError(f"not a readable Word .docx file (damaged ZIP): {exc}") from exc
    what = "not a notice (a decompression bomb?): save the notice as PDF or text and run again"
    if len(infos) > MAX_PARTS:
        raise ReadError(f"Word file has {len(infos)} parts, over the limit of {MAX_PARTS}: {what}")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
            raise ReadError(
                f"Word file's {info.filename} would inflate to {info.file_size / 2**20:.0f} MB "
                f"(from {info.compress_size / 2**20:.1f} MB), over the {MAX_XML_PART_BYTES // 2**20} MB limit: {what}"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE_BYTES:
        raise ReadError(
            f"Word file would inflate to {total / 2**20:.0f} MB, over the {MAX_PACKAGE_BYTES // 2**20} MB limit: {what}"
        )


def read_docx(data: bytes, source_file: str) -> Document:
    """Read a ``.docx`` file: each paragraph (and each line break inside one) is a line.

    A document with the paragraphs "通告" and "停机时间" and a 2×2 table →
    ``lines == ("通告", "停机时间", "| 序号 | 电话 |", "| 1 | 029-87424266 |")``.
    Entities are never expanded (python-docx parses with ``resolve_entities=False``).
    """
    check_package(data)
    try:
        doc = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise ReadError(f"not a readable Word .docx file (damaged ZIP or missing word/document.xml): {exc}") from exc
    except Exception as exc:  # malformed XML inside the package
        raise ReadError(f"cannot parse Word .docx file ({type(exc).__name__}): {exc}") from exc

    lines: list[str] = []
    tables: list[Table] = []
    title: str | None = None
    try:
        for block in _blocks(doc, doc.element.body):
            if isinstance(block, Paragraph):
                style = (block.style.name if block.style is not None else "") or ""
                for part in block.text.split("\n"):
                    if text := clean_inline(part):
                        lines.append(text)
                        if title is None and style.startswith(("Title", "Heading 1")):
                            title = text
            else:
                grid = _grid(block)
                add_table(lines, tables, grid, _header_row_marked(block) or looks_like_header(grid))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"cannot read Word .docx content ({type(exc).__name__}): {exc}") from exc
    if not lines:
        raise ReadError("Word document has no text (only images? OCR is out of scope)")
    meta: dict[str, str] = {}
    title = (doc.core_properties.title or "").strip() or title
    if title:
        meta["title"] = title
    return Document(source_file=source_file, format="docx", lines=tuple(lines), tables=tuple(tables), meta=meta)
