"""A budget per file: every file is read and extracted in a worker process under a time limit
and a memory limit, so that no single file can stall or sink a run.

The limits are set here, once (``DEFAULT_SECONDS``, ``DEFAULT_MEMORY_MB``), and overridden by
the environment (``PIPELINE_TIME_LIMIT`` seconds, ``PIPELINE_MEMORY_LIMIT`` MB) and by
``run --time-limit`` / ``--memory-limit``, which win; ``0`` turns a limit off. A file over its
budget is stopped and comes back as an :class:`Overrun`, which the run turns into an ``errors``
row saying which limit it hit and what to do; the run goes on with the next file.

- **Time**: the parent gives each worker one file at a time and kills the worker (SIGKILL:
  a parser stuck in C code ignores anything gentler) when the file is not done by its deadline;
  a new worker takes its place.
- **Memory**: each worker caps its own address space (``RLIMIT_AS``) at what it had when it
  started plus the budget, so an allocation past the budget fails with ``MemoryError`` instead
  of swapping the machine; the worker reports it and exits, and a fresh one replaces it. A
  library that dies outright when memory runs out (a C extension that does not check ``malloc``)
  kills only its worker: that file is reported as a crash.

Serial and parallel runs go the same way: ``jobs=1`` is one worker process.

Why not a library: ``concurrent.futures`` cannot stop a running task, and ``pebble`` (which
can) starts replacement workers from a helper thread, i.e. forks a multi-threaded process,
which can deadlock the child and is deprecated since Python 3.12; its alternative start methods
re-import the whole pipeline in every run. What is needed is small: one file per worker at a
time, a deadline per file, results in input order. Linux only (``/proc``, ``fork``), like the
rest of the pipeline's tooling.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from pipeline.runner import signals

T = TypeVar("T")
R = TypeVar("R")

# Notices take tens of milliseconds (the slowest shipped file, a multi-page PDF, ≈ 0.3 s) and
# tens of MB; these leave a wide margin for a slow machine and a large but honest notice.
DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 512
TIME_ENV = "PIPELINE_TIME_LIMIT"
MEMORY_ENV = "PIPELINE_MEMORY_LIMIT"

# What the worker was doing when it was stopped, for the error row (see mark_stage).
STAGES = ("read", "extract")
# Files a worker holds at once: the one it works on and the next ones, so that it never waits for
# the parent between files (the parent may be busy for a few milliseconds: a batch being written
# holds the interpreter). Each file's deadline starts when the one before it came back.
AHEAD = 3


@dataclass(frozen=True)
class Budget:
    """The limits for one file: seconds of wall time and MB of memory (0: no limit)."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB

    @classmethod
    def resolve(
        cls, seconds: float | None = None, memory_mb: int | None = None, environ: Mapping[str, str] = os.environ
    ) -> Budget:
        """The budget from the command line, else the environment, else the defaults.

        Raises ``ValueError`` for a negative or non-numeric value, naming the variable.

        >>> Budget.resolve(None, 256, {"PIPELINE_TIME_LIMIT": "30"})
        Budget(seconds=30.0, memory_mb=256)
        """
        return cls(
            seconds=_pick(seconds, environ, TIME_ENV, DEFAULT_SECONDS, float),
            memory_mb=_pick(memory_mb, environ, MEMORY_ENV, DEFAULT_MEMORY_MB, int),
        )

    def tag(self) -> str:
        """What an over-budget outcome depends on.

        >>> Budget().tag()
        'time=10s;memory=512MB'
        """
        return f"time={self.seconds:g}s;memory={self.memory_mb}MB"


def _pick(given: Any, environ: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    if given is None:
        raw = environ.get(name, "").strip()
        if not raw:
            return default
        try:
            given = kind(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number") from None
    if given < 0:
        raise ValueError(f"{name} must be 0 (no limit) or more, not {given}")
    return given


@dataclass(frozen=True)
class Overrun:
    """A file stopped by its budget: which ``limit`` (``time``, ``memory`` or ``crash``), in which
    ``stage`` (``read`` or ``extract``), under which ``budget``, and how the worker ended (``detail``)."""

    limit: str
    stage: str
    budget: Budget
    detail: str = ""

    def message(self) -> str:
        """The ``errors`` message: which limit, and what to do.

        >>> Overrun("time", "read", Budget()).message()
        'stopped after 10 s: over the per-file time limit (--time-limit, PIPELINE_TIME_LIMIT) while reading it; ...'
        """
        b = self.budget
        if self.limit == "time":
            return (
                f"stopped after {b.seconds:g} s: over the per-file time limit (--time-limit, {TIME_ENV}) "
                f"while {_doing(self.stage)}; notices take well under a second, so this is probably not a notice "
                "or a page built to be heavy (deeply nested, huge): save just the notice text, or raise the limit "
                "and run again (a new limit retries it)"
            )
        if self.limit == "memory":
            return (
                f"stopped at the per-file memory limit of {b.memory_mb} MB (--memory-limit, {MEMORY_ENV}) "
                f"while {_doing(self.stage)}; notices need a few tens of MB, so this is probably not a notice "
                "(an archive, a huge scan): save just the notice, or raise the limit and run again (a new limit retries it)"
            )
        return (
            f"the worker {_doing(self.stage)} died ({self.detail}), most likely out of memory inside a library "
            f"under the per-file memory limit of {b.memory_mb} MB (--memory-limit, {MEMORY_ENV}): check the file "
            "opens in its own program, save just the notice, or raise the limit and run again (a new limit retries it)"
        )


def _doing(stage: str) -> str:
    return "extracting its rows" if stage == "extract" else "reading it"


# --- inside a worker ------------------------------------------------------------------------

_stage_flag: Any = None  # the worker's shared stage byte; None outside a worker


def mark_stage(stage: str) -> None:
    """Note, for a worker that may be stopped, that it has moved on to ``stage`` (``"extract"``).

    Outside a budgeted worker it does nothing, so ``process_file`` can call it unconditionally.
    """
    if _stage_flag is not None:
        _stage_flag.value = STAGES.index(stage)


def _vm_size() -> int | None:
    """This process's address space in bytes (``VmSize``), or None where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cap_memory(memory_mb: int) -> None:
    """Cap this process's address space at its current size plus ``memory_mb`` (0: no cap).

    Relative, because a worker forked from the pipeline already maps its libraries (hundreds
    of MB of address space, mostly shared and untouched); the budget is what one file may add.
    """
    base = _vm_size()
    if memory_mb <= 0 or base is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = base + memory_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


# prctl(2) option: the signal the kernel sends this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
# How often a worker checks that its parent is still there, when the kernel cannot tell it.
PARENT_CHECK_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` does, however the parent ends.

    A worker killed with its parent would otherwise live on: a SIGKILLed parent runs no
    cleanup, and a worker busy in a parser, or waiting on a pipe whose other end a sibling
    worker also holds (forked copies share it), never notices. Two ways, because either can
    fail: the kernel's parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, Linux; it
    fires when the thread that forked the worker ends, and the pipeline forks from its main
    thread), and a watchdog thread that checks every second whether the parent changed
    (``os.getppid()``) and ends the worker if so. ``die_with_parent(os.getppid())``, first thing in
    a worker.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux, or no libc to call: the watchdog alone
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _serve(conn: Connection, fn: Callable[[Any], Any], memory_mb: int, stage: Any, parent: int,
           pickled: bool = False) -> None:
    """A worker's loop: receive ``(index, item)``, send ``(index, fn(item), limit_hit)``; None ends it.

    With ``pickled``, the result is sent as its pickle (bytes), which the parent can store as it is
    (the extraction cache keeps pickles: pickling once here saves the parent doing it again).
    """
    global _stage_flag
    _stage_flag = stage
    die_with_parent(parent)  # before the memory cap: the watchdog's stack is part of the base
    signals.reset_in_child()  # SIGTERM ends a worker at once; Ctrl-C is the parent's to handle
    cap_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, item = task
        stage.value = 0
        try:
            result = fn(item)
            if pickled:
                result = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            conn.send((index, result, None))
        except MemoryError:
            # the heap may be left fragmented near the cap: report, then make way for a fresh worker
            conn.send((index, None, "memory"))
            return


# --- the parent -------------------------------------------------------------------------------


class _Worker:
    """One worker process and the files it holds (:data:`AHEAD` at most), the first being worked on."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], budget: Budget, pickled: bool = False) -> None:
        self.conn, child = ctx.Pipe()
        self.stage = ctx.RawValue("b", 0)
        self.proc = ctx.Process(target=_serve, args=(child, fn, budget.memory_mb, self.stage, os.getpid(), pickled),
                                daemon=True)
        self.proc.start()
        child.close()
        self.inflight: deque[tuple[int, Any]] = deque()  # (index, item), in the order sent
        self.deadline = float("inf")
        self.broken = False  # a send failed: the worker is gone, its end is read as EOF

    @property
    def index(self) -> int | None:
        """The file being worked on (the first sent and not yet back), or None when idle."""
        return self.inflight[0][0] if self.inflight else None

    def give(self, index: int, item: Any, seconds: float) -> None:
        if not self.inflight:
            self.deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
        self.inflight.append((index, item))
        self.conn.send((index, item))

    def done(self, seconds: float) -> None:
        """The first file came back: the next one (already sent) started about now."""
        self.inflight.popleft()
        self.deadline = time.monotonic() + seconds if self.inflight and seconds > 0 else float("inf")

    def queued(self) -> list[tuple[int, Any]]:
        """The files sent but not started (all but the first), taken back: the worker is being replaced."""
        rest = list(self.inflight)[1:]
        while len(self.inflight) > 1:
            self.inflight.pop()
        return rest

    def stage_name(self) -> str:
        return STAGES[self.stage.value] if 0 <= self.stage.value < len(STAGES) else STAGES[0]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        """End an idle worker (or a busy one when the caller stopped early)."""
        stop_process(self.proc, self.conn, wait=1)


def stop_process(proc: Any, conn: Any, *, wait: float) -> None:
    """Ask a child serving on ``conn`` to end (``None`` is its last message), kill it when it has
    not ended after ``wait`` seconds, and close the pipe: a worker at the end of a run, the helper."""
    try:
        conn.send(None)
    except OSError:
        pass
    proc.join(timeout=wait)
    if proc.is_alive():
        proc.kill()
        proc.join()
    conn.close()


def death(proc: Any) -> str:
    """How a worker ended: ``"killed by SIGSEGV"`` or ``"exit status 1"``."""
    proc.join(timeout=1)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class Workers:
    """Budgeted workers forked ahead of :func:`run_budgeted`, while the caller is still small.

    A forked worker starts as a copy of its parent, so workers forked after the caller has
    built its per-file lists count those lists in their own memory for the whole run (at
    100,000 files, 64 MiB more in each worker: docs/performance.md). ``Workers(fn, jobs,
    budget)`` forks ``jobs`` workers for ``fn`` at once; ``run_budgeted(fn, items, jobs,
    budget, workers)`` uses them (those it does not need are stopped); ``close()`` (or leaving
    a ``with`` block) stops any that are left.
    """

    def __init__(self, fn: Callable[[Any], Any], jobs: int, budget: Budget, pickled: bool = False) -> None:
        self.fn, self.budget, self.pickled = fn, budget, pickled
        ctx = multiprocessing.get_context("fork")
        self._idle = [_Worker(ctx, fn, budget, pickled) for _ in range(jobs)]
        self._handed: list[_Worker] = []

    def take(self, count: int) -> list[_Worker]:
        """Up to ``count`` of the workers, now the caller's; the others are stopped."""
        taken, rest = self._idle[:count], self._idle[count:]
        self._idle = []
        self._handed += taken
        for w in rest:
            w.stop()
        return taken

    def close(self) -> None:
        """Stop every worker not handed over, and any handed over that are still running
        (a run that ended before it asked for results)."""
        for w in self._idle + self._handed:
            if w.proc.exitcode is None:
                w.stop()
        self._idle, self._handed = [], []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_budgeted(
    fn: Callable[[T], R], items: Iterable[T], jobs: int, budget: Budget, workers: Workers | None = None,
    pickled: bool = False,
) -> Generator[R | Overrun, None, None]:
    """``fn(item)`` for every item in ``jobs`` worker processes, yielded in input order; an
    :class:`Overrun` in place of each result that its budget stopped.

    >>> list(run_budgeted(len, ["ab", "c"], 1, Budget()))
    [2, 1]

    ``fn`` must be a module-level function (the workers are forked, so it need not be picklable, but its
    results must be). With ``pickled``, each result comes back as its pickle (``bytes``). The first
    workers are forked at the call, before the caller starts any thread of its own (a progress bar),
    or earlier as ``workers`` (:class:`Workers`, started for the same ``fn``, ``budget`` and
    ``pickled``); replacements for stopped workers are forked later. Each worker is sent up to
    :data:`AHEAD` files at once, so it goes from one to the next without waiting for this process.
    """
    todo = deque(enumerate(items))
    total = len(todo)
    ctx = multiprocessing.get_context("fork")
    wanted = max(1, min(jobs, total)) if total else 0
    assert workers is None or (workers.fn is fn and workers.budget == budget and workers.pickled == pickled), \
        "workers started for another task"
    ready = workers.take(wanted) if workers is not None else []
    ready += [_Worker(ctx, fn, budget, pickled) for _ in range(wanted - len(ready))]
    return _drive(ctx, fn, budget, todo, total, ready, pickled)


def _drive(ctx: Any, fn: Callable, budget: Budget, todo: deque, total: int, workers: list[_Worker],
           pickled: bool = False) -> Generator:
    done: dict[int, Any] = {}
    next_out = 0
    seconds = budget.seconds
    ahead = max(1, min(AHEAD, -(-total // max(1, len(workers)))))  # a short run spreads its files evenly

    def replace(w: _Worker) -> None:
        for held in reversed(w.queued()):  # files sent but not started go to another worker
            todo.appendleft(held)
        _replace(workers, w, ctx, fn, budget, todo, pickled)

    try:
        while next_out < total:
            for w in list(workers):
                while todo and not w.broken and len(w.inflight) < ahead:
                    index, item = todo.popleft()
                    try:
                        w.give(index, item, seconds)
                    except OSError:  # the worker was killed from outside (the OOM killer)
                        w.inflight.pop()
                        if w.inflight:  # it died on the file it had: its end reads as EOF below
                            todo.appendleft((index, item))
                            w.broken = True
                        else:
                            done[index] = Overrun("crash", STAGES[0], budget, death(w.proc))
                            replace(w)
                        break
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            busy = [w for w in workers if w.inflight]
            if next_out >= total or not busy:
                continue
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=None if timeout == float("inf") else timeout)
            for w in busy:
                current = w.index
                assert current is not None
                if w.conn in ready:
                    try:
                        index, result, limit = w.conn.recv()
                    except (EOFError, OSError):  # the worker died mid-file
                        done[current] = Overrun("crash", w.stage_name(), budget, death(w.proc))
                        replace(w)
                        continue
                    if limit is None:
                        done[index] = result
                        w.done(seconds)
                    else:
                        done[index] = Overrun(limit, w.stage_name(), budget, "MemoryError")
                        replace(w)
                elif time.monotonic() >= w.deadline:
                    stage = w.stage_name()
                    w.kill()
                    done[current] = Overrun("time", stage, budget, "killed by SIGKILL")
                    replace(w)
    finally:
        for w in workers:
            w.stop()


def _replace(workers: list[_Worker], old: _Worker, ctx: Any, fn: Callable, budget: Budget, todo: deque,
             pickled: bool = False) -> None:
    """Swap a stopped worker for a fresh one, or just drop it when no file is left to give."""
    if old.proc.is_alive():
        old.kill()
    else:
        old.proc.join()
        old.conn.close()
    i = workers.index(old)
    if todo:
        workers[i] = _Worker(ctx, fn, budget, pickled)
    else:
        del workers[i]


def failure_key(key: str, budget: Budget) -> str:
    """The cache key of a file's over-budget outcome: its own key and the budget it failed under.

    ``failure_key("ab" * 32, Budget())`` → 64 hex digits that change with the budget, so a
    raised limit tries the file again while an unchanged one does not pay for it twice.
    """
    return hashlib.sha256(f"{key}\0{budget.tag()}".encode()).hexdigest()
