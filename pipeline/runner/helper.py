"""A second process for the end of a run, so that both cores work while the derived files are made.

When every notice is extracted, the extraction workers are idle and the run has a serial tail:
the events, the database, then the files derived from it. The workbook is the longest of those
(4 s at 10,000 notices, 40 s at 100,000) and needs nothing but the staged database, so it is
written here while the main process writes the report and the data package.

The helper is forked at the very start of a run, like the extraction workers
(:class:`pipeline.runner.budget.Workers`), while the process is small and has no thread (a fork of a
process with threads — the progress bar, the batch writer, DuckDB's and Arrow's pools — can leave a
lock held in the child forever). It dies with its parent the same way (``PR_SET_PDEATHSIG`` and a
watchdog: :func:`~pipeline.runner.budget.die_with_parent`), SIGTERM ends it at once and Ctrl-C is
left to the parent, which stops it in its ``finally`` block. Code the parent patched before the
run (the fault tests make a step wait at a marker file) is the helper's too: it is a fork.

``with Helper() as helper: helper.submit(write_workbook, staging); …; ok, value = helper.result()``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
from collections.abc import Callable
from typing import Any

from pipeline.runner import signals

# What the helper imports ahead of its first job (warm()): the libraries every publishing job needs,
# about a second of CPU that would otherwise come first on the run's last seconds.
WARM_MODULES = ("pandas", "pandera.pandas", "pyarrow.parquet", "duckdb", "rustpy_xlsxwriter", "schemas.tables",
                "pipeline.publish.tables", "pipeline.publish.events", "pipeline.publish.workbook")


def _serve(conn: Any, parent: int) -> None:
    """The helper's loop: receive ``(fn, args)``, send ``(True, fn(*args))`` or ``(False, exception)``;
    ``("warm", modules)`` imports them and sends nothing; None ends it."""
    from pipeline.runner.budget import die_with_parent

    die_with_parent(parent)
    signals.reset_in_child()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        if job[0] == "warm":
            for name in job[1]:
                try:
                    importlib.import_module(name)
                except Exception:  # the job that needs it will say what is wrong
                    pass
            continue
        fn, args = job
        try:
            answer = (True, fn(*args))
        except Exception as exc:  # reported to the parent, which decides what a failure means
            answer = (False, exc)
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return
        except Exception:  # an exception that cannot be pickled: its text instead
            conn.send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


class Helper:
    """One forked process that runs module-level functions for the run, one after the other (see the module).

    ``submit`` queues a job and ``result`` waits for the oldest job's result; ``warm`` makes it import
    the publishing libraries while it would otherwise wait.
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, os.getpid()), daemon=True, name="ybcutover-helper")
        self.proc.start()
        child.close()
        self.pending = 0

    def warm(self, modules: tuple[str, ...] = WARM_MODULES) -> None:
        """Import ``modules`` in the helper now (no answer), so its next job starts at once."""
        try:
            self.conn.send(("warm", modules))
        except OSError:
            pass

    def submit(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Queue ``fn(*args)`` in the helper (``fn`` by reference: a module-level function); False when
        the helper is gone or ``fn`` cannot be sent (the caller then does the work itself)."""
        if not self.proc.is_alive():
            return False
        try:
            self.conn.send((fn, args))
        except OSError:
            return False
        except (AttributeError, TypeError, pickle.PicklingError):  # not a module-level function (a test's wrapper)
            return False
        self.pending += 1
        return True

    def result(self) -> tuple[bool, Any]:
        """Wait for the oldest job: ``(True, its value)``, or ``(False, the exception it raised)`` — an
        ``OSError`` naming how the helper died when it did. A stop signal to this process interrupts
        the wait (and is raised)."""
        self.pending -= 1
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            from pipeline.runner.budget import death

            self.pending = 0
            return False, ChildProcessError(f"the process doing it ended ({death(self.proc)})")

    def close(self) -> None:
        """Stop the helper: at once when it is still working (a run that was stopped), else politely."""
        if self.proc.pid is None:
            return
        from pipeline.runner.budget import stop_process

        if self.pending and self.proc.is_alive():
            self.proc.kill()  # still working: a stopped run does not wait for it
        stop_process(self.proc, self.conn, wait=5)

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
