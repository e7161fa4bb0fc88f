"""One all-or-nothing write for a use case: the database's write transaction, with a
database kept busy by another seat, or a seat without the history's key, told to staff
as a refusal (nothing was saved)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import peewee

from app.domain.errors import Busy, Refused
from db import database
from db.chain_key import KeyMissing

CONFLICT = (
    "Another seat changed the same units or cards at the same moment. Nothing was saved; try again."
)


@contextmanager
def write_transaction(ctx=None, *, history: bool = True) -> Iterator[object]:
    """``db.database.write_transaction``, raising ``Busy`` when the lock never came and
    ``Refused`` when this seat has no key to write the history with. ``ctx`` (a
    ``Context``): counter work at the seat's branch, which on PostgreSQL runs beside other
    branches' work (its history rows go to the branch's lane); without it, shop-wide work.
    ``history=False``: a write of no history and no unit (``db.database`` says more)."""
    branch = ctx.branch_id if ctx is not None else None
    try:
        with database.write_transaction(branch, history=history) as txn:
            yield txn
    except database.DatabaseBusy as exc:
        raise Busy(str(exc)) from exc
    except peewee.DatabaseError as exc:
        if not database.is_conflict_error(exc):
            raise
        raise Refused(CONFLICT) from exc
    except KeyMissing as exc:
        raise Refused(str(exc)) from exc
