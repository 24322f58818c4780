"""Main-content extraction: our HTML reader against trafilatura (with its jusText fallback).

For every HTML page with a known notice text — the format fixtures (``tests/fixtures/formats``,
reference: the seed ``.txt`` in ``raw/``), the bad-input page ``same-notice.html`` (reference:
``same-notice.txt``) and the pathological pages (reference: the notice the generator wrote) —
it reports, per extractor:

- **kept**: share of the reference's lines (4+ characters, white space ignored) found in the
  extracted text; what a notice loses when the share is below 1 (dates, phones, signatures);
- **noise**: extracted lines found nowhere in the reference (page chrome that survived);
- **ms**: median wall time of 3 runs, in process.

The real corpora (``../shared/corpus/raw``, ``tests/corpus``) are ``.txt`` files: the HTML
reader never sees them, so their text cannot change with it.

    pip install 'trafilatura>=2,<3'     # the `bench` extra
    python benchmarks/main_content.py [--report FILE]

Not a test.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "bad"))

from pathological import GENERATORS, notice  # noqa: E402

from pipeline.document import ReadError  # noqa: E402
from pipeline.read.html import decode_html, read_html  # noqa: E402

_MARKUP = re.compile(r"^\s*(?:[-#>]+\s)?|[*|]|-{3,}")


def _squash(text: str) -> str:
    """A line without white space or markdown markup (the seed texts mark emphasis and tables):
    ``"- 🔹 **门诊** 原有"`` → ``"🔹门诊原有"``."""
    return "".join(_MARKUP.sub("", text).split())


def cases() -> list[tuple[str, bytes, list[str]]]:
    """(label, page bytes, reference lines) for every page with a known notice text."""
    out = []
    for page in sorted((REPO / "tests" / "fixtures" / "formats").glob("*.html")):
        seed = page.name.split(".")[0] + ".txt"
        out.append((page.name, page.read_bytes(), (REPO / "raw" / seed).read_text(encoding="utf-8").splitlines()))
    bad = REPO / "tests" / "bad" / "inputs"
    out.append(("same-notice.html", (bad / "same-notice.html").read_bytes(), (bad / "same-notice.txt").read_text(encoding="utf-8").splitlines()))
    for name, city, code, day in (
        ("deep-nesting.html", "达州", "0818", 3),
        ("many-elements.html", "巴中", "0827", 4),
        ("wide-table.html", "攀枝花", "0812", 6),
    ):
        out.append((name, GENERATORS[name](), notice(city, code, day)))
    return out


def ours(data: bytes) -> str:
    try:
        return "\n".join(read_html(data, "page.html").lines)
    except ReadError as exc:
        return f"[refused: {str(exc)[:60]}…]"


def trafilatura_text(data: bytes) -> str:
    import trafilatura

    text, _ = decode_html(data)
    return trafilatura.extract(text, include_tables=True, include_comments=False, deduplicate=False) or ""


def score(text: str, reference: list[str]) -> tuple[float, int]:
    """(share of reference lines kept, number of extracted lines not in the reference)."""
    ref = [_squash(line) for line in reference if len(_squash(line)) >= 4]
    flat, whole = "".join(_squash(t) for t in text.splitlines()), "".join(_squash(t) for t in reference)
    kept = sum(1 for line in ref if line in flat) / max(1, len(ref))
    noise = sum(1 for line in text.splitlines() if _squash(line) and _squash(line) not in whole)
    return kept, noise


def timed(fn: Callable[[bytes], str], data: bytes, runs: int = 3) -> tuple[str, float]:
    times, out = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        out = fn(data)
        times.append(time.perf_counter() - started)
    return out, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    lines = [
        "| page | ours kept | ours noise | ours ms | trafilatura kept | trafilatura noise | trafilatura ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, data, reference in cases():
        row = [label]
        for fn in (ours, trafilatura_text):
            text, ms = timed(fn, data)
            kept, noise = score(text, reference)
            refused = text.startswith("[refused")
            row += ["refused" if refused else f"{kept:.0%}", "–" if refused else str(noise), f"{ms:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
        print(lines[-1], flush=True)
    if args.report:
        args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
