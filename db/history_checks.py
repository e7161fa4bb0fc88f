"""What the keyed history implies about the rest of the database, checked by ``verify``.

- Each unit is as its last history row left it: serial, product, customer, warranty
  start and end equal the ``facts`` that row recorded under the key, so ``UPDATE unit
  SET warranty_end = ...`` behind the application's back is named.
- The append-only triggers (``db.migrations._protect_history``) are still there and
  still refuse: a dropped or replaced trigger is reported, not silently accepted.
"""

from __future__ import annotations

import json

import peewee as pw

from db.connection import db, is_sqlite
from db.history import BATCH, FACT_FIELDS, facts_text
from db.models import Unit, UnitEvent

TABLE = UnitEvent._meta.table_name
SQLITE_TRIGGERS = {f"{TABLE}_no_update", f"{TABLE}_no_delete"}
PG_TRIGGER = f"{TABLE}_append_only"
# pg_trigger.tgtype bits: BEFORE, DELETE, UPDATE.
PG_BEFORE, PG_DELETE, PG_UPDATE = 2, 8, 16


def units_off_their_facts(limit: int) -> list[str]:
    """Units whose serial, product, customer or warranty differ from what their last
    history row recorded (rows without facts, from before schema 5, are skipped)."""
    latest = UnitEvent.select(pw.fn.MAX(UnitEvent.id)).where(UnitEvent.unit == Unit.id)
    problems, after = [], 0
    while len(problems) < limit:
        batch = list(
            Unit.select(Unit.id, *FACT_FIELDS, UnitEvent.facts, UnitEvent.seq)
            .join(UnitEvent, on=(UnitEvent.id == latest))
            .where(Unit.id > after)
            .order_by(Unit.id)
            .limit(BATCH)
            .tuples()
        )
        if not batch:
            break
        for _unit_id, *values, recorded, seq in batch:
            if recorded and facts_text(values) != recorded:
                problems.append(_difference(values[0], seq, values, recorded))
        after = batch[-1][0]
    return problems[:limit]


def _difference(serial: str, seq: int | None, values: list, recorded: str) -> str:
    names = ("serial", "product", "customer", "warranty start", "warranty end")
    try:
        then = json.loads(recorded)
    except ValueError:
        then = [None] * 5
    now = json.loads(facts_text(values))
    changed = [
        f"{name} {now_v!r} (history #{seq} says {then_v!r})"
        for name, now_v, then_v in zip(names, now, then, strict=False)
        if now_v != then_v
    ]
    return f"Unit {serial} was changed behind the application's back: " + "; ".join(changed) + "."


def protection_problems() -> list[str]:
    """The append-only triggers on the history: missing, disabled or replaced ones."""
    if is_sqlite():
        rows = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (TABLE,),
        ).fetchall()
        good = {name for name, sql in rows if "RAISE(ABORT" in (sql or "").upper()}
        return [
            f"The history's append-only trigger {name} is missing or changed: someone with "
            "the database file removed it (rows can be changed in place)."
            for name in sorted(SQLITE_TRIGGERS - good)
        ]
    rows = db.execute_sql(
        "SELECT t.tgname, t.tgenabled, t.tgtype, p.prosrc FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = %s::regclass "
        "AND NOT t.tgisinternal",
        (TABLE,),
    ).fetchall()
    for name, enabled, kind, source in rows:
        refuses = "RAISE EXCEPTION" in (source or "").upper()
        covers = kind & PG_BEFORE and kind & PG_DELETE and kind & PG_UPDATE
        if name == PG_TRIGGER and enabled in ("O", "A") and refuses and covers:
            return []
    return [
        f"The history's append-only trigger {PG_TRIGGER} is missing, disabled or changed: "
        "someone with the database's owner rights removed it (rows can be changed in place)."
    ]
