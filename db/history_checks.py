"""What the keyed history implies about the rest of the database, checked by ``verify``.

- Each unit is as its last history row left it: serial, product, customer, warranty
  start and end equal the ``facts`` that row recorded under the key, so ``UPDATE unit
  SET warranty_end = ...`` behind the application's back is named.
- The append-only triggers (``db.migrations._protect_history``, SQL kept here) are still
  there, enabled and exactly as created: a dropped, disabled or rewritten trigger (one
  given a ``WHEN`` that never holds, say) is reported, not silently accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import peewee as pw

from db.connection import db, is_sqlite
from db.history import BATCH, FACT_FIELDS, facts_text
from db.history_verify import lane_label, rows_after
from db.models import Unit, UnitEvent

TABLE = UnitEvent._meta.table_name
SQLITE_TRIGGERS = {f"{TABLE}_no_update", f"{TABLE}_no_delete"}
PG_TRIGGER = f"{TABLE}_append_only"


def units_off_their_facts(limit: int, since: Mapping[int, int] | None = None) -> list[str]:
    """Units whose serial, product, customer or warranty differ from what their last
    history row recorded (rows without facts, from before schema 5, are skipped);
    ``since``: lane -> seq, only the units with history rows after those (every row of
    a lane not named)."""
    latest = UnitEvent.select(pw.fn.MAX(UnitEvent.id)).where(UnitEvent.unit == Unit.id)
    which = Unit.id.is_null(False)
    if since is not None:
        touched = UnitEvent.select(UnitEvent.unit).where(rows_after(since))
        which = Unit.id.in_(touched)
    problems, after = [], 0
    while len(problems) < limit:
        batch = list(
            Unit.select(Unit.id, *FACT_FIELDS, UnitEvent.facts, UnitEvent.lane, UnitEvent.seq)
            .join(UnitEvent, on=(UnitEvent.id == latest))
            .where(Unit.id > after, which)
            .order_by(Unit.id)
            .limit(BATCH)
            .tuples()
        )
        if not batch:
            break
        for _unit_id, *values, recorded, lane, seq in batch:
            if recorded and facts_text(values) != recorded:
                row = f"#{seq}{lane_label(lane)}"
                problems.append(_difference(values[0], row, values, recorded))
        after = batch[-1][0]
    return problems[:limit]


def _difference(serial: str, row: str, values: list, recorded: str) -> str:
    names = ("serial", "product", "customer", "warranty start", "warranty end")
    try:
        then = json.loads(recorded)
    except ValueError:
        then = [None] * 5
    now = json.loads(facts_text(values))
    changed = [
        f"{name} {now_v!r} (history {row} says {then_v!r})"
        for name, now_v, then_v in zip(names, now, then, strict=False)
        if now_v != then_v
    ]
    return f"Unit {serial} was changed behind the application's back: " + "; ".join(changed) + "."


def sqlite_trigger_sql() -> dict[str, str]:
    """The append-only triggers' SQL on SQLite, as ``_protect_history`` creates them."""
    return {
        f"{TABLE}_no_{op.lower()}": f'CREATE TRIGGER "{TABLE}_no_{op.lower()}" BEFORE {op} ON '
        f"\"{TABLE}\" BEGIN SELECT RAISE(ABORT, 'unit history is append-only'); END"
        for op in ("UPDATE", "DELETE")
    }


PG_FUNCTION = "serialdesk_history_append_only"
PG_FUNCTION_BODY = " BEGIN RAISE EXCEPTION 'unit history is append-only'; END "
PG_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $${PG_FUNCTION_BODY}$$ "
    "LANGUAGE plpgsql"
)
PG_TRIGGER_SQL = (
    f'CREATE TRIGGER "{PG_TRIGGER}" BEFORE UPDATE OR DELETE ON "{TABLE}" '
    f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
)
# What pg_get_triggerdef gives back for PG_TRIGGER_SQL (schema qualifiers taken off).
PG_TRIGGER_DEF = (
    f"CREATE TRIGGER {PG_TRIGGER} BEFORE DELETE OR UPDATE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
)


def _plain_sql(text: str | None) -> str:
    """Whitespace-normalised SQL, schema qualifiers of the history's names taken off."""
    text = re.sub(rf'\S+\.(?="?(?:{TABLE}|{PG_FUNCTION})\b)', "", text or "")
    return " ".join(text.split())


def protection_problems() -> list[str]:
    """The append-only triggers on the history: missing, disabled or replaced ones (their
    SQL is compared with what the migrations create: a ``WHEN 0`` or ``IF false`` added to
    make a trigger never fire is a difference); and the unique index on lane and place."""
    return _place_index_problems() + _trigger_problems()


LANE_SEQ_INDEX = f"{TABLE}_lane_seq"


def _place_index_problems() -> list[str]:
    """The unique index on (lane, seq), whole (no WHERE) and valid: without it two rows can
    share a place."""
    for index in db.get_indexes(TABLE):
        if index.name == LANE_SEQ_INDEX and index.unique and list(index.columns) == ["lane", "seq"]:
            if _whole_and_valid(index.sql):
                return []
    return [
        f"The history's unique index {LANE_SEQ_INDEX} is missing or changed: someone with the "
        "database's owner rights removed it (two rows can then share a place in the chain)."
    ]


def _whole_and_valid(sql: str | None) -> bool:
    if is_sqlite():
        return " where " not in _plain_sql(sql or "").lower()
    row = db.execute_sql(
        "SELECT i.indpred IS NULL AND i.indexprs IS NULL AND i.indisvalid AND i.indisready "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = %s AND i.indrelid = %s::regclass",
        (LANE_SEQ_INDEX, TABLE),
    ).fetchone()
    return bool(row and row[0])


def _trigger_problems() -> list[str]:
    if is_sqlite():
        rows = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (TABLE,),
        ).fetchall()
        found = {name: _plain_sql(sql) for name, sql in rows}
        return [
            f"The history's append-only trigger {name} is missing or changed: someone with "
            "the database file removed or rewrote it (rows can be changed in place)."
            for name, sql in sorted(sqlite_trigger_sql().items())
            if found.get(name) != _plain_sql(sql)
        ]
    rows = db.execute_sql(
        "SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), p.proname, p.prosrc, l.lanname "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "JOIN pg_language l ON l.oid = p.prolang WHERE t.tgrelid = %s::regclass "
        "AND NOT t.tgisinternal",
        (TABLE,),
    ).fetchall()
    for name, enabled, definition, function, source, language in rows:
        same = (
            _plain_sql(definition) == PG_TRIGGER_DEF
            and function == PG_FUNCTION
            and _plain_sql(source) == _plain_sql(PG_FUNCTION_BODY)
            and language == "plpgsql"
        )
        if name == PG_TRIGGER and enabled in ("O", "A") and same:
            return []
    return [
        f"The history's append-only trigger {PG_TRIGGER} is missing, disabled or changed: "
        "someone with the database's owner rights removed or rewrote it (rows can be changed "
        "in place)."
    ]
