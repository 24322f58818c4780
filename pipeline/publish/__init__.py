"""Publish stage: the tables (:mod:`~pipeline.publish.tables`) and the files derived from them
(:mod:`~pipeline.publish.views`, :mod:`~pipeline.publish.report`, :mod:`~pipeline.publish.workbook`,
:mod:`~pipeline.publish.datapackage`). Only this package writes outputs.

Files derived from the tables after every run: ``report.html``, ``notices.xlsx`` and ``datapackage.json``.

They are written after the tables are in place, each atomically, each streaming from
``notices.duckdb`` (no table is held in memory whole). A failure here is reported but never
undoes or fails the run: the tables are the product, these are views of it, and
``python -m pipeline report`` can redo the report at any time.
"""

from __future__ import annotations

from pathlib import Path


def publish(out_dir: Path, raw_dir: Path | None = None) -> list[str]:
    """Write the report, the workbook and the data package into ``out_dir``; return a message per failure.

    ``publish(Path("outputs"), Path("raw"))`` → ``[]`` once all three files are written.
    """
    # imported here: the package's face must stay light (pipeline.publish.tables is imported by
    # every batch of a run, the report's and workbook's modules only once, at the end)
    from pipeline.publish.datapackage import write_datapackage
    from pipeline.publish.report import write_report
    from pipeline.publish.workbook import WORKBOOK_NAME, write_workbook

    problems: list[str] = []
    for name, write in (("datapackage.json", lambda: write_datapackage(out_dir)),
                        ("report.html", lambda: write_report(out_dir, raw_dir)),
                        (WORKBOOK_NAME, lambda: write_workbook(out_dir))):
        try:
            write()
        except Exception as exc:  # a bug in a derived file must not cost the user the tables
            problems.append(f"could not write {name} in {out_dir}: {type(exc).__name__}: {exc}")
    return problems
