"""No screen writes on the UI thread: with each write made slow, the screen says it is
saving, the seat goes on taking keys (typed text lands, the seat bar's clock ticks), and
the result is applied once the write is done."""

from __future__ import annotations

import threading
import time

import pytest
from textual.widgets import DataTable, Input

from app.services.kits import assembly
from app.services.shop import settings
from db.models import Branch, Customer, Unit
from screens.checkout import CheckoutScreen
from screens.kits import KitsScreen
from screens.passport import PassportScreen
from screens.settings_shop import BranchesScreen
from tests.conftest import IMEIS
from tests.tui.conftest import make_app, message, settle, type_text
from tests.tui.test_kits_screen import kit_shop, open_kits  # noqa: F401 (a fixture)
from tests.tui.test_settings_screens import fill, open_entry

SIZE = (80, 24)
SLOW = 0.6  # seconds each write takes here


@pytest.fixture
def slow(monkeypatch):
    """``slow(module, name)``: that service now sleeps first, and says on which thread it ran."""
    threads: list[str] = []

    def make_slow(module, name: str) -> list[str]:
        real = getattr(module, name)

        def slowly(*args, **kwargs):
            threads.append(threading.current_thread().name)
            time.sleep(SLOW)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, slowly)
        return threads

    return make_slow


def bar(app) -> str:
    return str(app.screen.query_one("#seatbar").render())


async def while_saving(pilot, what: str) -> None:
    """The write is under way: the screen says so, and the seat is still answering."""
    await pilot.pause(0.1)
    assert f"{what}…" in message(pilot.app)
    started = time.monotonic()
    await pilot.press("end")  # a key goes round the UI thread: not behind the write
    assert time.monotonic() - started < SLOW / 2


def off_the_ui_thread(threads: list[str]) -> None:
    assert threads and threading.main_thread().name not in threads


async def log_in_now(pilot, login: str, pin: str = "1234") -> None:
    await type_text(pilot, login)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")


async def test_the_pin_check_runs_off_the_ui_thread(counter, slow, monkeypatch):
    import screens.login

    threads = slow(screens.login, "log_in")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "cal")
        await while_saving(pilot, "Checking the PIN")
        assert app.ctx is None
        await settle(pilot)
        assert app.ctx is not None and app.ctx.employee_name == "Cal Cashier"
    off_the_ui_thread(threads)


async def test_a_new_customer_is_saved_off_the_ui_thread(counter, slow):
    import screens.modals.new_customer as dialog

    threads = slow(dialog, "add_customer")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "cal")
        await settle(pilot)
        await pilot.press("f3")
        await pilot.press("tab")
        await type_text(pilot, "Zed Newman")
        await pilot.press("enter", "enter")
        await type_text(pilot, "0711 222 333")
        await pilot.press("enter")
        await while_saving(pilot, "Adding the customer")
        await pilot.press("enter")  # an impatient second Enter adds nobody twice
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        zed = Customer.get(Customer.name == "Zed Newman")
        assert app.screen.customer_id == zed.id
        assert Customer.select().where(Customer.name == "Zed Newman").count() == 1
    off_the_ui_thread(threads)


async def test_assembling_a_kit_keeps_taking_scans_meanwhile(kit_shop, slow):  # noqa: F811
    threads = slow(assembly, "assemble_kit")
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "ivy")
        await settle(pilot)
        screen = await open_kits(pilot)
        assert isinstance(screen, KitsScreen)
        await type_text(pilot, "KT-DR")
        await pilot.press("enter", "enter")
        for serial in ("D-100", "B-1", "B-4"):
            await type_text(pilot, serial)
            await pilot.press("enter")
        await pilot.press("f10")
        await while_saving(pilot, "Assembling the kit")
        await type_text(pilot, "B-5")  # the next kit's first part, typed meanwhile
        await pilot.press("enter")
        await settle(pilot)
        assert {Unit.get(Unit.serial == s).state for s in ("D-100", "B-1", "B-4")} == {"in_kit"}
        assert screen.progress.serials == ["B-5"]  # the held scan came after, into the next
        assert screen.query_one("#kits", DataTable).row_count == 1
    off_the_ui_thread(threads)


async def test_a_branch_is_added_off_the_ui_thread(counter, slow):
    threads = slow(settings, "add_branch")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "mia")
        await settle(pilot)
        await open_entry(pilot, "branches")
        assert isinstance(app.screen, BranchesScreen)
        await fill(pilot, code="PARK", name="Park Lane", address="3 Park Lane")
        await pilot.press("f9")
        await while_saving(pilot, "Adding the branch")
        assert "Adding the branch…" in bar(app)
        await settle(pilot)
        assert "Added branch PARK" in message(app)
        assert Branch.get(Branch.code == "PARK").name == "Park Lane"
        assert app.screen.query_one("#code", Input).value == ""
    off_the_ui_thread(threads)


async def test_the_passport_writes_off_off_the_ui_thread(counter, slow):
    from app.services.stock import adjustments

    threads = slow(adjustments, "adjust")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "mia")
        await settle(pilot)
        app.push_screen(PassportScreen(IMEIS[4]))
        await pilot.pause()
        await pilot.press("ctrl+w")
        await type_text(pilot, "dropped")
        await pilot.press("enter")
        await while_saving(pilot, "Writing off")
        await settle(pilot)
        assert Unit.get(Unit.serial == IMEIS[4]).state == "written_off"
        assert "written off" in message(app)
    off_the_ui_thread(threads)


async def test_a_product_type_is_added_off_the_ui_thread(counter, slow):
    from app.services.shop import products

    threads = slow(products, "new_product_type")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in_now(pilot, "mia")
        await settle(pilot)
        await open_entry(pilot, "products")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "Bicycles")
        await pilot.press("enter")
        dialog = app.screen
        dialog.query_one("#type-mode").value = "warranty"
        dialog.query_one("#type-months", Input).value = "24"
        await pilot.press("f10")
        await pilot.pause(0.2)
        assert "Adding the type…" in str(dialog.query_one("#type-problem").render())
        await settle(pilot)
        assert "Bicycles" in products.product_type_names()
        assert "Added product type Bicycles" in message(app)
    off_the_ui_thread(threads)
