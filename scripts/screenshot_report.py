"""Screenshot the report into ``docs/report.png`` with headless Chromium (and print it to PDF).

    .venv/bin/python scripts/screenshot_report.py                # run raw/ into a temp dir, shoot at 1,400 px
    .venv/bin/python scripts/screenshot_report.py --raw ../scratch/dev/raw   # another corpus
    .venv/bin/python scripts/screenshot_report.py --outputs outputs --height 3000 --pdf /tmp/report.pdf

Needs the Debian ``chromium`` package and a CJK font (``apt-get install chromium fonts-wqy-zenhei``).
The pipeline runs into a temporary folder so ``outputs/`` is left alone; nothing is fetched from
the network.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # the page must not need the network; make sure it cannot
)


def build_report(outputs: Path | None, work: Path, raw: Path | None = None) -> Path:
    """The report to shoot: ``outputs/report.html`` rebuilt, or a fresh run of ``raw`` (default ``raw/``) in ``work``.

    ``build_report(None, Path("/tmp/x"))`` → ``Path("/tmp/x/out/report.html")``.
    """
    out = outputs if outputs is not None else work / "out"
    if outputs is not None:
        command = ["report", "--out", str(out)]
    else:
        command = ["run", "--out", str(out), "--quiet"] + (["--raw", str(raw.resolve())] if raw else [])
    subprocess.run([sys.executable, "-m", "pipeline", *command], cwd=ROOT, check=True)
    return out / "report.html"


def screenshot(page: Path, png: Path, width: int, height: int, profile: Path) -> None:
    """Save the top ``width``×``height`` pixels of ``page`` as ``png``."""
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
         f"--screenshot={png.resolve()}", page.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )


def print_pdf(page: Path, pdf: Path, profile: Path) -> None:
    """Print ``page`` to ``pdf`` as a browser prints it (the page's print stylesheet: A4 landscape)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf.resolve()}",
         page.resolve().as_uri()],
        check=True, capture_output=True, timeout=180,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "report.png", help="where to save (default: docs/report.png)")
    parser.add_argument("--outputs", type=Path, default=None, help="use this output folder instead of a fresh run of raw/")
    parser.add_argument("--raw", type=Path, default=None, help="the raw folder of the fresh run (default: raw/)")
    parser.add_argument("--pdf", type=Path, default=None, help="also print the page to this PDF file")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1900, help="pixels from the top of the page (default: 1900)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="report-shot-") as tmp:
        page = build_report(args.outputs, Path(tmp), args.raw)
        screenshot(page, args.png, args.width, args.height, Path(tmp) / "profile")
        if args.pdf:
            print_pdf(page, args.pdf, Path(tmp) / "profile-pdf")
            print(f"wrote {args.pdf}")
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
