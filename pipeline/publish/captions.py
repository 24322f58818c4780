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
    "scope": ("覆盖范围", "scope"),
    "published_on_confidence": ("发布日期可信度", "publication date confidence"),
    "published_on_confidence_reasons": ("发布日期可信度依据", "publication date confidence reasons"),
    "city_confidence": ("城市可信度", "city confidence"),
    "city_confidence_reasons": ("城市可信度依据", "city confidence reasons"),
    # outage_windows
    "window_no": ("停机序号", "window no."),
    "scheme": ("险种/适用范围", "scheme"),
    "service": ("停止的业务", "service stopped"),
    "service_text": ("停止的业务原文", "service as printed"),
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
    "plausible": ("时长合理", "plausible"),
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
    "implausible_windows": ("不合理而未计入的时段", "implausible windows left out"),
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
    "cities_lacking_phone_number": ("有通知但无可拨打电话的城市", "cities with a notice but no number to call"),
    "other_places_with_notice": ("名录外的发通知地区", "other places with a notice"),
    "city_notices": ("城市通知数", "city notices"),
    "in_gazetteer": ("在行政区划名录中", "in the gazetteer"),
    "adcode": ("行政区划代码", "adcode"),
    "has_notice": ("有通知", "has a notice"),
    "has_phone_number": ("有可拨打电话", "has a number to call"),
    "open_ended": ("未公布恢复时间", "no end announced"),
    # events, event_members, revisions
    "event_id": ("事件编号", "event id"),
    "events": ("停机事件数", "events"),
    "open_events": ("未公布恢复时间的事件", "events without an end"),
    "notice_ids": ("通知编号（多个）", "notice ids"),
    "first_announced_on": ("首次公布日期", "first announced on"),
    "last_announced_on": ("最后公布日期", "last announced on"),
    "undated_notices": ("无发布日期的通知数", "notices without a date"),
    "agree": ("各通知一致", "notices agree"),
    "revisions": ("变更次数", "revisions"),
    "join_rules": ("归并规则", "joined by rules"),
    "needs_review": ("需人工复核", "needs review"),
    "review_reasons": ("复核原因", "review reasons"),
    "join_rule": ("归并规则", "joined by rule"),
    "join_score": ("归并得分", "join score"),
    "join_modifiers": ("得分调整", "score modifiers"),
    "joined_to": ("与之归并的时段", "joined to"),
    "join_margin": ("领先分差", "margin"),
    "join_alternatives": ("落选的其他事件", "other events that lost"),
    "join_evidence": ("原文日期（无年份）", "date as printed (no year)"),
    "revision_no": ("变更序号", "revision no."),
    "kind": ("变更类型", "kind"),
    "moved": ("变动的一端", "end moved"),
    "from_value": ("原值", "from"),
    "to_value": ("新值", "to"),
    "delta_hours": ("变动（小时）", "change (hours)"),
    "from_notice_id": ("原通知编号", "from notice"),
    "to_notice_id": ("变更通知编号", "changed by notice"),
    "announced_on": ("变更公布日期", "announced on"),
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
    "scope": {"city": ("一市通知", "one city"), "province": ("全省通知", "province-wide"),
              "compilation": ("多地汇编", "compilation of several places")},
    "end_source": {
        "range": ("与开始时间一同印出", "the printed range"),
        "resume_statement": ("取自恢复时间说明", "the resume statement"),
        "go_live": ("取自新系统上线时间", "the new system's go-live"),
        "main_window": ("取自主停机时段", "the main window"),
    },
    "place": {
        "provider": ("就诊的医院或药店", "the hospital or pharmacy"),
        "agency": ("医保经办窗口", "the 医保 agency's window"),
        "online": ("网上办理", "online"),
    },
    "format": {"txt": ("文本", "text"), "html": ("网页", "web page"), "pdf": ("PDF", "PDF"), "docx": ("Word文档", "Word")},
    "table_name": {
        "notices": ("通知", "notices"), "outage_windows": ("停机时段", "outage windows"), "guidance": ("参保人指引", "guidance"),
        "contacts": ("咨询电话", "contacts"), "repairs": ("修复记录", "repairs"), "errors": ("错误", "errors"),
        "events": ("停机事件", "events"), "event_members": ("事件来源", "event members"), "revisions": ("变更记录", "revisions"),
    },
    "confidence_reason": {
        "end_printed": ("结束时间与开始时间一同印出", "the end is printed with the start"),
        "end_same_service": ("结束时间取自别处所写同一业务的恢复时间", "the end is a resumption of the same service stated elsewhere"),
        "end_general_resumption": ("结束时间取自全部业务的恢复说明，非专指本项", "the end is a resumption of all business"),
        "end_go_live": ("结束时间取自新系统上线时间", "the end is the new system's go-live"),
        "end_later_restart": ("所印结束时间被随后写明的同一业务重启时间取代", "a later restart of the same service replaced the printed end"),
        "end_other_resumption": ("结束时间取自另一部分业务的恢复时间（仅有此项可用）", "the end is a resumption of another part of the business"),
        "end_main_window": ("本项未写结束时间，取主停机时段的结束时间", "nothing names this stop's end: the main window's end"),
        "end_open_stated": ("原文写明恢复时间另行通知", "the text says the end will be announced"),
        "end_open_general": ("另行通知说的是全部业务，非专指本项", "an open end said of the business in general"),
        "end_not_found": ("未写结束时间也未说另行通知：留空", "no end and no 另行通知: left empty"),
        "stop_inferred": ("日期旁无“停”字，停机由标题或后文推断", "no stop verb next to the date"),
        "close_call": ("另一候选结束时间得分相差不到5分", "another candidate end scored within 5 points"),
        "end_same_family": ("结束时间取自别处所写同类业务的恢复时间", "a resumption of a service of the same kind"),
        "rival_end": ("另有候选结束时间落选（相差5分以上）：结束时间是在几种说法中选定的", "another candidate end lost by 5 points or more"),
        "end_date_only": ("结束时间只写日期未写时刻：按当日0时计", "the end is a day without a time: 00:00"),
        "stop_from_table": ("停机读自被压平成文字的表格行，列可能错位", "the stop was read from a flattened table row"),
        "restatements_disagree": ("通知中重述同一停机时给出了另一结束时间", "a restatement gives another end"),
        "end_refused_beyond_a_year": ("所印结束时间晚于开始一年以上（年份误读）：已拒收，留空待复核", "an end over a year after the start was refused"),
        "implausible_length_for_kind": ("时长超出该类停机的合理上限：不计入排名与统计", "longer than its kind of stop allows"),
        "implausible_start_vs_publication": ("开始时间距发布日期过远：不计入排名与统计", "the start is too far from the publication date"),
        "implausible_printed_duration": ("与原文所写时长（如停机6小时）不符：不计入排名与统计", "contradicts the printed duration"),
        "city_conflict": ("清单所填城市与原文发文机关或标题不符", "the manifest's city and the text disagree"),
        "pair_probable": ("模型判定该情形与办法的把握较大（交叉验证中此类至少九成正确）", "the classifier finds the pair probable"),
        "pair_uncertain": ("模型判定该情形与办法的把握一般", "the classifier is unsure of the pair"),
        "pair_improbable": ("模型判定该情形与办法的把握较小（交叉验证中此类至多一半正确）", "the classifier finds the pair improbable"),
        "situation_stated": ("指引本身写明适用情形", "the instruction names its situation"),
        "situation_from_question": ("适用情形取自所答问题或条目条件", "the situation is the question it answers"),
        "situation_from_heading": ("适用情形取自所在标题，而非指引本身", "the situation comes from the heading"),
        "situation_not_named": ("指引、问题和标题均未写明情形，由模型从其他字词推断", "no situation named: inferred by the classifier"),
        "general_statement": ("通知只说业务暂停：记为一条总体说明", "only a general statement that business stops"),
        "stop_in_unit": ("该条同时写有停机安排，读取的是替代办法", "the instruction also states a stop"),
        "year_printed": ("年份均已印出", "every year was printed"),
        "year_from_sentence": ("缺少的年份取自同一句或同一时间段", "a missing year came from the same sentence"),
        "year_from_publication": ("缺少的年份取自发布日期", "a missing year came from the publication date"),
        "year_from_url": ("缺少的年份取自原文网址中的日期", "a missing year came from a date in the source URL"),
        "year_from_stamp": ("缺少的年份取自转载时间戳（上限）", "a missing year came from a repost stamp"),
        "year_from_document": ("缺少的年份取自通知别处所印年份", "a missing year came from a year printed elsewhere"),
        "year_from_weekday_or_era": ("缺少的年份仅按星期、节日或年代推断", "a missing year was chosen by a weekday, holiday or era alone"),
        "relative_day": ("相对日期（今天、次日）已按参照日推算", "a relative day was counted from its anchor"),
        "number_printed": ("号码完整印出，含区号", "the number was printed whole"),
        "area_code_inferred": ("区号按通知所属城市补上", "the area code was added from the city"),
        "date_printed_as_issued": ("发布日期即通知落款或发布时间", "the publication date is printed as the notice's date"),
        "date_from_news": ("发布日期取自新闻电头或导语，非通知本身", "the date is a news dateline or lead"),
        "date_from_url_or_page": ("发布日期取自网址或网页自身时间", "the date comes from the URL or the page"),
        "date_year_inferred": ("发布日期的年份未印出", "the publication date's year was not printed"),
        "city_named_as_issuer": ("城市见于发布机构、标题或清单", "the city is named in the issuer, title or manifest"),
        "city_named_in_text": ("正文中写全城市名且最常提到", "the city is named in full in the text"),
        "city_short_name": ("只以简称提到城市", "the city is named only by its short form"),
        "city_from_places": ("城市由区县名、区号或网址推断", "the city comes from districts, an area code or the URL"),
        "manual_review": ("已经人工确认或更正", "a person confirmed or corrected it"),
    },
    "end_rule": {
        "range": ("与开始时间一同印出的时间段", "printed range"),
        "moved_start": ("提前的停机沿用原时段的结束时间", "end of the window whose start it moves"),
        "open_same_sentence": ("同句写明另行通知", "open end in the same sentence"),
        "paired_in_sentence": ("同句写明停机与恢复", "stop and restart in one sentence"),
        "label_value_block": ("“停机时间/恢复时间”标签", "label/value lines"),
        "open_same_service": ("同一业务另行通知", "open end for the same service"),
        "same_service": ("同一业务的恢复说明", "resumption of the same service"),
        "same_family": ("同类业务的恢复说明", "resumption of a service of the same family"),
        "general_resumption": ("全部业务的恢复说明", "general resumption"),
        "go_live": ("新系统上线", "go-live"),
        "open_general": ("全部业务另行通知", "general open end"),
        "partial_resumption": ("部分业务的恢复说明", "partial resumption"),
        "unrelated_resumption": ("其他业务的恢复说明", "unrelated resumption"),
        "main_window": ("主停机时段", "main window"),
        "later_restart": ("随后写明的重启", "later restart"),
        "same_section": ("同一段落", "same section"),
        "go_live_statement": ("上线说明", "go-live statement"),
        "owned_by_other_stop": ("紧接另一停机项", "stated after another stop"),
        "date_only": ("只有日期没有时刻", "a day without a time"),
        "same_list": ("同一列举", "same list"),
    },
    "join_rule": {
        "anchor": ("首次公布", "first announcement"),
        "same_start_same_end": ("同地、开始与结束时间均相同", "same start and end"),
        "same_start": ("同地、开始时间相同", "same start"),
        "overlap": ("同地、时间重叠、同类业务", "overlapping, same service family"),
        "revision_cue": ("后发通知写明调整停机时间", "a notice says it moves the stop"),
        "undated_same_day": ("无年份通知的月日与之相同", "a notice without years names the same day"),
    },
    "join_modifier": {
        "same_service": ("业务完全相同", "same services"),
        "covers_services": ("一方为全部业务", "one stops everything"),
        "covers_scheme": ("一方适用全部险种", "one applies to every scheme"),
    },
    "revision_kind": {
        "advanced": ("提前", "advanced"), "postponed": ("延期", "postponed"), "corrected": ("更正", "corrected"),
        "conflict": ("说法不一（待复核）", "conflict (for review)"),
    },
    "revision_rule": {
        "later_notice": ("后发通知改动", "a later notice"),
        "within_notice": ("同一通知内调整", "within the notice"),
        "order_unknown": ("先后不明", "order unknown"),
    },
    "moved": {"start": ("停机开始时间", "start"), "end": ("恢复时间", "end")},
    "review_reason": {
        "conflicting_announcements": ("各通知说法不一且先后不明", "notices disagree and their order is unknown"),
        "joined_without_year": ("有通知未印年份，仅按月日归并", "a notice without years was joined by its day"),
        "low_confidence": ("所用时间来自低可信度时段", "a value comes from a low-confidence window"),
    },
    "bool": {"true": ("是", "yes"), "false": ("否", "no")},
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
        "city_conflict": ("登记的城市与通知所写发布机构不符：保留并标记待复核", REPAIR_RULES["city_conflict"]),
        "compilation_page": ("多地通知汇编页：不定单一城市和发布日期", REPAIR_RULES["compilation_page"]),
        "place_from_block": ("停机时段取其所在标题或行所写地区", REPAIR_RULES["place_from_block"]),
        "page_stamp_after_events": ("网页时间戳晚于所报停机：为转载时间，不作发布日期", REPAIR_RULES["page_stamp_after_events"]),
        "manual_correction": ("人工更正或确认", REPAIR_RULES["manual_correction"]),
        "year_from_weekday_and_era": ("按所印星期与通知用语的年代共同确定年份", REPAIR_RULES["year_from_weekday_and_era"]),
        "end_refused_beyond_a_year": ("结束时间比开始晚一年以上（年份误读）：不采用，待复核", REPAIR_RULES["end_refused_beyond_a_year"]),
        "implausible_length_for_kind": ("停机时长超出该类停机的合理范围", REPAIR_RULES["implausible_length_for_kind"]),
        "implausible_start_vs_publication": ("开始时间距发布日期过远", REPAIR_RULES["implausible_start_vs_publication"]),
        "implausible_printed_duration": ("通知所写时长与起止时间不符", REPAIR_RULES["implausible_printed_duration"]),
    },
}

# What a code means, in Chinese, where its caption is only a name (the 代码说明 sheet of notices.xlsx);
# the other codes' captions say what they mean already. From pipeline/vocab/codes.py's meanings.
MEANINGS_ZH: dict[str, dict[str, str]] = {
    "category": {
        "outpatient": "门诊、急诊就医及其费用；未写明场景的就医、医疗费用",
        "inpatient": "住院：入院、出院、跨越停机期间的在院病人、家庭病床",
        "out_of_area": "异地就医和异地备案，在本市以外就医（市外、转外就医、跨省）",
        "pharmacy": "在定点药店购药",
        "chronic_special": "门诊慢特病、特殊药品、长期用药及其认定",
        "enrollment_payment": "参保登记、缴费（征缴、核定）、关系转移、住房公积金缴存",
        "referral_filing": "转诊转院及异地、慢特病以外的待遇备案或审批（生育津贴、工伤认定）",
        "reimbursement": "零星（手工）报销业务本身：是否办理、截止日期",
        "insurance_card": "社保卡、医保电子凭证本身：暂停、激活或不受影响（不是指需携带的卡）",
        "retirees": "离休、退休人员的安排和养老金、年金等定期待遇的发放",
        "other": "不属于以上情形的业务：经办窗口的一般业务、公积金贷款、一般性的暂停",
    },
    "action": {
        "settle_before": "停机前办完：出院结算、缴费、备案",
        "pay_then_settle_at_provider": "先垫付或挂账（自费入院），之后在同一家医院或药店补办结算、退费重结",
        "pay_then_reimburse": "先垫付，之后到医保经办机构报销（零星、手工报销），含经办机构直接退回银行账户",
        "suspended": "停机期间不能办理，也没有替代办法；或须全额自付且未写之后如何办理",
        "deemed_approved": "现在受理材料、恢复后办理，或逾期办理仍视同有效（只受理申请、补办、顺延、不影响待遇）",
        "stock_up_medicine": "停机前备足药品（开具数月药量、长处方）",
        "unaffected": "照常办理，不受影响",
        "other": "以上都不适用的指引（如取消入院登记），尽量少用",
    },
    "place": {
        "provider": "到就诊的医院或药店办理",
        "agency": "到医保经办窗口、医保中心或参保地办理",
        "online": "在网上办理（网厅、APP、小程序、公众号）",
    },
    "confidence": {
        "high": "日期和结束时间均印在原文中，依据充分", "medium": "部分取自别处所写的恢复时间、发布日期或网址，值得一看",
        "low": "依据薄弱（另一业务的恢复时间、主停机时段、仅按星期推断年份或候选相差很小），应人工复核",
        "reviewed": "已经人工确认或更正（raw/corrections.csv）",
    },
    "phone_status": {
        "ok": "号码完整，可拨打", "area_code_inferred": "原文未印区号，已按通知所属城市补上",
        "short_number": "短号码（如12345），没有国际格式，但可拨打", "damaged": "原文丢失了数字，号码照录，不猜测",
    },
    "stage": {"read": "读取文件时出错", "extract": "抽取内容时出错", "validate": "校验未通过，该通知的相关行未写入",
              "correct": "raw/corrections.csv 中的更正无法应用"},
    "city_scope": {"city": "一个城市的停机", "province": "全省停机：通知写了省份而没有城市",
                   "unknown": "城市和省份均无法读出：只包含一份通知的时段"},
    "join_rule": {
        "anchor": "停机事件的首次公布（发布日期最早，其次按文件名）",
        "same_start_same_end": "同一地方，开始和结束时间都相同，险种和业务相容",
        "same_start": "同一地方，开始时间相同，险种和业务相容；结束时间不同或有一方未公布",
        "overlap": "同一地方，两个时段时间重叠，险种相同、业务同类",
        "revision_cue": "同一地方，时间不重叠但开始时间相差不超过31天，且有通知写明调整停机时间（提前、推迟、延期、顺延、调整、变更、更正）",
        "undated_same_day": "未印年份的通知所写的月、日（及时刻）与本地唯一一个停机事件的开始相同：只作佐证，不提供数值",
    },
    "revision_kind": {
        "advanced": "停机或恢复时间提前", "postponed": "停机或恢复时间推后",
        "corrected": "写明更正（更正、勘误）的通知给出了另一个值",
        "conflict": "各通知说法不一，且无法判断先后（没有或相同的发布日期）：须人工判断",
    },
}


# What a repair with no value used did, by rule: a dropped spam line was dropped, not "not repairable".
REPAIR_WITHOUT_VALUE: dict[str, tuple[str, str]] = {
    "spam_line_dropped": ("已删除该行", "line dropped"),
    "pinyin_removed": ("已删除拼音", "pinyin removed"),
    "digits_lost": ("照录，不猜测号码", "kept as printed, no number"),
    "area_code_from_city": ("照录，不猜测区号", "kept as printed, no area code"),
    "year_unresolved": ("留空", "left empty"),
    "impossible_date": ("不采用", "not used"),
    "window_undated": ("不列停机时段", "no window"),
    "mojibake_flagged": ("仅标记", "flagged"),
    "censored_character": ("仅标记", "flagged"),
}


def repaired_text(rule: str, value: str | None, lang: str = DEFAULT_LANG) -> str:
    """The value a repair used, as a reader reads it.

    ``repaired_text("year_from_context", "2018-07-04T00:00")`` → ``"2018年7月4日 00:00"``;
    ``repaired_text("spam_line_dropped", None)`` → ``"已删除该行"``; an unknown rule without a
    value → ``"仅标记，未修复"``.
    """
    if value is None or (value == "" and rule in REPAIR_WITHOUT_VALUE):
        pair = REPAIR_WITHOUT_VALUE.get(rule, ("仅标记，未修复", "flagged, not repaired"))
        return _pick(pair, lang)
    if lang == "zh":
        from pipeline.publish.evidence_zh import _iso_zh

        return _iso_zh(value)
    return value


def end_rule_zh(rule: str | None, lang: str = DEFAULT_LANG) -> str:
    """A linking rule with its modifiers: ``"same_service+same_section"`` → ``"同一业务的恢复说明＋同一段落"``."""
    if not rule:
        return ""
    return ("＋" if lang == "zh" else " + ").join(code("end_rule", part, lang) for part in rule.split("+"))


def codes_zh(kind: str, values: list[str] | None, lang: str = DEFAULT_LANG) -> str:
    """A list of codes captioned and joined: ``codes_zh("confidence_reason", ["year_printed", "end_printed"])`` →
    ``"年份均已印出；结束时间与开始时间一同印出"``."""
    return ("；" if lang == "zh" else "; ").join(code(kind, v, lang) for v in values or [])


def alternatives_zh(text_: str | None, lang: str = DEFAULT_LANG) -> str:
    """``end_alternatives`` with its rules captioned and its times written the language's way.

    ``"2021-10-31T08:00 general_resumption+same_section (24)"`` →
    ``"2021年10月31日 08:00（全部业务的恢复说明＋同一段落，24分）"``.
    """
    if not text_:
        return ""
    if lang != "zh":
        return text_
    import re

    from pipeline.publish.evidence_zh import _iso_zh

    out = []
    for part in text_.split("; "):
        m = re.fullmatch(r"(\S+) ([\w+]+) \((-?[\d.]+)\)", part.strip())
        if m:
            when = "另行通知" if m.group(1) in ("open", "None") else _iso_zh(m.group(1))
            out.append(f"{when}（{end_rule_zh(m.group(2))}，{m.group(3)}分）")
        else:
            out.append(part if not re.search(r"[A-Za-z]{3,}", part) else "")
    return "；".join(p for p in out if p)


def evidence_text(rule: str | None, evidence: str | None, lang: str = DEFAULT_LANG) -> str:
    """Evidence as a reader reads it: in Chinese by :mod:`pipeline.publish.evidence_zh`, or, for a
    sentence shape not known there, the rule's Chinese meaning with the Chinese it quotes."""
    if lang != "zh":
        return evidence or ""
    from pipeline.publish.evidence_zh import evidence_zh, fallback_zh

    zh = evidence_zh(evidence)
    if zh is not None:
        return zh
    return fallback_zh(code("rule", rule, lang) if rule else "", evidence)


# message key → (中文, English); ``{name}`` fields are filled by :func:`text`
TEXTS: dict[str, tuple[str, str]] = {
    "page_title": ("医保系统切换停机通知：各地对比", "医保 cutover notices — city rollouts compared"),
    "heading": ("医保信息系统切换停机通知：各地如何切换", "医保 system-cutover notices — how cities rolled out"),
    "summary": (
        "{notices}份通知 · {cities}个城市或地区 · {events}个停机事件（{period}；{several}个由多份通知公布，{revisions}处变更或冲突） · {repairs}处修复 · {errors}个错误",
        "{notices} notices · {cities} cities or areas · {events} outage events ({period}; {several} announced by several notices, "
        "{revisions} revisions or conflicts) · {repairs} repairs · {errors} errors",
    ),
    "beijing_time": ("{when}（北京时间，UTC+8）", "{when} (Beijing time, UTC+8)"),
    "events_heading": ("停机事件", "Outage events"),
    "n_notices": ("{n}份通知", "{n} notices"),
    "notice_text": ("正文", "text"),
    "earlier_by": ("提前{d}", "{d} earlier"),
    "later_by": ("推后{d}", "{d} later"),
    "agree_badge": ("各通知一致", "notices agree"),
    "disagree_badge": ("各通知说法不一", "notices disagree"),
    "revisions_badge": ("{n}处变更", "{n} revisions"),
    "review_badge": ("需复核", "needs review"),
    "windows_as_printed": ("各通知原文所载停机时段（{n}）", "Windows as each notice printed them ({n})"),
    "nav_revisions": ("变更", "Revisions"),
    "revisions_heading": ("通知之间的变更与冲突", "Changes between announcements"),
    "revisions_note": (
        "同一停机事件由多份通知公布时，后发通知提前、推后或更正了停机或恢复时间；先后不明而说法不一的列为冲突，待人工复核（前{n}条，冲突在前）。",
        "Where several notices announce one event and a later one moves, postpones or corrects its start or end; "
        "notices that disagree and whose order is unknown are conflicts for review (first {n}, conflicts first).",
    ),
    "no_revisions": ("各通知之间没有变更或冲突。", "No notice changes another."),
    "revision_move": ("{moved}：{a} → {b}（{delta}）", "{moved}: {a} → {b} ({delta})"),
    "events_review_heading": ("需复核的停机事件", "Events that need review"),
    "windows_review_heading": ("把握不大的停机时段", "Windows the pipeline is least sure of"),
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
        "每一天有停机事件生效的城市数（按年分行，纵轴各年相同）。同一次停机由几份通知公布只算一次；未公布恢复时间的只计开始当天；全省停机不计入城市数。",
        "Cities with an outage event in force on each day (one row per year, same vertical scale). An interruption announced by several notices counts once; "
        "one without an announced end counts on its first day only; province-wide stops are not counted as cities.",
    ),
    "national_caption": ("全国每日停机城市数", "Cities down per day, nationwide"),
    "day_tooltip": (
        "{day}：{cities}个城市停机（全部业务停机{full}个），全省停机{wide}个；{events}个停机事件，{notices}份通知",
        "{day}: {cities} cities down ({full} with everything stopped), {wide} province-wide; {events} events, {notices} notices",
    ),
    "peak_days": ("停机城市最多的日子", "Days with the most cities down"),
    "no_days": ("没有停机时段。", "No outage windows."),
    "calendar_heading": ("各省上线日历：每月开始停机的城市数", "Rollout calendar: cities starting a stop, by province and month"),
    "calendar_note": (
        "有数据的年份各一块，最近的年份在前；每格一个月，数字为当月开始停机的城市数（“·”为仅有全省停机），颜色越深越多。悬停可见详情。",
        "One block per year with data, the latest first; each cell is a month, its number the cities starting a stop that month "
        "(“·”: a province-wide stop only), darker meaning more. Hover for details.",
    ),
    "month_tooltip": (
        "{province} {month}：{cities}个城市开始停机，{events}个停机事件，{notices}份通知",
        "{province} {month}: {cities} cities starting a stop, {events} events, {notices} notices",
    ),
    "calendar_year_total": ("{n}个停机事件", "{n} events"),
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
        "全国最长的{n}个停机事件（同一次停机由几份通知公布只列一次）；按省份筛选时显示该省最长的{m}个。未公布恢复时间的不在此列。",
        "The {n} longest outage events nationwide (an interruption announced by several notices is listed once); filtered by province, "
        "that province's {m} longest. Events without an announced end are not ranked.",
    ),
    "compare_heading": ("城市对比", "Cities side by side"),
    "unknown_more": ("另有{n}份通知无法确定城市，见 city_comparison 视图。", "{n} more notices whose city could not be read: see the city_comparison view."),
    "timeline_heading": ("时间轴：跨度最长的切换", "Timeline: the longest rollouts"),
    "timeline_note": (
        "每行一次切换：一个城市由同一份通知首次公布的停机事件（转载和后续通知并入其中），从第一次停机（第0天）画起，跨度最长的{n}次在前；虚线框为需复核的事件。",
        "One lane per rollout: a city's events first announced by one notice (reposts and follow-ups join it), drawn from its first stop (day 0); "
        "the {n} longest first; a dashed outline marks an event to review.",
    ),
    "timeline_caption": ("各次切换的停机事件，以各自首次停机对齐", "Outage events per rollout, aligned on each rollout's first stop"),
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
        "每个城市列出最多{n}项（停机事件按时长、电话号码残缺者在前）；完整数据见 notices.xlsx 与 notices.duckdb。",
        "Each city lists at most {n} items of each kind (longest events and damaged numbers first); everything is in notices.xlsx and notices.duckdb.",
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
        "生成于{when}，来自 notices.duckdb（python -m pipeline report）。文中时间均为北京时间。同样的数据见 notices.xlsx、notices.duckdb、*.parquet、*.csv，各列说明见 datapackage.json。",
        "Generated {when} from notices.duckdb by python -m pipeline report. Times are Beijing time (UTC+8). The same data: notices.xlsx, "
        "notices.duckdb, *.parquet, *.csv, described in datapackage.json.",
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
