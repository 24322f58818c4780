"""Pages that cover several places: blocks of lines led by a place name, and each window's place.

A compilation page gathers several jurisdictions' stops under their names (unnamed-2023-outage-d014)::

    厦门市
    停止时间 :2023年12月31日21时至2024年1月3日21时
    苏州市
    停止时间 :2023年12月31日18:00至2024年1月1日6:00
    广西 :2023年12月31日20:00至2025年1月1日24:00暂停服务

and a province-wide table gives each city its own row (fujian-hospital-2018-year-end-table)::

    省本级 2018.1.1~1.4
    福州 2018.1.1~1.5

A line that is only a place name (``厦门市``, ``（二）苏州市：``) opens a block that runs to the next
place-led line or numbered section heading; a line led by a place name and carrying a date
(``广西 :2023年…``, ``福州 2018.1.1~1.5``) is a block of its own. Each window then takes the place
of the block its evidence line sits in (:func:`assign_window_places`), and the notice's scope
(:data:`pipeline.vocab.codes.NOTICE_SCOPES`) says whether it covers one city, a province, or is a
compilation of several places' notices (:func:`scope_of_blocks`).

This runs after the windows are extracted and reads only their ``evidence`` and ``start_text``:
the window step does not need to know about places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.extract.timeexpr import parse_points
from pipeline.repair import repair
from pipeline.vocab.gazetteer import Place, gazetteer
from pipeline.vocab.terms import load_rows

# a numbered heading's mark, kept out of the place name: "一、", "（二）", "3.", "3、"
NUMBERING = r"(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、.．)）])"
_HEAD = re.compile(rf"^\s*{NUMBERING}?\s*(?P<name>[\u4e00-\u9fff]{{2,10}}?)\s*[:：]?\s*$")
_ROW = re.compile(rf"^\s*{NUMBERING}?\s*(?P<name>[\u4e00-\u9fff]{{2,10}}?)\s*(?:[:：]\s*|\s+)(?P<rest>\S.*)$")
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
# words that name a place's people or area, never a jurisdiction of their own
_LOCAL_WORDS = {"全市", "本市", "我市", "城市", "市区", "大市", "各市", "该市", "省市", "市级", "县市", "地市", "全省", "本省", "我省"}


@dataclass(frozen=True)
class PlaceBlock:
    """Lines ``first``..``last`` (inclusive) led by a place: ``PlaceBlock(5, 7, "苏州市", "苏州市", "江苏省")``.

    ``city`` is empty for a province-level place (``广西`` → ``None``, ``广西壮族自治区``;
    ``省本级`` → ``None`` and the notice's province).
    """

    first: int
    last: int
    label: str
    city: str | None
    province: str | None

    @property
    def key(self) -> tuple[str | None, str | None]:
        return self.city, self.province


@lru_cache(maxsize=1)
def scope_words() -> dict[str, str]:
    """``vocab/data/scope_words.csv``: word → scope (``省直`` → ``province``)."""
    return {r["term"]: r["scope"] for r in load_rows("scope_words")}


def place_named(label: str, home_province: str | None = None) -> tuple[str | None, str | None] | None:
    """``(city, province)`` of a label that is exactly one city- or province-level place, else ``None``.

    ``"厦门市"`` → ``("厦门市", "福建省")``; ``"福州"`` → ``("福州市", "福建省")``; ``"广西"`` →
    ``(None, "广西壮族自治区")``; ``"北京"`` → ``("北京市", "北京市")``; ``"省本级"`` → ``(None, home_province)``;
    ``"吉林"`` (a city and a province) → ``None``; ``"停止时间"`` → ``None``.
    """
    if label in _LOCAL_WORDS:
        return None
    if scope_words().get(label) == "province":  # 省本级, 省直: the province's own pool
        return None, home_province
    g = gazetteer()
    places = [p for p in g.lookup(label) if p.level in ("city", "province")]
    if not places and len(label) >= 2:
        places = [p for p in g.by_short.get(label, ()) if p.level in ("city", "province")]
    return _one_place(places, home_province)


def _one_place(places: list[Place], home_province: str | None) -> tuple[str | None, str | None] | None:
    cities = {p.name: p for p in places if p.level == "city"}
    provinces = {p.name for p in places if p.level == "province"}
    if len(cities) > 1 and home_province:
        cities = {n: p for n, p in cities.items() if p.province == home_province}
    if len(cities) == 1:
        (name, place), = cities.items()
        # a municipality is a province and a city at once; otherwise a name that is also a
        # province's (吉林: 吉林市 and 吉林省) says neither
        if not provinces or provinces == {place.province} and name == place.province:
            return name, place.province
        return None
    if not cities and len(provinces) == 1:
        return None, provinces.pop()
    return None


def _has_date(text: str) -> bool:
    return any(p.month and p.day for p in parse_points(text))


def place_blocks(lines: list[str], home_province: str | None = None) -> list[PlaceBlock]:
    """Blocks of lines led by a place name, in order (see the module's docstring).

    ``["厦门市", "停止时间 :2023年12月31日21时至2024年1月3日21时", "广西 :2023年12月31日20:00至2025年1月1日24:00"]``
    → ``[PlaceBlock(0, 1, "厦门市", "厦门市", "福建省"), PlaceBlock(2, 2, "广西", None, "广西壮族自治区")]``.
    """
    blocks: list[PlaceBlock] = []
    open_head: tuple[int, str, tuple[str | None, str | None]] | None = None

    def close(last: int) -> None:
        nonlocal open_head
        if open_head is not None:
            first, label, (city, province) = open_head
            blocks.append(PlaceBlock(first, last, label, city, province))
            open_head = None

    for i, line in enumerate(lines):
        head = _HEAD.match(line)
        place = place_named(head.group("name"), home_province) if head else None
        if place is not None:
            close(i - 1)
            open_head = (i, head.group("name"), place)  # type: ignore[union-attr]
            continue
        row = _ROW.match(line)
        place = place_named(row.group("name"), home_province) if row else None
        if place is not None and _has_date(row.group("rest")):  # type: ignore[union-attr]
            close(i - 1)
            blocks.append(PlaceBlock(i, i, row.group("name"), *place))  # type: ignore[union-attr]
            continue
        if _SECTION.match(line):
            close(i - 1)
    close(len(lines) - 1)
    return blocks


def dated_blocks(blocks: list[PlaceBlock], lines: list[str]) -> list[PlaceBlock]:
    """The blocks that carry at least one date (a stop is announced there, not only a phone number)."""
    return [b for b in blocks if any(_has_date(lines[i]) for i in range(b.first, b.last + 1))]


def scope_of_blocks(blocks: list[PlaceBlock]) -> tuple[str | None, str]:
    """What the dated place blocks say of the page: ``("compilation", why)`` when they name places
    of two or more provinces, ``("province", why)`` when they name several places of one province,
    else ``(None, "")`` (one place or none: the blocks say nothing of the page).

    ``[厦门市, 苏州市, 广西]`` → ``"compilation"``; ``[省本级, 福州, 莆田]`` (all 福建省) → ``"province"``.
    """
    places = {b.key for b in blocks}
    if len(places) < 2:
        return None, ""
    names = "、".join(dict.fromkeys(b.label for b in blocks))
    provinces = {province for _, province in places if province}
    if len(provinces) >= 2:
        return "compilation", f"blocks led by places of {len(provinces)} provinces: {names}"
    return "province", f"blocks led by {len(places)} places of {next(iter(provinces), 'one province')}: {names}"


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def line_of(evidence: str, start_text: str | None, lines: list[str], compact: list[str] | None = None) -> int | None:
    """The index of the line a window was read from: the first line holding the start of its
    evidence sentence (or held in it, when the window step re-joined broken lines), preferring one
    that prints its start expression. ``compact`` is ``lines`` without spaces, when already made."""
    ev = _compact(evidence)
    if not ev:
        return None
    key = ev[:16]
    start = _compact(start_text or "")
    compact = compact if compact is not None else [_compact(line) for line in lines]
    found = [i for i, c in enumerate(compact) if c and (key in c or (len(c) >= 6 and c in ev))]
    if not found:
        return None
    with_start = [i for i in found if start and start in compact[i]]
    return (with_start or found)[0]


def assign_window_places(rows: list[dict], lines: list[str], blocks: list[PlaceBlock],
                         notice_city: str | None, notice_province: str | None) -> list[dict]:
    """Give each window the place of the block its line sits in, and every row a ``province``;
    returns a ``repairs`` row (``place_from_block``) for each window whose place is not the notice's.

    A window outside every block keeps the city the window step gave it (the notice's, or the city
    its scheme names in a province-wide table) and that city's province, else the notice's.
    """
    g = gazetteer()
    repairs = []
    block_of = {i: b for b in blocks for i in range(b.first, b.last + 1)}
    compact = [_compact(line) for line in lines] if blocks else []
    for row in rows:
        # with no block there is nothing to look up: every window keeps the notice's place
        i = line_of(row.get("evidence") or "", row.get("start_text"), lines, compact) if blocks else None
        block = block_of.get(i) if i is not None else None
        if block is not None:
            row["city"], row["province"] = block.city, block.province
            if block.key != (notice_city, notice_province):
                place = block.city or block.province or ""
                repairs.append(repair("outage_windows", "city", block.label, place or None, "place_from_block",
                                      f"window {row.get('window_no')}: its line sits under '{block.label}' "
                                      f"(line {block.first + 1}: {lines[block.first].strip()[:40]})"))
            continue
        city = row.get("city")
        if city and city != notice_city:
            row["province"] = next((p.province for p in g.lookup(city) if p.level == "city"), notice_province)
        else:
            row["province"] = notice_province
    return repairs


def province_words_in(text: str, where: str) -> list[str]:
    """Scope words of ``vocab/data/scope_words.csv`` that mark a province-level notice when found
    ``where`` (``title``: a title or issuer; ``body``: the text): ``("省直医保", "body")`` → ``["省直"]``;
    ``("关于省医保信息平台停机的公告", "title")`` → ``["省医保"]``."""
    return [r["term"] for r in load_rows("scope_words")
            if r["scope"] == "province" and r["where"] in ("anywhere", where) and r["term"] in text]


__all__ = ["PlaceBlock", "place_blocks", "dated_blocks", "scope_of_blocks", "assign_window_places", "place_named",
           "line_of", "province_words_in"]
