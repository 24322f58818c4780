"""Benchmark the pipeline's date grammar against jionlp and dateparser.

Each line of ``expressions.jsonl`` is a sentence from a cutover notice with its publication
date and the hand-derived (start, end) of its first range, as ``YYYY-MM-DDTHH:MM`` (``end`` null
for an open range or a lone point; both null for a sentence with no date). A parser scores an
expression when both its start and its end match exactly (minute precision).

Every parser gets the same input: the sentence after the pipeline's character normalisation
(OpenCC traditional → simplified, then NFKC full-width → half-width); Chinese numerals are
left as printed. How each library's output is mapped to (start, end) is in the ``parse_*``
functions below and in docs/date_grammar.md.

jionlp and dateparser are optional: a library that cannot be imported is skipped. Run through
``run.sh``, which installs them into a separate venv; they are not pipeline dependencies.

    python benchmarks/date_grammar/bench.py [--repeat 20] [--misses] [--out results.md]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline.extract.timeexpr import YearGuess, find_ranges, resolve_point  # noqa: E402

Pair = tuple[datetime | None, datetime | None]
Parser = Callable[[str, date], Pair]


@dataclass(frozen=True)
class Expr:
    id: str
    category: str
    sentence: str
    text: str  # the sentence after normalisation: what every parser is given
    publication: date
    start: datetime | None
    end: datetime | None


def _dt(s: str | None) -> datetime | None:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M") if s else None


def _fmt(d: datetime | None) -> str:
    return d.strftime("%Y-%m-%dT%H:%M") if d else "—"


def normalizer() -> tuple[Callable[[str], str], str]:
    """The pipeline's character normalisation (t2s + NFKC), or NFKC alone without OpenCC."""
    try:
        from pipeline.read.normalize import to_simplified

        to_simplified("時")
    except ImportError:
        return (lambda s: unicodedata.normalize("NFKC", s)), "NFKC only (OpenCC not installed)"
    return (lambda s: unicodedata.normalize("NFKC", to_simplified(s))), "OpenCC t2s + NFKC"


def load(path: Path, norm: Callable[[str], str]) -> list[Expr]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        out.append(Expr(j["id"], j["category"], j["sentence"], norm(j["sentence"]),
                        date.fromisoformat(j["publication"]), _dt(j["start"]), _dt(j["end"])))
    return out


def _minute(d: datetime | None) -> datetime | None:
    return d.replace(second=0, microsecond=0, tzinfo=None) if d else None


# ---------------------------------------------------------------- our grammar


def _year_guess(publication: date) -> YearGuess | None:
    """The pipeline's own rule for a date printed without a year (pipeline.repair.resolve_year)."""
    try:
        from pipeline.repair.resolve_year import YearClues
    except ImportError:  # lunardate missing: dates without a year stay unresolved
        return None
    return YearClues(publication=publication).choose_event_year


def parse_ours(text: str, publication: date) -> Pair:
    """The first range of the sentence, resolved as pipeline.extract.outage_window does."""
    ranges = find_ranges(text)
    if not ranges:
        return None, None
    r = ranges[0]
    guess = _year_guess(publication)
    s = resolve_point(r.start, publication=publication, year_guess=guess)
    if r.end is None:
        return s.at, None
    e = resolve_point(r.end, context=s.at, publication=publication, year_guess=guess, is_end=True,
                      end_of_day_for_date_only=True)
    return s.at, e.at


# ---------------------------------------------------------------- jionlp


def make_jionlp() -> Parser:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp  # prints a banner on import

    def parse_jionlp(text: str, publication: date) -> Pair:
        """``jionlp.parse_time(text, time_base=publication 00:00)``, mapped to (start, end):

        - ``time_point`` → (time[0], None): a lone point, its granularity end is dropped;
        - ``time_span`` → (time[0], time[1]). jionlp gives an end as the last second of the
          printed unit, so: ``inf`` or an end equal to ``time_base`` (jionlp's "until now" for a
          past ``X起``) is an open end (None); 23:59:59 (a whole day) is 00:00 of the next day;
          HH:59:59 (an hour: ``8时`` → 08:59:59, ``24时`` → 00:59:59 of the next day) is HH:00;
          any other end is cut to the minute (``08:30`` → 08:30:59 → 08:30);
        - ``time_delta`` / ``time_period`` or an exception (``can not parse``) → no date.
        """
        base = datetime(publication.year, publication.month, publication.day)
        try:
            r = jionlp.parse_time(text, time_base=base)
        except Exception:
            return None, None
        if not isinstance(r, dict) or r.get("type") not in ("time_point", "time_span"):
            return None, None
        t = r["time"]
        start = datetime.strptime(t[0], "%Y-%m-%d %H:%M:%S")
        if r["type"] == "time_point":
            return _minute(start), None
        if t[1] == "inf":
            return _minute(start), None
        end = datetime.strptime(t[1], "%Y-%m-%d %H:%M:%S")
        if end == base:
            return _minute(start), None
        if (end.hour, end.minute, end.second) == (23, 59, 59):
            end += timedelta(seconds=1)
        elif (end.minute, end.second) == (59, 59):
            end = end.replace(minute=0, second=0)
        return _minute(start), _minute(end)

    return parse_jionlp


# ---------------------------------------------------------------- dateparser

_HAS_TIME = re.compile(r"[时点:]|[上下中]午|晚|凌晨")


def make_dateparser() -> Parser:
    from dateparser.search import search_dates

    def parse_dateparser(text: str, publication: date) -> Pair:
        """``search_dates(text, languages=["zh"], settings={RELATIVE_BASE: publication 00:00,
        PREFER_DATES_FROM: "future"})``, mapped to (start, end): the first date found is the
        start, the second (if any) the end; an end whose matched text has no time of day is a
        whole day and becomes 00:00 of the next day; nothing found → no date.
        """
        base = datetime(publication.year, publication.month, publication.day)
        try:
            found = search_dates(text, languages=["zh"],
                                 settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
        except Exception:
            return None, None
        if not found:
            return None, None
        start = found[0][1]
        end: datetime | None = None
        if len(found) > 1:
            sub, end = found[1]
            if not _HAS_TIME.search(sub):
                end = datetime(end.year, end.month, end.day) + timedelta(days=1)
        return _minute(start), _minute(end)

    return parse_dateparser


# ---------------------------------------------------------------- the run


@dataclass
class Result:
    name: str
    version: str
    setup_ms: float  # import + first call
    got: dict[str, Pair]
    us: dict[str, float]  # median µs per expression


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def run(name: str, version: str, make: Callable[[], Parser], exprs: list[Expr], repeat: int) -> Result:
    t0 = time.perf_counter_ns()
    parse = make()
    parse(exprs[0].text, exprs[0].publication)  # first call: lazy loading (dictionaries, regexes)
    setup_ms = (time.perf_counter_ns() - t0) / 1e6
    got: dict[str, Pair] = {}
    us: dict[str, float] = {}
    for x in exprs:
        got[x.id] = parse(x.text, x.publication)  # warm-up and result
        runs = []
        for _ in range(repeat):
            a = time.perf_counter_ns()
            parse(x.text, x.publication)
            runs.append(time.perf_counter_ns() - a)
        us[x.id] = statistics.median(runs) / 1000
    return Result(name, version, setup_ms, got, us)


def _ok(x: Expr, got: Pair) -> bool:
    return got == (x.start, x.end)


def report(results: list[Result], exprs: list[Expr], norm_name: str, repeat: int, misses: bool) -> str:
    lines = [
        f"{len(exprs)} expressions ({sum(1 for x in exprs if x.start is None)} without any date); "
        f"input normalised with {norm_name}; {repeat} timed runs per expression after one warm-up; "
        f"Python {platform.python_version()}.",
        "",
        "| parser | version | correct | accuracy | median µs/expr | mean µs/expr | max µs/expr | import + first call ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        n = sum(_ok(x, r.got[x.id]) for x in exprs)
        t = list(r.us.values())
        lines.append(
            f"| {r.name} | {r.version} | {n}/{len(exprs)} | {100 * n / len(exprs):.1f}% | "
            f"{statistics.median(t):,.1f} | {statistics.mean(t):,.1f} | {max(t):,.1f} | {r.setup_ms:,.0f} |"
        )
    cats = list(dict.fromkeys(x.category for x in exprs))
    lines += ["", "Correct per category:", "",
              "| category | n | " + " | ".join(r.name for r in results) + " |",
              "| --- | ---: |" + " ---: |" * len(results)]
    for c in cats:
        xs = [x for x in exprs if x.category == c]
        cells = [str(sum(_ok(x, r.got[x.id]) for x in xs)) for r in results]
        lines.append(f"| {c} | {len(xs)} | " + " | ".join(cells) + " |")
    for i, r in enumerate(results):
        if i > 0 and not misses:
            continue
        wrong = [x for x in exprs if not _ok(x, r.got[x.id])]
        lines += ["", f"Wrong for {r.name} ({len(wrong)}):", ""]
        if wrong:
            lines += ["| id | sentence | expected | got |", "| --- | --- | --- | --- |"]
            for x in wrong:
                g = r.got[x.id]
                lines.append(f"| {x.id} | {x.text} | {_fmt(x.start)} → {_fmt(x.end)} | {_fmt(g[0])} → {_fmt(g[1])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--expressions", type=Path, default=HERE / "expressions.jsonl")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per expression and parser")
    ap.add_argument("--misses", action="store_true", help="list the wrong cases of every parser, not only ours")
    ap.add_argument("--out", type=Path, help="also write the report to this file")
    args = ap.parse_args(argv)

    norm, norm_name = normalizer()
    exprs = load(args.expressions, norm)
    candidates: list[tuple[str, str, Callable[[], Parser]]] = [
        ("timeexpr (ours)", f"pipeline {pipeline.__version__}", lambda: parse_ours),
        ("jionlp.parse_time", _version("jionlp"), make_jionlp),
        ("dateparser.search_dates", _version("dateparser"), make_dateparser),
    ]
    results = []
    for name, version, make in candidates:
        try:
            results.append(run(name, version, make, exprs, args.repeat))
        except ImportError as e:
            print(f"skipped {name}: {e}", file=sys.stderr)
    text = report(results, exprs, norm_name, args.repeat, args.misses)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
