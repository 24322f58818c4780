"""Agreement between two independent labellings of the same notices.

    .venv/bin/python scripts/label_agreement.py FIRST_DIR SECOND_DIR

Both folders hold gold JSON files in the format of ../shared/corpus/LABELING.md; only files
present in SECOND_DIR are compared. Windows are compared as exact (start, end) pairs (P/R/F1
with FIRST as the reference, as the scorer does), also starts alone; guidance as
(category, action) pairs; city and publication date as exact values where both give one.
Labels are read into pairs and scored as ``pipeline eval`` does (:mod:`pipeline.evaluate`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.evaluate import label_guidance, label_windows, prf


def f1(tp: int, n_a: int, n_b: int) -> float:
    """F1 of the second labelling against the first (the reference): ``f1(2, 4, 2)`` → 0.667."""
    return prf(tp, n_b, n_a)[2]


def compare(first: Path, second: Path) -> dict[str, float | str]:
    t = {k: 0 for k in ("w_tp", "w_a", "w_b", "s_tp", "s_a", "s_b", "g_tp", "g_a", "g_b",
                        "city_ok", "city_n", "pub_ok", "pub_n", "files", "g_files", "w_files")}
    for b_path in sorted(second.glob("*.json")):
        a = json.loads((first / b_path.name).read_text(encoding="utf-8"))
        b = json.loads(b_path.read_text(encoding="utf-8"))
        t["files"] += 1
        if "windows" in b and a.get("windows") is not None and b.get("windows") is not None:
            wa, wb = label_windows(a), label_windows(b)
            t["w_files"] += 1
            t["w_tp"] += len(wa & wb)
            t["w_a"] += len(wa)
            t["w_b"] += len(wb)
            sa, sb = {s for s, _ in wa}, {s for s, _ in wb}
            t["s_tp"] += len(sa & sb)
            t["s_a"] += len(sa)
            t["s_b"] += len(sb)
        if a.get("guidance") is not None and b.get("guidance") is not None:
            ga, gb = label_guidance(a), label_guidance(b)
            t["g_files"] += 1
            t["g_tp"] += len(ga & gb)
            t["g_a"] += len(ga)
            t["g_b"] += len(gb)
        for key, tot in (("city", "city"), ("published_on", "pub")):
            if key in b and (a.get(key) or b.get(key)):
                t[tot + "_n"] += 1
                t[tot + "_ok"] += a.get(key) == b.get(key)
    out: dict[str, float | str] = {"files": t["files"]}
    if t["w_files"]:
        out |= {"windows_f1": round(f1(t["w_tp"], t["w_a"], t["w_b"]), 3),
                "starts_f1": round(f1(t["s_tp"], t["s_a"], t["s_b"]), 3),
                "windows": f"{t['w_tp']} shared of {t['w_a']} / {t['w_b']}"}
    if t["g_files"]:
        out |= {"guidance_f1": round(f1(t["g_tp"], t["g_a"], t["g_b"]), 3),
                "guidance": f"{t['g_tp']} shared of {t['g_a']} / {t['g_b']}"}
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
