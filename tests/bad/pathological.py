"""Generate the pathological-input corpus: files made to stall or sink a run.

Nothing here is committed as data: the files are megabytes to a gigabyte when inflated, so
the tests (``tests/test_pathological.py``) and the worst-case benchmark
(``benchmarks/worst_case.py``) write them into a temporary folder with :func:`write_corpus`.
Every file is deterministic (fixed text, no randomness, no time stamps).

Each file carries one short notice of a city that appears in no other corpus (达州, 巴中,
广元, 攀枝花, 德阳, 安顺, 凉山), so its rows, when it is read, are its own and nothing else's.
``EXPECTED`` says what each file must give: its notice's window, or an ``errors`` row.
See ``tests/bad/README.md`` for the table.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def notice(city: str, area_code: str, day: int) -> list[str]:
    """The lines of a short cutover notice for ``city``: one window, one phone.

    ``notice("达州", "0818", 3)[2]`` → ``"2021年12月3日18时至12月6日8时，全市医保信息系统停机切换，暂停医保业务办理。"``
    """
    return [
        f"{city}市医疗保障局关于医保信息系统停机切换的通告",
        "各参保单位、参保人员，各定点医药机构：",
        f"2021年12月{day}日18时至12月{day + 3}日8时，全市医保信息系统停机切换，暂停医保业务办理。",
        "停机期间发生的门诊费用由个人先行垫付，系统恢复后回就诊医疗机构补办结算。",
        f"咨询电话：{area_code}-2345678",
        f"{city}市医疗保障局",
        "2021年11月28日",
    ]


def _window(day: int) -> tuple[str, str]:
    """The window of :func:`notice` as the ``outage_windows`` table writes it."""
    return f"2021-12-{day:02d}T18:00", f"2021-12-{day + 3:02d}T08:00"


def _html(body: str, title: str) -> bytes:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'.encode()


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def deep_nesting() -> bytes:
    """One notice inside 20,000 nested ``<div>``s (≈ 220 KB): quadratic chrome stripping took minutes."""
    lines = notice("达州", "0818", 3)
    depth = 20_000
    return _html("<div>" * depth + _paragraphs(lines) + "</div>" * depth, lines[0])


def many_elements() -> bytes:
    """2,000 ad blocks of 50 elements each (10⁵ elements, ≈ 14 MB), the notice at the end."""
    lines = notice("巴中", "0827", 4)
    block = '<div class="item"><ul>' + "".join(
        f'<li><a href="/ad/{i}.html"><span>推广</span>{"医疗器械优惠，限时特价，欢迎选购。" * 8}</a></li>' for i in range(16)
    ) + "</ul></div>"  # 1 div + 1 ul + 16 × (li, a, span) = 50 elements
    return _html(block * 2_000 + f'<div class="article">{_paragraphs(lines)}</div>', lines[0])


def huge_line() -> bytes:
    """A text notice followed by one 8 MB line without a break (a pasted base64 blob)."""
    lines = notice("广元", "0839", 5)
    blob = ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw" * 100_000)[: 8 * 2**20]
    return ("\n".join(lines) + "\n" + blob + "\n").encode()


def wide_table() -> bytes:
    """A notice followed by a 3,000 × 40 table of figures (≈ 2 MB): a statistics annex."""
    lines = notice("攀枝花", "0812", 6)
    header = "<tr>" + "".join(f"<th>指标{c}</th>" for c in range(40)) + "</tr>"
    rows = "".join("<tr>" + "".join(f"<td>{(r * 40 + c) % 9973}</td>" for c in range(40)) + "</tr>" for r in range(3_000))
    return _html(_paragraphs(lines) + f"<table>{header}{rows}</table>", lines[0])


def _docx_parts(document_xml: Callable[[zipfile.ZipFile], None]) -> bytes:
    """A minimal valid .docx whose ``word/document.xml`` is written by ``document_xml``."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", content_types), ("_rels/.rels", rels)):
            info = zipfile.ZipInfo(name, date_time=(2021, 11, 28, 0, 0, 0))
            z.writestr(info, text, zipfile.ZIP_DEFLATED)
        document_xml(z)
    return buf.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _w_paragraphs(lines: list[str]) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


def zip_bomb_docx(inflated: int = 2**30) -> bytes:
    """A valid Word file (≈ 1 MB) whose ``document.xml`` inflates to ``inflated`` bytes (1 GiB).

    The notice's paragraphs are followed by whitespace between two elements, which XML allows
    and deflate shrinks ≈ 1000:1.
    """
    lines = notice("德阳", "0838", 7)
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>{_w_paragraphs(lines)}'
    tail = "</w:body></w:document>"

    def write(z: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("word/document.xml", date_time=(2021, 11, 28, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = inflated  # tells zipfile a ZIP64 entry is coming
        with z.open(info, "w", force_zip64=True) as f:
            f.write(head.encode())
            pad, chunk = inflated - len(head.encode()) - len(tail), b" " * 2**22
            while pad > 0:
                f.write(chunk[:pad])
                pad -= len(chunk)
            f.write(tail.encode())

    return _docx_parts(write)


def entity_docx() -> bytes:
    """A Word file whose XML declares "billion laughs" entities (10 levels of ×10) and uses one.

    Expanded, the reference would be 10¹⁰ characters; a parser that resolves entities dies.
    """
    lines = notice("安顺", "0851", 8)
    dtd = '<!ENTITY lol0 "哈哈">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 11))
    body = _w_paragraphs(lines) + "<w:p><w:r><w:t>&lol10;</w:t></w:r></w:p>"
    xml = f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{dtd}]><w:document {_W}><w:body>{body}</w:body></w:document>'

    def write(z: zipfile.ZipFile) -> None:
        z.writestr(zipfile.ZipInfo("word/document.xml", date_time=(2021, 11, 28, 0, 0, 0)), xml, zipfile.ZIP_DEFLATED)

    return _docx_parts(write)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, repeat: int = 1) -> bytes:
    """A FlateDecode stream object of ``data`` repeated ``repeat`` times (compressed piecewise)."""
    z = zlib.compressobj(9)
    body = b"".join(z.compress(data) for _ in range(repeat)) + z.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def many_pages_pdf(pages: int = 5_000) -> bytes:
    """A PDF of 5,000 pages (≈ 0.5 MB), each one line of text: an annual report, not a notice."""
    # objects: 1 catalog, 2 page tree, 3 font, 4 shared content stream, then one object per page
    content = _stream(b"BT /F1 12 Tf 72 720 Td (Annual statistics, continued) Tj ET")
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _FONT,
        content,
        *([page] * pages),
    ])


def huge_stream_pdf(inflated: int = 2**29) -> bytes:
    """A one-page PDF (≈ 1 MB) whose content stream inflates to 512 MiB of drawing operators."""
    unit = b"0 0 m 1 1 l S\n" * 4096
    content = _stream(unit, inflated // len(unit))
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        content,
        _FONT,
    ])


def changing() -> bytes:
    """A plain notice; the test rewrites it between the run's hashing and reading of it."""
    return ("\n".join(notice("凉山", "0834", 9)) + "\n").encode()


@dataclass(frozen=True)
class Expected:
    """What a pathological file must give: its notice's rows, or an errors row.

    ``window`` is the (start_at, end_at) of the notice when it must be read; ``error_words``
    the words an errors row must contain when it must be refused (either is acceptable when
    both are given: the file may be read correctly or refused, never read wrongly).
    """

    city: str | None = None
    window: tuple[str, str] | None = None
    error_words: tuple[str, ...] = ()


GENERATORS: dict[str, Callable[[], bytes]] = {
    "deep-nesting.html": deep_nesting,
    "many-elements.html": many_elements,
    "huge-line.txt": huge_line,
    "wide-table.html": wide_table,
    "zip-bomb.docx": zip_bomb_docx,
    "entities.docx": entity_docx,
    "many-pages.pdf": many_pages_pdf,
    "huge-stream.pdf": huge_stream_pdf,
    "changing.txt": changing,
}

EXPECTED: dict[str, Expected] = {
    "deep-nesting.html": Expected(error_words=("deeper than", "256 levels", "save just the notice")),
    "many-elements.html": Expected("巴中市", _window(4)),
    "huge-line.txt": Expected(error_words=("characters long", "limit")),
    "wide-table.html": Expected(error_words=("3001 rows × 40 columns", "limit")),
    "zip-bomb.docx": Expected(error_words=("document.xml", "inflate", "limit")),
    "entities.docx": Expected("安顺市", _window(8), ("Word", "parse")),  # libxml2 refuses the amplification
    "many-pages.pdf": Expected(error_words=("5000 pages", "limit")),
    "huge-stream.pdf": Expected(error_words=("inflate", "limit")),
    "changing.txt": Expected(error_words=("changed while", "run again")),
}


def write_corpus(folder: Path, names: list[str] | None = None) -> list[Path]:
    """Write the pathological files (all, or ``names``) into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names or list(GENERATORS):
        path = folder / name
        path.write_bytes(GENERATORS[name]())
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys
    import time

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("pathological")
    for name in GENERATORS:
        started = time.perf_counter()
        (path,) = write_corpus(target, [name])
        print(f"{path.stat().st_size:>10}  {name}  ({time.perf_counter() - started:.1f} s)")
