"""The counter app with its devices: scans land in the focused field, cards reach the printer.

Below the libraries the world is faked as in tests/devices: a real pseudo-terminal
for the serial scanner, a TCP listener on 127.0.0.1 for the network printer.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from textual import events

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


def send_bunched(app, keys: list[str], gap: float = 0.0) -> None:
    """Keys as a laggy SSH link (gap 0) or a scanner delivers them: all at once, each stamped
    ``gap`` seconds after the one before, so the test does not hang on the machine's speed."""
    start = events.Key("a", "a").time
    for n, key in enumerate(keys):
        event = events.Key(key, {"tab": "\t", "enter": "\r"}.get(key, key))
        event.time = start + n * gap
        event.set_sender(app)
        app._driver.send_message(event)


async def test_bunched_typing_ending_in_tab_is_typed_not_taken_for_a_scan(counter):
    app = app_with(counter, scanner=ScannerConfig(source="wedge"))
    async with app.run_test(size=SIZE) as pilot:
        field = app.screen.query_one("#login")
        field.value = "ca"  # typed before, at a person's pace
        field.cursor_position = 2
        send_bunched(app, ["l", "v", "i", "n", "tab"])  # then a burst, as SSH delivers it
        await until(pilot, lambda: app.focused is not field)
        assert field.value == "calvin"  # kept and added to, not replaced by "lvin"
        assert app.focused is app.screen.query_one("#pin")


async def test_a_login_typed_bunched_then_a_pin_burst_logs_in_in_order(counter):
    """ "cal<Tab>1234<Enter>" arriving at once (tmux, a laggy link, a badge): the login is
    typed, the Tab moves on, the PIN burst is taken as a scan of the PIN field, after them."""
    app = app_with(counter, scanner=ScannerConfig(source="wedge"))
    async with app.run_test(size=SIZE) as pilot:
        send_bunched(app, ["c", "a", "l", "tab", "1", "2", "3", "4", "enter"], gap=0.001)
        await until(pilot, lambda: app.ctx is not None)
        assert app.ctx.employee_name == "Cal Cashier"


async def test_a_scanner_configured_to_end_with_tab_still_scans(counter):
    app = app_with(counter, scanner=ScannerConfig(source="wedge", suffix="\t"))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        send_bunched(app, [*IMEIS[1], "tab"], gap=0.004)
        await until(pilot, lambda: len(app.screen.cart) == 1)
        assert app.screen.cart[0].serial == IMEIS[1]


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


async def test_a_seat_renamed_in_its_settings_keeps_and_prints_its_waiting_cards(
    counter, printer, tmp_path
):
    from app.config import load_config
    from app.services.counter import printing
    from tests.tui.test_settings_screens import fill, message, open_entry, press

    path = tmp_path / "seat.toml"
    path.write_text('seat = "Counter 1"\nbranch = "A"\n')
    (card,) = printing.cards_for_sale(counter.sale_number)
    job = printing.queue(counter.cashier, card, seat="Counter 1")  # the printer was off
    app = SerialDeskApp(load_config(path), clock=counter.clock)  # no printer for now
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        assert "1 card(s) queued" in app.devices.status_line()
        await open_entry(pilot, "seat")
        await fill(pilot, seat="Till A")
        await press(pilot, "f10")
        assert "the name Till A with its waiting cards" in message(app)
        assert app.seat_name == "Till A"  # queues and prints under the new name at once
        assert "1 card(s) queued" in app.devices.status_line()
    assert [j.id for j in printing.queued_jobs("Till A")] == [job]
    # Restarted with its printer on: the card owed under the old name prints, once.
    printer_on = PrinterConfig(kind="network", host="127.0.0.1", tcp_port=printer.port)
    config = load_config(path)
    restarted = SerialDeskApp(
        SeatConfig(seat=config.seat, branch="A", printer=printer_on), clock=counter.clock
    )
    async with restarted.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: PrintJob.get_by_id(job).status == "printed")
        restarted.kick_printer()
        await asyncio.sleep(0.5)
    paper = decode(printer.data)
    assert paper.cuts == 1 and [b.data for b in paper.barcodes] == [IMEIS[0]]
