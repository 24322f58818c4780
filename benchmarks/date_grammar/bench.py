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
    """The first range of the sentence, resolved as ``pipeline.extract.windows.mentions.resolve_range``
    does (that module is not imported: it needs the pipeline's own dependencies, this venv has two):
    the start as a point of its own (``end_of_range=False``), the end against the start, a
    date-only end meaning the end of that day."""
    ranges = find_ranges(text)
    if not ranges:
        return None, None
    r = ranges[0]
    guess = _year_guess(publication)
    s = resolve_point(r.start, publication=publication, year_guess=guess, end_of_range=False)
    if r.end is None:
        return s.at, None
    e = resolve_point(r.end, context=s.at, publication=publication, year_guess=guess, end_of_day_for_date_only=True)
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
        if t[0] in ("inf", "-inf"):  # "…之前": a span from the beginning of time, no date we can compare
            return None, None
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


def _clear_our_caches() -> None:
    """The grammar memoises its parses (``arabize``, ``parse_points``, ``find_ranges``): a timed
    call after the first would only look the sentence up. Cleared before each timed call (outside
    the timing), so that every call parses, as on a sentence seen for the first time."""
    from pipeline.extract import timeexpr

    for f in (timeexpr.arabize, timeexpr._parse_points, timeexpr._find_ranges):
        f.cache_clear()


def run(name: str, version: str, make: Callable[[], Parser], exprs: list[Expr], repeat: int,
        reset: Callable[[], None] | None = None) -> Result:
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
            if reset is not None:
                reset()
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


_RELATIVE_END = re.compile(r"次日|翌日|当日|当天|当晚|第二天")


def difference_class(ours: Pair, theirs: Pair, text: str) -> str:
    """Why two parsers' (start, end) differ, from the pair itself (the classes of docs/date_grammar.md).

    ``difference_class((03-01 18:00, 03-02 08:00), (03-01 18:00, 03-01 08:00), "2022年3月1日18:00至8:00")``
    → ``"end time earlier than the start: next day or same day"``.
    """
    (s1, e1), (s2, e2) = ours, theirs
    if s1 is None or s2 is None:
        return "a date on one side only (non-dates, or a form one parser does not read)"
    if s1 != s2:
        return "different start"
    if e1 is None and e2 is not None:
        return "ours open, jionlp an end: X起…, Y起恢复 (ours leaves the end to linking; jionlp spans X to the next date)"
    if e2 is None and e1 is not None:
        return "jionlp open or a point, ours a range: a range form jionlp does not read (2018.1.1~1.4, 至2日)"
    if _RELATIVE_END.search(text):
        return "次日/翌日/当日: counted from the range start or from the publication date"
    if e1 is not None and e2 is not None and e2 < s2 and e1.year != e2.year:
        return "end across New Year: year rolled over or not"
    if e1 is not None and e2 is not None and e2 < s2 and (e1.month, e1.day) != (e2.month, e2.day) and e1.month != s1.month:
        return "day-only end in the next month: month rolled over or not"
    if e1 is not None and e2 is not None and e2 < s2:
        return "end time earlier than the start: next day or same day"
    return "other end"


def agreement(gold: Path, norm: Callable[[str], str]) -> str:
    """Ours against jionlp on the labelled windows of a gold folder (``*.json``, as ``pipeline eval`` reads):
    each window's evidence sentence, with the notice's labelled publication date as the base (windows of
    notices labelled without one are left out: a base would have to be made up). Both parsers' first
    (start, end) are compared with each other and with the labelled window."""
    import json
    import logging

    jio = make_jionlp()
    logging.disable(logging.ERROR)  # jionlp logs a traceback for every sentence it cannot parse
    cases = []
    for path in sorted(gold.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if not label.get("published_on"):
            continue
        base = date.fromisoformat(label["published_on"][:10])
        for w in label.get("windows") or []:
            text = norm(w.get("evidence") or "")
            if not text.strip() or not find_ranges(text):
                continue
            want = (_dt(w.get("start_at")), _dt(w.get("end_at")))
            cases.append((text, want, parse_ours(text, base), jio(text, base)))
    same = sum(1 for _, _, o, j in cases if o == j)
    lines = [f"Ours against jionlp on the evidence sentences of {len(cases)} labelled windows ({gold}, notices with a "
             f"labelled publication date): identical {same} ({100 * same / max(1, len(cases)):.1f} %); "
             f"right: ours {sum(o == w for _, w, o, _ in cases)}, jionlp {sum(j == w for _, w, _, j in cases)}. "
             "A sentence may state several ranges and the label be any of them: 'right' is the first range.", "",
             "| class of difference | sentences | ours right | jionlp right | neither | example | label | ours | jionlp |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |"]
    classes: dict[str, list] = {}
    for case in cases:
        if case[2] != case[3]:
            classes.setdefault(difference_class(case[2], case[3], case[0]), []).append(case)
    for name, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        ours_ok = sum(o == w for _, w, o, _ in items)
        jio_ok = sum(j == w for _, w, _, j in items)
        text, w, o, j = items[0]
        lines.append(f"| {name} | {len(items)} | {ours_ok} | {jio_ok} | {len(items) - ours_ok - jio_ok} | {text[:36]} | "
                     f"{_fmt(w[0])} → {_fmt(w[1])} | {_fmt(o[0])} → {_fmt(o[1])} | {_fmt(j[0])} → {_fmt(j[1])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--expressions", type=Path, default=HERE / "expressions.jsonl")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per expression and parser")
    ap.add_argument("--misses", action="store_true", help="list the wrong cases of every parser, not only ours")
    ap.add_argument("--out", type=Path, help="also write the report to this file")
    ap.add_argument("--gold", type=Path, help="also compare ours and jionlp on the evidence sentences of the labelled "
                    "windows of this gold folder (JSON labels): agreement, and which side the label supports per class")
    args = ap.parse_args(argv)

    norm, norm_name = normalizer()
    exprs = load(args.expressions, norm)
    candidates: list[tuple[str, str, Callable[[], Parser], Callable[[], None] | None]] = [
        ("timeexpr (ours)", f"pipeline {pipeline.__version__}", lambda: parse_ours, _clear_our_caches),
        ("jionlp.parse_time", _version("jionlp"), make_jionlp, None),
        ("dateparser.search_dates", _version("dateparser"), make_dateparser, None),
    ]
    results = []
    for name, version, make, reset in candidates:
        try:
            results.append(run(name, version, make, exprs, args.repeat, reset))
        except ImportError as e:
            print(f"skipped {name}: {e}", file=sys.stderr)
    text = report(results, exprs, norm_name, args.repeat, args.misses)
    if args.gold:
        text += "\n\n" + agreement(args.gold, norm)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
