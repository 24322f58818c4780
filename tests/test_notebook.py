"""notebooks/city_rollouts.ipynb: stored without outputs, runs headless on a fresh pipeline run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "city_rollouts.ipynb"


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel from the notebooks/ folder; a failing cell raises."""
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    return client.execute()


@pytest.fixture
def outputs(shipped_run: Path) -> Path:
    return shipped_run


def test_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the outputs before committing"


def test_runs_headless_on_a_fresh_run(outputs, monkeypatch):
    monkeypatch.setenv("PIPELINE_OUTPUTS", str(outputs))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = execute(nbformat.read(NOTEBOOK, as_version=4))
    texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(str(outputs) in t for t in texts), "the notebook did not read PIPELINE_OUTPUTS"
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4, "timeline, hours, guidance matrix and contacts charts"


def test_a_broken_cell_fails(outputs, monkeypatch):
    monkeypatch.setenv("PIPELINE_OUTPUTS", str(outputs))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = nb.cells[:2] + [nbformat.v4.new_code_cell("comparison = con.sql('SELECT * FROM no_such_view').df()")]
    with pytest.raises(CellExecutionError, match="no_such_view"):
        execute(nb)


def test_runs_on_outputs_without_any_rows(tmp_path, monkeypatch):
    from synthetic import write_synthetic_outputs

    monkeypatch.setenv("PIPELINE_OUTPUTS", str(write_synthetic_outputs(tmp_path, {})))
    execute(nbformat.read(NOTEBOOK, as_version=4))
