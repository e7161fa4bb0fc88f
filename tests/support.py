"""Helpers shared by the service tests: a fast seeded shop, refusals that must change
nothing, and common set-ups.

Test modules import ``fast_shop`` and ``seeded_shop`` from here; the first is
the fixture named ``shop``. It is the seeded two-branch shop of
``conftest.make_shop`` on SQLite and on PostgreSQL, like conftest's own
``shop``, but built once per module and backend; each test runs inside one
outer transaction that is rolled back afterwards, so every test still starts
from the same fresh shop. The services' own transactions become savepoints
inside it, so a refusal still rolls back exactly what it wrote. (Locking and
concurrency between seats are tested with real transactions elsewhere:
tests/test_concurrency.py.)
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from app.domain import pins
from app.domain.errors import DomainError
from app.services.counter.selling import SaleItem, sell
from app.services.ledger.lookups import find_product
from app.services.ledger.stock_levels import stock_quantity
from app.services.shop.catalog import add_customer
from app.services.stock.receiving import ReceiptLine, receive
from db import database
from db.connection import db, is_sqlite
from db.database import close_database, open_database
from db.models import (
    Document,
    DocumentLine,
    RepairTicket,
    StockLevel,
    Unit,
    UnitEvent,
    WarrantyNumber,
)
from tests.conftest import PG_URL, Shop, _pg_admin, make_imei, make_shop

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def _fast(mp: pytest.MonkeyPatch) -> None:
    """Cheap PIN hashes and commits that skip the flush to disk.

    Neither changes what is tested: a PIN hash carries its own cost, and
    durability across a power cut is no part of these tests.
    """
    mp.setattr(pins, "_N", 2**4)
    mp.setattr(database, "SQLITE_PRAGMAS", {**database.SQLITE_PRAGMAS, "synchronous": "off"})


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded_shop(request, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    _fast(mp)
    admin = schema = None
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("shop") / "shop.db")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin()
        with admin.cursor() as cur:
            cur.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    try:
        open_database(url)
        yield make_shop(url)
    finally:
        close_database()
        if admin is not None:
            with admin.cursor() as cur:
                cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
            admin.close()
        mp.undo()


@pytest.fixture(name="shop")
def fast_shop(seeded_shop) -> Shop:
    """The seeded shop at 2026-01-15 10:00 UTC; whatever the test writes is rolled back."""
    seeded_shop.clock.now = START
    with db.atomic() as txn:
        yield seeded_shop
        txn.rollback()


def counts() -> dict[str, int]:
    """Row counts of everything an operation writes."""
    return {
        model.__name__: model.select().count()
        for model in (
            Unit,
            UnitEvent,
            Document,
            DocumentLine,
            StockLevel,
            WarrantyNumber,
            RepairTicket,
        )
    }


def snapshot() -> tuple:
    """Row counts plus every mutable field an operation could touch."""
    return (
        counts(),
        sorted(
            Unit.select(
                Unit.id, Unit.serial, Unit.state, Unit.branch, Unit.customer, Unit.flag
            ).tuples()
        ),
        sorted(
            StockLevel.select(StockLevel.product, StockLevel.branch, StockLevel.quantity).tuples()
        ),
        sorted(WarrantyNumber.select(WarrantyNumber.number, WarrantyNumber.state).tuples()),
        sorted(
            DocumentLine.select(
                DocumentLine.id, DocumentLine.returned_quantity, DocumentLine.received_quantity
            ).tuples()
        ),
        sorted(Document.select(Document.id, Document.status).tuples()),
        sorted(RepairTicket.select(RepairTicket.id, RepairTicket.status).tuples()),
    )


@contextmanager
def refused(match: str, exc: type[DomainError] = DomainError):
    """The block must raise ``exc`` whose message matches ``match``, and write nothing."""
    before = snapshot()
    with pytest.raises(exc, match=match) as info:
        yield info
    assert isinstance(info.value, DomainError)
    assert str(info.value).strip(), "a refusal must say what is wrong"
    assert snapshot() == before, "a refused operation changed the database"


def in_thread(work, name: str = "worker") -> tuple[threading.Thread, list]:
    """Run ``work`` in a thread of its own (its own connection, closed after): the thread,
    and a list that gets the result, or the exception raised, for the test to judge."""
    done: list = []

    def run():
        try:
            done.append(work())
        except Exception as exc:  # reported by the test
            done.append(exc)
        finally:
            db.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, done


def imeis(first: int, n: int) -> list[str]:
    return [make_imei(i) for i in range(first, first + n)]


def receive_phones(ctx, serials: list[str], cost: str = "300.00", reference: str = "PO-1"):
    return receive(ctx, "PhoneCo", [ReceiptLine("PH-X1", serials, cost=cost)], reference=reference)


def receive_drills(ctx, serials: list[str], cost: str = "90.00"):
    return receive(ctx, "ToolCo", [ReceiptLine("DR-18", serials, cost=cost)])


def receive_quantity(ctx, sku: str, quantity: int, cost: str = "10.00"):
    return receive(ctx, "ToolCo", [ReceiptLine(sku, quantity=quantity, cost=cost)])


def customer(name: str = "Ann Buyer", phone: str = "+44 7700 900123"):
    return add_customer(name, phone)


def sell_serials(ctx, serials: list[str], customer_id: int | None = None, **kwargs):
    return sell(ctx, [SaleItem(serial=s) for s in serials], customer_id=customer_id, **kwargs)


def unit(serial: str) -> Unit:
    return Unit.get(Unit.serial == serial)


def events(serial: str) -> list[str]:
    u = unit(serial)
    return [e.event for e in UnitEvent.select().where(UnitEvent.unit == u).order_by(UnitEvent.id)]


def last_event(serial):
    return (
        UnitEvent.select()
        .where(UnitEvent.unit == unit(serial))
        .order_by(UnitEvent.id.desc())
        .first()
    )


def qty(sku, ctx):
    return stock_quantity(find_product(sku).id, ctx.branch_id)


def run_sql(text: str, *params) -> None:
    """Raw SQL behind the application's back, as a tamperer would (``?`` on both backends)."""
    db.execute_sql(text.replace("?", "%s") if not is_sqlite() else text, params)


def drop_history_triggers() -> None:
    """Take away the append-only triggers of the unit history, as a tamperer would."""
    if is_sqlite():
        run_sql('DROP TRIGGER "unit_event_no_update"')
        run_sql('DROP TRIGGER "unit_event_no_delete"')
    else:
        run_sql('DROP TRIGGER "unit_event_append_only" ON "unit_event"')


def wait_for_text(read, text: str, timeout: float, where: str) -> str:
    """Poll ``read()`` (a terminal's or a page's screen) until ``text`` is on it; return the
    screen, or fail showing what ``where`` shows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = read()
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"'{text}' never appeared; {where} shows:\n{read()}")
