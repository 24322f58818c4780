"""docs/contract.md carries the output contract inside the repo: its first part is the shared
contract byte for byte (tests/test_shared_copies.py keeps it so, against ../shared/CONTRACT.md
when that file is there), followed by this repository's additions."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "\n<!-- Everything above this line is a copy of the shared contract"


def _own_copy() -> str:
    return (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def test_the_repo_carries_a_versioned_contract_with_its_additions() -> None:
    text = _own_copy()
    assert "Contract version: 1" in text
    assert MARKER in text
    assert "## Additions in this repository" in text.split(MARKER, 1)[1]
