"""Medical-insurance platform cutover notices → validated tables.

Stages, one module each, data flowing one way:
fetch → read (file → Document) → normalize → extract (metadata, outage windows, guidance,
contacts; years resolved and repairs logged as they are made) → validate → load.

The Python API (:mod:`pipeline.api`) is re-exported here: ``from pipeline import extract_file,
run, load``. It is imported on first use, so ``import pipeline`` (and a command-line start)
stays cheap: nothing but :mod:`logging` is imported here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# A library logs; where records go is the application's choice. The NullHandler keeps Python's
# last-resort handler from printing them when the application configured no logging. The
# command line installs its own handler (pipeline/cli.py); pipeline.api.run collects the problems.
logging.getLogger(__name__).addHandler(logging.NullHandler())

_API = ("extract_file", "run", "load", "RunResult")

if TYPE_CHECKING:
    from pipeline.api import RunResult, extract_file, load, run  # noqa: F401

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
