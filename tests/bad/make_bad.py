"""Generate the binary members of the bad-input corpus in ``tests/bad/inputs/``.

Run once by hand and commit the output (the tests never run this script):

    .venv/bin/python tests/bad/make_bad.py

Needs ``reportlab`` (in the ``dev`` extra) for the PDFs. Every output is deterministic: same
seed, fixed PDF dates and ids, so re-running it produces the same bytes and no git diff.
The text members (``*.txt``/``*.html`` written by hand) are documented in ``tests/bad/README.md``.
"""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "inputs"

# A realistic notice for a city absent from raw/ and tests/corpus (宜宾, 广安), so that a bad
# file can never be mistaken for a copy of a good notice.
YIBIN_NOTICE = """宜宾市医疗保障局关于医保信息系统停机切换的通告

各参保单位、参保人员，各定点医药机构：

根据国家医疗保障局统一部署，我市医保信息系统将切换上线国家医疗保障信息平台。现将有关事项通告如下：

一、停机时间

2021年11月20日18时至11月28日24时，全市医保信息系统暂停服务。

二、停机期间业务办理

1.停机前具备出院条件的住院患者，请于11月20日18时前办理出院结算。

2.停机期间门诊就医发生的医疗费用由个人先行垫付，系统恢复后回就诊医疗机构补办结算。

三、咨询电话

宜宾市医疗保障事务中心：0831-8222333

宜宾市医疗保障局
2021年11月15日
"""

GUANG_AN_LINES = [
    "广安市医疗保障局关于医保信息系统停机切换的通告",
    "各参保单位、参保人员：",
    "我市医保信息系统将于2021年12月10日18时至12月14日8时停机切换。",
    "停机期间发生的医疗费用由个人先行垫付，系统恢复后补办结算。",
    "咨询电话：0826-2339158",
    "广安市医疗保障局",
    "2021年12月1日",
]


def _pdf(lines: list[str], encrypt: str | None = None) -> bytes:
    """A one-page text PDF in a built-in CJK font (not embedded, so the file stays small).

    ``_pdf(["通告"])[:5]`` → ``b"%PDF-"``.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    # invariant=1 fixes the creation date and document id: reproducible bytes
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    y = 780
    for line in lines:
        c.drawString(60, y, line)
        y -= 24
    c.showPage()
    c.save()
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    """A PDF whose only content is a raster image (a scan): no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    rng = random.Random(7)
    for row in range(30):  # grey bars of varying length imitate printed lines of text
        y = 60 + row * 22
        draw.rectangle([50, y, 50 + rng.randint(200, 500), y + 10], fill=rng.randint(30, 90))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(img), 40, 40, width=515, height=760)
    c.showPage()
    c.save()
    return buf.getvalue()


def build() -> dict[str, bytes]:
    """Every generated file name → its bytes."""
    full = _pdf(GUANG_AN_LINES)
    junk = random.Random(0).randbytes(4096)
    return {
        "binary-junk.txt": junk,
        # cut mid-stream: no xref table, no %%EOF — what a broken download looks like
        "truncated.pdf": full[: len(full) * 3 // 5],
        "encrypted.pdf": _pdf(GUANG_AN_LINES, encrypt="secret"),
        "scanned.pdf": _scanned_pdf(),
        # GBK without any declaration (no BOM, no meta): what old Windows editors save
        "gbk-undeclared.txt": YIBIN_NOTICE.encode("gbk"),
    }


def main() -> None:
    INPUTS.mkdir(exist_ok=True)
    for name, data in build().items():
        (INPUTS / name).write_bytes(data)
    # the same bytes under a second name (a file downloaded twice)
    shutil.copyfile(INPUTS / "dup-a.txt", INPUTS / "dup-b.txt")
    for path in sorted(INPUTS.iterdir()):
        print(f"{path.stat().st_size:>8}  {path.name}")


if __name__ == "__main__":
    main()
