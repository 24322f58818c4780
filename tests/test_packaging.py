"""What ``pip install .`` installs: both top-level packages, every data file the code reads, one command.

Checked against ``pyproject.toml`` the way setuptools reads it (packages found by
``find_packages`` with the configured ``include``, package data by glob), so a module folder or
a data file added to ``pipeline/`` without its packaging fails here, not after a user's install.
"""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, cli
from setuptools import find_packages

import pipeline

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the dev extra installs tomli
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _tracked(folder: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_every_module_folder_is_a_package_that_installs() -> None:
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set(find_packages(where=str(ROOT), include=include))
    assert {"pipeline", "schemas"} <= found
    folders = {str(Path(p).parent).replace("/", ".") for top in ("pipeline", "schemas") for p in _tracked(top) if p.endswith(".py")}
    assert folders <= found, f"module folders that would not be installed (no __init__.py?): {sorted(folders - found)}"


def test_every_data_file_under_the_package_is_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["pipeline"]
    covered = {Path(p).resolve() for pattern in patterns for p in glob.glob(str(ROOT / "pipeline" / pattern), recursive=True)}
    data = [p for p in _tracked("pipeline") if not p.endswith(".py")]
    assert any(p.startswith("pipeline/vocab/data/") for p in data)
    missing = [p for p in data if (ROOT / p).resolve() not in covered]
    assert not missing, f"files under pipeline/ that pip install would leave out (add them to package-data): {missing}"


def test_one_name_for_the_distribution_and_the_command() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "ybcutover"
    assert project["scripts"] == {"ybcutover": "pipeline.cli:main"}
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pipeline.__version__"}
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert any(dep.startswith("jupyterlab") for dep in project["optional-dependencies"]["notebook"])


def test_version_flag_and_program_name() -> None:
    proc = cli("--version", check=True)
    assert proc.stdout.strip() == f"ybcutover {pipeline.__version__}"
    usage = cli("--help", check=True).stdout
    assert usage.startswith("usage: python -m pipeline [-h] [--version] [-v] [-q]")


def test_the_console_script_is_installed() -> None:
    """``make venv`` installs the package (editable): the command is beside the interpreter."""
    script = Path(sys.executable).parent / "ybcutover"
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == f"ybcutover {pipeline.__version__}"
