"""Every caption and message a reader sees, in Chinese and English: one table for the report and the workbook.

Column captions are keyed by column name (the pandera models' names and the views'); a column
without a caption is shown by its name, so a new column appears everywhere at once and only
needs a line here to read well. Codes (guidance categories, actions, phone statuses, repair
rules …) are captioned by kind and code. Dates and durations are written the way each
language writes them: ``2021年11月21日 20:00`` and ``9天4小时`` in Chinese.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from pipeline.vocab.codes import REPAIR_RULES

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"

# column name → (中文, English)
COLUMNS: dict[str, tuple[str, str]] = {
    # notices
    "notice_id": ("通知编号", "notice id"),
    "source_file": ("源文件", "source file"),
    "source_url": ("原文网址", "source URL"),
    "format": ("文件格式", "format"),
    "title": ("标题", "title"),
    "issuer": ("发布机构", "issuer"),
    "city": ("城市", "city"),
    "province": ("省份", "province"),
    "published_on": ("发布日期", "published on"),
    "published_on_inferred": ("发布日期系推断", "publication date inferred"),
    "published_on_evidence": ("发布日期依据", "publication date from"),
    "repost_stamp": ("转载时间戳", "repost stamp"),
    "city_evidence": ("城市依据", "city from"),
    "published_on_confidence": ("发布日期可信度", "publication date confidence"),
    "published_on_confidence_reasons": ("发布日期可信度依据", "publication date confidence reasons"),
    "city_confidence": ("城市可信度", "city confidence"),
    "city_confidence_reasons": ("城市可信度依据", "city confidence reasons"),
    # outage_windows
    "window_no": ("停机序号", "window no."),
    "scheme": ("险种/适用范围", "scheme"),
    "service": ("停止的业务", "service stopped"),
    "start_at": ("停机开始", "stops"),
    "end_at": ("恢复时间", "resumes"),
    "start_text": ("开始时间原文", "start as printed"),
    "end_text": ("结束时间原文", "end as printed"),
    "year_inferred": ("年份系推断", "year inferred"),
    "end_source": ("结束时间来源", "end from"),
    "end_rule": ("结束时间判定规则", "end chosen by rule"),
    "end_alternatives": ("落选的结束时间", "candidate ends that lost"),
    "end_close_call": ("结束时间难以判定", "end was a close call"),
    "hours": ("停机时长（小时）", "hours"),
    "confidence": ("可信度", "confidence"),
    "confidence_reasons": ("可信度依据", "confidence reasons"),
    "evidence": ("原文依据", "evidence"),
    # guidance
    "guidance_no": ("指引序号", "guidance no."),
    "category": ("情形", "situation"),
    "condition": ("情形原文", "condition as printed"),
    "action": ("办理方式", "action"),
    "deadline_from": ("办理期限起", "deadline from"),
    "deadline_to": ("办理期限止", "deadline to"),
    "deadline_text": ("期限原文", "deadline as printed"),
    "documents": ("需携带材料", "documents to bring"),
    "place": ("办理地点", "where"),
    # contacts
    "region": ("区县", "region"),
    "organization": ("单位", "organisation"),
    "phone_raw": ("电话原文", "number as printed"),
    "phone_e164": ("电话（国际格式）", "number (E.164)"),
    "phone_status": ("电话状态", "number status"),
    # repairs
    "table_name": ("所在表", "table"),
    "column_name": ("所在列", "column"),
    "raw_value": ("原文值", "as printed"),
    "repaired_value": ("采用值", "value used"),
    "rule": ("修复规则", "rule"),
    # errors
    "stage": ("环节", "stage"),
    "error": ("错误说明", "error"),
    # views
    "city_label": ("城市/地区", "city or area"),
    "city_scope": ("范围", "scope"),
    "notices": ("通知数", "notices"),
    "windows": ("停机时段数", "outage windows"),
    "open_windows": ("未公布恢复时间的时段", "windows without an end"),
    "first_stop": ("最早停机", "first stop"),
    "last_resume": ("最晚恢复", "last resume"),
    "longest_outage_hours": ("最长停机（小时）", "longest outage (hours)"),
    "services_stopped": ("停止的业务", "services stopped"),
    "guidance_items": ("指引条数", "guidance items"),
    "guidance_categories": ("指引涉及情形", "situations covered"),
    "reimbursement_deadline": ("报销截止日期", "reimbursement deadline"),
    "contacts_with_number": ("可拨打的电话", "contacts with a number"),
    "contacts_without_number": ("号码缺失的电话", "contacts without a number"),
    "repairs": ("修复次数", "repairs"),
    "source_files": ("源文件", "source files"),
    "day": ("日期", "day"),
    "cities_down": ("停机城市数", "cities down"),
    "cities_fully_down": ("全部业务停机城市数", "cities fully down"),
    "province_wide_down": ("全省停机通知数", "province-wide stops"),
    "provinces_down": ("涉及省份数", "provinces"),
    "month": ("月份", "month"),
    "cities_stopping": ("停机城市数", "cities stopping"),
    "rank": ("全国排名", "rank"),
    "rank_in_province": ("省内排名", "rank in province"),
    "cities": ("地级城市数", "cities"),
    "cities_with_notice": ("有通知的城市", "cities with a notice"),
    "cities_without_notice": ("无通知的城市", "cities without a notice"),
    "missing_cities": ("未发布通知的城市", "cities without a notice"),
    "province_wide_notices": ("全省通知", "province-wide notices"),
    "cities_without_phone_number": ("无可拨打电话的城市", "cities without a number to call"),
}

# kind → code → (中文, English)
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "confidence": {
        "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"), "reviewed": ("已复核", "reviewed"),
    },
    "category": {
        "outpatient": ("门诊", "outpatient"),
        "inpatient": ("住院", "inpatient"),
        "out_of_area": ("异地就医", "out of area"),
        "pharmacy": ("药店购药", "pharmacy"),
        "chronic_special": ("门诊慢特病", "chronic / special drugs"),
        "enrollment_payment": ("参保缴费", "enrolment & contributions"),
        "referral_filing": ("转诊备案", "referral & filing"),
        "reimbursement": ("零星报销", "reimbursement"),
        "insurance_card": ("医保卡", "insurance card"),
        "retirees": ("离休人员", "retirees"),
        "other": ("其他", "other"),
    },
    "action": {
        "settle_before": ("停机前结算", "settle before the stop"),
        "pay_then_settle_at_provider": ("先垫付，后在医院或药店结算", "pay now, settle with the hospital or pharmacy later"),
        "pay_then_reimburse": ("先垫付，后报销", "pay now, claim reimbursement later"),
        "suspended": ("暂停办理", "suspended during the stop"),
        "deemed_approved": ("视同备案", "deemed approved"),
        "stock_up_medicine": ("停机前提前备药", "stock up on medicine before the stop"),
        "unaffected": ("不受影响", "not affected"),
        "other": ("其他", "other"),
    },
    "phone_status": {
        "ok": ("正常", "ok"),
        "area_code_inferred": ("已补区号", "area code added"),
        "short_number": ("短号码", "short number"),
        "damaged": ("号码残缺（原文丢失数字）", "damaged: digits lost in the source"),
    },
    "stage": {"read": ("读取", "read"), "extract": ("抽取", "extract"), "validate": ("校验", "validate"),
              "correct": ("人工更正", "correction")},
    "city_scope": {"city": ("城市", "city"), "province": ("全省", "province-wide"), "unknown": ("城市不详", "city unknown")},
    "end_source": {
        "range": ("时间段原文", "the printed range"),
        "resume_statement": ("恢复时间说明", "the resume statement"),
        "main_window": ("主停机时段", "the main window"),
    },
    "rule": {
        "year_from_context": ("年份取自同句或同一时间段", REPAIR_RULES["year_from_context"]),
        "year_from_publication": ("年份取自发布日期", REPAIR_RULES["year_from_publication"]),
        "year_from_repost_stamp": ("年份取自转载网站时间戳（上限）", REPAIR_RULES["year_from_repost_stamp"]),
        "year_from_url": ("年份（或日期）取自原文网址", REPAIR_RULES["year_from_url"]),
        "year_from_weekday": ("按所印星期确定年份", REPAIR_RULES["year_from_weekday"]),
        "year_from_holiday": ("按所提节日（如春节）确定年份", REPAIR_RULES["year_from_holiday"]),
        "year_from_document": ("年份取自通知中别处所印年份", REPAIR_RULES["year_from_document"]),
        "year_unresolved": ("缺少年份且无据可补：留空", REPAIR_RULES["year_unresolved"]),
        "impossible_date": ("不可能的日期或时间（如2月30日、25时）：标记，不采用", REPAIR_RULES["impossible_date"]),
        "window_undated": ("宣布停机但未印日期：标记，无停机时段", REPAIR_RULES["window_undated"]),
        "year_rollover": ("无年份的结束日期早于开始：属于下一年", REPAIR_RULES["year_rollover"]),
        "hour_24_next_day": ("某日“24时”记为次日00:00", REPAIR_RULES["hour_24_next_day"]),
        "date_only_end_next_day": ("只有日期的结束日记为次日00:00", REPAIR_RULES["date_only_end_next_day"]),
        "relative_day": ("相对日期（今天、次日）已按参照日换算", REPAIR_RULES["relative_day"]),
        "area_code_from_city": ("无区号的本地号码补上本市区号", REPAIR_RULES["area_code_from_city"]),
        "digits_lost": ("电话号码在原文中丢失数字：照录，不猜测", REPAIR_RULES["digits_lost"]),
        "censored_character": ("被原网站屏蔽的字（*）已按已知名称复原或标记", REPAIR_RULES["censored_character"]),
        "city_from_district": ("通知未写城市：按所列区县确定", REPAIR_RULES["city_from_district"]),
        "city_from_area_code": ("通知未写城市：按电话区号确定", REPAIR_RULES["city_from_area_code"]),
        "traditional_to_simplified": ("繁体字已转为简体", REPAIR_RULES["traditional_to_simplified"]),
        "pinyin_removed": ("夹在词中的拼音已删除", REPAIR_RULES["pinyin_removed"]),
        "mojibake_flagged": ("编码错误造成的乱码：标记，未修复", REPAIR_RULES["mojibake_flagged"]),
        "spam_line_dropped": ("转载网站插入的行（广告、导航）已删除", REPAIR_RULES["spam_line_dropped"]),
        "end_from_resume_statement": ("未印结束时间：取自恢复时间说明", REPAIR_RULES["end_from_resume_statement"]),
        "end_from_main_window": ("未印结束时间：取自主停机时段", REPAIR_RULES["end_from_main_window"]),
        "end_from_go_live": ("未印结束时间：取自新系统上线时间", REPAIR_RULES["end_from_go_live"]),
        "end_from_later_restart": ("印出的结束时间被随后写明的重启时间取代", REPAIR_RULES["end_from_later_restart"]),
        "city_from_url": ("通知未写城市：按原文网址中的城市拼音确定", REPAIR_RULES["city_from_url"]),
        "manual_correction": ("人工更正或确认", REPAIR_RULES["manual_correction"]),
    },
}

# message key → (中文, English); ``{name}`` fields are filled by :func:`text`
TEXTS: dict[str, tuple[str, str]] = {
    "page_title": ("医保系统切换停机通知：各地对比", "医保 cutover notices — city rollouts compared"),
    "heading": ("医保信息系统切换停机通知：各地如何切换", "医保 system-cutover notices — how cities rolled out"),
    "summary": (
        "{notices}份通知 · {cities}个城市或地区 · {windows}个停机时段（{period}） · {repairs}处修复 · {errors}个错误",
        "{notices} notices · {cities} cities or areas · {windows} outage windows ({period}) · {repairs} repairs · {errors} errors",
    ),
    "no_windows_period": ("无停机时段", "no outage windows"),
    "nav_national": ("全国概况", "National picture"),
    "nav_calendar": ("各省日历", "Calendar by province"),
    "nav_coverage": ("覆盖情况", "Coverage"),
    "nav_longest": ("最长停机", "Longest outages"),
    "nav_compare": ("城市对比", "Comparison"),
    "nav_timeline": ("时间轴", "Timeline"),
    "nav_cities": ("各城市详情", "Cities"),
    "nav_repairs": ("修复", "Repairs"),
    "nav_errors": ("错误", "Errors"),
    "nav_review": ("待复核", "Needs review"),
    "review_heading": ("待人工复核的停机时段", "Outage windows that need a person's look"),
    "review_note": (
        "流水线把握不大的停机时段（前{n}条，低可信度、全部停办、时间长者在前）；全部待复核行见 python -m pipeline review。各可信度时段数：{counts}",
        "The windows the pipeline is least sure of (first {n}: low confidence, everything stopping and long ones first); "
        "python -m pipeline review lists every such row. Windows per confidence level: {counts}",
    ),
    "review_none": ("没有待复核的停机时段", "No outage window needs review"),
    "confidence_badge": ("可信度{level}", "{level} confidence"),
    "filter_province": ("按省份筛选", "filter by province"),
    "all_provinces": ("全部省份", "all provinces"),
    "filter_cities": ("筛选城市…", "filter cities…"),
    "national_heading": ("全国概况：每天有多少城市停机", "National picture: how many cities were down each day"),
    "national_note": (
        "每一天有停机时段生效的城市数（按年分行，纵轴各年相同）。未公布恢复时间的时段只计开始当天。全省通知不计入城市数。",
        "Cities with an outage window in force on each day (one row per year, same vertical scale). A window without an announced end counts on its first day only. Province-wide notices are not counted as cities.",
    ),
    "national_caption": ("全国每日停机城市数", "Cities down per day, nationwide"),
    "day_tooltip": (
        "{day}：{cities}个城市停机（全部业务停机{full}个），全省通知{wide}份，{notices}份通知",
        "{day}: {cities} cities down ({full} with everything stopped), {wide} province-wide, {notices} notices",
    ),
    "peak_days": ("停机城市最多的日子", "Days with the most cities down"),
    "no_days": ("没有停机时段。", "No outage windows."),
    "calendar_heading": ("各省上线日历：每月开始停机的城市数", "Rollout calendar: cities starting a stop, by province and month"),
    "calendar_note": (
        "每格是一年，12个小方块依次为1至12月，颜色越深，当月开始停机的城市越多。悬停可见数字。",
        "Each cell is a year; its 12 squares are January to December, darker meaning more cities starting a stop that month. Hover for the numbers.",
    ),
    "month_tooltip": (
        "{province} {month}：{cities}个城市开始停机，{notices}份通知，{windows}个时段",
        "{province} {month}: {cities} cities starting a stop, {notices} notices, {windows} windows",
    ),
    "coverage_heading": ("覆盖情况：各省地级城市有无通知", "Coverage: which cities of each province published a notice"),
    "coverage_note": (
        "城市名单来自全国行政区划代码（地级市、自治州、盟、直辖市及省直管县级市）。",
        "Cities are those of the national administrative-division table (prefecture-level cities, autonomous prefectures, leagues, municipalities and county-level cities under a province).",
    ),
    "missing_list": ("未发布通知的城市", "Cities without a notice"),
    "no_number_list": ("有通知但无可拨打电话的城市", "Cities with a notice but no number to call"),
    "none": ("无", "none"),
    "longest_heading": ("最长停机", "Longest outages"),
    "longest_note": (
        "全国最长的{n}个停机时段；按省份筛选时显示该省最长的{m}个。未公布恢复时间的时段不在此列。",
        "The {n} longest outage windows nationwide; filtered by province, that province's {m} longest. Windows without an announced end are not ranked.",
    ),
    "compare_heading": ("城市对比", "Cities side by side"),
    "unknown_more": ("另有{n}份通知无法确定城市，见 city_comparison 视图。", "{n} more notices whose city could not be read: see the city_comparison view."),
    "timeline_heading": ("时间轴：停机跨度最长的通知", "Timeline: the notices with the longest rollouts"),
    "timeline_note": (
        "每份通知的停机时段从其第一次停机（第0天）画起，跨度最长的{n}份在前。",
        "Each notice's windows are drawn from its own first stop (day 0); the {n} with the longest rollouts, longest first.",
    ),
    "timeline_caption": ("各通知停机时段，以各自首次停机对齐", "Outage windows per notice, aligned on each notice's first stop"),
    "legend_all": ("全部业务停止", "everything stops"),
    "legend_partial": ("部分业务停止", "some services stop"),
    "legend_open": ("未公布恢复时间", "no end announced"),
    "legend_inferred": ("* 年份系推断，原文未印", "* year inferred, not printed"),
    "legend_hover": ("悬停查看日期", "hover a bar for its dates"),
    "day0": ("第0天 = {when}", "day 0 = {when}"),
    "day_tick": ("{n}天", "{n} d"),
    "no_windows": ("没有停机时段。", "No outage windows."),
    "cities_heading": ("各城市详情", "Cities"),
    "cities_note": (
        "每个城市列出最多{n}项（停机时段按时长、电话号码残缺者在前）；完整数据见 notices.xlsx 与 notices.duckdb。",
        "Each city lists at most {n} items of each kind (longest windows and damaged numbers first); everything is in notices.xlsx and notices.duckdb.",
    ),
    "more_items": ("另有{n}项未列出", "{n} more not listed"),
    "scope_province": ("全省通知", "province-wide notice"),
    "scope_unknown": ("正文中未找到城市", "city not found in the text"),
    "province_wide_label": ("{province}（全省）", "{province} (province-wide)"),
    "unknown_label": ("（城市不详）{file}", "(city unknown) {file}"),
    "first_stop": ("最早停机", "First stop"),
    "last_resume": ("最晚恢复", "Last resume"),
    "last_resume_open": ("不详（有时段未公布恢复时间）", "unknown (a window has no end)"),
    "unknown": ("不详", "unknown"),
    "longest_outage": ("最长停机", "Longest outage"),
    "reimbursement_deadline": ("报销截止", "Reimbursement deadline"),
    "windows_heading": ("停机时段", "Outage windows"),
    "no_window_found": ("未找到停机时段。", "No outage window was found."),
    "guidance_heading": ("参保人须知", "What patients must do"),
    "no_guidance": ("通知未给出参保人办理指引。", "The notice gives no instructions for patients."),
    "deadlines_heading": ("办理期限", "Deadlines"),
    "no_deadlines": ("没有写明日期的期限。", "No dated deadline."),
    "contacts_heading": ("咨询电话", "Contacts"),
    "no_contacts": ("通知未列出电话号码。", "The notice lists no phone numbers."),
    "contacts_summary": ("{usable}个可拨打，{bad}个号码残缺", "{usable} usable, {bad} without a usable number"),
    "sources_heading": ("来源", "Sources"),
    "untitled": ("（无标题）", "(untitled)"),
    "published": ("发布于{date}", "published {date}"),
    "published_unknown": ("发布日期不详", "publication date unknown"),
    "all_schemes": ("全部险种", "all schemes"),
    "all_services": ("全部业务", "all services"),
    "open": ("未公布", "open"),
    "open_badge": ("{n}个未公布结束", "{n} open"),
    "year_inferred_badge": ("年份系推断", "year inferred"),
    "year_inferred_title": ("原文日期旁未印年份", "a year was not printed next to the date"),
    "no_end_badge": ("未公布恢复时间", "no end announced"),
    "no_end": ("未公布恢复时间", "no end announced"),
    "printed": ("原文：{text}", "printed: {text}"),
    "bring": ("需携带：{docs}", "bring: {docs}"),
    "deadline_range": ("{a}至{b}", "{a} – {b}"),
    "deadline_by": ("{b}前", "by {b}"),
    "deadline_from": ("{a}起", "from {a}"),
    "reimbursement_badge": ("报销", "reimbursement"),
    "damaged_badge": ("⚠ {status}", "⚠ {status}"),
    "repairs_heading": ("修复", "Repairs"),
    "repairs_note": ("通知中的缺陷，由流程修复或标记。", "Defects in the notices that the pipeline fixed or flagged."),
    "no_repairs": ("没有修复。", "No repairs."),
    "all_repairs": ("前{shown}处修复（共{n}处，完整列表见 repairs 表）", "The first {shown} of {n} repairs (all of them: the repairs table)"),
    "not_repairable": ("无法修复", "not repairable"),
    "rule_count": ("次数", "Count"),
    "rule_meaning": ("含义", "Meaning"),
    "where": ("位置", "Where"),
    "why": ("依据", "Why"),
    "errors_heading": ("无法处理的文件", "Files that could not be processed"),
    "no_errors": ("所有文件均已读取。", "Every file was read."),
    "errors_more": ("共{n}个错误，此处列出前{shown}个（完整列表见 errors 表）。", "{n} errors, the first {shown} listed here (all of them: the errors table)."),
    "footer": (
        "生成于{when}，来自 notices.duckdb（<code>python -m pipeline report</code>）。时间均为北京时间。同样的数据：<code>notices.xlsx</code>、<code>notices.duckdb</code>、<code>*.parquet</code>、<code>*.csv</code>，各列说明见 <code>datapackage.json</code>。",
        "Generated {when} from notices.duckdb by <code>python -m pipeline report</code>. Times are Beijing time (UTC+8). The same data: <code>notices.xlsx</code>, <code>notices.duckdb</code>, <code>*.parquet</code>, <code>*.csv</code>, described in <code>datapackage.json</code>.",
    ),
    "province_unknown": ("（省份不详）", "(province unknown)"),
    "sheet_city_comparison": ("城市对比", "city comparison"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def column(name: str, lang: str = DEFAULT_LANG) -> str:
    """A column's caption; an uncaptioned column keeps its name.

    >>> column("start_at"), column("start_at", "en"), column("no_such_column")
    ('停机开始', 'stops', 'no_such_column')
    """
    pair = COLUMNS.get(name)
    return _pick(pair, lang) if pair else name


def code(kind: str, value: str | None, lang: str = DEFAULT_LANG) -> str:
    """A code's caption; unknown codes as they are.

    >>> code("action", "pay_then_reimburse"), code("action", "no_such_code")
    ('先垫付，后报销', 'no_such_code')
    """
    if value is None:
        return ""
    pair = CODES.get(kind, {}).get(value)
    return _pick(pair, lang) if pair else value


def text(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """A message.

    >>> text("more_items", "zh", n=3)
    '另有3项未列出'
    """
    return _pick(TEXTS[key], lang).format(**fields)


def fmt_datetime(value: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A date-time as a reader of ``lang`` writes it.

    >>> when = dt.datetime(2021, 11, 21, 20, 0)
    >>> fmt_datetime(when), fmt_datetime(when, "en"), fmt_datetime(None)
    ('2021年11月21日 20:00', '2021-11-21 20:00', '')
    """
    if value is None:
        return ""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return value.strftime("%Y-%m-%d %H:%M")


def fmt_date(value: dt.date | None, lang: str = DEFAULT_LANG) -> str:
    """A date as a reader of ``lang`` writes it.

    >>> fmt_date(dt.date(2022, 1, 15)), fmt_date(dt.date(2022, 1, 15), "en"), fmt_date(None)
    ('2022年1月15日', '2022-01-15', '')
    """
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.isoformat()


def fmt_month(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A month as a reader of ``lang`` writes it.

    >>> fmt_month(dt.date(2021, 11, 1)), fmt_month(dt.date(2021, 11, 1), "en")
    ('2021年11月', '2021-11')
    """
    return f"{value.year}年{value.month}月" if lang == "zh" else f"{value.year}-{value.month:02d}"


def fmt_duration(hours: float | None, lang: str = DEFAULT_LANG) -> str:
    """A length in hours, rounded to the minute; parts that are zero are left out.

    >>> fmt_duration(220), fmt_duration(220, "en"), fmt_duration(0.5), fmt_duration(48)
    ('9天4小时', '9 d 4 h', '30分钟', '2天')
    >>> fmt_duration(None) == text("open")
    True
    """
    if hours is None:
        return text("open", lang)
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    units = (("天", " d"), ("小时", " h"), ("分钟", " min"))
    parts = [f"{n}{unit[0] if lang == 'zh' else unit[1]}" for n, unit in zip((days, h, m), units) if n]
    if not parts:
        return "0小时" if lang == "zh" else "0 h"
    return "".join(parts) if lang == "zh" else " ".join(parts)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: Chinese characters take two.

    >>> display_width("西安市a")
    7
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
