"""The counter app with its devices: scans land in the focused field, cards reach the printer.

Below the libraries the world is faked as in tests/devices: a real pseudo-terminal
for the serial scanner, a TCP listener on 127.0.0.1 for the network printer.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from app.config import SeatConfig
from app.tui import SerialDeskApp
from db.models import PrintJob
from devices.config import PrinterConfig, ScannerConfig
from screens.checkout import CheckoutScreen
from screens.passport import PassportScreen
from tests.conftest import IMEIS
from tests.devices.conftest import PtyScanner, TcpPrinter
from tests.devices.escpos_decode import decode
from tests.tui.conftest import log_in, type_text

SIZE = (80, 24)


@pytest.fixture
def pty(tmp_path):
    scanner = PtyScanner(tmp_path)
    yield scanner
    scanner.close()


@pytest.fixture
def printer():
    p = TcpPrinter()
    yield p
    p.stop()


def app_with(shop, *, scanner=None, printer=None) -> SerialDeskApp:
    config = SeatConfig(
        seat="Counter 1",
        branch="A",
        scanner=scanner or ScannerConfig(source="none"),
        printer=printer or PrinterConfig(),
    )
    return SerialDeskApp(config, clock=shop.clock)


async def until(pilot, predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


async def test_wedge_burst_lands_in_the_cart_as_one_scan(counter):
    # Pilot keys come a few ms apart; a loaded machine may stretch that: a roomy gap.
    app = app_with(counter, scanner=ScannerConfig(source="wedge", max_gap_ms=150))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await pilot.pause(0.2)
        await pilot.press(*IMEIS[1], "enter")
        await until(pilot, lambda: len(app.screen.cart) == 1)
        assert app.screen.cart[0].serial == IMEIS[1]


async def test_wedge_scan_with_no_field_focused_opens_the_passport(counter):
    app = app_with(counter, scanner=ScannerConfig(source="wedge", max_gap_ms=150))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f7")
        await pilot.pause(0.2)
        app.screen.query_one("DataTable").focus()
        await pilot.pause(0.2)
        await pilot.press(*IMEIS[0], "enter")
        await until(pilot, lambda: isinstance(app.screen, PassportScreen))
        assert app.screen.serial == IMEIS[0]


async def test_serial_scanner_feeds_the_focused_field_and_garbage_changes_nothing(counter, pty):
    scanner = ScannerConfig(source="serial", port=str(pty.path), terminator="\r")
    app = app_with(counter, scanner=scanner)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        await until(pilot, lambda: "scanner connected" in app.devices.status_line())
        pty.write(IMEIS[2].encode() + b"\r")
        await until(pilot, lambda: len(app.screen.cart) == 1)
        pty.write(b"\x00\x01\xff\xfe garbage\r" + b"9" * 10_000 + b"\r")
        await pilot.pause(0.5)
        assert len(app.screen.cart) == 1
        assert any("Unreadable scan" in n.message for n in app._notifications)


async def test_sale_prints_its_warranty_card_on_the_network_printer(counter, printer):
    config = PrinterConfig(kind="network", host="127.0.0.1", tcp_port=printer.port, timeout=2)
    app = app_with(counter, printer=config)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[3])
        await pilot.press("enter", "f10", "enter")
        await until(pilot, lambda: PrintJob.select().where(PrintJob.status == "printed").count())
    card = decode(printer.data)
    assert "WARRANTY CARD" in card.text and "Phone X1 128GB" in card.text
    assert IMEIS[3] in card.text
    assert [b.data for b in card.barcodes] == [IMEIS[3]]
    assert card.cuts == 1


async def test_offline_printer_keeps_the_card_queued_and_prints_it_once_when_back(counter, printer):
    config = PrinterConfig(kind="network", host="127.0.0.1", tcp_port=printer.port, timeout=1)
    printer.stop()
    app = app_with(counter, printer=config)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[4])
        await pilot.press("enter", "f10", "enter")
        await until(pilot, lambda: PrintJob.select().where(PrintJob.attempts > 0).count())
        job = PrintJob.get(PrintJob.claim_code == IMEIS[4])
        assert job.status == "queued" and job.last_error
        assert "complete" in str(app.screen.query_one("#message").render())
        assert "offline" in app.devices.status_line()
        printer.start()
        app.kick_printer()
        await until(pilot, lambda: PrintJob.get_by_id(job.id).status == "printed", timeout=15)
        app.kick_printer()  # a second kick must not print it again
        await asyncio.sleep(0.5)
    card = decode(printer.data)
    assert card.cuts == 1 and [b.data for b in card.barcodes] == [IMEIS[4]]
