"""Contacts: one row per (organisation, phone number) a notice lists.

Three shapes occur: a directory table (region column, one column per office, merged cells
for sub-offices), ``name phone`` lines under a ``咨询电话`` heading, and phone numbers inside
sentences (``可咨询我市12345热线``). Numbers whose digits the source lost become rows with no
number and status ``damaged``; nothing is ever invented.
"""

from __future__ import annotations

import re

from pipeline.document import Document, Table
from pipeline.extract.phones import CONTACT_CONTEXT, DAMAGED_ONLY, PHONE, Phone, find_phones
from pipeline.extract.places import NUMBERING
from pipeline.repair import repair
from pipeline.vocab.gazetteer import gazetteer
from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import alternation

REGION_HEADER = re.compile(alternation("region_headers"))
CONTACT_HEADING = re.compile(guarded(r"(" + alternation("contact_purposes") + r")?(" + alternation("contact_channels") + r")"))
LABEL_LINE = re.compile(r"^(?P<label>[^:：|]{2,40}?)\s*[:：]\s*(?P<value>.*)$")
NAME_PHONE_LINE = re.compile(r"^(?P<label>[\u4e00-\u9fff()（）、]{2,30})\s+(?P<value>[\d\-－—()（）\s、,，/]+)$")


# what leads a contact's name in prose or under a heading, and is not part of it: a numbered
# heading's mark (三、咨询电话, （三）, 3.), a telephone symbol, the words that offer the number
# (如有疑问,请拨打 / 有疑问？拨打 / 联系人：), a field label (咨询电话：)
_LEADING_MARKS = re.compile(r"^[^\u4e00-\u9fffA-Za-z0-9(（]+")
_NUMBERED = re.compile(rf"^\s*{NUMBERING}\s*")
# the words offering a number (拨打, 致电, 联系人, 可咨询), with any clause before them: not a name's
# own 咨询 (医保咨询服务中心)
_OFFER = re.compile(r"^(?:.*[,，。?？!！]\s*)?(?:[^,，。]{0,8}?(?:请|可|或))?\s*(?:" + alternation("offer_verbs") + r"|(?<=[请可或])咨询)\s*[:：]?\s*")
_FIELD_LABEL = re.compile(r"^(?:" + alternation("phone_label_words") + r")?(?:" + alternation("contact_channels") + r")\s*[:：]\s*")
# a column header or a bare phone word is no organisation ("单位  电话" over a flattened table)
_GENERIC = re.compile(r"^(?:(?:" + alternation("column_headers") + r")\s*)+$|^(?:" + alternation("phone_label_words") + r")?(?:" + alternation("phone_words") + r")$")
# 市医保服务中心电话 → 市医保服务中心
_PHONE_WORD_END = re.compile(guarded(r"的?(?:" + alternation("phone_label_words") + r")?(?:" + alternation("number_words") + r")$"))
# "咨询电话:0825-22": a number cut off by a truncated page
_CUT_NUMBER = re.compile(r"^(?P<pre>.{0,20}?)(" + alternation("phone_label_words") + r")?(" + alternation("phone_line_words") + r")\s*[:：]\s*(?P<num>[\d\-－—()（）\s]*\d[\d\-－—]*)\s*$")
# a contact heading's phone word and what follows it
_HEADING_REST = re.compile(guarded(r"(" + alternation("phone_label_words") + r")?(" + alternation("contact_channels") + r").*$"))
# "市医保中心咨询电话：…": the words before the label and the numbers after it
_LABELLED_NUMBER = re.compile(r"^(?P<pre>.*?)(" + alternation("phone_label_words") + r")?(" + alternation("phone_line_words") + r")\s*[:：]\s*(?P<rest>.*)$")
_HEADER_PHONE_WORDS = re.compile(guarded(r"(咨询)?电话|联系方式|号码"))


def clean_org(text: str | None) -> str | None:
    """An organisation name without what leads it in the text, or ``None`` when nothing is left.

    ``"三、"`` → ``None`` (the heading ``三、咨询电话``); ``"（三） 市医保局待遇科"`` → ``"市医保局待遇科"``;
    ``"☎ 有疑问？拨打"`` → ``None``; ``"联系人：省医保局待遇保障处 李敏，"`` → ``"省医保局待遇保障处 李敏"``;
    ``"咨询电话：市医保服务中心"`` → ``"市医保服务中心"``; ``"单位"`` → ``None``.
    """
    t = (text or "").strip()
    previous = None
    while t and t != previous:
        previous = t
        t = _LEADING_MARKS.sub("", t)
        t = _NUMBERED.sub("", t)
        t = _FIELD_LABEL.sub("", t)
        t = t.strip(" :：,，、;；")
    if t and _OFFER.match(t):
        t = _OFFER.sub("", t).strip(" :：,，、;；")
    if not _GENERIC.match(t):
        t = _PHONE_WORD_END.sub("", t).strip(" :：,，、;；")  # 市医保服务中心电话
    if not t or _GENERIC.match(t):
        return None
    return t


def contact_label(before: str, previous: str | None = None) -> str | None:
    """Who answers a number, from the text between the previous number and this one.

    The last clause names it (``"总院门诊 "`` → ``"总院门诊"``); when that clause is only a phone
    word, the clause offering the number before it (``"如有疑问,请联系我中心资金管理股,联系电话:"``
    → ``"我中心资金管理股"``); a second number joined by 、 keeps the first one's
    (``"市医保中心 64152379、63186420"``: ``previous`` for ``"、"``).
    """
    if previous and re.fullmatch(r"[\s、,，/或及和]*", before):
        return previous
    clauses = [c for c in re.split(r"[。;；,，]", before.strip(" :：,，、;；()（）")) if c.strip()]
    if not clauses:
        return None
    label = clean_org(clauses[-1][-20:].strip())
    if label is None and len(clauses) > 1 and _OFFER.match(clauses[-2]):
        label = clean_org(clauses[-2][-20:].strip())
    return label


def hotline_name(line: str, raw: str) -> str:
    """The name a short service number is printed with, else ``"NUMBER热线"``.

    ``("医保服务热线：12393", "12393")`` → ``"医保服务热线"`` (not ``"医保 12393热线"``);
    ``("可拨打医保服务热线0310-12393咨询。", "0310-12393")`` → ``"医保服务热线"``;
    ``("如有疑问，可拨打12393医保服务热线。", "12393")`` → ``"医保服务热线"``; ``("咨询电话：12345。", "12345")`` → ``"12345热线"``.
    """
    at = line.find(raw)
    if at >= 0:
        after = re.match(r"^\s*([\u4e00-\u9fff]{0,8}?热线)", line[at + len(raw):])
        if after and len(after.group(1)) > 2:
            return after.group(1)
        before = re.search(r"([\u4e00-\u9fff]{0,12}热线)\s*[:：]?\s*$", line[:at])
        name = clean_org(before.group(1)) if before else None
        if name and len(name) > 2 and name.endswith("热线"):
            return name
    return f"{raw}热线"


def _is_phone_cell(cell: str) -> bool:
    return bool(PHONE.search(cell)) and len(re.sub(r"[\d\-－—()（）\s、,，/]", "", cell)) <= 2


def _region_name(text: str) -> str | None:
    t = re.sub(r"\s+", "", text)
    if not t or re.fullmatch(r"\d+", t):
        return None
    return t


def _is_district(name: str) -> bool:
    return any(p.level == "district" for p in gazetteer().lookup(name))


def table_contacts(table: Table, city: str | None) -> list[tuple[str | None, str | None, Phone]]:
    """Contacts of a directory table, merged cells carried down.

    A row ``["14", "西咸新区", "空港新城医疗保障局", "029-33636591", …]`` gives
    ``("西咸新区", "空港新城医疗保障局", Phone("029-33636591", …))``.
    """
    rows = [list(r) for r in table.rows]
    if not rows:
        return []
    header = rows[0] if table.has_header else [""] * len(rows[0])
    body = rows[1:] if table.has_header else rows
    width = max(len(r) for r in rows)
    header = header + [""] * (width - len(header))
    for i in range(1, width):  # a blank header cell belongs to the spanning header on its left
        if not header[i].strip():
            header[i] = header[i - 1]
    region_col = next((i for i, h in enumerate(header) if REGION_HEADER.search(h)), None)
    if region_col is None and body and all(re.fullmatch(r"\d*", r[0].strip()) for r in body if r):
        region_col = 1 if width > 1 else None
    out = []
    last_region: str | None = None
    for row in body:
        row = row + [""] * (width - len(row))
        if not any(_is_phone_cell(c) for c in row):
            continue
        region = _region_name(row[region_col]) if region_col is not None else None
        if region is None:
            region = last_region
        last_region = region
        names = [c.strip() for i, c in enumerate(row) if i != region_col and c.strip() and not _is_phone_cell(c)
                 and not re.fullmatch(r"\d+", c.strip())]
        for i, cell in enumerate(row):
            if not _is_phone_cell(cell):
                continue
            if names:
                org = names[0]
            else:
                head = _HEADER_PHONE_WORDS.sub("", header[i]).strip()
                org = f"{region or ''}{head}" if head and region and not head.startswith(region) else (head or region)
            for _, _, phone in find_phones(cell, city, contact_context=True):
                out.append((region, org or None, phone))
    return out


def extract_contacts(doc: Document, city: str | None) -> tuple[list[dict], list[dict]]:
    rows: list[dict] = []
    repairs: list[dict] = []
    seen: set[tuple] = set()

    def add(region: str | None, org: str | None, phone: Phone) -> None:
        key = (region, org, phone.e164 or phone.raw)
        if key in seen:
            return
        seen.add(key)
        rows.append({"region": region, "organization": org, "phone_raw": phone.raw,
                     "phone_e164": phone.e164, "phone_status": phone.status})
        if phone.status == "area_code_inferred":
            repairs.append(repair("contacts", "phone_e164", phone.raw, phone.e164, "area_code_from_city",
                                  f"local number printed without area code; {city} uses 0{phone.inferred_area}"))
        elif phone.status == "damaged":
            reason = "digits lost in the source" if len(re.sub(r"\D", "", phone.raw)) < 7 else \
                "local number without area code and the notice's city is unknown"
            rule = "digits_lost" if len(re.sub(r"\D", "", phone.raw)) < 7 else "area_code_from_city"
            repairs.append(repair("contacts", "phone_e164", phone.raw, None, rule, f"{org or region}: {reason}"))

    for table in doc.tables:
        for region, org, phone in table_contacts(table, city):
            add(region, org, phone)

    block_prefix: str | None = None
    in_block = False
    for line in doc.lines:
        s = line.strip()
        if s.startswith("|"):
            continue
        printed = s  # the whole line, for the name a short number is printed with
        heading = CONTACT_HEADING.search(s)
        cut = _CUT_NUMBER.match(s)
        if cut and not find_phones(cut.group("num"), city, True) and len(re.sub(r"\D", "", cut.group("num"))) < 7:
            # "咨询电话:0825-22": a number cut off by a truncated page, kept as printed and flagged
            add(None, clean_org(cut.group("pre")), Phone(cut.group("num").strip(), None, "damaged"))
            continue
        if heading and len(s) <= 40 and not find_phones(s, city, True):
            in_block = True
            block_prefix = clean_org(_HEADING_REST.sub("", s).strip(" :：").rstrip("(（"))
            block_prefix = None if block_prefix and len(block_prefix) > 12 else block_prefix
            continue
        if heading and len(s) <= 60:
            m = _LABELLED_NUMBER.match(s)
            if m and find_phones(m.group("rest"), city, True):
                block_prefix, in_block = clean_org(m.group("pre")), True
                s = m.group("rest")
        context = in_block or bool(CONTACT_CONTEXT.search(s))
        labelled = LABEL_LINE.match(s) or NAME_PHONE_LINE.match(s)
        if in_block and labelled and DAMAGED_ONLY.match(labelled.group("value")) and not find_phones(labelled.group("value"), city, True):
            label = labelled.group("label").strip()
            value = labelled.group("value").strip()
            if value and "-" in value:
                region = label if _is_district(label) or re.search(r"[区县市]$", label) else None
                add(region, label, Phone(value or "(blank)", None, "damaged"))
                continue
        phones = find_phones(s, city, contact_context=context)
        if not phones:
            if in_block and len(s) > 40:
                in_block = False
            continue
        prev_end = 0
        prev_label: str | None = None
        for start, end, phone in phones:
            label = contact_label(s[prev_end:start], prev_label if prev_end else None)
            prev_label = label
            if phone.status == "short_number":
                # a service hotline is named by itself (医保服务热线), never under a block's heading
                add(None, hotline_name(printed, phone.raw), phone)
                prev_end = end
                continue
            region = label if label and _is_district(label) else None
            org = " ".join(x for x in (block_prefix, label) if x) or None
            add(region, org, phone)
            prev_end = end
    return rows, repairs
