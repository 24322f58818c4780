"""Metamorphic transformations of real notices, and a batch runner to compare what the pipeline makes of them.

Every transformation changes how a notice *looks* (characters, layout, container, page chrome)
but not what a human reader would label: the same outage windows, phones and city. Each is a
pure, deterministic function; the randomness it needs comes from a ``random.Random`` seeded by
the transformation's and the file's names (:func:`rng_for`), so a run is reproducible.

:func:`run_batch` runs the real pipeline once over a folder of transformed files (with the
manifest rows of the originals, the URL being evidence for years) and returns, per original
file, the comparable part of the result: windows as (start, end) pairs, phones as E.164, city.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
# the labels of the real notices (copies of ../shared/gold and ../shared/corpus/gold: tests/test_shared_copies.py)
GOLD_DIRS = (REPO / "tests" / "real" / "shared_gold",)

# --- the labelled notices --------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A real labelled notice: its file name in raw/, its text, its manifest row and its gold label."""

    name: str
    text: str
    manifest: dict[str, str]
    gold: dict = field(hash=False, compare=False)


def read_manifest_rows(raw_dir: Path = RAW) -> dict[str, dict[str, str]]:
    """``raw/manifest.csv`` as ``{file: row}`` (every column kept, values as printed)."""
    path = raw_dir / "manifest.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["file"].strip(): {k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)}


def labelled_sources(raw_dir: Path = RAW, gold_dirs: tuple[Path, ...] = GOLD_DIRS) -> list[Source]:
    """Every ``raw_dir/*.txt`` that has a gold label (found by the label's ``"file"`` key), by name."""
    gold: dict[str, dict] = {}
    for folder in gold_dirs:
        for path in sorted(folder.glob("*.json")):
            label = json.loads(path.read_text(encoding="utf-8"))
            gold[label["file"]] = label
    manifest = read_manifest_rows(raw_dir)
    out = []
    for path in sorted(raw_dir.glob("*.txt")):
        if path.name in gold:
            text = path.read_bytes().decode("utf-8-sig")
            out.append(Source(path.name, text, manifest.get(path.name, {"file": path.name}), gold[path.name]))
    return out


def rng_for(transformation: str, file_name: str) -> random.Random:
    """A generator seeded by the transformation and file names only: the same choices every run."""
    seed = hashlib.sha256(f"{transformation}\0{file_name}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


# --- 1. traditional characters ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _s2t():
    from opencc import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → traditional with OpenCC ``s2t`` (reposting sites in Hong Kong and Taiwan do this).

    >>> to_traditional("停机时间：医疗保障局")
    '停機時間：醫療保障局'
    """
    return _s2t().convert(text)


# --- 2. pinyin after some characters ----------------------------------------------------------

# Tone-marked readings of characters common in these notices, simplified and traditional forms.
# None is a digit or a date/time character (年月日时点分号周期间起至前后…), so the annotation can
# never sit inside a date or time expression. The reading is the one the notices use (系统 xì).
PINYIN: dict[str, str] = {
    "业": "yè", "業": "yè", "务": "wù", "務": "wù", "医": "yī", "醫": "yī", "疗": "liáo", "療": "liáo",
    "保": "bǎo", "险": "xiǎn", "險": "xiǎn", "统": "tǒng", "統": "tǒng", "办": "bàn", "辦": "bàn",
    "理": "lǐ", "参": "cān", "參": "cān", "结": "jié", "結": "jié", "算": "suàn", "服": "fú",
    "据": "jù", "據": "jù", "悉": "xī", "网": "wǎng", "網": "wǎng", "报": "bào", "報": "bào",
    "员": "yuán", "員": "yuán", "费": "fèi", "費": "fèi", "社": "shè", "障": "zhàng", "局": "jú",
    "经": "jīng", "經": "jīng", "构": "gòu", "構": "gòu", "院": "yuàn", "药": "yào", "藥": "yào",
    "店": "diàn", "卡": "kǎ", "请": "qǐng", "請": "qǐng", "知": "zhī", "通": "tōng", "告": "gào",
    "关": "guān", "關": "guān", "系": "xì", "係": "xì", "讯": "xùn", "訊": "xùn", "记": "jì",
    "記": "jì", "者": "zhě", "确": "què", "確": "què", "提": "tí", "取": "qǔ", "贷": "dài",
    "貸": "dài", "款": "kuǎn", "户": "hù", "戶": "hù", "转": "zhuǎn", "轉": "zhuǎn", "换": "huàn",
    "換": "huàn", "切": "qiē", "升": "shēng", "级": "jí", "級": "jí", "维": "wéi", "維": "wéi",
    "护": "hù", "護": "hù", "信": "xìn", "息": "xī", "停": "tíng", "机": "jī", "機": "jī",
    "暂": "zàn", "暫": "zàn", "诊": "zhěn", "診": "zhěn", "付": "fù", "垫": "diàn", "墊": "diàn",
    "销": "xiāo", "銷": "xiāo", "咨": "zī", "諮": "zī", "询": "xún", "詢": "xún", "电": "diàn",
    "電": "diàn", "话": "huà", "話": "huà", "疾": "jí", "病": "bìng", "住": "zhù", "民": "mín",
}


def inject_pinyin(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Put a character's pinyin in brackets after it, as reposting sites do (``業(yè)務(wù)``).

    Each occurrence of a character in :data:`PINYIN` is annotated with probability ``rate``
    (at least one per text that has any); a character already annotated, or followed by a
    bracket for another reason (``门(急)诊``), is left alone.

    >>> inject_pinyin("医保业务于12月31日暂停", random.Random(0), rate=1.0)
    '医(yī)保(bǎo)业(yè)务(wù)于12月31日暂(zàn)停(tíng)'
    """
    spots = [i for i, ch in enumerate(text) if ch in PINYIN and text[i + 1 : i + 2] not in ("(", "（")]
    chosen = {i for i in spots if rng.random() < rate}
    if spots and not chosen:
        chosen = {rng.choice(spots)}
    return "".join(f"{ch}({PINYIN[ch]})" if i in chosen else ch for i, ch in enumerate(text))


# --- 3. lines flattened, and re-wrapped by sentence -------------------------------------------


def flatten_lines(text: str) -> str:
    """Every non-blank line, stripped, joined by one space into a single line.

    >>> flatten_lines("通告\\n\\n  一、停机时间：\\n12月31日18时起。\\n")
    '通告 一、停机时间： 12月31日18时起。'
    """
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def rewrap_sentences(text: str) -> str:
    """Flatten, then end a line after every ``。`` and ``；``: each sentence on its own line.

    >>> print(rewrap_sentences("通告\\n一、停机时间：12月31日18时起；1月1日恢复。请周知。"))
    通告 一、停机时间：12月31日18时起；
    1月1日恢复。
    请周知。
    """
    return re.sub(r"([。；])\s*", "\\1\n", flatten_lines(text)).rstrip("\n")


# --- 4. site chrome and spam lines ------------------------------------------------------------

BREADCRUMBS = ("首页 > 新闻中心 > 正文", "当前位置：首页 > 民生资讯 > 正文", "您现在的位置：首页 > 社会新闻 > 本地")
SHARE_LINES = ("分享到:", "分享到：微信 微博 QQ空间")
EDITOR_LINES = ("责任编辑:小林", "责任编辑：王静")
AD_LINES = (
    "扫码关注本站微信，获取更多民生资讯",
    "本站部分内容转载自网络，如有侵权请联系删除",
    "【广告】专业装修设计，品质生活从这里开始",
    "进入专题页面，了解更多便民服务",
)
# What chrome must never hold, or the expected result would legitimately change: digits (any
# width), Chinese numerals, date/time words (今天, 凌晨, 星期 … usable without a number) and the
# suffixes of place names the gazetteer could pick up. 分 (分享到) is allowed: without a number
# it cannot be a minute.
CHROME_FORBIDDEN = re.compile(r"[0-9０-９〇零一二三四五六七八九十百千两廿年月日号號时時点點秒周週星期天今明昨晚凌晨省市县區区州]")


def add_site_chrome(text: str, rng: random.Random) -> str:
    """A breadcrumb on top; an ad line after one or two paragraphs (lines ending ``。！？``,
    never inside a pipe table); an ad, ``分享到:`` and ``责任编辑:`` lines at the bottom.

    >>> add_site_chrome("通告\\n第一段。\\n第二段。", random.Random(1)).splitlines()[0]
    '首页 > 新闻中心 > 正文'
    """
    lines = text.splitlines()
    ends = [i for i, line in enumerate(lines[:-1]) if re.search(r"[。！？]\s*$", line) and not line.lstrip().startswith("|")]
    ads = list(AD_LINES)
    rng.shuffle(ads)
    after = set(rng.sample(ends, min(2, len(ends))))
    out = [rng.choice(BREADCRUMBS), ""]
    for i, line in enumerate(lines):
        out.append(line)
        if i in after:
            out.append(ads.pop())
    out += ["", ads.pop(), rng.choice(SHARE_LINES), rng.choice(EDITOR_LINES)]
    return "\n".join(out) + "\n"


# --- 5. government (GBK) and WeChat HTML pages ------------------------------------------------


@lru_cache(maxsize=1)
def _renderers():
    """``scripts/make_format_fixtures.py``, the renderer the format-equivalence fixtures come from."""
    path = REPO / "scripts" / "make_format_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_format_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def as_gov_html(text: str) -> bytes:
    """The notice as a GBK government article page (navigation, breadcrumb, share box, related
    articles, footer), rendered by ``scripts/make_format_fixtures.py``. The page carries no
    publication stamp (``PubDate`` empty): a stamp would be new evidence, not a new container.

    >>> as_gov_html("通告\\n正文。").decode("gbk").count("<h1>通告</h1>")
    1
    """
    r = _renderers()
    return r.gov_html(r.parse_seed(text), "")


def as_wechat_html(text: str) -> bytes:
    """The notice as a WeChat article page (``#activity-name``, ``#js_content``), UTF-8, no
    publication time (``createTime`` empty, no ``ct``), by ``scripts/make_format_fixtures.py``.

    >>> "js_content" in as_wechat_html("通告\\n正文。").decode("utf-8")
    True
    """
    r = _renderers()
    return r.wechat_html(r.parse_seed(text), "")


# --- 6. full-width digits ---------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789:", "０１２３４５６７８９：")


def to_fullwidth(text: str) -> str:
    """ASCII digits and colons → full width (NFKC maps them back).

    >>> to_fullwidth("2021年11月21日20:00，电话0532-12345")
    '２０２１年１１月２１日２０：００，电话０５３２-１２３４５'
    """
    return text.translate(_FULLWIDTH)


# --- 7. a repost stamp on top -----------------------------------------------------------------


def gold_dates(gold: dict) -> list[date]:
    """Every date a label gives: its publication date and its windows' starts and ends."""
    days = [date.fromisoformat(gold["published_on"][:10])] if gold.get("published_on") else []
    for w in gold.get("windows") or []:
        days += [date.fromisoformat(w[k][:10]) for k in ("start_at", "end_at") if w.get(k)]
    return days


def stamp_time(gold: dict, rng: random.Random) -> datetime | None:
    """When a reposting site copied the notice: 1–20 days after the latest date its label gives
    (publication, every window start and end); ``None`` when the label gives no date.

    Why this cannot change year resolution (``pipeline/repair/resolve_year.py``): a stamp is used only
    when neither a publication date nor a URL date decides, and then as an upper bound — an
    event month-day takes the latest year not more than 30 days after the stamp, a publication
    month-day the latest year not after it. Every labelled date is before the stamp, and (for
    notices whose dates span less than about ten months) the same month-day a year later is more
    than 30 days after it, so each date keeps its year. Nor may a stamp anchor relative dates
    (昨天, 今天, 本月, 明年): README says a repost stamp is an upper bound, never the publication date.
    The stamp is after the latest labelled date rather than "same year, a later month" because
    year-end notices (windows from 12月31日 into January) have no later month that is also after
    their windows. A notice whose label has no date at all (``*-undated-*``) gets no stamp: any
    stamp would be new evidence there, and the result could rightly change.

    >>> stamp_time({"published_on": "2021-11-17", "windows": [{"start_at": "2021-11-21T20:00", "end_at": None}]},
    ...            random.Random(0)).date() > date(2021, 11, 21)
    True
    """
    days = gold_dates(gold)
    if not days:
        return None
    when = max(days) + timedelta(days=rng.randint(1, 20))
    return datetime(when.year, when.month, when.day, rng.randint(8, 22), rng.choice((0, 5, 17, 30, 42)))


def add_repost_stamp(text: str, when: datetime) -> str:
    """``发表于 YYYY-MM-DD HH:MM`` as the first line, as forums and reposting sites print it.

    >>> add_repost_stamp("通告", datetime(2022, 1, 5, 9, 30))
    '发表于 2022-01-05 09:30\\n通告'
    """
    return f"发表于 {when:%Y-%m-%d %H:%M}\n{text}"


# --- the transformations, as files --------------------------------------------------------------

Render = Callable[[Source], "tuple[str, bytes] | None"]


@dataclass(frozen=True)
class Transformation:
    """A named way to re-publish a source: ``render(source)`` → (file name, bytes), or ``None``
    when it does not apply to that source (a repost stamp for a notice with no labelled date)."""

    name: str
    render: Render
    doc: str


def _txt(name: str, text: str) -> tuple[str, bytes]:
    return name, text.encode("utf-8")


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _stamped(s: Source) -> tuple[str, bytes] | None:
    when = stamp_time(s.gold, rng_for("repost_stamp", s.name))
    return None if when is None else _txt(s.name, add_repost_stamp(s.text, when))


TRANSFORMATIONS: dict[str, Transformation] = {
    t.name: t
    for t in (
        Transformation("traditional", lambda s: _txt(s.name, to_traditional(s.text)), "OpenCC s2t"),
        Transformation("pinyin", lambda s: _txt(s.name, inject_pinyin(s.text, rng_for("pinyin", s.name))),
                       "pinyin in brackets after some characters"),
        Transformation("flattened", lambda s: _txt(s.name, flatten_lines(s.text)), "all lines joined by a space"),
        Transformation("rewrapped", lambda s: _txt(s.name, rewrap_sentences(s.text)), "one sentence (。/；) per line"),
        Transformation("site_chrome", lambda s: _txt(s.name, add_site_chrome(s.text, rng_for("site_chrome", s.name))),
                       "breadcrumb, ads, share and editor lines"),
        Transformation("gov_html", lambda s: (f"{_stem(s.name)}.gov.html", as_gov_html(s.text)), "GBK government page"),
        Transformation("wechat_html", lambda s: (f"{_stem(s.name)}.wechat.html", as_wechat_html(s.text)), "WeChat page"),
        Transformation("fullwidth", lambda s: _txt(s.name, to_fullwidth(s.text)), "full-width digits and colons"),
        Transformation("repost_stamp", _stamped, "发表于 stamp after every labelled date"),
    )
}
IDENTITY = Transformation("original", lambda s: _txt(s.name, s.text), "the notice as shipped")


# --- running and comparing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the comparison looks at for one file: windows (sorted, with repeats), phones, city;
    ``error`` when the file gave no notice row."""

    windows: tuple[tuple[str, str], ...] = ()
    phones: frozenset[str] = frozenset()
    city: str = ""
    error: str = ""
    format: str = field(default="", compare=False)  # how the file was read (txt, html): not compared


def run_batch(sources: list[Source], transformation: Transformation, raw_dir: Path) -> tuple[dict[str, Outcome], list[str]]:
    """Write every applicable transformed source into ``raw_dir`` with a manifest giving each the
    original's URL, run the pipeline once, and return ``({original name: Outcome}, skipped names)``."""
    from pipeline.extract.timeexpr import minute_text
    from pipeline.runner.engine import run_pipeline
    from pipeline.validate import validate_tables

    raw_dir.mkdir(parents=True, exist_ok=True)
    original_of: dict[str, str] = {}
    skipped: list[str] = []
    rows = []
    for s in sources:
        rendered = transformation.render(s)
        if rendered is None:
            skipped.append(s.name)
            continue
        name, data = rendered
        (raw_dir / name).write_bytes(data)
        original_of[name] = s.name
        rows.append({**s.manifest, "file": name})
    columns = ["file"] + sorted({k for r in rows for k in r} - {"file"})
    with (raw_dir / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)

    result = run_pipeline(raw_dir)
    frames, validation_errors = validate_tables(result.rows, result.source_of)
    errors: dict[str, list[str]] = {}
    for err in result.errors + validation_errors:
        errors.setdefault(err["source_file"], []).append(f"[{err['stage']}] {err['error']}")
    windows: dict[str, list[tuple[str, str]]] = {}
    for w in frames["outage_windows"].to_dict("records"):
        windows.setdefault(w["notice_id"], []).append((minute_text(w["start_at"]), minute_text(w["end_at"])))
    phones: dict[str, set[str]] = {}
    for c in frames["contacts"].to_dict("records"):
        if isinstance(c["phone_e164"], str) and c["phone_e164"].strip():
            phones.setdefault(c["notice_id"], set()).add(c["phone_e164"].strip())
    out: dict[str, Outcome] = {}
    for n in frames["notices"].to_dict("records"):
        nid, name = n["notice_id"], original_of[str(n["source_file"])]
        city = n.get("city")
        out[name] = Outcome(
            tuple(sorted(windows.get(nid, []))),
            frozenset(phones.get(nid, set())),
            city if isinstance(city, str) else "",
            format=str(n.get("format") or ""),
        )
    for file, name in original_of.items():
        if name not in out:
            out[name] = Outcome(error="; ".join(errors.get(file, ["no row in notices"])))
    return out, skipped


def _window(w: tuple[str, str]) -> str:
    return f"{w[0] or '?'} → {w[1] or '(open)'}"


def difference(original: Outcome, transformed: Outcome) -> list[str]:
    """What changed, one readable line per part (empty: the same result).

    >>> difference(Outcome((("2022-01-01T00:00", ""),), frozenset(), "西安市"), Outcome((), frozenset(), "西安市"))
    ['windows: lost [2022-01-01T00:00 → (open)]']
    """
    if original.error or transformed.error:
        return [] if original.error == transformed.error else [f"error: {original.error or 'none'} → {transformed.error or 'none'}"]
    out = []
    if original.windows != transformed.windows:
        lost, gained = list(original.windows), []
        for w in transformed.windows:
            if w in lost:
                lost.remove(w)
            else:
                gained.append(w)
        parts = [f"{label} [{', '.join(_window(w) for w in ws)}]" for label, ws in (("lost", lost), ("gained", gained)) if ws]
        out.append("windows: " + "; ".join(parts))
    if original.phones != transformed.phones:
        parts = [f"{label} {sorted(ps)}" for label, ps in (("lost", original.phones - transformed.phones),
                                                        ("gained", transformed.phones - original.phones)) if ps]
        out.append("phones: " + "; ".join(parts))
    if original.city != transformed.city:
        out.append(f"city: {original.city or '(none)'!r} → {transformed.city or '(none)'!r}")
    return out


def main() -> None:
    """Print every current difference as ``KNOWN_FAILURES`` entries (cause left as ``"?"``)."""
    import tempfile

    sources = labelled_sources()
    with tempfile.TemporaryDirectory() as tmp:
        original, _ = run_batch(sources, IDENTITY, Path(tmp) / IDENTITY.name)
        for name, transformation in TRANSFORMATIONS.items():
            transformed, _ = run_batch(sources, transformation, Path(tmp) / name)
            for s in sources:
                if s.name in transformed and (diff := difference(original[s.name], transformed[s.name])):
                    print(f'    ("{name}", "{s.name}"): ("?", {" | ".join(diff)!r}),')


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
