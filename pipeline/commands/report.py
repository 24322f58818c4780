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
    """The ``report`` command: exit 0 with the path printed, 2 when there is no database, 3 when
    the report cannot be written (a read-only folder, a full disk) or another run holds the folder.

    It holds the output folder's lock while it writes, so a run never swaps the tables under it,
    and records the new page in the outputs' stamp (it is made from the same database), so the
    next run does not take the page for a stale one and rebuild everything.
    """
    from pipeline.publish.swap import locked_outputs
    from pipeline.runner.cache import update_stamp

    if not (out_dir / DB_NAME).is_file():
        log.error("no %s in %s: run `python -m pipeline run --out %s` first", DB_NAME, out_dir, out_dir)
        return 2
    try:
        with locked_outputs(out_dir):
            path = write_report(out_dir, raw_dir, lang=lang)
            update_stamp(out_dir, [path])
    except OSError as exc:
        log.error("cannot write the report in %s: %s", out_dir, exc)
        return 3
    log.info("wrote %s", path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write report.html comparing city rollouts (from notices.duckdb)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder holding notices.duckdb (default: outputs/)")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder, for links to source files (default: raw/)")
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the page: zh (default) or en")
    p.set_defaults(func=lambda a: report(a.out, a.raw, a.lang))
