"""One all-or-nothing write for a use case: the database's write transaction, with a
database kept busy by another seat told to staff as a refusal (nothing was saved)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.domain.errors import Busy
from db import database


@contextmanager
def write_transaction() -> Iterator[object]:
    """``db.database.write_transaction``, raising ``Busy`` when the lock never came."""
    try:
        with database.write_transaction() as txn:
            yield txn
    except database.DatabaseBusy as exc:
        raise Busy(str(exc)) from exc
