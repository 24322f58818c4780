"""Worst case: what each pathological file costs a run, in time and peak memory.

For every file of ``tests/bad/pathological.py`` it runs ``python -m pipeline run`` over a raw
folder holding the two seed notices and that one file (``--no-cache``, fresh output folder),
then once over ``raw/`` with every pathological file beside it. Each run is stopped after
``--timeout`` seconds (the process group is killed) and capped at ``--max-memory`` GiB of address
space, so a file that would run for an hour or eat the machine is recorded as such instead.

Peak memory is the largest single process of the run (``wait4``, so worker processes count:
the kernel's ``ru_maxrss`` covers every reaped descendant). The seeds-only run gives the floor
(start-up, imports, writing the tables) that every row includes.

    python benchmarks/worst_case.py [--code DIR] [--timeout 120] [--report FILE]

``--code`` points at another checkout's ``pipeline/`` and ``schemas/`` (to measure the code
before a change: ``git archive COMMIT pipeline schemas | tar -x -C DIR``). Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "bad"))

from pathological import GENERATORS, write_corpus  # noqa: E402

SEEDS = ("hangzhou-2022-cutover-notice.txt", "xian-2022-cutover-notice-and-guide.txt")


def measure(code: Path, raw: Path, out: Path, timeout: float, max_memory_gib: float) -> tuple[float, float, str]:
    """One run: (wall seconds, peak MiB of the largest process, outcome)."""

    def limit() -> None:
        os.setsid()  # its own process group, so a time-out kills the workers too
        cap = int(max_memory_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--no-cache"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            return seconds, usage.ru_maxrss / 1024, f"stopped after {timeout:.0f} s"
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    code_ = os.waitstatus_to_exitcode(status)
    if code_ != 0:
        last = output.strip().splitlines()[-1:] or [""]
        return seconds, usage.ru_maxrss / 1024, f"failed (exit {code_}): {last[0][:80]}"
    errors = [line.strip() for line in output.splitlines() if line.strip().startswith("! ")]
    return seconds, usage.ru_maxrss / 1024, (errors[-1][:90] if errors else "read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=REPO, help="folder with the pipeline/ and schemas/ to measure")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--max-memory", type=float, default=8.0, help="address-space cap per run, GiB")
    parser.add_argument("--only", nargs="*", default=None, help="pathological files to measure (default: all)")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="worst-case-") as tmp:
        work = Path(tmp)
        patho = work / "patho"
        write_corpus(patho, args.only)
        names = sorted(p.name for p in patho.iterdir())
        cases = [("(seeds only)", [])] + [(name, [name]) for name in names] + [("all, beside raw/", names)]
        for label, files in cases:
            raw = work / "raw"
            shutil.rmtree(raw, ignore_errors=True)
            if label.startswith("all"):
                shutil.copytree(REPO / "raw", raw)
            else:
                raw.mkdir()
                for seed in SEEDS:
                    shutil.copy(REPO / "raw" / seed, raw / seed)
            for name in files:
                shutil.copy(patho / name, raw / name)
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            seconds, mib, outcome = measure(args.code, raw, out, args.timeout, args.max_memory)
            rows.append((label, seconds, mib, outcome))
            print(f"{label:<20} {seconds:8.1f} s {mib:8.0f} MiB  {outcome}", flush=True)

    load = os.getloadavg()[0]
    lines = [
        f"code: {args.code}; timeout {args.timeout:.0f} s; address-space cap {args.max_memory:g} GiB; load avg {load:.1f}",
        "",
        "| file | seconds | peak MiB | outcome |",
        "|---|---:|---:|---|",
        *(f"| {label} | {s:.1f} | {m:.0f} | {o.replace('|', '/')} |" for label, s, m, o in rows),
    ]
    print("\n".join(lines))
    if args.report:
        args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    assert set(GENERATORS)  # the generator module is importable
    main()
