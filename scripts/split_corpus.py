"""Materialise the development split of the real corpus: raw notices and labels of each part.

    python scripts/split_corpus.py OUT_DIR

``tests/real/split.csv`` says which part each labelled real notice belongs to: ``older`` (the 42
notices the rules were first written on), ``seed`` (the two seed notices), ``new_dev`` (11 of the
21 notices added in issue 20, read while developing) and ``new_unread`` (the other 10, kept
unread until the final measurement; chosen by hash, see the README). For each part, and for
``dev`` (everything but ``new_unread``), it writes ``OUT_DIR/PART/raw`` (the notices of ``raw/``
with their manifest rows) and ``OUT_DIR/PART/gold`` (their labels from ``tests/real/shared_gold``),
so that ``python -m pipeline eval --gold OUT_DIR/dev/gold --raw OUT_DIR/dev/raw`` scores one part.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPLIT = ROOT / "tests" / "real" / "split.csv"
LABELS = ROOT / "tests" / "real" / "shared_gold"
RAW = ROOT / "raw"


def parts() -> dict[str, list[str]]:
    """File names per part, and ``dev`` = every part but ``new_unread``."""
    with SPLIT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["part"], []).append(r["file"])
        if r["part"] != "new_unread":
            out.setdefault("dev", []).append(r["file"])
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = Path(argv[1])
    with (RAW / "manifest.csv").open(encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f))
    for part, files in parts().items():
        raw, gold = target / part / "raw", target / part / "gold"
        for folder in (raw, gold):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        for name in files:
            shutil.copy2(RAW / name, raw / name)
            shutil.copy2(LABELS / (Path(name).stem + ".json"), gold)
        with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(manifest[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(r for r in manifest if r["file"] in set(files))
        print(f"{part}: {len(files)} notices → {target / part}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
