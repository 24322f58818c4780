"""Notice metadata: title, issuer, city, province, publication date, repost stamp.

Every value is read from the text (or the manifest / container metadata when given); each
inference is returned with its evidence so the caller can log it as a repair.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache

from pipeline.document import Document
from pipeline.extract import SourceHints
from pipeline.extract.places import PlaceBlock, dated_blocks, place_blocks, province_words_in, scope_of_blocks
from pipeline.extract.timeexpr import PLAUSIBLE_YEARS, parse_points
from pipeline.repair.resolve_year import YearClues, era_of, holiday_hints, url_date
from pipeline.vocab.gazetteer import Place, city_for_area_code, gazetteer, short_name
from pipeline.vocab.guard import guarded
from pipeline.vocab.matcher import WordMatcher
from pipeline.vocab.terms import alternation

_ORG = r"[\u4e00-\u9fff()（）]{2,24}?(?:" + alternation("organisation_suffixes") + r")"
ORG = re.compile(_ORG)
_TITLE_WORDS = ("通告", "公告", "通知", "关于", "告知书", "提示", "指南", "攻略")
# a bare 时间/日期 label only when no word stands before it: "停止时间 :2023年12月31日21时…" and
# "门诊时间:8:00-20:00" are other times (unnamed-2023-outage-d014), "作者: 时间:2021-11-17" is the page's
_PUB_LABEL = re.compile(guarded(r"((?:" + alternation("publication_verbs") + r")(?:时间|日期)|发布于|"
                        r"(?<![\u4e00-\u9fff])(?:日期|时间))\s*[:：]\s*"))
_SOURCE_LABEL = re.compile(r"^(" + alternation("source_labels") + r")\s*[:：]")
_STAMP_PATTERNS = [
    re.compile(r"(?:更新时间|更新日期|post\s*by|发表于|发帖时间)\s*[:：]?\s*((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?", re.I),
    re.compile(r"\s[-–—]\s((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})"),
]
_STAMP_WORDS = re.compile(r"(?:" + alternation("stamp_labels") + r")", re.I)
_WECHAT_HEADER = re.compile(r"(?:[^\s\d]{2,16}\s+)?(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*(?:发表于)?\s*[\u4e00-\u9fff]{0,6})?")
# a bare date-time stamp line, possibly followed by the page's leftover buttons: "2007-6-14 8:16 【"
_ARTICLE_HEADER = re.compile(r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[【\[|｜]?\s*")
_NEWS_LEAD = re.compile(r"^(?:[^,，。]{0,24}?(?:讯|电)\s*)?(\d{1,2})月(\d{1,2})日\s*[,，]?\s*[^,，。]{2,30}?"
                        r"(?:" + alternation("news_verbs") + r")(?:了)?(?:" + alternation("notice_kinds") + r")")
# a news dateline, with the agency and the place it was filed from: "中新网12月28日电",
# "人民网成都11月17日电" (chengdu-2021-cutover-b002), "青岛日报社/观海新闻11月17日讯"
_DATELINE = re.compile(r"^(?:[\u4e00-\u9fff/、]{0,14}?(?:" + alternation("media_marks") + r")[\u4e00-\u9fff]{0,4}?\s*)?(\d{1,2})月(\d{1,2})日\s*(?:讯|电|[:：]|消息)")
_DATE_ONLY_LINE = re.compile(r"^[\s(（]*(?:\d{4}|)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s)）]*$|^(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}$")
# a label before 发布时间 naming another moment ("更新时间:", "停机时间:")
_NOT_PUBLICATION = re.compile(r"(" + alternation("not_publication_context") + r")")
_SIGNED_DATE = re.compile(r"(?:" + alternation("signature_org_endings") + r")\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")
_SMS_DATE = re.compile(r"[。！!]\s*((?:19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?)\s*$")
_YEAR_MONTH = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?!\s*\d)")
_ANNUAL_YEAR = re.compile(guarded(r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*)?[\u4e00-\u9fff]{0,3}年度"))
_AREA_CODE = re.compile(guarded(r"(?<!\d)0(\d{2,3})[-－—\s]\d"))
_CLAUSE_MARK = re.compile(r"[,，。:：;；]")
_SENTENCE_MARK = re.compile(r"[。;；]")
_NUMBERED_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十\d]+\)|\d+[、.])")
_BRACKETS = re.compile(r"[()（）]")
_TABLE_ROW_PLACE = re.compile(r"^\s*([\u4e00-\u9fff]{2,4})\s+[\d(]")
_LOCAL_WORDS = {"全市", "本市", "我市", "城市", "市区", "大市", "各市", "该市", "省市", "市级", "县市", "地市"}


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    city: str | None = None
    province: str | None = None
    city_evidence: str | None = None
    city_rule: str | None = None  # a repair rule when the city was inferred
    city_clue: str | None = None  # which kind of clue gave it (CITY_CLUES), for its confidence
    published_on: date | None = None
    published_inferred: bool = False
    published_evidence: str | None = None
    published_clue: str | None = None  # which kind of clue gave it (PUBLISHED_CLUES), for its confidence
    published_text: str | None = None
    published_rule: str | None = None
    stamp: datetime | None = None
    stamp_text: str | None = None
    clues: YearClues = field(default_factory=YearClues)
    # what the notice covers (NOTICE_SCOPES: city, province, compilation; None when unknown) and why
    scope: str | None = None
    scope_evidence: str | None = None
    # blocks of lines led by a place name (pipeline.extract.places): each window takes its block's place
    places: list[PlaceBlock] = field(default_factory=list)
    # the manifest's city contradicts the issuer named in the text: why (flagged, confidence low)
    city_conflict: str | None = None
    # page stamps set aside as repost dates because they fall after the stop the page reports:
    # (the stamp as printed, why) — each becomes a repairs row (page_stamp_after_events)
    stamps_after_events: list[tuple[str, str]] = field(default_factory=list)
    # a compilation page's date is no notice's date: why it was left empty (a repairs row)
    published_withheld: str | None = None


def find_title(doc: Document) -> str | None:
    """The notice's title: container title, else an early line that reads like one.

    ``["关于西安市医疗保障局停机切换国家平台的通告及医保攻略", …]`` → that line.
    """
    if doc.meta.get("title"):
        return doc.meta["title"].strip()
    for line in doc.lines[:8]:
        s = line.strip(" #*")
        if 6 <= len(s) <= 70 and any(w in s for w in _TITLE_WORDS) and not _CLAUSE_MARK.search(s[:-1]) \
                and not _NUMBERED_ITEM.match(s):
            return s
    for line in doc.dropped:
        parts = re.split(r"\s*[»>›]\s*|查看完整版本\s*[:：]\s*", line)
        last = parts[-1].strip() if parts else ""
        if len(parts) > 1 and 6 <= len(last) <= 70 and any(w in last for w in _TITLE_WORDS):
            return last
    return None


def find_issuer(doc: Document, title: str | None) -> str | None:
    """The issuing body: from the title, a 来源 line, or the signature block.

    ``"杭州市医疗保障局关于停机切换国家医疗保障"`` → ``"杭州市医疗保障局"``.
    """
    if title:
        t = re.sub(r"^关于", "", title)
        m = ORG.search(t.split("关于")[0]) or ORG.search(t)
        if m and _has_place(m.group(0)):
            return m.group(0)
    for line in list(doc.lines[-6:]) + list(doc.lines[:4]):
        s = _BRACKETS.sub(" ", line).strip()
        if _SOURCE_LABEL.match(s) or s.startswith("来源"):
            m = ORG.search(s)
            if m:
                return m.group(0)
    for i in range(len(doc.lines) - 1, max(-1, len(doc.lines) - 8), -1):
        if _DATE_ONLY_LINE.match(doc.lines[i].strip()) and i > 0:
            cand = doc.lines[i - 1].strip()
            if ORG.fullmatch(cand) or (len(cand) <= 30 and ORG.search(cand)):
                return cand
    return None


def _has_place(text: str) -> bool:
    return bool(_places_in(text))


def _places_in(text: str) -> list[Place]:
    """Places named in ``text``, in order (leftmost, longest name first): ``"西安市雁塔区"`` → [西安市, 雁塔区]."""
    return list(_places_in_cached(text))


# Cached: metadata reads the same body, title and issuer several times (city, districts, scope,
# and a second time when a page stamp is set aside); a pure function of the text.
@lru_cache(maxsize=256)
def _places_in_cached(text: str) -> tuple[Place, ...]:
    g = gazetteer()
    found: list[Place] = []
    for _, name in _place_names().leftmost_longest(text):
        if name in _LOCAL_WORDS:
            continue
        found.extend(g.lookup(name))
    return tuple(found)


@lru_cache(maxsize=1)
def _place_names() -> WordMatcher:
    """Every gazetteer name of two characters or more, matched by automaton: a 3,181-way regular
    expression alternation cost 16 % of extraction and found exactly the same names."""
    return WordMatcher(p.name for p in gazetteer().places if len(p.name) >= 2)


# The kinds of clue a city comes from, strongest first (pipeline.repair.confidence reads them).
CITY_CLUES = ("manifest", "issuer", "title", "body", "short_name", "province_wide", "districts", "area_code",
              "source_url", "province_only", "compilation", "province")


def find_city(doc: Document, issuer: str | None, title: str | None,
              hints: SourceHints) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """``(city, province, evidence, repair_rule, clue)`` from the issuer, title, body, districts,
    area codes or the URL; ``clue`` is one of :data:`CITY_CLUES`."""
    g = gazetteer()
    if hints.city:
        places = [p for p in g.lookup(hints.city) if p.level == "city"]
        return hints.city, places[0].province if places else None, "manifest", None, "manifest"
    for label, text in (("issuer", issuer), ("title", title)):
        if text:
            cities = [p for p in _places_in(text) if p.level == "city"]
            if cities:
                return cities[0].name, cities[0].province, f"{label}: {text}", None, label
    # an issuer or title that names a province and no city ("关于湖南省社会保险系统停机…的公告",
    # "福建省级机关医院") or the province's own pool (省直, 自治区本级) governs the province: a city
    # the body names in passing (长沙市统一登记系统) is not the notice's
    for label, text in (("issuer", issuer), ("title", title)):
        # a headline that names a city by its short form ("武汉医保系统将上线省医保系统平台") is that
        # city's news about moving onto the province's platform, not a province-wide notice
        if text and not _short_city_media_re().search(text):
            provinces_named = [p for p in _places_in(text) if p.level == "province"]
            words = province_words_in(text, "title")
            if provinces_named or words:
                province = provinces_named[0].province if provinces_named else _province_of_body(doc)
                what = provinces_named[0].name if provinces_named else words[0]
                return None, province, f"{label} names {what} and no city: a province-wide notice", None, "province_wide"
    body = "\n".join(doc.lines)
    mentions = [p for p in _places_in(body)]
    # a municipality (天津市) is a province and a city at once: it counts as the city it is
    municipalities = {p.name for p in mentions if p.level == "city" and p.name == p.province}
    cities = Counter(p.name for p in mentions if p.level == "city" and (p.name in municipalities or p.name not in {pp.name for pp in mentions if pp.level == "province"}))
    provinces = Counter(p.province for p in mentions if p.level == "province")
    if cities:
        (top, n), *rest = cities.most_common()
        if not rest or n > rest[0][1]:
            place = next(p for p in g.lookup(top) if p.level == "city")
            return top, place.province, f"body names {top} {n} times", None, "body"
    # a city named only by its short form in media or office names (福州新闻网, 福州日报)
    short: Counter[str] = Counter()
    masthead = "\n".join(list(doc.lines[:3]) + [ln for ln in doc.lines if _SOURCE_LABEL.match(ln) or "来源" in ln[:12]])
    # a masthead or source line ("来源:南京日报") counts double: it names the publisher
    for text in (body, masthead):
        for m in _short_city_media_re().finditer(text):
            for p in g.lookup_short(m.group("city"), "city"):
                short[p.name] += 1
    # a headline names the city by its short form: "…漳州将暂停医保刷卡"
    for line in doc.lines[:2]:
        if len(line) <= 40 and not _SENTENCE_MARK.search(line):
            for m in _short_city_media_re().finditer(line):
                for p in g.lookup_short(m.group("city"), "city"):
                    short[p.name] += 2
    if short:
        (top, n), *rest = short.most_common()
        # one mention is enough when no other city is named at all ("“石家庄医保”APP")
        if not rest or n > rest[0][1]:
            place = next(p for p in g.lookup(top) if p.level == "city")
            return top, place.province, f"body names {short_name(top)} in {n} media, office or headline mentions", None, "short_name"
    # short names of prefectures in tables ("福州 2018.1.1~1.5"): many → a province-wide notice
    shorts = _short_city_mentions(body)
    if len(shorts) >= 3:
        provs = Counter(p.province for p in shorts)
        prov = provs.most_common(1)[0][0]
        return None, prov, f"names {len(shorts)} cities of {prov}: a province-wide notice", None, "province_wide"
    # districts and counties (余姚、奉化、宁海、象山) → their city
    districts = _district_mentions(body)
    by_city = Counter(p.city for p in districts if p.city)
    if by_city:
        city, n = by_city.most_common(1)[0]
        names = sorted({p.name for p in districts if p.city == city})
        if n >= 2 or any(len(nm) >= 3 for nm in names):
            place = next((p for p in g.lookup(city) if p.level in ("city", "province")), None)
            return city, place.province if place else None, f"districts {'、'.join(names)} belong to {city}", "city_from_district", "districts"
    # a phone area code (0531-12345) → its city
    for m in _AREA_CODE.finditer(body):
        found = city_for_area_code(m.group(1))
        if found:
            return found[0], found[1], f"area code 0{m.group(1)} is {found[0]}", "city_from_area_code", "area_code"
    # the site's own name: a city's pinyin in the host or path (www.lsd17.com/news/ankang/…)
    by_url = city_of_url(hints.url or doc.meta.get("url"))
    if by_url is not None and (not provinces or by_url.province in provinces):
        return by_url.name, by_url.province, f"the source URL names {by_url.name} ({hints.url or doc.meta.get('url')})", "city_from_url", "source_url"
    if provinces:
        return None, provinces.most_common(1)[0][0], "only a province is named", None, "province_only"
    return None, None, None, None, None


def _province_of_body(doc: Document) -> str | None:
    """The one province the text names (``河南省医疗保障局`` → 河南省), else ``None``."""
    provinces = {p.province for p in _places_in("\n".join(doc.lines)) if p.level == "province"}
    return provinces.pop() if len(provinces) == 1 else None


def _cities_of(text: str) -> set[str]:
    """Cities a text names, directly or by one of their districts: ``"紫金县住房公积金管理中心"`` → {河源市}."""
    out = set()
    for p in _places_in(text):
        if p.level == "city":
            out.add(p.name)
        elif p.level == "district" and p.city and len(gazetteer().lookup(p.name)) == 1:
            out.add(p.city)
    return out


def manifest_conflict(doc: Document, hints: SourceHints, issuer: str | None, title: str | None) -> str | None:
    """Why the manifest's city contradicts the issuer or title the text names, else ``None``.

    A manifest row ``…,天门市,…`` for a notice signed ``兰州市医疗保障局`` → ``"the manifest says
    天门市; the issuer 兰州市医疗保障局 names 兰州市"``; an issuer of one of the city's districts agrees.
    """
    if not hints.city:
        return None
    g = gazetteer()
    wanted = {p.name for p in g.lookup(hints.city) + g.lookup_short(hints.city, "city") if p.level == "city"} or {hints.city}
    for label, text in (("issuer", issuer), ("title", title)):
        named = _cities_of(text or "")
        if named and not named & wanted:
            return f"the manifest says {hints.city}; the {label} {text} names {'、'.join(sorted(named))}"
    return None


def notice_scope(doc: Document, md: Metadata) -> tuple[str | None, str | None]:
    """What the notice covers (:data:`pipeline.vocab.codes.NOTICE_SCOPES`) and why.

    ``compilation``: blocks led by places of several provinces, and no issuer, title or manifest
    names the page's own city (unnamed-2023-outage-d014: 厦门市, 苏州市, 泰州市, 广西, 四川);
    ``province``: blocks led by several places of one province (a province-wide table: 省本级, 福州,
    莆田 …), or no city and a province-level issuer, title or word (省直, 自治区本级, 全省) or a
    province's own office named in the text; ``city``: the notice's city is known; ``None`` otherwise.
    """
    own_city = md.city_clue in ("manifest", "issuer", "title")
    scope, why = scope_of_blocks(dated_blocks(md.places, list(doc.lines)))
    if scope is not None and not own_city:
        return scope, why
    if md.city:
        return "city", f"the notice's city {md.city} ({md.city_clue})"
    if md.city_clue == "province_wide":
        return "province", md.city_evidence
    body = "\n".join(doc.lines)
    words = province_words_in(body, "body")
    if words:
        return "province", f"no city; the text speaks of {'、'.join(words)}"
    offices = [m.group(0) for m in ORG.finditer(body) if any(p.level == "province" for p in _places_in(m.group(0)))
               and not any(p.level == "city" for p in _places_in(m.group(0)))]
    if offices and md.province:
        return "province", f"no city; the province's own office {offices[0]} is named"
    return None, None


@lru_cache(maxsize=1)
def _pinyin_cities() -> dict[str, tuple[Place, ...]]:
    """City names in pinyin: ``"ankang"`` → (安康市,). Built with pypinyin, the maintained
    converter; names whose pinyin two cities share (suzhou: 苏州, 宿州) map to both."""
    from pypinyin import lazy_pinyin

    out: dict[str, list[Place]] = {}
    for p in gazetteer().places:
        if p.level == "city" and p.name not in gazetteer().provinces.values():
            out.setdefault("".join(lazy_pinyin(short_name(p.name))), []).append(p)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _pinyin_districts() -> dict[str, tuple[Place, ...]]:
    """County-level names in pinyin → their city: ``"jiangyin"`` → (无锡市,) (a district's own site)."""
    from pypinyin import lazy_pinyin

    g = gazetteer()
    out: dict[str, set[str]] = {}
    for p in g.places:
        if p.level == "district" and p.city and len(short_name(p.name)) >= 2:
            out.setdefault("".join(lazy_pinyin(short_name(p.name))), set()).add(p.city)
    cities = {}
    for key, names in out.items():
        places = [q for n in sorted(names) for q in g.lookup(n) if q.level == "city"]
        cities[key] = tuple(places)
    return cities


def city_of_url(url: str | None) -> Place | None:
    """The one city whose pinyin (or one of whose counties' pinyin) is a label of the URL's host
    or a folder of its path.

    ``"http://www.lsd17.com/news/ankang/akzh/344482.html"`` → 安康市; ``"http://www.jiangyin.gov.cn/…"``
    → 无锡市; abbreviations (``zz``) and pinyin that two places share (``suzhou``) give nothing.
    """
    if not url:
        return None
    m = re.match(r"^[a-z]+://([^/?#]+)([^?#]*)", url.lower())
    if not m:
        return None
    labels = re.split(r"[.\-]", m.group(1)) + [seg for seg in m.group(2).split("/")[:-1] if seg]
    words = [lab for lab in labels if re.fullmatch(r"[a-z]{4,}", lab)]  # "zz", "www" name nothing
    for index in (_pinyin_cities(), _pinyin_districts()):
        matched = [index[w] for w in words if w in index]
        found = {p for places in matched for p in places}
        if len(found) == 1 and all(len(places) == 1 for places in matched):
            return found.pop()
        if found:
            return None  # two places fit: no guess
    return None


@lru_cache(maxsize=1)
def _short_city_media_re() -> re.Pattern[str]:
    """Short city names followed by a media or office word: ``福州新闻网``, ``南京日报``, ``合肥住房公积金``."""
    g = gazetteer()
    names = sorted({n for n, ps in g.by_short.items() if len(n) >= 2 and any(p.level == "city" for p in ps)},
                   key=len, reverse=True)
    # publishers, offices and "the whole city" phrases: 福州新闻网, 温州老年病医院, 漳州全市, 漳州将暂停
    media = "(?:" + alternation("city_media_words") + ")"
    return re.compile("(?P<city>" + "|".join(map(re.escape, names)) + ")" + media)


def _short_city_mentions(body: str) -> list[Place]:
    g = gazetteer()
    out = {}
    for line in body.split("\n"):
        m = _TABLE_ROW_PLACE.match(line)
        if not m:
            continue
        for p in g.lookup_short(m.group(1), "city"):
            out[p.name] = p
    return list(out.values())


def _district_mentions(body: str) -> list[Place]:
    """Districts/counties named with or without their suffix (``余姚、奉化、宁海、象山``)."""
    g = gazetteer()
    found: dict[str, Place] = {}
    for p in _places_in(body):
        if p.level == "district" and len(g.lookup(p.name)) == 1:
            found[p.name] = p
    # suffix-less names listed with 、 are common in notices ("余姚、奉化、宁海、象山")
    for seq in re.findall(r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4}){2,}", body):
        for name in seq.split("、"):
            cands = g.lookup_short(name, "district")
            if len({p.city for p in cands}) == 1:
                found[cands[0].name] = cands[0]
    return list(found.values())


def find_stamp(doc: Document) -> tuple[datetime | None, str | None]:
    """A reposting site's time stamp (``Post By:2021/11/18 8:38:37``): an upper bound, not a publication date."""
    for line in list(doc.dropped) + list(doc.lines[:6]):
        for pat in _STAMP_PATTERNS:
            m = pat.search(line)
            if m:
                try:
                    hh, mm = (int(m.group(4)), int(m.group(5))) if m.group(4) else (0, 0)
                    return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), hh, mm), line.strip()
                except ValueError:
                    continue
    return None, None


def _dedupe(hints: list) -> list:
    out, seen = [], set()
    for h in hints:
        key = (h.name, h.first, h.last)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def _weekday_constraints(doc: Document) -> list[tuple[int, int, int]]:
    """Dates printed without a year but with a weekday: ``年1月21日(星期五)`` → (1, 21, 4)."""
    out = []
    for line in doc.lines:
        for p in parse_points(line):
            if p.year is None and p.month and p.day and p.weekday is not None and (p.month, p.day, p.weekday) not in out:
                out.append((p.month, p.day, p.weekday))
    return out


def _printed_years(doc: Document) -> list[int]:
    """Years printed in the notice: full dates, and year-months (``2021年11月下旬``)."""
    years = []
    for line in doc.lines:
        for p in parse_points(line):
            if p.year:
                years.append(p.year)
        years += [int(y) for y in _YEAR_MONTH.findall(line)]
        # the year of an annual task: "2018年年度结息", "2012社保年度结转", "2023年度结转"
        years += [int(y) for y in _ANNUAL_YEAR.findall(line)]
    return years


# The kinds of publication clue that are the page's own stamp rather than the notice's words: a
# reposting site's 发布时间/时间: line, an article header, the page's publish time, a date in its URL.
PAGE_STAMP_CLUES = ("发布时间 line", "article header date", "page publish time", "source url")


def extract_metadata(doc: Document, hints: SourceHints, stops_from: date | None = None) -> Metadata:
    """Title, issuer, city, province, scope, publication date and repost stamp of a notice.

    ``stops_from`` is the day of the earliest stop the notice prints with its year (known once the
    windows are read): a page stamp later than it is a repost date, not the notice's
    (:data:`PAGE_STAMP_CLUES`; chengdu-2021-cutover-b002's ``时间:2022-11-11`` over a 2021 report).
    """
    md = Metadata()
    md.title = find_title(doc)
    md.issuer = find_issuer(doc, md.title)
    md.city, md.province, md.city_evidence, md.city_rule, md.city_clue = find_city(doc, md.issuer, md.title, hints)
    md.city_conflict = manifest_conflict(doc, hints, md.issuer, md.title)
    md.places = place_blocks(list(doc.lines), md.province)
    md.scope, md.scope_evidence = notice_scope(doc, md)
    if md.scope in ("compilation", "province") and md.city and md.city_clue not in ("manifest", "issuer", "title"):
        # several places' blocks: no single city; a province only when they share one
        provinces = {b.province for b in dated_blocks(md.places, list(doc.lines)) if b.province}
        md.city, md.city_rule, md.city_clue = None, None, md.scope
        md.province = provinces.pop() if len(provinces) == 1 else None
        md.city_evidence = md.scope_evidence
    md.stamp, md.stamp_text = find_stamp(doc)
    if md.stamp is None and _page_published(doc) is not None:
        # a page's publish time is an upper bound on the notice's date, like a repost stamp
        md.stamp, md.stamp_text = _page_published(doc), f"page publish time {doc.meta['published']}"
    clues = YearClues(
        url=hints.url,
        url_date=url_date(hints.url),
        stamp=md.stamp.date() if md.stamp else None,
        stamp_text=md.stamp_text,
        printed_years=_printed_years(doc),
        holidays=_dedupe(holiday_hints(list(doc.lines))),
        weekdays=_weekday_constraints(doc),
        era=era_of(doc.text),
    )
    md.clues = clues
    _find_publication(doc, hints, md, stops_from)
    clues.publication = md.published_on
    clues.publication_text = md.published_evidence
    return md


def _page_published(doc: Document) -> datetime | None:
    value = (doc.meta.get("published") or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "")[:19])
    except ValueError:
        try:
            return datetime.fromisoformat(value[:10])
        except ValueError:
            return None


def _first_event(doc: Document) -> date | None:
    for line in doc.lines:
        for p in parse_points(line):
            if p.year and p.month and p.day:
                try:
                    return date(p.year, p.month, p.day)
                except ValueError:
                    continue
    return None


def _after_events(md: Metadata, kind: str, day: date, text: str, stops_from: date | None) -> bool:
    """True (and noted) when a page stamp falls after the first stop the page reports: a repost date.

    The stamp then bounds the years (``md.clues.stamp``) like a repost stamp, and a later clue or
    nothing gives the publication date.
    """
    if stops_from is None or kind not in PAGE_STAMP_CLUES or day <= stops_from:
        return False
    md.stamps_after_events.append((text.strip()[:60], f"the page's {kind} {day.isoformat()} is after the first stop "
                                                      f"it reports ({stops_from.isoformat()}): a repost date, not the notice's"))
    if md.stamp is None or day > md.stamp.date():
        md.stamp, md.stamp_text = datetime(day.year, day.month, day.day), text.strip()[:60]
        md.clues.stamp, md.clues.stamp_text = day, md.stamp_text
    return True


def _find_publication(doc: Document, hints: SourceHints, md: Metadata, stops_from: date | None = None) -> None:
    """Fill the publication date from the strongest clue available.

    A compilation page (``md.scope``) has none: its own date is no notice's. A page stamp after the
    first stop (``stops_from``) is set aside (:func:`_after_events`).
    """
    if hints.published:
        md.published_on, md.published_evidence, md.published_clue = hints.published, "manifest", "manifest"
        return
    if md.scope == "compilation":
        md.published_withheld = f"a compilation of several places' notices ({md.scope_evidence}): no one notice's date"
        md.published_evidence = md.published_withheld
        return
    candidates: list[tuple[str, str]] = []  # (kind, text)
    header_lines = set()
    for i, line in enumerate(doc.lines[:4]):
        # a news article's own date line under its title ("2025-03-26 14:05"), a WeChat article's
        # header ("公众号名 2023-04-14 15:06 发表于四川"): the article is the document
        if (_ARTICLE_HEADER.fullmatch(line.strip()) or _WECHAT_HEADER.fullmatch(line.strip())) \
                and not _STAMP_WORDS.match(line.strip()):
            candidates.append(("article header date", line.strip()))
            header_lines.add(i)
    for line in doc.lines[:6]:
        # "9月3日,省医保局发布消息,…": a portal relays a notice issued that day (the notice's date, not the page's)
        m = _NEWS_LEAD.match(line.strip())
        if m:
            candidates.append(("news lead", m.group(0)))
    for line in doc.lines[:10]:
        m = _PUB_LABEL.search(line)
        if m and not _NOT_PUBLICATION.search(line[: m.start()]):
            candidates.append(("发布时间 line", line[m.end():]))
        if _SOURCE_LABEL.match(line):
            candidates.append(("来源 line", line))
    for line in doc.dropped[:10]:
        # page chrome set aside by normalisation may still carry the posting date: "作者: 时间:2021-11-17 点击数:"
        m = _PUB_LABEL.search(line)  # not 更新时间, 修改时间 or 门诊时间: a word before a bare 时间 names another time
        if m and "更新" not in line:
            candidates.append(("发布时间 line", line[m.end():]))
    n = len(doc.lines)
    for i, line in enumerate(doc.lines):
        # (a short page's header date is near its end too: it stays the header it is)
        if i not in header_lines and _DATE_ONLY_LINE.match(line.strip()) and (i >= n - 8 or (i > 0 and ORG.search(doc.lines[i - 1]) and len(doc.lines[i - 1]) <= 30)):
            candidates.append(("signature date", line.strip()))
    for line in doc.lines[-3:]:
        # a signature run into one line with its date: "固原市住房公积金管理中心 2025年12月23日"
        m = _SIGNED_DATE.search(line)
        if m:
            candidates.append(("signature date", m.group(1)))
    for line in doc.lines[-2:]:
        # an SMS or short notice signed with a date after its last sentence: "…敬请谅解！2016.12.29"
        m = _SMS_DATE.search(line)
        if m:
            candidates.append(("signature date", m.group(1)))
    for i, line in enumerate(doc.lines[:6]):
        # under a title, a 时间/来源 line or two: "来源:人民网" / "人民网成都11月17日电 (郭莹)…"; that
        # far down only with its agency: a bare "12月31日:" there is a schedule's item
        m = _DATELINE.match(line.strip())
        if m and (i < 3 or not m.group(0)[0].isdigit()):
            candidates.append(("news dateline", m.group(0)))
    for kind, text in candidates:
        pts = [p for p in parse_points(text) if p.month and p.day]
        if not pts:
            continue
        p = pts[0]
        if p.year:
            if not PLAUSIBLE_YEARS[0] <= p.year <= PLAUSIBLE_YEARS[1]:
                continue  # "0221年2月5日": a typo no notice can mean; another clue may still date it
            try:
                day = date(p.year, p.month, p.day)
            except ValueError:
                continue
            if _after_events(md, kind, day, text, stops_from):
                continue
            md.published_on = day
            md.published_evidence, md.published_clue = f"{kind}: {text.strip()[:40]}", kind
            md.published_text = p.text
            return
        clues, first_event = md.clues, _first_event(doc)
        if md.stamps_after_events and stops_from is not None:
            # the page's stamps are a repost's: the notice came out on or before the first stop it
            # reports ("人民网成都11月17日电" over a 2021-11-21 stop → 2021), whatever year the repost has
            ud = clues.url_date
            late_url = ud is not None and date(ud[0], ud[1] or 1, ud[2] or 1) > stops_from
            clues = replace(clues, stamp=None, url_date=None if late_url else ud)
            first_event = stops_from
        choice = clues.choose_publication_year(p.month, p.day, p.weekday, first_event=first_event)
        if choice is None:
            md.published_evidence = f"{kind} '{p.text}' has no year and nothing gives it"
            md.published_text = p.text
            md.published_rule = "year_unresolved"
            md.published_inferred = True
            return
        try:
            md.published_on = date(choice.year, p.month, p.day)
        except ValueError:
            continue
        md.published_inferred = True
        md.published_evidence, md.published_clue = f"{kind} '{p.text}'; {choice.evidence}", kind
        md.published_text = p.text
        md.published_rule = choice.rule
        return
    # the page's own publish time (HTML meta, WeChat createTime) is the date of *this page*: for a
    # repost it is the repost date, so it only counts when the text itself prints no date
    page = _page_published(doc)
    if page is not None and not _after_events(md, "page publish time", page.date(), f"page publish time {doc.meta['published']}", stops_from):
        md.published_on = page.date()  # printed on the page (WeChat header, CMS date), so not inferred
        md.published_evidence = f"the page's own publish time {doc.meta['published']} (no date printed in the text)"
        md.published_clue = "page publish time"
        return
    ud = md.clues.url_date
    if ud and ud[1] and ud[2] and not _after_events(md, "source url", date(*ud), hints.url or "", stops_from):  # type: ignore[arg-type]
        md.published_on = date(*ud)  # type: ignore[arg-type]
        md.published_inferred = True
        md.published_evidence, md.published_clue = f"date in the source URL {hints.url}", "source url"
        md.published_text = hints.url
        md.published_rule = "year_from_url"
