"""``python -m pipeline run``: raw folder → six validated tables in the output folder."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import ReadError
from pipeline.extract import Extraction, SourceHints, extract_notice
from pipeline.manifest import MANIFEST_NAME, read_manifest
from pipeline.normalize import normalize_document
from pipeline.read import SUPPORTED_SUFFIXES, read_document

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW = REPO_ROOT / "raw"
DEFAULT_OUT = REPO_ROOT / "outputs"

TABLE_KEYS = ("notices", "outage_windows", "guidance", "contacts", "repairs")


@dataclass
class RunResult:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in TABLE_KEYS})
    errors: list[dict] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)
    files_read: int = 0


def notice_id_of(data: bytes) -> str:
    """First 16 hex digits of the SHA-256 of the raw bytes: ``b"abc"`` → ``"ba7816bf8f01cfea"``."""
    return hashlib.sha256(data).hexdigest()[:16]


def discover(raw_dir: Path) -> list[Path]:
    """Every notice file below ``raw_dir``, in a stable order (the manifest and dotfiles excluded)."""
    files = []
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name == MANIFEST_NAME or path.suffix.lower() in {".yaml", ".yml", ".json", ".md"} and path.parent == raw_dir:
            continue
        files.append(path)
    return files


def process_file(path: Path, rel: str, hints: SourceHints) -> tuple[Extraction | None, dict | None, str]:
    """Read, normalise and extract one file; return ``(extraction, error_row, notice_id)``."""
    data = path.read_bytes()
    nid = notice_id_of(data)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES and not data[:5].startswith((b"%PDF", b"PK")):
        # unknown extensions are still tried: reposted files are often misnamed
        pass
    try:
        doc = read_document(path, rel)
    except ReadError as exc:
        return None, {"source_file": rel, "stage": "read", "error": str(exc)}, nid
    except Exception as exc:  # a reader bug must not stop the run; say what and where
        return None, {"source_file": rel, "stage": "read", "error": f"unexpected {type(exc).__name__}: {exc}"}, nid
    try:
        doc, norm_repairs = normalize_document(doc)
        extraction = extract_notice(doc, hints, nid, norm_repairs)
    except Exception as exc:
        return None, {"source_file": rel, "stage": "extract", "error": f"unexpected {type(exc).__name__}: {exc}"}, nid
    return extraction, None, nid


def run_pipeline(raw_dir: Path) -> RunResult:
    """Read and extract every file of ``raw_dir``; plain rows, nothing written."""
    result = RunResult()
    hints = read_manifest(raw_dir)
    seen: dict[str, str] = {}
    for path in discover(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        hint = hints.get(rel) or hints.get(path.name) or SourceHints()
        result.files_read += 1
        extraction, error, nid = process_file(path, rel, hint)
        if error is not None:
            result.errors.append(error)
            continue
        assert extraction is not None
        if nid in seen:
            result.errors.append(
                {"source_file": rel, "stage": "read", "error": f"same bytes as {seen[nid]}: skipped as a duplicate"}
            )
            continue
        seen[nid] = rel
        result.source_of[nid] = rel
        result.rows["notices"].append(extraction.notice)
        result.rows["outage_windows"].extend(extraction.windows)
        result.rows["guidance"].extend(extraction.guidance)
        result.rows["contacts"].extend(extraction.contacts)
        result.rows["repairs"].extend(extraction.repairs)
    return result


def run(raw_dir: Path, out_dir: Path, quiet: bool = False) -> int:
    from pipeline.load import write_outputs
    from pipeline.validate import to_frame, validate_tables
    from schemas.tables import ErrorsSchema

    if not raw_dir.is_dir():
        print(f"error: raw folder {raw_dir} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = run_pipeline(raw_dir)
    frames, validation_errors = validate_tables(result.rows, result.source_of)
    errors = result.errors + validation_errors
    frames["errors"] = ErrorsSchema.validate(to_frame("errors", errors))
    try:
        write_outputs(frames, out_dir)
    except OSError as exc:
        print(f"error: cannot write outputs to {out_dir}: {exc}", file=sys.stderr)
        return 3
    if not quiet:
        elapsed = time.perf_counter() - started
        print(f"read {result.files_read} files from {raw_dir} in {elapsed:.1f}s → {out_dir}")
        for name, frame in frames.items():
            print(f"  {name:<15} {len(frame):>6} rows")
        for err in errors:
            print(f"  ! {err['source_file']} [{err['stage']}]: {err['error']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="extract every notice in the raw folder into the output tables")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of raw notices (default: raw/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: outputs/)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=lambda a: run(a.raw, a.out, a.quiet))
