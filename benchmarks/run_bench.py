"""Benchmark the pipeline end to end: throughput, re-run cost and peak memory by corpus size.

For each N (default 10000 and 100000) it generates N notices (``generate.py``) and runs
``python -m pipeline run`` as a subprocess three times into one output folder:

- ``cold``: empty output folder, nothing cached;
- ``no-op``: the same raw folder again (every extraction from the cache);
- ``one changed``: one file edited, then run again.

Each run is timed by wall clock; memory is measured two ways: ``maxrss`` is the largest
single process (from ``wait4``, so worker processes count), ``tree`` is the peak of the summed
RSS of the pipeline and its workers, sampled from /proc every 20 ms. A per-stage profile
(read / normalize / extract / validate / load) of a serial in-process run, and the functions
that dominate extraction (cProfile), are printed after the table.

It also records the size of ``report.html`` and ``notices.xlsx`` after each cold run, and
the start-up cost: ``python -m pipeline --help`` and a no-op run over the shipped ``raw/``
(five runs each, minimum and median).

    python benchmarks/run_bench.py [--sizes 10000 100000] [--jobs N] [--html-share 0.0]
           [--work /tmp/ybbench] [--report benchmarks/results/latest.md]

Not a test: nothing here is collected by pytest, and it takes about half an hour for N = 100000.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import platform
import pstats
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))



@dataclass(frozen=True)
class Measure:
    """One pipeline run: wall seconds, exit status, peak memory (MiB), 1-minute load average after it."""

    seconds: float
    status: int
    maxrss_mib: float
    tree_mib: float
    load: float


def _tree_rss_kib(pid: int) -> int:
    """Summed VmRSS of ``pid`` and every descendant, in KiB (0 for processes already gone)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def snapshot_code(work: Path) -> Path:
    """A frozen copy of ``pipeline/`` and ``schemas/`` to benchmark.

    The working tree may change while a benchmark runs (and any change to the pipeline's
    source rightly invalidates the extraction cache, which would turn a no-op re-run into a
    cold one). Runs use this copy: ``python -m pipeline`` from its folder imports it first.
    """
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    for name in ("pipeline", "schemas"):
        shutil.copytree(REPO / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    return code


CODE = REPO  # where the pipeline under test lives; main() points it at a snapshot


def measure(cmd: list[str]) -> Measure:
    """Run ``cmd``, sampling its process tree's memory; returns time, status and peaks."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=CODE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(stderr, file=sys.stderr)
    # the load average shows whether other work shared the cores (a run alone on 2 cores: ~2)
    return Measure(seconds, proc.returncode, usage.ru_maxrss / 1024, peak[0] / 1024, os.getloadavg()[0])


def pipeline_cmd(raw: Path, out: Path, jobs: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--quiet"]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


SIZES: dict[int, dict[str, int]] = {}  # N → bytes of report.html and notices.xlsx after the cold run


def startup(work: Path, repeats: int = 5) -> str:
    """Seconds for ``--help`` and for a no-op run over ``raw/`` (the shipped corpus): min and median."""
    out = work / "out-startup"
    shutil.rmtree(out, ignore_errors=True)
    raw = REPO / "raw"
    subprocess.run([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--quiet"], cwd=CODE, check=True)
    lines = ["| command | min s | median s |", "|---|---:|---:|"]
    n_raw = sum(1 for p in raw.iterdir() if p.is_file() and p.suffix not in {".csv", ".yaml"})
    for label, cmd in (("python -m pipeline --help", [sys.executable, "-m", "pipeline", "--help"]),
                       (f"no-op run (raw/, {n_raw} notices)", pipeline_cmd(raw, out, None))):
        times = sorted(measure(cmd).seconds for _ in range(repeats))
        lines.append(f"| `{label}` | {times[0]:.2f} | {times[len(times) // 2]:.2f} |")
    return "\n".join(lines)


def bench_size(n: int, work: Path, jobs: int | None, html_share: float) -> dict[str, Measure]:
    """Cold, no-op and one-changed runs over ``n`` generated notices."""
    from generate import generate

    raw, out = work / f"raw-{n}", work / f"out-{n}"
    if not raw.is_dir() or len(list(raw.iterdir())) != n:
        shutil.rmtree(raw, ignore_errors=True)
        generate(n, raw, seed=n, html_share=html_share)
    shutil.rmtree(out, ignore_errors=True)
    results = {"cold": measure(pipeline_cmd(raw, out, jobs))}
    SIZES[n] = {name: (out / name).stat().st_size if (out / name).exists() else 0
                for name in ("report.html", "notices.xlsx")}
    results["no-op"] = measure(pipeline_cmd(raw, out, jobs))
    victim = sorted(raw.iterdir())[n // 2]
    original = victim.read_bytes()
    victim.write_bytes(original + "\n特此通告。\n".encode())
    try:
        results["one changed"] = measure(pipeline_cmd(raw, out, jobs))
    finally:
        victim.write_bytes(original)
    return results


def stage_profile(n: int, work: Path) -> str:
    """Seconds per stage for a serial, uncached, in-process run over the ``n``-notice corpus.

    Memory is not measured here (one process holds everything); see the subprocess runs.
    """
    from pipeline.extract import SourceHints
    from pipeline.extract.notice import extract_notice
    from pipeline.publish import publish
    from pipeline.publish.tables import write_outputs
    from pipeline.read import read_document
    from pipeline.read.normalize import normalize_document
    from pipeline.runner.engine import RunResult, discover, notice_id_of
    from pipeline.validate import to_frame, validate_tables
    from schemas.tables import ErrorsSchema

    raw = work / f"raw-{n}"
    stages = dict.fromkeys(("read", "normalize", "extract", "validate", "load", "publish"), 0.0)
    result = RunResult()
    paths = discover(raw)
    for path in paths:
        rel = path.relative_to(raw).as_posix()
        nid = notice_id_of(path.read_bytes())
        t0 = time.perf_counter()
        doc = read_document(path, rel)
        t1 = time.perf_counter()
        doc, repairs = normalize_document(doc)
        t2 = time.perf_counter()
        ext = extract_notice(doc, SourceHints(), nid, repairs)
        t3 = time.perf_counter()
        stages["read"] += t1 - t0
        stages["normalize"] += t2 - t1
        stages["extract"] += t3 - t2
        result.source_of[nid] = rel
        result.rows["notices"].append(ext.notice)
        for key, rows in (("outage_windows", ext.windows), ("guidance", ext.guidance),
                          ("contacts", ext.contacts), ("repairs", ext.repairs)):
            result.rows[key].extend(rows)
    # a second pass under cProfile, apart from the timings above (the profiler slows code down)
    profiler = cProfile.Profile()
    for path in paths[:1000]:
        doc, repairs = normalize_document(read_document(path, path.name))
        profiler.enable()
        extract_notice(doc, SourceHints(), "0" * 16, repairs)
        profiler.disable()
    t0 = time.perf_counter()
    frames, errors = validate_tables(result.rows, result.source_of)
    frames["errors"] = ErrorsSchema.validate(to_frame("errors", errors))
    t1 = time.perf_counter()
    out = work / f"stage-out-{n}"
    shutil.rmtree(out, ignore_errors=True)
    write_outputs(frames, out)
    t2 = time.perf_counter()
    publish(out, raw)  # report.html and datapackage.json, as `run` does after the tables
    stages["validate"], stages["load"], stages["publish"] = t1 - t0, t2 - t1, time.perf_counter() - t2
    total = sum(stages.values())
    lines = [f"Per stage, serial, in-process, N = {n} ({total:.1f} s in all):", "",
             "| stage | seconds | share | per notice (ms) |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {v:.2f} | {v / total:.0%} | {1000 * v / n:.2f} |" for k, v in stages.items()]
    m = min(n, 1000)
    return "\n".join(lines + [
        "", f"Extraction of {m} notices under cProfile, pipeline functions by cumulative time:", "",
        "```", *_top(profiler, "cumulative", 15, "pipeline"), "```",
        "", "… and all functions by own time:", "", "```", *_top(profiler, "tottime", 12), "```",
    ])


def _top(profiler: cProfile.Profile, key: str, count: int, only: str = "") -> list[str]:
    """The ``count`` first rows of a pstats listing sorted by ``key``, optionally only paths containing ``only``."""
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf).sort_stats(key)
    stats.print_stats(only, count) if only else stats.print_stats(count)
    rows = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    header = next(i for i, ln in enumerate(rows) if ln.lstrip().startswith("ncalls"))
    return rows[header:]


def machine() -> str:
    """``"2 cores, AMD EPYC …, 23.5 GiB RAM, Linux 6.1, Python 3.11.7"``."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), model)
        with open("/proc/meminfo") as f:
            mem_kib = int(next(ln.split()[1] for ln in f if ln.startswith("MemTotal")))
    except OSError:
        mem_kib = 0
    return (f"{os.cpu_count()} cores, {model}, {mem_kib / 2**20:.1f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def report(all_results: dict[int, dict[str, Measure]], jobs: int | None) -> str:
    lines = [f"Machine: {machine()}", f"Jobs: {jobs or 'default (serial below 50 files, else every core)'}", "",
             "| N | run | seconds | notices/s | vs cold | max process MiB | process tree MiB | load avg |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n, runs in all_results.items():
        cold = runs["cold"].seconds
        for name, m in runs.items():
            flag = "" if m.status == 0 else f" (exit {m.status})"
            lines.append(f"| {n} | {name}{flag} | {m.seconds:.2f} | {n / m.seconds:.0f} | {m.seconds / cold:.0%} "
                         f"| {m.maxrss_mib:.0f} | {m.tree_mib:.0f} | {m.load:.1f} |")
    if SIZES:
        lines += ["", "| N | report.html MB | notices.xlsx MB |", "|---:|---:|---:|"]
        lines += [f"| {n} | {s['report.html'] / 2**20:.2f} | {s['notices.xlsx'] / 2**20:.1f} |" for n, s in SIZES.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--jobs", type=int, default=None, help="passed to run --jobs (default: the pipeline's default)")
    parser.add_argument("--html-share", type=float, default=0.0, help="share of notices generated as HTML pages")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ybbench"), help="scratch folder (default /tmp/ybbench)")
    parser.add_argument("--profile-size", type=int, default=1000, help="N for the per-stage profile (0: skip)")
    parser.add_argument("--report", type=Path, default=None, help="also write the results as Markdown here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    global CODE
    CODE = snapshot_code(args.work)
    sys.path.insert(0, str(CODE))
    # imported from the snapshot before generate.py puts the repository on sys.path: every
    # later ``pipeline.*`` import then follows this package
    pipeline = importlib.import_module("pipeline")
    from generate import generate

    results: dict[int, dict[str, Measure]] = {}
    for n in args.sizes:
        results[n] = bench_size(n, args.work, args.jobs, args.html_share)
        print(report({n: results[n]}, args.jobs).splitlines()[-3:], flush=True)
    text = report(results, args.jobs)
    text += "\n\nStart-up (five runs each):\n\n" + startup(args.work)
    if args.profile_size:
        print(f"code under test: {pipeline.__file__}", file=sys.stderr)
        if not (args.work / f"raw-{args.profile_size}").is_dir():
            generate(args.profile_size, args.work / f"raw-{args.profile_size}", seed=args.profile_size,
                     html_share=args.html_share)
        text += "\n\n" + stage_profile(args.profile_size, args.work)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0 if all(m.status == 0 for runs in results.values() for m in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
