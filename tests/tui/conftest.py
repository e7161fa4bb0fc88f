"""The counter app on a seeded SQLite shop, with a fixed clock and time zone."""

from __future__ import annotations

import contextlib
import os
import time

import pytest
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from app.config import SeatConfig
from app.services.counter.selling import SaleItem, sell
from app.services.shop.catalog import add_customer
from app.services.stock.receiving import ReceiptLine, receive
from app.tui import SerialDeskApp
from devices.config import ScannerConfig
from tests.conftest import IMEIS


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


@pytest.fixture
def counter(sqlite_shop):
    """A shop with phones and cases in stock at A, one phone sold to Bob."""
    shop = sqlite_shop
    receive(
        shop.inventory,
        "PhoneCo",
        [
            ReceiptLine("PH-X1", IMEIS[:6], cost="300"),
            ReceiptLine("AC-CASE", quantity=10, cost="4"),
        ],
    )
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-100", "D-101"], cost="80")])
    bob = add_customer("Bob Builder", "+44 7700 900123")
    add_customer("Alice Smith", "+44 7700 900456")
    shop.clock.advance(days=30)
    sale = sell(
        shop.cashier, [SaleItem(serial=IMEIS[0]), SaleItem(product="AC-CASE")], customer_id=bob.id
    )
    shop.sale_number = sale.number
    shop.clock.advance(days=10)
    return shop


def make_app(shop, scanner: str = "none") -> SerialDeskApp:
    """The counter app; pilot keys come ms apart, so the wedge detector is off unless asked."""
    config = SeatConfig(seat="Counter 1", branch="A", scanner=ScannerConfig(source=scanner))
    return SerialDeskApp(config, clock=shop.clock)


async def type_text(pilot, text: str) -> None:
    """Type into the focused field: short text key by key, longer text as one burst,
    as a barcode scanner delivers it."""
    if len(text) <= 4:
        await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
        return
    pilot.app.focused.insert_text_at_cursor(text)
    await pilot.pause()


async def settle(pilot) -> None:
    """Pause until the saves running in worker threads are done and their results shown,
    with what follows them (cards queued, scans and keys that waited their turn)."""
    await pilot.pause()
    busy = (WorkerState.PENDING, WorkerState.RUNNING)
    while running := [w for w in pilot.app.workers if w.state in busy]:
        for worker in running:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()  # a refusal fails the worker: the screen shows it
        await pilot.pause()


def message(app) -> str:
    """What the screen's message line says."""
    return str(app.screen.query_one("#message").render())


async def log_in(pilot, login: str = "cal", pin: str = "1234") -> None:
    await type_text(pilot, login)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await settle(pilot)  # the PIN is checked in a worker thread


def pytest_configure(config):
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
