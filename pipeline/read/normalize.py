"""Normalise a Document's text before extraction.

Why by hand, partly: OpenCC does traditional → simplified and NFKC does full-width → half-width,
but pinyin annotations (``醫(yī)療``), BBCode left by forums and fused list numbers
(``1如非急需``) are repost-site damage no library knows about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from pipeline.document import Document
from pipeline.extract.timeexpr import arabize
from pipeline.repair import repair
from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import alternation

# A pinyin syllable carries a tone mark (or ü); plain ASCII words in brackets are left alone
# because they are more often abbreviations (IC卡, APP) than pinyin.
_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ"
_PINYIN = re.compile(guarded(rf"(?<=[\u4e00-\u9fff])\(\s*[a-z{_TONE}]*[{_TONE}][a-z{_TONE}]*\s*\)"))
_BBCODE = re.compile(r"\[/?(?:b|i|u|s|color|size|font|url|img|align|quote|backcolor)(?:=[^\]]*)?\]", re.I)
# "1.2021年…" → "1. 2021年…": a list number fused to a year would read as a date.
_FUSED_YEAR = re.compile(r"^(\s*\d{1,2})[.、](?=\d{4}\s*年)")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*")
_LIST_MARK = re.compile(r"^\s*[-*+]\s+(?=\S)")
_BUTTONS = re.compile(r"【\s*(?:" + alternation("page_buttons") + r")[^】]{0,12}】")
# "1如非急需" → "1 如非急需" (a list number fused to text); never before a date/time unit.
_FUSED_TEXT = re.compile(r"^(\s*\d{1,2})(?=[\u4e00-\u9fff])(?![年月日号时点分秒个元万岁周天])")

# Lines a reposting site or CMS wraps around the notice. They are dropped from the body but
# kept in Document.dropped, because repost stamps and breadcrumbs are metadata clues. Every one
# is anchored at the start of the line, so they are tried as one alternation with ``match``;
# breadcrumbs (``首页 » 常识 » 预防 »``) are found by :func:`_is_breadcrumb`.
_CHROME_PATTERNS = (
    r"^(" + alternation("chrome_location_labels") + r")\s*[:>»›/]",
    r"^(" + alternation("chrome_buttons") + r")\s*[:：]?\s*(大|中|小|\s)*$",
    r"^(the\s+)?(beginning|end)$",
    r"^(tag|标签|关键词)\s*[:：]",
    r"^(" + alternation("chrome_related_links") + r")",
    r"^查看完整版本",
    r"^\d{1,3}$",
    r"^[↓↑→←\s]+$",
    r"^post\s*by\s*[:：]",
    r"^.{0,40}\s[-–—]\s(19|20)\d{2}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?$",
    r"^(" + alternation("chrome_byline_labels") + r")\s*[:：].{0,30}(更新时间|发布时间|时间)\s*[:：]",
    r"^(更新时间|更新日期)\s*[:：]",
)
_CHROME = re.compile("|".join(f"(?:{p.removeprefix('^')})" for p in _CHROME_PATTERNS))
# two " » " (or " > ", " › ") with at least one character before the first and between them: the
# pattern ``.+\s[»>›]\s.+\s[»>›]\s``, which backtracked over every pair of positions (215 of the
# 255 ms per 1,000 notices that page-chrome detection cost), found in two searches
_CRUMB = re.compile(r"\s[»>›]\s")
_BREADCRUMB = re.compile(r".+\s[»>›]\s.+\s[»>›]\s")


# A '?' or U+FFFD between Chinese characters: bytes decoded with the wrong code page upstream.
_MOJIBAKE = re.compile(r"[\u4e00-\u9fff]{1,3}(?:\?|\ufffd)+[,;，；]?[\u4e00-\u9fffA-Za-z]{1,3}|\ufffd")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str]:
    """Characters without which OpenCC's t2s cannot change a text (read from its own dictionaries).

    Every single character t2s converts, plus one character of each phrase it converts that
    contains none of those (``覆文`` → ``复文``, ``沈默`` → ``沉默``): a text with none of them matches
    no converting entry, so conversion would return it unchanged.
    """
    import json
    from collections import Counter
    from pathlib import Path

    import opencc

    root = Path(opencc.__file__).parent
    files: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "txt" and "file" in node:
                files.add(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((root / "config" / "t2s.json").read_text(encoding="utf-8")))
    changing = []
    for name in sorted(files):
        for line in (root / "dictionary" / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values.split() and values.split()[0] != key:
                changing.append(key)
    triggers = {k for k in changing if len(k) == 1}
    uncovered = [k for k in changing if triggers.isdisjoint(k)]
    while uncovered:  # greedy: few, rare characters (覆, 藉, 瞭, 沈, …) cover all such phrases
        best = Counter(ch for k in uncovered for ch in set(k)).most_common(1)[0][0]
        triggers.add(best)
        uncovered = [k for k in uncovered if best not in k]
    return frozenset(triggers)


def to_simplified(text: str) -> str:
    """Traditional → simplified.

    >>> to_simplified("停機時間")
    '停机时间'
    """
    triggers = _t2s_triggers()
    if triggers.isdisjoint(text):  # most notices: nothing to convert, skip the slow converter
        return text
    # OpenCC's convert() splits the text at spaces and punctuation and converts each piece on its
    # own; a piece without a trigger character comes back unchanged, so only the others are given
    # to the (pure-Python, slow) converter: a simplified notice with one 著 or 乾 in it converts
    # one piece, not the whole notice. Same result as convert(), piece by piece.
    cc = _t2s()
    pieces = cc.split_chars_re.split(text)
    for i in range(0, len(pieces), 2):  # even indexes: text between separators (as convert() does)
        if not triggers.isdisjoint(pieces[i]):
            pieces[i] = _convert_piece(pieces[i])
    return "".join(pieces)


@lru_cache(maxsize=4096)
def _convert_piece(piece: str) -> str:
    cc = _t2s()
    return cc._convert(piece, cc._dict_chain_data)


def strip_pinyin(text: str) -> str:
    """Pinyin in brackets after each character removed.

    >>> strip_pinyin("醫(yī)療保障")
    '醫療保障'
    """
    if "(" not in text:  # the pattern needs a "(" (one call per table cell: most have none)
        return text
    return _PINYIN.sub("", text)


def normalize_line(line: str) -> str:
    """Full-width → half-width (NFKC), BBCode removed, fused list numbers split.

    >>> normalize_line("[b]1. 11月21日20:00時[/b][b]起[/b]")
    '1. 11月21日20:00時起'
    """
    line = unicodedata.normalize("NFKC", line)
    line = line.replace("\u3000", " ").replace("\xa0", " ")
    # each substitution only where its literal can be (most lines have none): the same result
    if "[" in line:
        line = _BBCODE.sub("", line)
    # markdown emphasis and list marks: the same notice as HTML or PDF carries neither
    if "**" in line:
        line = _EMPHASIS.sub(r"\1", line)
    line = _LIST_MARK.sub("", line)
    line = arabize(line)
    # CMS buttons inline with the date line: 【打印】【关闭】【字体：大 中 小】
    if "【" in line:
        line = _BUTTONS.sub(" ", line)
    line = _FUSED_YEAR.sub(r"\1. ", line)
    line = _FUSED_TEXT.sub(r"\1 ", line)
    return line.strip()


# Chinese needs no spaces: in a long line, a space between two words is a line break a
# reposting site flattened ("…8时  二、停机期间…"). Table rows ("福州 2018.1.1~1.5") are short.
_CJK_OR_MARK = "\u4e00-\u9fff\u3001-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’《》【】（）()▼▲►▶●■◆◇★☆□○•·，。；：！？、:;,!?"
_FLATTENED_BREAK = re.compile(
    guarded(rf"(?<=[{_CJK_OR_MARK}])[ \t\u3000]+(?=[{_CJK_OR_MARK}])"  # between two words
    rf"|(?<=[{_CJK_OR_MARK}])[ \t\u3000]+(?=\d{{1,2}}[、.．](?:\D|\s*\d{{4}}\s*年)|\d{{4}}\s*年|\d{{4}}[-/.]\d|\d{{1,2}}月)"  # before an item or a date
    rf"|(?<=\d:\d\d)[ \t\u3000]+(?=[\u4e00-\u9fff]|\d{{1,2}}月)"  # after a page stamp's time: "14:05 3月25日"
    rf"|(?<=\d[-/]\d\d)[ \t\u3000]+(?=[\u4e00-\u9fff])|(?<=\d[-/]\d)[ \t\u3000]+(?=[\u4e00-\u9fff])")  # after a page date
)
FLATTENED_MIN_CHARS = 80


def unflatten(line: str) -> list[str]:
    """A line that a reposting site made of a whole page, split back at its spaces.

    ``"看这里 关于2024年度医保年终结转有关事项的通告 为做好…"`` (one line of 1,000 characters) →
    ``["看这里", "关于2024年度医保年终结转有关事项的通告", "为做好…"]``; a short line stays whole.
    """
    if len(line) < FLATTENED_MIN_CHARS or len(_FLATTENED_BREAK.findall(line)) < 2:
        return [line]
    out: list[str] = []
    for part in _FLATTENED_BREAK.split(line):
        if not part.strip():
            continue
        # a space inside brackets is not a line break: "(海都记者 林深圳)"
        if out and out[-1].count("(") + out[-1].count("（") > out[-1].count(")") + out[-1].count("）"):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def is_chrome(line: str) -> bool:
    """A navigation, share-button or repost-stamp line.

    >>> is_chrome("首页 » 常识 » 预防 » 正文"), is_chrome("停机期间暂停办理医保业务")
    (True, False)
    """
    low = line.strip().lower()
    return bool(_CHROME.match(low)) or _is_breadcrumb(low)


def _is_breadcrumb(low: str) -> bool:
    """``"首页 » 常识 » 预防 » …"`` → True: what ``_BREADCRUMB.search(low)`` says, without its backtracking."""
    if "\n" in low:  # "." stops at a line break: keep the pattern's own answer (never for a line)
        return bool(_BREADCRUMB.search(low))
    first = _CRUMB.search(low, 1)  # ".+" before it: at least one character
    return first is not None and _CRUMB.search(low, first.start() + 4) is not None


def normalize_document(doc: Document) -> tuple[Document, list[dict]]:
    """Return the normalised Document and the repairs that changed how the text reads."""
    repairs: list[dict] = []
    text = doc.text
    no_pinyin = strip_pinyin(text)
    if no_pinyin != text:
        sample = _PINYIN.search(text)
        repairs.append(
            repair("notices", "text", sample.group(0) if sample else "", "", "pinyin_removed",
                   f"{len(_PINYIN.findall(text))} pinyin annotations removed")
        )
    simplified = to_simplified(no_pinyin)
    # (compared character by character only when something was converted: most notices, in C)
    changed = 0 if simplified == no_pinyin else sum(1 for a, b in zip(no_pinyin, simplified) if a != b)
    if changed >= 1:
        repairs.append(
            repair("notices", "text", _first_diff(no_pinyin, simplified), _first_diff(simplified, no_pinyin),
                   "traditional_to_simplified", f"{changed} traditional characters converted to simplified")
        )
    else:
        simplified = no_pinyin
    garbled = _MOJIBAKE.findall(simplified) if "?" in simplified or "\ufffd" in simplified else []
    if garbled:
        repairs.append(repair("notices", "text", garbled[0], None, "mojibake_flagged",
                              f"{len(garbled)} places where a wrong encoding garbled characters, e.g. '{garbled[0]}'"))
    kept: list[str] = []
    dropped: list[str] = []
    for raw in simplified.split("\n"):
        for part in unflatten(raw.strip()):
            line = normalize_line(part)
            if not line:
                continue
            (dropped if is_chrome(line) else kept).append(line)
    for line in dropped:
        repairs.append(repair("notices", "text", line, None, "spam_line_dropped", "page chrome or repost-site line"))
    tables = tuple(
        replace(t, rows=tuple(tuple(normalize_line(to_simplified(strip_pinyin(c))) for c in row) for row in t.rows))
        for t in doc.tables
    )
    meta = dict(doc.meta)
    if "title" in meta:
        meta["title"] = normalize_line(to_simplified(meta["title"]))
    return replace(doc, lines=tuple(kept), tables=tables, meta=meta, dropped=tuple(dropped)), repairs


def _first_diff(a: str, b: str, width: int = 12) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[max(0, i - 4) : i + width]
    return a[:width]
