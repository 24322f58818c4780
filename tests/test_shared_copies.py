"""What the repository copies from ``../shared`` stays what ``../shared`` holds.

The repository carries everything its tests and README need: the output contract
(``docs/contract.md``), the real notices (``raw/``), their labels (``tests/real/shared_gold``,
with guidance added), the rules they were labelled by (``tests/real/LABELING.md``) and the
scorer ``pipeline eval`` must agree with (``tests/real/score.py``, stdlib only). Each copy is listed in ``tests/real/shared_copies.csv`` with the SHA-256 of
the part that must equal the original (a label without the keys this repository adds; the
contract before this repository's additions; a notice byte for byte).

- Always: every copy still has its recorded digest (a copy edited by hand fails).
- Only when ``../shared`` is beside the repository (or ``$PIPELINE_SHARED`` names it; elsewhere the
  test is not defined, so a fresh clone skips nothing): every original
  has the recorded digest too, and every original of the copied kinds is listed (a label added or
  changed in ``../shared`` fails until it is copied and recorded again:
  ``python tests/test_shared_copies.py SHARED_DIR`` rewrites the record from the copies, after
  checking they equal the originals).

Failures name files only, never their content: ten of the real notices are held out unread.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "real" / "shared_copies.csv"
CONTRACT_MARKER = "\n<!-- Everything above this line is a copy of the shared contract"
LABEL_ADDITIONS = ("guidance", "guidance_notes")  # keys this repository adds to a shared label
# the originals that must all be copied, as (folder in ../shared, glob)
COPIED_KINDS = (("corpus/gold", "*.json"), ("gold", "*.json"), ("corpus/raw", "*.txt"), ("seeds", "*.txt"))


def shared_dir() -> Path:
    """``$PIPELINE_SHARED``, else ``../shared`` beside the repository (it may not exist)."""
    return Path(os.environ.get("PIPELINE_SHARED") or ROOT.parent / "shared")


def compared_part(path: Path, *, is_copy: bool) -> bytes:
    """The bytes of ``path`` that must be equal in the copy and the original.

    A label (``.json``): its JSON without :data:`LABEL_ADDITIONS`, dumped canonically; the
    contract copy: the text before this repository's additions; anything else: the bytes.
    """
    if path.suffix == ".json":
        label = json.loads(path.read_text(encoding="utf-8"))
        kept = {k: v for k, v in label.items() if k not in LABEL_ADDITIONS}
        return json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if is_copy and path.name == "contract.md":
        return path.read_text(encoding="utf-8").split(CONTRACT_MARKER, 1)[0].encode("utf-8")
    return path.read_bytes()


def digest(path: Path, *, is_copy: bool) -> str:
    return hashlib.sha256(compared_part(path, is_copy=is_copy)).hexdigest()


def read_record() -> list[dict[str, str]]:
    with RECORD.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def copies_of(shared: Path) -> list[tuple[str, str]]:
    """``(copy, original)`` pairs, relative to the repository and to ``shared``, for everything copied."""
    pairs = [("docs/contract.md", "CONTRACT.md"), ("tests/real/LABELING.md", "corpus/LABELING.md"),
             ("tests/real/score.py", "tools/score.py")]
    for folder, pattern in COPIED_KINDS:
        for original in sorted((shared / folder).glob(pattern)):
            where = "tests/real/shared_gold" if original.suffix == ".json" else "raw"
            pairs.append((f"{where}/{original.name}", f"{folder}/{original.name}"))
    return pairs


# --- the tests ---------------------------------------------------------------------------------


def test_the_record_lists_the_contract_labels_and_notices() -> None:
    record = read_record()
    copies = {r["copy"] for r in record}
    assert "docs/contract.md" in copies
    labels = sorted((ROOT / "tests" / "real" / "shared_gold").glob("*.json"))
    missing = [p.name for p in labels if p.relative_to(ROOT).as_posix() not in copies]
    missing += [p.name for p in labels if f"raw/{json.loads(p.read_text(encoding='utf-8'))['file']}" not in copies]
    assert not missing, f"labels, or the notices they label, not in the record: {missing}"


def test_every_copy_still_has_its_recorded_digest() -> None:
    changed = [r["copy"] for r in read_record() if digest(ROOT / r["copy"], is_copy=True) != r["sha256"]]
    assert not changed, f"copies that differ from what was copied from ../shared: {changed}"


if (shared_dir() / "CONTRACT.md").is_file():  # defined (so collected) only where ../shared is: no skip elsewhere

    def test_the_originals_in_shared_are_the_copied_ones() -> None:
        shared = shared_dir()
        record = {r["original"]: r["sha256"] for r in read_record()}
        originals = {original for _, original in copies_of(shared)}
        assert not originals - set(record), f"in ../shared but not copied: {sorted(originals - set(record))}"
        changed = [o for o in sorted(originals) if digest(shared / o, is_copy=False) != record[o]]
        assert not changed, f"changed in ../shared since they were copied (copy them again): {changed}"


# --- rewriting the record -----------------------------------------------------------------------


def write_record(shared: Path) -> int:
    """Rewrite :data:`RECORD` from ``shared`` after checking every copy equals its original."""
    rows, differ = [], []
    for copy, original in copies_of(shared):
        mine, theirs = digest(ROOT / copy, is_copy=True), digest(shared / original, is_copy=False)
        if mine != theirs:
            differ.append(copy)
        rows.append({"copy": copy, "original": original, "sha256": theirs})
    if differ:
        print(f"copy these again from {shared} first: {differ}", file=sys.stderr)
        return 1
    with RECORD.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["copy", "original", "sha256"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{RECORD.relative_to(ROOT)}: {len(rows)} copies")
    return 0


if __name__ == "__main__":
    sys.exit(write_record(Path(sys.argv[1]) if len(sys.argv) > 1 else shared_dir()))
