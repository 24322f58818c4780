"""CPU per notice of each extraction stage (read, normalize, extract), serial and in-process.

The machine is shared (2 cores, other sessions' tests and benchmarks), so wall time says little:
this measures CPU time of the measuring thread (``time.thread_time_ns``) around each stage, one
pass over distinct notices in a fresh process (as a worker sees them: its caches start cold and
fill as it goes), the files' bytes read before timing starts. Each repeat is a new process; the
report gives the median and the minimum of the repeats.

    python benchmarks/stage_cpu.py --raw /tmp/ybbench/raw-2000 [--limit 2000] [--repeat 5] [--code DIR]
    python benchmarks/stage_cpu.py --raw DIR --profile extract [--limit 1000]    # cProfile of a stage

``--code DIR`` measures the ``pipeline/`` in DIR (a snapshot of another commit:
``git archive COMMIT pipeline schemas | tar -x -C DIR``) instead of this repository's.

``--instructions`` counts instructions instead of seconds, with valgrind (callgrind, no cache
simulation): four runs doing nothing, read, read + normalize, read + normalize + extract over
the same notices, the differences divided by the number of notices. Counts repeat to a fraction
of a percent whatever else the machine runs; they are slow (≈ 50× the CPU time), so use a few
hundred notices.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STAGES = ("read", "normalize", "extract")


def _files(raw: Path, limit: int) -> list[Path]:
    skip = {".csv", ".yaml", ".yml", ".json"}
    return sorted(p for p in raw.iterdir() if p.is_file() and p.suffix not in skip)[:limit]


def one_pass(raw: Path, limit: int, stages: tuple[str, ...], profile: str | None) -> dict:
    """Run the stages over the files once; CPU nanoseconds per stage.

    The first file goes through every stage untimed, whatever ``stages`` says: it pays the one-time
    set-up (gazetteer, OpenCC tables, compiled patterns), which a long run spreads over all its files.
    """
    from pipeline.extract import SourceHints
    from pipeline.extract.notice import extract_notice
    from pipeline.read import read_document
    from pipeline.read.normalize import normalize_document

    paths = _files(raw, limit + 1)
    data = [(p, p.read_bytes()) for p in paths]
    (p0, b0), data = data[0], data[1:]
    warm_doc, warm_repairs = normalize_document(read_document(p0, p0.name, b0))
    extract_notice(warm_doc, SourceHints(), "0" * 16, warm_repairs)
    totals = dict.fromkeys(STAGES, 0)
    profiler = cProfile.Profile() if profile else None
    clock = time.thread_time_ns
    for path, blob in data:
        if not stages:
            break
        t0 = clock()
        if profile == "read":
            profiler.enable()
        doc = read_document(path, path.name, blob)
        if profile == "read":
            profiler.disable()
        t1 = clock()
        totals["read"] += t1 - t0
        if "normalize" not in stages:
            continue
        if profile == "normalize":
            profiler.enable()
        doc, repairs = normalize_document(doc)
        if profile == "normalize":
            profiler.disable()
        t2 = clock()
        totals["normalize"] += t2 - t1
        if "extract" not in stages:
            continue
        if profile == "extract":
            profiler.enable()
        extract_notice(doc, SourceHints(), "0" * 16, repairs)
        if profile == "extract":
            profiler.disable()
        totals["extract"] += clock() - t2
    if profiler is not None:
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats("pipeline", 40)
        print(buf.getvalue(), file=sys.stderr)
    return {"n": len(data), **totals}


def _child(args: argparse.Namespace, stages: tuple[str, ...], profile: str | None = None,
           wrapper: list[str] | None = None) -> dict:
    cmd = [*(wrapper or []), sys.executable, __file__, "--raw", str(args.raw), "--limit", str(args.limit),
           "--child", ",".join(stages) or "none"]
    if args.code:
        cmd += ["--code", str(args.code)]
    if profile:
        cmd += ["--profile", profile]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    if profile:
        print(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _callgrind(args: argparse.Namespace, stages: tuple[str, ...]) -> int:
    """Instructions (Ir) of one child run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        _child(args, stages, wrapper=["valgrind", "--tool=callgrind", "--cache-sim=no", "--branch-sim=no",
                                      f"--callgrind-out-file={out}"])
        text = out.read_text(errors="replace")
    m = re.search(r"^totals:\s+(\d+)", text, re.M) or re.search(r"^summary:\s+(\d+)", text, re.M)
    if not m:
        raise SystemExit("no instruction total in the callgrind output")
    return int(m.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=2000, help="notices to time (after one warm-up file)")
    ap.add_argument("--repeat", type=int, default=5, help="fresh processes to run")
    ap.add_argument("--code", type=Path, help="folder with the pipeline/ to measure (default: this repository)")
    ap.add_argument("--profile", choices=STAGES, help="print a cProfile of one stage instead of timing")
    ap.add_argument("--instructions", action="store_true", help="count instructions per stage with callgrind")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sys.path.insert(0, str((args.code or REPO).resolve()))
    if args.child:
        stages = () if args.child == "none" else tuple(args.child.split(","))
        print(json.dumps(one_pass(args.raw, args.limit, stages, args.profile)))
        return 0
    if args.profile:
        _child(args, STAGES, args.profile)
        return 0
    load = os.getloadavg()
    if args.instructions:
        counts = [_callgrind(args, STAGES[:k]) for k in range(4)]
        n = len(_files(args.raw, args.limit + 1)) - 1
        print(f"instructions per notice ({n} notices after a warm-up file, callgrind):")
        for k, stage in enumerate(STAGES, start=1):
            print(f"  {stage:10s} {(counts[k] - counts[k - 1]) / n / 1e6:8.2f} M")
        print(f"  {'total':10s} {(counts[3] - counts[0]) / n / 1e6:8.2f} M")
        return 0
    runs = [_child(args, STAGES) for _ in range(args.repeat)]
    n = runs[0]["n"]
    print(f"CPU ms per notice, {n} notices from {args.raw}, {args.repeat} fresh processes "
          f"(load average before: {load[0]:.1f}, after: {os.getloadavg()[0]:.1f}):")
    print("| stage | median | min |")
    print("|---|---:|---:|")
    for stage in (*STAGES, "total"):
        per = [(sum(r[s] for s in STAGES) if stage == "total" else r[stage]) / r["n"] / 1e6 for r in runs]
        print(f"| {stage} | {statistics.median(per):.3f} | {min(per):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
