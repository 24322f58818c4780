"""Command line: ``python -m pipeline COMMAND …``.

Each command lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable taking the parsed args and returning an exit status.

Only the module of the command being run is imported: the others pull in DuckDB, pandas or
the extractors, which take a second to import, and ``--help`` or a run with nothing to do
should not wait for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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
    """The command named on the command line, if any: ``["run", "--full"]`` → ``"run"``; ``["--help"]`` → ``None``."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the named command's module is imported (the others get a stub).

    ``build_parser()`` registers every command fully; ``build_parser(["--help"])`` imports none.
    """
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn 医保 platform-cutover notices into validated tables.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = None if argv is None else chosen_command(argv)
    for name, (module, summary) in COMMANDS.items():
        if argv is None or name == wanted:
            importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=summary)  # listed in --help; never run (not the command named)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
