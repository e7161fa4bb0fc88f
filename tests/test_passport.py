"""The passport of a serial, and the append-only history it is built from."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import peewee
import pytest

from app.cli.counter import passport_text
from app.domain.errors import InvalidSerial, NotFound
from app.services.counter import repairs, replacements
from app.services.counter.passport import passport
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
from db.connection import db
from db.models import UnitEvent
from tests.conftest import IMEIS
from tests.support import (
    customer,
    fast_shop,  # noqa: F401
    receive_drills,
    receive_phones,
    seeded_shop,  # noqa: F401
    sell_serials,
)


def test_passport_of_a_whole_life(shop):
    old, new = IMEIS[0], IMEIS[1]
    receive_phones(shop.inventory, [old], cost="300", reference="PO-1")
    receive_phones(shop.inventory_b, [new], cost="310", reference="PO-2")
    ann, bob = customer("Ann Buyer"), customer("Bob Later", "+44 7700 900555")
    shop.clock.advance(days=1)
    t = transfer_out(shop.inventory, "B", [TransferItem(serial=old)])
    shop.clock.advance(days=1)
    transfer_in(shop.inventory_b, t.number, [old])
    shop.clock.advance(days=3)  # 2026-01-20
    first = sell(
        shop.cashier_b,
        [SaleItem(serial=old, price="479")],
        customer_id=ann.id,
        approver=shop.approver(),
    )
    shop.clock.advance(days=5)
    ret = customer_return(
        shop.cashier_b, [ReturnItem(serial=old, condition="box opened")], reason="too big"
    )
    shop.clock.advance(days=7)  # 2026-02-01
    second = sell(shop.manager_b, [SaleItem(serial=old)], customer_id=bob.id)
    shop.clock.advance(days=28)
    r1 = repairs.intake(shop.cashier_b, old, complaint="speaker crackles")
    shop.clock.advance(days=4)
    repairs.collect(shop.cashier_b, r1.number, outcome="speaker replaced")
    shop.clock.advance(days=30)
    r2 = repairs.intake(shop.cashier_b, old, complaint="no boot")
    shop.clock.advance(days=1)
    swap = replacements.replace(shop.manager_b, old, new, ticket=r2.number)

    today = date(2026, 6, 1)
    p = passport(f" {old.lower()} ", today=today)
    assert (p.serial, p.sku, p.product, p.product_type, p.tracking_mode) == (
        old,
        "PH-X1",
        "Phone X1 128GB",
        "Phones",
        "strict",
    )
    assert (p.state, p.state_label, p.branch) == ("replaced", "replaced under warranty", "Harbour")
    assert (p.customer, p.customer_phone, p.supplier, p.cost) == (
        "Bob Later",
        "+447700900555",
        "PhoneCo",
        Decimal("300.00"),
    )
    # receipt: supplier, PO reference, branch, cost, date, employee
    r = p.receipt
    assert (r.kind, r.supplier, r.reference, r.branch, r.cost, r.date, r.employee) == (
        "receipt",
        "PhoneCo",
        "PO-1",
        "Main Street",
        Decimal("300.00"),
        date(2026, 1, 15),
        "Ivy Inventory",
    )
    # the sale it is with the customer on: customer, employee, price, date
    s = p.sale
    assert (s.number, s.customer, s.employee, s.price, s.date, s.branch) == (
        second.number,
        "Bob Later",
        "Max Manager",
        Decimal("499.00"),
        date(2026, 2, 1),
        "Harbour",
    )
    # warranty from that sale, in calendar months, and the days left today
    assert (p.warranty_start, p.warranty_end) == (date(2026, 2, 1), date(2028, 2, 1))
    # ...but it was replaced, so the warranty lives on with the replacement, not here
    assert p.warranty_days_left == 0 and not p.warranty_active
    assert (
        passport(p.replaced_by[0], today=today).warranty_days_left
        == (date(2028, 2, 1) - today).days
    )
    # returns, transfers, repairs, replacement
    assert [(x.number, x.condition, x.disposition, x.price, x.customer) for x in p.returns] == [
        (ret.number, "box opened", "in_stock", Decimal("479.00"), "Ann Buyer")
    ]
    assert [(x.number, x.branch, x.to_branch) for x in p.transfers] == [
        (t.number, "Main Street", "Harbour")
    ]
    assert [(x.number, x.status) for x in p.repairs] == [
        (r1.number, "collected"),
        (r2.number, "collected"),
    ]
    assert (p.replaces, p.replaced_by) == (None, [new])
    # the full, time-ordered history: what, when, where, who, which document, from, to
    rows = [
        (h.event, h.from_state, h.to_state, h.branch, h.employee, h.document) for h in p.history
    ]
    assert rows == [
        ("receive", None, "in_stock", "Main Street", "Ivy Inventory", p.receipt.number),
        ("transfer_out", "in_stock", "in_transit", "Main Street", "Ivy Inventory", t.number),
        ("transfer_in", "in_transit", "in_stock", "Harbour", "Ian Inventory", t.number),
        ("sell", "in_stock", "sold", "Harbour", "Bea Cashier", first.number),
        ("customer_return", "sold", "in_stock", "Harbour", "Bea Cashier", ret.number),
        ("sell", "in_stock", "sold", "Harbour", "Max Manager", second.number),
        ("repair_intake", "sold", "in_service", "Harbour", "Bea Cashier", r1.number),
        ("repair_collect", "in_service", "sold", "Harbour", "Bea Cashier", r1.number),
        ("repair_intake", "sold", "in_service", "Harbour", "Bea Cashier", r2.number),
        ("replaced", "in_service", "replaced", "Harbour", "Max Manager", swap.number),
    ]
    times = [h.at for h in p.history]
    assert times == sorted(times) and times[0].date() == date(2026, 1, 15)
    assert p.history[-1].note == f"replaced by {new}"

    q = passport(new, today=today)
    assert (q.state, q.customer, q.replaces, q.replaced_by) == ("sold", "Bob Later", old, [])
    assert (q.warranty_start, q.warranty_end) == (date(2026, 2, 1), date(2028, 2, 1))
    assert (q.sale.number, q.sale.kind, q.sale.customer) == (
        swap.number,
        "replacement",
        "Bob Later",
    )
    assert q.receipt.reference == "PO-2" and q.cost == Decimal("310.00")
    assert [h.event for h in q.history] == ["receive", "replacement_issued"]


def test_warranty_days_left_count_down_to_zero(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:1])
    p = passport(IMEIS[0], today=date(2026, 1, 15))
    assert (p.warranty_end, p.warranty_days_left, p.warranty_active) == (
        date(2028, 1, 15),
        730,
        True,
    )
    p = passport(IMEIS[0], today=date(2028, 1, 14))
    assert (p.warranty_days_left, p.warranty_active) == (1, True)
    p = passport(IMEIS[0], today=date(2028, 1, 15))
    assert (p.warranty_days_left, p.warranty_active) == (0, False)
    unsold = passport(IMEIS[1], today=date(2026, 1, 15))
    assert (unsold.sale, unsold.warranty_end, unsold.warranty_days_left) == (None, None, 0)
    assert (unsold.state, unsold.customer, unsold.returns, unsold.history[0].event) == (
        "in_stock",
        "",
        [],
        "receive",
    )


def test_passport_of_a_flagged_unit_and_of_a_warranty_mode_unit(shop):
    sale = sell(shop.cashier, [SaleItem(serial="DX-1", product="DR-18")])
    p = passport("dx-1", today=date(2026, 1, 15))
    assert (p.state, p.receipt, p.sale.number, p.tracking_mode) == (
        "sold",
        None,
        sale.number,
        "warranty",
    )
    assert p.history[0].note == "never received"


def test_passport_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    with pytest.raises(NotFound, match=f"Serial {IMEIS[5]} is not known"):
        passport(IMEIS[5])
    with pytest.raises(InvalidSerial):
        passport("\x1b[2J")
    with pytest.raises(InvalidSerial, match="empty"):
        passport("")
    with pytest.raises(InvalidSerial, match="at most 64"):
        passport("7" * 10_240)
    with pytest.raises(InvalidSerial, match="not a readable serial"):
        passport("'; DROP TABLE unit; --")
    with pytest.raises(NotFound, match="No product"):
        passport(IMEIS[0], product="NOPE")
    with pytest.raises(NotFound):
        passport(IMEIS[0], product="DR-18")
    assert passport(IMEIS[0], product="PH-X1").serial == IMEIS[0]


def test_same_serial_on_two_products_is_told_apart_by_product(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_drills(shop.inventory, [IMEIS[0]])  # warranty mode: warned, recorded
    with pytest.raises(Exception, match="several units.*Say which product"):
        passport(IMEIS[0])
    assert passport(IMEIS[0], product="DR-18").sku == "DR-18"
    assert passport(IMEIS[0], product="4006381333931").sku == "PH-X1"


# ---------------------------------------------------------------- append-only history


def test_unit_history_is_append_only_in_the_database(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    before = list(UnitEvent.select().order_by(UnitEvent.id).tuples())
    first = before[0][0]
    table = UnitEvent._meta.table_name
    attempts = [
        lambda: UnitEvent.update(note="edited").where(UnitEvent.id == first).execute(),
        lambda: UnitEvent.update(to_state="in_stock").execute(),
        lambda: UnitEvent.delete().where(UnitEvent.id == first).execute(),
        lambda: UnitEvent.delete().execute(),
        lambda: db.execute_sql(f"UPDATE \"{table}\" SET event = 'sell'"),
        lambda: db.execute_sql(f'DELETE FROM "{table}"'),
    ]
    for attempt in attempts:
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with db.atomic():
                attempt()
    assert list(UnitEvent.select().order_by(UnitEvent.id).tuples()) == before
    # the connection is still usable and history still grows
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    assert UnitEvent.select().count() == len(before) + 1


def test_history_rows_carry_time_place_person_and_document(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    shop.clock.advance(minutes=5)
    sell_serials(shop.cashier, IMEIS[:1])
    rows = list(UnitEvent.select().order_by(UnitEvent.id))
    assert rows[1].at - rows[0].at == timedelta(minutes=5)
    assert rows[0].at.tzinfo is not None
    assert all(r.document_id and r.employee_id and r.branch_id for r in rows)


def test_a_replaced_units_warranty_is_no_longer_its_own(shop):
    from app.services.counter import replacements
    from tests.support import receive_phones, sell_serials

    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:1])
    replacements.replace(shop.technician, IMEIS[0], IMEIS[1])
    today = shop.clock.now.date()
    old, new = passport(IMEIS[0], today=today), passport(IMEIS[1], today=today)
    assert not old.warranty_active and old.warranty_days_left == 0
    assert new.warranty_active and new.warranty_end == old.warranty_end


def test_a_unit_back_with_us_shows_no_running_warranty_not_an_expired_one(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    assert passport(IMEIS[0]).warranty_held
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    p = passport(IMEIS[0])
    assert (p.warranty_held, p.warranty_active, p.warranty_end) == (False, False, date(2028, 1, 15))
    assert "none running: in stock, not with a customer" in passport_text(p)
