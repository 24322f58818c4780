"""Metamorphic tests over the real labelled notices: re-publishing a notice must not change what it says.

For every notice of ``raw/*.txt`` that has a gold label (``tests/real/shared_gold``, the repository's
copies of ``../shared``'s labels), each transformation of :mod:`metamorphic` re-publishes it the way the
web does — traditional characters, pinyin, flattened or re-wrapped lines, site chrome, a GBK
government page, a WeChat page, full-width digits, a repost stamp — and the pipeline must give the
same windows ((start, end) pairs), phones (E.164) and city as it gives on the notice itself. The
reference is the pipeline's own output on the original, not the gold label: the relation tested
is "the transformation does not change the result".

Each transformation runs as one batch: all transformed files in one temporary raw folder, with the
manifest rows of the originals (the URL is evidence for years), one ``run_pipeline`` call.

Pairs that fail today are listed in :data:`KNOWN_FAILURES` with the stage at fault and the
difference seen; they run as strict xfails, so a fix makes the run fail until its entry is removed.
"""

from __future__ import annotations

import doctest
import re
import unicodedata

import metamorphic as mm
import pytest
from metamorphic import IDENTITY, TRANSFORMATIONS, Outcome, Source, difference, labelled_sources, run_batch

# --- what fails today, and why -------------------------------------------------------------------

# cause → (stage at fault, what goes wrong, the smallest text that shows it)
CAUSES: dict[str, tuple[str, str, str]] = {
    'label_value_cards': (
        'windows',
        "cards of '暂停时间: X起' / '恢复时间: …' lines: a card with no resumption line of its own takes the next card's stop as a general resumption (17:30 → next day 17:30, the label says open); once the lines are joined or re-cut the cards' structure is gone and the stops stay open, as labelled — here the transformed result is the right one",
        "'1、…参保登记业务\\n暂停时间: 2021年12月14日17:30起\\n相关说明: …\\n2、…\\n暂停时间: 2021年12月15日17:30起\\n恢复时间: 业务办理恢复时间另行公告。' → 2021-12-14T17:30 ends 2021-12-15T17:30; joined → open",
    ),
    'table_flattened': (
        'windows',
        "a space-separated table ('省本级 2018.1.1~1.4 福州 2018.1.1~1.5 …') on one line loses its row labels, so equal rows are folded as restatements, and the hospital's holiday schedule after it ('2017年12月30日~31日(周六、周天)全天正常上班') is read as a stop",
        "'各地市医保停机时间: 地市 结转停机时间 省本级 2018.1.1~1.4 福州 2018.1.1~1.5 莆田 2018.1.1~1.3 泉州 2018.1.1~1.7 漳州 2018.1.1~1.3' → 4 windows; one row a line → 5",
    ),
    'sections_joined': (
        'windows',
        "once list items and headings share one line, the heading context that set a people's deadline aside is gone ('三、系统升级后相关事项 … 灵活就业人员应在每年1月1日至1月19日…申报' becomes a window); in qingdao-2022-outage-c007 the 2022-12-31T12:00 stop is lost as well",
        "'1.2022年12月30日18:00至2023年1月5日6:00,全市医保经办机构暂停办理业务。 三、系统升级后相关事项 (一)缴费基数申报及变更 灵活就业人员应在每年1月1日至1月19日通过税务机关提供的渠道申报年度缴费基数。' (URL date 2022-12-19) → extra window 2023-01-01T00:00→2023-01-20T00:00; one item a line → none",
    ),
}

# (transformation, file) → (cause, the difference as this test printed it when the entry was
# written: original → transformed). Each entry runs as a strict xfail (``-rx`` lists them with
# their reasons): when a fix makes it pass, the run fails with XPASS(strict) until the entry is
# deleted; when it starts to differ in a part it did not (say the city as well as the windows), the
# run fails too. The details inside a part may drift while window extraction is being rewritten;
# the failure message always shows the current difference. ``python tests/metamorphic.py`` prints
# every current difference in this format.
KNOWN_FAILURES: dict[tuple[str, str], tuple[str, str]] = {
    ('flattened', 'fujian-hospital-2018-year-end-table.txt'): (
        'table_flattened',
        'windows: lost [2018-01-01T00:00 → 2018-01-04T00:00, 2018-01-01T00:00 → 2018-01-04T00:00, 2018-01-01T00:00 → 2018-01-06T00:00, 2018-01-01T00:00 → 2018-01-06T00:00, 2018-01-01T00:00 → 2018-01-08T00:00]; gained [2017-12-30T00:00 → 2018-01-01T00:00]',
    ),
    ('rewrapped', 'fujian-hospital-2018-year-end-table.txt'): (
        'table_flattened',
        'windows: lost [2018-01-01T00:00 → 2018-01-04T00:00, 2018-01-01T00:00 → 2018-01-04T00:00, 2018-01-01T00:00 → 2018-01-06T00:00, 2018-01-01T00:00 → 2018-01-06T00:00, 2018-01-01T00:00 → 2018-01-08T00:00]; gained [2017-12-30T00:00 → 2018-01-01T00:00]',
    ),
    ('rewrapped', 'qingdao-2022-outage-c007.txt'): (
        'sections_joined',
        'windows: gained [2023-01-01T00:00 → 2023-01-20T00:00]',
    ),
    ('rewrapped', 'unnamed-2023-outage-d014.txt'): (
        'sections_joined',
        'windows: gained [2025-01-01T00:00 → 2026-01-01T00:00]',
    ),
    ('flattened', 'wuhan-2021-cutover-b010.txt'): (
        'label_value_cards',
        'windows: lost [2021-12-14T17:30 → 2021-12-15T17:30, 2021-12-15T00:00 → 2021-12-15T17:30]; gained [2021-12-14T17:30 → (open), 2021-12-15T00:00 → (open)]',
    ),
    ('rewrapped', 'wuhan-2021-cutover-b010.txt'): (
        'label_value_cards',
        'windows: lost [2021-12-14T17:30 → 2021-12-15T17:30, 2021-12-15T00:00 → 2021-12-15T17:30]; gained [2021-12-14T17:30 → (open), 2021-12-15T00:00 → (open)]',
    ),
}


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    found = labelled_sources()
    assert found, f"no raw/*.txt notice has a gold label in {', '.join(map(str, mm.GOLD_DIRS))}"
    return found


class Batches:
    """One pipeline run per transformation, made when first asked for and kept for the module."""

    def __init__(self, sources: list[Source], root) -> None:
        self.sources = sources
        self.root = root
        self._runs: dict[str, tuple[dict[str, Outcome], list[str]]] = {}

    def run(self, name: str) -> tuple[dict[str, Outcome], list[str]]:
        if name not in self._runs:
            transformation = IDENTITY if name == IDENTITY.name else TRANSFORMATIONS[name]
            self._runs[name] = run_batch(self.sources, transformation, self.root / name)
        return self._runs[name]

    def difference(self, name: str, file: str) -> str | None:
        """``None`` when the transformation does not apply to the file, else the difference ("" if none)."""
        original, _ = self.run(IDENTITY.name)
        transformed, _ = self.run(name)
        if file not in transformed:
            return None
        return " | ".join(difference(original[file], transformed[file]))


@pytest.fixture(scope="module")
def batches(sources, tmp_path_factory) -> Batches:
    return Batches(sources, tmp_path_factory.mktemp("metamorphic"))


# --- the relation -----------------------------------------------------------------------------------


def test_every_labelled_notice_gives_a_notice_on_the_original(sources, batches) -> None:
    """Without a row on the original there is nothing to compare the transformations with."""
    original, _ = batches.run(IDENTITY.name)
    broken = {s.name: original[s.name].error for s in sources if original[s.name].error}
    assert not broken, "labelled notices without a notices row:\n" + "\n".join(f"  {f}: {e}" for f, e in broken.items())


@pytest.mark.parametrize("name", list(TRANSFORMATIONS))
def test_transformation_keeps_windows_phones_and_city(name: str, sources, batches) -> None:
    transformed, skipped = batches.run(name)
    regressions = []
    for s in sources:
        if s.name in skipped or (name, s.name) in KNOWN_FAILURES:
            continue
        diff = batches.difference(name, s.name)
        if diff:
            regressions.append(f"  {s.name}: {diff}")
    if regressions:
        pytest.fail(
            f"{name} ({TRANSFORMATIONS[name].doc}) changed the result of {len(regressions)} of "
            f"{len(transformed)} notices (original → transformed):\n" + "\n".join(regressions)
            + "\n(a failure that cannot be fixed now goes into KNOWN_FAILURES with its cause)",
            pytrace=False,
        )


def _parts(diff: str) -> set[str]:
    """``"windows: lost […] | city: 'a' → 'b'"`` → ``{"windows", "city"}``."""
    return {part.split(":", 1)[0].strip() for part in diff.split(" | ") if part.strip()}


class KnownFailureSpread(Exception):
    """A known failure now also differs in a part (windows, phones, city) it did not differ in."""


def _known_params() -> list:
    params = []
    for (name, file), (cause, diff) in sorted(KNOWN_FAILURES.items()):
        stage, _, _ = CAUSES[cause]
        reason = f"{stage} ({cause}): {diff}"
        params.append(pytest.param(name, file, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason),
                                   id=f"{name}-{file.removesuffix('.txt')}"))
    return params


@pytest.mark.parametrize(("name", "file"), _known_params())
def test_known_failure(name: str, file: str, sources, batches) -> None:
    """A known failure must still fail (strict xfail: a fix turns it into a failure until the entry
    is removed), and only in the parts recorded: a new part differing is a new regression."""
    if file not in {s.name for s in sources}:
        pytest.skip(f"{file} is no longer a labelled raw notice: remove its KNOWN_FAILURES entry")
    diff = batches.difference(name, file)
    if diff is None:  # pytest.fail, not assert: an AssertionError here would count as the expected failure
        pytest.fail(f"{name} does not apply to {file}: remove its KNOWN_FAILURES entry")
    recorded = KNOWN_FAILURES[(name, file)][1]
    new_parts = _parts(diff) - _parts(recorded)
    if new_parts:
        raise KnownFailureSpread(f"{name} {file}: now also differs in {sorted(new_parts)}: {diff}")
    assert not diff, f"{name} {file}: {diff}"


def test_known_failures_name_real_causes_and_transformations() -> None:
    for (name, _file), (cause, diff) in KNOWN_FAILURES.items():
        assert name in TRANSFORMATIONS and cause in CAUSES and _parts(diff) <= {"windows", "phones", "city", "error"}
    unused = set(CAUSES) - {cause for cause, _ in KNOWN_FAILURES.values()}
    assert not unused, f"causes no known failure has any more (delete them from CAUSES): {sorted(unused)}"


# --- the transformations themselves -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["gov_html", "wechat_html"])
def test_html_renderings_are_read_as_html(name: str, batches) -> None:
    """The HTML transformations really exercise the HTML reader (not a text read of the tags)."""
    outcomes, _ = batches.run(name)
    formats = {o.format for o in outcomes.values() if not o.error}
    assert formats == {"html"}, formats


def test_helper_examples() -> None:
    """The docstring examples of tests/metamorphic.py hold."""
    result = doctest.testmod(mm, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 10


@pytest.mark.parametrize("name", list(TRANSFORMATIONS))
def test_transformation_is_deterministic_and_changes_the_notices(name: str, sources) -> None:
    t = TRANSFORMATIONS[name]
    changed = 0
    for s in sources:
        first, second = t.render(s), t.render(s)
        assert first == second, f"{name} is not deterministic on {s.name}"
        if first is not None and first != (s.name, s.text.encode("utf-8")):
            changed += 1
    assert changed >= len(sources) * 0.75, f"{name} changed only {changed} of {len(sources)} notices"


_TONE_BRACKET = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def test_transformations_keep_the_words(sources) -> None:
    """Each text transformation adds or reshapes only what it says it does."""
    for s in sources:
        rng = mm.rng_for
        wide = mm.to_fullwidth(s.text)
        assert unicodedata.normalize("NFKC", wide) == unicodedata.normalize("NFKC", s.text), s.name
        with_pinyin = mm.inject_pinyin(s.text, rng("pinyin", s.name))
        assert _TONE_BRACKET.sub("", with_pinyin) == _TONE_BRACKET.sub("", s.text), s.name
        assert with_pinyin != s.text, f"no pinyin injected into {s.name}"
        squeeze = re.compile(r"\s+")
        for reshaped in (mm.flatten_lines(s.text), mm.rewrap_sentences(s.text)):
            assert squeeze.sub("", reshaped) == squeeze.sub("", s.text), s.name
        assert "\n" not in mm.flatten_lines(s.text)


def test_site_chrome_is_only_clean_chrome(sources) -> None:
    """Chrome holds no digit, date/time character or place (or the expected result would change),
    and removing the inserted lines gives back the notice's lines."""
    chrome = set(mm.BREADCRUMBS + mm.SHARE_LINES + mm.EDITOR_LINES + mm.AD_LINES)
    for line in chrome:
        assert not mm.CHROME_FORBIDDEN.search(line), line
    for s in sources:
        out = [ln for ln in mm.add_site_chrome(s.text, mm.rng_for("site_chrome", s.name)).splitlines() if ln.strip()]
        rest = [ln for ln in s.text.splitlines() if ln.strip()]
        added = []
        for line in out:  # the notice's lines, in order, with only chrome lines between them
            if rest and line == rest[0]:
                rest.pop(0)
            else:
                added.append(line)
        assert not rest and set(added) <= chrome and len(added) >= 4, s.name


def test_repost_stamp_follows_every_labelled_date(sources) -> None:
    for s in sources:
        when = mm.stamp_time(s.gold, mm.rng_for("repost_stamp", s.name))
        days = mm.gold_dates(s.gold)
        if not days:
            assert when is None
            continue
        assert when is not None and 1 <= (when.date() - max(days)).days <= 20, s.name
        rendered = TRANSFORMATIONS["repost_stamp"].render(s)
        assert rendered is not None
        assert re.fullmatch(r"发表于 \d{4}-\d\d-\d\d \d\d:\d\d", rendered[1].decode("utf-8").splitlines()[0])
