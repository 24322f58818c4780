"""``python -m pipeline run``: extract every notice of the raw folder (:mod:`pipeline.runner.engine`),
then write the tables and the files made from them (:mod:`pipeline.publish`).

Exit status: 0 when the outputs were written (or were already up to date); 2 when the raw folder
or a flag is wrong; 3 when the outputs cannot be written; with ``--strict``,
:data:`EXIT_ERRORS_ROWS` (4) when the outputs were written but the ``errors`` table has rows.
The summary table goes to stdout; problems (each ``errors`` row among them) are logged as warnings.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import tempfile
import time
from pathlib import Path

from pipeline.runner import budget as budgets
from pipeline.runner import signals
from pipeline.runner.budget import Budget
from pipeline.runner.cache import CACHE_DIR
from pipeline.runner.engine import PARALLEL_MIN_FILES, run_pipeline
from pipeline.runner.progress import print_summary, show_progress
from pipeline.settings import DEFAULT_OUT, DEFAULT_RAW

log = logging.getLogger(__name__)

# Exit statuses of `run` (docs/contract.md, "Additions in this repository").
EXIT_OK = 0
EXIT_USAGE = 2  # no raw folder, bad arguments, an output folder that is the raw folder
EXIT_UNWRITABLE = 3  # the outputs could not be written (locked, read-only, disk full): the previous ones stand
EXIT_INCOMPLETE = 4  # the tables were published, a derived file (report, workbook, data package) was not
EXIT_ERRORS_ROWS = 5  # run --strict: the outputs were written, but some files or notices are in the errors table


def run(
    raw_dir: Path,
    out_dir: Path,
    quiet: bool = False,
    jobs: int | None = None,
    full: bool = False,
    cache: bool = True,
    budget: Budget | None = None,
    strict: bool = False,
    workbook: bool | None = None,
) -> int:
    """The ``run`` command; returns its exit status.

    0: every output is this run's (or already was: "up to date"). 2: nothing could start (no raw
    folder; an output folder that is the raw folder). 3: the outputs could not be written — the
    previous ones are untouched. 4: the tables were published but a derived file could not be
    made (it is absent; the next run makes it). 130 / 143: stopped by SIGINT (Ctrl-C) / SIGTERM.
    Every failure is one line on stderr, never a traceback. ``workbook``: write ``notices.xlsx``
    (default: :func:`workbook_wanted`).
    """
    if not raw_dir.is_dir():
        log.error("raw folder %s does not exist", raw_dir)
        return EXIT_USAGE
    if out_dir.resolve() == raw_dir.resolve():
        log.error("the output folder %s is the raw folder: its tables and report would be read as notices on the "
                  "next run; choose another --out (a folder inside the raw folder is fine)", out_dir)
        return EXIT_USAGE
    from pipeline.publish.batches import (
        BatchSink,  # light: it imports validation and loading at its first batch
        NotIncremental,
    )

    started = time.perf_counter()
    from pipeline.publish import derive
    from pipeline.repair.corrections import CorrectingSink
    from pipeline.runner.helper import Helper
    from pipeline.runner.ledger import Ledger

    if workbook is None:
        workbook = workbook_wanted()
    helper: Helper | None = None

    def new_sink() -> CorrectingSink:
        return CorrectingSink(BatchSink(out_dir, derive=lambda staging: derive(staging, out_dir, raw_dir, helper, workbook)),
                              raw_dir)

    sink = new_sink()
    problems: dict[str, str] = {}
    with signals.handling():
        try:
            _tidy(out_dir)
            # forked now, while this process is small and has no thread: it writes the workbook at the end
            helper = Helper()
            sink.inner.helper = helper
            incremental = cache
            while True:
                with show_progress(not quiet):
                    result = run_pipeline(raw_dir, out_dir / CACHE_DIR if cache else None, jobs=jobs, full=full,
                                          skip_if_up_to_date=True, budget=budget, sink=sink, exclude=[out_dir],
                                          incremental=incremental)
                if result.up_to_date:
                    log.info("%d files unchanged since the last run: %s is up to date (--full rebuilds it)",
                             result.files_read, out_dir)
                    return EXIT_OK
                ledger = Ledger(result.signature, result.context, result.files) if cache else None
                try:
                    rows, errors = sink.commit(result.errors, stamp=result.signature if cache else None, ledger=ledger)
                except NotIncremental as why:
                    log.debug("not building on the previous outputs (%s): publishing from scratch", why)
                    sink.discard()
                    sink, incremental = new_sink(), False
                    sink.inner.helper = helper
                    continue
                if result.previous is not None:
                    log.debug("built on the previous outputs in %s: only changed files were read", out_dir)
                break
            problems = sink.problems
        except (KeyboardInterrupt, signals.Terminated) as exc:
            return _stopped(exc, out_dir, sink.committed)
        except OSError as exc:
            if signals.received() is not None:  # a library turned the signal into an I/O error
                return _stopped(signals.exception_for(signals.received()), out_dir, sink.committed)
            log.error("cannot write outputs to %s: %s; the previous outputs there are unchanged",
                      out_dir, _os_message(exc))
            return EXIT_UNWRITABLE
        finally:
            sink.discard()  # a no-op once committed; otherwise the staging folder goes
            if helper is not None:
                helper.close()
    for problem in problems.values():
        log.error("%s; the tables in %s are this run's, that file is absent until a run makes it "
                  "(run again, or `python -m pipeline report` for the report)", problem, out_dir)
    if not quiet:
        print_summary(result.files_read, rows, time.perf_counter() - started, f"{raw_dir} → {out_dir}")
    for err in errors:
        log.warning("%s [%s]: %s", err["source_file"], err["stage"], err["error"])
    if problems:
        return EXIT_INCOMPLETE
    if strict and errors:
        log.error("--strict: %d errors rows written to %s", len(errors), out_dir)
        return EXIT_ERRORS_ROWS
    return EXIT_OK


WORKBOOK_ENV = "PIPELINE_WORKBOOK"


def workbook_wanted(environ: dict[str, str] | None = None) -> bool:
    """Whether a run writes ``notices.xlsx`` when ``--workbook``/``--no-workbook`` is not given:
    ``$PIPELINE_WORKBOOK`` (``0``, ``no``, ``false`` or ``off``: no), else yes.

    >>> workbook_wanted({}), workbook_wanted({"PIPELINE_WORKBOOK": "0"})
    (True, False)
    """
    value = (os.environ if environ is None else environ).get(WORKBOOK_ENV, "").strip().lower()
    return value not in ("0", "no", "false", "off")


def _tidy(out_dir: Path) -> None:
    """Before anything else: finish a swap a killed run left halfway and delete its leftovers,
    unless another run holds the folder (it does the same when it writes). Fails fast (an
    ``OSError``) when the output folder cannot be created."""
    from pipeline.publish.swap import OutputLocked, locked_outputs, tidy_needed, tidy_outputs

    out_dir.mkdir(parents=True, exist_ok=True)
    # a read-only folder must fail here, not after every file has been extracted for nothing
    fd, probe = tempfile.mkstemp(prefix=".write-probe.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    Path(probe).unlink(missing_ok=True)  # a concurrent run's tidy-up may have taken it already
    if not tidy_needed(out_dir):
        return
    try:
        with locked_outputs(out_dir, timeout=0):
            tidy_outputs(out_dir)
    except OutputLocked:
        pass


def _os_message(exc: OSError) -> str:
    """``OSError(28, "No space left on device")`` → ``"No space left on device (the disk is full)"``."""
    text = str(exc)
    if exc.errno == errno.ENOSPC or "No space left" in text:
        return f"{text} (the disk is full: free space, or use another --out folder)"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{text} (the folder is not writable: use another --out folder, or fix its permissions)"
    return text


def _stopped(exc: BaseException, out_dir: Path, committed: bool) -> int:
    """The message and exit status of a run stopped by a signal."""
    signum = getattr(exc, "signum", None) or signals.received() or signal.SIGINT
    where = (f"{out_dir} holds this run's complete outputs (they were in place when the signal came)" if committed
             else f"the outputs in {out_dir} are those of the previous run, unchanged")
    log.error("interrupted by %s: %s", signal.Signals(signum).name, where)
    return signals.exit_status(signum)


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
    p.add_argument("--workbook", action=argparse.BooleanOptionalAction, default=None,
                   help=f"write notices.xlsx (default: yes, unless ${WORKBOOK_ENV}=0); without it an earlier one is deleted")
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
    return run(a.raw, a.out, quiet, jobs=a.jobs, full=a.full, cache=a.cache, budget=budget, strict=a.strict,
               workbook=a.workbook)
