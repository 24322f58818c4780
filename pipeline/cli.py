"""Command line: ``python -m pipeline COMMAND …``.

Each command lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable taking the parsed args and returning an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute a sub-command; add one line to add a command.
COMMAND_MODULES: tuple[str, ...] = (
    "pipeline.run",
    "pipeline.query",
    "pipeline.report",
    "pipeline.evaluate",
    "pipeline.fetch",
    "pipeline.review",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn 医保 platform-cutover notices into validated tables.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
