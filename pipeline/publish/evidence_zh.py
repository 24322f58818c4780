"""Evidence in Chinese: the English clues the extractors log (``repairs.evidence``,
``notices.published_on_evidence``, ``notices.city_evidence``), written for a Chinese reader.

The tables keep the English text (machines and ``--lang en`` read it; the extractors that write
it are other stages' code); the report and the workbook show this rendering. Each clause of
the evidence (clauses are joined by ``"; "``) is matched against the shapes the extractors
write (:data:`CLAUSES`); text quoted from a notice, dates and web addresses are kept as they are.
A clause of a shape not known here is never shown in English: :func:`evidence_zh` returns
``None`` and the caller shows the rule's Chinese meaning with the Chinese text quoted in it
(:func:`fallback_zh`).

Written by hand because it is a table of this project's own sentence shapes; no translation
library could know them, and nothing may be fetched at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

WEEKDAY = "一二三四五六日"

# where a publication date was read (pipeline/extract/metadata.py: candidates' kinds)
DATE_KINDS: dict[str, str] = {
    "signature date": "落款日期",
    "news dateline": "新闻电头日期",
    "news lead": "新闻导语日期",
    "article header date": "文章标题下的日期",
    "发布时间 line": "“发布时间”行",
    "来源 line": "“来源”行",
    "manifest": "清单文件",
}

_KIND = "|".join(re.escape(k) for k in sorted(DATE_KINDS, key=len, reverse=True))


def _iso_zh(text: str) -> str:
    """``"2021-07-07"`` → ``"2021年7月7日"``; ``"2021-07"`` → ``"2021年7月"``; ``"2022-03-21T00:00"`` →
    ``"2022年3月21日 00:00"``; anything else as it is."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}:\d{2}))?", text.strip())
    if not m:
        return text
    y, mo, d, t = m.groups()
    out = f"{int(y)}年{int(mo)}月" + (f"{int(d)}日" if d else "")
    return out + (f" {t}" if t else "")


def _q(text: str) -> str:
    """Quote text taken from a notice: ``"7月3日"`` → ``"“7月3日”"``."""
    return f"“{text}”"


def _rule_zh(rule: str) -> str:
    """A linking rule with its modifiers (``same_service+same_section``) in Chinese."""
    from pipeline.publish.captions import end_rule_zh

    return end_rule_zh(rule)


Clause = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _c(pattern: str, render: Callable[[re.Match[str]], str]) -> Clause:
    return re.compile(pattern, re.S), render


# One entry per sentence shape the extractors write, most specific first. Each is matched
# against a whole clause (fullmatch).
CLAUSES: list[Clause] = [
    # dates and years (pipeline/extract/timeexpr.py, pipeline/repair/resolve_year.py)
    _c(r"year of '(?P<x>.+)' taken from (?P<d>[\d-]+) in the same range",
       lambda m: f"{_q(m['x'])}的年份取自同一时间段的{_iso_zh(m['d'])}"),
    _c(r"the year of (?P<d>[\d-]+), stated just before in the same paragraph",
       lambda m: f"年份取自同一段落中紧接其前所写的{_iso_zh(m['d'])}"),
    _c(r"'(?P<x>.+)' falls before (?P<d>[\d-]+), so it is in the next year",
       lambda m: f"{_q(m['x'])}早于{_iso_zh(m['d'])}，故属于下一年"),
    _c(r"'(?P<x>.+)' names a whole day, so the range ends at 00:00 of the next day",
       lambda m: f"{_q(m['x'])}只写到日，时间段止于次日00:00"),
    _c(r"24时 of (?P<d>[\d-]+) is 00:00 of the next day", lambda m: f"{_iso_zh(m['d'])}24时即次日00:00"),
    _c(r"'(?P<x>.+)' counted from (?P<d>[\d-]+)", lambda m: f"{_q(m['x'])}从{_iso_zh(m['d'])}起算"),
    _c(r"'(?P<x>.+)' read against publication (?P<d>.+)", lambda m: f"{_q(m['x'])}按发布日期{_iso_zh(m['d'])}推算"),
    _c(r"the year of '(?P<x>.+)' is not printed and nothing in the notice gives it",
       lambda m: f"{_q(m['x'])}未印年份，通知中也无据可补"),
    _c(r"'(?P<x>.+)' is relative but the notice gives no date to anchor it",
       lambda m: f"{_q(m['x'])}是相对日期，通知中没有可据以推算的日期"),
    _c(r"'(?P<x>.+)' has a time but no date", lambda m: f"{_q(m['x'])}只有时间没有日期"),
    _c(r"'(?P<x>.+)' has no month", lambda m: f"{_q(m['x'])}没有月份"),
    _c(r"'(?P<x>.+)' prints the year (?P<y>\d+), which no notice can mean \(a typo in the source\?\)",
       lambda m: f"{_q(m['x'])}所印年份{m['y']}不可能（原文笔误？）"),
    _c(r"'(?P<x>.+)' is not a calendar date \((?P<d>.+)\)", lambda m: f"{_q(m['x'])}不是日历上存在的日期（{m['d']}）"),
    _c(r"'(?P<x>.+)' cannot be placed on the calendar: .*", lambda m: f"{_q(m['x'])}无法落到日历上"),
    _c(r"'(?P<x>.+)' is not a possible date or time, in '(?P<s>.+)'",
       lambda m: f"{_q(m['x'])}不是可能的日期或时间，见{_q(m['s'])}"),
    _c(r"resumption (?P<a>[\d-]+ [\d:]+) is before start (?P<b>[\d-]+ [\d:]+) in '(?P<s>.+)': end left open",
       lambda m: f"恢复时间{_iso_zh(m['a'])}早于开始时间{_iso_zh(m['b'])}（{_q(m['s'])}）：结束时间留空"),
    _c(r"end (?P<a>[\d-]+ [\d:]+) before start (?P<b>[\d-]+ [\d:]+): range dropped",
       lambda m: f"结束时间{_iso_zh(m['a'])}早于开始时间{_iso_zh(m['b'])}：不采用该时间段"),
    _c(r"cannot date this expression", lambda m: "无法确定该表述的日期"),
    _c(r"publication date (?P<d>[\d-]+) \((?P<src>.*)\)",
       lambda m: f"发布日期{_iso_zh(m['d'])}（{evidence_zh(m['src']) or _q(m['src'])}）"),
    _c(r"publication date (?P<d>[\d-]+)", lambda m: f"发布日期{_iso_zh(m['d'])}"),
    _c(r"(?P<d>\d{4}-\d{2}-\d{2}) is a (?P<w>[一二三四五六日]) as printed",
       lambda m: f"{_iso_zh(m['d'])}是星期{m['w']}，与原文所印相符"),
    _c(r"(?P<md>\d+月\d+日) is a (?P<w>[一二三四五六日])", lambda m: f"{m['md']}是星期{m['w']}"),
    _c(r"(?P<h>\S+) (?P<y>\d{4}) falls on (?P<d>[\d-]+), inside '(?P<s>.+)'",
       lambda m: f"{m['y']}年{m['h']}在{_iso_zh(m['d'])}，原文{_q(m['s'])}"),
    _c(r"(?P<h>\S+) (?P<y>\d{4}) falls on (?P<d>[\d-]+)", lambda m: f"{m['y']}年{m['h']}在{_iso_zh(m['d'])}"),
    _c(r"repost stamp (?P<s>.+) is an upper bound", lambda m: f"转载网站时间戳{_q(m['s'].strip())}是上限"),
    _c(r"the latest year not after the repost stamp (?P<s>.+)",
       lambda m: f"取不晚于转载网站时间戳{_q(m['s'].strip())}的最近年份"),
    _c(r"date in the source URL (?P<u>\S+)", lambda m: f"原文网址中的日期：{m['u']}"),
    _c(r"the source URL (?P<u>\S+) carries (?P<d>[\d-]+)", lambda m: f"原文网址 {m['u']} 中含日期{_iso_zh(m['d'])}"),
    _c(r"the page's URL date (?P<d>[\d-]+) \((?P<u>\S+)\) is on or shortly after it",
       lambda m: f"网址日期{_iso_zh(m['d'])}（{m['u']}）与之同日或稍晚"),
    _c(r"the page's own publish time (?P<t>.+) \(no date printed in the text\)",
       lambda m: f"网页自身的发布时间{m['t']}（正文未印日期）"),
    _c(r"the notice prints the year (?P<y>\d{4}) elsewhere", lambda m: f"通知别处印有{m['y']}年"),
    _c(r"the notice prints the year (?P<y>\d{4})", lambda m: f"通知印有{m['y']}年"),
    _c(r"issued before the first dated event (?P<d>[\d-]+)", lambda m: f"发布于通知所载第一个事件（{_iso_zh(m['d'])}）之前"),
    _c(r"only (?P<y>\d{4}) in (?P<lo>\d{4})-(?P<hi>\d{4}) \('(?P<t>[^']+)': [^)]*\) fits: (?P<c>.+)",
       lambda m: f"按{_q(m['t'])}的年代（{m['lo']}—{m['hi']}年）只有{m['y']}年符合：{evidence_zh(m['c']) or ''}"),
    _c(r"'(?P<t>[^']+)': .+", lambda m: f"{_q(m['t'])}所处的年代"),
    _c(rf"(?P<k>{_KIND}) '(?P<x>.+)' has no year and nothing gives it",
       lambda m: f"{DATE_KINDS[m['k']]}{_q(m['x'])}未印年份，也无据可补"),
    _c(rf"(?P<k>{_KIND}) '(?P<x>.+)'", lambda m: f"{DATE_KINDS[m['k']]}{_q(m['x'])}"),
    _c(rf"(?P<k>{_KIND}): (?P<x>.*)", lambda m: f"{DATE_KINDS[m['k']]}：{m['x']}"),
    # how a window's end was found (pipeline/extract/windows/merge.py)
    _c(r"resumption stated in \((?P<r>[\w+]+)\): (?P<s>.*)", lambda m: f"恢复时间见（{_rule_zh(m['r'])}）：{m['s']}"),
    _c(r"the new system starts: (?P<s>.*)", lambda m: f"新系统上线：{m['s']}"),
    _c(r"no own resumption; ends with the switch window: (?P<s>.*)", lambda m: f"本项未写恢复时间，随切换主时段结束：{m['s']}"),
    _c(r"the range's printed end (?P<x>.+?) is followed by a restart of the same service: (?P<s>.*)",
       lambda m: f"时间段所印结束时间{_q(m['x'])}之后，原文又写明同一业务重新启用：{m['s']}"),
    _c(r"the notice announces a stop but prints no date or time for it", lambda m: "通知宣布停机，但未印停机的日期或时间"),
    # places and phones (pipeline/extract/metadata.py, contacts.py)
    _c(r"local number printed without area code; (?P<c>.+) uses 0(?P<a>\d+)",
       lambda m: f"本地号码未印区号；{m['c']}的区号是0{m['a']}"),
    _c(r"(?P<o>.*): digits lost in the source", lambda m: f"{m['o']}：号码在原文中丢失了数字，照录不猜"),
    _c(r"(?P<o>.*): local number without area code and the notice's city is unknown",
       lambda m: f"{m['o']}：本地号码未印区号，通知所属城市也不明"),
    _c(r"the source URL names (?P<c>\S+) \((?P<u>.*)\)", lambda m: f"原文网址中含{m['c']}的拼音（{m['u']}）"),
    _c(r"districts (?P<d>.+) belong to (?P<c>\S+)", lambda m: f"所列区县{m['d']}属于{m['c']}"),
    _c(r"area code 0(?P<a>\d+) is (?P<c>\S+)", lambda m: f"区号0{m['a']}属于{m['c']}"),
    _c(r"body names (?P<c>\S+) in (?P<n>\d+) media, office or headline mentions",
       lambda m: f"正文在{m['n']}处媒体、机构或标题中以简称提到{m['c']}"),
    _c(r"body names (?P<c>\S+) (?P<n>\d+) times?", lambda m: f"正文{m['n']}次提到{m['c']}"),
    _c(r"names (?P<n>\d+) cities of (?P<p>\S+): a province-wide notice", lambda m: f"提到{m['p']}的{m['n']}个城市：全省通知"),
    _c(r"only a province is named", lambda m: "只提到省份"),
    _c(r"(?P<k>issuer|title): (?P<x>.*)", lambda m: f"{'发布机构' if m['k'] == 'issuer' else '标题'}：{m['x']}"),
    # the text itself (pipeline/read/normalize.py, pipeline/extract/notice.py)
    _c(r"(?P<n>\d+) pinyin annotations removed", lambda m: f"删除了{m['n']}处夹在词中的拼音"),
    _c(r"(?P<n>\d+) traditional characters converted to simplified", lambda m: f"{m['n']}个繁体字已转为简体"),
    _c(r"(?P<n>\d+) places where a wrong encoding garbled characters, e\.g\. '(?P<x>.*)'",
       lambda m: f"{m['n']}处因编码错误出现乱码，例如{_q(m['x'])}"),
    _c(r"page chrome or repost-site line", lambda m: "网页导航或转载网站插入的行"),
    _c(r"exactly one known name fits the pattern: (?P<x>.+)", lambda m: f"只有一个已知名称与之相符：{m['x']}"),
    _c(r"a character was censored by the source \('\*'\); no single known name fits",
       lambda m: "原网站屏蔽了字（*），没有唯一相符的已知名称"),
    # a person's correction (pipeline/repair/corrections.py)
    _c(r"(?P<v>confirmed|corrected) by (?P<w>.+?) at (?P<t>\S+): (?P<y>.*)",
       lambda m: f"{m['w']}于{m['t']}{'确认' if m['v'] == 'confirmed' else '更正'}：{m['y']}"),
]


def _clause_zh(clause: str) -> str | None:
    for pattern, render in CLAUSES:
        m = pattern.fullmatch(clause.strip())
        if m:
            return render(m)
    return None


def split_clauses(evidence: str) -> list[str]:
    """Split at ``"; "`` outside parentheses and outside text quoted from a notice.

    ``split_clauses("publication date 2022-02-05 (signature date '年2月5日'; 春节 2022 falls on 2022-02-01); x")`` →
    ``["publication date 2022-02-05 (signature date '年2月5日'; 春节 2022 falls on 2022-02-01)", "x"]``.
    """
    if "; " not in evidence:
        return [evidence]
    parts, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(evidence):
        ch = evidence[i]
        if ch == "'":
            before = evidence[i - 1] if i else " "
            after = evidence[i + 1] if i + 1 < len(evidence) else " "
            if not quoted and before in " (:":
                quoted = True
            elif quoted and after in " ;),:":
                quoted = False
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth = max(0, depth - 1)
        elif not quoted and depth == 0 and evidence.startswith("; ", i):
            parts.append(evidence[start:i])
            start = i + 2
            i += 2
            continue
        i += 1
    parts.append(evidence[start:])
    return parts


@lru_cache(maxsize=65536)  # logged sentences repeat across notices ("page chrome or repost-site line")
def evidence_zh(evidence: str | None) -> str | None:
    """The evidence in Chinese, or ``None`` when a clause has a shape not known here.

    ``evidence_zh("year of '7月3日' taken from 2018-07-02 in the same range")`` →
    ``"“7月3日”的年份取自同一时间段的2018年7月2日"``;
    ``evidence_zh("publication date 2021-07-07 (article header date: 2021/7/7); 2021-07-09 is a 五 as printed")`` →
    ``"发布日期2021年7月7日（文章标题下的日期：2021/7/7）；2021年7月9日是星期五，与原文所印相符"``.
    """
    if evidence is None:
        return None
    if not evidence.strip():
        return ""
    parts = [_clause_zh(c) for c in split_clauses(evidence)]
    if all(p is not None for p in parts):
        return "；".join(p for p in parts if p)
    return _clause_zh(evidence)  # a shape whose free tail (a quoted sentence) holds "; " itself


_CJK_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef0-9:：年月日时分号\-—()（）、，,.]*[\u4e00-\u9fff][^\sA-Za-z']*")


def fallback_zh(meaning_zh: str, evidence: str | None) -> str:
    """The rule's Chinese meaning with the Chinese text the evidence quotes: never English prose.

    ``fallback_zh("年份取自发布日期", "seen near '3月5日' by a new rule")`` → ``"年份取自发布日期（原文：3月5日）"``.
    """
    runs = [r.strip(" ,.;:'") for r in _CJK_RUN.findall(evidence or "")]
    runs = [r for r in dict.fromkeys(runs) if r]
    return f"{meaning_zh}（原文：{'；'.join(runs)}）" if runs else meaning_zh


def has_english_prose(text: str) -> bool:
    """Whether Chinese text still carries English words outside addresses and quotes from a notice.

    ``has_english_prose("原文网址中的日期：http://a.cn/2021/1028/x.html")`` → ``False``;
    ``has_english_prose("year of “7月3日” taken from …")`` → ``True``;
    ``has_english_prose("Word文档，见 raw/corrections.csv")`` → ``False``.
    """
    stripped = re.sub(r"https?://[\x21-\x7e]+|“[^”]*”|「[^」]*」|[\w*/.-]+\.(?:csv|txt|json|duckdb|xlsx|parquet|html)\b", "", text)
    # English prose is lower-case words; names and acronyms (PDF, APP, Word) are not prose
    return re.search(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])", stripped) is not None
