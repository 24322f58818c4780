"""``python -m pipeline run``: extract every notice of the raw folder (:mod:`pipeline.runner.engine`),
then write the tables and the files made from them (:mod:`pipeline.publish`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline.runner import budget as budgets
from pipeline.runner.budget import Budget
from pipeline.runner.cache import CACHE_DIR
from pipeline.runner.engine import PARALLEL_MIN_FILES, run_pipeline
from pipeline.runner.progress import print_summary, show_progress
from pipeline.settings import DEFAULT_OUT, DEFAULT_RAW


def run(
    raw_dir: Path,
    out_dir: Path,
    quiet: bool = False,
    jobs: int | None = None,
    full: bool = False,
    cache: bool = True,
    budget: Budget | None = None,
) -> int:
    if not raw_dir.is_dir():
        print(f"error: raw folder {raw_dir} does not exist", file=sys.stderr)
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
            if not quiet:
                print(f"{result.files_read} files unchanged since the last run: {out_dir} is up to date (--full rebuilds it)")
            return 0
        from pipeline.publish import publish
        from pipeline.publish.tables import locked_outputs

        # one lock over the tables and the pages made from them, so a concurrent run never
        # leaves a report describing other tables (the lock is re-entrant)
        with locked_outputs(out_dir):
            rows, errors = sink.commit(result.errors, stamp=result.signature if cache else None)
            problems = publish(out_dir, raw_dir)  # report, workbook and data package, after the tables
    except OSError as exc:
        print(f"error: cannot write outputs to {out_dir}: {exc}", file=sys.stderr)
        return 3
    finally:
        sink.discard()  # a no-op once committed; otherwise the staging folder goes
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not quiet:
        print_summary(result.files_read, rows, time.perf_counter() - started, f"{raw_dir} → {out_dir}")
        for err in errors:
            print(f"  ! {err['source_file']} [{err['stage']}]: {err['error']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="extract every notice in the raw folder into the output tables")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of raw notices (default: raw/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: outputs/)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
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
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run(a.raw, a.out, a.quiet, jobs=a.jobs, full=a.full, cache=a.cache, budget=budget)
