"""The unit history as one keyed, tamper-evident chain.

Every ``UnitEvent`` row carries ``seq`` (its place in one global chain: 1, 2, 3, ...)
and ``hash`` = HMAC-SHA256, under the shop's history key (``db.chain_key``: a file on
the seats, never in the database), over the previous row's hash and this row's
content, which includes ``facts``: the unit as the row left it (serial, product,
customer, warranty start and end). Whoever can write the database but has no key
cannot change, insert or re-hash a row without ``verify_history`` naming it; removing
rows from the very end is caught against the anchors (``app.services.safety.evidence``).

Writers never fork the chain: on SQLite a write transaction holds the one write
lock (``BEGIN IMMEDIATE``); on PostgreSQL ``write_transaction`` takes an advisory
lock and ``append_events`` takes it again (re-entrant) in case it was not. ``seq``
is unique, so even a writer that skipped the lock fails instead of forking.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import peewee as pw

from db.bulk import insert_rows, select_in
from db.chain_key import CHAIN_ID, chain_id, load_key
from db.connection import HISTORY_LOCK, db, is_sqlite
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


def _text(seq: int, prev_hash: str, row: dict, names: tuple[str, ...]) -> bytes:
    content = [seq, prev_hash] + [_plain(name, row.get(name)) for name in names]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "surrogatepass")


def event_mac(key: bytes, seq: int, prev_hash: str, row: dict) -> str:
    """The keyed hash of one history row: its place, the previous row's hash, its content."""
    row = {**row, "facts": row.get("facts") or ""}
    return hmac.new(key, _text(seq, prev_hash, row, CONTENT), hashlib.sha256).hexdigest()


def unkeyed_hash(seq: int, prev_hash: str, row: dict) -> str:
    """The plain SHA-256 that schema 1 to 4 chained with (checked once by schema step 5)."""
    return hashlib.sha256(_text(seq, prev_hash, row, UNKEYED_CONTENT)).hexdigest()


def event_hash(seq: int, prev_hash: str, row: dict) -> str:
    """``event_mac`` under the open database's key (kept for bulk writers, e.g. the bench)."""
    cached = getattr(db.obj, "_history_key", None)
    if cached is None or cached[0] != chain_id():
        cached = (chain_id(), load_key())
        db.obj._history_key = cached
    return event_mac(cached[1], seq, prev_hash, row)


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


def _lock() -> None:
    """PostgreSQL: the chain's lock for this transaction (``write_transaction`` took it
    already and marked its transaction; a write outside one takes it here)."""
    if is_sqlite():
        return
    transactions = db.obj._state.transactions
    if transactions and getattr(transactions[0], "history_locked", False):
        return
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (HISTORY_LOCK,))


def head() -> tuple[int, str]:
    """The last row of the chain: (seq, hash), or (0, GENESIS) for an empty history."""
    _chain, seq, prev = _chain_and_head()
    return seq, prev


def _chain_and_head() -> tuple[str | None, int, str]:
    """The chain's id and its last row (seq, hash), in one statement: a sale's history row
    needs both, and on PostgreSQL each statement is a round trip."""
    q = db.obj.param
    sql = (
        f'SELECT (SELECT "value" FROM "shop_setting" WHERE "key" = {q}), h."seq", h."hash" '
        f'FROM (SELECT 1 AS one) AS o LEFT JOIN (SELECT "seq", "hash" FROM "unit_event" '
        f'WHERE "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1) AS h ON 1 = 1'
    )
    chain, seq, prev = db.execute_sql(sql, (CHAIN_ID,)).fetchone()
    return chain, seq or 0, prev if seq else GENESIS


def append_events(rows: list[dict]) -> None:
    """Append history rows (dicts by UnitEvent field name) to the chain.

    The only way SerialDesk writes unit history: one row from ``append_event``, or
    thousands from a receipt (hashed here in Python, inserted in a few statements).
    Call it inside a write transaction, after the units are changed: each row records
    its unit as it is then. Raises ``KeyMissing`` (before writing) on a seat without the key.
    """
    if not rows:
        return
    _lock()
    chain, seq, prev = _chain_and_head()
    key = load_key(chain)
    facts = unit_facts(_plain("unit", r["unit"]) for r in rows if "facts" not in r)
    chained = []
    for given in rows:
        row = {**_DEFAULTS, **{k: _plain(k, v) if k != "at" else v for k, v in given.items()}}
        row.setdefault("facts", facts.get(row["unit"], ""))
        seq += 1
        prev = event_mac(key, seq, prev, row)
        chained.append({**row, "seq": seq, "hash": prev})
    keys = set(chained[0])
    if any(set(r) != keys for r in chained):
        # insert_rows needs one shape; rows of different shapes go one by one.
        for r in chained:
            insert_rows(UnitEvent, [r])
        return
    insert_rows(UnitEvent, chained)


# --- verification -----------------------------------------------------------------------


@dataclass
class Problem:
    seq: int | None
    event_id: int | None
    kind: str  # changed | removed | unchained | anchor | protection | facts
    message: str


@dataclass
class VerifyResult:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    start_seq: int = 0  # rows after this one were walked (0: the whole chain)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_COLUMNS = (
    UnitEvent.seq,
    UnitEvent.hash,
    UnitEvent.id,
    UnitEvent.unit,
    UnitEvent.event,
    UnitEvent.at,
    UnitEvent.branch,
    UnitEvent.employee,
    UnitEvent.approved_by,
    UnitEvent.document,
    UnitEvent.from_state,
    UnitEvent.to_state,
    UnitEvent.note,
    UnitEvent.facts,
)


def chain_rows(after: int = 0, columns=_COLUMNS) -> Iterator[tuple]:
    """Chained rows with ``seq`` above ``after``, in order, a batch at a time (flat memory),
    as the driver gives them (``_plain`` reads ``at`` as text or as a datetime)."""
    last = after
    while True:
        query = (
            UnitEvent.select(*columns)
            .where(UnitEvent.seq > last)
            .order_by(UnitEvent.seq)
            .limit(BATCH)
        )
        batch = db.execute_sql(*query.sql()).fetchall()
        if not batch:
            return
        yield from batch
        last = batch[-1][0]
        del batch


def verify_history(
    limit: int = 100, start: tuple[int, str] | None = None, key: bytes | None = None
) -> VerifyResult:
    """Walk the chain (from ``start`` = (seq, hash) trusted, else from the beginning);
    report every row changed, removed or slipped in (up to ``limit``)."""
    key = key if key is not None else load_key()
    prev_seq, prev_hash = start or (0, GENESIS)
    result = VerifyResult(start_seq=prev_seq)
    problems = result.problems
    for seq, stored, event_id, *content in chain_rows(prev_seq):
        result.rows += 1
        if len(problems) >= limit:
            prev_seq, prev_hash = seq, stored
            continue
        row = dict(zip(CONTENT, content, strict=True))
        if seq != prev_seq + 1:
            gap = f"#{prev_seq + 1}" if seq == prev_seq + 2 else f"#{prev_seq + 1} to #{seq - 1}"
            problems.append(
                Problem(
                    prev_seq + 1,
                    None,
                    "removed",
                    f"History row {gap} was removed (the chain jumps from #{prev_seq} to #{seq}).",
                )
            )
        elif not hmac.compare_digest(event_mac(key, seq, prev_hash, row), stored or ""):
            problems.append(
                Problem(
                    seq,
                    event_id,
                    "changed",
                    f"History row #{seq} {_describe(event_id, row)}"
                    " was changed or written without the shop's key.",
                )
            )
        prev_seq, prev_hash = seq, stored
    result.head_seq, result.head_hash = prev_seq, prev_hash
    loose = (
        UnitEvent.select(UnitEvent.id, *_COLUMNS[3:])
        .where(UnitEvent.seq.is_null() | UnitEvent.hash.is_null())
        .order_by(UnitEvent.id)
        .limit(limit)
        .tuples()
    )
    for event_id, *content in loose:
        row = dict(zip(CONTENT, content, strict=True))
        problems.append(
            Problem(
                None,
                event_id,
                "unchained",
                f"History row {_describe(event_id, row)} is not in the chain: it was written "
                "behind the application's back.",
            )
        )
    del problems[limit:]
    return result


def unkeyed_breaks(limit: int = 5) -> list[str]:
    """Rows of a schema 1 to 4 chain (plain SHA-256) that do not match: step 5 checks
    the old chain before it re-chains it under the key."""
    found, prev_seq, prev_hash = [], 0, GENESIS
    for seq, stored, event_id, *content in chain_rows(0, _COLUMNS[:-1]):
        row = dict(zip(UNKEYED_CONTENT, content, strict=True))
        if seq != prev_seq + 1:
            found.append(f"rows #{prev_seq + 1} to #{seq - 1} were removed")
        elif unkeyed_hash(seq, prev_hash, row) != stored:
            found.append(f"row #{seq} {_describe(event_id, row)} was changed")
        if len(found) >= limit:
            break
        prev_seq, prev_hash = seq, stored
    loose = UnitEvent.seq.is_null() | UnitEvent.hash.is_null()
    unchained = UnitEvent.select(UnitEvent.id).where(loose)
    if len(found) < limit and unchained.exists():
        found.append("rows were written outside the chain")
    return found


def _describe(event_id: int | None, row: dict) -> str:
    serial = Unit.select(Unit.serial).where(Unit.id == row["unit"]).scalar()
    at = _plain("at", row["at"])[:10] if row.get("at") else "?"
    return f"(id {event_id}: {row['event']} of {serial or 'unit ' + str(row['unit'])} on {at})"
