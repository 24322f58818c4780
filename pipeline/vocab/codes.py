"""The one vocabulary of codes used in the output tables.

Schemas check columns against these sets; extractors may only emit these codes.
"""

from __future__ import annotations

GUIDANCE_CATEGORIES: tuple[str, ...] = (
    "outpatient",
    "inpatient",
    "out_of_area",
    "pharmacy",
    "chronic_special",
    "enrollment_payment",
    "referral_filing",
    "reimbursement",
    "insurance_card",
    "retirees",
    "other",
)

GUIDANCE_ACTIONS: tuple[str, ...] = (
    "settle_before",
    "pay_then_settle_at_provider",
    "pay_then_reimburse",
    "suspended",
    "deemed_approved",
    "stock_up_medicine",
    "unaffected",
    "other",
)

PHONE_STATUSES: tuple[str, ...] = ("ok", "area_code_inferred", "damaged", "short_number")

FORMATS: tuple[str, ...] = ("txt", "html", "pdf", "docx")

ERROR_STAGES: tuple[str, ...] = ("read", "extract", "validate")

# Every rule that may appear in repairs.rule, with what it means (shown in README/datapackage).
REPAIR_RULES: dict[str, str] = {
    "year_from_context": "a year missing next to a date was taken from the same sentence or range",
    "year_from_publication": "a missing year was taken from the notice's publication date",
    "year_from_repost_stamp": "a missing year was taken from a reposting site's time stamp (an upper bound)",
    "year_from_url": "a missing year (or whole date) was taken from a date in the source URL",
    "year_from_weekday": "a missing year was chosen so that the printed weekday (星期一) matches",
    "year_from_holiday": "a missing year was chosen so that a named holiday (春节) falls where the text puts it",
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
    "traditional_to_simplified": "the notice was written in traditional characters and was converted",
    "pinyin_removed": "pinyin annotations injected into words were removed",
    "mojibake_flagged": "characters were garbled by a wrong encoding in the source ('?' or '\ufffd' inside words): flagged, not repaired",
    "spam_line_dropped": "a line injected by a reposting site (ads, navigation) was dropped",
    "end_from_resume_statement": "a stop printed without an end took its end from the notice's resume statement",
    "end_from_main_window": "a stop printed without an end took the end of the notice's main switch window",
    "end_from_go_live": "a stop printed without an end took its end from the new system's go-live (上线, 启用)",
    "end_from_later_restart": "a range's printed end was replaced by a later restart of the same service stated in the text",
}
