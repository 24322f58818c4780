"""Agreement between two independent labellings of the same notices.

    .venv/bin/python scripts/label_agreement.py FIRST_DIR SECOND_DIR

Both folders hold gold JSON files in the format of tests/real/LABELING.md; only files
present in SECOND_DIR are compared. Windows are compared as exact (start, end) pairs (P/R/F1
with FIRST as the reference, as the scorer does), also starts alone; guidance as
(category, action) pairs; city and publication date as exact values where both give one.
Labels are read into pairs and scored as ``pipeline eval`` does (:mod:`pipeline.commands.evaluate`).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from pipeline.commands.evaluate import label_guidance, label_windows, prf, tally


def compare(first: Path, second: Path) -> dict[str, float | str]:
    """Agreement of the labels in ``second`` with those in ``first`` (the reference, scored as gold)."""
    t: dict[str, int] = defaultdict(int)
    for b_path in sorted(second.glob("*.json")):
        a = json.loads((first / b_path.name).read_text(encoding="utf-8"))
        b = json.loads(b_path.read_text(encoding="utf-8"))
        t["files"] += 1
        if "windows" in b and a.get("windows") is not None and b.get("windows") is not None:
            wa, wb = label_windows(a), label_windows(b)
            t["w_files"] += 1
            tally(t, "w", wa, wb)
            tally(t, "s", {s for s, _ in wa}, {s for s, _ in wb})
        if a.get("guidance") is not None and b.get("guidance") is not None:
            t["g_files"] += 1
            tally(t, "g", label_guidance(a), label_guidance(b))
        for key, tot in (("city", "city"), ("published_on", "pub")):
            if key in b and (a.get(key) or b.get(key)):
                t[tot + "_n"] += 1
                t[tot + "_ok"] += a.get(key) == b.get(key)

    def f1(key: str) -> float:
        return round(prf(t[f"{key}_tp"], t[f"{key}_pred"], t[f"{key}_gold"])[2], 3)

    def shared(key: str) -> str:
        return f"{t[key + '_tp']} shared of {t[key + '_gold']} / {t[key + '_pred']}"

    out: dict[str, float | str] = {"files": t["files"]}
    if t["w_files"]:
        out |= {"windows_f1": f1("w"), "starts_f1": f1("s"), "windows": shared("w")}
    if t["g_files"]:
        out |= {"guidance_f1": f1("g"), "guidance": shared("g")}
    if t["city_n"]:
        out["city"] = f"{t['city_ok']}/{t['city_n']}"
    if t["pub_n"]:
        out["published_on"] = f"{t['pub_ok']}/{t['pub_n']}"
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    print(json.dumps(compare(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False, indent=1))
