"""Saving off the UI thread: while another connection holds SQLite's write lock the seat
says it is saving, keeps taking keys and scans, and once the lock is free the sale is made
once and what came meanwhile follows in order."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from textual.widgets import Input

from app.services.counter.passport import passport
from db.models import Document
from screens.checkout import CheckoutScreen
from screens.modals.payment import PaymentModal
from screens.stocktake import StocktakeScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, settle, type_text

SIZE = (80, 24)


@contextmanager
def write_lock(url: str):
    """Another writer (a shell, a backup tool) holding the shop file's write lock."""
    other = sqlite3.connect(url, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def sales() -> int:
    return Document.select().where(Document.kind == "sale").count()


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def scan(pilot, code: str) -> None:
    await type_text(pilot, code)
    await pilot.press("enter")


async def pay_cash(pilot) -> None:
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PaymentModal)
    await pilot.press("enter")
    await pilot.pause(0.3)  # the worker is now waiting for the lock


async def test_a_sale_waiting_for_the_write_lock_keeps_taking_keys_and_scans_in_order(counter):
    app = make_app(counter)
    before = sales()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[1])
        screen = app.screen
        assert isinstance(screen, CheckoutScreen) and len(screen.cart) == 1
        with write_lock(counter.url):
            await pay_cash(pilot)
            assert "Saving the sale…" in shown(app, "#seatbar")
            assert "Saving the sale…" in shown(app, "#message")
            assert sales() == before  # still waiting for the lock
            await scan(pilot, IMEIS[2])  # the next customer's goods
            await scan(pilot, IMEIS[3])
            await pilot.press("f10")  # ... and paying for them
            await pilot.press("tab", "a", "l")  # typing goes on as ever
            await pilot.pause(0.3)
            assert screen.query_one("#customer", Input).value == "al"
            assert "3 waiting" in shown(app, "#message")
            assert sales() == before and passport(IMEIS[1]).state == "in_stock"
        await settle(pilot)
        assert sales() == before + 1  # once
        assert passport(IMEIS[1]).state == "sold"
        # What came meanwhile followed in order: both scans into the next cart, then F10.
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("escape")
        await pilot.pause()
        assert "Saving" not in shown(app, "#seatbar")
        assert [line.serial for line in screen.cart] == [IMEIS[2], IMEIS[3]]
        assert screen.query_one("#customer", Input).value == "al"  # not wiped by the reset
        assert passport(IMEIS[2]).state == "in_stock"
    assert sales() == before + 1


async def test_a_second_f10_while_the_sale_is_saved_does_not_sell_twice(counter):
    app = make_app(counter)
    before = sales()
    async with app.run_test(size=SIZE) as pilot:
        notes = []
        app.notify = lambda message, **_how: notes.append(message)
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[1])
        await scan(pilot, "AC-CASE")
        with write_lock(counter.url):
            await pay_cash(pilot)
            await pilot.press("f10", "enter", "f10", "enter")  # an impatient cashier
            await pilot.pause(0.3)
            assert sales() == before
        await settle(pilot)
        assert sales() == before + 1
        assert isinstance(app.screen, CheckoutScreen) and app.screen.cart == []
        # The held F10s found the cart sold: refused, and the sale said in a notification.
        assert "The cart is empty" in shown(app, "#message")
        assert any("complete" in note for note in notes)
    assert sales() == before + 1


async def test_a_bug_in_a_save_is_logged_and_the_seat_goes_on(counter, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("screens.checkout.sell_and_queue_cards", broken)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[1])
        await pilot.press("f10", "enter")
        await settle(pilot)
        line = shown(app, "#message")
        assert "Saving the sale failed: unexpected error (RuntimeError)" in line
        log = Path(line.rpartition("details in ")[2].strip())
        assert "RuntimeError: a bug" in log.read_text(encoding="utf-8")
        assert len(app.screen.cart) == 1  # the cart is still there to try again
        assert app.is_running


async def test_stocktake_scans_while_the_lock_is_held_are_counted_in_order(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await pilot.press("f11", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StocktakeScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert screen.number
        with write_lock(counter.url):
            for serial in (IMEIS[1], IMEIS[2], "D-100"):
                await scan(pilot, serial)
            await pilot.pause(0.3)
            assert "Counting…" in shown(app, "#seatbar")
            assert "counted 0 of" in shown(app, "#tally")
        await settle(pilot)
        assert "counted 3 of 7" in shown(app, "#tally")
        assert "D-100 counted" in shown(app, "#message")  # the last scan came last


async def test_keys_held_behind_a_dialog_wait_for_it_and_never_crash_the_seat(counter):
    """Scan, F10 and Esc pressed while a sale is saved: after it, the scan joins the next
    cart and F10 opens the payment dialog; the held Esc waits until that dialog is closed
    (it belongs to the checkout, not the dialog), so nothing is pulled from under it."""
    app = make_app(counter)
    before = sales()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[1])
        screen = app.screen
        with write_lock(counter.url):
            await pay_cash(pilot)
            await scan(pilot, IMEIS[2])
            await pilot.press("f10")
            await pilot.press("escape")
            await pilot.pause(0.3)
        await settle(pilot)
        assert app.is_running and sales() == before + 1
        assert isinstance(app.screen, PaymentModal)  # F10's dialog, up and whole
        assert [line.item.serial for line in screen.cart] == [IMEIS[2]]
        await pilot.press("escape")  # the person closes the dialog ...
        await settle(pilot)
        assert app.is_running  # ... and the held Esc then leaves the checkout, as pressed
        assert not isinstance(app.screen, PaymentModal)
