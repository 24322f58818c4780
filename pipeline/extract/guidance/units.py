"""The instructions of a notice, each with the situation context it stands in.

A unit is one sentence of a guidance paragraph, a Q&A answer, a bullet or a numbered item,
with its context: the question it answers, the bullet's bold condition, or the heading it stands
under. Stop schedules (``一、停机时间`` and the sentences that state a stop with its time) are not
instructions: they are windows, and count here only as evidence that something is suspended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.extract.guidance.action import has
from pipeline.extract.outline import HEADING_MARK, is_heading
from pipeline.extract.outline import heading_label as _heading_label
from pipeline.extract.outline import scheme_of as _scheme_of
from pipeline.extract.timeexpr import find_ranges
from pipeline.extract.windows.cues import cue_pattern

QUESTION = re.compile(r"^\s*(?:\d{1,2}\s*[.、]\s*|问\s*[:：]\s*|[QＱ]\s*[:：]?\s*)(?P<q>.+[?？])\s*$")
ANSWER = re.compile(r"^\s*(?:答|A|Ａ)\s*[:：]\s*")
INLINE_QA = re.compile(r"^(?P<q>[^。]{4,60}[?？])\s*(?:答\s*[:：])?\s*(?P<a>.+)$")
# "☛ **系统停机前可出院的** 出院当日…": a bullet glyph, the situation, a space, the instruction
BULLET = re.compile(r"^\s*[-•·☛☞🔹🔸▶►◆◇■□●○✅👉]?\s*[•·☛☞🔹🔸▶►◆◇■□●○✅👉]\s*(?P<cond>[^\s,，。:：]{2,40})\s+(?P<rest>\S.*)$")
# "参?;蛘骼U": a ';' inside mojibake is not the end of a sentence
SENTENCE = re.compile(r"(?<=[。；！!])|(?<=(?<!\?);)")
TITLE = re.compile(r"(问题解答|常见问题|公告|通告|通知|攻略|指南|须知|告知书|温馨提示)$")
PREAMBLE = re.compile(r"^\s*(按照|根据|依据|为了|为进一步|为做好|为确保|为提升|为落实|为保障|经研究|现将|现就|特此|如有疑问|咨询电话|联系电话)")
GUIDANCE_HEADING = re.compile(r"提醒|提示|指南|须知|注意|事项|办理|就医|攻略|措施|问答|解答|处理|安排$")
SCHEDULE_HEADING = re.compile(r"(停机|暂停|切换|停办|关闭|恢复|上线)[^,，。]{0,10}(时间|安排|范围)|涉及的单位|业务范围|停办范围|暂停服务及时间")
# a sentence that states a stop with its moment is a window, not an instruction


@cache
def _timed_stop() -> re.Pattern[str]:
    """A date marker, then a stop or resumption verb of the window vocabulary
    (``vocab/data/window_cues.csv``): ``"…20时起,暂时关闭…缴费功能"``; or ``暂停时间``."""
    verbs = cue_pattern(("stop", "resume")).pattern
    return re.compile(rf"(起|至|到|—|-)[^。；;]{{0,30}}(?:{verbs})|(暂停|停机)[^。；;]{{0,6}}时间")
CONSULT = re.compile(r"咨询|拨打|热线|来电|关注[^，,。]{0,10}(公告|通知|公众号|网站)|查询最新|做好[^，,。]{0,8}解释|及时与[^，,。]{0,20}联系")


@dataclass(frozen=True)
class Unit:
    """One instruction: ``text`` with its ``context`` (question, bullet condition or heading)."""

    text: str
    context: str  # the question it answers or the bullet's condition
    scheme: str | None
    condition: str | None  # the situation as the notice prints it, when it prints one
    paragraph: int
    in_schedule: bool  # under a stop-schedule heading: a suspension here is part of the schedule
    heading: str = ""  # the heading it stands under


# inline patterns, compiled once (units_of runs them on every line and sentence)
_ENDS_WITH_COLON = re.compile(r"[:：]$")
_WORKAROUND_IN_STOP = re.compile(r"垫付|报销|补办|前[,，]?[^。]{0,10}(结算|办理|缴)|备足|开药|视同|顺延")
_PUNCTUATION = re.compile(r"[\s,，。;；:：!！?？()（）“”\"]")
_ASKED_LABEL = re.compile(r"^问\s*[:：]\s*")
_ANSWER_LABEL = re.compile(r"^\s*答\s*[:：]\s*")
_ENDS_WITH_QUESTION = re.compile(r"[?？]\s*$")
_QUESTION_LABEL = re.compile(r"^\s*(?:问\s*[:：]|\d{1,2}\s*[.、])\s*")
_TOP_LEVEL_NUMBER = re.compile(r"^\s*[一二三四五六七八九十]+[、.]")
_ITEM_NUMBER = re.compile(r"^\d{1,2}\s*[。.、]?\s*(?=[\u4e00-\u9fff])(?![年月日号时点])")
_ITEM_HEAD = re.compile(r"^([^,，:：。\d]{2,14})[:：]")
_CLAUSE_PUNCTUATION = re.compile(r"[,，。;；]")
_CONSULT_ALSO_INSTRUCTS = re.compile(r"垫付|报销|结算|办理出院|备足")
_STOP_WORD = re.compile(r"暂停|停止|关闭|无法|不能")
_LIST_OR_NUMBER = re.compile(r"[,，;；\d]")
_QUESTION_END = re.compile(r"[?？]$")
_COMMA = re.compile(r"[,，]")
HEADING_VERBS = re.compile(r"无法|不能|暂停|停止|关闭|将|可以|可|请|需|应|均|已|根据|按照|为了|为做好")


def _is_heading(line: str) -> bool:
    """A heading of the guide: numbered (``(二)异地住院``), ending in a colon (``门诊业务:``), or a
    short label without a verb (``本地住院``); not a poster's line (``药店和医院均无法使用``)."""
    if not is_heading(line):
        return False
    s = line.strip()
    if HEADING_MARK.match(s) or _ENDS_WITH_COLON.search(s):
        return True
    return len(s) <= 16 and not HEADING_VERBS.search(s)


def _is_window_statement(sentence: str) -> bool:
    """``"2021年10月15日20时起,暂时关闭…缴费功能"`` states a stop; ``"11月18日17时前…开取药品"`` does not."""
    for r in find_ranges(sentence):
        if (r.start.has_time or r.end is not None or r.start.has_date) and _timed_stop().search(sentence[r.start.start : r.start.start + 60]):
            return not _WORKAROUND_IN_STOP.search(sentence)
    return False


def _plain(text: str) -> str:
    return _PUNCTUATION.sub("", HEADING_MARK.sub("", text.strip()))


STOP_LIST_INTRO = re.compile(r"(暂停|停止|停办)[^。]{0,12}(业务|事项)?包括|暂停以下|以下业务暂停")
SALUTATION = re.compile(r"^\s*(各|致|尊敬的|全市|广大)[^。]{0,40}[:：]\s*$")
STOP_ITEM = re.compile(r"^\s*(?:同时|并|另外)?[,，]?\s*(暂停|停止|关闭|暂时关闭)")
# cue kinds (vocab/data/guidance_cues.csv) that tell a person what to do instead of waiting
WORKAROUND_CUES = ("pay", "later_provider", "later_agency", "deemed", "stock", "before", "claim", "strong_unaffected")
WORKAROUND = re.compile(r"垫付|自付|自费|补办|补录|视同|视作|顺延|备足|开药|可先|待[^。]{0,20}后|前[^。]{0,10}(结算|办理|缴)")


def units_of(lines: list[str], stop_sentences: tuple[str, ...] = ()) -> tuple[list[Unit], list[str]]:
    """Every instruction unit of a notice, and the suspension statements of its stop schedule.

    ``stop_sentences`` are the sentences the window step read stops from: without a workaround in
    them they belong to the schedule.
    """
    stops = {_plain(x) for x in stop_sentences if x.strip()}

    def in_schedule_text(s: str) -> bool:
        p = _plain(s)
        return bool(p) and p in stops and not WORKAROUND.search(s)

    units: list[Unit] = []
    suspensions: list[str] = []
    heading, scheme, in_schedule, in_guidance = "", None, False, False
    question = ""
    para = 0
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        para += 1
        if not line or line.startswith("|"):
            i += 1
            continue
        q = QUESTION.match(line)
        if q and i + 1 < len(lines) and ANSWER.match(lines[i + 1]):
            answer = ANSWER.sub("", lines[i + 1]).strip()
            for s in _sentences(answer):
                units.append(Unit(s, q.group("q").strip(), scheme, q.group("q").strip(), para, False, heading))
            i += 2
            continue
        qa = INLINE_QA.match(_ASKED_LABEL.sub("", line)) if line.startswith("问") else None
        if qa:
            for s in _sentences(_ANSWER_LABEL.sub("", qa.group("a"))):
                units.append(Unit(s, qa.group("q"), scheme, qa.group("q"), para, False, heading))
            i += 1
            continue
        if SALUTATION.match(line):
            i += 1
            continue
        if _ENDS_WITH_QUESTION.search(line) and len(line) <= 60 and not ANSWER.match(line):
            question = _QUESTION_LABEL.sub("", line)  # the answer follows on its own lines
            i += 1
            continue
        if _is_heading(line):
            question = ""
            label = _heading_label(line)
            sch = _scheme_of(label)
            if sch:
                scheme = sch
            else:
                if HEADING_MARK.match(line) or len(label) >= 2:
                    heading = _ASKED_LABEL.sub("", label)
                    scheme = None if _TOP_LEVEL_NUMBER.match(line) else scheme
                    in_schedule = bool(SCHEDULE_HEADING.search(label))
                    in_guidance = bool(GUIDANCE_HEADING.search(label)) and not in_schedule
            i += 1
            continue
        b = BULLET.match(line)
        if b:
            cond = b.group("cond").strip("*")
            for s in _sentences(b.group("rest").strip("* ")):
                units.append(Unit(s, cond, scheme, cond, para, False, heading))
            i += 1
            continue
        body = HEADING_MARK.sub("", line).strip()
        body = _ITEM_NUMBER.sub("", body)
        # "(一)住院治疗人员,系统切换期间…": an item whose first words are its own heading
        item_head = ""
        m = _ITEM_HEAD.match(body)
        if m:
            item_head = m.group(1)
        listing_stops = False  # "…起,暂停A;暂停B;暂停C": the rest of a stop schedule's list
        asked = ""  # a question asked inside the paragraph ("…将面临怎样的困扰?在很多情况下,…")
        pieces = _pieces(body)
        sentences = [p for p, kind in pieces if kind == "sentence"]
        for s, kind in pieces:
            if kind == "label":
                heading = s  # "(二)市外住院" at a line's end, "(一)异地就医入院。" at its start: what follows is about it
                continue
            if kind == "question":
                asked = s
                continue
            if TITLE.search(s) and not _CLAUSE_PUNCTUATION.search(s):
                continue
            k = sentences.index(s)
            nxt = sentences[k + 1] if k + 1 < len(sentences) else ""
            starts_list = STOP_ITEM.match(s) and STOP_ITEM.match(nxt) and not WORKAROUND.search(s + nxt)
            if (listing_stops or starts_list) and STOP_ITEM.match(s) and not WORKAROUND.search(s):
                suspensions.append(s)
                listing_stops = True
                continue
            listing_stops = bool(STOP_LIST_INTRO.search(s))
            if listing_stops and not WORKAROUND.search(s):
                suspensions.append(s)
                continue
            if PREAMBLE.match(s) and not any(has(k, s) for k in ("pay", "later_provider", "later_agency", "deemed",
                                                                  "stock", "before", "claim")):
                continue  # "为进一步…", "根据…": the reason for the notice, unless it also instructs
            if CONSULT.search(s) and not _CONSULT_ALSO_INSTRUCTS.search(s) and not any(
                    has(k, s) for k in WORKAROUND_CUES):
                continue  # "如有疑问请咨询…"; but "…社保大厅提供业务咨询及手工收件服务" also takes the material
            stop_here = in_schedule_text(s) or _is_window_statement(s)
            if in_guidance and stop_here and not in_schedule:
                stop_here = False  # a stop stated among the instructions ("温馨提醒: …起停止受理…申请") is one
            if stop_here or (in_schedule and not WORKAROUND.search(s)):
                if _STOP_WORD.search(s):
                    suspensions.append(s)
                    listing_stops = True
                continue
            asking = asked or question
            units.append(Unit(s, item_head or asking, scheme, asking or None, para, in_schedule, heading))
        i += 1
    return units, suspensions


# "…将面临怎样的困扰?在很多情况下": a question inside a paragraph ends there (a '?' inside mojibake,
# "參?;蛘", is not between two Chinese characters)
ASKED = re.compile(r"(?<=[\u4e00-\u9fff][?？])(?=[\u4e00-\u9fff])")
LABEL_VERBS = re.compile(r"无法|不能|暂停|停止|关闭|将|可以|可|请|需|须|应|均|已|按|为|是|的")


def _is_label(piece: str) -> bool:
    """A short label inside a line, the heading of what follows it: ``"(一)异地就医入院。"``,
    ``"(二)市外住院"``, ``"门诊(一)本市门诊"``; not a sentence (``"依据病情,最长可以取一个月药量。"``)."""
    s = HEADING_MARK.sub("", piece.strip()).strip("。.:： ")
    if not (2 <= len(s) <= 16) or _LIST_OR_NUMBER.search(s) or LABEL_VERBS.search(s):
        return False
    # "生育津贴申领期限顺延。": short, but an instruction (the cues are tried last: they are the costly part)
    return not (len(s) >= 10 and any(has(k, s) for k in WORKAROUND_CUES))


def _pieces(text: str) -> list[tuple[str, str]]:
    """A paragraph as sentences, labels and questions, in order:
    ``"(一)个人账户使用。系统停机期间,…需全额现金结付。"`` → ``[("个人账户使用", "label"),
    ("系统停机期间,…需全额现金结付。", "sentence")]``."""
    out: list[tuple[str, str]] = []
    for part in SENTENCE.split(text):
        for piece in ASKED.split(part):
            p = piece.strip()
            if len(p) < 4 and not (len(p) >= 2 and _is_label(p)):
                continue
            if _is_label(p):
                out.append((HEADING_MARK.sub("", p).strip("。.:： "), "label"))
            elif _QUESTION_END.search(p):
                out.append((p, "question"))
            elif len(p) >= 10 or _COMMA.search(p):
                out.append((p, "sentence"))
    return out


def _sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a bare noun phrase ("医疗费手工报销。") is a label, not a sentence."""
    return [s.strip() for s in SENTENCE.split(text)
            if len(s.strip()) >= 4 and (len(s.strip()) >= 10 or _COMMA.search(s))]
