"""``python -m pipeline eval --gold DIR [--raw DIR]``: precision, recall and F1 against labels.

Scores exactly as ``../shared/tools/score.py`` does (same matching, same totals), per file and
in total, with the misses listed: windows as (start, end) pairs — and, to tell finding from
linking, the start moments alone (``starts``) and how many found starts got the right end
(``ends ok``) — phones as E.164 sets, guidance as (category, action) pairs for gold files that
carry a ``guidance`` list, city and publication date as exact matches over every file where the
label *or* the output has a value: a value where the label has none (a repost stamp taken for
the notice's date, a city for a province-wide page) is wrong, and the summary line ends with
how many such invented values there were (``invented city=N published=M``).

The run happens in memory; nothing is written. ``--out DIR`` scores an output folder a run
already wrote (its CSV files), exactly what the scorer reads. A gold folder that is missing,
holds no label, or whose labels name no file of the raw folder is an error (exit status 2),
never a score of nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.extract.timeexpr import minute_text
from pipeline.settings import default_raw as default_raw_dir

log = logging.getLogger(__name__)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``tp`` right among ``n_pred`` predicted and ``n_gold`` labelled.

    >>> prf(2, 2, 4)
    (1.0, 0.5, 0.6666666666666666)
    """
    p = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def label_windows(label: dict) -> set[tuple[str, str]]:
    """A label's windows as ``(start, end)`` pairs, ``""`` for an open end.

    >>> label_windows({"windows": [{"start_at": "2022-02-06T00:00", "end_at": None}]})
    {('2022-02-06T00:00', '')}
    """
    return {(w["start_at"], w["end_at"] or "") for w in label.get("windows") or []}


def label_guidance(label: dict) -> set[tuple[str, str]]:
    """A label's guidance as ``(category, action)`` pairs: ``{("inpatient", "settle_before"), …}``."""
    return {(x["category"], x["action"]) for x in label.get("guidance") or []}


def tally(totals: dict[str, int], key: str, gold: set, pred: set) -> None:
    """Add one file's comparison of two sets to ``totals``: ``KEY_tp``, ``KEY_pred``, ``KEY_gold``
    (what :func:`prf` takes).

    >>> t = defaultdict(int)
    >>> tally(t, "w", {1, 2}, {2})
    >>> dict(t)
    {'w_tp': 1, 'w_pred': 1, 'w_gold': 2}
    """
    totals[f"{key}_tp"] += len(gold & pred)
    totals[f"{key}_pred"] += len(pred)
    totals[f"{key}_gold"] += len(gold)


@dataclass
class Score:
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lines: list[str] = field(default_factory=list)
    # calibration: (field, confidence level) → [rows, rows right]
    calibration: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # windows per linking rule that gave the end (outage_windows.end_rule without its modifiers) → [rows, right]
    by_end_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def calibrate(self, what: str, level: object, right: bool) -> None:
        cell = self.calibration[(what, str(level or "none"))]
        cell[0] += 1
        cell[1] += bool(right)

    def end_rule_lines(self) -> list[str]:
        """Windows per linking rule that won their end: rows, and how many are right, most rows first.

        Where a rule errs is where the linking needs work (or where its confidence should be lower):

        >>> sc = Score()
        >>> sc.by_end_rule["range"] = [10, 9]
        >>> sc.by_end_rule["(open)"] = [2, 2]
        >>> sc.end_rule_lines()
        ['linking range: 9/10 right (90%)', 'linking (open): 2/2 right (100%)']
        """
        ordered = sorted(self.by_end_rule.items(), key=lambda kv: (-kv[1][0], kv[0]))
        return [f"linking {rule}: {ok}/{n} right ({ok / n:.0%})" for rule, (n, ok) in ordered]

    def guidance_category_lines(self) -> list[str]:
        """Guidance pairs per category: P/R/F1 and the counts behind them, in the order of the codes.

        ``"guidance outpatient: P=0.80 R=0.67 F1=0.73 (right 4, predicted 5, gold 6)"``; a pair counts
        for its category, so the rows add up to the summary's guidance totals.
        """
        from pipeline.vocab.codes import GUIDANCE_CATEGORIES

        t = self.totals
        out = []
        for cat in GUIDANCE_CATEGORIES:
            tp, n_pred, n_gold = t[f"g:{cat}_tp"], t[f"g:{cat}_pred"], t[f"g:{cat}_gold"]
            if not (n_pred or n_gold):
                continue
            p, r, f = prf(tp, n_pred, n_gold)
            out.append(f"guidance {cat}: P={p:.2f} R={r:.2f} F1={f:.2f} (right {tp}, predicted {n_pred}, gold {n_gold})")
        return out

    def calibration_lines(self) -> list[str]:
        """Per field, per confidence level: rows and rows right; and the share of wrong rows not ``high``.

        ``"windows: high 51/52 right (98%), medium 19/24, low 3/7 | wrong rows not high: 10/11 (91%)"``.
        """
        out = []
        for what in ("windows", "guidance", "phones", "published_on", "city"):
            cells = {lv: v for (w, lv), v in self.calibration.items() if w == what}
            if not cells:
                continue
            parts = []
            for lv in ("high", "medium", "low", "reviewed", "none"):
                if lv in cells:
                    n, ok = cells[lv]
                    parts.append(f"{lv} {ok}/{n} right ({ok / n:.0%})")
            wrong = sum(n - ok for n, ok in cells.values())
            wrong_flagged = sum(n - ok for lv, (n, ok) in cells.items() if lv != "high")
            tail = f" | wrong rows not high: {wrong_flagged}/{wrong} ({wrong_flagged / wrong:.0%})" if wrong else ""
            out.append(f"confidence {what}: " + ", ".join(parts) + tail)
        return out

    def summary(self) -> dict[str, object]:
        t = self.totals
        wp, wr, wf = prf(t["w_tp"], t["w_pred"], t["w_gold"])
        pp, pr, pf = prf(t["p_tp"], t["p_pred"], t["p_gold"])
        _, _, sf = prf(t["s_tp"], t["s_pred"], t["s_gold"])
        out: dict[str, object] = {
            "files": t["files"], "missing": t["missing"],
            "windows_p": wp, "windows_r": wr, "windows_f1": wf,
            # finding vs linking: were the stops found at all, and of those, did they get the right end
            "starts_f1": sf, "ends_ok": t["e_ok"], "ends_n": t["e_n"],
            "phones_p": pp, "phones_r": pr, "phones_f1": pf,
            "city_ok": t["city_ok"], "city_n": t["city_n"],
            "published_ok": t["published_on_ok"], "published_n": t["published_on_n"],
            # a value where the label has none: counted wrong above, and counted here
            "city_invented": t["city_invented"], "published_invented": t["published_on_invented"],
        }
        if t["g_files"]:
            gp, gr, gf = prf(t["g_tp"], t["g_pred"], t["g_gold"])
            out |= {"guidance_p": gp, "guidance_r": gr, "guidance_f1": gf, "guidance_files": t["g_files"]}
            out["guidance_by_category"] = {
                k[2:-3]: {"right": t[k], "predicted": t[k[:-3] + "_pred"], "gold": t[k[:-3] + "_gold"]}
                for k in sorted(t) if k.startswith("g:") and k.endswith("_tp")}
        out["windows_by_end_rule"] = {rule: {"rows": n, "right": ok} for rule, (n, ok) in sorted(self.by_end_rule.items())}
        return out

    def summary_line(self) -> str:
        """The scorer's summary line (``../shared/tools/score.py``), word for word."""
        s = self.summary()
        tail = f" | guidance pairs={s['guidance_f1']:.2f} on {s['guidance_files']} files" if "guidance_f1" in s else ""
        return (f"files {s['files']} (missing {s['missing']}) | windows P={s['windows_p']:.2f} R={s['windows_r']:.2f} "
                f"F1={s['windows_f1']:.2f} | phones P={s['phones_p']:.2f} R={s['phones_r']:.2f} F1={s['phones_f1']:.2f} | "
                f"city {s['city_ok']}/{s['city_n']} | published {s['published_ok']}/{s['published_n']} | "
                f"starts={s['starts_f1']:.2f} ends ok {s['ends_ok']}/{s['ends_n']}{tail} | "
                f"invented city={s['city_invented']} published={s['published_invented']}")


def score(frames: dict[str, pd.DataFrame], gold_dir: Path) -> Score:
    """Score output tables (as DataFrames) against every ``*.json`` label in ``gold_dir``."""
    sc = Score()
    notices = frames["notices"]
    by_file = {Path(str(f)).name: row for f, row in zip(notices["source_file"], notices.to_dict("records"))}
    windows: dict[str, set[tuple[str, str]]] = defaultdict(set)
    window_levels: dict[str, list[tuple[tuple[str, str], object, str]]] = defaultdict(list)
    for w in frames["outage_windows"].to_dict("records"):
        pair = (minute_text(w["start_at"]), minute_text(w["end_at"]))
        windows[w["notice_id"]].add(pair)
        rule = _text(w.get("end_rule")).split("+", 1)[0] or "(open)"
        window_levels[w["notice_id"]].append((pair, w.get("confidence"), rule))
    guidance: dict[str, set[tuple[str, str]]] = defaultdict(set)
    guidance_levels: dict[str, list[tuple[tuple[str, str], object]]] = defaultdict(list)
    for g in frames["guidance"].to_dict("records"):
        guidance[g["notice_id"]].add((g["category"], g["action"]))
        guidance_levels[g["notice_id"]].append(((g["category"], g["action"]), g.get("confidence")))
    phones: dict[str, set[str]] = defaultdict(set)
    phone_levels: dict[str, dict[str, object]] = defaultdict(dict)
    for c in frames["contacts"].to_dict("records"):
        if isinstance(c["phone_e164"], str) and c["phone_e164"].strip():
            phones[c["notice_id"]].add(c["phone_e164"].strip())
            phone_levels[c["notice_id"]].setdefault(c["phone_e164"].strip(), c.get("confidence"))
    t = sc.totals
    for g_path in gold_labels(gold_dir):
        g = json.loads(g_path.read_text(encoding="utf-8"))
        n = by_file.get(g["file"])
        t["files"] += 1
        gold_w = label_windows(g)
        gold_p = set(g.get("phones_e164", []))
        if n is None:
            t["missing"] += 1
            # counted as the scorer counts them: the label's lists as written
            t["w_gold"] += len(g.get("windows") or [])
            t["p_gold"] += len(g.get("phones_e164", []))
            sc.lines.append(f"{g['file']}: no row in notices")
            continue
        nid = n["notice_id"]
        pred_w = set(windows.get(nid, set())) if g.get("windows") is not None else set()
        pred_p = phones.get(nid, set())
        tally(t, "w", gold_w, pred_w)
        gold_s, pred_s = {st for st, _ in gold_w}, {st for st, _ in pred_w}
        tally(t, "s", gold_s, pred_s)
        for w in gold_w:
            if w[0] in pred_s:
                t["e_n"] += 1
                t["e_ok"] += w in pred_w
        gold_g: set[tuple[str, str]] = set()
        pred_g: set[tuple[str, str]] = set()
        if g.get("guidance") is not None:
            gold_g = label_guidance(g)
            pred_g = guidance.get(nid, set())
            t["g_files"] += 1
            tally(t, "g", gold_g, pred_g)
            for cat in {c for c, _ in gold_g | pred_g}:
                tally(t, f"g:{cat}", {x for x in gold_g if x[0] == cat}, {x for x in pred_g if x[0] == cat})
            for pair, level in guidance_levels.get(nid, []):
                sc.calibrate("guidance", level, pair in gold_g)
        tally(t, "p", gold_p, pred_p)
        got = {"city": _text(n.get("city")), "published_on": _date(n.get("published_on"))}
        for key in ("city", "published_on"):
            # as the scorer: every file where the label or the output has a value; a value where
            # the label has none was invented (or misread) and is wrong
            want = g.get(key) or ""
            if want or got[key]:
                t[key + "_n"] += 1
                t[key + "_ok"] += got[key] == want
                t[key + "_invented"] += bool(got[key]) and not want
            if got[key]:
                sc.calibrate(key, n.get(f"{key}_confidence"), got[key] == want)
        if g.get("windows") is not None:
            for pair, level, rule in window_levels.get(nid, []):
                sc.calibrate("windows", level, pair in gold_w)
                cell = sc.by_end_rule[rule]
                cell[0] += 1
                cell[1] += pair in gold_w
        for phone, level in phone_levels.get(nid, {}).items():
            sc.calibrate("phones", level, phone in gold_p)
        sc.lines.append(
            f"{g['file']}: windows {len(gold_w & pred_w)}/{len(gold_w)} gold, {len(pred_w)} predicted; "
            f"phones {len(gold_p & pred_p)}/{len(gold_p)} gold, {len(pred_p)} predicted; "
            f"city {got['city']!r} vs {g.get('city')!r}; published {got['published_on']!r} vs {g.get('published_on')!r}"
        )
        sc.lines += [f"   missed window {w}" for w in sorted(gold_w - pred_w)]
        sc.lines += [f"   extra window  {w}" for w in sorted(pred_w - gold_w)]
        sc.lines += [f"   missed phone  {p}" for p in sorted(gold_p - pred_p)]
        sc.lines += [f"   extra phone   {p}" for p in sorted(pred_p - gold_p)]
        sc.lines += [f"   missed guidance {x}" for x in sorted(gold_g - pred_g)]
        sc.lines += [f"   extra guidance  {x}" for x in sorted(pred_g - gold_g)]
    return sc


def _text(value: object) -> str:
    """A cell as the scorer reads it from the CSV: ``None``/NaN → ``""``, text stripped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _date(value: object) -> str:
    """``Timestamp("2021-11-17")`` or ``"2021-11-17"`` → ``"2021-11-17"``; empty → ``""``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or (isinstance(value, str) and not value.strip()):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


class GoldError(ValueError):
    """The labels cannot be scored: the folder is missing, empty, or names no raw file."""


def gold_labels(gold_dir: Path) -> list[Path]:
    """The ``*.json`` labels of ``gold_dir``; :class:`GoldError` when there is none to score."""
    if not gold_dir.is_dir():
        raise GoldError(f"gold folder {gold_dir} does not exist (or is not a folder): nothing to score against")
    labels = sorted(gold_dir.glob("*.json"))
    if not labels:
        raise GoldError(f"gold folder {gold_dir} holds no *.json label: nothing to score against")
    return labels


def check_labels_match(labels: list[Path], names: set[str], where: str) -> None:
    """:class:`GoldError` unless at least one label's ``file`` is among ``names`` (file names in ``where``)."""
    wanted = set()
    for path in labels:
        try:
            wanted.add(Path(str(json.loads(path.read_text(encoding="utf-8"))["file"])).name)
        except (ValueError, KeyError, TypeError) as exc:
            raise GoldError(f"label {path} is not a gold file (JSON with a 'file' key): {exc}") from exc
    if not wanted & names:
        raise GoldError(f"none of the {len(labels)} labels in {labels[0].parent} names a file of {where} "
                        f"(e.g. {sorted(wanted)[0]}): wrong --gold or --raw?")


def read_output(out_dir: Path) -> dict[str, pd.DataFrame]:
    """The tables a run wrote to ``out_dir`` as the scorer reads them (CSV, every cell text)."""
    if not (out_dir / "notices.csv").exists():
        raise GoldError(f"{out_dir} holds no notices.csv: not an output folder of `pipeline run`")
    frames = {}
    for table, columns in (("notices", ["notice_id", "source_file", "city", "published_on"]),
                           ("outage_windows", ["notice_id", "start_at", "end_at"]),
                           ("guidance", ["notice_id", "category", "action"]),
                           ("contacts", ["notice_id", "phone_e164"])):
        path = out_dir / f"{table}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig") if path.exists() else None
        frames[table] = frame if frame is not None else pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    return frames


def evaluate(raw_dir: Path, gold_dir: Path) -> Score:
    """Run the pipeline on ``raw_dir`` in memory and score it against ``gold_dir``.

    :class:`GoldError` (before anything runs) when the labels are missing or name no file of ``raw_dir``.
    """
    from pipeline.runner.engine import run_pipeline
    from pipeline.validate import validate_tables

    labels = gold_labels(gold_dir)
    if not raw_dir.is_dir():
        raise GoldError(f"raw folder {raw_dir} does not exist: nothing to run")
    check_labels_match(labels, {p.name for p in raw_dir.rglob("*") if p.is_file()}, str(raw_dir))
    result = run_pipeline(raw_dir)
    frames, _ = validate_tables(result.rows, result.source_of)
    return score(frames, gold_dir)


def default_raw(gold_dir: Path) -> Path:
    """The raw folder beside the labels when it holds notices, else the shipped ``raw/`` (:func:`pipeline.settings.default_raw`).

    ``tests/heldout/gold`` → ``tests/heldout/raw``; ``tests/real/shared_gold`` →
    ``tests/real/raw`` holds only its manifest (no page could be kept), so → ``raw/``, where the
    shared corpus is shipped.
    """
    beside = gold_dir.parent / "raw"
    if beside.is_dir() and any(p.is_file() and p.suffix not in {".csv", ".yaml"} for p in beside.iterdir()):
        return beside
    return default_raw_dir()


def score_output(out_dir: Path, gold_dir: Path) -> Score:
    """Score the CSV files a run wrote to ``out_dir``, as ``../shared/tools/score.py OUT GOLD`` does."""
    labels = gold_labels(gold_dir)
    frames = read_output(out_dir)
    check_labels_match(labels, {Path(f).name for f in frames["notices"]["source_file"]}, f"{out_dir}/notices.csv")
    return score(frames, gold_dir)


def _cmd(args: argparse.Namespace) -> int:
    try:
        sc = score_output(args.out, args.gold) if args.out else evaluate(args.raw or default_raw(args.gold), args.gold)
    except GoldError as exc:
        log.error("pipeline eval: %s", exc)
        return 2
    if args.json:
        print(json.dumps(sc.summary(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(line for line in sc.lines if args.verbose or not line.startswith("   ")))
        for line in sc.end_rule_lines() + sc.guidance_category_lines() + sc.calibration_lines():
            print(line)
        print(sc.summary_line())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score the pipeline against hand-labelled gold files")
    p.add_argument("--gold", type=Path, required=True, help="folder of gold *.json labels")
    p.add_argument("--raw", type=Path, default=None, help="raw folder (default: GOLD/../raw, else raw/)")
    p.add_argument("--out", type=Path, default=None,
                   help="score the CSV files a run already wrote to this folder instead of running (as ../shared/tools/score.py)")
    p.add_argument("--verbose", action="store_true", help="list every missed and extra window and phone")
    p.add_argument("--json", action="store_true", help="print the totals as JSON")
    p.set_defaults(func=_cmd)
