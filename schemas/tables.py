"""One pandera DataFrameModel per contract table (see docs/contract.md: the output contract, version 1).

Invariants live here, not in the extractors: end after start, E.164 shape, codes from
:mod:`pipeline.vocab.codes`, a phone status that agrees with whether a number was recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from pipeline.vocab.codes import (
    CONFIDENCE_LEVELS,
    CONFIDENCE_REASONS,
    END_SOURCES,
    ERROR_STAGES,
    EVENT_JOIN_RULES,
    EVENT_REVIEW_REASONS,
    FORMATS,
    GUIDANCE_ACTIONS,
    GUIDANCE_CATEGORIES,
    GUIDANCE_PLACES,
    NOTICE_SCOPES,
    PHONE_STATUSES,
    PLACE_SCOPES,
    REPAIR_RULES,
    REVISION_ENDS,
    REVISION_KINDS,
    REVISION_RULES,
)


def _is_list_of_reasons(value: object) -> bool:
    """A confidence reasons cell: a list of codes of :data:`CONFIDENCE_REASONS`."""
    return isinstance(value, list) and all(isinstance(v, str) and v in CONFIDENCE_REASONS for v in value)


NOTICE_ID = r"^[0-9a-f]{16}$"
CONFIDENCE_DOC = ("how sure the pipeline is (high, medium, low; reviewed once a person confirmed or corrected it, "
                  "see raw/corrections.csv)")
E164_CN = r"^\+86[1-9]\d{6,11}$"
# Years a date of a notice may fall in: the extractor refuses others as misprints (0221年); the same
# bounds as pipeline.extract.timeexpr.PLAUSIBLE_YEARS (tests/test_faults.py keeps them equal), here so
# that a person's correction (pipeline review --set) is held to them too.
PLAUSIBLE_YEARS = (1950, 2100)


def _in_plausible_years(series: pd.Series) -> pd.Series:
    """True for empty cells and for times in :data:`PLAUSIBLE_YEARS`."""
    years = pd.to_datetime(series).dt.year
    return series.isna() | years.between(*PLAUSIBLE_YEARS)


class NoticesSchema(pa.DataFrameModel):
    """notices — one row per source file."""

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, unique=True, description="stable id: first 16 hex digits of the SHA-256 of the raw bytes")
    source_file: Series[str] = pa.Field(description="path relative to the raw folder, '/'-separated")
    source_url: Series[str] = pa.Field(nullable=True, description="from the manifest or the document")
    format: Series[str] = pa.Field(isin=list(FORMATS), description="txt, html, pdf or docx")
    title: Series[str] = pa.Field(nullable=True, description="the notice's title")
    issuer: Series[str] = pa.Field(nullable=True, description="the body that issued it, e.g. 西安市医疗保障局")
    city: Series[str] = pa.Field(nullable=True, description="the city it governs, with its suffix, e.g. 西安市")
    province: Series[str] = pa.Field(nullable=True, description="e.g. 陕西省")
    published_on: Series[pd.Timestamp] = pa.Field(nullable=True, description="the date the notice was issued")
    published_on_inferred: Series[bool] = pa.Field(description="true when any part of that date was not printed in the text")
    published_on_evidence: Series[str] = pa.Field(nullable=True, description="which clue gave the publication date (signature, 发布时间 line, URL, …)")
    repost_stamp: Series[pd.Timestamp] = pa.Field(nullable=True, description="a reposting site's time stamp (an upper bound on publication), when printed")
    city_evidence: Series[str] = pa.Field(nullable=True, description="how the city was found (issuer, title, body, district names, area code)")
    scope: Series[str] = pa.Field(nullable=True, isin=list(NOTICE_SCOPES),
                                  description="what the notice covers: city (one city's notice), province (province-wide: "
                                  "省直, 自治区本级, rows for several cities of one province; city empty), compilation (a page "
                                  "gathering several places' notices: no single city or date); empty when the text does not say")
    published_on_confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS), description=CONFIDENCE_DOC + " of published_on")
    published_on_confidence_reasons: Series[object] = pa.Field(description="why published_on has that confidence: codes (list)")
    city_confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS), description=CONFIDENCE_DOC + " of city")
    city_confidence_reasons: Series[object] = pa.Field(description="why city has that confidence: codes (list)")

    @pa.check("published_on_confidence_reasons", "city_confidence_reasons", element_wise=True,
              error="confidence reasons must be a list of codes from CONFIDENCE_REASONS")
    def reasons_are_lists(cls, value: object) -> bool:
        return _is_list_of_reasons(value)

    @pa.check("published_on", error=f"published_on must lie in the years {PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[1]}")
    def published_on_plausible(cls, series: Series[pd.Timestamp]) -> Series[bool]:
        return _in_plausible_years(series)

    class Config:
        strict = True
        coerce = True


class OutageWindowsSchema(pa.DataFrameModel):
    """outage_windows — one row per distinct interruption a notice announces."""

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="→ notices")
    window_no: Series[int] = pa.Field(ge=1, description="1, 2, … in order of appearance")
    city: Series[str] = pa.Field(nullable=True, description="the city the window applies to: the notice's, or the place "
                                 "named by the heading or row its line sits under (福州 2018.1.1~1.5); empty for a province-level place")
    province: Series[str] = pa.Field(nullable=True, description="the province the window applies to: its city's, or the "
                                     "province a heading or row names (广西 :…), else the notice's")
    scheme: Series[str] = pa.Field(nullable=True, description="the insured group or fund it applies to, as named (原省直职工医保); empty when all")
    service: Series[str] = pa.Field(nullable=True, description=(
        "what stops: the services of vocab/data/services.csv it names (业务经办, 实时结算, …, joined by 、); a printed "
        "service the vocabulary does not know is kept as printed (门诊慢特病结算), never emptied; empty only when the text "
        "stops everything explicitly (全部业务, 停机, 医保信息系统) or names nothing"))
    service_text: Series[str] = pa.Field(nullable=True, description=(
        "what stops, as printed (the object of the stop verb, or the words before it): always kept when printed, also "
        "when service is empty because it names everything (所有医保业务办理)"))
    start_at: Series[pd.Timestamp] = pa.Field(description="when the interruption begins (Beijing time)")
    end_at: Series[pd.Timestamp] = pa.Field(nullable=True, description="when service returns; empty when left open")
    start_text: Series[str] = pa.Field(description="the start expression as printed")
    end_text: Series[str] = pa.Field(nullable=True, description="the end expression as printed")
    year_inferred: Series[bool] = pa.Field(description="true when a year of start or end was not printed next to it")
    end_source: Series[str] = pa.Field(nullable=True, isin=list(END_SOURCES),
                                       description="where the end came from: range (printed with the start), resume_statement "
                                       "(a resumption stated elsewhere), go_live (the new system starts), main_window; empty when open")
    end_rule: Series[str] = pa.Field(nullable=True, description="the linking rule whose candidate won the end "
                                     "(pipeline.extract.windows.linking.SCORES), with its modifiers: same_service+same_section")
    end_alternatives: Series[str] = pa.Field(nullable=True, description="the best candidate ends that lost, with their rules and scores")
    end_close_call: Series[bool] = pa.Field(description="true when a candidate with another end scored within 5 points of the winner")
    hours: Series[float] = pa.Field(nullable=True, ge=0, description="length of the outage in hours; empty when open")
    evidence: Series[str] = pa.Field(description="the sentence it was read from")
    confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS), description=CONFIDENCE_DOC + " of the window (start and end)")
    confidence_reasons: Series[object] = pa.Field(description="why the window has that confidence: codes (list)")
    plausible: Series[bool] = pa.Field(description=(
        "false when a plausibility check failed (implausible_length_for_kind, implausible_start_vs_publication, "
        "implausible_printed_duration: see repairs) or its printed end was refused (end_refused_beyond_a_year); the views "
        "that rank or count stops leave such windows out (their …_all companions keep them)"))

    @pa.check("confidence_reasons", element_wise=True, error="confidence reasons must be a list of codes from CONFIDENCE_REASONS")
    def reasons_are_lists(cls, value: object) -> bool:
        return _is_list_of_reasons(value)

    @pa.check("start_at", "end_at", error=f"start_at and end_at must lie in the years {PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[1]}")
    def times_plausible(cls, series: Series[pd.Timestamp]) -> Series[bool]:
        return _in_plausible_years(series)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(error="a window longer than 400 days is never extracted: its end is refused (end_refused_beyond_a_year); "
                        "only a person's correction (confidence reviewed) may set one")
    def no_window_over_400_days(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end_at"].isna() | ((df["end_at"] - df["start_at"]) <= pd.Timedelta(days=400)) | (df["confidence"] == "reviewed")

    @pa.dataframe_check(error="a window over 62 days is never high: it is implausible for every kind of stop")
    def no_long_window_is_high(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end_at"].isna() | ((df["end_at"] - df["start_at"]) <= pd.Timedelta(days=62)) | (df["confidence"] != "high")

    @pa.dataframe_check(error="end_at must not be before start_at")
    def end_not_before_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end_at"].isna() | (df["end_at"] >= df["start_at"])


class GuidanceSchema(pa.DataFrameModel):
    """guidance — one row per instruction for a situation."""

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="→ notices")
    guidance_no: Series[int] = pa.Field(ge=1, description="order of appearance")
    scheme: Series[str] = pa.Field(nullable=True, description="as in outage_windows")
    category: Series[str] = pa.Field(isin=list(GUIDANCE_CATEGORIES), description="situation code: " + ", ".join(GUIDANCE_CATEGORIES))
    condition: Series[str] = pa.Field(nullable=True, description="the situation, as printed (停机前可出院, 停机期间新入院, …)")
    action: Series[str] = pa.Field(isin=list(GUIDANCE_ACTIONS), description="action code: " + ", ".join(GUIDANCE_ACTIONS))
    deadline_from: Series[pd.Timestamp] = pa.Field(nullable=True, description="first day of the period in which to act")
    deadline_to: Series[pd.Timestamp] = pa.Field(nullable=True, description="last day of the period in which to act")
    deadline_text: Series[str] = pa.Field(nullable=True, description="the deadline as printed, also when it is relative (上线后7个工作日内)")
    place: Series[str] = pa.Field(nullable=True, isin=list(GUIDANCE_PLACES),
                                  description="where the person acts: provider (the hospital or pharmacy), agency (the 医保 window), online")
    documents: Series[object] = pa.Field(description="materials the person must bring (list of strings)")
    evidence: Series[str] = pa.Field(description="the text it was read from")
    confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS), description=CONFIDENCE_DOC + " of the row (category and action)")
    confidence_reasons: Series[object] = pa.Field(description="why the row has that confidence: codes (list): where its situation "
                                                  "was read (the instruction, a question, a heading, the instruction before, a default) "
                                                  "and whether the instruction also states a stop")

    @pa.check("confidence_reasons", element_wise=True, error="confidence reasons must be a list of codes from CONFIDENCE_REASONS")
    def reasons_are_lists(cls, value: object) -> bool:
        return _is_list_of_reasons(value)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(error="deadline_to must not be before deadline_from")
    def deadline_order(cls, df: pd.DataFrame) -> Series[bool]:
        return df["deadline_from"].isna() | df["deadline_to"].isna() | (df["deadline_to"] >= df["deadline_from"])

    @pa.check("documents", element_wise=True, error="documents must be a list of strings")
    def documents_are_lists(cls, value: object) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)


class ContactsSchema(pa.DataFrameModel):
    """contacts — one row per (organisation, phone number) a notice lists."""

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="→ notices")
    region: Series[str] = pa.Field(nullable=True, description="district or county (新城区)")
    organization: Series[str] = pa.Field(nullable=True, description="who answers (新城区医疗保障局, 医院医保办 总院门诊, …)")
    phone_raw: Series[str] = pa.Field(description="as printed, possibly damaged")
    phone_e164: Series[str] = pa.Field(nullable=True, str_matches=E164_CN, description="+86 form; empty when the number cannot be recovered — never guessed")
    phone_status: Series[str] = pa.Field(isin=list(PHONE_STATUSES), description="ok, area_code_inferred, damaged, short_number")
    confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS), description=CONFIDENCE_DOC + " of phone_e164")
    confidence_reasons: Series[object] = pa.Field(description="why the number has that confidence: codes (list)")

    @pa.check("confidence_reasons", element_wise=True, error="confidence reasons must be a list of codes from CONFIDENCE_REASONS")
    def reasons_are_lists(cls, value: object) -> bool:
        return _is_list_of_reasons(value)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(error="a number is present exactly when the status is ok or area_code_inferred")
    def status_matches_number(cls, df: pd.DataFrame) -> Series[bool]:
        has_number = df["phone_e164"].notna()
        wants_number = df["phone_status"].isin(["ok", "area_code_inferred"])
        return has_number == wants_number


class RepairsSchema(pa.DataFrameModel):
    """repairs — one row per defect the pipeline fixed or flagged."""

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="→ notices")
    table_name: Series[str] = pa.Field(isin=["notices", "outage_windows", "guidance", "contacts"], description="table where the repaired value lives")
    column_name: Series[str] = pa.Field(description="column where the repaired value lives")
    raw_value: Series[str] = pa.Field(description="as printed")
    repaired_value: Series[str] = pa.Field(nullable=True, description="what the pipeline used; empty for a defect flagged but not repairable")
    rule: Series[str] = pa.Field(isin=list(REPAIR_RULES), description="short code of the rule that fired")
    evidence: Series[str] = pa.Field(description="why that value: the clue the rule used")

    class Config:
        strict = True
        coerce = True


class ErrorsSchema(pa.DataFrameModel):
    """errors — one row per file (or part of a file) that could not be processed."""

    source_file: Series[str] = pa.Field(description="path relative to the raw folder")
    stage: Series[str] = pa.Field(isin=list(ERROR_STAGES), description="read, extract or validate")
    error: Series[str] = pa.Field(description="a message a person can act on")

    class Config:
        strict = True
        coerce = True


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str  # string, int, float, bool, timestamp, date, list
    nullable: bool
    description: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: type[pa.DataFrameModel]
    description: str


TABLES: tuple[TableSpec, ...] = (
    TableSpec("notices", NoticesSchema, "one row per source file"),
    TableSpec("outage_windows", OutageWindowsSchema, "one row per distinct interruption a notice announces"),
    TableSpec("guidance", GuidanceSchema, "one row per instruction for a situation"),
    TableSpec("contacts", ContactsSchema, "one row per (organisation, phone number) a notice lists"),
    TableSpec("repairs", RepairsSchema, "one row per defect the pipeline fixed or flagged"),
    TableSpec("errors", ErrorsSchema, "one row per file that could not be processed"),
)

# Date-typed columns are timestamps in pandas but calendar dates in the contract.
DATE_COLUMNS = {"published_on", "deadline_from", "deadline_to", "first_announced_on", "last_announced_on", "announced_on"}
LIST_COLUMNS = {"documents", "confidence_reasons", "published_on_confidence_reasons", "city_confidence_reasons",
                "notice_ids", "source_files", "join_rules", "review_reasons"}


# --- derived tables: built from the contract tables by pipeline/publish/events.py -----------
# Not part of the contract (docs/contract.md, "Additions"): an event is one real-world
# interruption, clustered from the windows of every notice that announces it.

EVENT_ID = NOTICE_ID  # 16 hex digits as well: of the SHA-256 of the anchor window's "notice_id:window_no"


def _is_list_of(codes: object):
    """An element check: a list whose items are all in ``codes``."""
    return lambda value: isinstance(value, list) and all(isinstance(v, str) and v in codes for v in value)


class EventsSchema(pa.DataFrameModel):
    """events — one row per real-world interruption of one place's scheme and service."""

    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, unique=True,
                                     description="stable id: first 16 hex digits of the SHA-256 of the anchor window's "
                                     "'notice_id:window_no' (the first announcement)")
    city_scope: Series[str] = pa.Field(isin=list(PLACE_SCOPES), description="city, province (province-wide) or unknown (one notice's windows)")
    city: Series[str] = pa.Field(nullable=True, description="the city whose service stops (the window's city, else its notice's)")
    province: Series[str] = pa.Field(nullable=True, description="its province, as in notices")
    scheme: Series[str] = pa.Field(nullable=True, description="the insured group it applies to; empty when any announcement says all")
    service: Series[str] = pa.Field(nullable=True, description="what stops ('、'-joined services of every announcement); "
                                    "empty when any announcement says everything stops")
    start_at: Series[pd.Timestamp] = pa.Field(description="when it begins: the latest announcement's start (see revisions)")
    end_at: Series[pd.Timestamp] = pa.Field(nullable=True, description="when service returns: the latest announced end; empty when no notice gives one")
    hours: Series[float] = pa.Field(nullable=True, ge=0, description="length in hours; empty when open")
    year_inferred: Series[bool] = pa.Field(description="true when a year of the chosen start or end was not printed next to it")
    notices: Series[int] = pa.Field(ge=1, description="how many notices announce it")
    windows: Series[int] = pa.Field(ge=1, description="how many outage_windows rows it is built from")
    notice_ids: Series[object] = pa.Field(description="the notices that announce it, first announcement first (list)")
    source_files: Series[object] = pa.Field(description="their source files, in the same order (list)")
    first_announced_on: Series[pd.Timestamp] = pa.Field(nullable=True, description="the earliest publication date of those notices")
    last_announced_on: Series[pd.Timestamp] = pa.Field(nullable=True, description="the latest publication date of those notices")
    undated_notices: Series[int] = pa.Field(ge=0, description="how many of them have no publication date")
    agree: Series[bool] = pa.Field(description="true when every announcement gives the same start and every end given is the same")
    revisions: Series[int] = pa.Field(ge=0, description="rows in revisions for this event (moves and conflicts)")
    join_rules: Series[object] = pa.Field(description="the rules that joined its windows (EVENT_JOIN_RULES codes, list)")
    needs_review: Series[bool] = pa.Field(description="true when a person should look at it (review_reasons)")
    review_reasons: Series[object] = pa.Field(description="why: EVENT_REVIEW_REASONS codes (list)")
    plausible: Series[bool] = pa.Field(description="false when every window it is built from failed a plausibility check; "
                                       "the national views count plausible events only")

    @pa.check("join_rules", element_wise=True, error="join_rules must be a list of EVENT_JOIN_RULES codes")
    def join_rules_are_codes(cls, value: object) -> bool:
        return _is_list_of(EVENT_JOIN_RULES)(value)

    @pa.check("review_reasons", element_wise=True, error="review_reasons must be a list of EVENT_REVIEW_REASONS codes")
    def review_reasons_are_codes(cls, value: object) -> bool:
        return _is_list_of(EVENT_REVIEW_REASONS)(value)

    @pa.check("notice_ids", "source_files", element_wise=True, error="must be a non-empty list of strings")
    def lists_of_strings(cls, value: object) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(error="end_at must not be before start_at")
    def end_not_before_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end_at"].isna() | (df["end_at"] >= df["start_at"])

    @pa.dataframe_check(error="needs_review exactly when there are review_reasons")
    def review_flag_matches_reasons(cls, df: pd.DataFrame) -> Series[bool]:
        return df["needs_review"] == df["review_reasons"].map(bool)


class EventMembersSchema(pa.DataFrameModel):
    """event_members — one row per window (or dateless notice) an event is built from, with the rule that joined it."""

    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, description="→ events")
    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="→ notices")
    window_no: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, description="→ outage_windows (with notice_id); "
                                                "empty for a notice joined without a dated window (undated_same_day)")
    source_file: Series[str] = pa.Field(description="the notice's source file")
    published_on: Series[pd.Timestamp] = pa.Field(nullable=True, description="the notice's publication date")
    start_at: Series[pd.Timestamp] = pa.Field(nullable=True, description="the start this window states; empty for a dateless notice")
    end_at: Series[pd.Timestamp] = pa.Field(nullable=True, description="the end this window states; empty when open or dateless")
    join_rule: Series[str] = pa.Field(isin=list(EVENT_JOIN_RULES), description="the rule of its strongest tie to another member "
                                      "(anchor for the first announcement)")
    join_score: Series[int] = pa.Field(description="that tie's score, with its modifiers (EVENT_JOIN_RULES, EVENT_JOIN_MODIFIERS)")
    join_modifiers: Series[str] = pa.Field(nullable=True, description="the modifiers of that tie, '+'-joined (same_service+covers_scheme)")
    joined_to: Series[str] = pa.Field(nullable=True, description="the member it is tied to: 'notice_id#window_no'")
    join_margin: Series[float] = pa.Field(nullable=True, description="its score minus the best score of a tie to another event; "
                                          "empty when it had no other candidate")
    join_alternatives: Series[str] = pa.Field(nullable=True, description="the best ties to other events that lost: 'event_id rule (score)'")
    join_evidence: Series[str] = pa.Field(nullable=True, description="for a dateless notice: the date as printed, without its year")

    class Config:
        strict = True
        coerce = True


class RevisionsSchema(pa.DataFrameModel):
    """revisions — one row per change of an event's start or end between announcements, or per conflict."""

    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, description="→ events")
    revision_no: Series[int] = pa.Field(ge=1, description="1, 2, … in announcement order within the event")
    kind: Series[str] = pa.Field(isin=list(REVISION_KINDS), description="advanced (提前), postponed (延期), corrected (更正), "
                                 "conflict (order unknown: for review)")
    moved: Series[str] = pa.Field(isin=list(REVISION_ENDS), description="which end moved: start or end")
    from_value: Series[pd.Timestamp] = pa.Field(description="the value before (or one side of a conflict)")
    to_value: Series[pd.Timestamp] = pa.Field(description="the value after (or the value the event uses)")
    delta_hours: Series[float] = pa.Field(description="to_value minus from_value in hours: negative is earlier")
    from_notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="the notice that stated from_value")
    to_notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="the notice that moved it (states to_value)")
    announced_on: Series[pd.Timestamp] = pa.Field(nullable=True, description="when the move was announced: to_notice's publication date")
    rule: Series[str] = pa.Field(isin=list(REVISION_RULES), description="how the kind was decided: later_notice, within_notice, order_unknown")
    needs_review: Series[bool] = pa.Field(description="true for a conflict")
    evidence: Series[str] = pa.Field(description="the sentence of to_notice that states to_value")

    class Config:
        strict = True
        coerce = True


DERIVED_TABLES: tuple[TableSpec, ...] = (
    TableSpec("events", EventsSchema, "one row per real-world interruption of one place's scheme and service, "
              "from the windows of every notice that announces it"),
    TableSpec("event_members", EventMembersSchema, "one row per window (or dateless notice) an event is built from, "
              "with the rule that joined it"),
    TableSpec("revisions", RevisionsSchema, "one row per change of an event's start or end between announcements, or per conflict"),
)


def column_specs(model: type[pa.DataFrameModel]) -> list[ColumnSpec]:
    """The columns of a model in order, with the kind every writer uses.

    >>> column_specs(NoticesSchema)[0]
    ColumnSpec(name='notice_id', kind='string', nullable=False, description='stable id: ...')
    """
    schema = model.to_schema()
    out: list[ColumnSpec] = []
    for name, col in schema.columns.items():
        dtype = str(col.dtype).lower()  # "Int64" (nullable integers) is an int too
        if name in LIST_COLUMNS:
            kind = "list"
        elif name in DATE_COLUMNS:
            kind = "date"
        elif "datetime" in dtype:
            kind = "timestamp"
        elif "int" in dtype:
            kind = "int"
        elif "float" in dtype:
            kind = "float"
        elif "bool" in dtype:
            kind = "bool"
        else:
            kind = "string"
        out.append(ColumnSpec(name, kind, bool(col.nullable), col.description or ""))
    return out


def empty_frame(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty DataFrame with the model's columns, for tables with no rows."""
    return pd.DataFrame({c.name: pd.Series([], dtype="object") for c in column_specs(model)})



class CorrectionsSchema(pa.DataFrameModel):
    """raw/corrections.csv — one row per correction a person made (pipeline review writes it).

    Not an output table: an input the run applies after extraction (pipeline/repair/corrections.py).
    """

    notice_id: Series[str] = pa.Field(str_matches=NOTICE_ID, description="the notice's content hash when it was corrected")
    source_file: Series[str] = pa.Field(description="its path in the raw folder, for people and for stale-correction messages")
    table_name: Series[str] = pa.Field(isin=["notices", "outage_windows", "contacts"], description="the table of the row")
    row_key: Series[str] = pa.Field(nullable=True, description="the row as extracted: start→end for a window, the printed number for a contact, empty for a notice")
    column_name: Series[str] = pa.Field(description="the corrected column")
    value: Series[str] = pa.Field(description="the corrected value, or 'confirmed' when the extracted value is right")
    who: Series[str] = pa.Field(description="who made the correction")
    at: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?", description="when (ISO date or time)")
    why: Series[str] = pa.Field(description="the reason, e.g. the sentence that shows the right value")

    class Config:
        strict = True
