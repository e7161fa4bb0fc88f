"""The back-office screens driven with the keyboard: transfers, stocktake, adjustments,
supplier returns and reports, each with its refusals."""

from __future__ import annotations

from textual.widgets import DataTable, Select

from app.config import SeatConfig
from app.tui import SerialDeskApp
from db.models import Document, Unit, UnitEvent
from screens.adjustments import AdjustmentsScreen
from screens.backoffice import BackOfficeScreen
from screens.modals.approval import ManagerApproval
from screens.reports import ReportsScreen
from screens.stocktake import StocktakeScreen
from screens.supplier_returns import SupplierReturnsScreen
from screens.transfers import TransfersScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


def state(serial: str) -> str:
    return Unit.get(Unit.serial == serial).state


async def open_back_office(pilot, entry: int) -> None:
    await pilot.press("f11")
    assert isinstance(pilot.app.screen, BackOfficeScreen)
    await pilot.press(*["down"] * entry, "enter")
    await settle(pilot)


async def enter(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def focus(pilot, selector: str, value: str | None = None) -> None:
    field = pilot.app.screen.query_one(selector)
    if value is not None:
        field.value = value
    field.focus()
    await pilot.pause()


async def approve(pilot, login: str = "mia", pin: str = "1234") -> None:
    assert isinstance(pilot.app.screen, ManagerApproval)
    await enter(pilot, login)
    await enter(pilot, pin)


async def test_settings_are_for_a_manager_only(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 5)
        assert isinstance(app.screen, BackOfficeScreen)
        assert "for a manager only" in message(app)


async def test_a_first_letter_walks_the_menu_entries_starting_with_it(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await pilot.press("f11")
        menu = app.screen.query_one("#menu")
        seen = []
        for _ in range(4):
            await pilot.press("s")
            seen.append(str(menu.get_option_at_index(menu.highlighted).id))
        assert seen == ["stocktake", "supplier_returns", "settings", "stocktake"]
        await pilot.press("k", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "KitsScreen"


async def test_transfer_out_and_in_at_the_other_branch(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 0)
        screen = app.screen
        assert isinstance(screen, TransfersScreen)
        await enter(pilot, "B")
        for serial in (IMEIS[1], IMEIS[1], IMEIS[0]):
            await enter(pilot, serial)
        assert screen.outgoing == [IMEIS[1], IMEIS[0]]
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "was sold on" in message(app)  # IMEIS[0] is Bob's: nothing was sent
        assert state(IMEIS[1]) == "in_stock"
        screen.query_one("#scans", DataTable).move_cursor(row=1)
        await pilot.press("ctrl+d", "f10", "y")
        await settle(pilot)
        assert "Sent T-" in message(app)
        assert state(IMEIS[1]) == "in_transit"
        assert screen.query_one("#open", DataTable).row_count == 1
        number = Document.get(Document.kind == "transfer").id
        # scanning it in here, at the sending branch, is refused
        await focus(pilot, "#number")
        await enter(pilot, f"T-{number}")
        await enter(pilot, IMEIS[1])
        assert "goes to Harbour, not here" in message(app)

    app_b = SerialDeskApp(SeatConfig(seat="Harbour 1", branch="B"), clock=counter.clock)
    async with app_b.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ian")
        await open_back_office(pilot, 0)
        await focus(pilot, "#number")
        await enter(pilot, f"T-{number}")
        await enter(pilot, IMEIS[2])
        assert f"{IMEIS[2]} is not on T-{number}" in message(app_b)
        await enter(pilot, IMEIS[1])
        assert "complete" in message(app_b)
        assert state(IMEIS[1]) == "in_stock"
        assert app_b.screen.query_one("#open", DataTable).row_count == 0


async def test_stocktake_tally_problems_and_write_off_with_approval(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 1)
        screen = app.screen
        assert isinstance(screen, StocktakeScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert screen.number and screen.number.startswith("ST-")
        for serial in (IMEIS[1], IMEIS[2], "D-100", "ZZ-999", IMEIS[0]):
            await enter(pilot, serial)
        assert "not in stock" in message(app)
        tally = str(screen.query_one("#tally").render())
        assert "counted 3 of 7" in tally and "missing 4" in tally and "problems 2" in tally
        await pilot.press("f10")
        await settle(pilot)
        assert "cannot close" in message(app)
        await pilot.press("ctrl+d", "ctrl+d")  # take both problem scans off
        await settle(pilot)
        assert "problems 0" in str(screen.query_one("#tally").render())
        await pilot.press("f10", "y")
        await settle(pilot)
        await approve(pilot)
        assert "closed: 3 counted, 4 missing (written off)" in message(app)
        assert state(IMEIS[3]) == "written_off" and state("D-101") == "written_off"
        assert state(IMEIS[1]) == "in_stock"


async def test_write_off_asks_a_manager_and_refuses_a_sold_unit(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 2)
        screen = app.screen
        assert isinstance(screen, AdjustmentsScreen)
        await enter(pilot, "dropped on the floor")
        await enter(pilot, IMEIS[0])
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "needs a manager's approval" in message(app)
        await pilot.press("f10")
        await settle(pilot)
        await approve(pilot)
        assert "is sold; 'write off' cannot" in message(app)
        assert state(IMEIS[0]) == "sold"
        await pilot.press("ctrl+d")
        await enter(pilot, IMEIS[1])
        await pilot.press("f10")
        await settle(pilot)
        await approve(pilot)
        assert "Saved ADJ-" in message(app)
        assert state(IMEIS[1]) == "written_off"
        event = UnitEvent.select().order_by(UnitEvent.id.desc()).first()
        assert event.event == "write_off" and event.approved_by.login == "mia"


async def test_quarantine_needs_no_approval(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 2)
        app.screen.query_one("#kind", Select).value = "quarantine"
        await enter(pilot, "screen cracked in box")
        await enter(pilot, "D-100")
        await pilot.press("f10")
        await settle(pilot)
        assert "Saved ADJ-" in message(app)
        assert state("D-100") == "quarantine"


async def test_supplier_return(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 3)
        assert isinstance(app.screen, SupplierReturnsScreen)
        for text in ("Nobody", "RMA-9", "faulty", IMEIS[2]):
            await enter(pilot, text)
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "No supplier named 'Nobody'" in message(app)
        await focus(pilot, "#supplier", "")
        await enter(pilot, "PhoneCo")
        await focus(pilot, "#serial")
        await enter(pilot, IMEIS[0])
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "only units in stock" in message(app)  # IMEIS[0] is sold
        app.screen.query_one("#scans", DataTable).move_cursor(row=1)
        await pilot.press("ctrl+d", "f10", "y")  # without IMEIS[0], the second row
        await settle(pilot)
        assert "back to PhoneCo" in message(app)
        assert state(IMEIS[2]) == "returned_to_supplier"


async def test_reports_run_in_a_worker_and_export_csv(counter, tmp_path):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_back_office(pilot, 4)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("f9")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert table.row_count == 2  # the phone and the case sold to Bob
        assert "Sales: 2 row(s)" in str(screen.query_one("#status").render())
        target = tmp_path / "sales.csv"
        await pilot.press("f10")
        await settle(pilot)
        app.focused.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Exported 2 row(s)" in message(app)
        assert target.read_text().splitlines()[0].startswith("date,sale,branch")
        screen.query_one("#report", Select).value = "where"
        await focus(pilot, "#serial")
        await enter(pilot, "ZZ-404")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "ZZ-404 is not known" in message(app)
        await focus(pilot, "#serial", "")
        await focus(pilot, "#date_from")
        await enter(pilot, "31/01")
        assert "Dates are written" in message(app)


async def test_settings_preview_type_pin_and_mode_rule(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_back_office(pilot, 5)
        screen = app.screen
        await enter(pilot, "Phones")
        assert screen.query_one("#months").value == "24"
        template = screen.query_one("#template")
        template.text = "{{ product }} / {{ serial }}"
        await pilot.pause()
        assert "Phone X1 128GB / 356938030000013" in str(screen.query_one("#preview").render())
        template.text = "{{ nope }}"
        await pilot.pause()
        assert "cannot be used" in str(screen.query_one("#preview").render())
        await pilot.press("f10")
        await settle(pilot)
        assert "cannot be used" in message(app)
        template.text = "{{ product }}"
        await pilot.press("f10")
        await settle(pilot)
        assert "Saved product type Phones" in message(app)
        await focus(pilot, "#login", "cal")
        await focus(pilot, "#pin", "5678")
        await pilot.press("f9")
        await settle(pilot)
        assert "Saved cal" in message(app)
        screen.query_one("#mode", Select).value = "none"
        await focus(pilot, "#sku")
        await enter(pilot, "PH-X1")
        assert "cannot stop tracking serials" in message(app)
