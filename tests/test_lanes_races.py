"""Branches writing at once on PostgreSQL, against a hostile reviewer's races: a warranty
card returned twice, two returns meeting head on, an anchor beside an open sale."""

from __future__ import annotations

import threading
import time

from app.services.counter import returns as returns_mod
from app.services.counter import selling as selling_mod
from app.services.counter.return_matching import ReturnItem
from app.services.counter.returns import customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.safety import integrity
from db.models import Document, DocumentLine, WarrantyNumber
from tests.support import (
    imeis,
    in_thread,
    receive_phones,
    receive_quantity,
)

# --- 2. concurrency on PostgreSQL ------------------------------------------------------


def _thread(work, name="slow"):
    """``in_thread``, by default as the thread the pauses below hold ("slow")."""
    return in_thread(work, name)


def _pause_in(monkeypatch, module, name, entered, release):
    original = getattr(module, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread().name == "slow":
            entered.set()
            release.wait(20)
        return result

    monkeypatch.setattr(module, name, paused)


def test_an_anchor_taken_while_a_branch_sale_is_open_does_not_raise_a_false_alarm(
    pg_shop, monkeypatch
):
    """Found in review: an anchor seals documents (docs_from, MAX(id)]. Branches now commit in
    parallel, so a sale whose id is below MAX(id) may still be uncommitted when the anchor
    is taken: the anchor's digest misses it, no later anchor covers it, and the next full
    verify says sales were changed (a false tamper alarm); the sale is never sealed."""
    shop = pg_shop
    phones_a, phones_b = imeis(600, 2), imeis(610, 2)
    receive_phones(shop.inventory, phones_a)
    receive_phones(shop.inventory_b, phones_b)
    entered, release = threading.Event(), threading.Event()
    _pause_in(monkeypatch, selling_mod, "move_unit", entered, release)
    t, done = _thread(lambda: sell(shop.cashier, [SaleItem(serial=phones_a[0])]))
    try:
        assert entered.wait(10)
        sell(shop.cashier_b, [SaleItem(serial=phones_b[0])])  # a higher id, committed
        integrity.anchor("verify")  # e.g. the other branch's day-end / verify
    finally:
        release.set()
        t.join(20)
    assert done and not isinstance(done[0], Exception), done
    report = integrity.check()
    assert report.ok, report.messages()


def _watch_sale(shop, n=2):
    receive_quantity(shop.inventory, "WA-CL", 5)
    result = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=n)])
    doc = Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()
    line = DocumentLine.get(DocumentLine.document == doc.id)
    numbers = [
        w.number
        for w in WarrantyNumber.select().where(WarrantyNumber.sale_line == line.id)
        .order_by(WarrantyNumber.id)
    ]  # fmt: skip
    return result, line, numbers


def test_one_warranty_card_returned_at_two_branches_at_once_is_refunded_once(pg_shop, monkeypatch):
    """Found in review: the warranty number's state is read (match_item) and then set 'returned'
    unconditionally; the sale line's returned quantity is conditional only on the line's
    quantity. Two branches returning the same card at once both pass: refunded twice, the
    other card of the line stays active. Before lanes the one chain lock serialized them."""
    shop = pg_shop
    _result, line, numbers = _watch_sale(shop, 2)
    assert len(numbers) == 2
    entered, release = threading.Event(), threading.Event()
    _pause_in(monkeypatch, returns_mod, "new_document", entered, release)
    item = ReturnItem(warranty_number=numbers[0])
    t, done = _thread(lambda: customer_return(shop.cashier, [item], reason="changed mind"))
    try:
        assert entered.wait(10)
        second_ok = customer_return(shop.cashier_b, [item], reason="changed mind")
    except Exception as exc:
        second_ok = exc
    finally:
        release.set()
        t.join(20)
    outcomes = [done[0], second_ok]
    refunds = [o for o in outcomes if not isinstance(o, Exception)]
    line = DocumentLine.get_by_id(line.id)
    states = [WarrantyNumber.get(WarrantyNumber.number == n).state for n in numbers]
    assert len(refunds) == 1, (outcomes, line.returned_quantity, states)


def test_two_branches_returning_by_sale_line_end_two_different_warranties(pg_shop, monkeypatch):
    """Found in review: a return by sale line (no card) ends 'the first N active' warranty numbers:
    select then unconditional update. Two branches at once end the same number; the
    line says 2 returned, one warranty stays active."""
    shop = pg_shop
    _result, line, numbers = _watch_sale(shop, 2)
    entered, release = threading.Event(), threading.Event()
    # The first pauses after it ended "the first active" warranty (uncommitted); the
    # second picks the same one, waits for its row, then ends it again.
    _pause_in(monkeypatch, returns_mod.totals, "add_line", entered, release)
    item = ReturnItem(sale_line=line.id, quantity=1)
    sale = f"S-{line.document_id}"
    t, done = _thread(lambda: customer_return(shop.cashier, [item], sale=sale, reason="x"))
    assert entered.wait(10)
    t2, done2 = _thread(
        lambda: customer_return(shop.cashier_b, [item], sale=sale, reason="x"), name="fast"
    )
    time.sleep(1.0)
    release.set()
    t.join(20)
    t2.join(20)
    second = done2[0]
    line = DocumentLine.get_by_id(line.id)
    states = [WarrantyNumber.get(WarrantyNumber.number == n).state for n in numbers]
    returned = states.count("returned")
    assert returned == line.returned_quantity, (done, second, line.returned_quantity, states)


def test_two_branches_returning_the_same_two_phones_in_opposite_order_do_not_deadlock(
    pg_shop, monkeypatch
):
    """Found in review: returns at two branches lock the units' rows in scan order, in parallel
    now (each holds only its own lane). Opposite orders: PostgreSQL 'deadlock detected'
    reaches staff instead of "changed at another seat just now"."""
    from app.domain.errors import DomainError

    shop = pg_shop
    phones = imeis(700, 2)
    receive_phones(shop.inventory, phones)
    sale = sell(shop.cashier, [SaleItem(serial=p) for p in phones]).number
    entered, release = threading.Event(), threading.Event()
    original = returns_mod.move_unit
    calls = {"n": 0}

    def paused(*args, **kwargs):
        original(*args, **kwargs)
        if threading.current_thread().name == "slow" and calls["n"] == 0:
            calls["n"] += 1
            entered.set()
            release.wait(20)

    monkeypatch.setattr(returns_mod, "move_unit", paused)
    items_a = [ReturnItem(serial=phones[0]), ReturnItem(serial=phones[1])]
    items_b = [ReturnItem(serial=phones[1]), ReturnItem(serial=phones[0])]
    t, done = _thread(lambda: customer_return(shop.cashier, items_a, sale=sale, reason="x"))
    assert entered.wait(10)
    t2, done2 = _thread(
        lambda: customer_return(shop.cashier_b, items_b, sale=sale, reason="x"), name="fast"
    )
    time.sleep(1.0)
    release.set()
    t.join(30)
    t2.join(30)
    outcomes = done + done2
    for o in outcomes:
        assert not isinstance(o, Exception) or isinstance(o, DomainError), repr(o)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
