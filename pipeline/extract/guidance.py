"""Guidance: one row per instruction for a situation (who, what to do, by when, with what).

Instructions come as Q&A pairs (``3.停机期间门诊慢性病患者如何购药? 答:…``), as bullets with
the situation in bold (``☛ **系统停机前可出院的** 出院当日…``), or as numbered items and
paragraphs under a guidance heading (``三、停机期间业务办理指南``). Category and action are
codes from :mod:`pipeline.vocab.codes`, chosen by keyword rules kept in this module's tables.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.extract.outline import HEADING_MARK, is_heading
from pipeline.extract.outline import heading_label as _heading_label
from pipeline.extract.outline import scheme_of as _scheme_of
from pipeline.resolve_year import YearClues
from pipeline.timeexpr import find_ranges, resolve_point
from pipeline.vocab.terms import find_terms

# Situations named by a specific word win; otherwise the situation the text names first.
SPECIFIC_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("retirees", r"离休|二等乙级|伤残军人"),
    ("chronic_special", r"慢性病|慢特病|慢病|特殊病|特药|特检特治|特殊药品|长期用药|长期服药|透析|门诊统筹|两病"),
    # a card named as a document to bring is not the subject: only its use, activation or stop is
    ("insurance_card", r"(医保卡|社保卡|社会保障卡|IC卡|电子凭证)[^,，。;；]{0,8}(停用|停止使用|激活|领取|换发|密码)|激活|停用.{0,6}卡|使用(医保卡|社保卡|社会保障卡|医保电子凭证)|什么是.{0,6}(卡|凭证)"),
    ("referral_filing", r"转诊|转外就医|备案"),
)
GENERAL_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("out_of_area", r"异地|市外|外省|省外|跨省|参保地"),
    ("pharmacy", r"药店|购药|药房"),
    ("inpatient", r"住院|入院|出院|家庭病床|在院"),
    ("outpatient", r"门诊|急诊|就诊|就医"),
    # 参保人(员)/参保地 name the insured person or place, not enrolment
    ("enrollment_payment", r"参保(?!人|患者|地|群众|职工|单位和个人)|缴费|缴纳|征缴|核定|医疗保险费|保险费"),
    ("reimbursement", r"零星报销|手工报销|报销|零报|冲销"),
)
CATEGORY_RULES = SPECIFIC_CATEGORIES + GENERAL_CATEGORIES
ACTION_RULES: tuple[tuple[str, str], ...] = (
    ("deemed_approved", r"视作|视同|视为已"),
    # the provider settles later and the patient need do nothing
    ("unaffected", r"无需办理出院|暂不办理出院|由(定点)?(医疗机构|医院|医药机构)[^,，。;；]{0,16}(统一|补办|补录)[^,，。;；]{0,8}结算"),
    ("stock_up_medicine", r"备足|多配药|多开药|开具.{0,8}(药品|用药量|药量)|提前.{0,10}(开药|购药|用药量)|[23二三两]\s*[—-]?\s*[23三]?\s*个月.{0,4}(药|用药)"),
    ("pay_then_reimburse", r"(垫付|自付|自费|现金支付).{0,160}(零星报销|手工结算|报销|零报)"),
    ("pay_then_settle_at_provider", r"(垫付|自付|自费|现金支付|挂账|记账).{0,80}(补办|补录|重新|结算|冲销|退费|补刷|转为医保)|先收治入院|挂账|记账"),
    ("settle_before", r"(停机|切换|暂停).{0,6}前.{0,30}(结算|出院)|出院当日.{0,10}结算|提前.{0,10}结算|直接办理医保出院结算"),
    ("suspended", r"暂停|暂不|停止受理|停止使用|无法"),
    ("unaffected", r"不受影响|不影响|照常|正常办理|按原流程|不变|顺延"),
)
GUIDANCE_HEADING = re.compile(r"指南|办理|攻略|须知|注意|事项|就医|购药|门诊|住院|提示|提醒|安排|处理|措施|业务|结算|报销|参保|缴费|就医购药|人员")
ACTION_WORDS = re.compile(r"垫付|自付|报销|结算|办理|备足|开具|视作|视同|不受影响|不影响|顺延|暂停|携带|持|凭|挂账|冲销|补办|补录|激活|缴纳")
PREAMBLE = re.compile(r"^\s*(按照|根据|依据|为了|为进一步|为做好|为确保|为提升|为落实|为保障|经研究)")
QUESTION = re.compile(r"^\s*\d{1,2}\s*[.、]\s*(?P<q>.+[?？])\s*$")
ANSWER = re.compile(r"^\s*答\s*[:：]\s*")
# "☛ 系统停机前可出院的 出院当日…": a bullet glyph, the situation, a space, the instruction
BULLET = re.compile(r"^\s*[•·☛☞🔹🔸▶►◆◇■□●○✅👉]\s*(?P<cond>[^\s,，。:：]{2,30})\s+(?P<rest>\S.*)$")


def category_of(text: str) -> str:
    """``"停机期间门诊慢性病患者如何购药?"`` → ``"chronic_special"``;
    ``"门诊、住院及购药费用由参保人先行垫付"`` → ``"outpatient"`` (named first)."""
    for code, pat in SPECIFIC_CATEGORIES:
        if re.search(pat, text):
            return code
    first = min(((m.start(), code) for code, pat in GENERAL_CATEGORIES if (m := re.search(pat, text))), default=None)
    return first[1] if first else "other"


def action_of(text: str) -> str:
    """``"医疗费用由个人先行垫付，待新平台上线后，在就诊医疗机构补办医保结算"`` → ``"pay_then_settle_at_provider"``."""
    for code, pat in ACTION_RULES:
        if re.search(pat, text):
            return code
    return "other"


def documents_of(text: str) -> list[str]:
    """``"携带医疗费票据原件(含电子票据)、本人社保卡、本人银行卡"`` → ``["医疗费票据原件", "电子票据", "社会保障卡", "银行卡"]``."""
    return find_terms(text, "documents")


def deadlines_of(text: str, clues: YearClues) -> tuple[date | None, date | None, str | None]:
    """The period in which to act: ``"于年3月15日至12月31日之间"`` → (2022-03-15, 2022-12-31)."""
    rel = re.search(r"(上线|恢复|开通|启用)[^,，。]{0,6}后\s*\d+\s*个?(工作日|日|天)内", text)
    best: tuple[date | None, date | None, str | None] = (None, None, rel.group(0) if rel else None)
    context = None
    for r in find_ranges(text):
        if not r.start.has_date:
            continue
        after = text[(r.end or r.start).end : (r.end or r.start).end + 6]
        before = text[max(0, r.start.start - 6) : r.start.start]
        s = resolve_point(r.start, context=context, publication=clues.publication, year_guess=clues.choose_event_year)
        if s.at is None:
            continue
        context = s.at
        if r.end is not None:
            e = resolve_point(r.end, context=s.at, publication=clues.publication, year_guess=clues.choose_event_year)
            if e.at is not None and re.search(r"之间|期间|内|办理|前", after + text[(r.end).end : (r.end).end + 30]) and not re.search(r"停机|暂停", before + after):
                return s.at.date(), e.at.date(), r.text
        elif re.match(r"\s*(之前|以前|前|止|截止)", after) or re.search(r"(截至|截止|持续到|延长至|最迟在?)\s*$", before):
            if not re.search(r"停机|暂停|切换", after):
                best = (best[0], s.at.date(), r.start.text)
        elif re.match(r"\s*(之后|以后|后)", after) and best[0] is None:
            best = (s.at.date(), best[1], r.start.text)
    return best


def _units(lines: list[str]) -> list[tuple[str | None, str, str | None, str]]:
    """``(condition, text, scheme, heading)`` for every instruction-like unit."""
    units = []
    heading = ""
    scheme: str | None = None
    guidance_section = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        q = QUESTION.match(line)
        if q and i + 1 < len(lines) and ANSWER.match(lines[i + 1]):
            answer = ANSWER.sub("", lines[i + 1]).strip()
            units.append((q.group("q").strip(), answer, scheme, heading))
            i += 2
            continue
        if line.startswith("|"):
            i += 1
            continue
        if is_heading(line):
            label = _heading_label(line)
            sch = _scheme_of(label)
            if sch:
                scheme = sch
            else:
                if HEADING_MARK.match(line) or len(label) >= 2:
                    heading = label
                    scheme = None if HEADING_MARK.match(line) else scheme
                guidance_section = bool(GUIDANCE_HEADING.search(label)) and not re.search(r"时间$|涉及|范围", label)
            i += 1
            continue
        b = BULLET.match(line)
        if b:
            units.append((b.group("cond").strip(), b.group("rest").strip(), scheme, heading))
            i += 1
            continue
        instruction = re.search(r"垫付|自付|报销|补办|补录|备足|多配药|多开药|视作|视同|冲销|挂账|记账", line)
        if len(line) >= 12 and (instruction or not PREAMBLE.match(HEADING_MARK.sub("", line))) and (
            (guidance_section and ACTION_WORDS.search(line) and not find_ranges(line[:14])) or instruction
        ):
            text = HEADING_MARK.sub("", line).strip()
            text = re.sub(r"^\d{1,2}\s*[。.、]?\s*(?=[\u4e00-\u9fff])", "", text)  # list numbers, fused or not
            cond = None
            m = re.match(r"^(?:对于)?(?P<c>[^,，。:：]{4,40}的)(?:参保人员|参保人|患者|人员)?[,，]", text)
            if m:
                cond = m.group("c")
            units.append((cond, text, scheme, heading))
        i += 1
    return units


def extract_guidance(lines: list[str], clues: YearClues) -> list[dict]:
    rows = []
    for cond, text, scheme, heading in _units(lines):
        # the situation as printed decides first, then the text, then the section heading
        category = "other"
        for part in (cond or "", text[:80], heading):
            category = category_of(part)
            if category != "other":
                break
        action = action_of(text)
        dfrom, dto, dtext = deadlines_of(text, clues)
        docs = documents_of(text)
        if action == "other" and not cond and not docs and not (dfrom or dto or dtext):
            continue  # an introduction or a statement of fact, not an instruction
        if action == "suspended" and not cond and any(r.start.has_time for r in find_ranges(text)):
            continue  # a stop announced with its time is an outage window, not an instruction
        rows.append(
            {
                "guidance_no": len(rows) + 1,
                "scheme": scheme,
                "category": category,
                "condition": cond,
                "action": action,
                "deadline_from": dfrom,
                "deadline_to": dto,
                "deadline_text": dtext,
                "documents": docs,
                "evidence": (f"{cond} {text}" if cond and cond not in text else text)[:400],
            }
        )
    return rows
