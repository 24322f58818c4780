"""One notice, all tables: run every extractor over a normalised Document."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from pipeline.document import Document
from pipeline.extract import Extraction, SourceHints
from pipeline.extract.contacts import extract_contacts
from pipeline.extract.guidance import extract_guidance
from pipeline.extract.metadata import extract_metadata
from pipeline.extract.outage_window import extract_windows
from pipeline.repairs import repair

CENSORED = re.compile(r"[\u4e00-\u9fff]{1,8}[*＊][\u4e00-\u9fff]{1,8}")


@lru_cache(maxsize=1)
def _known_names() -> tuple[str, ...]:
    text = resources.files("pipeline.vocab").joinpath("data/known_names.csv").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines()[1:] if line.strip())


def censored_repairs(lines: list[str]) -> list[dict]:
    """``"浙江*务服务网"`` → restored as ``浙江政务服务网`` when exactly one known name fits."""
    out, seen = [], set()
    for line in lines:
        for m in CENSORED.finditer(line):
            token = m.group(0)
            if token in seen:
                continue
            seen.add(token)
            left, _, right = re.split(r"([*＊])", token, maxsplit=1)
            fits = sorted({n for n in _known_names() for k in range(1, len(left) + 1)
                           if re.search(re.escape(left[-k:]) + "." + re.escape(right[: max(1, len(right))][:len(right)]), n)
                           and k == len(left)} or {n for n in _known_names()
                                                   if re.search(re.escape(left[-2:]) + "." + re.escape(right[:3]), n)})
            if len(fits) == 1:
                name = fits[0]
                mm = re.search(re.escape(left[-2:]) + "(.)" + re.escape(right[:3]), name)
                restored = token.replace("*", mm.group(1)).replace("＊", mm.group(1)) if mm else name
                out.append(repair("notices", "text", token, restored, "censored_character",
                                  f"one known name fits the pattern: {name}"))
            else:
                out.append(repair("notices", "text", token, None, "censored_character",
                                  "a character was censored by the source ('*'); no single known name fits"))
    return out


def extract_notice(doc: Document, hints: SourceHints, notice_id: str,
                   normalization_repairs: list[dict] | None = None) -> Extraction:
    """Every table's rows for one notice; ``notice_id`` stamped on each row."""
    md = extract_metadata(doc, hints)
    lines = list(doc.lines)
    windows = extract_windows(lines, md.clues, md.city)
    contacts, contact_repairs = extract_contacts(doc, md.city)
    guidance = extract_guidance(lines, md.clues)
    repairs = list(normalization_repairs or [])
    if md.published_rule and md.published_text:
        repairs.append(repair("notices", "published_on", md.published_text,
                              md.published_on.isoformat() if md.published_on else None,
                              md.published_rule, md.published_evidence or ""))
    if md.city_rule:
        repairs.append(repair("notices", "city", "", md.city, md.city_rule, md.city_evidence or ""))
    repairs += windows.repairs + contact_repairs + censored_repairs(lines)
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
    }
    for row in windows.rows + guidance + contacts + repairs:
        row["notice_id"] = notice_id
    return Extraction(notice=notice, windows=windows.rows, guidance=guidance, contacts=contacts, repairs=repairs)
