"""Phone numbers: find them in text, classify them, and put them in E.164 form.

phonenumbers validates numbers and knows Chinese number lengths; finding numbers in Chinese
prose (where ``2022-03-01`` and ``221.67元`` also look like digits) and recognising numbers
whose digits a reposting site lost are done here by rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from pipeline.vocab.gazetteer import area_code_for_city
from pipeline.vocab.terms import alternation

PHONE = re.compile(
    # every alternative begins with a digit or a bracket: checked first (before the lookbehind,
    # which costs more), the rest is skipped elsewhere
    r"(?=[\d(（])(?<![\d.\-/])(?:"
    r"(?P<mobile>1[3-9]\d{9})"
    r"|(?P<service>[48]00[-\s]?\d{3}[-\s]?\d{4})"
    r"|[(（]?(?P<area>0\d{2,3})[)）]?\s*[-－—–]?\s*(?P<local>\d{3,4}[-\s]?\d{4}|12345|12393|12333|\d{5})"
    r"|(?P<short>12345|12393|12333|12320|12361|95\d{3}|96\d{3})"
    r"|(?P<bare>\d{7,8})"
    r")(?![\d年月日号时点.%元])"
)
SHORT_NUMBERS = re.compile(r"^(?:0\d{2,3})?(?:12345|12393|12333|12320|12361|95\d{3}|96\d{3})$")
CONTACT_CONTEXT = re.compile(alternation("contact_context"), re.I)
DAMAGED_ONLY = re.compile(r"^[\s\-－—,，、()（）\d参保待遇咨询办公室转分机/]*$")


@dataclass(frozen=True)
class Phone:
    raw: str
    e164: str | None
    status: str  # ok, area_code_inferred, damaged, short_number
    inferred_area: str | None = None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# Cached: phonenumbers' parse and validation are slow, and the contact extractor looks at the
# same numbers in a notice several times; a pure function of its arguments (Phone is frozen).
@lru_cache(maxsize=4096)
def classify(raw: str, city: str | None, kind: str) -> Phone:
    """A number as printed → its E.164 form and status; a bare number takes the city's area code.

    >>> classify("029-87424266", "西安市", "area")
    Phone(raw='029-87424266', e164='+862987424266', status='ok', inferred_area=None)
    >>> classify("85324550", "西安市", "bare")
    Phone(raw='85324550', e164='+862985324550', status='area_code_inferred', inferred_area='29')
    >>> classify("12345", None, "short").status
    'short_number'
    """
    digits = _digits(raw)
    if SHORT_NUMBERS.match(digits):
        return Phone(raw, None, "short_number")
    if kind == "bare":
        code = area_code_for_city(city) if city else None
        if code is None:
            return Phone(raw, None, "damaged")
        num = _parse("0" + code + digits)
        if num is None:
            return Phone(raw, None, "damaged")
        return Phone(raw, num, "area_code_inferred", code)
    num = _parse(digits)
    if num is None:
        return Phone(raw, None, "damaged")
    return Phone(raw, num, "ok")


def _parse(digits: str) -> str | None:
    try:
        n = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n):
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def find_phones(text: str, city: str | None, contact_context: bool) -> list[tuple[int, int, Phone]]:
    """Every phone number in ``text`` with its span.

    Bare 7–8 digit numbers count only where the text is about contacting someone
    (``contact_context``), because elsewhere they are amounts or ids.
    """
    return list(_find_phones(text, city, contact_context))  # a new list: callers may change it


@lru_cache(maxsize=4096)
def _find_phones(text: str, city: str | None, contact_context: bool) -> tuple[tuple[int, int, Phone], ...]:
    """:func:`find_phones`, cached: the contact extractor searches the same lines more than once."""
    out = []
    for m in PHONE.finditer(text):
        kind = next(k for k in ("mobile", "service", "area", "short", "bare") if m.group(k))
        if kind in ("bare", "short") and not contact_context:
            continue
        if kind == "area" and len(_digits(m.group("local"))) == 5 and not SHORT_NUMBERS.match(_digits(m.group(0))):
            continue
        out.append((m.start(), m.end(), classify(m.group(0).strip(), city, kind)))
    return tuple(out)
