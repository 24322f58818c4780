"""Make N realistic cutover notices for benchmarks, from the labelled notices that ship.

Each output is one of the shipped notices (``raw/`` and ``tests/corpus/raw/``) rewritten for
another city of the gazetteer (full and short name, and the phone area code), with its years
shifted consistently, its phone numbers re-drawn, and optionally its layout changed
(a government web page instead of plain text). Every notice is distinct (a hotline and a serial
number are added), so none is skipped as a duplicate.

    python benchmarks/generate.py --n 1000 --out /tmp/bench-raw [--seed 0] [--html-share 0.2]

Deterministic for a seed: the same command makes the same bytes.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.extract import SourceHints  # noqa: E402
from pipeline.runner.engine import process_file  # noqa: E402
from pipeline.vocab.gazetteer import Place, area_code_for_city, gazetteer, short_name  # noqa: E402

TEMPLATE_DIRS = (REPO / "raw", REPO / "tests" / "corpus" / "raw")
_YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=\s*年)")
_AREA_PHONE = re.compile(r"(?<!\d)0(\d{2,3})([-－—\s]?)(\d{7,8})(?!\d)")


@dataclass(frozen=True)
class Template:
    """A shipped notice with the city it governs (as the pipeline reads it)."""

    name: str
    text: str
    city: str | None


def load_templates() -> list[Template]:
    """Every shipped ``.txt`` notice with its city; notices without a city keep theirs."""
    out = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.glob("*.txt")):
            extraction, _, _ = process_file(path, path.name, SourceHints())
            city = extraction.notice["city"] if extraction else None
            out.append(Template(path.stem, path.read_text(encoding="utf-8"), city))
    return out


def target_cities() -> list[Place]:
    """Prefecture-level cities that have an area code (so their phone numbers are valid)."""
    return [p for p in gazetteer().places if p.level == "city" and area_code_for_city(p.name)]


def recity(text: str, old: str, new: Place) -> str:
    """``recity("西安市医保局，西安医保", "西安市", 咸阳市)`` → ``"咸阳市医保局，咸阳医保"``; area codes follow."""
    old_short, new_short = short_name(old), short_name(new.name)
    text = text.replace(old, new.name)
    if len(old_short) >= 2:
        text = text.replace(old_short, new_short)
    old_code, new_code = area_code_for_city(old), area_code_for_city(new.name)
    if old_code and new_code:
        text = re.sub(rf"(?<!\d)0{old_code}(?=[-－—\s)）]?\d)", "0" + new_code, text)
    return text


def shift_years(text: str, years: int) -> str:
    """Every printed year by ``years``: ``shift_years("2021年12月31日至2022年1月1日", 1)`` → ``"2022年12月31日至2023年1月1日"``.

    Days and months are left alone: shifting them one by one could turn a range around.
    """
    return _YEAR.sub(lambda m: str(int(m.group(1)) + years), text)


def redraw_phones(text: str, rng: random.Random) -> str:
    """New local digits for every area-code number, same length and first digit (``029-87424266`` → ``029-8xxxxxxx``)."""

    def one(m: re.Match[str]) -> str:
        local = m.group(3)
        return f"0{m.group(1)}{m.group(2)}{local[0]}{''.join(rng.choice('0123456789') for _ in local[1:])}"

    return _AREA_PHONE.sub(one, text)


def as_gov_page(text: str, title: str) -> str:
    """Plain text as a typical government CMS page: breadcrumbs, article, footer."""
    paras = "\n".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><script>var _hmt=[];</script></head><body>"
        "<div class='nav'><a href='/'>首页</a> &gt; <a href='/tzgg/'>通知公告</a></div>"
        f"<div class='article'>{paras}</div>"
        "<div class='footer'>版权所有 医疗保障局 备案号 12345678</div></body></html>"
    )


def generate(n: int, out: Path, seed: int = 0, html_share: float = 0.0) -> list[Path]:
    """Write ``n`` notices into ``out``; returns their paths."""
    rng = random.Random(seed)
    templates = load_templates()
    cities = target_cities()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        tpl = rng.choice(templates)
        city = rng.choice(cities)
        text = recity(tpl.text, tpl.city, city) if tpl.city else tpl.text
        text = shift_years(text, rng.randint(-3, 2))
        text = redraw_phones(text, rng)
        # a hotline of the new city and a serial: every notice is distinct, even from a template
        # whose city could not be substituted (traditional script), so none is a duplicate
        hotline = f"0{area_code_for_city(city.name)}-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"
        text = text.rstrip("\n") + f"\n\n值班电话：{hotline}\n（文件编号：BENCH-{seed}-{i:06d}）\n"
        stem = f"{i:06d}-{short_name(city.name)}-{tpl.name}"
        if rng.random() < html_share:
            title = text.strip().splitlines()[0][:60]
            path = out / f"{stem}.html"
            path.write_text(as_gov_page(text, title), encoding="utf-8")
        else:
            path = out / f"{stem}.txt"
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of notices (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them into")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--html-share", type=float, default=0.0, help="share written as HTML pages (default 0: all text)")
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out, args.seed, args.html_share)
    print(f"wrote {len(paths)} notices to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
