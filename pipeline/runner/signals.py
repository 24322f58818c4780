"""Ctrl-C and ``kill``: a run that is asked to stop stops cleanly and says so in its exit status.

``SIGINT`` (Ctrl-C) raises ``KeyboardInterrupt`` as Python always does; ``SIGTERM`` (``kill``,
a scheduler's stop) raises :class:`Terminated` instead of ending the process on the spot, so
the run's ``finally`` blocks stop its workers and delete its staging folder. Either way the
signal is also recorded (:func:`received`), because a library may catch the exception and turn
it into its own error (the workbook's Rust writer reports an interrupted row iterator as a plain
``Exception``): the publish stage asks :func:`raise_if_received` after such a failure, so an
interrupted run never exits 0.

:func:`deferred` holds both signals back for a few milliseconds where stopping halfway would
be worse than finishing: while a complete generation of outputs is moved into place and
stamped. SIGKILL cannot be held back; what it leaves is repaired by the next run
(``pipeline.publish.swap.recover_outputs``).

Exit statuses follow the shell's convention, 128 + the signal number: 130 for SIGINT, 143 for
SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """The run was sent SIGTERM. A ``BaseException``, like ``KeyboardInterrupt``, so that
    ``except Exception`` blocks meant for bad files do not swallow it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


_received: list[int] = []  # signals that arrived since install(), in order
_deferring = False


def received() -> int | None:
    """The first stop signal that arrived while :func:`handling` was active, or None."""
    return _received[0] if _received else None


def exception_for(signum: int) -> BaseException:
    """``KeyboardInterrupt()`` for SIGINT, :class:`Terminated` for SIGTERM."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def exit_status(signum: int) -> int:
    """The shell's status for a process stopped by ``signum``: ``exit_status(signal.SIGINT)`` → 130."""
    return 128 + int(signum)


def raise_if_received() -> None:
    """Raise the exception of a stop signal that arrived (and was swallowed on its way up)."""
    signum = received()
    if signum is not None:
        raise exception_for(signum)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if not _deferring:
        raise exception_for(signum)


@contextmanager
def handling() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise (and are recorded); the previous handlers come
    back afterwards. Outside the main thread (where Python cannot install handlers) it does nothing.

    ``with handling(): run_everything()`` — then ``except (KeyboardInterrupt, Terminated)``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in HANDLED}
    _received.clear()
    for s in HANDLED:
        signal.signal(s, _on_signal)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block, a stop signal is recorded but not raised; it is raised when the block
    ends (also when it ends by another exception, which then takes precedence).

    For the moves that make a generation of outputs current: a SIGTERM halfway through them
    would leave tables of two runs side by side.
    """
    global _deferring
    if _deferring:
        yield
        return
    before = len(_received)
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
    if len(_received) > before:
        raise exception_for(_received[before])


def reset_in_child() -> None:
    """In a forked worker: default SIGTERM (die at once), ignore SIGINT (Ctrl-C is the parent's),
    and forget what the parent had recorded."""
    global _deferring
    _received.clear()
    _deferring = False
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
