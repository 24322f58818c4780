"""docs/contract.md carries the output contract inside the repo: its first part is the shared
contract byte for byte (checked when ../shared is beside the repo), followed by this repository's
additions."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"
MARKER = "\n<!-- Everything above this line is a copy of the shared contract"


def _own_copy() -> str:
    return (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def test_the_repo_carries_a_versioned_contract_with_its_additions() -> None:
    text = _own_copy()
    assert "Contract version: 1" in text
    assert MARKER in text
    assert "## Additions in this repository" in text.split(MARKER, 1)[1]


@pytest.mark.skipif(not SHARED_CONTRACT.is_file(), reason="checked against ../shared/CONTRACT.md only when it is beside the repo")
def test_the_copy_equals_the_shared_contract() -> None:
    assert _own_copy().split(MARKER, 1)[0] == SHARED_CONTRACT.read_text(encoding="utf-8")
