"""Publication dates: our rules (pipeline/extract/metadata.py) against htmldate, on the real notices.

    .venv/bin/pip install -e '.[bench]'     # htmldate is a benchmark-only dependency
    .venv/bin/python benchmarks/publication_dates.py [--gold tests/real/shared_gold] [--raw raw]

htmldate (https://github.com/adbar/htmldate) is the maintained library for dates of web pages.
Each notice's text is wrapped as a minimal HTML page (one <p> per line) with its source URL, and
``find_date(original_date=True, extensive_search=True)`` is compared with the gold publication
date; so is the date our pipeline gives. Also compared: the dates read from the URL alone
(htmldate's ``extract_url_date`` against ``pipeline.repair.resolve_year.url_date``). Prints one line per
notice with a gold date and the totals.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.extract import SourceHints  # noqa: E402
from pipeline.extract.metadata import extract_metadata  # noqa: E402
from pipeline.read import read_document  # noqa: E402
from pipeline.read.normalize import normalize_document  # noqa: E402
from pipeline.repair.resolve_year import url_date  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "real" / "shared_gold")
    ap.add_argument("--raw", type=Path, default=ROOT / "raw")
    args = ap.parse_args()
    from htmldate import find_date
    from htmldate.extractors import extract_url_date
    from htmldate.utils import Extractor

    opts = Extractor(False, datetime(2030, 1, 1), datetime(1995, 1, 1), True, "%Y-%m-%d")
    urls = {r["file"]: r["url"] for r in csv.DictReader((args.raw / "manifest.csv").open(encoding="utf-8"))}
    n = ours_ok = theirs_ok = url_n = our_url = their_url = 0
    for g_path in sorted(args.gold.glob("*.json")):
        g = json.loads(g_path.read_text(encoding="utf-8"))
        name, url = g["file"], urls.get(g["file"]) or None
        if url:
            url_n += 1
            ours_u, theirs_u = url_date(url), extract_url_date(url, opts)
            our_url += ours_u is not None
            their_url += theirs_u is not None
        if not g.get("published_on"):
            continue
        text = (args.raw / name).read_text(encoding="utf-8")
        page = "<html><body>" + "".join(f"<p>{html.escape(x)}</p>" for x in text.splitlines()) + "</body></html>"
        try:
            theirs = find_date(page, url=url, original_date=True, extensive_search=True, min_date="2000-01-01")
        except Exception as exc:  # htmldate's own failure is a miss, reported
            theirs = f"error: {exc}"
        doc, _ = normalize_document(read_document(args.raw / name, name))
        md = extract_metadata(doc, SourceHints(url=url))
        ours = md.published_on.isoformat() if md.published_on else None
        n += 1
        ours_ok += ours == g["published_on"]
        theirs_ok += theirs == g["published_on"]
        print(f"{name:48} gold {g['published_on']}  ours {ours}  htmldate {theirs}")
    print(f"publication date right: ours {ours_ok}/{n}, htmldate {theirs_ok}/{n}")
    print(f"URLs with a date read: ours {our_url}/{url_n}, htmldate {their_url}/{url_n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
