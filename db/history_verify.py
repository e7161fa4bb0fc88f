"""Walking the keyed history: every lane from its first row (or from a row an anchor
vouches for), naming each row changed, removed, moved or slipped in (``db.history``
says how the lanes are chained)."""

from __future__ import annotations

import functools
import hmac
import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import peewee as pw

from db.chain_key import load_key
from db.connection import db, is_sqlite
from db.history import (
    BATCH,
    CONTENT,
    GENESIS,
    LANES_CTE,
    UNKEYED_CONTENT,
    _plain,
    event_mac,
    unkeyed_hash,
)
from db.models import Branch, Unit, UnitEvent


@dataclass
class Problem:
    seq: int | None
    event_id: int | None
    kind: str  # changed | removed | unchained | anchor | protection | facts
    message: str


@dataclass
class VerifyResult:
    rows: int = 0
    # Each lane's last row as walked: (seq, hash); lane 0 always.
    heads: dict[int, tuple[int, str]] = field(default_factory=lambda: {0: (0, GENESIS)})
    # Lanes walked from a row an anchor vouches for: lane -> (seq, hash); others in full.
    start: dict[int, tuple[int, str]] = field(default_factory=dict)
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


def lanes() -> list[int]:
    """The lanes that have rows, ascending, found through the (lane, seq) index (a lane
    that is not a whole number is no lane: its rows are reported as outside the chain)."""
    sql = LANES_CTE + 'SELECT "lane" FROM l WHERE "lane" IS NOT NULL'
    found = [lane for (lane,) in db.execute_sql(sql).fetchall()]
    return [lane for lane in found if type(lane) is int]


def chain_rows(lane: int | None, after: int = 0, columns=_COLUMNS) -> Iterator[tuple]:
    """A lane's chained rows with ``seq`` above ``after``, in order, a batch at a time (flat
    memory), as the driver gives them (``_plain`` reads ``at`` as text or as a datetime).
    ``lane=None``: a history from before lanes (schema 5 and older), one chain."""
    last = after
    while True:
        query = UnitEvent.select(*columns).where(UnitEvent.seq > last)
        if lane is not None:
            query = query.where(UnitEvent.lane == lane)
        if is_sqlite():  # a place that is no whole number is outside the chain (and would
            query = query.where(pw.fn.typeof(UnitEvent.seq) == "integer")  # stall the paging)
        batch = db.execute_sql(*query.order_by(UnitEvent.seq).limit(BATCH).sql()).fetchall()
        if not batch:
            return
        yield from batch
        last = batch[-1][0]
        del batch


def verify_history(
    limit: int = 100,
    start: Mapping[int, tuple[int, str]] | None = None,
    key: bytes | None = None,
    *,
    one_chain: bool = False,
) -> VerifyResult:
    """Walk every lane (each from ``start[lane]`` = (seq, hash) trusted, else from its
    first row); report every row changed, removed or slipped in (up to ``limit``).
    ``one_chain``: a history from before lanes (schema step 5 checks one)."""
    key = key if key is not None else load_key()
    result = VerifyResult(start=dict(start or {}))
    for lane in [None] if one_chain else lanes():
        _walk(result, lane, key, limit)
    loose = (
        UnitEvent.select(UnitEvent.id, *_COLUMNS[3:])
        .where(_outside_the_chain(one_chain))
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


def _outside_the_chain(one_chain: bool = False):
    """Rows no lane's walk reads: no seq or hash, a place below 1, no lane, or (SQLite,
    which stores any type in any column) a lane or place that is not a whole number."""
    loose = UnitEvent.seq.is_null() | UnitEvent.hash.is_null() | (UnitEvent.seq < 1)
    if one_chain:
        return loose
    loose |= UnitEvent.lane.is_null()
    if is_sqlite():
        loose |= (pw.fn.typeof(UnitEvent.lane) != "integer") | (
            pw.fn.typeof(UnitEvent.seq) != "integer"
        )
    return loose


def _walk(result: VerifyResult, lane: int | None, key: bytes, limit: int) -> None:
    problems = result.problems
    prev_seq, prev_hash = result.start.get(lane or 0, (0, GENESIS))
    walked = result.rows
    for seq, stored, event_id, *content in chain_rows(lane, prev_seq):
        if type(seq) is not int:
            continue  # SQLite: a place that is not a number, reported as outside the chain
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
                    f"History row {gap}{lane_label(lane)} was removed (the chain jumps from "
                    f"#{prev_seq} to #{seq}).",
                )
            )
        elif not hmac.compare_digest(event_mac(key, seq, prev_hash, row, lane or 0), stored or ""):
            problems.append(
                Problem(
                    seq,
                    event_id,
                    "changed",
                    f"History row #{seq}{lane_label(lane)} {_describe(event_id, row)}"
                    " was changed or written without the shop's key.",
                )
            )
        prev_seq, prev_hash = seq, stored
    if prev_seq:
        result.heads[lane or 0] = (prev_seq, prev_hash)
    _count_places(result, lane, result.rows - walked, limit)


def _count_places(result: VerifyResult, lane: int | None, walked: int, limit: int) -> None:
    """Rows of the lane the walk did not read: two rows given one place (possible only once
    the unique index on lane and place is gone) hide one of them from a walk by place."""
    start = result.start.get(lane or 0, (0, GENESIS))[0]
    rows = UnitEvent.select(pw.fn.COUNT(UnitEvent.id)).where(UnitEvent.seq > start)
    if lane is not None:
        rows = rows.where(UnitEvent.lane == lane)
    extra = rows.scalar() - walked
    if extra > 0 and len(result.problems) < limit:
        result.problems.append(
            Problem(
                None,
                None,
                "duplicate",
                f"{extra} history row(s){lane_label(lane)} share a place in the chain with "
                "another row: they were slipped in behind the application's back.",
            )
        )


def rows_after(start: Mapping[int, tuple[int, str] | int]):
    """The condition for history rows after ``start`` (lane -> (seq, hash) or seq): a
    named lane's rows above its seq, every row of the other lanes, and unchained rows."""
    after = [
        (UnitEvent.lane == lane) & (UnitEvent.seq > (at[0] if isinstance(at, tuple) else at))
        for lane, at in start.items()
    ]
    after.append(UnitEvent.lane.not_in(list(start)) | UnitEvent.seq.is_null())
    return functools.reduce(operator.or_, after)


def lane_label(lane: int | None) -> str:
    """How a lane is named after a row's number: nothing for lane 0 (the shop's chain of
    old), else " of the <branch> chain" (a lane of no branch by its number)."""
    if not lane:
        return ""
    return f" of the {lane_name(lane)} chain"


def lane_name(lane: int) -> str:
    """A lane by its branch's name (lane 0, of rows before lanes or of no branch: "Shop";
    a lane whose branch is gone: its number)."""
    name = Branch.select(Branch.name).where(Branch.id == lane).scalar() if lane else "Shop"
    return name or f"number {lane}"


def unkeyed_breaks(limit: int = 5) -> list[str]:
    """Rows of a schema 1 to 4 chain (plain SHA-256) that do not match: step 5 checks
    the old chain before it re-chains it under the key."""
    found, prev_seq, prev_hash = [], 0, GENESIS
    for seq, stored, event_id, *content in chain_rows(None, 0, _COLUMNS[:-1]):
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
