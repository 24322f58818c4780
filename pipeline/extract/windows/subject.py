"""What a stop or a resumption is about: its services, their families, its domain, or everything.

Linking compares subjects: a resumption of the same service ends a stop; a resumption in
another domain (养老 vs 医保) or of a disjoint service (征收 vs 关系转移) never does.
``subject_of("暂停办理医保关系转移接续及征缴相关业务")`` → services 关系转移, 医保费征收;
families transfer, collection; domain 医保.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.extract.windows.cues import cue_pattern
from pipeline.vocab.terms import alternation, find_rows

# a general word that qualifies the business itself: "各项医保业务", "所有业务经办服务", "暂停的业务"
_GENERAL_OBJECT = r"[\u4e00-\u9fff]{0,8}?(?:" + alternation("general_objects") + r")"
# with no service named, these name the whole business: "暂停医保业务办理", "医保信息平台将关闭"
SYSTEM_WORDS = re.compile(alternation("system_words"))
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,12})[”\"」』]")
# a parenthesis that lists examples names no new subject: "(包括养老保险、失业保险、工伤保险)"
EXCEPTION = re.compile(r"除[^,，。;；]{1,30}?外")


@dataclass(frozen=True)
class Subject:
    """``Subject("暂停异地就医直接结算", services={"异地就医直接结算"}, families={"settlement"}, domains={"医保"})``."""

    text: str
    services: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    general: bool = False  # all business of its domain (or of everything when no domain)
    quoted: frozenset[str] = frozenset()  # words the notice sets in quotes: “不见面”

    @property
    def specific(self) -> bool:
        return bool(self.services) and not self.general

    def label(self) -> str | None:
        """The services for the ``service`` column: ``"实时结算、业务经办"``, or None for everything."""
        return "、".join(sorted(self.services, key=self.text.find)) if self.services and not self.general else None


EMPTY = Subject("")


@cache
def _general_re() -> re.Pattern[str]:
    return re.compile(f"(?:{cue_pattern(('general',)).pattern}){_GENERAL_OBJECT}")


def subject_of(text: str, extra_services: tuple[str, ...] = ()) -> Subject:
    """The subject named in ``text`` (a clause without its date).

    ``subject_of("起,恢复各项社保业务")`` → general, domain 社保;
    ``subject_of("柜面各项业务恢复正常办理")`` → general, service 柜面业务 (counters only).
    """
    plain = EXCEPTION.sub("", text)
    services: list[str] = []
    families: set[str] = set()
    for _, row in find_rows(plain, "services"):
        if row["service"] not in services:
            services.append(row["service"])
        families.add(row["family"])
    for s in extra_services:
        if s not in services:
            services.append(s)
    domains = {row["domain"] for _, row in find_rows(plain, "domains")}
    general_m = _general_re().search(plain)
    general = bool(general_m)
    if general_m is not None:
        # "所有医保业务" is general; "柜面各项业务" is every counter business, not everything
        named_in = {row["family"] for pos, row in find_rows(plain, "services")
                    if general_m.start() <= pos < general_m.end()
                    or general_m.start() == pos + len(row["term"])}
        if named_in - {"agency"}:
            general = False
    if not services and (SYSTEM_WORDS.search(plain) or not plain.strip()):
        general = True
    return Subject(
        text=text,
        services=frozenset(services),
        families=frozenset(families),
        domains=frozenset(domains),
        general=general,
        quoted=frozenset(QUOTED.findall(text)),
    )


def relation(stop: Subject, res: Subject) -> str:
    """How a resumption's subject relates to a stop's.

    ``"same_service"`` (a service in common, or a quoted word), ``"same_family"`` (services of one
    kind: 刷卡结算 and 联网结算), ``"general"`` (the resumption covers everything), ``"conflict"``
    (both name services and none is shared), ``"stop_general"`` (the stop covers everything, the
    resumption one service), or ``"none"``.
    """
    if stop.quoted & res.quoted or (stop.services & res.services and not (stop.general and res.general)):
        return "same_service"
    if res.general:
        return "general"
    if stop.families & res.families and not stop.general:
        return "same_family"
    if stop.specific and res.specific:
        return "conflict"
    if stop.general and res.specific:
        return "stop_general"
    return "none"


def domain_conflict(a: Subject, b: Subject) -> bool:
    """``医保`` against ``社保`` (pensions, unemployment, work injury) or ``公积金``: different systems."""
    return bool(a.domains and b.domains and not (a.domains & b.domains))


def split_by_domain(s: Subject) -> list[Subject]:
    """A stop naming two systems (``各项医保、社保业务``) as one subject per system, so that each
    can take its own system's resumption; a subject of one system stays whole."""
    if len(s.domains) < 2:
        return [s]
    return [Subject(s.text, s.services, s.families, frozenset({d}), s.general, s.quoted) for d in sorted(s.domains)]
