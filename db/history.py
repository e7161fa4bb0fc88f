"""The unit history as one tamper-evident hash chain.

Every ``UnitEvent`` row carries ``seq`` (its place in one global chain: 1, 2, 3, ...)
and ``hash`` = SHA-256 over the previous row's hash and this row's content. A row
changed, inserted or removed behind the application's back breaks the chain, and
``verify_history`` names it. Removing rows from the very end cannot be seen from
inside the database: compare the head that ``verify`` prints with an earlier one
(a backup's, or one written down).

Writers never fork the chain: on SQLite a write transaction holds the one write
lock (``BEGIN IMMEDIATE``); on PostgreSQL ``write_transaction`` takes an advisory
lock and ``append_events`` takes it again (re-entrant) in case it was not. ``seq``
is unique, so even a writer that skipped the lock fails instead of forking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import peewee as pw

from db.bulk import insert_rows
from db.connection import HISTORY_LOCK, db, is_sqlite
from db.models import Unit, UnitEvent

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
)

_DEFAULTS = {"branch": None, "approved_by": None, "document": None, "from_state": None, "note": ""}


def _plain(name: str, value):
    if isinstance(value, pw.Model):
        return value.get_id()
    if name == "at":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value


def event_hash(seq: int, prev_hash: str, row: dict) -> str:
    """The hash of one history row: its place, the previous row's hash and its content."""
    content = [seq, prev_hash] + [_plain(name, row.get(name)) for name in CONTENT]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _lock() -> None:
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (HISTORY_LOCK,))


def head() -> tuple[int, str]:
    """The last row of the chain: (seq, hash), or (0, GENESIS) for an empty history."""
    row = (
        UnitEvent.select(UnitEvent.seq, UnitEvent.hash)
        .where(UnitEvent.seq.is_null(False))
        .order_by(UnitEvent.seq.desc())
        .limit(1)
        .tuples()
        .first()
    )
    return (row[0], row[1]) if row else (0, GENESIS)


def append_events(rows: list[dict]) -> None:
    """Append history rows (dicts by UnitEvent field name) to the chain.

    The only way SerialDesk writes unit history: one row from ``append_event``, or
    thousands from a receipt (hashed here in Python, inserted in a few statements).
    Call it inside a write transaction.
    """
    if not rows:
        return
    _lock()
    seq, prev = head()
    chained = []
    for given in rows:
        row = {**_DEFAULTS, **{k: _plain(k, v) if k != "at" else v for k, v in given.items()}}
        seq += 1
        prev = event_hash(seq, prev, row)
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
    kind: str  # changed | removed | unchained
    message: str


@dataclass
class VerifyResult:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
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
)


def _chain_rows() -> Iterator[tuple]:
    last = 0
    while True:
        batch = list(
            UnitEvent.select(*_COLUMNS)
            .where(UnitEvent.seq > last)
            .order_by(UnitEvent.seq)
            .limit(BATCH)
            .tuples()
        )
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def verify_history(limit: int = 100) -> VerifyResult:
    """Walk the whole chain; report every row changed, removed or slipped in (up to ``limit``)."""
    result = VerifyResult()
    prev_seq, prev_hash = 0, GENESIS
    for seq, stored, event_id, *content in _chain_rows():
        result.rows += 1
        row = dict(zip(CONTENT, content, strict=True))
        if seq != prev_seq + 1:
            gap = f"#{prev_seq + 1}" if seq == prev_seq + 2 else f"#{prev_seq + 1} to #{seq - 1}"
            result.problems.append(
                Problem(
                    prev_seq + 1,
                    None,
                    "removed",
                    f"History row {gap} was removed (the chain jumps from #{prev_seq} to #{seq}).",
                )
            )
        elif event_hash(seq, prev_hash, row) != stored:
            result.problems.append(
                Problem(
                    seq,
                    event_id,
                    "changed",
                    f"History row #{seq} {_describe(event_id, row)}"
                    " was changed after it was written.",
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
        result.problems.append(
            Problem(
                None,
                event_id,
                "unchained",
                f"History row {_describe(event_id, row)} is not in the chain: it was written "
                "behind the application's back.",
            )
        )
    del result.problems[limit:]
    return result


def _describe(event_id: int | None, row: dict) -> str:
    serial = Unit.select(Unit.serial).where(Unit.id == row["unit"]).scalar()
    at = _plain("at", row["at"])[:10] if row.get("at") else "?"
    return f"(id {event_id}: {row['event']} of {serial or 'unit ' + str(row['unit'])} on {at})"
