"""Where a command looks when it is not told: the raw folder and the output folder.

Relative to the working directory, as every command-line tool's defaults are (``make run`` runs
in the repository, so ``raw/`` and ``outputs/`` are the shipped corpus and its outputs), or from
the environment: ``PIPELINE_RAW`` and ``PIPELINE_OUT``. Never computed from where the package is
installed: after ``pip install`` that is ``site-packages``, where no notice lives and nothing may
be written. This module imports nothing of the package, so every layer may use it.
"""

from __future__ import annotations

import os
from pathlib import Path

RAW_ENV = "PIPELINE_RAW"
OUT_ENV = "PIPELINE_OUT"


def default_raw() -> Path:
    """``raw`` in the working directory, or ``$PIPELINE_RAW``: ``default_raw()`` → ``Path("raw")``."""
    return Path(os.environ.get(RAW_ENV) or "raw")


def default_out() -> Path:
    """``outputs`` in the working directory, or ``$PIPELINE_OUT``: ``default_out()`` → ``Path("outputs")``."""
    return Path(os.environ.get(OUT_ENV) or "outputs")


# Read once, when a command builds its parser (the environment of the process that runs it).
DEFAULT_RAW = default_raw()
DEFAULT_OUT = default_out()
