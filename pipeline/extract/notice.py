"""One notice, all tables: run every extractor over a normalised Document."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pipeline.document import Document
from pipeline.extract import Extraction, SourceHints
from pipeline.extract.contacts import extract_contacts
from pipeline.extract.guidance import extract_guidance
from pipeline.extract.metadata import PAGE_STAMP_CLUES, Metadata, extract_metadata
from pipeline.extract.places import assign_window_places
from pipeline.extract.windows import WindowResult, extract_windows
from pipeline.repair import repair
from pipeline.repair.confidence import city_confidence, contact_confidence, published_confidence
from pipeline.vocab.terms import vocabulary

STAR = re.compile(r"[*＊]")


@lru_cache(maxsize=1)
def _known_names() -> tuple[str, ...]:
    """Names a censored character may hide in: the vocabulary file, plus every province's
    政务服务网 (浙江政务服务网, 广东政务服务网, …) built from the gazetteer."""
    from pipeline.vocab.gazetteer import gazetteer, short_name

    names = [r["name"].strip() for r in vocabulary("known_names") if r["name"].strip()]
    names += [short_name(p) + "政务服务网" for p in sorted(set(gazetteer().provinces.values()))]
    return tuple(names)


def restore_censored(line: str, star: int) -> tuple[str, str | None]:
    """The censored token around ``line[star]`` and the one known name it fits, if exactly one.

    >>> restore_censored("请登录浙江*务服务网办理", 5)
    ('浙江*务服务网', '浙江政务服务网')
    """
    fits: dict[str, str] = {}
    for name in _known_names():
        for i in range(len(name)):
            left, right = name[:i], name[i + 1 :]
            if len(left) + len(right) < 3:
                continue
            if line[max(0, star - len(left)) : star] == left and line[star + 1 : star + 1 + len(right)] == right:
                fits[line[star - len(left) : star + 1 + len(right)]] = name
    longest = max(fits, key=len, default=None)
    # one name fits ("政务服务网" inside "浙江政务服务网" counts as the same fit, the longer token wins)
    if longest is not None and sum(1 for k in fits if len(k) == len(longest)) == 1:
        return longest, fits[longest]
    token = line[max(0, star - 2) : star + 3]
    return token, None


def censored_repairs(lines: list[str]) -> list[dict]:
    """One repair per distinct censored token: restored when exactly one known name fits, else flagged."""
    out, seen = [], set()
    for line in lines:
        for m in STAR.finditer(line):
            before, after = line[m.start() - 1 : m.start()], line[m.end() : m.end() + 1]
            if not ("\u4e00" <= before <= "\u9fff" and "\u4e00" <= after <= "\u9fff"):
                continue  # a footnote star or markdown, not a censored character
            token, name = restore_censored(line, m.start())
            if token in seen:
                continue
            seen.add(token)
            if name:
                out.append(repair("notices", "text", token, name, "censored_character",
                                  f"exactly one known name fits the pattern: {name}"))
            else:
                out.append(repair("notices", "text", token, None, "censored_character",
                                  "a character was censored by the source ('*'); no single known name fits"))
    return out


_PRINTED_YEAR = re.compile(r"(?:19|20)\d{2}")


def first_printed_stop(rows: list[dict]) -> date | None:
    """The day of the earliest window whose start was printed with its year (so not inferred from
    the very date being checked): a row starting ``2021-11-21 00:00`` printed ``2021年11月21日0时`` → 2021-11-21."""
    days = [r["start_at"].date() for r in rows
            if r.get("start_at") is not None and _PRINTED_YEAR.search(r.get("start_text") or "")]
    return min(days, default=None)


def metadata_repairs(md: Metadata) -> list[dict]:
    """The repairs rows of a notice's metadata: inferred or unresolved dates and cities, page stamps
    set aside, a compilation's withheld date and city, a manifest city that contradicts the issuer."""
    out = []
    if md.published_rule and md.published_text:
        out.append(repair("notices", "published_on", md.published_text,
                          md.published_on.isoformat() if md.published_on else None,
                          md.published_rule, md.published_evidence or ""))
    for text, why in md.stamps_after_events:
        out.append(repair("notices", "published_on", text, md.published_on.isoformat() if md.published_on else None,
                          "page_stamp_after_events", why))
    if md.published_withheld:
        out.append(repair("notices", "published_on", "", None, "compilation_page", md.published_withheld))
    if md.scope == "compilation":
        out.append(repair("notices", "city", "、".join(dict.fromkeys(b.label for b in md.places)), None,
                          "compilation_page", md.scope_evidence or ""))
    if md.city_rule:
        out.append(repair("notices", "city", "", md.city, md.city_rule, md.city_evidence or ""))
    if md.city_conflict:
        out.append(repair("notices", "city", md.city or "", md.city, "city_conflict", md.city_conflict))
    return out


def metadata_and_windows(doc: Document, hints: SourceHints) -> tuple[Metadata, list[str], WindowResult]:
    """A notice's metadata, body lines and windows: what the other extractors read (the guidance
    step takes the year clues and the stop sentences; its trainer reads notices through this too)."""
    md = extract_metadata(doc, hints)
    lines = list(doc.lines)
    windows = extract_windows(lines, md.clues, md.city)
    first_stop = first_printed_stop(windows.rows)
    if md.published_clue in PAGE_STAMP_CLUES and md.published_on and first_stop and md.published_on > first_stop:
        # the page's stamp is later than the stop it reports: a repost date. Read the notice's date
        # again without it, and the windows again with it as an upper bound instead of the date
        md = extract_metadata(doc, hints, stops_from=first_stop)
        windows = extract_windows(lines, md.clues, md.city)
    return md, lines, windows


def extract_notice(doc: Document, hints: SourceHints, notice_id: str,
                   normalization_repairs: list[dict] | None = None) -> Extraction:
    """Every table's rows for one notice; ``notice_id`` stamped on each row."""
    md, lines, windows = metadata_and_windows(doc, hints)
    place_repairs = assign_window_places(windows.rows, lines, md.places, md.city, md.province)
    contacts, contact_repairs = extract_contacts(doc, md.city)
    guidance = extract_guidance(lines, md.clues, windows.stop_sentences)
    repairs = list(normalization_repairs or []) + metadata_repairs(md)
    repairs += windows.repairs + place_repairs + contact_repairs + censored_repairs(lines)
    notice = {
        "notice_id": notice_id,
        "source_file": doc.source_file,
        "source_url": hints.url or doc.meta.get("url"),
        "format": doc.format,
        "title": md.title,
        "issuer": md.issuer,
        "city": md.city,
        "province": md.province,
        "published_on": md.published_on,
        "published_on_inferred": bool(md.published_inferred),
        "published_on_evidence": md.published_evidence,
        "repost_stamp": md.stamp,
        "city_evidence": md.city_evidence,
        "scope": md.scope,
    }
    notice["published_on_confidence"], notice["published_on_confidence_reasons"] = (
        published_confidence(md.published_clue, md.published_rule, bool(md.published_inferred))
        if md.published_on else ("low", []))
    notice["city_confidence"], notice["city_confidence_reasons"] = (
        city_confidence(md.city_clue, conflict=bool(md.city_conflict)) if md.city else ("low", []))
    for c in contacts:
        c["confidence"], c["confidence_reasons"] = contact_confidence(c["phone_status"], bool(c.get("phone_e164")))
    for row in windows.rows + guidance + contacts + repairs:
        row["notice_id"] = notice_id
    return Extraction(notice=notice, windows=windows.rows, guidance=guidance, contacts=contacts, repairs=repairs)
