"""Seats are separate processes sharing one database: two of them race to sell the same units."""

from __future__ import annotations

import multiprocessing as mp
import random

import pytest

from app.domain.errors import DomainError
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database
from db.models import DocumentLine, Unit, UnitEvent
from tests.conftest import IMEIS

UNITS = IMEIS[:24]


def _seat(url: str, login: str, seed: int, start, results) -> None:
    """One seat: wait for the start signal, then try to sell every unit, one sale each."""
    from app.services.access.context import load_context
    from app.services.counter.selling import SaleItem, sell
    from db.database import open_database

    open_database(url)
    ctx = load_context(login)
    order = list(UNITS)
    random.Random(seed).shuffle(order)
    sold, refused, errors = [], 0, []
    start.wait(timeout=30)
    for serial in order:
        try:
            sell(ctx, [SaleItem(serial=serial)])
            sold.append(serial)
        except DomainError:
            refused += 1
        except Exception as exc:  # anything else is a bug the test reports
            errors.append(f"{type(exc).__name__}: {exc}")
    results.put((login, sold, refused, errors))


@pytest.mark.slow
def test_two_seats_racing_for_the_same_units_sell_each_exactly_once(shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", UNITS, cost="300")])
    close_database()  # the seats open their own connections
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    seats = [
        ctx.Process(target=_seat, args=(shop.url, login, seed, start, results))
        for login, seed in (("cal", 1), ("mia", 2), ("cal", 3))
    ]
    for seat in seats:
        seat.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in seats]
    for seat in seats:
        seat.join(timeout=30)

    from db.database import open_database

    open_database(shop.url)
    assert all(not errors for _l, _s, _r, errors in outcomes), outcomes
    sold = [serial for _l, sold, _r, _e in outcomes for serial in sold]
    assert sorted(sold) == sorted(UNITS), "every unit sold exactly once across the seats"
    assert sum(refused for _l, _s, refused, _e in outcomes) == len(UNITS) * (len(seats) - 1)
    assert Unit.select().where(Unit.state == "sold").count() == len(UNITS)
    assert UnitEvent.select().where(UnitEvent.event == "sell").count() == len(UNITS)
    assert DocumentLine.select().where(DocumentLine.unit.is_null(False)).count() == 2 * len(UNITS)


def test_a_seat_that_never_gets_the_write_lock_is_told_and_saves_nothing(sqlite_shop, monkeypatch):
    """Another seat holds the write lock past the deadline: the sale is refused in staff's
    words (a domain refusal, not a database error) and nothing of it is written."""
    import sqlite3

    from app.domain.errors import Busy
    from app.services.counter.selling import SaleItem, sell
    from db import database
    from db.connection import db

    receive(sqlite_shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    monkeypatch.setattr(database, "BUSY_DEADLINE_S", 0.3)
    db.execute_sql("PRAGMA busy_timeout = 20")
    other = sqlite3.connect(sqlite_shop.url)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy, match="busy for 0 seconds. Nothing was saved"):
            sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])])
    finally:
        other.rollback()
        other.close()
    assert Unit.get(Unit.serial == IMEIS[0]).state == "in_stock"
    assert DocumentLine.select().count() == 1  # the receipt's line only


def test_the_wait_for_a_held_lock_ends_at_the_deadline_not_a_busy_timeout_later(
    sqlite_shop, monkeypatch
):
    """SQLite's own busy timeout (5 s an attempt) does not stretch the 30 s deadline: with
    the deadline at 1 s, the refusal comes after about 1 s, not 5."""
    import sqlite3
    import time

    from app.domain.errors import Busy
    from app.services.counter.selling import SaleItem, sell
    from db import database

    receive(sqlite_shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    monkeypatch.setattr(database, "BUSY_DEADLINE_S", 1.0)
    other = sqlite3.connect(sqlite_shop.url)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    try:
        with pytest.raises(Busy):
            sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])])
    finally:
        other.rollback()
        other.close()
    assert time.monotonic() - started < 2.0
    sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])])  # the lock's own wait is 5 s again
    assert Unit.get(Unit.serial == IMEIS[0]).state == "sold"
