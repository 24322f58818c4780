"""``python -m pipeline run``: extract every notice of the raw folder (:mod:`pipeline.runner.engine`),
then write the tables and the files made from them (:mod:`pipeline.publish`).

Exit status: 0 when the outputs were written (or were already up to date); 2 when the raw folder
or a flag is wrong; 3 when the outputs cannot be written; with ``--strict``,
:data:`EXIT_ERRORS_ROWS` (4) when the outputs were written but the ``errors`` table has rows.
The summary table goes to stdout; problems (each ``errors`` row among them) are logged as warnings.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from pipeline.runner import budget as budgets
from pipeline.runner.budget import Budget
from pipeline.runner.cache import CACHE_DIR
from pipeline.runner.engine import PARALLEL_MIN_FILES, run_pipeline
from pipeline.runner.progress import print_summary, show_progress
from pipeline.settings import DEFAULT_OUT, DEFAULT_RAW

log = logging.getLogger(__name__)

# run --strict: the outputs were written, but some files or notices are in the errors table
EXIT_ERRORS_ROWS = 4


def run(
    raw_dir: Path,
    out_dir: Path,
    quiet: bool = False,
    jobs: int | None = None,
    full: bool = False,
    cache: bool = True,
    budget: Budget | None = None,
    strict: bool = False,
) -> int:
    if not raw_dir.is_dir():
        log.error("raw folder %s does not exist", raw_dir)
        return 2
    from pipeline.publish.batches import (
        BatchSink,  # light: it imports validation and loading at its first batch
    )

    started = time.perf_counter()
    from pipeline.repair.corrections import CorrectingSink

    sink = CorrectingSink(BatchSink(out_dir), raw_dir)
    try:
        with show_progress(not quiet):
            result = run_pipeline(raw_dir, out_dir / CACHE_DIR if cache else None, jobs=jobs, full=full,
                                  skip_if_up_to_date=True, budget=budget, sink=sink)
        if result.up_to_date:
            log.info("%d files unchanged since the last run: %s is up to date (--full rebuilds it)", result.files_read, out_dir)
            return 0
        from pipeline.publish import publish
        from pipeline.publish.tables import locked_outputs

        # one lock over the tables and the pages made from them, so a concurrent run never
        # leaves a report describing other tables (the lock is re-entrant)
        with locked_outputs(out_dir):
            rows, errors = sink.commit(result.errors, stamp=result.signature if cache else None)
            problems = publish(out_dir, raw_dir)  # report, workbook and data package, after the tables
    except OSError as exc:
        log.error("cannot write outputs to %s: %s", out_dir, exc)
        return 3
    finally:
        sink.discard()  # a no-op once committed; otherwise the staging folder goes
    for problem in problems:
        log.warning("%s", problem)
    if not quiet:
        print_summary(result.files_read, rows, time.perf_counter() - started, f"{raw_dir} → {out_dir}")
    for err in errors:
        log.warning("%s [%s]: %s", err["source_file"], err["stage"], err["error"])
    if strict and errors:
        log.error("--strict: %d errors rows written to %s", len(errors), out_dir)
        return EXIT_ERRORS_ROWS
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="extract every notice in the raw folder into the output tables")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of raw notices (default: raw/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: outputs/)")
    p.add_argument("--quiet", action="store_true", help="no summary table, no progress bar: problems only (the global -q)")
    p.add_argument("--strict", action="store_true",
                   help=f"exit {EXIT_ERRORS_ROWS} when the errors table has rows (the outputs are written all the same)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help=f"worker processes for extraction (default: serial below {PARALLEL_MIN_FILES} files, else every core)")
    p.add_argument("--full", action="store_true", help="re-extract every file, ignoring (and refreshing) the cache in OUT/.cache")
    p.add_argument("--no-cache", dest="cache", action="store_false", help="neither read nor write the cache")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help=f"stop a file after this many seconds (default: ${budgets.TIME_ENV} or {budgets.DEFAULT_SECONDS:g}; 0: none)")
    p.add_argument("--memory-limit", type=int, default=None, metavar="MB",
                   help=f"stop a file that needs more memory (default: ${budgets.MEMORY_ENV} or {budgets.DEFAULT_MEMORY_MB}; 0: none)")
    p.set_defaults(func=_run_command)


def _run_command(a: argparse.Namespace) -> int:
    """``run`` from the command line: the budget from the flags, else the environment."""
    try:
        budget = Budget.resolve(a.time_limit, a.memory_limit)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    quiet = a.quiet or getattr(a, "log_quiet", 0) > 0  # the global -q is run --quiet too
    return run(a.raw, a.out, quiet, jobs=a.jobs, full=a.full, cache=a.cache, budget=budget, strict=a.strict)
