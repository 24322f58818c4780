"""The one vocabulary of codes used in the output tables.

Schemas check columns against these sets; extractors may only emit these codes.
"""

from __future__ import annotations

# The situation a guidance row addresses, with the meaning labellers and the extractor share.
# Sharpened where two independent labellings of ten real notices disagreed (README, "Guidance").
GUIDANCE_CATEGORY_MEANINGS: dict[str, str] = {
    "outpatient": "门诊/急诊 visits and their costs; medical costs (就医, 医疗费用) with no setting named",
    "inpatient": "住院: admission, discharge, patients in hospital across the stop, 家庭病床",
    "out_of_area": "异地就医 and 异地备案, care outside the city (市外, 转外就医, 跨省); an out-of-area sentence is out_of_area only",
    "pharmacy": "purchases at designated pharmacies (定点药店, 购药 at a pharmacy)",
    "chronic_special": "门诊慢特病, special drugs, long-term medication, and their own approvals (慢性病认定 is here, not referral_filing)",
    "enrollment_payment": "参保登记, contributions (缴费, 征缴, 核定), transfers of records (关系转移), housing-fund 缴存",
    "referral_filing": "referrals (转诊转院) and benefit filings or approvals other than 异地 and 慢特病 (生育津贴, 工伤认定)",
    "reimbursement": "the manual-reimbursement business itself (零星/手工报销: whether it runs, its deadline); a claim that follows "
                     "paying out of pocket is that situation's pay_then_reimburse instead",
    "insurance_card": "the card or e-voucher itself (社保卡, 医保电子凭证, IC卡): stopped, activated, unaffected — not a card to bring",
    "retirees": "离休/退休 arrangements and pension payments (养老金, 年金, 定期待遇)",
    "other": "business with no situation above: the agency's windows in general, housing-fund loans, a general suspension",
}
GUIDANCE_CATEGORIES: tuple[str, ...] = tuple(GUIDANCE_CATEGORY_MEANINGS)

GUIDANCE_ACTION_MEANINGS: dict[str, str] = {
    "settle_before": "finish before the stop: discharge and settle, pay contributions, file (停机前结算, X前缴纳)",
    "pay_then_settle_at_provider": "pay now or have the bill booked (垫付, 挂账, 自费入院), settle later at the same hospital or "
                                   "pharmacy (补办结算, 退费重结, 转为医保)",
    "pay_then_reimburse": "pay now, claim later at the agency (零星/手工报销), including the agency paying back to the bank account",
    "suspended": "not available during the stop and no workaround offered for it; paying in full with no later step stated",
    "deemed_approved": "material accepted now and processed after the restart, or a late filing that still counts "
                       "(只受理申请, 线下收件, 补办, 顺延, 视同, 不影响待遇)",
    "stock_up_medicine": "get enough medicine before the stop (备足药品, 开具N个月药量, 长处方)",
    "unaffected": "continues normally (不受影响, 照常, 正常办理, 继续办理)",
    "other": "an instruction no code above fits (取消入院登记); used sparingly",
}
GUIDANCE_ACTIONS: tuple[str, ...] = tuple(GUIDANCE_ACTION_MEANINGS)

# Where the person acts on an instruction (guidance.place).
GUIDANCE_PLACE_MEANINGS: dict[str, str] = {
    "provider": "the hospital or pharmacy that treated them (医院, 定点医药机构)",
    "agency": "the 医保 agency's window or office (经办窗口, 医保中心, 参保地)",
    "online": "online (网厅, APP, 小程序, 公众号)",
}
GUIDANCE_PLACES: tuple[str, ...] = tuple(GUIDANCE_PLACE_MEANINGS)

# Where a window's end came from (outage_windows.end_source).
END_SOURCES: tuple[str, ...] = ("range", "resume_statement", "go_live", "main_window")

PHONE_STATUSES: tuple[str, ...] = ("ok", "area_code_inferred", "damaged", "short_number")

FORMATS: tuple[str, ...] = ("txt", "html", "pdf", "docx")

# What a notice covers (notices.scope); empty when the text does not say.
NOTICE_SCOPE_MEANINGS: dict[str, str] = {
    "city": "one city's notice: notices.city is the city it governs",
    "province": "a province-wide notice (省直, 省本级, 自治区本级, a province's office, or rows for several cities of one "
                "province): notices.city is empty, province set; each window carries its own place when a row names one",
    "compilation": "a page gathering several places' notices (several provinces' places, each leading its own lines): "
                   "no single city and no publication date; each window carries the place of its block",
}
NOTICE_SCOPES: tuple[str, ...] = tuple(NOTICE_SCOPE_MEANINGS)

ERROR_STAGES: tuple[str, ...] = ("read", "extract", "validate", "correct")

# Every rule that may appear in repairs.rule, with what it means (shown in README/datapackage).
REPAIR_RULES: dict[str, str] = {
    "year_from_context": "a year missing next to a date was taken from the same sentence or range",
    "year_from_publication": "a missing year was taken from the notice's publication date",
    "year_from_repost_stamp": "a missing year was taken from a reposting site's time stamp (an upper bound)",
    "year_from_url": "a missing year (or whole date) was taken from a date in the source URL",
    "year_from_weekday": "a missing year was chosen so that the printed weekday (星期一) matches",
    "year_from_holiday": "a missing year was chosen so that a named holiday (春节) falls where the text puts it",
    "year_from_weekday_and_era": "no date gave the year: the printed weekdays (年12月28日(星期一)) fit several years and the notice's "
                                 "dated words (国家医疗保障信息平台, 医保电子凭证: vocab/data/era_markers.csv) leave one; both clues in the evidence",
    "year_from_document": "a missing year was taken from a year printed elsewhere in the notice",
    "year_unresolved": "a year was missing and no evidence gave it: the value is left empty",
    "impossible_date": "a date or time that cannot exist (2月30日, 25时, year 0221, an end before its start): flagged, not used",
    "window_undated": "the notice announces a stop but prints no date for it: flagged, no window",
    "year_rollover": "an end date without a year fell before its start, so it belongs to the next year",
    "hour_24_next_day": "'24时' of a day was written as 00:00 of the next day",
    "date_only_end_next_day": "a range ending on a date without a time ends at 00:00 of the next day",
    "relative_day": "a relative day (今天, 明日, 次日) was resolved against its anchor date",
    "area_code_from_city": "a local number printed without area code got the city's area code",
    "digits_lost": "a phone number lost its digits in the source: kept as printed, no number",
    "censored_character": "a character censored by the source ('*') was restored from a known name or flagged",
    "city_from_district": "the city was never named: it was taken from the districts/counties the notice names",
    "city_from_area_code": "the city was never named: it was taken from a phone area code",
    "city_from_url": "the city was never named: it was taken from the pinyin of a city in the source URL (host or folder)",
    "city_conflict": "the manifest's city contradicts the issuer or title named in the text: kept as given, flagged for review",
    "compilation_page": "the page gathers several places' notices: it gets no single city and no publication date "
                        "(each window takes the place its block names)",
    "place_from_block": "a window took the place named by the heading or row its line sits under (广西 :…, 福州 2018.1.1~1.5), "
                        "not the notice's city",
    "page_stamp_after_events": "a page's date stamp (发布时间, 时间:, header, URL) falls after the stop the page reports: "
                               "it is a repost date, kept as repost_stamp, not the publication date",
    "traditional_to_simplified": "the notice was written in traditional characters and was converted",
    "pinyin_removed": "pinyin annotations injected into words were removed",
    "mojibake_flagged": "characters were garbled by a wrong encoding in the source ('?' or '\ufffd' inside words): flagged, not repaired",
    "spam_line_dropped": "a line injected by a reposting site (ads, navigation) was dropped",
    "end_from_resume_statement": "a stop printed without an end took its end from the notice's resume statement",
    "end_from_main_window": "a stop printed without an end took the end of the notice's main switch window",
    "end_from_go_live": "a stop printed without an end took its end from the new system's go-live (上线, 启用)",
    "end_from_later_restart": "a range's printed end was replaced by a later restart of the same service stated in the text",
    "end_refused_beyond_a_year": "a stop's end was more than a year after its start (a misread year): refused, the end is left "
                                 "empty and the stop goes to review (raw value: the refused end)",
    "implausible_length_for_kind": "plausibility check: the window is longer than its kind of stop allows "
                                   "(vocab/data/stop_kind_bounds.csv); value kept, window marked plausible = false",
    "implausible_start_vs_publication": "plausibility check: the window starts more than 92 days after (or over a year before) the "
                                        "notice's publication date; value kept, window marked plausible = false",
    "implausible_printed_duration": "plausibility check: a length printed in the notice (停机6小时, 共计10天) contradicts the "
                                    "window's dates; value kept, window marked plausible = false",
    "manual_correction": "a person corrected or confirmed the value (raw/corrections.csv); the evidence says who, when and why",
}


CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "medium", "low", "reviewed")

# Why a value has the confidence it has: code → (the level it allows at most, what it means).
# A row's level is the lowest its reasons allow; "reviewed" replaces it when a person confirmed
# or corrected the row (raw/corrections.csv). Calibrated on the real notices (README).
CONFIDENCE_REASONS: dict[str, tuple[str, str]] = {
    # outage windows: where the end came from
    "end_printed": ("high", "the end is printed with the start: a range, a stop and its restart in one sentence, a label/value pair"),
    "end_same_service": ("high", "the end is a resumption stated for the same service elsewhere in the notice (the only end "
                                 "stated for it: with a rival the row also has rival_end or close_call)"),
    "end_same_family": ("medium", "the end is a resumption of a service of the same kind (刷卡结算 for 联网结算) stated elsewhere"),
    "end_general_resumption": ("medium", "the end is a resumption of all business, not stated for this service"),
    "end_go_live": ("medium", "the end is the new system's go-live"),
    "end_later_restart": ("medium", "a later restart of the same service replaced the printed end"),
    "end_other_resumption": ("low", "the end is a resumption of another part of the business (the best there was)"),
    "end_main_window": ("low", "nothing names this stop's end: it takes the end of the notice's main window"),
    "end_open_stated": ("high", "the text says the end will be announced (另行通知) for this stop"),
    "end_open_general": ("medium", "an open end said of the business in general, not of this stop"),
    "end_not_found": ("medium", "no end and no 另行通知: the end is left empty"),
    "stop_inferred": ("medium", "no stop verb stands next to the date: the stop was read from a heading or a later clause"),
    "close_call": ("low", "another candidate end scored within 5 points of the chosen one"),
    "rival_end": ("medium", "another candidate end (a statement with another moment) lost by 5 points or more: the end is a "
                            "choice between statements, the strongest sign of a wrong end (issue 20: right 21 of 39 on unseen notices)"),
    "end_date_only": ("medium", "the end is a day stated without a time elsewhere in the notice: 00:00 of that day by the rule"),
    "stop_from_table": ("medium", "the stop was read from a row of a table flattened into text (columns may be misaligned)"),
    "restatements_disagree": ("medium", "the notice states the same stop again with another end"),
    "end_refused_beyond_a_year": ("low", "the printed end was more than a year after the start (a misread year): refused, the "
                                         "end is left empty and the stop waits for review (repairs: end_refused_beyond_a_year)"),
    "implausible_length_for_kind": ("low", "longer than its kind of stop allows (vocab/data/stop_kind_bounds.csv): left out of "
                                           "the views that rank or count stops"),
    "implausible_start_vs_publication": ("low", "the start is more than 92 days after (or a year before) the publication date: "
                                                "left out of the views that rank or count stops"),
    "implausible_printed_duration": ("low", "the notice prints a length (停机6小时, 共计10天) that the dates contradict: left out of "
                                            "the views that rank or count stops"),
    # dates
    "year_printed": ("high", "every year was printed next to its date"),
    "year_from_sentence": ("high", "a missing year came from the same sentence or range"),
    "year_from_publication": ("medium", "a missing year came from the publication date"),
    "year_from_url": ("medium", "a missing year came from a date in the source URL"),
    "year_from_stamp": ("medium", "a missing year came from a repost stamp (an upper bound)"),
    "year_from_document": ("medium", "a missing year came from a year printed elsewhere in the notice"),
    "year_from_weekday_or_era": ("low", "a missing year was chosen by a printed weekday, a holiday or the notice's era alone"),
    "relative_day": ("medium", "a relative day (今天, 次日, 本月) was counted from its anchor"),
    # contacts
    "number_printed": ("high", "the number was printed whole, with its area code"),
    "area_code_inferred": ("medium", "the area code was added from the notice's city"),
    # notices
    "date_printed_as_issued": ("high", "the publication date is printed as the notice's date (signature, 发布时间 line, header)"),
    "date_from_news": ("medium", "the publication date is a news dateline or a news lead, not the notice's own"),
    "date_from_url_or_page": ("medium", "the publication date comes from the URL or the page's own publish time"),
    "date_year_inferred": ("medium", "the publication date's year was not printed"),
    "city_named_as_issuer": ("high", "the city is named in the issuer, the title or the manifest"),
    "city_named_in_text": ("high", "the city is named in full in the text, more often than any other"),
    "city_short_name": ("medium", "the city is named only by its short form (a newspaper, an app, a headline)"),
    "city_from_places": ("low", "the city comes from district names, an area code or the source URL"),
    "city_conflict": ("low", "the manifest's city and the issuer or title named in the text disagree"),
    # guidance rows: how probable the classifier finds the pair (cut-offs set by cross-validation on the
    # training notices: guidance_model.json), where the situation is named, what else the instruction says
    "pair_probable": ("high", "the classifier gives the pair a probability at or above the high cut-off (pairs that probable "
                              "were right at least 90 % of the time in cross-validation)"),
    "pair_uncertain": ("medium", "the classifier gives the pair a probability between the low and the high cut-off"),
    "pair_improbable": ("low", "the classifier gives the pair a probability below the low cut-off (pairs that improbable were "
                               "right at most half of the time in cross-validation)"),
    "situation_stated": ("high", "the instruction names its situation itself"),
    "situation_from_question": ("high", "the situation is named by the question or the bullet's condition the instruction answers"),
    "situation_from_heading": ("medium", "only the heading the instruction stands under names the situation, not the instruction"),
    "situation_not_named": ("low", "neither the instruction nor its question or heading names the situation (rows of other, "
                                   "which no word names, included): the classifier read it from other words; such rows were "
                                   "right less than half of the time in cross-validation"),
    "general_statement": ("medium", "the notice says no more than that business stops: one general (other, suspended) row"),
    "stop_in_unit": ("medium", "the instruction also states a stop: the row reads what to do instead, the stop could be the message"),
    "manual_review": ("reviewed", "a person confirmed or corrected this value (raw/corrections.csv)"),
}


# --- events and revisions (pipeline/publish/events.py) --------------------------------------
# An event is one real-world interruption of one place's scheme and service, built from the
# windows of every notice that announces it. Each window is joined to an event by one of these
# rules (the strongest tie it has to another window of the event); the anchor is the window of
# the first announcement. Scores rank candidate joins: the highest wins, ties go to the earlier.
EVENT_JOIN_RULES: dict[str, tuple[int, str]] = {
    "anchor": (0, "the first announcement of the event (earliest publication date, then file name)"),
    "same_start_same_end": (100, "same place, same start and same end, scheme and services compatible"),
    "same_start": (90, "same place and same start, scheme and services compatible; the ends differ or one is open"),
    "overlap": (60, "same place, the two windows overlap in time, same scheme and services of one family"),
    "revision_cue": (50, "same place, same scheme and service family, no overlap, starts within 31 days, and a notice "
                         "says it moves the stop "
                         "(提前, 推迟, 延期, 顺延, 调整, 变更, 更正)"),
    "undated_same_day": (30, "a notice whose years are not printed names the same month, day (and time) as the start of "
                             "the only event of its place that has them; it supports the event, it gives it no value"),
}
# Score modifiers of a join, added to the rule's score (a looser match ranks lower).
EVENT_JOIN_MODIFIERS: dict[str, tuple[int, str]] = {
    "same_service": (5, "both windows name exactly the same services (or both stop everything)"),
    "covers_services": (-15, "one window stops everything, the other only some services (same start only)"),
    "covers_scheme": (-10, "one window applies to every scheme, the other to one (same start only)"),
}

PLACE_SCOPES: dict[str, str] = {
    "city": "the interruption of one city (the window's city, else its notice's)",
    "province": "a province-wide interruption: the notice names a province and no city",
    "unknown": "neither city nor province could be read: the event holds the windows of one notice only",
}

# revisions.kind: how a later notice (or the same notice) changed an end of an event.
REVISION_KINDS: dict[str, str] = {
    "advanced": "提前: the stop or the resumption moved earlier",
    "postponed": "延期: the stop or the resumption moved later",
    "corrected": "更正: a notice that says it corrects (更正, 勘误) gave another value",
    "conflict": "the notices give different values and which came later is unknown (no or equal publication "
                "dates): a person must decide",
}
REVISION_RULES: dict[str, str] = {
    "later_notice": "a notice published later states another start or end than an earlier one",
    "within_notice": "the notice itself moves the stop of part of its window (停机时间提前至18时)",
    "order_unknown": "two notices disagree and their publication dates do not say which came later",
}
REVISION_ENDS: tuple[str, ...] = ("start", "end")

# Why an event needs a person's look (events.review_reasons).
EVENT_REVIEW_REASONS: dict[str, str] = {
    "conflicting_announcements": "notices disagree on a start or an end and their order is unknown",
    "joined_without_year": "a notice without printed years was joined by month and day only",
    "low_confidence": "the chosen start or end comes from a window of low confidence",
}
