"""PostgreSQL: each branch writes its own lane of the history chain, so one branch's open
write transaction does not hold up another branch's sale; it does hold up a second write
at the same branch, and shop-wide work waits for every branch (and they for it)."""

from __future__ import annotations

import threading
import time

from app.services.counter.selling import SaleItem, sell
from app.services.safety import integrity
from db import database
from db.connection import db
from db.models import UnitEvent
from tests.support import imeis, in_thread, receive_phones

WAIT = 0.5  # long enough for a write that is not held up to have finished


def _hold(branch, started: threading.Event, release: threading.Event, **kwargs) -> None:
    with database.write_transaction(branch, **kwargs):
        started.set()
        release.wait(10)
    db.close()


def _held(branch, **kwargs):
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(branch, started, release), kwargs=kwargs)
    holder.start()
    assert started.wait(10)
    return holder, release


def test_a_branch_sells_while_another_branch_holds_its_lane(pg_shop):
    shop = pg_shop
    phones_a, phones_b = imeis(900, 2), imeis(910, 2)
    receive_phones(shop.inventory, phones_a)
    receive_phones(shop.inventory_b, phones_b)
    holder, release = _held(shop.cashier.branch_id)
    try:
        thread, done = in_thread(lambda: sell(shop.cashier_b, [SaleItem(serial=phones_b[0])]))
        thread.join(5)
        assert done and not isinstance(done[0], Exception), done
        # The same branch's second write waits for the first.
        thread, done = in_thread(lambda: sell(shop.cashier, [SaleItem(serial=phones_a[0])]))
        time.sleep(WAIT)
        assert not done, "a second write at the same branch did not wait for the first"
    finally:
        release.set()
        holder.join(10)
    thread.join(10)
    assert done and not isinstance(done[0], Exception), done
    lanes = {lane for (lane,) in UnitEvent.select(UnitEvent.lane).distinct().tuples()}
    assert lanes == {shop.cashier.branch_id, shop.cashier_b.branch_id}
    assert integrity.check().ok


def test_shop_wide_work_waits_for_a_branch_and_a_branch_for_it(pg_shop):
    shop = pg_shop
    phones = imeis(920, 2)
    receive_phones(shop.inventory_b, phones)
    holder, release = _held(shop.cashier.branch_id)
    try:
        thread, done = in_thread(lambda: _hold_briefly(None))
        time.sleep(WAIT)
        assert not done, "shop-wide work did not wait for a branch's write"
    finally:
        release.set()
        holder.join(10)
    thread.join(10)
    assert done == [True]
    holder, release = _held(None)
    try:
        thread, done = in_thread(lambda: sell(shop.cashier_b, [SaleItem(serial=phones[0])]))
        time.sleep(WAIT)
        assert not done, "a branch's sale did not wait for shop-wide work"
    finally:
        release.set()
        holder.join(10)
    thread.join(10)
    assert done and not isinstance(done[0], Exception), done


def test_a_print_jobs_write_waits_only_for_shop_wide_work(pg_shop):
    holder, release = _held(pg_shop.cashier.branch_id)
    try:
        thread, done = in_thread(lambda: _hold_briefly(None, history=False))
        thread.join(5)
        assert done == [True], "a write of no history waited for a branch"
    finally:
        release.set()
        holder.join(10)


def _hold_briefly(branch, **kwargs) -> bool:
    with database.write_transaction(branch, **kwargs):
        return True


def test_two_branches_recording_one_never_received_serial_make_one_unit(pg_shop):
    """Warranty mode records a serial it never received at the sale. Two branches selling
    the same one at once: the second waits for the first, then is told to scan again."""
    from app.domain.errors import Refused
    from app.services.ledger.moves import guard_new_unit
    from db.models import Product, Unit

    shop = pg_shop
    drill = Product.get(Product.sku == "DR-18")
    started, release = threading.Event(), threading.Event()

    def first_branch():
        with database.write_transaction(shop.cashier.branch_id):
            guard_new_unit("DX-9")
            Unit.insert(serial="DX-9", product=drill.id, state="sold").execute()
            started.set()
            release.wait(10)
        db.close()

    holder = threading.Thread(target=first_branch)
    holder.start()
    assert started.wait(10)
    try:
        item = SaleItem(serial="DX-9", product="DR-18")
        thread, done = in_thread(lambda: sell(shop.cashier_b, [item]))
        time.sleep(WAIT)
        assert not done, "the second branch did not wait for the first"
    finally:
        release.set()
        holder.join(10)
    thread.join(10)
    assert len(done) == 1 and isinstance(done[0], Refused), done
    assert "recorded at another seat just now" in str(done[0])
    assert Unit.select().where(Unit.serial == "DX-9").count() == 1


def test_a_receipt_holds_up_receipts_elsewhere_but_not_sales(pg_shop):
    """A receipt writes its branch's lane and takes the shop's lock for making units from
    serials: another branch sells meanwhile, and its receipt waits its turn."""
    from app.services.ledger.moves import lock_new_units

    shop = pg_shop
    phones = imeis(930, 2)
    receive_phones(shop.inventory_b, phones[:1])
    started, release = threading.Event(), threading.Event()

    def receipt_open():
        with database.write_transaction(shop.inventory.branch_id):
            lock_new_units()
            started.set()
            release.wait(10)
        db.close()

    holder = threading.Thread(target=receipt_open)
    holder.start()
    assert started.wait(10)
    try:
        thread, done = in_thread(lambda: sell(shop.cashier_b, [SaleItem(serial=phones[0])]))
        thread.join(5)
        assert done and not isinstance(done[0], Exception), done
        thread, done = in_thread(lambda: receive_phones(shop.inventory_b, phones[1:]))
        time.sleep(WAIT)
        assert not done, "a receipt at another branch did not wait for the first"
    finally:
        release.set()
        holder.join(10)
    thread.join(10)
    assert done and not isinstance(done[0], Exception), done
