"""Outage windows: every distinct interruption a notice announces.

A notice states a stop as a range (``X至Y暂停…``), as a start with its resumption
elsewhere (``X起停机，Y起启用``; ``(三)恢复时间 Y起…恢复``), or restates it later in a guide
(``停机期间(X至Y)``). Mentions are collected clause by clause, then merged: a mention with
the start of an earlier window is that window restated, not a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from pipeline.repairs import repair
from pipeline.resolve_year import YearClues
from pipeline.timeexpr import Resolved, TimeRange, find_ranges, implausible_points, resolve_point
from pipeline.vocab.terms import find_terms

STOP = re.compile(r"停机|暂停|停止|关闭|停用|停办|中断|暂时停止|停止运行|停止使用|停止受理|切换上线|系统切换|不能办理|无法办理")
RESUME = re.compile(r"恢复|启用|上线|开通|开机|重新开放")
GENERAL = re.compile(r"各项|所有|全部|全面|业务服务|各类")
BEFORE_AFTER = re.compile(r"^\s*(?:之前|以前|前|之后|以后|后)(?!台)")
PUBLICATION_LINE = re.compile(r"^\s*(发布时间|发布日期|发文日期|更新时间|来源|信息来源|日期)\s*[:：]")
ENDS = re.compile(r"持续至|持续到|延续至|延长至|一直到")
OPEN_END = re.compile(r"另行通知|另行公告|另行告知|待定|视情况")
OTHER_VERB = re.compile(r"办理|垫付|报销|就医|购药|出院|入院|缴纳|缴费|申请|符合|携带|持|凭|发生|上班|放假|门诊|开放")
CLAUSE_SPLIT = re.compile(r"[,，;；。!?！？]")
SENTENCE_SPLIT = re.compile(r"(?<=[。;；!?！？])")
HEADING_MARK = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十]+\)|\d{1,2}[、.]\s*|第[一二三四五六七八九十]+[条部分章])\s*")
SCHEDULE_HEADING = re.compile(r"(停机|切换|暂停|停办|结转|关闭|停止)[^,，。]{0,8}(时间|安排)")
SYSTEM_WORDS = re.compile(r"系统|平台|所有医保|全部医保|各项医保|医保相关业务|所有业务")


@dataclass
class Mention:
    """One statement of a stop found in the text."""

    start: datetime
    end: datetime | None
    start_text: str
    end_text: str | None
    evidence: str
    service: str | None
    scheme: str | None
    year_inferred: bool
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (column, rule, value, evidence)
    order: int = 0
    date_only: bool = False  # the start names a day but no time ("6月28日起", "今晚")
    open_end: bool = False  # the notice says the end will be announced (另行通知)
    match_terms: tuple[str, ...] = ()  # services named anywhere in the stop's clause, for matching resumptions


@dataclass
class Resumption:
    at: datetime
    text: str
    services: list[str]
    general: bool
    evidence: str
    scheme: str | None = None  # the scheme section it was stated in (省直医保, 市本级)


def is_heading(line: str) -> bool:
    """A short line without a sentence in it: ``"原省直职工医保"``, ``"(二)实时结算停机时间"``."""
    s = line.strip()
    if len(s) > 26 or re.search(r"[。;；]", s):
        return False
    if find_ranges(s) and not SCHEDULE_HEADING.search(s):
        return False
    return not re.search(r"[,，]", s)


def _heading_label(line: str) -> str:
    s = HEADING_MARK.sub("", line.strip()).strip(" :：")
    s = re.sub(r"(停机|切换|暂停|恢复)?(时间|安排)$", "", s)
    return s.strip(" :：")


def _scheme_of(label: str) -> str | None:
    """A heading names a scheme when it is a fund or insured group: ``"原省直职工医保"`` → itself."""
    if re.search(r"医保|医疗保险|职工|居民|省直|市直|本级|异地|离休|生育", label) and len(label) <= 12 and not re.search(
        r"业务|办理|安排|期间|时间|门诊|住院|攻略|事项|说明|影响", label
    ):
        return label
    return None


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


def _role(sentence: str, r: TimeRange, spans: list[tuple[int, int]], next_point: int) -> tuple[str | None, str]:
    """``("stop" | "resume" | None, verb clause text)`` of a range or point in its sentence."""
    end = (r.end or r.start).end
    after_raw = sentence[end:next_point]
    if BEFORE_AFTER.match(after_raw):
        return None, ""
    ci = _clause_of(spans, r.start.start)
    cstart, cend = spans[ci]
    before = sentence[cstart : r.start.start]
    after = sentence[end : min(cend, next_point)]
    own = before + after
    # the verb right after the expression decides first: "…停机切换 预计3月14日恢复" is a resumption
    head = after[:8]
    hs, hr = STOP.search(head), RESUME.search(head)
    if hr and (not hs or hr.start() < hs.start()):
        return "resume", own
    if hs:
        return "stop", own
    if ENDS.search(before[-8:]):
        return "end", own
    stop_m, res_m = STOP.search(own), RESUME.search(own)
    if stop_m and (not res_m or stop_m.start() < res_m.start() or STOP.search(before)):
        return "stop", own
    if res_m:
        return "resume", own
    rest = re.sub(r"[\s()（）起止至到期间~\-—:：由自从于将在即]", "", own)
    if len(rest) <= 4 or not OTHER_VERB.search(own):
        # a range standing alone as the topic ("X至Y,医保信息系统升级,暂停…"): the verb follows
        # a full range may stand two clauses before its verb; a lone date only one
        for a, b in spans[ci + 1 : ci + (4 if r.end is not None else 2)]:
            if next_point <= b and not sentence[a:next_point].strip(" ,，"):
                return None, own  # the next clause opens with its own date: its verb is not ours
            nxt = sentence[a : min(b, next_point)]
            stop_m, res_m = STOP.search(nxt), RESUME.search(nxt)
            if stop_m and (not res_m or stop_m.start() < res_m.start()):
                return "stop", nxt
            if res_m:
                return "resume", nxt
            if OTHER_VERB.search(nxt) or next_point <= b:
                return "bare", nxt
        return "bare", ""
    return None, own


def _object_after_verb(text: str) -> str:
    m = STOP.search(text)
    return text[m.end():] if m else text


def _service_of(verb_text: str) -> str | None:
    obj = _object_after_verb(verb_text)
    obj = re.sub(r"\(.*?\)|（.*?）", "", obj)
    if SYSTEM_WORDS.search(obj) and not find_terms(obj, "services"):
        return None
    terms = find_terms(obj, "services")
    return "、".join(terms) if terms else None


CELL_SPLIT = re.compile(r"\s{2,}|\t")
STOP_COLUMN = re.compile(r"(停机|停止|暂停|关闭|结转|切换|停办)[^\s]{0,4}时间|^停机$")
RESUME_COLUMN = re.compile(r"(恢复|启用|上线|开通|开机)[^\s]{0,4}时间")


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


@dataclass
class WindowResult:
    rows: list[dict]
    repairs: list[dict]


def _resolve_range(r: TimeRange, clues: YearClues, context: datetime | None) -> tuple[Resolved, Resolved | None]:
    guess = clues.choose_event_year
    s = resolve_point(r.start, context=context, publication=clues.publication, year_guess=guess)
    e = None
    if r.end is not None:
        e = resolve_point(
            r.end, context=s.at, publication=clues.publication, year_guess=guess,
            end_of_day_for_date_only=True,
        )
    return s, e


def extract_windows(lines: list[str], clues: YearClues, city: str | None) -> WindowResult:
    """Outage windows of a notice's body lines, with the repairs their dates needed."""
    mentions: list[Mention] = []
    resumptions: list[Resumption] = []
    problems: list[dict] = []
    heading_scheme: str | None = None
    heading_service: str | None = None
    schedule_context = False
    order = 0
    table: tuple[int, int | None] | None = None
    for line in lines:
        if PUBLICATION_LINE.search(line):
            continue  # "发布时间:2021-09-22 10:16 【关闭】" dates the page, not an outage
        header = flattened_header(line)
        if header is not None:
            table = header
            continue
        if table is not None:
            row = flattened_row(line, table)
            if row is None:
                table = None
            else:
                label, r = row
                s_, e_ = _resolve_range(r, clues, None)
                if s_.at is not None and (e_ is None or (e_.at is not None and e_.at >= s_.at)):
                    services = find_terms(label, "services")
                    notes = [("start_at", rule, val, ev) for rule, val, ev in s_.notes]
                    notes += [("end_at", rule, val, ev) for rule, val, ev in (e_.notes if e_ else [])]
                    order += 1
                    mentions.append(Mention(
                        start=s_.at, end=e_.at if e_ else None, start_text=r.start.text,
                        end_text=r.end.text if r.end else None, evidence=line.strip(),
                        service="、".join(services) or None, scheme=None if services else label,
                        year_inferred=s_.year_inferred or bool(e_ and e_.year_inferred), notes=notes, order=order))
                continue
        if is_heading(line):
            label = _heading_label(line)
            scheme = _scheme_of(label)
            if HEADING_MARK.match(line) or not scheme:
                schedule_context = bool(SCHEDULE_HEADING.search(line))
                heading_service = "、".join(find_terms(label, "services")) or None
                heading_scheme = None
            if scheme:
                heading_scheme = scheme
            if not find_ranges(line):
                continue
        for sentence in SENTENCE_SPLIT.split(line):
            if not sentence.strip():
                continue
            for bad in implausible_points(sentence):
                if STOP.search(sentence) or RESUME.search(sentence):
                    problems.append(repair("outage_windows", "start_at", bad, None, "impossible_date",
                                           f"'{bad}' is not a possible date or time, in '{sentence.strip()[:80]}'"))
            ranges = backfill_years(find_ranges(sentence))
            if not ranges:
                continue
            spans = _clauses(sentence)
            context: datetime | None = None
            open_stop: Mention | None = None
            for idx, r in enumerate(ranges):
                if r.start.rel_day is not None and r.start.rel_anchor == "previous" and context is None and not r.start.has_time:
                    continue  # "出院当日" is a day in a patient's story, not a date
                next_point = ranges[idx + 1].start.start if idx + 1 < len(ranges) else len(sentence)
                role, verb_text = _role(sentence, r, spans, next_point)
                label_text = sentence[: r.start.start]
                inline_schedule = bool(SCHEDULE_HEADING.search(label_text)) or (
                    schedule_context and r.end is not None
                    and (len(re.sub(r"[\s:：]", "", label_text)) <= 8 or not OTHER_VERB.search(verb_text + label_text))
                )
                if role in (None, "bare") and inline_schedule and r.end is not None:
                    role = "stop"
                    verb_text = verb_text or label_text
                elif role == "bare" and schedule_context and r.end is None:
                    role = "stop"
                if role not in ("stop", "resume", "end"):
                    if r.start.has_date:
                        s, _ = _resolve_range(r, clues, context)
                        context = s.at or context
                    continue
                s, e = _resolve_range(r, clues, context)
                if s.at is None:
                    problems.append(repair("outage_windows", "start_at", r.start.text, None, s.problem_rule,
                                           s.problem or "cannot date this expression"))
                    continue
                context = s.at
                if role == "end":
                    target = open_stop or next((m for m in reversed(mentions) if m.end is None), None)
                    if target is not None and target.end is None and s.at >= target.start:
                        target.end, target.end_text = s.at, r.start.text
                        target.notes += [("end_at", rule, val, ev) for rule, val, ev in s.notes]
                    # "停机切换将持续至X,届时…同步恢复": the end of the whole switch
                    resumptions.append(Resumption(s.at, r.start.text, [], True, sentence.strip()))
                    continue
                if role == "resume":
                    if open_stop is not None and open_stop.end is None and s.at < open_stop.start:
                        problems.append(repair("outage_windows", "end_at", r.start.text, None, "impossible_date",
                                               f"resumption {s.at:%Y-%m-%d %H:%M} is before start {open_stop.start:%Y-%m-%d %H:%M} "
                                               f"in '{sentence.strip()[:80]}': end left open"))
                        open_stop = None
                        continue
                    if open_stop is not None and open_stop.end is None:
                        # "X起停机，Y起启用…": the resumption of the stop just stated
                        open_stop.end, open_stop.end_text = s.at, r.start.text
                        open_stop.notes += [("end_at", rule, val, ev) for rule, val, ev in s.notes]
                        open_stop.year_inferred = open_stop.year_inferred or s.year_inferred
                        open_stop = None
                        continue
                    named = find_terms(re.sub(r"\(.*?\)", "", sentence), "services")
                    resumptions.append(Resumption(s.at, r.start.text, named,
                                                  bool(GENERAL.search(verb_text)) or not named, sentence.strip(),
                                                  heading_scheme))
                    continue
                if e is not None and e.at is None:
                    problems.append(repair("outage_windows", "end_at", r.end.text if r.end else "", None,
                                           e.problem_rule, e.problem or "cannot date this expression"))
                if e is not None and e.at is not None and e.at < s.at:
                    problems.append(repair("outage_windows", "end_at", r.text, None, "impossible_date",
                                           f"end {e.at:%Y-%m-%d %H:%M} before start {s.at:%Y-%m-%d %H:%M}: range dropped"))
                    continue
                row_label = label_text.strip()
                table_scheme = None
                if inline_schedule and re.fullmatch(r"[\u4e00-\u9fff]{2,6}", row_label or "") and not SCHEDULE_HEADING.search(row_label):
                    table_scheme = row_label
                elif inline_schedule and row_label.endswith((":", "：")) and not re.search(r"时间|安排|期间", row_label):
                    table_scheme = HEADING_MARK.sub("", row_label).strip(" :：")[:30] or None
                scheme = table_scheme or heading_scheme or ("、".join(find_terms(_object_after_verb(verb_text)[:8], "schemes")) or None)
                service = _service_of(verb_text) or heading_service
                notes = [("start_at", rule, val, ev) for rule, val, ev in s.notes]
                if e is not None:
                    notes += [("end_at", rule, val, ev) for rule, val, ev in e.notes]
                order += 1
                mentions.append(
                    Mention(
                        start=s.at, end=e.at if e else None, start_text=r.start.text,
                        end_text=r.end.text if r.end else None, evidence=sentence.strip(),
                        service=service, scheme=scheme, year_inferred=s.year_inferred or bool(e and e.year_inferred),
                        notes=notes, order=order, date_only=not r.start.has_time, open_end=r.end is None and bool(OPEN_END.search(sentence)),
                        match_terms=tuple(find_terms(re.sub(r"\(.*?\)", "", verb_text + label_text), "services")),
                    )
                )
                open_stop = mentions[-1] if r.end is None else None
            # a stop and its resumption in one sentence: "X起停机，Y起启用…"
    if not mentions and not any(r["rule"] == "impossible_date" for r in problems):
        announced = next((ln for ln in lines if STOP.search(ln) and not find_ranges(ln) and OPEN_END.search(ln)), None)
        if announced is not None:
            problems.append(repair("outage_windows", "start_at", announced.strip()[:80], None, "window_undated",
                                   "the notice announces a stop but prints no date or time for it"))
    return _merge(mentions, resumptions, problems, city)


def backfill_years(ranges: list[TimeRange]) -> list[TimeRange]:
    """A date without a year takes the year of a later date in the same sentence.

    ``"自12月29日16:30起暂停…，2018年1月2日8:30恢复"`` → the stop is 2017-12-29: the year that
    puts it before the dated point that follows it.
    """
    out = list(ranges)
    for i, r in enumerate(out):
        p = r.start
        if p.year is not None or p.rel_day is not None or p.rel_year is not None or p.month is None:
            continue
        later = next((q for rr in out[i:] for q in (rr.start, rr.end) if q is not None and q is not p and q.year), None)
        if later is None or later.month is None:
            continue
        year = later.year if (p.month, p.day or 1) <= (later.month, later.day or 1) else later.year - 1
        out[i] = TimeRange(replace(p, year=year), r.end, r.text)
    return out


def _city_named(label: str | None) -> str | None:
    """A province-wide table's row label that names one city: ``"福州"`` → ``"福州市"``."""
    if not label:
        return None
    from pipeline.vocab.gazetteer import gazetteer

    g = gazetteer()
    cities = {p.name for p in g.lookup(label) + g.lookup_short(label, "city") if p.level == "city"}
    return cities.pop() if len(cities) == 1 else None


def _overlap(a: set[str], b: list[str]) -> bool:
    """Services match when named alike; every kind of 结算 (刷卡, 联网, 实时) is one family."""
    if a & set(b):
        return True
    return any(x.endswith("结算") for x in a) and any(y.endswith("结算") for y in b)


def _merge(mentions: list[Mention], resumptions: list[Resumption], problems: list[dict], city: str | None) -> WindowResult:
    windows: list[Mention] = []
    sources: list[str] = []
    for m in mentions:
        if m.end is not None:
            same = next((w for w in windows if w.start == m.start and (w.end == m.end or w.end is None)
                         and (w.scheme == m.scheme or not w.scheme or not m.scheme)), None)
            if same is not None:
                if same.end is None:
                    same.end, same.end_text = m.end, m.end_text
                    same.notes += [n for n in m.notes if n[0] == "end_at"]
                    sources[windows.index(same)] = "range"
                same.service = same.service or m.service
                continue
            windows.append(m)
            sources.append("range")
        else:
            same = next((w for w in windows if w.start == m.start), None) or next(
                (w for w in windows if m.date_only and w.start.date() == m.start.date()), None)
            if same is not None:
                same.service = same.service or m.service
                continue
            later_same_day = next((w for w in mentions if w is not m and not w.date_only and w.start.date() == m.start.date()
                                   and m.date_only), None)
            if later_same_day is not None:
                continue  # a headline's "6月28日起" restating a window the body times precisely
            windows.append(m)
            sources.append("")
    main = max((w for w, src in zip(windows, sources) if src == "range" and not w.service), key=lambda w: w.end, default=None) or \
        max((w for w, src in zip(windows, sources) if src == "range"), key=lambda w: w.end, default=None)
    repairs = list(problems)
    for i, w in enumerate(windows):
        if w.end is not None or w.open_end:
            continue
        services = set((w.service or "").split("、")) - {""}
        subject = set(w.match_terms) - services
        later = sorted((r for r in resumptions if r.at > w.start), key=lambda r: r.at)
        # a resumption stated under another scheme's heading (省直 vs 市本级) is not this window's
        later = [r for r in later if not (r.scheme and w.scheme and r.scheme != w.scheme)]
        match = (next((r for r in later if _overlap(services, r.services)), None)
                 or next((r for r in later if _overlap(subject, r.services)), None)
                 or next((r for r in later if r.general), None))
        if match is None and later and not services:
            match = later[0]
        if match is not None:
            w.end, w.end_text = match.at, match.text
            sources[i] = "resume_statement"
            repairs.append(repair("outage_windows", "end_at", "", match.at.strftime("%Y-%m-%dT%H:%M"),
                                  "end_from_resume_statement", f"resumption stated in: {match.evidence[:120]}"))
        elif main is not None and main.end is not None and main.end > w.start:
            w.end, w.end_text = main.end, main.end_text
            sources[i] = "main_window"
            repairs.append(repair("outage_windows", "end_at", "", main.end.strftime("%Y-%m-%dT%H:%M"),
                                  "end_from_main_window", f"no own resumption; ends with the switch window: {main.evidence[:120]}"))
    rows = []
    for n, (w, src) in enumerate(zip(windows, sources), start=1):
        hours = round((w.end - w.start).total_seconds() / 3600, 2) if w.end else None
        rows.append(
            {
                "window_no": n, "city": city or _city_named(w.scheme), "scheme": w.scheme, "service": w.service,
                "start_at": w.start, "end_at": w.end, "start_text": w.start_text, "end_text": w.end_text,
                "year_inferred": w.year_inferred, "end_source": src or None, "hours": hours, "evidence": w.evidence,
            }
        )
        for column, rule, value, ev in w.notes:
            raw = w.start_text if column == "start_at" else (w.end_text or "")
            used = w.start if column == "start_at" else w.end
            if rule.startswith("year_") and used is not None:
                value = used.strftime("%Y-%m-%dT%H:%M")  # the value used, not only its year
            repairs.append(repair("outage_windows", column, raw, value, rule, ev))
    return WindowResult(rows, repairs)

