"""Step 1 of windows: every date or time of a notice, with its role and its subject.

A notice states a stop as a range (``X至Y暂停…``), as a start whose end is stated elsewhere
(``X起停机，Y起启用``; ``(三)恢复时间 Y起…恢复``), as a label and its value
(``停机时间：X``), or as a row of a flattened table. Each date gets a role from the words
around it — a stop, a resumption (or the new system's go-live), an open end (另行通知), or
nothing that concerns a window (a deadline for people, a news dateline, a patient's story) —
and a subject: what stops or resumes, under which heading and section. Nothing is linked
here; :mod:`pipeline.extract.windows.linking` chooses each stop's end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from pipeline.extract.outline import (
    HEADING_MARK,
    SCHEDULE_HEADING,
    OutlineState,
    paragraphs,
)
from pipeline.extract.timeexpr import (
    Resolved,
    TimeRange,
    YearChoice,
    arabize,
    find_ranges,
    implausible_points,
    resolve_point,
)
from pipeline.extract.windows.cues import cue_pattern, first_event_cue, has_cue
from pipeline.extract.windows.subject import EMPTY, EXCEPTION, Subject, subject_of
from pipeline.repair import repair
from pipeline.repair.resolve_year import YearClues
from pipeline.vocab.guard import guarded
from pipeline.vocab.terms import alternation, find_terms, load_rows, load_terms

STOP, RESUME, OPEN = "stop", "resume", "open"

# a line that dates the page, not an outage: "发布时间:2021-09-22 10:16", "作者: 时间:2021-11-17 点击数:"
PAGE_DATE_LINE = re.compile(r"^\s*(?:作者\s*[:：]\s*\S{0,12}\s*)?(" + alternation("page_date_labels") + r")\s*[:：]")
# "X前", "X以后(含)": the date bounds something people do, it is not an event of the system
DATE_BOUNDS_PEOPLE = re.compile(r"^\s*(?:" + alternation("date_bound_words") + r")(?!台)")
# "请于X前", "可于X至Y之间…办理": a period in which people act, never the system's
DEADLINE_BEFORE = re.compile(guarded(r"(" + alternation("deadline_words") + r")\s*(?:[于在到为]\s*)?$"))
ENDS = re.compile(alternation("lasts_until_words"))
PEOPLE_TERM = re.compile(alternation("people_terms"))
SYSTEM_CONTEXT = re.compile(alternation("system_context_words"))
STOP_LABEL = re.compile(r"(" + alternation("stop_label_verbs") + r")[^,，。;；]{0,8}(时间|期间|日期)\s*(?:[:：为是]|暂定|预计|拟)?\s*$")
RESUME_LABEL = re.compile(r"(" + alternation("resume_label_verbs") + r")[^,，。;；]{0,8}(时间|日期)\s*(?:[:：为是]|暂定为?|预计|拟)?\s*$")
# "跨省相关业务停机时间提前至18时": the stop moves to an earlier hour of the same day
DATELINE_ORG = re.compile(r"^\s*[\u4e00-\u9fff]{2,12}?(?:" + alternation("dateline_orgs") + r")")
SIGNED_BY = re.compile(r"(?:" + alternation("signing_orgs") + r")\s*$")
PAGE_STAMP_BEFORE = re.compile(r"(?:(?:" + alternation("page_stamp_labels") + r")\s*[:：]?"
                               r"|(?:^|\s)(?:时间|日期)\s*[:：])\s*$", re.I)
PAGE_STAMP_AFTER = re.compile(r"^\s*(?:" + alternation("page_stamp_after") + r"|\|)")
MOVED_EARLIER = re.compile(r"提前(?:至|到|为)\s*$")
CLAUSE_SPLIT = re.compile(r"[,，;；。!?！？]")
SENTENCE_SPLIT = re.compile(r"(?<=[。;；!?！？])")
# the conditional "如…提前或延后,将另行发布公告" announces no open end
CONDITIONAL = re.compile(r"(?:^|[,，])\s*(?:" + alternation("conditional_words") + r")")
OPEN_NEEDS = re.compile(alternation("open_end_needs"))
ROLE_OF_CUE = {"stop": STOP, "resume": RESUME, "go_live": RESUME, "open": OPEN, "report": None}
_WHOLE_SYSTEM = re.compile(alternation("whole_system_words"))
_WHOLE_BUSINESS_REST = re.compile(guarded(r"(?:" + alternation("whole_business_rest_words") + r"|[市省区县])+"))
_LIST_ITEM_LEAD = re.compile(r"^\s*(?:" + alternation("list_item_connectives") + r")?\s*[,，]?\s*")
_SCHEDULE_LABEL_WORDS = re.compile(alternation("schedule_label_words"))
# "迁移到…平台", "切换至新系统": a destination, not an object
_DESTINATION = re.compile(r"^\s*(?:到|至|为|成)")


@dataclass
class Mention:
    """One statement in the text that a window may be made of.

    ``kind`` is ``stop`` (``at`` is the start, ``end`` a printed end), ``resume`` (``at`` is when
    the subject returns; ``go_live`` when it is the new system starting) or ``open`` (the text
    says the end will be announced; ``at`` is None).
    """

    kind: str
    at: datetime | None
    evidence: str
    subject: Subject = EMPTY
    at_text: str = ""
    end: datetime | None = None
    end_text: str | None = None
    scheme: str | None = None
    service: str | None = None
    service_text: str | None = None  # what stops, as printed (service_of)
    service_printed: bool = False  # service is the printed object, not the vocabulary's terms
    section: int = 0
    block: int | None = None  # label/value lines ("暂停时间：X；恢复时间：Y") read as one block
    sentence_no: int = 0
    order: int = 0
    date_only: bool = False
    year_inferred: bool = False
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (column, rule, value, evidence)
    go_live: bool = False
    pair: int | None = None  # a resumption: the stop just before it in the same sentence ("X起停机，Y起启用")
    group: int | None = None  # a stop: the dated stop whose list it continues ("…；暂停Y；暂停Z")
    parent: int | None = None  # a stop moved earlier ("停机时间提前至18时"): the stop it moves
    from_table: bool = False
    inferred: bool = False  # the stop's role came from a heading or a later clause, not a verb by the date


@dataclass
class Mentions:
    stops: list[Mention] = field(default_factory=list)
    resumes: list[Mention] = field(default_factory=list)
    opens: list[Mention] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in CLAUSE_SPLIT.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return spans


def _clause_of(spans: list[tuple[int, int]], pos: int) -> int:
    for i, (a, b) in enumerate(spans):
        if a <= pos <= b:
            return i
    return len(spans) - 1


def _cue_role(text: str) -> str | None | bool:
    """Role of the first event cue in ``text``; ``False`` when there is none."""
    found = first_event_cue(text)
    if found is None:
        return False
    return ROLE_OF_CUE[found[0]]


# what a range's clause holds besides the range itself: brackets, 起/至, 期间, 将于…
_RANGE_WORDS = re.compile(r"[\s()（）起止至到期间~\-—:：由自从于将在即左右许]")


def role_of(sentence: str, r: TimeRange, spans: list[tuple[int, int]], next_point: int) -> tuple[str | None, str]:
    """``(role, verb clause text)`` of a range or point in its sentence.

    Roles: ``stop``, ``resume``, ``end`` (``持续至X``), ``deadline``, ``open``, ``bare`` (a range
    standing alone, a stop only under a schedule heading), or None.
    ``role_of("2021年9月21日8时起正式切换上线国家平台", …)`` → ``("resume", …)``.
    """
    end = (r.end or r.start).end
    after_raw = sentence[end:next_point]
    if DATE_BOUNDS_PEOPLE.match(after_raw):
        return "deadline", ""
    ci = _clause_of(spans, r.start.start)
    cstart, cend = spans[ci]
    before = sentence[cstart : r.start.start]
    after = sentence[end : min(cend, next_point)]
    own = before + after
    if DEADLINE_BEFORE.search(before):
        return "deadline", own
    if has_cue(own, "unaffected"):
        return None, own
    # the verb right after the expression decides first: "…停机切换 预计3月14日恢复" is a resumption
    if DATELINE_ORG.match(after_raw) or SIGNED_BY.search(sentence[: r.start.start]) or PAGE_STAMP_BEFORE.search(
            sentence[: r.start.start]) or PAGE_STAMP_AFTER.match(after_raw):
        # "2022年2月26日西安市医疗保障局…攻略", "…医疗保障局 2021年10月14日", "发表于 2021-11-27 08:48":
        # the date of the notice or of the page, not an event, nor a context for the dates after it
        return "page", ""
    head = EXCEPTION.sub("", after)[:8]
    role = _cue_role(head)
    if role is not False:
        return role, own
    if ENDS.search(before[-8:]):
        # "停机将持续至X" ends the stop; "长处方可延长至X", "报销期限延长至X" are deadlines for people
        people = PEOPLE_TERM.search(before)
        return ("end" if SYSTEM_CONTEXT.search(sentence[: r.start.start]) and not people else "deadline"), own
    if STOP_LABEL.search(before):
        return STOP, own
    if RESUME_LABEL.search(before):
        return RESUME, own
    if _cue_role(EXCEPTION.sub("", after)) is None:
        return None, own  # a report ("记者昨天从市医保中心获悉"): the date of the news, not an event
    found = first_event_cue(EXCEPTION.sub("", own), ("stop", "stop_weak", "resume", "resume_weak", "go_live", "open"))
    if found is not None:
        return ROLE_OF_CUE[found[0]], own
    rest = _RANGE_WORDS.sub("", own)
    if len(rest) <= 4 or not has_cue(own, "people"):
        # a range standing alone as the topic ("X至Y,医保信息系统升级,暂停…"): the verb follows;
        # a full range may stand two clauses before its verb, a lone date as well
        looked = 0
        for a, b in spans[ci + 1 :]:
            if next_point <= b and not sentence[a:next_point].strip(" ,，"):
                return None, own  # the next clause opens with its own date: its verb is not ours
            if next_point < len(sentence) and next_point <= b:
                return "bare", ""  # the next date's own label ("恢复时间暂定3月7日"): not our verb
            nxt = EXCEPTION.sub("", sentence[a:b])
            if len(nxt.strip()) <= 3:
                continue  # "同时", "除…外": connectives, not the topic's verb
            role = _cue_role(nxt)
            if role is not False:
                return role, nxt
            looked += 1
            if has_cue(nxt, "people") or looked >= 3:
                return "bare", nxt
        return "bare", ""
    return None, own


def _object_after_verb(text: str) -> str:
    found = first_event_cue(text, ("stop", "stop_weak"))
    return text[found[1].end():] if found else text


BRACKETS = re.compile(r"\(.*?\)|（.*?）|\(.*$|（.*$")
# words around the object that are not part of it: "将于…起", "届时", "其中", "均将"
_LEADING = re.compile(r"^[\s,，:：、]*(?:" + alternation("object_leading_words") + r")*[\s,，:：]*")
_TRAILING = re.compile(guarded(r"(?:" + alternation("object_trailing_words") + r"|,|，|\s)+$"))
_NOT_A_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z]")
_FILLER_HEAD = re.compile(r"^(?:" + alternation("object_filler_verbs") + r")+")
_PLACE_HEAD = re.compile(r"^(?:" + alternation("object_place_words") + r")+")


# a stop cue that names a label or a period ("停机时间:", "停机期间"), not the act of stopping something
_CUE_AS_LABEL = re.compile(r"^\s*(?:" + alternation("cue_label_words") + r")")


def _stop_cues(text: str) -> list[re.Match[str]]:
    """Stop cues of ``text`` that stop something (not labels such as ``停机时间``), in order."""
    pat = cue_pattern(("stop", "stop_weak"))
    return [m for m in pat.finditer(text) if not _CUE_AS_LABEL.match(text[m.end():])]


def _clean(phrase: str) -> str | None:
    phrase = _TRAILING.sub("", _FILLER_HEAD.sub("", _LEADING.sub("", phrase))).strip(" 。,，")
    return phrase[:60] if len(_NOT_A_WORD.sub("", BRACKETS.sub("", phrase))) >= 2 else None


_CLAUSE_OR_LABEL_END = re.compile(r"[,，;；。:：]")
_CLAUSE_END = re.compile(r"[,，;；。]")


@cache
def _leading_stop_cues() -> re.Pattern[str]:
    """Stop cues at the start of a text, one or more ("停机切换")."""
    return re.compile(f"^(?:{cue_pattern(('stop', 'stop_weak')).pattern})+")


def printed_object(after: str, before: str = "") -> str | None:
    """What the text says stops, as printed: the object of the first stop verb after the date, else
    the words before that verb, else the words before the date (``before``, its own clause).

    ``printed_object("起,暂停办理住房公积金提取、销户、转移、并户、贷款等业务")`` →
    ``"住房公积金提取、销户、转移、并户、贷款等业务"``; ``printed_object("起暂停", "其中,门诊慢特病结算于")`` →
    ``"门诊慢特病结算"``; ``printed_object("", "停机时间:")`` → None (a label names no object).
    """
    cues = _stop_cues(after)
    if cues:
        m = cues[0]
        obj = CLAUSE_SPLIT.split(after[m.end():], maxsplit=1)[0]
        # "停机切换", "停机升级": a second verb is no object
        obj = _leading_stop_cues().sub("", obj)
        # "迁移到…平台", "切换至新系统": the destination, not what stops
        found = None if _DESTINATION.match(obj) else _clean(obj)
        if found:
            return found
        head = _CLAUSE_OR_LABEL_END.split(after[: m.start()])[-1]
        found = _clean(head)
        if found:
            return found
    clause = _CLAUSE_END.split(before)[-1]
    labels = [m for m in cue_pattern(("stop", "stop_weak")).finditer(clause)]
    if labels and not cues:
        # "…暂停医保结算(2022年2月10日…)": the verb stood before the date
        m = labels[-1]
        if not _CUE_AS_LABEL.match(clause[m.end():]):
            return _clean(clause[m.end():]) or _clean(clause[: m.start()])
        return None
    return _clean(clause) if cues else None


@cache
def _general_words() -> re.Pattern[str]:
    terms = sorted({r["term"] for r in load_rows("full_stop_words")} | {t for t, _ in load_terms("schemes")}
                   | {t for t, _ in load_terms("domains")}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, terms)))


def names_everything(printed: str) -> bool:
    """Whether a printed object names the whole business (全部业务, 医保信息系统, 城镇职工及城乡居民医保业务):
    nothing but the words of ``vocab/data/full_stop_words.csv``, schemes, systems and places.

    ``names_everything("全市医保部门所有业务")`` → True; ``names_everything("门诊慢特病结算")`` → False.
    """
    if _WHOLE_SYSTEM.search(printed):
        return True  # the system itself stops: all it serves
    rest = _PLACE_HEAD.sub("", BRACKETS.sub("", printed))
    rest = _general_words().sub("", rest)
    rest = _PLACE_HEAD.sub("", _NOT_A_WORD.sub("", rest))
    return len(rest) <= 1 or bool(_WHOLE_BUSINESS_REST.fullmatch(rest))


def service_of(after: str, before: str = "") -> tuple[str | None, str | None]:
    """``(service, service_text)`` of a stop (``after``/``before``: the words after the date and
    before it in its clause): the vocabulary's services named (``services.csv``), or None when the
    text explicitly stops everything (全部业务, 医保信息系统, 停机 with nothing named), or the printed
    object when it names something the vocabulary does not know — never "everything" for a
    service nobody listed.

    ``service_of("起暂停", "其中,门诊慢特病结算于")`` → ``("门诊慢特病结算", "门诊慢特病结算")`` if the vocabulary
    lacks it; ``service_of("起,暂停医保实时结算")`` → ``("实时结算", "医保实时结算")``; ``service_of("起停机")`` → ``(None, None)``.
    """
    printed = printed_object(after, before)
    if printed is None:
        return None, None
    plain = BRACKETS.sub("", printed)
    terms = find_terms(plain, "services")
    if terms:
        return "、".join(terms), printed
    if names_everything(plain):
        return None, printed
    return _printed_service(printed), printed


def _printed_service(printed: str | None) -> str | None:
    """The service column's value for a printed object the vocabulary does not know."""
    return BRACKETS.sub("", printed).strip(" 、,，等") if printed else None


CELL_SPLIT = re.compile(r"\s{2,}|\t")
STOP_COLUMN = re.compile(guarded(r"(" + alternation("stop_column_verbs") + r")[^\s]{0,4}时间|^停机$"))
RESUME_COLUMN = re.compile(r"(" + alternation("resume_column_verbs") + r")[^\s]{0,4}时间")


def flattened_header(line: str) -> tuple[int, int | None] | None:
    """Columns of a table flattened into text: ``"县(区)  停机时间  恢复时间"`` → (1, 2)."""
    cells = CELL_SPLIT.split(line.strip())
    if len(cells) < 2 or find_ranges(line):
        return None
    stop_i = next((i for i, c in enumerate(cells) if STOP_COLUMN.search(c)), None)
    if stop_i is None:
        return None
    res_i = next((i for i, c in enumerate(cells) if RESUME_COLUMN.search(c)), None)
    return stop_i, res_i


def flattened_row(line: str, header: tuple[int, int | None]) -> tuple[str, TimeRange] | None:
    """A row under such a header: ``"阳朔县  12月30日17:30  1月3日8:00"`` → ("阳朔县", range)."""
    cells = CELL_SPLIT.split(line.strip())
    stop_i, res_i = header
    if len(cells) <= stop_i:
        return None
    stop_ranges = find_ranges(cells[stop_i])
    if not stop_ranges:
        return None
    r = stop_ranges[0]
    if r.end is None and res_i is not None and len(cells) > res_i:
        res = find_ranges(cells[res_i])
        if res:
            r = TimeRange(r.start, res[0].start, f"{cells[stop_i]} — {cells[res_i]}")
    return cells[0], r


def resolve_range(r: TimeRange, clues: YearClues, context: datetime | None,
                  earlier: datetime | None = None) -> tuple[Resolved, Resolved | None]:
    """Both ends of a range on the calendar; a date-only end means the end of that day.

    ``earlier`` is the last moment of the paragraph before this sentence: when nothing else
    gives a year, a date takes that moment's year ("2026年1月4日0:00起…;1月4日9:00起…").
    """

    def guess(month: int, day: int, weekday: int | None) -> YearChoice | None:
        anchored = clues.publication or clues.url_date or clues.stamp
        if earlier is not None and not anchored:
            # the nearest stated year comes before years printed elsewhere in the notice
            return YearChoice(earlier.year, "year_from_context",
                              f"the year of {earlier:%Y-%m-%d}, stated just before in the same paragraph")
        return clues.choose_event_year(month, day, weekday)

    s = resolve_point(r.start, context=context, publication=clues.publication, year_guess=guess, end_of_range=False)
    e = None
    if r.end is not None:
        e = resolve_point(
            r.end, context=s.at, publication=clues.publication, year_guess=guess,
            end_of_day_for_date_only=True,
        )
    return s, e


def backfill_years(ranges: list[TimeRange]) -> list[TimeRange]:
    """A date without a year takes the year of a later date in the same sentence.

    ``"自12月29日16:30起暂停…，2018年1月2日8:30恢复"`` → the stop is 2017-12-29: the year that
    puts it before the dated point that follows it.
    """
    out = list(ranges)
    for i, r in enumerate(out):
        p = r.start
        if p.year is not None or p.rel_day is not None or p.rel_year is not None or p.month is None \
                or p.rel_month is not None:
            continue
        later = next((q for rr in out[i:] for q in (rr.start, rr.end) if q is not None and q is not p and q.year), None)
        if later is None or later.month is None:
            continue
        year = later.year if (p.month, p.day or 1) <= (later.month, later.day or 1) else later.year - 1
        out[i] = TimeRange(replace(p, year=year), r.end, r.text)
    return out


def _notes(s: Resolved, e: Resolved | None) -> list[tuple[str, str, str, str]]:
    out = [("start_at", rule, val, ev) for rule, val, ev in s.notes]
    if e is not None:
        out += [("end_at", rule, val, ev) for rule, val, ev in e.notes]
    return out


def _open_subject(sentence: str) -> str | None:
    """The words an open end is said of: ``"…网厅停止所有线上医保业务,新的网厅上线时间另行通知"``
    → the clause before the cue; None when the sentence announces no open end."""
    found = first_event_cue(sentence, ("open",))
    if found is None:
        return None
    _, m = found
    clause_start = max(sentence.rfind(c, 0, m.start()) for c in ",，;；。") + 1
    if CONDITIONAL.search(sentence[:m.start()][-30:]) and not OPEN_NEEDS.search(sentence[clause_start:m.start()]):
        return None  # "如系统切换进度提前或延后,将另行发布公告": a contingency
    if m.group(0) in ("另行通知", "另行公告", "另行告知", "另行发布", "另行安排", "待定") and \
            not OPEN_NEEDS.search(sentence[clause_start : m.start()]):
        return None
    # the open end is said of what the sentence names before the cue ("…“不见面”…系统,恢复时间另行通知")
    return sentence[: m.start()]


class _Finder:
    """Walks the paragraphs of one notice and collects its mentions."""

    def __init__(self, clues: YearClues):
        self.clues = clues
        self.out = Mentions()
        self.order = 0
        self.sentence_no = 0
        self.block = 0
        self.outline = OutlineState()

    def _next_order(self) -> int:
        self.order += 1
        return self.order

    def run(self, lines: list[str]) -> Mentions:
        table: tuple[int, int | None] | None = None
        in_block = False
        for para in paragraphs(lines):
            line = para.text
            if PAGE_DATE_LINE.search(line):
                continue
            header = flattened_header(line)
            if header is not None:
                table = header
                continue
            if table is not None:
                if self._table_row(line, table):
                    continue
                table = None
            is_head = self.outline.enter(line)
            if is_head and not find_ranges(line):
                in_block = False  # a heading closes a label/value block: the next section's pairs are its own
                continue
            label_value = bool(_TIME_LABEL_LINE.match(line))
            if label_value and not in_block:
                self.block += 1
            in_block = label_value
            self._paragraph(line, self.block if label_value else None)
        return self.out

    def _table_row(self, line: str, header: tuple[int, int | None]) -> bool:
        row = flattened_row(line, header)
        if row is None:
            return False
        label, r = row
        s, e = resolve_range(r, self.clues, None)
        if s.at is not None and (e is None or (e.at is not None and e.at >= s.at)):
            services = find_terms(label, "services")
            self.sentence_no += 1
            self.out.stops.append(Mention(
                kind=STOP, at=s.at, end=e.at if e else None, at_text=r.start.text,
                end_text=r.end.text if r.end else None, evidence=line.strip(),
                subject=subject_of(label), service="、".join(services) or None, scheme=None if services else label,
                service_text=label.strip() if services else None,
                section=self.outline.section, sentence_no=self.sentence_no, order=self._next_order(),
                year_inferred=s.year_inferred or bool(e and e.year_inferred), notes=_notes(s, e), from_table=True,
                date_only=not r.start.has_time))
        return True

    def _paragraph(self, line: str, block: int | None) -> None:
        context: datetime | None = None  # the last moment of the paragraph, for 当天, 次日, a bare hour
        group: Mention | None = None  # the dated stop whose "；暂停…" list continues
        for raw_sentence in SENTENCE_SPLIT.split(line):
            if not raw_sentence.strip():
                continue
            self.sentence_no += 1
            sentence = arabize(raw_sentence)
            # only a sentence about a stop or a restart can carry an impossible window date
            impossible = implausible_points(sentence) if has_cue(sentence, "stop", "resume", "go_live") else []
            for bad in impossible:
                self.out.problems.append(repair("outage_windows", "start_at", bad, None, "impossible_date",
                                                f"'{bad}' is not a possible date or time, in '{sentence.strip()[:80]}'"))
            ranges = backfill_years(find_ranges(sentence))
            open_subject = _open_subject(sentence)
            if open_subject is not None:
                self.out.opens.append(Mention(kind=OPEN, at=None, evidence=raw_sentence.strip(),
                                              subject=subject_of(open_subject), section=self.outline.section,
                                              sentence_no=self.sentence_no, order=self._next_order(), block=block,
                                              scheme=self.outline.scheme))
            if not ranges:
                group = self._list_item(sentence, raw_sentence, group)
                continue
            group, context = self._dated_sentence(sentence, raw_sentence, ranges, context, block)

    def _list_item(self, sentence: str, raw: str, group: Mention | None) -> Mention | None:
        """``"…起,暂停A;暂停B;同时C暂停使用"``: a sentence without a date that only continues the
        stop list before it is one more subject of that stop."""
        if group is None:
            return None
        body = _LIST_ITEM_LEAD.sub("", HEADING_MARK.sub("", sentence))
        found = first_event_cue(body[:30], ("stop", "stop_weak", "resume", "go_live", "people"))
        if found is None or found[0] not in ("stop", "stop_weak"):
            return None
        service, service_text = service_of(body)
        item = replace(group, evidence=raw.strip(), subject=subject_of(body), service=service, service_text=service_text,
                       service_printed=bool(service and service == _printed_service(service_text)),
                       sentence_no=self.sentence_no, order=self._next_order(), group=group.group or group.order,
                       notes=[])
        self.out.stops.append(item)
        return group

    def _dated_sentence(self, sentence: str, raw: str, ranges: list[TimeRange], context: datetime | None,
                        block: int | None) -> tuple[Mention | None, datetime | None]:
        spans = _clauses(sentence)
        para_context, context = context, None
        last_stop: Mention | None = None  # the last stop of this sentence, for "X起停机，Y起启用"
        group: Mention | None = None
        ol = self.outline
        for idx, r in enumerate(ranges):
            if context is None and r.start.month is None:
                context = para_context  # "当天9时左右": the day last named in the paragraph
            if r.start.rel_day is not None and r.start.rel_anchor == "previous" and context is None and not r.start.has_time:
                continue  # "出院当日" is a day in a patient's story, not a date
            next_point = ranges[idx + 1].start.start if idx + 1 < len(ranges) else len(sentence)
            role, verb_text = role_of(sentence, r, spans, next_point)
            label_text = sentence[: r.start.start]
            inline_schedule = bool(SCHEDULE_HEADING.search(label_text)) or (
                ol.schedule and r.end is not None
                and (len(_SPACE_OR_COLON.sub("", label_text)) <= 8 or not has_cue(verb_text + label_text, "people"))
            )
            inferred = role == "bare" or (role is None and inline_schedule)
            if role in (None, "bare") and inline_schedule and r.end is not None:
                role = STOP
                verb_text = verb_text or label_text
            elif role == "bare" and ol.schedule and r.end is None and (r.start.has_time or verb_text.strip()):
                role = STOP  # a lone day without a time under the schedule heading is a signature, not a stop
            moved = role == STOP and not r.start.has_date and last_stop is not None and last_stop.end is not None \
                and bool(MOVED_EARLIER.search(label_text[-12:]))
            if role == "page":
                continue
            if role not in (STOP, RESUME, "end"):
                if r.start.has_date:
                    s, _ = resolve_range(r, self.clues, context, para_context)
                    context = s.at or context
                continue
            if moved and last_stop is not None and last_stop.at is not None:
                at = last_stop.at.replace(hour=r.start.hour or 0, minute=r.start.minute or 0)
                s, e = Resolved(at=at if at <= last_stop.at else None), None
                if s.at is None:
                    continue
            else:
                s, e = resolve_range(r, self.clues, context, para_context)
            if s.at is None:
                self.out.problems.append(repair("outage_windows", "start_at", r.start.text, None, s.problem_rule,
                                                s.problem or "cannot date this expression"))
                continue
            context = s.at
            if role in (RESUME, "end"):
                if last_stop is not None and last_stop.end is None and s.at < last_stop.at:
                    self.out.problems.append(repair(
                        "outage_windows", "end_at", r.start.text, None, "impossible_date",
                        f"resumption {s.at:%Y-%m-%d %H:%M} is before start {last_stop.at:%Y-%m-%d %H:%M} "
                        f"in '{sentence.strip()[:80]}': end left open"))
                    last_stop = None
                    continue
                found = first_event_cue(EXCEPTION.sub("", verb_text))
                # what resumes: named after the date ("X起恢复各项业务") or before it ("…系统将于X上线")
                cstart = spans[_clause_of(spans, r.start.start)][0]
                res_text = sentence[cstart : r.start.start] + sentence[(r.end or r.start).end : next_point]
                subj = subject_of(_ROUND_BRACKETS.sub("", res_text if role == RESUME else ""))
                if role == "end":
                    subj = replace(subj, general=True)
                self.out.resumes.append(Mention(
                    kind=RESUME, at=s.at, at_text=r.start.text, evidence=raw.strip(), subject=subj,
                    scheme=ol.scheme, section=ol.section, block=block, sentence_no=self.sentence_no,
                    order=self._next_order(), date_only=not r.start.has_time, year_inferred=s.year_inferred,
                    notes=[("end_at", rule, val, ev) for rule, val, ev in s.notes],
                    go_live=bool(found and found[0] == "go_live"),
                    pair=last_stop.order if last_stop is not None else None))
                last_stop = None
                continue
            if e is not None and e.at is None:
                self.out.problems.append(repair("outage_windows", "end_at", r.end.text if r.end else "", None,
                                                e.problem_rule, e.problem or "cannot date this expression"))
            if e is not None and e.at is not None and e.at < s.at:
                self.out.problems.append(repair(
                    "outage_windows", "end_at", r.text, None, "impossible_date",
                    f"end {e.at:%Y-%m-%d %H:%M} before start {s.at:%Y-%m-%d %H:%M}: range dropped"))
                continue
            row_label = label_text.strip()
            table_scheme = None
            if inline_schedule and _SHORT_WORD.fullmatch(row_label or "") and not SCHEDULE_HEADING.search(row_label):
                table_scheme = row_label
            elif inline_schedule and row_label.endswith((":", "：")) and not _SCHEDULE_LABEL_WORDS.search(row_label):
                table_scheme = HEADING_MARK.sub("", row_label).strip(" :：")[:30] or None
            scheme = table_scheme or ol.scheme or ("、".join(find_terms(_object_after_verb(verb_text)[:8], "schemes")) or None)
            heading_services = tuple(find_terms(ol.service_label or "", "services"))
            cstart = spans[_clause_of(spans, r.start.start)][0]
            service, service_text = service_of(sentence[(r.end or r.start).end : next_point], sentence[cstart : r.start.start])
            service_printed = bool(service and service == _printed_service(service_text))
            if service is None and heading_services:
                service, service_printed = "、".join(heading_services), False
            # what stops: the clause of the date and the clauses after it, up to the next date
            cstart = spans[_clause_of(spans, r.start.start)][0]
            subj_text = sentence[cstart : r.start.start] + sentence[(r.end or r.start).end : next_point]
            if role == STOP and not has_cue(subj_text, "stop", "stop_weak") and verb_text:
                subj_text += "," + verb_text  # the verb stood in a later clause ("X至Y,医保信息系统升级")
            subj_text = _ANY_BRACKETS.sub("", subj_text)
            stop = Mention(
                kind=STOP, at=s.at, end=e.at if e else None, at_text=r.start.text,
                end_text=r.end.text if r.end else None, evidence=raw.strip(),
                subject=subject_of(subj_text, heading_services), scheme=scheme, service=service,
                service_text=service_text, service_printed=service_printed,
                section=ol.section, block=block, sentence_no=self.sentence_no, order=self._next_order(),
                date_only=not r.start.has_time, year_inferred=s.year_inferred or bool(e and e.year_inferred),
                notes=_notes(s, e), parent=last_stop.order if moved and last_stop is not None else None,
                inferred=inferred,
            )
            self.out.stops.append(stop)
            last_stop = stop
            group = stop
        return group, context or para_context


# patterns of _Finder, compiled once
_TIME_LABEL_LINE = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十\d]+[)）、.．]?\s*)?[^,，。;；:：]{0,14}(?:时间|日期)\s*[:：]")
_SPACE_OR_COLON = re.compile(r"[\s:：]")
_ROUND_BRACKETS = re.compile(r"\(.*?\)")
_SHORT_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")
_ANY_BRACKETS = re.compile(r"\(.*?\)|（.*?）")


def find_mentions(lines: list[str], clues: YearClues) -> Mentions:
    """Every stop, resumption and open end of a notice's body lines, in order of appearance."""
    return _Finder(clues).run(lines)
