"""How sure each row is: a level (high, medium, low) and the reasons for it, from how the value
was obtained — never a number set by hand per notice.

A row's reasons are codes of :data:`pipeline.vocab.codes.CONFIDENCE_REASONS`, each allowing at
most one level; the row takes the lowest. The levels are calibrated on the real notices:
``pipeline eval`` prints, per level, how many rows there are and how many are right.

>>> window_confidence("range", (), False, ["year_from_publication"], True)
('medium', ['end_printed', 'year_from_publication'])
"""

from __future__ import annotations

from pipeline.vocab.codes import CONFIDENCE_REASONS

_ORDER = {"high": 0, "medium": 1, "low": 2, "reviewed": -1}

# linking rule (pipeline.extract.windows.linking.SCORES) → reason for the end
_END_REASON = {
    "range": "end_printed", "moved_start": "end_printed", "paired_in_sentence": "end_printed",
    "label_value_block": "end_printed", "same_service": "end_same_service", "same_family": "end_same_family",
    "general_resumption": "end_general_resumption", "go_live": "end_go_live",
    "partial_resumption": "end_other_resumption", "unrelated_resumption": "end_other_resumption",
    "main_window": "end_main_window", "open_same_sentence": "end_open_stated", "open_same_service": "end_open_stated",
    "open_general": "end_open_general",
}
# repair rule of a date → reason for its year
_YEAR_REASON = {
    "year_from_context": "year_from_sentence", "year_rollover": "year_from_sentence",
    "year_from_publication": "year_from_publication", "year_from_url": "year_from_url",
    "year_from_repost_stamp": "year_from_stamp", "year_from_document": "year_from_document",
    "year_from_weekday": "year_from_weekday_or_era", "year_from_weekday_and_era": "year_from_weekday_or_era",
    "year_from_holiday": "year_from_weekday_or_era",
    "relative_day": "relative_day",
}


def level_of(reasons: list[str]) -> str:
    """The lowest level the reasons allow.

    >>> level_of(["end_printed", "year_from_url"]), level_of([])
    ('medium', 'high')
    """
    levels = [CONFIDENCE_REASONS[r][0] for r in reasons] or ["high"]
    return max(levels, key=lambda lv: _ORDER[lv])


def window_confidence(end_rule: str | None, modifiers: tuple[str, ...], close_call: bool,
                      date_rules: list[str], has_end: bool, stop_inferred: bool = False, *,
                      rival: bool = False, end_date_only: bool = False, from_table: bool = False,
                      restatements_disagree: bool = False, end_refused: bool = False) -> tuple[str, list[str]]:
    """Level and reasons of one outage window, from the link that gave its end and the rules its dates needed.

    The strongest warning is a rival: a candidate with another end that lost (``rival``; within
    5 points it is a ``close_call``). On notices nobody had read, stops whose end had no rival
    were right 69 of 71 times, those with one 21 of 39 (issue 20). Then the fallbacks (the main
    window, a go-live, a general resumption), inferred years, a day without a time taken as an
    end, a stop read from a heading or a table row, a restatement with another end.
    ``window_confidence("same_service", (), False, [], True, rival=True)`` →
    ``("medium", ["end_same_service", "rival_end", "year_printed"])``.
    """
    reasons = ["stop_inferred"] if stop_inferred else []
    if from_table:
        reasons.append("stop_from_table")
    if end_refused:
        reasons.append("end_refused_beyond_a_year")
    if end_rule is None:
        reasons.append("end_not_found")
    else:
        reasons.append(_END_REASON.get(end_rule, "end_other_resumption"))
        if "later_restart" in modifiers:
            reasons[-1] = "end_later_restart"
    if close_call and has_end:
        reasons.append("close_call")
    elif rival:
        reasons.append("rival_end")
    if end_date_only and has_end:
        reasons.append("end_date_only")
    if restatements_disagree:
        reasons.append("restatements_disagree")
    years = [_YEAR_REASON[r] for r in date_rules if r in _YEAR_REASON]
    reasons += list(dict.fromkeys(years)) or ["year_printed"]
    return level_of(reasons), reasons


def contact_confidence(status: str, has_number: bool) -> tuple[str, list[str]]:
    """Level and reasons of one contact's number.

    >>> contact_confidence("area_code_inferred", True)
    ('medium', ['area_code_inferred'])
    """
    if not has_number:
        return "low", []  # nothing to be sure of: the number could not be recovered
    reasons = ["area_code_inferred"] if status == "area_code_inferred" else ["number_printed"]
    return level_of(reasons), reasons


# where a guidance row's situation is named (pipeline.extract.guidance.situation_source), or "general" → reason
_SITUATION_REASON = {
    "sentence": "situation_stated", "question": "situation_from_question", "heading": "situation_from_heading",
    "unnamed": "situation_not_named", "general": "general_statement",
}


def guidance_reasons(situation: str, stop_in_unit: bool = False) -> list[str]:
    """The reasons of a guidance row besides its probability: where its situation is named, and
    whether its instruction also states a stop.

    >>> guidance_reasons("heading", stop_in_unit=True)
    ['situation_from_heading', 'stop_in_unit']
    """
    return [_SITUATION_REASON[situation]] + (["stop_in_unit"] if stop_in_unit else [])


def guidance_confidence(situation: str, probability: float | None = None, stop_in_unit: bool = False,
                        cutoffs: dict[str, float] | None = None) -> tuple[str, list[str]]:
    """Level and reasons of one guidance row: the classifier's probability of its pair against the
    cut-offs cross-validation set (``cutoffs``: ``high``, ``low``; guidance_model.json), where its
    situation is named, and whether its instruction also states a stop (rows of ``other``, which no
    word names, carry ``situation_not_named``).

    >>> guidance_confidence("sentence", 0.93, cutoffs={"high": 0.8, "low": 0.3})
    ('high', ['pair_probable', 'situation_stated'])
    >>> guidance_confidence("heading", 0.93, stop_in_unit=True, cutoffs={"high": 0.8, "low": 0.3})
    ('medium', ['pair_probable', 'situation_from_heading', 'stop_in_unit'])
    >>> guidance_confidence("general")
    ('medium', ['general_statement'])
    """
    if situation == "general":
        return level_of(["general_statement"]), ["general_statement"]
    cut = cutoffs or {}
    p = 0.0 if probability is None else probability
    reasons = ["pair_probable" if p >= cut.get("high", 1.0) else "pair_improbable" if p < cut.get("low", 0.0)
               else "pair_uncertain"]
    reasons += guidance_reasons(situation, stop_in_unit)
    return level_of(reasons), reasons


# the kind of clue that gave the publication date (pipeline.extract.metadata) → reason
_PUBLISHED_REASON = {
    "manifest": "date_printed_as_issued", "signature date": "date_printed_as_issued",
    "发布时间 line": "date_printed_as_issued", "article header date": "date_printed_as_issued",
    "来源 line": "date_printed_as_issued",
    "news lead": "date_from_news", "news dateline": "date_from_news",
    "page publish time": "date_from_url_or_page", "source url": "date_from_url_or_page",
}
# the kind of clue that gave the city (pipeline.extract.metadata.CITY_CLUES) → reason
_CITY_REASON = {
    "manifest": "city_named_as_issuer", "issuer": "city_named_as_issuer", "title": "city_named_as_issuer",
    "body": "city_named_in_text", "short_name": "city_short_name",
    "districts": "city_from_places", "area_code": "city_from_places", "source_url": "city_from_places",
}


def published_confidence(clue: str | None, rule: str | None, inferred: bool) -> tuple[str, list[str]]:
    """Level and reasons of a notice's publication date; ``clue`` is the kind of clue it came from
    (``Metadata.published_clue``).

    >>> published_confidence("signature date", None, False)
    ('high', ['date_printed_as_issued'])
    """
    if not clue:
        return "low", []
    reasons = [_PUBLISHED_REASON[clue]]
    if inferred and rule != "year_from_url":
        reasons.append("year_from_weekday_or_era" if rule in ("year_from_weekday", "year_from_weekday_and_era", "year_from_holiday") else "date_year_inferred")
    return level_of(reasons), reasons


def city_confidence(clue: str | None, conflict: bool = False) -> tuple[str, list[str]]:
    """Level and reasons of a notice's city; ``clue`` is the kind of clue it came from
    (``Metadata.city_clue``): a province alone (no clue) is low; ``conflict`` is true when the
    manifest's city contradicts the issuer named in the text (``Metadata.city_conflict``).

    >>> city_confidence("issuer"), city_confidence(None)
    (('high', ['city_named_as_issuer']), ('low', []))
    >>> city_confidence("manifest", conflict=True)
    ('low', ['city_named_as_issuer', 'city_conflict'])
    """
    if clue not in _CITY_REASON:
        return "low", []
    reasons = [_CITY_REASON[clue]] + (["city_conflict"] if conflict else [])
    return level_of(reasons), reasons
