"""The app shell: logging out and changing cashier, quitting with work open, the keys
panel, focus that stays visible and in a field, the seat bar at 80 columns, crashes."""

from __future__ import annotations

import io
import sys

import pytest
from textual.widgets import DataTable, Input

from app.cli import entry as cli
from app.services.counter.passport import passport
from screens.checkout import CheckoutScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.modals.confirm import Confirm
from screens.repairs import IntakeScreen, RepairsScreen, TicketScreen
from screens.stocktake import StocktakeScreen
from screens.widgets.keys import ScreenKeys, screen_keys
from screens.widgets.seatbar import SeatBar
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


async def test_esc_on_the_lock_screen_logs_out_and_someone_else_logs_in(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        await pilot.press("f3")
        await type_text(pilot, IMEIS[2])
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.screen.cart) == 1
        await pilot.press("f12")
        assert app.screen.locked_login == "cal"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.screen.locked_login is None
        assert app.ctx is None
        await pilot.press("f3")  # nobody is logged in: the screen keys do nothing
        assert isinstance(app.screen, LoginScreen)
        await log_in(pilot, "mia")
        assert isinstance(app.screen, HomeScreen)
        assert app.ctx.employee_name == "Mia Manager"
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen) and app.screen.cart == []  # discarded
        # and again: the login screen is a fresh one each time
        await pilot.press("f12", "escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login", Input).value == ""
        await log_in(pilot, "cal")
        assert app.ctx.employee_name == "Cal Cashier"


async def test_ctrl_q_asks_when_a_cart_is_open_and_enter_stays(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[2])
        await pilot.press("enter")
        await pilot.press("f8")  # the cart is in another mode: still counted
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "Checkout" in app.screen.detail
        await pilot.press("ctrl+q")  # asked once, not twice
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
        assert not app.is_running


async def test_scanned_stock_lines_and_a_receipt_count_as_unsaved_work(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await pilot.press("f11", "enter")  # transfers
        await settle(pilot)
        await type_text(pilot, "B")
        await pilot.press("enter")
        await type_text(pilot, IMEIS[1])
        await pilot.press("enter")
        await settle(pilot)
        assert app.unsaved_work() == ["Transfers"]
        await pilot.press("f2")
        await settle(pilot)
        app.screen.rows.append("a scanned serial")  # what a receipt holds before F10
        assert app.unsaved_work() == ["Goods receipt", "Transfers"]


async def test_ctrl_q_without_unsaved_work_quits_at_once(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_closing_a_stocktake_with_missing_units_takes_enter_as_no(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await pilot.press("f11", "down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StocktakeScreen)
        await pilot.press("f9")
        await settle(pilot)
        await type_text(pilot, IMEIS[1])
        await pilot.press("enter", "f10")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and "Write them off?" in app.screen.question
        await pilot.press("escape")  # keeps the count open
        await settle(pilot)
        assert screen.number and "still open" in message(app)
        await pilot.press("f10", "enter")  # Enter is no: closed, the missing left in stock
        await settle(pilot)
        assert "missing (left in stock)" in message(app)
        assert passport(IMEIS[3]).state == "in_stock"


async def test_f1_lists_this_screens_keys_not_the_fields_editing_keys(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f5")
        assert isinstance(app.focused, Input)
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.query(ScreenKeys)
        keys = screen_keys(app.screen)
        described = {what for _where, _keys, what, _on in keys}
        assert {"Back", "Checkout", "Passport", "Lock"} <= described
        shown = {k for _where, k, _what, _on in keys}
        assert not {"left", "right", "home", "end", "backspace", "delete"} & {
            k.lower() for k in shown
        }
        await pilot.press("f1")
        await settle(pilot)
        assert not app.screen.query(ScreenKeys)


async def test_the_focused_field_is_marked_by_a_shape_not_a_shade(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f5")
        scan = app.screen.query_one("#scan", Input)
        assert app.focused is scan
        assert scan.styles.border_left[0] == "outer"  # a bar, in any colour count
        table = app.screen.query_one(DataTable)
        table.focus()
        await pilot.pause()
        assert scan.styles.border_left[0] == "blank"  # same width: nothing moves
        assert table.styles.outline_left[0] == "outer"
        await pilot.press("f12")
        assert app.screen.query_one("#pin", Input).styles.border_top[0] == "heavy"


async def test_back_from_a_closed_ticket_the_scan_goes_to_intake_not_a_passport(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        await pilot.press("f5")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await type_text(pilot, "no sound")
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.focus()  # Enter on the list opens the ticket
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("f9")
        await type_text(pilot, "speaker replaced")
        await pilot.press("enter")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RepairsScreen) and table.row_count == 0
        assert app.focused is app.screen.query_one("#scan", Input)
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_at_80_columns_the_seat_bar_keeps_the_device_trouble_whole(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        app.devices.status_line = lambda: "no printer, 3 card(s) queued"
        await log_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        bar = app.screen.query_one(SeatBar)
        bar.refresh()
        await pilot.pause()
        line = str(bar.render())
        assert line.endswith("│ no printer, 3 card(s) queued")
        assert len(line) <= 80 and "Checkout" in line and "Cal Cashier" in line
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        wide = str(bar.render())
        assert "Main Street [A]" in wide and "no printer, 3 card(s) queued" in wide


async def test_a_crash_in_a_screen_is_logged_with_its_traceback(
    counter, monkeypatch, tmp_path, capsys
):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))

    def boom(_serial):
        raise RuntimeError("boom in the passport")

    monkeypatch.setattr("screens.passport.PassportScreen.compose", boom)
    app = make_app(counter)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await type_text(pilot, IMEIS[0])
            await pilot.press("enter")
            await settle(pilot)
    log = state / "serialdesk" / "log" / "serialdesk.log"
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom in the passport" in text
    assert app.return_code == 1
    assert app.crash_message == (
        f"serialdesk: unexpected error (RuntimeError), a bug in SerialDesk; details in {log}"
    )
    assert "Traceback" not in capsys.readouterr().err  # Textual prints no screen of code


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_after_a_crash_the_person_reads_one_line_and_the_exit_code_says_bug(
    tmp_path, monkeypatch, capsys
):
    url = str(tmp_path / "shop.db")
    assert cli.main(["--db", url, "init"]) == 0
    capsys.readouterr()

    def crashed(app) -> None:
        app.crash_message = "serialdesk: unexpected error (RuntimeError), ... details in LOG"

    monkeypatch.setattr("app.tui.SerialDeskApp.run", crashed)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert cli.main(["--db", url]) == 3
    err = capsys.readouterr().err
    assert err == "serialdesk: unexpected error (RuntimeError), ... details in LOG\n"


async def test_back_from_an_open_ticket_with_others_listed_the_scan_goes_to_intake(counter):
    """Tickets still listed: back from one, focus is in the intake field, not on the list
    (where a scanner's Enter would open the highlighted ticket again)."""
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        await pilot.press("f5")
        for serial, complaint in ((IMEIS[0], "no sound"),):
            await type_text(pilot, serial)
            await pilot.press("enter")
            await type_text(pilot, complaint)
            await pilot.press("f10")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RepairsScreen) and table.row_count == 1
        assert app.focused is app.screen.query_one("#scan", Input)
