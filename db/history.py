"""The unit history as keyed, tamper-evident chains: one lane per branch.

Every ``UnitEvent`` row carries ``lane`` (the branch it was written at; 0 for rows
written before schema 6 and rows of no branch), ``seq`` (its place in its lane: 1, 2,
3, ...) and ``hash`` = HMAC-SHA256, under the shop's history key (``db.chain_key``: a
file on the seats, never in the database), over the lane, the previous row's hash in
the lane and this row's content, which includes ``facts``: the unit as the row left it
(serial, product, customer, warranty start and end). Whoever can write the database
but has no key cannot change, insert, re-hash or move a row to another lane without
``verify_history`` naming it; removing rows from the very end of a lane is caught
against the anchors (``app.services.safety.evidence``), which record every lane's head.

Lanes let branches write in parallel on PostgreSQL. Writers never fork a lane: on
SQLite a write transaction holds the one write lock (``BEGIN IMMEDIATE``); on
PostgreSQL a lane's rows are appended under its advisory lock (taken by
``write_transaction`` for a branch's counter work, or here for a lane it did not
take). ``(lane, seq)`` is unique, so even a writer that skipped the lock fails
instead of forking. A unit's own history may run through several lanes (sold at one
branch, repaired at another): each row records the unit's facts as it left them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import peewee as pw

from db.bulk import insert_rows, select_in
from db.chain_key import CHAIN_ID, chain_id, load_key
from db.connection import ALL_LANES, HISTORY_LOCK, db, is_sqlite, lock_sql
from db.models import Unit, UnitEvent
from db.prepared import Prepared

GENESIS = "0" * 64
BATCH = 20_000
# The content a row's hash covers, in this order; ``seq`` and the previous hash come first.
CONTENT = (
    "unit",
    "event",
    "at",
    "branch",
    "employee",
    "approved_by",
    "document",
    "from_state",
    "to_state",
    "note",
    "facts",
)
UNKEYED_CONTENT = CONTENT[:-1]  # schema 1 to 4: SHA-256, no key, no facts
# What ``facts`` records of the unit, in this order.
FACT_FIELDS = (Unit.serial, Unit.product, Unit.customer, Unit.warranty_start, Unit.warranty_end)

_DEFAULTS = {"branch": None, "approved_by": None, "document": None, "from_state": None, "note": ""}


def _plain(name: str, value):
    if isinstance(value, pw.Model):
        return value.get_id()
    if name == "at":
        return _at_text(value)
    return value


@functools.lru_cache(maxsize=4096)
def _at_text(value) -> str:
    """A row's time as hashed: UTC, %Y-%m-%dT%H:%M:%S.%f (rows written together share it)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def _text(seq: int, prev_hash: str, row: dict, names: tuple[str, ...], lane: int = 0) -> bytes:
    # Lane 0's text is the one chain's of schema 5, so its rows keep their hashes; any
    # other lane's begins with the lane, so a row moved to another lane no longer checks.
    content = ([lane] if lane else []) + [seq, prev_hash]
    content += [_plain(name, row.get(name)) for name in names]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "surrogatepass")


def event_mac(key: bytes, seq: int, prev_hash: str, row: dict, lane: int = 0) -> str:
    """The keyed hash of one history row: its lane and place, the previous row's hash in
    the lane, its content."""
    row = {**row, "facts": row.get("facts") or ""}
    text = _text(seq, prev_hash, row, CONTENT, lane)
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def unkeyed_hash(seq: int, prev_hash: str, row: dict) -> str:
    """The plain SHA-256 that schema 1 to 4 chained with (checked once by schema step 5)."""
    return hashlib.sha256(_text(seq, prev_hash, row, UNKEYED_CONTENT)).hexdigest()


def event_hash(seq: int, prev_hash: str, row: dict, lane: int = 0) -> str:
    """``event_mac`` under the open database's key (kept for bulk writers, e.g. the bench)."""
    cached = getattr(db.obj, "_history_key", None)
    if cached is None or cached[0] != chain_id():
        cached = (chain_id(), load_key())
        db.obj._history_key = cached
    return event_mac(cached[1], seq, prev_hash, row, lane)


def unit_facts(unit_ids) -> dict[int, str]:
    """What ``facts`` records for each unit as it is now (JSON text)."""
    found = {}
    ids = list(dict.fromkeys(unit_ids))
    if len(ids) == 1:  # a sale, a return: one unit
        return {unit_id: facts_text(values) for unit_id, *values in _FACTS.rows(ids[0])}
    for unit_id, *values in select_in(Unit, (Unit.id, *FACT_FIELDS), Unit.id, ids):
        found[unit_id] = facts_text(values)
    return found


_FACTS = Prepared(
    lambda unit_id: Unit.select(Unit.id, *FACT_FIELDS).where(Unit.id == unit_id).tuples(), int
)


def facts_text(values) -> str:
    plain = [v.isoformat() if isinstance(v, date) else v for v in values]
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def lane_of(row: dict) -> int:
    """The lane a new row goes to: the branch it is written at (0: no branch)."""
    return _plain("branch", row.get("branch")) or 0


def _lock(lanes) -> None:
    """PostgreSQL: the locks of these lanes, for this transaction. ``write_transaction``
    took the whole chain's (shop-wide work) or one branch's; any other lane is taken
    here, in ascending order, with the chain's lock shared (so shop-wide work waits)."""
    if is_sqlite():
        return
    transactions = db.obj._state.transactions
    outer = transactions[0] if transactions else None
    held = getattr(outer, "history_lanes", None)
    if held == ALL_LANES:
        return
    missing = sorted(set(lanes) - set(held or ()))
    if not missing:
        return
    if held is None:
        db.execute_sql(lock_sql(("pg_advisory_xact_lock_shared", HISTORY_LOCK)))
    for lane in missing:
        db.execute_sql(lock_sql(("pg_advisory_xact_lock", lane)))
    if outer is not None:
        outer.history_lanes = {*(held or ()), *missing}


def head(lane: int = 0) -> tuple[int, str]:
    """The last row of a lane: (seq, hash), or (0, GENESIS) for an empty lane."""
    _chain, seq, prev = _chain_and_head(lane)
    return seq, prev


def heads() -> dict[int, tuple[int, str]]:
    """Every lane's last row (seq, hash), lane 0 always included; one statement, so on
    PostgreSQL one snapshot of all lanes. Lanes are found through the (lane, seq) index."""
    return heads_of(db.execute_sql(HEADS_SQL).fetchall())


# Every lane's last row in one statement (a seat's database, or a backup file's).
# The lanes that have rows, as table l: a walk up the (lane, seq) index, one step a lane.
LANES_CTE = (
    'WITH RECURSIVE l("lane") AS (SELECT MIN("lane") FROM "unit_event" UNION ALL '
    'SELECT (SELECT MIN(e."lane") FROM "unit_event" e WHERE e."lane" > l."lane") '
    'FROM l WHERE l."lane" IS NOT NULL) '
)
HEADS_SQL = LANES_CTE + (
    'SELECT l."lane", h."seq", h."hash" FROM l LEFT JOIN "unit_event" h ON h."id" = ('
    'SELECT x."id" FROM "unit_event" x WHERE x."lane" = l."lane" AND x."seq" IS NOT NULL '
    'ORDER BY x."seq" DESC LIMIT 1) WHERE l."lane" IS NOT NULL'
)


def heads_of(rows) -> dict[int, tuple[int, str]]:
    """``HEADS_SQL``'s rows as lane -> (seq, hash), lane 0 always included."""
    found = {0: (0, GENESIS)}
    for lane, seq, mac in rows:
        if type(lane) is int and type(seq) is int and seq > 0:  # else verify names the rows
            found[lane] = (seq, mac)
    return found


def heads_text(found: dict[int, tuple[int, str]]) -> str:
    """Every lane's head on one line: "#seq hash" for lane 0 (a history of one lane reads as
    it did before lanes), then " lane:#seq hash" for each other lane."""
    seq, mac = found.get(0, (0, GENESIS))
    others = [f" {lane}:#{s} {m}" for lane, (s, m) in sorted(found.items()) if lane]
    return f"#{seq} {mac}" + "".join(others)


def _chain_and_head(lane: int) -> tuple[str | None, int, str]:
    """The chain's id and a lane's last row (seq, hash), in one statement: a sale's history
    row needs both, and on PostgreSQL each statement is a round trip."""
    q = db.obj.param
    sql = (
        f'SELECT (SELECT "value" FROM "shop_setting" WHERE "key" = {q}), h."seq", h."hash" '
        f'FROM (SELECT 1 AS one) AS o LEFT JOIN (SELECT "seq", "hash" FROM "unit_event" '
        f'WHERE "lane" = {q} AND "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1) AS h ON 1 = 1'
    )
    chain, seq, prev = db.execute_sql(sql, (CHAIN_ID, lane)).fetchone()
    return chain, seq or 0, prev if seq else GENESIS


def append_events(rows: list[dict]) -> None:
    """Append history rows (dicts by UnitEvent field name) to their lanes.

    The only way SerialDesk writes unit history: one row from ``append_event``, or
    thousands from a receipt (hashed here in Python, inserted in a few statements).
    Call it inside a write transaction, after the units are changed: each row records
    its unit as it is then. Raises ``KeyMissing`` (before writing) on a seat without the key.
    """
    if not rows:
        return
    by_lane: dict[int, list[dict]] = {}
    for given in rows:
        row = {**_DEFAULTS, **{k: _plain(k, v) if k != "at" else v for k, v in given.items()}}
        by_lane.setdefault(lane_of(row), []).append(row)
    _lock(by_lane)
    facts = unit_facts(r["unit"] for r in rows_of(by_lane) if "facts" not in r)
    for lane in sorted(by_lane):
        chain, seq, prev = _chain_and_head(lane)
        key = load_key(chain)
        chained = []
        for row in by_lane[lane]:
            row.setdefault("facts", facts.get(row["unit"], ""))
            seq += 1
            prev = event_mac(key, seq, prev, row, lane)
            chained.append({**row, "lane": lane, "seq": seq, "hash": prev})
        keys = set(chained[0])
        if any(set(r) != keys for r in chained):
            # insert_rows needs one shape; rows of different shapes go one by one.
            for r in chained:
                insert_rows(UnitEvent, [r])
            continue
        insert_rows(UnitEvent, chained)


def rows_of(by_lane: dict[int, list[dict]]) -> Iterator[dict]:
    for lane_rows in by_lane.values():
        yield from lane_rows
