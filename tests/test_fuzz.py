"""Fuzzing readers and extractors: damaged notices never crash a run, and rows keep their invariants.

Inputs are the shipped notices mutated the way reposting damages them (characters deleted,
inserted, replaced; years dropped; digits swapped), wrapped as text or HTML, plus random bytes.
For every input ``process_file`` must return a row, never raise; for every extraction:
start ≤ end, every E.164 number valid per ``phonenumbers``, every repair rule a known code, and
the rows pass validation.

Fast by default (50 examples a test, derandomised so CI sees the same inputs every time); set
``FUZZ_EXAMPLES=2000`` for a deeper, randomised search.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import Extraction, SourceHints
from pipeline.runner.engine import notice_id_of, process_file
from pipeline.validate import validate_tables
from pipeline.vocab.codes import ERROR_STAGES, REPAIR_RULES

REPO = Path(__file__).resolve().parent.parent
NOTICES = sorted((REPO / "raw").glob("*.txt")) + sorted((REPO / "tests" / "corpus" / "raw").glob("*.txt"))
TEXTS = [p.read_text(encoding="utf-8") for p in NOTICES]

_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    derandomize=_EXAMPLES <= 50,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that matter to the grammar of dates, times, ranges and phone numbers.
NOTICE_CHARS = "0123456789０１２３年月日时点分号至到起止前后今明次当24:：-－—~～/.、，。（）()零一二三四五六七八九十廿卅"
ANY_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))


@st.composite
def mutated_notice(draw: st.DrawFn) -> str:
    """A shipped notice with up to eight reposting-style mutations."""
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "drop_year", "swap_digits", "truncate"]))
        pos = draw(st.integers(0, max(0, len(text) - 1)))
        if kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:pos] + draw(st.text(st.sampled_from(NOTICE_CHARS) | ANY_CHARS, min_size=1, max_size=12)) + text[pos:]
        elif kind == "replace":
            text = text[:pos] + draw(st.sampled_from(NOTICE_CHARS)) + text[pos + 1:]
        elif kind == "drop_year":
            years = list(re.finditer(r"(?:19|20)\d\d\s*年", text))
            if years:
                m = years[draw(st.integers(0, len(years) - 1))]
                text = text[: m.start()] + text[m.end():]
        elif kind == "swap_digits":
            digits = [m.start() for m in re.finditer(r"\d\d", text)]
            if digits:
                i = digits[draw(st.integers(0, len(digits) - 1))]
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        else:
            text = text[: max(1, pos)]
    return text


def as_html(text: str) -> str:
    """A notice as a plain web page: one ``<p>`` per line."""
    body = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>通告</title></head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def run_one(workdir: Path, name: str, data: bytes) -> Extraction | None:
    """process_file on ``data`` saved as ``name``; checks the error row when there is one."""
    path = workdir / name
    path.write_bytes(data)
    extraction, error, nid = process_file(path, name, SourceHints())
    assert (extraction is None) != (error is None)
    if error is not None:
        assert error["source_file"] == name and error["stage"] in ERROR_STAGES and error["error"].strip()
        # a crash caught by the guard is still a bug in a reader or extractor: report it
        assert not error["error"].startswith("unexpected"), f"{error['error']} on input {data[:300]!r}"
    else:
        assert nid == notice_id_of(data)
    return extraction


def check_invariants(extraction: Extraction, name: str) -> None:
    for w in extraction.windows:
        assert w["end_at"] is None or w["start_at"] <= w["end_at"], w
    for c in extraction.contacts:
        if c.get("phone_e164"):
            number = phonenumbers.parse(c["phone_e164"], None)
            assert phonenumbers.is_valid_number(number), c
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == c["phone_e164"]
    for r in extraction.repairs:
        assert r["rule"] in REPAIR_RULES, r
    _, errors = validate_tables(extraction.by_table(), {extraction.notice["notice_id"]: name})
    assert errors == []


@FUZZ
@given(text=mutated_notice())
def test_mutated_text_notices(workdir: Path, text: str) -> None:
    extraction = run_one(workdir, "mutated.txt", text.encode("utf-8"))
    if extraction is not None:
        check_invariants(extraction, "mutated.txt")


@FUZZ
@given(text=mutated_notice(), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_mutated_html_notices(workdir: Path, text: str, encoding: str) -> None:
    page = as_html(text)
    data = page.encode(encoding, errors="replace")
    extraction = run_one(workdir, "mutated.html", data)
    if extraction is not None:
        check_invariants(extraction, "mutated.html")


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["x.txt", "x.html", "x.pdf", "x.docx", "x.bin"]))
def test_random_bytes(workdir: Path, data: bytes, name: str) -> None:
    extraction = run_one(workdir, name, data)
    if extraction is not None:
        check_invariants(extraction, name)


@FUZZ
@given(
    prefix=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b""]),
    text=st.text(st.sampled_from(NOTICE_CHARS) | ANY_CHARS, max_size=400),
)
def test_random_text_behind_format_magic(workdir: Path, prefix: bytes, text: str) -> None:
    extraction = run_one(workdir, "magic.txt", prefix + text.encode("utf-8"))
    if extraction is not None:
        check_invariants(extraction, "magic.txt")


# Minimal inputs distilled from fuzzing failures (since fixed in the extractors); kept as regressions.
FOUND_BY_FUZZING = {
    "resume_before_stop": "石家庄市医疗保障局关于医保系统切换的通告\n发布时间：2021-12-14 17:45\n"
    "全市医保经办窗口自12月21日18时起暂停受理，12月21日8时30分恢复。\n",
    "stop_year_from_later_date": "杭州市医疗保障局关于年度结转的通知\n各参保单位：\n"
    "市、区医保经办窗口自12月29日下午16:30起暂停办理参保登记业务，2018年1月2日上午8:30恢复。\n",
}


@pytest.mark.parametrize("case", sorted(FOUND_BY_FUZZING))
def test_found_by_fuzzing(workdir: Path, case: str) -> None:
    extraction = run_one(workdir, f"{case}.txt", FOUND_BY_FUZZING[case].encode("utf-8"))
    assert extraction is not None
    check_invariants(extraction, f"{case}.txt")


def _opencc_keys() -> list[str]:
    from pipeline.read.normalize import _t2s_triggers

    return sorted(_t2s_triggers())[:400] + ["覆文", "沈默", "沈船", "反覆", "瞭解", "藉口", "乾隆", "於崇文"]


@FUZZ
@given(text=st.lists(st.sampled_from(NOTICE_CHARS) | ANY_CHARS | st.sampled_from(_opencc_keys()), max_size=40).map("".join))
def test_to_simplified_skip_agrees_with_the_converter(text: str) -> None:
    """The fast path of ``to_simplified`` (no trigger character: return as is) changes nothing."""
    from pipeline.read.normalize import _t2s, to_simplified

    assert to_simplified(text) == _t2s().convert(text)
