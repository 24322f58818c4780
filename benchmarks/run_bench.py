"""Benchmark the pipeline end to end: throughput, re-run cost and peak memory by corpus size.

For each N (default 10000 and 100000) it generates N notices (``generate.py``) and runs
``python -m pipeline run`` as a subprocess three times into one output folder:

- ``cold``: empty output folder, nothing cached;
- ``no-op``: the same raw folder again (every extraction from the cache);
- ``one changed``: one file edited, then run again.

``--repeats R`` does the three R times (a fresh output folder each time) and reports the median
of each, with the minimum. ``--real-copies N`` benchmarks N copies of the shipped ``raw/``
notices instead (issue 17's own check): each copy is a shipped notice's bytes with a line that
makes it distinct (a serial and a hotline, so the duplicate check keeps it), and the copies get
their original's ``manifest.csv`` row. Nothing of any copy's rows is ever printed: ten of the
shipped notices are held out from development (only times, sizes and hashes are reported).

Each run is timed by wall clock (start-up included) and by CPU (user + system of the run and
every process it waited for); memory is measured three ways: ``maxrss`` is the largest single
process (from ``wait4``, so worker processes count), ``tree RSS`` the peak of the summed RSS of
the pipeline and its workers, and ``tree PSS`` the peak of their summed PSS (proportional set
size, ``/proc/PID/smaps_rollup``: a page shared by the forked workers counts once, split among
them), both sampled every 20 ms. The 1-minute load average before and after each run says how
much else the machine was doing. A per-stage profile (read / normalize / extract / validate /
load) of a serial in-process run, and the functions that dominate extraction (cProfile), are
printed after the table (``--profile-size 0`` skips it).

``--code DIR`` measures the ``pipeline/`` and ``schemas/`` in DIR (a snapshot of another commit:
``git archive COMMIT pipeline schemas | tar -x -C DIR``) instead of this repository's.

It also records the size of ``report.html`` and ``notices.xlsx`` after each cold run, and
the start-up cost: ``python -m pipeline --help`` and a no-op run over the shipped ``raw/``
(five runs each, minimum and median).

    python benchmarks/run_bench.py [--sizes 10000 100000] [--repeats 3] [--jobs N] [--html-share 0.0]
           [--real-copies 6000] [--code DIR] [--work /tmp/ybbench] [--report benchmarks/results/latest.md]

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
import statistics
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
    """One pipeline run: wall seconds, exit status, CPU seconds (the run and every process it reaped),
    peak memory (MiB), 1-minute load average before and after it."""

    seconds: float
    status: int
    maxrss_mib: float
    tree_mib: float
    load: float
    cpu: float = 0.0
    pss_mib: float = 0.0
    load_before: float = 0.0


def _tree(pid: int) -> list[int]:
    """``pid`` and every descendant (0 for processes already gone are skipped later)."""
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _field_kib(path: str, name: str) -> int:
    try:
        with open(path) as f:
            return next((int(line.split()[1]) for line in f if line.startswith(name)), 0)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0


def _tree_rss_kib(pid: int) -> int:
    """Summed VmRSS of ``pid`` and every descendant, in KiB (0 for processes already gone)."""
    return sum(_field_kib(f"/proc/{p}/status", "VmRSS:") for p in _tree(pid))


def _tree_pss_kib(pid: int) -> int:
    """Summed PSS of ``pid`` and every descendant, in KiB: pages shared between them count once in all."""
    return sum(_field_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in _tree(pid))


def snapshot_code(work: Path, source: Path | None = None) -> Path:
    """A frozen copy of ``pipeline/`` and ``schemas/`` to benchmark (from ``source``, default this repository).

    The working tree may change while a benchmark runs (and any change to the pipeline's
    source rightly invalidates the extraction cache, which would turn a no-op re-run into a
    cold one). Runs use this copy: ``python -m pipeline`` from its folder imports it first.
    """
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    for name in ("pipeline", "schemas"):
        shutil.copytree((source or REPO) / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    return code


CODE = REPO  # where the pipeline under test lives; main() points it at a snapshot


def measure(cmd: list[str]) -> Measure:
    """Run ``cmd``, sampling its process tree's memory; returns time, status and peaks."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=CODE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, peak_pss = [0], [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            peak_pss[0] = max(peak_pss[0], _tree_pss_kib(proc.pid))
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
        print(stderr[-3000:], file=sys.stderr)
    # wait4's usage covers the run and the children it reaped (its workers and helper)
    cpu = usage.ru_utime + usage.ru_stime
    # the load average shows whether other work shared the cores (a run alone on 2 cores: ~2)
    return Measure(seconds, proc.returncode, usage.ru_maxrss / 1024, peak[0] / 1024, os.getloadavg()[0],
                   cpu, peak_pss[0] / 1024, load_before)


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


def real_copies(n: int, raw: Path) -> None:
    """``n`` copies of the shipped notices (``raw/``) in ``raw``, round robin, each made distinct.

    A copy is its original's bytes and one line: a serial and a hotline of its own (``值班电话``),
    so that neither the byte check nor the content check (phones are part of it) skips it as a
    duplicate; it gets its original's ``manifest.csv`` row. The copies are only ever run and
    hashed: ten shipped notices are held out from development (HELPER_COMMON.md).
    """
    import csv

    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    shipped = REPO / "raw"
    originals = sorted(p for p in shipped.iterdir() if p.is_file() and p.suffix in (".txt", ".html", ".htm"))
    with (shipped / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        hints = {r["file"]: r for r in csv.DictReader(f)}
    rows = []
    for i in range(n):
        original = originals[i % len(originals)]
        name = f"{i:06d}-{original.name}"
        line = f"\n（副本 {i:06d}；值班电话：010-6{i:07d}）\n".encode()
        (raw / name).write_bytes(original.read_bytes() + line)
        if original.name in hints:
            rows.append({**hints[original.name], "file": name})
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "url", "city", "published", "fetched_at"], extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def bench_size(n: int, work: Path, jobs: int | None, html_share: float, repeats: int = 1,
               real: bool = False) -> dict[str, list[Measure]]:
    """Cold, no-op and one-changed runs over ``n`` generated notices (or copies of real ones), ``repeats`` times."""
    from generate import generate

    raw = work / (f"real-{n}" if real else f"raw-{n}")
    notices = [p for p in raw.iterdir() if p.name != "manifest.csv"] if raw.is_dir() else []
    if len(notices) != n:
        if real:
            real_copies(n, raw)
        else:
            shutil.rmtree(raw, ignore_errors=True)
            generate(n, raw, seed=n, html_share=html_share)
    results: dict[str, list[Measure]] = {"cold": [], "no-op": [], "one changed": []}
    victim = sorted(p for p in raw.iterdir() if p.name != "manifest.csv")[n // 2]
    original = victim.read_bytes()
    for _ in range(repeats):
        out = work / (f"out-real-{n}" if real else f"out-{n}")
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(measure(pipeline_cmd(raw, out, jobs)))
        SIZES[n] = {name: (out / name).stat().st_size if (out / name).exists() else 0
                    for name in ("report.html", "notices.xlsx")}
        results["no-op"].append(measure(pipeline_cmd(raw, out, jobs)))
        victim.write_bytes(original + "\n特此通告。\n".encode())
        try:
            results["one changed"].append(measure(pipeline_cmd(raw, out, jobs)))
        finally:
            victim.write_bytes(original)
        if not real:
            continue
        # the outputs are hashed, never read: held-out notices are among the copies
        TABLE_HASHES[n] = {p.name: _sha(p) for p in sorted(out.glob("*.csv"))}
    return results


TABLE_HASHES: dict[int, dict[str, str]] = {}


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


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


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(all_results: dict[int, dict[str, list[Measure]]], jobs: int | None, label: str = "generated") -> str:
    lines = [f"Machine: {machine()}", f"Jobs: {jobs or 'default (serial below 50 files, else every core)'}",
             f"Notices: {label}", "",
             "| N | run | runs | seconds, median (min) | notices/s | vs cold | CPU s | max process MiB "
             "| tree RSS MiB | tree PSS MiB | load before → after |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n, runs in all_results.items():
        cold = _median([m.seconds for m in runs["cold"]])
        for name, ms in runs.items():
            if not ms:
                continue
            flags = sorted({m.status for m in ms if m.status != 0})
            flag = f" (exit {', '.join(map(str, flags))})" if flags else ""
            secs = _median([m.seconds for m in ms])
            loads = ", ".join(f"{m.load_before:.1f}→{m.load:.1f}" for m in ms)
            lines.append(f"| {n} | {name}{flag} | {len(ms)} | {secs:.2f} ({min(m.seconds for m in ms):.2f}) "
                         f"| {n / secs:.0f} | {secs / cold:.1%} | {_median([m.cpu for m in ms]):.1f} "
                         f"| {max(m.maxrss_mib for m in ms):.0f} | {max(m.tree_mib for m in ms):.0f} "
                         f"| {max(m.pss_mib for m in ms):.0f} | {loads} |")
    if SIZES:
        lines += ["", "| N | report.html MB | notices.xlsx MB |", "|---:|---:|---:|"]
        lines += [f"| {n} | {s['report.html'] / 2**20:.2f} | {s['notices.xlsx'] / 2**20:.1f} |" for n, s in SIZES.items()]
    if TABLE_HASHES:
        lines += ["", "Tables of the last cold run (SHA-256, first 12 hex digits; never their rows):", ""]
        lines += [f"- {n}: " + ", ".join(f"{k} {v}" for k, v in h.items()) for n, h in TABLE_HASHES.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--jobs", type=int, default=None, help="passed to run --jobs (default: the pipeline's default)")
    parser.add_argument("--html-share", type=float, default=0.0, help="share of notices generated as HTML pages")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ybbench"), help="scratch folder (default /tmp/ybbench)")
    parser.add_argument("--profile-size", type=int, default=1000, help="N for the per-stage profile (0: skip)")
    parser.add_argument("--report", type=Path, default=None, help="also write the results as Markdown here")
    parser.add_argument("--repeats", type=int, default=1, help="cold, no-op and one changed this many times; medians")
    parser.add_argument("--real-copies", type=int, default=0, metavar="N",
                        help="benchmark N copies of the shipped raw/ notices instead of generated ones (times only)")
    parser.add_argument("--code", type=Path, default=None, help="the pipeline/ and schemas/ to measure (default: this repository's)")
    parser.add_argument("--skip-startup", action="store_true", help="do not time --help and a no-op run of raw/")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    global CODE
    CODE = snapshot_code(args.work, args.code)
    sys.path.insert(0, str(CODE))
    # imported from the snapshot before generate.py puts the repository on sys.path: every
    # later ``pipeline.*`` import then follows this package
    pipeline = importlib.import_module("pipeline")
    from generate import generate

    results: dict[int, dict[str, list[Measure]]] = {}
    real = bool(args.real_copies)
    for n in [args.real_copies] if real else args.sizes:
        results[n] = bench_size(n, args.work, args.jobs, args.html_share, args.repeats, real)
        print(report({n: results[n]}, args.jobs).splitlines()[-3:], flush=True)
    text = report(results, args.jobs, "copies of the shipped raw/ notices" if real else "generated (benchmarks/generate.py)")
    if not args.skip_startup:
        text += "\n\nStart-up (five runs each):\n\n" + startup(args.work)
    if args.profile_size and not real:
        print(f"code under test: {pipeline.__file__}", file=sys.stderr)
        if not (args.work / f"raw-{args.profile_size}").is_dir():
            generate(args.profile_size, args.work / f"raw-{args.profile_size}", seed=args.profile_size,
                     html_share=args.html_share)
        text += "\n\n" + stage_profile(args.profile_size, args.work)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0 if all(m.status == 0 for runs in results.values() for ms in runs.values() for m in ms) else 1


if __name__ == "__main__":
    sys.exit(main())
