"""Gazetteer of Chinese provinces, prefectures, districts and telephone area codes.

Built at first use from maintained data, never typed by hand: administrative divisions from
the ``cpca`` package's adcode table (national statistics codes), area codes from
``phonenumbers``' Chinese geocoding data.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

MUNICIPALITIES = ("11", "12", "31", "50")  # 北京, 天津, 上海, 重庆: province and city at once
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗", "林区", "新区")


@dataclass(frozen=True)
class Place:
    """One administrative division: ``Place("西安市", "610100", "city", "陕西省", "西安市")``."""

    name: str
    adcode: str
    level: str  # province, city, district
    province: str
    city: str | None


# Cached: extractors compare every gazetteer place's short name against the text, about
# 2,000 calls per notice on the same ~3,600 names; a pure function of its argument.
@lru_cache(maxsize=8192)
def short_name(name: str) -> str:
    """A place's name without its administrative suffix.

    >>> [short_name(name) for name in ("西安市", "恩施土家族苗族自治州", "内蒙古自治区")]
    ['西安', '恩施', '内蒙古']
    """
    m = re.match(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,4}族)+自治[州县旗]$", name)
    if m:
        return m.group(1)
    for suf in sorted(_SUFFIXES, key=len, reverse=True):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[Place, ...]
    by_name: dict[str, tuple[Place, ...]]
    by_short: dict[str, tuple[Place, ...]]  # short name (福州, 余姚) → places
    provinces: dict[str, str]  # 2-digit code → province name

    def lookup(self, name: str) -> tuple[Place, ...]:
        return self.by_name.get(name, ())

    def lookup_short(self, name: str, level: str) -> tuple[Place, ...]:
        """Places of ``level`` named ``name`` without suffix.

        >>> [place.name for place in gazetteer().lookup_short("福州", "city")]
        ['福州市']
        """
        return tuple(p for p in self.by_short.get(name, ()) if p.level == level)


def _cpca_adcodes() -> Path:
    """The ``cpca`` package's adcode table, found without importing ``cpca``: its ``__init__``
    builds an address matcher we do not use (0.25 s in every worker) and imports
    ``pkg_resources``, which setuptools removed in version 82 (so ``import cpca`` fails in an
    environment without an older one)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the cpca package (its adcode table) is not installed: pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = _cpca_adcodes().read_text(encoding="utf-8")
    rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(io.StringIO(raw))]
    provinces = {code[:2]: name for code, name in rows if code.endswith("0000")}
    cities = {code[:4]: name for code, name in rows if code.endswith("00") and not code.endswith("0000")}
    places: list[Place] = []
    for code, name in rows:
        prov = provinces.get(code[:2], "")
        if code.endswith("0000"):
            places.append(Place(name, code, "province", name, name if code[:2] in MUNICIPALITIES else None))
            if code[:2] in MUNICIPALITIES:
                places.append(Place(name, code, "city", name, name))
        elif code.endswith("00"):
            places.append(Place(name, code, "city", prov, name))
        elif code[2:4] == "90":
            # county-level cities governed directly by the province (天门市, 仙桃市) act as cities
            places.append(Place(name, code, "city", prov, name))
        else:
            city = provinces[code[:2]] if code[:2] in MUNICIPALITIES else cities.get(code[:4])
            places.append(Place(name, code, "district", prov, city))
    by_name: dict[str, list[Place]] = {}
    by_short: dict[str, list[Place]] = {}
    for p in places:
        by_name.setdefault(p.name, []).append(p)
        by_short.setdefault(short_name(p.name), []).append(p)
    return Gazetteer(tuple(places), {k: tuple(v) for k, v in by_name.items()},
                     {k: tuple(v) for k, v in by_short.items()}, provinces)


@lru_cache(maxsize=1)
def _area_codes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Area code (without 0) → (province, cities): ``vocab/data/area_codes.csv``, in its order
    (the first code naming a city is that city's).

    The file is :func:`area_codes_from_phonenumbers` written out (``python -m
    pipeline.vocab.gazetteer --write-area-codes``): deriving it at run time imports phonenumbers'
    geocoder, 40 MB of every country's place names, 0.37 s of CPU in every worker process for
    324 rows. ``tests/test_gazetteer.py`` holds the file equal to the installed phonenumbers.
    """
    from pipeline.vocab.terms import vocabulary

    return {r["area_code"]: (r["province"], tuple(r["cities"].split("、"))) for r in vocabulary("area_codes")}


def area_codes_from_phonenumbers() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Area code (without 0) → (province, cities), from phonenumbers' geocoder: every code
    ``010``, ``02x``, ``0310``–``0999`` that makes a valid number with a place."""
    from phonenumbers import geocoder

    codes = ["10"] + [f"2{i}" for i in range(10)] + [str(i) for i in range(310, 1000)]
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code in codes:
        fillers = ("6" * 8,) if len(code) == 2 else ("6" * 8, "6" * 7, "2" * 7)
        for filler in fillers:
            num = phonenumbers.parse("0" + code + filler, "CN")
            if not phonenumbers.is_valid_number(num):
                continue
            desc = geocoder.description_for_number(num, "zh")
            if desc:
                out[code] = _split_description(desc)
                break
    return out


def write_area_codes(path: Path) -> None:
    """Write :func:`area_codes_from_phonenumbers` as ``vocab/data/area_codes.csv``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["area_code", "province", "cities"])
        for code, (province, cities) in area_codes_from_phonenumbers().items():
            out.writerow([code, province, "、".join(cities)])


def _split_description(desc: str) -> tuple[str, tuple[str, ...]]:
    """An area-code description as (province, cities).

    >>> _split_description("陕西省西安市、咸阳市"), _split_description("北京市")
    (('陕西省', ('西安市', '咸阳市')), ('北京市', ('北京市',)))
    """
    m = re.match(r"^(.+?(?:省|自治区|特别行政区)|内蒙古|广西|西藏|宁夏|新疆)(.*)$", desc)
    if not m:
        return desc, (desc,)
    province, rest = m.group(1), m.group(2)
    cities = tuple(c for c in rest.split("、") if c) or (province,)
    return province, cities


# Cached: a scan of every area code's cities, asked again for each bare number of a notice.
@lru_cache(maxsize=1024)
def area_code_for_city(city: str) -> str | None:
    """The area code (without its leading 0) of a city.

    >>> area_code_for_city("西安市")
    '29'
    """
    for code, (_, cities) in _area_codes().items():
        if city in cities or short_name(city) in {short_name(c) for c in cities}:
            return code
    return None


def city_for_area_code(code: str) -> tuple[str, str] | None:
    """The city and province of an area code (with or without its 0); ambiguous codes give the first city named.

    >>> city_for_area_code("531"), city_for_area_code("0531")
    (('济南市', '山东省'), ('济南市', '山东省'))
    """
    entry = _area_codes().get(code.lstrip("0"))
    if not entry:
        return None
    province, cities = entry
    city = cities[0]
    places = [p for p in gazetteer().lookup(city) if p.level == "city"] or list(
        gazetteer().lookup_short(short_name(city), "city")
    )
    if places:
        return places[0].name, places[0].province
    return city, province


# Rows of the adcode table that group counties rather than name a place (市辖区 of 北京市,
# 省直辖县级行政区划 of 湖北省): not cities anyone publishes a notice for.
_GROUPING_NAMES = ("市辖区", "县")


def prefecture_cities() -> list[tuple[str, str, str]]:
    """Every city-level place, as ``(province, city, adcode)`` in adcode order.

    Prefecture-level cities and prefectures, the four municipalities, and the county-level
    places a province governs directly (天门市, 琼海市): the places a cutover notice is issued
    for.

    >>> prefecture_cities()[0]
    ('北京市', '北京市', '110000')
    """
    seen: set[str] = set()
    out = []
    for p in sorted(gazetteer().places, key=lambda p: p.adcode):
        if p.level != "city" or p.name in _GROUPING_NAMES or "直辖" in p.name or p.name in seen:
            continue
        seen.add(p.name)
        out.append((p.province, p.name, p.adcode))
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-area-codes"]:
        write_area_codes(Path(__file__).parent / "data" / "area_codes.csv")
    else:
        sys.exit("usage: python -m pipeline.vocab.gazetteer --write-area-codes")
