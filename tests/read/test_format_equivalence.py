"""The same notice published as HTML, WeChat, PDF or Word must extract to the same rows as its text.

Fixtures in ``tests/fixtures/formats/`` are rendered from the seed notices by
``scripts/make_format_fixtures.py``; every rendering goes through the real pipeline path
(``pipeline.runner.engine.process_file``: read → normalise → extract) and is compared with the ``.txt``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import SourceHints
from pipeline.read import read_document
from pipeline.read.grid import pipe_line
from pipeline.read.text import split_pipe_row
from pipeline.runner.engine import process_file

REPO = Path(__file__).resolve().parents[2]
FORMATS = REPO / "tests" / "fixtures" / "formats"
SEEDS = REPO.parent / "shared" / "seeds"
SEED_NAMES = ("xian-2022-cutover-notice-and-guide", "hangzhou-2022-cutover-notice")
RENDERINGS = (("gov.html", "html"), ("wechat.html", "html"), ("pdf", "pdf"), ("docx", "docx"))


def _seed_path(stem: str) -> Path:
    """The seed text: the shared copy when it is beside the repo, else the corpus copy in raw/."""
    for path in (SEEDS / f"{stem}.txt", REPO / "raw" / f"{stem}.txt"):
        if path.exists():
            return path
    pytest.skip(f"seed {stem}.txt not found")


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Extract one file through the pipeline; the comparable columns of each table, order-free."""
    extraction, error, _ = process_file(path, path.name, SourceHints())
    assert error is None, f"{path.name}: {error}"
    assert extraction is not None
    windows = [(str(w.get("start_at")), str(w.get("end_at")), w.get("scheme"), w.get("service")) for w in extraction.windows]
    contacts = [(c.get("region"), c.get("organization"), c.get("phone_e164"), c.get("phone_status")) for c in extraction.contacts]
    guidance = [
        (g.get("category"), g.get("action"), str(g.get("deadline_from")), str(g.get("deadline_to")), tuple(g.get("documents") or ()))
        for g in extraction.guidance
    ]
    # sorted by repr: values mix None and str, and the comparison is of contents, not order
    return {"windows": sorted(windows, key=repr), "contacts": sorted(contacts, key=repr), "guidance": sorted(guidance, key=repr)}


def _diff(expected: list[tuple], got: list[tuple]) -> str:
    missing = [r for r in expected if r not in got]
    extra = [r for r in got if r not in expected]
    return f"missing {missing[:8]} ({len(missing)}), extra {extra[:8]} ({len(extra)})"


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, list[tuple]]]:
    return {stem: _rows(_seed_path(stem)) for stem in SEED_NAMES}


@pytest.mark.parametrize("stem", SEED_NAMES)
@pytest.mark.parametrize(("suffix", "fmt"), RENDERINGS)
def test_rendering_extracts_like_the_text(stem: str, suffix: str, fmt: str, expected) -> None:
    path = FORMATS / f"{stem}.{suffix}"
    assert read_document(path, path.name).format == fmt
    got = _rows(path)
    want = expected[stem]
    assert want["windows"], "the seed itself yields no windows: nothing to compare"
    for table in ("windows", "contacts", "guidance"):
        assert got[table] == want[table], f"{path.name} {table}: {_diff(want[table], got[table])}"


def _as_published(seed: Path) -> list[str]:
    """The seed's lines as a published page shows them: markdown syntax gone, and the blank
    label cells under a merged cell (``| | | 沣东新城医疗保障局 |``) repeating the cell above."""
    out: list[str] = []
    above: list[str] | None = None
    for line in read_document(seed, seed.name).lines:
        if line.lstrip().startswith("|"):
            cells = list(split_pipe_row(line))
            if set("".join(cells)) <= set("-: "):
                continue  # the |---| rule under a header
            lead = next((i for i, c in enumerate(cells) if c), 0)
            if above is not None and lead:
                cells[:lead] = above[:lead]
            above = cells
            out.append(pipe_line(cells))
        else:
            above = None
            out.append(line.strip().removeprefix("- ").replace("**", ""))
    return out


@pytest.mark.parametrize("stem", SEED_NAMES)
@pytest.mark.parametrize(("suffix", "fmt"), RENDERINGS)
def test_rendering_reads_back_the_seed_lines(stem: str, suffix: str, fmt: str) -> None:
    """Generator and reader together lose and add nothing: same words, numbers and dates, in order."""
    path = FORMATS / f"{stem}.{suffix}"
    doc = read_document(path, path.name)
    got = [pipe_line(split_pipe_row(ln)) if ln.startswith("|") else ln for ln in doc.lines]
    want = _as_published(_seed_path(stem))
    if got[0] != want[0]:  # a page whose title is not the seed's first line shows it on top
        assert got[0] == doc.meta["title"]
        got = got[1:]
    assert got == want
