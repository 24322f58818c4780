"""Screenshot the report of the shipped corpus into ``docs/report.png`` with headless Chromium.

    .venv/bin/python scripts/screenshot_report.py                # run raw/ into a temp dir, shoot
    .venv/bin/python scripts/screenshot_report.py --outputs outputs --height 3000

Needs the Debian ``chromium`` package (``apt-get install chromium``). The pipeline runs into a
temporary folder so ``outputs/`` is left alone; nothing is fetched from the network.
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


def build_report(outputs: Path | None, work: Path) -> Path:
    """The report to shoot: ``outputs/report.html`` rebuilt, or a fresh run of ``raw/`` in ``work``.

    ``build_report(None, Path("/tmp/x"))`` → ``Path("/tmp/x/out/report.html")``.
    """
    out = outputs if outputs is not None else work / "out"
    command = ["report", "--out", str(out)] if outputs is not None else ["run", "--out", str(out), "--quiet"]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "report.png", help="where to save (default: docs/report.png)")
    parser.add_argument("--outputs", type=Path, default=None, help="use this output folder instead of a fresh run of raw/")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1900, help="pixels from the top of the page (default: 1900)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="report-shot-") as tmp:
        page = build_report(args.outputs, Path(tmp))
        screenshot(page, args.png, args.width, args.height, Path(tmp) / "profile")
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
