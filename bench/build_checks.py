"""What ``build_db.py`` prints and checks after a build: rows per table, events per unit,
units by state, random units' histories replayed, and sampled chain hashes recomputed.
"""

from __future__ import annotations

import random

import benchlib
import peewee
from bulk_writers import CHAINED, EVENT_CONTENT, FACTS
from shop_data import COLUMNS

from app.domain.states import Event, UnitState, replay


def report(database, args, build_time, simulate, write, finish) -> None:
    tables = [t for (t,) in _tables(database)]
    print(f"\nbuilt {args.units:,} units in {build_time:.1f} s "
          f"(simulate {simulate:.1f} s, write {write:.1f} s, finish {finish:.1f} s)")  # fmt: skip
    print(f"machine: {benchlib.machine()}")
    print("rows per table:")
    for table in sorted(tables):
        count = database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        print(f"  {table:<22} {count:>12,}")
    units, events = (
        database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
        for t in ("unit", "unit_event")
    )
    print(f"history events per unit: {events / max(units, 1):.2f}")
    (shared,) = database.execute_sql(
        'SELECT COUNT(*) - COUNT(DISTINCT serial) FROM "unit"'
    ).fetchone()
    print(f"serials on more than one unit: {shared:,}")
    states = database.execute_sql(
        'SELECT state, COUNT(*) FROM "unit" GROUP BY state ORDER BY 2 DESC'
    ).fetchall()
    print("units by state: " + ", ".join(f"{s} {n:,}" for s, n in states))
    print(f"size: {benchlib.storage_size(database)}")


def _tables(database):
    if isinstance(database, peewee.SqliteDatabase):
        return database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return database.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchall()


def verify(database, sample: int, rnd: random.Random) -> None:
    """Replay the history of random units: it must obey the transitions and end in their state."""
    top = database.execute_sql('SELECT MAX(id) FROM "unit"').fetchone()[0]
    ids = rnd.sample(range(1, top + 1), min(sample, top))
    bad = 0
    param = database.param
    for uid in ids:
        (state,) = database.execute_sql(
            f'SELECT state FROM "unit" WHERE id = {param}', (uid,)
        ).fetchone()
        rows = database.execute_sql(
            f'SELECT event, from_state, to_state FROM "unit_event" WHERE unit_id = {param} '
            "ORDER BY id",
            (uid,),
        ).fetchall()
        try:
            final = replay(
                [(Event(e), UnitState(f) if f else None, UnitState(t)) for e, f, t in rows]
            )
        except ValueError as exc:
            bad += 1
            print(f"  unit {uid}: {exc}")
            continue
        if final != state:
            bad += 1
            print(f"  unit {uid}: history ends {final}, unit is {state}")
    print(f"verified {len(ids):,} random units: {len(ids) - bad:,} histories replay to their state")
    if CHAINED:
        verify_chain(database, ids[:200])


def verify_chain(database, unit_ids: list[int]) -> None:
    """Recompute the hash of the history rows of some units from their predecessors in the chain."""
    from db.chain_key import load_key
    from db.history import GENESIS, event_mac

    key = load_key()

    param = database.param
    columns = ", ".join(f"e.{c}" for c in COLUMNS["unit_event"][1:])
    if FACTS:
        columns += ", e.facts"
    checked = bad = 0
    for uid in unit_ids:
        rows = database.execute_sql(
            f'SELECT e.lane, e.seq, e.hash, p.hash, {columns} FROM "unit_event" e '
            f'LEFT JOIN "unit_event" p ON p.lane = e.lane AND p.seq = e.seq - 1 '
            f"WHERE e.unit_id = {param}",
            (uid,),
        ).fetchall()
        for lane, seq, stored, prev, *content in rows:
            checked += 1
            row = dict(zip(EVENT_CONTENT + (("facts",) if FACTS else ()), content, strict=True))
            bad += event_mac(key, seq, prev or GENESIS, row, lane) != stored
    (rows, top) = database.execute_sql('SELECT COUNT(*), MAX(seq) FROM "unit_event"').fetchone()
    print(f"history chain: {rows:,} rows, head #{top:,}; {checked - bad:,} of {checked:,} "
          "sampled hashes recomputed from their predecessor")  # fmt: skip
