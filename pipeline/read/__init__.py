"""Read stage: a raw file → a :class:`~pipeline.document.Document`.

The format is chosen by sniffing the bytes (``%PDF``, a ZIP with ``word/document.xml``,
HTML tags), the file extension only breaking ties, because reposted files are often
misnamed (an HTML page saved as ``.txt``).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pipeline.document import Document, ReadError
from pipeline.read.text import read_text

__all__ = ["read_document", "sniff_format", "ReadError", "SUPPORTED_SUFFIXES", "FORMATS"]

SUPPORTED_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx"}
FORMATS = ("txt", "html", "pdf", "docx")  # the values of Document.format


_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<div", b"<p>", b"<p ", b"<table")


def sniff_format(data: bytes, suffix: str = "") -> str:
    """Guess the container format from the first bytes.

    >>> sniff_format(b"%PDF-1.7 ...")
    'pdf'

    Besides the four readable formats it can answer ``"doc"`` (legacy binary Word, an OLE2
    file) and ``"zip"`` (a ZIP that is not a Word document), which :func:`read_document` refuses.
    """
    head = data[:4096].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:  # some servers prepend junk before %PDF
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/document.xml" in data else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    low = head.lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(m in low for m in _HTML_MARKERS):
        return "html"
    suffix = suffix.lower()
    if suffix in {".html", ".htm", ".shtml"}:
        return "html"
    return "txt"


def _reader(module: str, name: str):
    """A reader imported on first use: reading a .txt corpus never pays for pdfminer or python-docx."""
    return lambda: getattr(importlib.import_module(module), name)


_READERS = {
    "txt": lambda: read_text,
    "html": _reader("pipeline.read.html", "read_html"),
    "pdf": _reader("pipeline.read.pdf", "read_pdf"),
    "docx": _reader("pipeline.read.docx", "read_docx"),
}

# A paragraph of a notice is at most a few thousand characters; a line of hundreds of
# thousands is a pasted blob, and every extractor scans every line many times.
MAX_LINE_CHARS = 100_000


def check_lines(doc: Document) -> Document:
    """Refuse a document with a line too long to be notice text; return it unchanged otherwise.

    A text file whose second line is 8 MB of base64 → ``ReadError("line 2 is 8,388,608 characters …")``.
    """
    for number, line in enumerate(doc.lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ReadError(
                f"line {number} is {len(line):,} characters long, over the limit of {MAX_LINE_CHARS:,} for notice text "
                "(a pasted blob or data without line breaks?): save just the notice and run again"
            )
    return doc


def read_document(path: Path, source_file: str, data: bytes | None = None) -> Document:
    """Read one raw file into a Document, raising :class:`ReadError` with a usable message.

    ``data`` is the file's bytes when the caller has read them already (the run reads each
    file once, so the bytes it hashed are the bytes that are parsed); ``path`` then only
    lends its suffix.
    """
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:  # permissions, vanished file
            raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ReadError("file is empty: nothing to read")
    fmt = sniff_format(data, path.suffix)
    if fmt in FORMATS:
        return check_lines(_READERS[fmt]()(data, source_file))
    if fmt == "doc":
        raise ReadError("legacy Word .doc (binary) is not supported: save it as .docx or PDF")
    raise ReadError(f"unsupported format {fmt!r}: a ZIP archive that is not a Word .docx")
