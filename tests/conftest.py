"""Shared helpers for the extractor unit tests.

Every helper goes through the real reader and normaliser, so a snippet is read exactly as a
raw ``.txt`` notice would be.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.document import Document  # noqa: E402
from pipeline.extract import SourceHints  # noqa: E402
from pipeline.extract.metadata import Metadata, extract_metadata  # noqa: E402
from pipeline.extract.windows import WindowResult, extract_windows  # noqa: E402
from pipeline.read.normalize import normalize_document  # noqa: E402
from pipeline.read.text import read_text  # noqa: E402
from pipeline.repair.resolve_year import YearClues  # noqa: E402


def make_doc_and_repairs(text: str, source_file: str = "t.txt") -> tuple[Document, list[dict]]:
    """Read ``text`` as a UTF-8 ``.txt`` notice and normalise it."""
    return normalize_document(read_text(text.encode("utf-8"), source_file))


def make_doc(text: str, source_file: str = "t.txt") -> Document:
    """A normalised Document of ``text``, as the pipeline would read it from a ``.txt`` file."""
    return make_doc_and_repairs(text, source_file)[0]


def meta_of(text: str, **hints) -> Metadata:
    """extract_metadata of a snippet with the given SourceHints fields."""
    return extract_metadata(make_doc(text), SourceHints(**hints))


def windows_of(text: str, publication: date | None = None, city: str | None = None,
               clues: YearClues | None = None) -> WindowResult:
    """extract_windows over a snippet's normalised lines."""
    doc = make_doc(text)
    return extract_windows(list(doc.lines), clues or YearClues(publication=publication), city)


def rules_of(repairs: list[dict]) -> list[str]:
    return [r["rule"] for r in repairs]


@pytest.fixture
def doc_factory():
    return make_doc


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory) -> Path:
    """The one real ``python -m pipeline run`` of raw/ of the session, into a temp folder, shared
    by every test that reads whole outputs (notebook, data package, report, robustness, batches).
    Tests must not change it: copy it first."""
    from helpers import cli

    out = tmp_path_factory.mktemp("shipped-run")
    cli("run", "--out", str(out), "--quiet", check=True)
    return out


@pytest.fixture(scope="session")
def shipped_rows(shipped_run: Path):
    """The rows of raw/ before validation (a :class:`pipeline.runner.engine.RunResult`), as a run
    in this process gives them: read from :func:`shipped_run`'s extraction cache, so the corpus
    is extracted once per session. Tests must not change them."""
    from pipeline.runner.cache import CACHE_DIR
    from pipeline.runner.engine import run_pipeline

    return run_pipeline(ROOT / "raw", shipped_run / CACHE_DIR)


@pytest.fixture(scope="session")
def shipped_frames(shipped_rows) -> dict:
    """:func:`shipped_rows` validated: the frames ``pipeline eval`` scores (``evaluate`` without its run)."""
    from pipeline.validate import validate_tables

    return validate_tables(shipped_rows.rows, shipped_rows.source_of)[0]
