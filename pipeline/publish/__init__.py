"""Publish stage: the tables (:mod:`~pipeline.publish.tables`) and the files derived from them
(:mod:`~pipeline.publish.views`, :mod:`~pipeline.publish.report`, :mod:`~pipeline.publish.workbook`,
:mod:`~pipeline.publish.datapackage`). Only this package writes outputs.

Files derived from the tables after every run: ``report.html``, ``notices.xlsx`` and
``datapackage.json``. :func:`derive` writes them into the run's staging folder, each streaming
from the staged ``notices.duckdb`` (no table is held in memory whole), so they are moved into
place with the tables, as one generation, and stamped with them
(:meth:`pipeline.publish.tables.Generation.commit`). A derived file that cannot be made does not
cost the user the tables: they are published without it, its old copy is deleted, the run
exits non-zero and the next run tries again; ``python -m pipeline report`` can redo the report
at any time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

DERIVED_FILES = ("datapackage.json", "report.html", "notices.xlsx")
WORKBOOK_FILE = "notices.xlsx"

if TYPE_CHECKING:
    from pipeline.runner.helper import Helper


def derive(staging: Path, out_dir: Path, raw_dir: Path | None = None, helper: Helper | None = None,
           workbook: bool = True) -> dict[str, str]:
    """Write the data package, the report and the workbook into ``staging`` from its
    ``notices.duckdb``; return ``{file name: problem}`` for each that could not be written.

    ``out_dir`` is where the files will live (the report's links to the raw notices are
    relative to it). ``derive(Path("outputs/.staging-ab12"), Path("outputs"), Path("raw"))`` →
    ``{}`` once all three are written. With a ``helper`` (:class:`pipeline.runner.helper.Helper`)
    the workbook is written in that process while this one writes the other two; without
    ``workbook`` there is none. A stop signal (Ctrl-C, SIGTERM) is raised, never reported as a
    problem, even when a writer turned it into an error of its own.
    """
    # imported here: the package's face must stay light (pipeline.publish.tables is imported by
    # every batch of a run, the report's and workbook's modules only once, at the end)
    from pipeline.publish.datapackage import write_datapackage
    from pipeline.publish.report import write_report
    from pipeline.publish.workbook import write_workbook
    from pipeline.runner import signals

    writers = {
        "datapackage.json": lambda: write_datapackage(staging),
        "report.html": lambda: write_report(out_dir, raw_dir, into=staging),
        WORKBOOK_FILE: lambda: write_workbook(staging),
    }
    names = [name for name in DERIVED_FILES if workbook or name != WORKBOOK_FILE]
    elsewhere = WORKBOOK_FILE in names and helper is not None and helper.submit(write_workbook, staging)
    problems: dict[str, str] = {}
    for name in names:
        if name == WORKBOOK_FILE and elsewhere:
            continue
        try:
            writers[name]()
        except Exception as exc:  # a bug or a full disk in a derived file must not cost the user the tables
            signals.raise_if_received()
            (staging / name).unlink(missing_ok=True)
            problems[name] = f"could not write {name}: {type(exc).__name__}: {exc}"
        signals.raise_if_received()
    if elsewhere:
        assert helper is not None
        ok, value = helper.result()
        signals.raise_if_received()
        if not ok:
            (staging / WORKBOOK_FILE).unlink(missing_ok=True)
            problems[WORKBOOK_FILE] = f"could not write {WORKBOOK_FILE}: {type(value).__name__}: {value}"
    return {name: problems[name] for name in DERIVED_FILES if name in problems}


def publish(out_dir: Path, raw_dir: Path | None = None) -> list[str]:
    """Write the derived files straight into ``out_dir`` from its ``notices.duckdb`` (each file
    atomically, but not as part of a generation); one message per failure.

    For the benchmarks and for tables written with :func:`pipeline.publish.tables.write_outputs`;
    ``run`` derives them in its staging folder instead (:func:`derive`).
    """
    return list(derive(out_dir, out_dir, raw_dir).values())
