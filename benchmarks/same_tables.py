"""Are two runs' tables the same? For speed changes, which must not alter a single row.

Compares the six CSV tables of two output folders byte for byte (SHA-256). When a table
differs it says how many rows each side has that the other lacks, and prints those rows only
with ``--show N``: never use ``--show`` on a run over ``raw/``, whose held-out notices must stay
unread (HELPER_COMMON.md) — without it, nothing of a row's content is printed.

    python benchmarks/same_tables.py OLD_OUT NEW_OUT [--show 5]

Or run two versions of the code over raw folders first, then compare each pair of runs::

    python benchmarks/same_tables.py --old-code /tmp/base --raw RAW1 RAW2 … --work /tmp/same [--keep-old]

``--old-code`` is a folder holding the ``pipeline/`` and ``schemas/`` to compare against
(``git archive BASE pipeline schemas | tar -x -C /tmp/base``); the new code is this
repository's, or ``--new-code`` (a copy, so that editing goes on while the runs do). Each run is ``python -m pipeline run --no-cache --time-limit 0`` (no time budget:
a file stopped by a loaded machine's clock would differ for no reason of the code), from the
code's own folder so that its ``pipeline`` package is the one imported. ``--keep-old`` reuses
the old runs already in ``WORK/old/`` (the old code does not change between comparisons).
Exit status 0 when every table of every pair is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLES = ("notices", "outage_windows", "guidance", "contacts", "repairs", "errors", "events", "event_members", "revisions")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> Counter[tuple[str, ...]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return Counter(tuple(r) for r in csv.reader(f))


def compare(old: Path, new: Path, show: int = 0) -> bool:
    """Print one line per table (identical, or how many rows differ); true when all are identical."""
    same = True
    for table in TABLES:
        a, b = old / f"{table}.csv", new / f"{table}.csv"
        if not a.exists() or not b.exists():
            print(f"  {table}: missing in {'old' if not a.exists() else 'new'}")
            same = False
            continue
        ha, hb = _sha(a), _sha(b)
        if ha == hb:
            print(f"  {table}: identical ({ha[:12]}, {a.stat().st_size:,} bytes)")
            continue
        same = False
        ra, rb = _rows(a), _rows(b)
        only_old, only_new = ra - rb, rb - ra
        order = " (same rows, another order)" if not only_old and not only_new else ""
        print(f"  {table}: DIFFERENT {ha[:12]} vs {hb[:12]}: {sum(only_old.values())} rows only in old, "
              f"{sum(only_new.values())} only in new{order}")
        for label, rows in (("old", only_old), ("new", only_new)):
            for row in list(rows)[:show]:
                print(f"    {label}: {row}")
    return same


def run(code: Path, raw: Path, out: Path) -> None:
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--no-cache",
           "--quiet", "--time-limit", "0"]
    done = subprocess.run(cmd, cwd=code, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: the run wrote errors rows, which is a result like any other
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"run failed ({done.returncode}): {' '.join(cmd)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path, help="OLD_OUT NEW_OUT")
    ap.add_argument("--show", type=int, default=0, help="print up to N differing rows per table and side")
    ap.add_argument("--old-code", type=Path, help="folder with the old pipeline/ and schemas/")
    ap.add_argument("--new-code", type=Path, default=REPO, help="folder with the new ones (default: this repository)")
    ap.add_argument("--raw", type=Path, nargs="+", default=[], help="raw folders to run both versions over")
    ap.add_argument("--work", type=Path, default=Path("/tmp/same-tables"))
    ap.add_argument("--keep-old", action="store_true", help="reuse old runs already in WORK/old")
    args = ap.parse_args(argv)
    if args.old_code is None:
        if len(args.folders) != 2:
            ap.error("give OLD_OUT NEW_OUT, or --old-code and --raw")
        return 0 if compare(*args.folders, show=args.show) else 1
    ok = True
    for raw in args.raw:
        name = raw.resolve().as_posix().strip("/").replace("/", "_")
        old, new = args.work / "old" / name, args.work / "new" / name
        if not (args.keep_old and (old / "notices.csv").exists()):
            run(args.old_code.resolve(), raw.resolve(), old)
        run(args.new_code.resolve(), raw.resolve(), new)
        print(f"{raw}:")
        ok = compare(old, new, show=args.show) and ok
    print("all tables identical" if ok else "SOME TABLES DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
