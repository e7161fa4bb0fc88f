"""Schema step 5: the history chain, plain SHA-256 until now, is re-chained under a key.

The old chain is checked first, and a broken one refuses the upgrade (``HistoryBroken``,
naming the rows). Re-chaining a broken chain under the key would turn rows someone
changed into keyed evidence that looks whole; refusing keeps the break visible while
the shop still has its backups to find out what happened. (The seats stay on the old
version until then; the message says what to do.)

Then the database gets a chain id and this seat a new key (``db.chain_key``), every
row's ``facts`` is set (each unit's last row records the unit as it is now, earlier
rows record nothing), every row is re-hashed under the key, and the anchor file gets a
line saying where keyed evidence starts: rows up to that head were only as good as
the unkeyed chain before the upgrade; rows after it were keyed when written.

A seat that already keeps a history key (``db.chain_key.seat_keys``) refuses the step
(``KeyingRefused``) unless a manager asked for it on purpose (``serialdesk init
--key-old-history``, which calls ``allow_keying_old_history`` for that one upgrade). A
database that says it was never keyed, opened on a seat that holds a key, is what
someone who can write the database but has no key would make to launder a change:
drop ``facts`` and the chain id, set the version back to 4 and re-hash every row with
plain SHA-256; a silent step 5 would make that forgery keyed evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import peewee as pw

from db.chain_key import (
    KeyMissing,
    chain_id,
    create_key,
    load_key,
    new_chain_id,
    seat_keys,
    write_anchor,
)
from db.history import BATCH, CONTENT, FACT_FIELDS, GENESIS, event_mac, facts_text
from db.history_checks import PG_TRIGGER, SQLITE_TRIGGERS, TABLE
from db.history_verify import unkeyed_breaks, verify_history
from db.models import Unit, UnitEvent

if TYPE_CHECKING:  # playhouse.migrate loads when a step runs
    from playhouse.migrate import SchemaMigrator


class HistoryBroken(RuntimeError):
    """The unkeyed history chain does not check out; the upgrade to a keyed one is refused."""


class KeyingRefused(RuntimeError):
    """An unkeyed history on a seat that keeps a key: not keyed without a manager's say."""


_allowed = False


def allow_keying_old_history(allow: bool = True) -> None:
    """Let the next step 5 key an old, unkeyed history on a seat that keeps a key (once)."""
    global _allowed
    _allowed = allow


def key_the_chain(
    database: pw.Database, migrator: SchemaMigrator, protect: Callable[[pw.Database], None]
) -> None:
    """Bring a schema 4 history to schema 5 (see the module's docstring)."""
    if _already_keyed(database):
        return  # made keyed and set back a version (tests that build older shapes)
    _refuse_on_a_keyed_seat()
    breaks = unkeyed_breaks()
    if breaks:
        raise HistoryBroken(
            "The unit history was changed outside SerialDesk before this upgrade ("
            + "; ".join(breaks)
            + "). Nothing was upgraded. Restore the last backup whose 'serialdesk verify' "
            "was clean, or keep this one aside as evidence and ask for help."
        )
    from playhouse.migrate import migrate as run_operations  # only when a step runs

    _unprotect(database)
    run_operations(migrator.add_column(TABLE, "facts", UnitEvent.facts))
    chain = new_chain_id()
    create_key(chain)
    seq, mac = _rechain(database, load_key(chain))
    protect(database)
    write_anchor(
        {
            "seq": seq,
            "mac": mac,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "why": "upgrade",
            "keyed_from": seq + 1,
        },
        chain,
    )


def _refuse_on_a_keyed_seat() -> None:
    global _allowed
    allowed, _allowed = _allowed, False  # for this one upgrade only
    keys = seat_keys()
    if keys and not allowed:
        raise KeyingRefused(
            "This database says its history was never keyed (schema 4), but this seat "
            f"already keeps a history key ({keys[0]}). That is the mark of a database "
            "someone re-hashed without the key to hide a change, so nothing was upgraded. "
            "Keep this file aside and compare it with your backups and day-end slips. If it "
            "really is an old shop's database never opened by this SerialDesk, a manager "
            "keys it on purpose with 'serialdesk init --key-old-history'."
        )


def _already_keyed(database: pw.Database) -> bool:
    """Rows keyed already (a database set back a version, or one whose chain id was lost):
    if the chain checks out under this seat's key, it keeps it, and gets its id back."""
    if "facts" not in {c.name for c in database.get_columns(TABLE)}:
        return False
    known = chain_id()
    try:
        key = load_key(known or "unknown")  # without an id only a key given by path is found
    except KeyMissing:
        return False
    columns = {c.name for c in database.get_columns(TABLE)}
    if not verify_history(limit=1, key=key, one_chain="lane" not in columns).ok:
        return False
    if known is None:
        new_chain_id()
    return True


def _unprotect(database: pw.Database) -> None:
    if isinstance(database, pw.SqliteDatabase):
        for name in SQLITE_TRIGGERS:
            database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    else:
        database.execute_sql(f'DROP TRIGGER IF EXISTS "{PG_TRIGGER}" ON "{TABLE}"')


def _rechain(database: pw.Database, key: bytes) -> tuple[int, str]:
    last_of_unit = UnitEvent.alias("later")
    is_last = ~pw.fn.EXISTS(
        last_of_unit.select(last_of_unit.id).where(
            last_of_unit.unit == UnitEvent.unit, last_of_unit.id > UnitEvent.id
        )
    )
    columns = [getattr(UnitEvent, name) for name in CONTENT[:-1]]
    param = database.param
    update = f'UPDATE "{TABLE}" SET hash = {param}, facts = {param} WHERE id = {param}'
    seq, prev = 0, GENESIS
    while True:
        batch = list(
            UnitEvent.select(UnitEvent.seq, UnitEvent.id, *columns, *FACT_FIELDS, is_last)
            .join(Unit, pw.JOIN.LEFT_OUTER, on=(Unit.id == UnitEvent.unit))
            .where(UnitEvent.seq > seq)
            .order_by(UnitEvent.seq)
            .limit(BATCH)
            .tuples()
        )
        if not batch:
            return seq, prev
        changes = []
        for row_seq, event_id, *rest in batch:
            row = dict(zip(CONTENT[:-1], rest[: len(columns)], strict=True))
            unit_values, last = rest[len(columns) : -1], rest[-1]
            row["facts"] = facts_text(unit_values) if last else ""
            prev = event_mac(key, row_seq, prev, row)
            changes.append((prev, row["facts"], event_id))
            seq = row_seq
        database.cursor().executemany(update, changes)
