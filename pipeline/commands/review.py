"""``python -m pipeline review``: the rows worth a person's look, and the corrections they make.

Lists every row that is not ``high`` (windows, contacts, a notice's publication date and city),
most consequential first — long outages and whole-city stops before short partial ones — and after
them the guidance rows that are not ``high`` (what patients are told), each
with its id, the value chosen, why it is not high, the evidence sentence and the candidate ends
that lost. ``--accept ID`` records that the value is right; ``--set ID COLUMN=VALUE`` records a
correction; both append to ``RAW/corrections.csv``, which every later run applies
(:mod:`pipeline.repair.corrections`). The outputs are read read-only; the raw notices are never written.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import logging
from datetime import datetime, timezone
from pathlib import Path

from pipeline.commands.query import cell_text
from pipeline.publish.cells import spreadsheet_safe
from pipeline.publish.tables import DB_NAME
from pipeline.publish.views import fetch_dicts, reading
from pipeline.repair.corrections import (
    CONFIRMED,
    CORRECTABLE,
    CORRECTIONS_NAME,
    append_correction,
    corrected_row,
    row_key,
)
from pipeline.settings import DEFAULT_OUT, DEFAULT_RAW

log = logging.getLogger(__name__)

LEVEL_ORDER = {"low": 0, "medium": 1}
FIELDS = ("id", "level", "source_file", "what", "value", "reasons", "alternatives", "evidence")


def review_queue(db: Path) -> list[dict]:
    """The queue: one item per row that is not ``high`` (nor ``reviewed``), most consequential first,
    then the guidance rows that are not ``high`` (low first, by notice).

    An item's ``id`` names the row for ``--accept``/``--set``: ``W:<notice_id>:<start>→<end>``,
    ``C:<notice_id>:<number as printed>``, ``N:<notice_id>:published_on`` or ``N:<notice_id>:city``;
    a guidance row is ``G:<notice_id>:<guidance_no>`` (listed for a person's look: ``raw/corrections.csv``
    does not take guidance rows).
    """
    with reading(db) as con:
        windows = fetch_dicts(con, """
            SELECT w.*, n.source_file FROM outage_windows w JOIN notices n USING (notice_id)
            WHERE w.confidence NOT IN ('high', 'reviewed')""")
        contacts = fetch_dicts(con, """
            SELECT c.*, n.source_file FROM contacts c JOIN notices n USING (notice_id)
            WHERE c.confidence NOT IN ('high', 'reviewed') AND c.phone_e164 IS NOT NULL""")
        notices = fetch_dicts(con, "SELECT * FROM notices")
        guidance = fetch_dicts(con, """
            SELECT g.*, n.source_file FROM guidance g JOIN notices n USING (notice_id)
            WHERE g.confidence NOT IN ('high', 'reviewed')
            ORDER BY g.confidence = 'medium', n.source_file, g.guidance_no""")
    items = []
    for w in windows:
        key = row_key("outage_windows", w)
        # consequence: a low level first, then what stops for everyone, then how long
        weight = (LEVEL_ORDER.get(w["confidence"], 2), w["service"] is not None, -(w["hours"] or 24 * 30))
        items.append((weight, {
            "id": f"W:{w['notice_id']}:{key}", "level": w["confidence"], "source_file": w["source_file"],
            "what": f"outage window {w['window_no']} ({w['service'] or 'everything'})",
            "value": f"{cell_text(w['start_at'])} → {cell_text(w['end_at']) or 'open'}",
            "reasons": ";".join(w["confidence_reasons"] or []), "alternatives": w.get("end_alternatives") or "",
            "evidence": w["evidence"],
        }))
    for n in notices:
        for field in ("published_on", "city"):
            level = n[f"{field}_confidence"]
            if n[field] is None or level in ("high", "reviewed"):
                continue
            evidence = n["published_on_evidence"] if field == "published_on" else n["city_evidence"]
            items.append(((LEVEL_ORDER.get(level, 2), True, 0), {
                "id": f"N:{n['notice_id']}:{field}", "level": level, "source_file": n["source_file"],
                "what": f"notice {field}", "value": cell_text(n[field]),
                "reasons": ";".join(n[f"{field}_confidence_reasons"] or []), "alternatives": "", "evidence": evidence or "",
            }))
    for c in contacts:
        items.append(((LEVEL_ORDER.get(c["confidence"], 2), True, 1), {
            "id": f"C:{c['notice_id']}:{c['phone_raw']}", "level": c["confidence"], "source_file": c["source_file"],
            "what": f"phone of {c['organization'] or 'the notice'}", "value": c["phone_e164"],
            "reasons": ";".join(c["confidence_reasons"] or []), "alternatives": "", "evidence": c["phone_raw"],
        }))
    queue = [item for _, item in sorted(items, key=lambda x: x[0])]
    # after the windows, contacts and dates: what patients are told, low first (a reading to check, not to correct here)
    for g in guidance:
        queue.append({
            "id": f"G:{g['notice_id']}:{g['guidance_no']}", "level": g["confidence"], "source_file": g["source_file"],
            "what": f"guidance {g['guidance_no']}" + (f" ({g['condition']})" if g.get("condition") else ""),
            "value": f"{g['category']} → {g['action']}",
            "reasons": ";".join(g["confidence_reasons"] or []), "alternatives": "", "evidence": g["evidence"],
        })
    return queue


def render(items: list[dict], fmt: str) -> str:
    """The queue as a text table, CSV or a self-contained HTML page (every value escaped)."""
    if fmt == "csv":  # for a spreadsheet: no cell may open as a formula (pipeline.publish.cells)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows({f: spreadsheet_safe(str(i[f] or "")) for f in FIELDS} for i in items)
        return buf.getvalue()
    if fmt == "html":
        head = "".join(f"<th>{html.escape(f)}</th>" for f in FIELDS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(i[f]))}</td>" for f in FIELDS) + "</tr>" for i in items)
        return ("<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>Needs review</title>"
                "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
                ".low{background:#fde2e0}</style></head><body>"
                f"<h1>Rows that need a person's look ({len(items)})</h1><table><tr>{head}</tr>{body}</table></body></html>")
    lines = [f"{len(items)} rows need a look (most consequential first):"]
    for i in items:
        lines.append(f"[{i['level']}] {i['id']}\n    {i['source_file']}: {i['what']} = {i['value']}"
                     f"\n    why: {i['reasons']}" + (f"\n    lost: {i['alternatives']}" if i["alternatives"] else "")
                     + f"\n    evidence: {i['evidence'][:160]}")
    return "\n".join(lines)


def correction_for(db: Path, item_id: str, column: str | None, value: str, who: str, why: str) -> dict:
    """The ``corrections.csv`` row for ``--accept`` (``value`` = ``confirmed``) or ``--set``."""
    kind, _, rest = item_id.partition(":")
    notice_id, _, key = rest.partition(":")
    table = {"W": "outage_windows", "C": "contacts", "N": "notices"}.get(kind)
    if table is None or not notice_id:
        raise ValueError(f"'{item_id}' is not a review id (W:…, C:… or N:…, as `pipeline review` prints them)")
    with reading(db) as con:
        found = con.execute("SELECT source_file FROM notices WHERE notice_id = ?", [notice_id]).fetchone()
    if found is None:
        raise ValueError(f"no notice {notice_id} in {db}: run `pipeline review` again for current ids")
    if table == "notices":
        column, key = column or key, ""
    column = column or ("end_at" if table == "outage_windows" else "phone_e164" if table == "contacts" else "")
    if column not in CORRECTABLE[table]:
        raise ValueError(f"{table}.{column} cannot be corrected (correctable: {', '.join(CORRECTABLE[table])})")
    row = _current_row(db, table, notice_id, key)
    if row is None:
        raise ValueError(f"no {table} row {key!r} of notice {notice_id} in {db}: run `pipeline review` again for current ids")
    corrected_row(table, row, column, value)  # raises RefusedCorrection (a ValueError) with what is wrong
    return {"notice_id": notice_id, "source_file": found[0], "table_name": table, "row_key": key,
            "column_name": column, "value": value, "who": who,
            "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"), "why": why}


def _current_row(db: Path, table: str, notice_id: str, key: str) -> dict | None:
    """The row a review id names, as the outputs hold it (every column), or None."""
    with reading(db) as con:
        rows = fetch_dicts(con, f"SELECT * FROM {table} WHERE notice_id = ?", [notice_id])
    return next((r for r in rows if row_key(table, r) == key), None)


def export_gold(db: Path, raw_dir: Path, target: Path) -> list[Path]:
    """Labels (``../LABELING.md``'s format, as in ``tests/real/shared_gold``) for every notice a person
    reviewed, from the corrected outputs, with their provenance; returns the files written.

    A person's confirmations and corrections (``RAW/corrections.csv``, applied by the run that
    wrote ``db``) make the corrected tables a label in all but name: city, province, publication
    date, windows and phone numbers of each notice with at least one correction, as the run now
    has them, go to ``TARGET/NAME.json``; ``provenance`` lists each correction (who, when, why,
    the value) and the ids of the rows of that notice nobody reviewed, and ``complete`` is true
    only when every window, number, city and date of the notice was reviewed. Guidance is not
    exported (corrections do not take guidance rows), so such a label is not scored on guidance.
    Only files whose notice is still the one corrected (same ``notice_id``) are written.
    """
    import json

    from pipeline.extract.timeexpr import minute_text
    from pipeline.repair.corrections import read_corrections

    corrections, _ = read_corrections(raw_dir)
    by_notice: dict[str, list[dict]] = {}
    for c in corrections:
        by_notice.setdefault(c["notice_id"], []).append(c)
    written: list[Path] = []
    with reading(db) as con:
        for nid, fixes in sorted(by_notice.items()):
            notice = fetch_dicts(con, "SELECT * FROM notices WHERE notice_id = ?", [nid])
            if not notice:
                continue  # the notice changed since it was corrected: the run reported it (stage correct)
            n = notice[0]
            windows = fetch_dicts(con, "SELECT * FROM outage_windows WHERE notice_id = ? ORDER BY window_no", [nid])
            contacts = fetch_dicts(con, "SELECT * FROM contacts WHERE notice_id = ?", [nid])
            unreviewed = [f"W:{nid}:{row_key('outage_windows', w)}" for w in windows if w["confidence"] != "reviewed"]
            unreviewed += [f"C:{nid}:{c['phone_raw']}" for c in contacts
                           if c["phone_e164"] and c["confidence"] != "reviewed"]
            unreviewed += [f"N:{nid}:{col}" for col in ("published_on", "city")
                           if n[col] is not None and n[f"{col}_confidence"] != "reviewed"]
            label = {
                "file": Path(n["source_file"]).name,
                "city": n["city"], "province": n["province"],
                "published_on": n["published_on"].isoformat() if n["published_on"] else None,
                "windows": [{"scheme": w["scheme"], "service": w["service"], "start_at": minute_text(w["start_at"]),
                             "end_at": minute_text(w["end_at"]) or None, "evidence": w["evidence"]} for w in windows],
                "phones_e164": sorted({c["phone_e164"] for c in contacts if c["phone_e164"]}),
                "notes": "exported by `pipeline review --export-gold` from the corrected outputs: the values a person "
                         "reviewed are listed under provenance; the others are the pipeline's",
                "provenance": {
                    "source_file": n["source_file"], "notice_id": nid, "outputs": str(db),
                    "reviewed": [{k: c[k] for k in ("table_name", "row_key", "column_name", "value", "who", "at", "why")}
                                 for c in fixes],
                    "unreviewed": unreviewed,
                    "complete": not unreviewed,
                },
            }
            path = target / (Path(n["source_file"]).stem + ".json")
            target.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            written.append(path)
    return written


def _cmd(args: argparse.Namespace) -> int:
    db = args.out / DB_NAME
    if not db.is_file():
        log.error("%s does not exist: run `python -m pipeline run --out %s` first", db, args.out)
        return 2
    if args.export_gold:
        try:
            written = export_gold(db, args.raw, args.export_gold)
        except OSError as exc:
            log.error("cannot write labels into %s: %s", args.export_gold, exc.strerror or exc)
            return 3
        for path in written:
            print(path)
        log.info("%d labels written to %s (notices with at least one correction in %s)",
                 len(written), args.export_gold, args.raw / CORRECTIONS_NAME)
        return 0
    try:
        if args.accept or args.set:
            if args.accept:
                fix = correction_for(db, args.accept, None, CONFIRMED, args.who, args.why or "checked against the notice")
            else:
                item_id, assignment = args.set
                column, sep, value = assignment.partition("=")
                if not sep:
                    raise ValueError(f"'{assignment}' is not COLUMN=VALUE")
                fix = correction_for(db, item_id, column, value, args.who, args.why or "corrected against the notice")
            path = append_correction(args.raw, fix)
            log.info("recorded in %s: %s %s %s = %s (applied by the next `pipeline run`)",
                     path, fix["table_name"], fix["row_key"] or "", fix["column_name"], fix["value"])
            return 0
    except ValueError as exc:  # a refused correction, a bad id, an unreadable corrections.csv
        log.error("%s", exc)
        return 2
    except OSError as exc:
        log.error("cannot write %s: %s", args.raw / CORRECTIONS_NAME, exc.strerror or exc)
        return 3
    print(render(review_queue(db), args.format))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="list the rows that need a person's look; record confirmations and corrections")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder of a run (default: outputs/)")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder whose corrections.csv is written (default: raw/)")
    p.add_argument("--format", choices=("table", "csv", "html"), default="table")
    p.add_argument("--accept", metavar="ID", help="the row's value is right: record it as confirmed")
    p.add_argument("--set", nargs=2, metavar=("ID", "COLUMN=VALUE"), help="record a corrected value for the row")
    p.add_argument("--who", default="reviewer", help="who confirms or corrects (recorded with the correction)")
    p.add_argument("--why", default="", help="why (recorded with the correction)")
    p.add_argument("--export-gold", type=Path, metavar="DIR",
                   help="write a label (gold JSON, with provenance) for every notice a person reviewed into DIR")
    p.set_defaults(func=_cmd)
