"""Command line: ``ybcutover [-v|-q] COMMAND …`` (or ``python -m pipeline …``).

Each command lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable taking the parsed args and returning an exit status.

What a command exists to print (a query's table, eval's scores, review's list, run's summary)
goes to stdout; progress and problems are log records of the ``pipeline`` logger, which the
command line sends to stderr: ``-v`` adds debug records, ``-q`` leaves warnings and errors, ``-qq``
errors only. On a terminal they are drawn by rich's ``RichHandler``; elsewhere they are plain
``warning: …`` lines.

Only the module of the command being run is imported: the others pull in DuckDB, pandas or
the extractors, which take a second to import, and ``--help`` or a run with nothing to do
should not wait for them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pipeline import __version__

# Command → (module that implements it, one line for the overview); add one line to add a command.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("pipeline.commands.run", "extract every notice in the raw folder into the output tables"),
    "query": ("pipeline.commands.query", "run SQL on notices.duckdb (read-only) and print the result"),
    "report": ("pipeline.commands.report", "write report.html comparing city rollouts (from notices.duckdb)"),
    "eval": ("pipeline.commands.evaluate", "score the pipeline against hand-labelled gold files"),
    "fetch": ("pipeline.commands.fetch", "download notices (and their attachments) into the raw folder, with provenance"),
    "review": ("pipeline.commands.review", "list the rows that need a person's look; record confirmations and corrections"),
}


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line, if any.

    >>> chosen_command(["-v", "run", "--full"]), chosen_command(["--help"])
    ('run', None)
    """
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None, prog: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the named command's module is imported (the others get a stub).

    ``build_parser()`` registers every command fully; ``build_parser(["--help"])`` imports none.
    """
    parser = argparse.ArgumentParser(
        prog=prog or "ybcutover",  # python -m pipeline passes its own name (pipeline/__main__.py)
        description="Turn 医保 platform-cutover notices into validated tables.",
    )
    parser.add_argument("--version", action="version", version=f"ybcutover {__version__}")
    parser.add_argument("-v", "--verbose", dest="log_verbose", action="count", default=0,
                        help="say more on stderr (debug records)")
    parser.add_argument("-q", "--quiet", dest="log_quiet", action="count", default=0,
                        help="say less on stderr: -q warnings and errors only, -qq errors only")
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = None if argv is None else chosen_command(argv)
    for name, (module, summary) in COMMANDS.items():
        if argv is None or name == wanted:
            importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=summary)  # listed in --help; never run (not the command named)
    return parser


def log_level(verbose: int, quiet: int) -> int:
    """The ``pipeline`` logger's level for ``-v``/``-q`` counts.

    >>> [logging.getLevelName(log_level(v, q)) for v, q in [(0, 0), (1, 0), (0, 1), (0, 2)]]
    ['INFO', 'DEBUG', 'WARNING', 'ERROR']
    """
    return {1: logging.DEBUG, 0: logging.INFO, -1: logging.WARNING}.get(max(-2, min(1, verbose - quiet)), logging.ERROR)


class _Stderr(logging.StreamHandler):
    """A handler writing to whatever ``sys.stderr`` is when a record is emitted (a redirected
    stream, pytest's capture), not to the stream it was created with."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _PlainFormatter(logging.Formatter):
    """``warning: …``/``error: …`` off a terminal, the message alone for information."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return message if record.levelno == logging.INFO else f"{record.levelname.lower()}: {message}"


def configure_logging(level: int) -> logging.Handler:
    """Send the ``pipeline`` logger's records at ``level`` and above to stderr: rich's
    ``RichHandler`` on a terminal, plain lines elsewhere. Returns the handler (``main`` removes
    it when the command is done, so a command run in-process leaves no handler behind)."""
    logger = logging.getLogger("pipeline")
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_time=False, show_path=False, markup=False)
    else:
        handler = _Stderr()
        handler.setFormatter(_PlainFormatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv, prog).parse_args(argv)
    # a command's own --quiet (run --quiet) counts as the global -q
    handler = configure_logging(log_level(args.log_verbose, args.log_quiet + bool(getattr(args, "quiet", False))))
    logger = logging.getLogger("pipeline")
    try:
        return int(args.func(args) or 0)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


if __name__ == "__main__":
    sys.exit(main())
