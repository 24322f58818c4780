"""notebooks/city_rollouts.ipynb: stored without outputs, runs headless on a fresh pipeline run,
and draws Chinese whenever a CJK font is installed, even one matplotlib's font cache predates."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


# Writes matplotlib's font cache as it would be had every CJK font been installed after it was built.
STALE_FONT_CACHE = r"""
import os, sys
import matplotlib
from matplotlib import font_manager as fm
from matplotlib.ft2font import FT2Font

def has_chinese(entry):
    try:
        return FT2Font(entry.fname).get_char_index(ord("中")) != 0
    except (OSError, RuntimeError):
        return False

removed = [f.fname for f in fm.fontManager.ttflist if not f.fname.startswith(matplotlib.get_data_path()) and has_chinese(f)]
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if f.fname not in removed]
fm.json_dump(fm.fontManager, os.path.join(matplotlib.get_cachedir(), f"fontlist-v{fm.FontManager.__version__}.json"))
print(len(removed))
"""


def system_has_cjk_font() -> bool:
    """Whether fontconfig knows a font covering Chinese (the oracle, independent of the notebook)."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=60)
    return bool(listed.stdout.strip())


def test_runs_headless_on_a_fresh_run(outputs, monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINE_OUTPUTS", str(outputs))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # a font cache older than the CJK fonts: the notebook must find them all the same
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    removed = subprocess.run([sys.executable, "-c", STALE_FONT_CACHE], capture_output=True, text=True, timeout=300, check=True)
    assert int(removed.stdout) > 0 or not system_has_cjk_font()
    nb = execute(nbformat.read(NOTEBOOK, as_version=4))
    outputs_ = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    texts = [o.get("text", "") for o in outputs_]
    assert any(str(outputs) in t for t in texts), "the notebook did not read PIPELINE_OUTPUTS"
    images = [o for o in outputs_ if "image/png" in o.get("data", {})]
    assert len(images) >= 4, "timeline, hours, guidance matrix and contacts charts"
    stderr = "".join(o.get("text", "") for o in outputs_ if o.get("name") == "stderr")
    if system_has_cjk_font():
        assert any(t.startswith("Chinese labels drawn with ") for t in texts), texts[:3]
        assert "Glyph" not in stderr and "missing from font" not in stderr, stderr[:500]
    else:  # said in the notebook, not hidden
        assert any("no CJK font found" in t for t in texts), texts[:3]


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
