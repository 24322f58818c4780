"""``python -m pipeline report``: rebuild ``report.html`` from ``notices.duckdb`` (:mod:`pipeline.publish.report`)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.publish.captions import DEFAULT_LANG, LANGS
from pipeline.publish.report import write_report
from pipeline.publish.tables import DB_NAME
from pipeline.settings import DEFAULT_OUT, DEFAULT_RAW

log = logging.getLogger(__name__)


def report(out_dir: Path, raw_dir: Path | None, lang: str = DEFAULT_LANG) -> int:
    """The ``report`` command: exit 0 with the path logged, or 2 when there is no database."""
    if not (out_dir / DB_NAME).is_file():
        log.error("no %s in %s: run `python -m pipeline run --out %s` first", DB_NAME, out_dir, out_dir)
        return 2
    path = write_report(out_dir, raw_dir, lang=lang)
    log.info("wrote %s", path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write report.html comparing city rollouts (from notices.duckdb)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder holding notices.duckdb (default: outputs/)")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder, for links to source files (default: raw/)")
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the page: zh (default) or en")
    p.set_defaults(func=lambda a: report(a.out, a.raw, a.lang))
