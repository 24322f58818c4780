"""An incremental run's tables: the previous generation's rows of every unchanged notice, and this run's.

A run that builds on the previous generation (:mod:`pipeline.runner.ledger`) extracts and
validates only the notices whose files changed (*fresh* notices); every other published notice
(*kept*) keeps its rows as the previous generation published them. Each table is then the two
merged in the order of the raw folder: the rows of the notice at position 0, then 1, … — the
order a run from scratch writes them in (files in path order, each notice's rows in the order it
gave them), so the tables are the same, byte for byte in CSV, whichever way they were made.

Both sides are already in that order (the previous tables were written in it, and fresh notices
arrive in it), so the merge streams: the previous Parquet file is read a row group at a time, and
the fresh rows that fall before its last notice are slotted in with a stable sort of that window
(:func:`merged`). Memory is one window, whatever the corpus size.

The events are clustered one place at a time (:mod:`pipeline.publish.events`), so only the
places a changed notice touches — where its windows were or are now, and its own place for a
notice whose years are not printed — are clustered again (:func:`write_events`); the rows of every
other place are the previous generation's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.runner.atomic import copy_range

RANK = "__rank"  # the position of a row's notice in the raw folder's order (fresh rows' extra column)
READ_ROWS = 65_536


def with_rank(table: pa.Table, rank_of: dict[str, int]) -> pa.Table:
    """``table`` (rows of fresh notices) with the :data:`RANK` of each row's notice."""
    ranks = pa.array([rank_of[nid] for nid in table.column("notice_id").to_pylist()], type=pa.int64())
    return table.append_column(pa.field(RANK, pa.int64(), nullable=False), ranks)


def merged(previous: Path, fresh: Path | None, kept_ids: pa.Array, kept_ranks: pa.Array,
           schema: pa.Schema) -> Iterator[pa.Table]:
    """The previous table's rows of kept notices and the fresh rows (a Parquet file with :data:`RANK`,
    in rank order), merged in rank order, a window at a time, in ``schema``.

    ``kept_ids`` are the kept notices' ids and ``kept_ranks`` their positions now (the same order).
    A previous row whose notice is not kept (changed, removed, now a duplicate) is left out.
    """
    old = pq.ParquetFile(previous).iter_batches(batch_size=READ_ROWS) if previous.exists() else iter(())
    new = pq.ParquetFile(fresh).iter_batches(batch_size=READ_ROWS) if fresh is not None and fresh.exists() else iter(())
    ranked = schema.append(pa.field(RANK, pa.int64(), nullable=False))
    buffer = ranked.empty_table()
    exhausted = False

    def fill(until: int) -> None:
        nonlocal buffer, exhausted
        while not exhausted and (buffer.num_rows == 0 or buffer.column(RANK)[-1].as_py() < until):
            batch = next(new, None)
            if batch is None:
                exhausted = True
            else:
                buffer = pa.concat_tables([buffer, pa.Table.from_batches([batch]).cast(ranked)])

    for batch in old:
        where = pc.index_in(batch.column("notice_id"), value_set=kept_ids)
        keep = pc.is_valid(where)
        if not pc.any(keep).as_py():
            continue
        table = pa.Table.from_batches([batch]).filter(keep).cast(schema)
        ranks = pc.take(kept_ranks, pc.filter(where, keep))
        table = table.append_column(pa.field(RANK, pa.int64(), nullable=False), ranks.cast(pa.int64()))
        last = ranks[-1].as_py()
        fill(last)
        before = int(np.searchsorted(buffer.column(RANK).to_numpy(), last, side="left")) if buffer.num_rows else 0
        window = pa.concat_tables([table, buffer.slice(0, before)]) if before else table
        buffer = buffer.slice(before)
        if before:
            window = window.take(pc.sort_indices(window, sort_keys=[(RANK, "ascending")]))  # stable
        yield window.drop_columns([RANK])
    fill(2**62)
    if buffer.num_rows:
        yield buffer.drop_columns([RANK])


def fresh_lines(fresh: Path, specs: list) -> dict[str, bytes]:
    """The CSV lines of each fresh notice's rows (from the fresh rows' Parquet file), by notice id."""
    from pipeline.publish.csvfile import csv_lines

    out: dict[str, bytes] = {}
    if not fresh.exists():
        return out
    for batch in pq.ParquetFile(fresh).iter_batches(batch_size=READ_ROWS):
        table = pa.Table.from_batches([batch])
        data, lengths = csv_lines(table, specs)
        at = 0
        starts: dict[str, list[int]] = {}  # a notice's rows are consecutive: its first and last byte
        for nid, n in zip(table.column("notice_id").to_pylist(), lengths, strict=True):
            span = starts.setdefault(nid, [at, at])
            span[1] = at + n
            at += n
        for nid, (a, b) in starts.items():
            out[nid] = out.get(nid, b"") + data[a:b]
    return out


def splice_csv(out: Any, previous: Path, old_accepted: list[str], old_lengths: Any, accepted: list[str],
               kept: set[str], fresh: dict[str, bytes]) -> Any:
    """Write the rows of every notice of ``accepted`` into ``out`` (a CSV file, its header written): a
    kept notice's bytes copied from ``previous`` (runs of consecutive kept notices in one copy), a
    fresh notice's from ``fresh``. ``old_lengths`` are the bytes of each notice of ``old_accepted`` in
    ``previous``, after its header; returns the same for ``accepted`` in the new file.

    Kept notices are in the same order in both lists, so one pass over both finds each one's bytes.
    """
    from array import array

    from pipeline.publish.csvfile import BOM

    lengths = array("Q")
    with previous.open("rb") as src:
        src.readline()  # the header row (its names never hold a line break)
        offset = src.tell()
        if offset < len(BOM):
            raise OSError(f"{previous} has no header")
        p = 0
        run = [offset, offset]  # the bytes to copy next: [start, end)

        def flush() -> None:
            if run[1] > run[0]:
                copy_range(src, out, run[0], run[1])
            run[0] = run[1]

        for nid in accepted:
            if nid in kept:
                while old_accepted[p] != nid:
                    offset += old_lengths[p]
                    p += 1
                n = old_lengths[p]
                if run[1] != offset:
                    flush()
                    run[0] = run[1] = offset
                run[1] += n
                offset += n
                p += 1
                lengths.append(n)
            else:
                flush()
                data = fresh.get(nid, b"")
                out.write(data)
                lengths.append(len(data))
        flush()
    return lengths



# --- events -----------------------------------------------------------------------------------------


def touched_places(con: Any, previous: Path, staging: Path, removed: list[str], fresh: list[str]) -> set[str]:
    """The place keys whose events may change: those of the windows of every notice that left
    (``removed``: its rows are in ``previous``) or came in (``fresh``: in ``staging``), and the
    notices' own places (where a notice without printed years joins an event)."""
    from pipeline.publish.events import _place_key_sql

    places: set[str] = set()
    for folder, ids in ((previous, removed), (staging, fresh)):
        if not ids:
            continue
        windows, notices = (str(folder / f"{t}.parquet") for t in ("outage_windows", "notices"))
        rows = con.execute(f"""
            SELECT DISTINCT {_place_key_sql('w.', 'n.')} FROM read_parquet(?) w JOIN read_parquet(?) n USING (notice_id)
            WHERE notice_id IN (SELECT unnest(?::VARCHAR[]))
            UNION
            SELECT DISTINCT {_place_key_sql('', 'n.')} FROM read_parquet(?) n
            WHERE notice_id IN (SELECT unnest(?::VARCHAR[]))""", [windows, notices, ids, notices, ids]).fetchall()
        places.update(key for (key,) in rows)
    return places


# the place key of a published event (the key its windows were clustered under: events.place_of)
_EVENT_PLACE = ("CASE city_scope WHEN 'city' THEN 'city:' || city WHEN 'province' THEN 'province:' || province "
                "ELSE 'notice:' || notice_ids[1] END")


def write_events(staging: Path, previous: Path, removed: list[str], fresh: list[str]) -> dict[str, int]:
    """``events``, ``event_members`` and ``revisions`` of an incremental run, into ``staging``: the
    places :func:`touched_places` names clustered again from the staged contract tables, every other
    place's rows taken from the previous generation's files, in order of place key as a run from
    scratch writes them; rows per table."""
    import duckdb

    from pipeline.publish.events import EventTables, EventWriter, events_by_place, validated_tables
    from pipeline.publish.tables import DUCKDB_SETTINGS, arrow_schema
    from schemas.tables import DERIVED_TABLES, column_specs

    con = duckdb.connect()
    try:
        for setting in DUCKDB_SETTINGS:
            con.execute(setting)
        con.execute("SET enable_progress_bar = false")
        places = touched_places(con, previous, staging, removed, fresh)
        specs = {t.name: (t.model, column_specs(t.model)) for t in DERIVED_TABLES}
        new: dict[str, list[pa.Table]] = {name: [] for name in specs}
        for key, tables in events_by_place(con, staging, places):
            for name, table in validated_tables(tables, specs).items():
                new[name].append(table.append_column("__place", pa.array([key] * table.num_rows, pa.string())))
        keys = con.sql(f"SELECT event_id, {_EVENT_PLACE} AS place FROM read_parquet('{_quoted(previous / 'events.parquet')}')"
                       ).to_arrow_table()
        con.register("old_places", keys)
        touched = pa.table({"place": pa.array(sorted(places), pa.string())})
        con.register("touched", touched)
        with EventWriter(staging) as writer:
            for name, (_, cols) in specs.items():
                schema = arrow_schema(cols)
                fresh_rows = pa.concat_tables(new[name]) if new[name] else schema.append(
                    pa.field("__place", pa.string())).empty_table()
                con.register("fresh_rows", fresh_rows.append_column("__seq", pa.array(range(fresh_rows.num_rows), pa.int64())))
                names = ", ".join(f'"{c.name}"' for c in cols)
                relation = con.sql(f"""
                    SELECT {names} FROM (
                        SELECT {names}, k.place AS __place, 0 AS __side, o.file_row_number AS __seq
                        FROM read_parquet('{_quoted(previous / f"{name}.parquet")}', file_row_number = true) o
                        JOIN old_places k USING (event_id)
                        WHERE k.place NOT IN (SELECT place FROM touched)
                        UNION ALL
                        SELECT {names}, __place, 1 AS __side, __seq FROM fresh_rows
                    ) ORDER BY __place, __side, __seq""")
                reader = (relation.to_arrow_reader if hasattr(relation, "to_arrow_reader")
                          else relation.fetch_record_batch)(READ_ROWS)
                for batch in reader:
                    writer.write(name, pa.Table.from_batches([batch]).cast(schema))
                con.unregister("fresh_rows")
            writer.pending = EventTables()
            return writer.close()
    finally:
        con.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
