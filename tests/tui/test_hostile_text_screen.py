"""Old data with control characters and markup in it: every screen shows it literally,
neither obeying an ESC nor reading ``[red]``, ``[link=...]`` or a stray ``[/]`` as markup."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from db.models import Branch, Customer, Employee, Product, Supplier, Unit, UnitEvent
from screens.modals.card_preview import CardPreview
from screens.modals.confirm import Confirm
from screens.passport import PassportScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text
from tests.tui.test_settings_screens import open_entry

NOTE = "\x1b[2J[red]wiped[/red] [link=https://evil.example]click[/link]\x9b"
NAME = "[b]Bold[/b] Bob\x1b[31m"


async def test_the_passport_shows_a_hostile_stored_note_and_name_literally(counter):
    unit = Unit.get(Unit.serial == IMEIS[0])
    # Written behind the services' back, as old data could hold it.
    UnitEvent.create(unit=unit.id, event="sale", employee=1, branch=1, to_state="sold", note=NOTE)
    Customer.update(name=NAME).where(Customer.id == unit.customer_id).execute()
    app = make_app(counter)
    async with app.run_test(size=(120, 30)) as pilot:
        await log_in(pilot)
        app.push_screen(PassportScreen(IMEIS[0]))
        await pilot.pause(0.3)
        screen = app.screen
        header = str(screen.query_one("#passport-header").render())
        assert "[b]Bold[/b] Bob\u241b[31m" in header
        table = screen.query_one("DataTable")
        cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        shown = "\u241b[2J[red]wiped[/red] [link=https://evil.example]click[/link]\\x9b"
        assert shown in cells
        assert not any(ch in "".join(cells) + header for ch in "\x1b\x9b")


async def test_the_returns_screen_shows_a_hostile_customer_name_literally(counter):
    unit = Unit.get(Unit.serial == IMEIS[0])
    Customer.update(name="[red]x[/red]").where(Customer.id == unit.customer_id).execute()
    app = make_app(counter)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("f4")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await pilot.pause(0.3)
        header = str(app.screen.query_one("#sale").render())
        assert "[red]x[/red]" in header


# A stray closing tag first: read as markup, Rich raises MarkupError and the seat crashes.
HOSTILE = "[/][b]x[/b]"


def screen_text(app) -> str:
    """Everything the screen shows in its text widgets and tables, as drawn."""
    shown = []
    for widget in app.screen.query("*"):
        if isinstance(widget, DataTable):
            shown += [str(c) for r in range(widget.row_count) for c in widget.get_row_at(r)]
            shown += [str(c.label) for c in widget.ordered_columns]
        elif isinstance(widget, Static):
            shown.append(str(widget.render()))
    return "\n".join(shown)


@pytest.fixture
def hostile(counter):
    """Every stored name the screens show holds markup, written behind the services' back."""
    unit = Unit.get(Unit.serial == IMEIS[0])
    UnitEvent.create(
        unit=unit.id, event="sale", employee=1, branch=1, to_state="sold", note=HOSTILE
    )
    for model in (Customer, Product, Supplier, Branch):
        for row in model.select():
            model.update(name=HOSTILE + row.name).where(model.id == row.id).execute()
    Employee.update(name=HOSTILE).where(Employee.login == "cal").execute()
    return counter


async def scan(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def visit_checkout(pilot):
    await pilot.press("f3")
    await scan(pilot, IMEIS[1])
    await pilot.press("tab")
    await type_text(pilot, "7700")
    await pilot.pause()


async def visit_checkout_refusal(pilot):
    await pilot.press("f3")
    await scan(pilot, HOSTILE)  # a scan that is no serial: the refusal names it


async def visit_receipt(pilot):
    await pilot.press("f2")
    await pilot.pause()
    pilot.app.screen.query_one("#supplier").value = HOSTILE
    pilot.app.screen.query_one("#product").focus()
    await pilot.pause()
    await scan(pilot, "PH-X1")


async def visit_returns(pilot):
    await pilot.press("f4")
    await scan(pilot, IMEIS[0])


async def visit_stock(pilot):
    await pilot.press("f7")
    await settle(pilot)


async def visit_passport(pilot):
    pilot.app.push_screen(PassportScreen(IMEIS[0]))
    await settle(pilot)


async def visit_card_preview(pilot):
    await visit_passport(pilot)
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CardPreview)


async def visit_supplier_returns(pilot):
    await open_entry(pilot, "supplier_returns")
    await scan(pilot, HOSTILE)
    pilot.app.screen.query_one("#serial").focus()
    await pilot.pause()
    await scan(pilot, IMEIS[1])
    await pilot.press("f10")
    await settle(pilot)
    assert isinstance(pilot.app.screen, Confirm)  # "Send 1 unit(s) back to [/]…?"


async def visit_products(pilot):
    await open_entry(pilot, "products")


async def visit_employees(pilot):
    await open_entry(pilot, "employees")


async def visit_branches(pilot):
    await open_entry(pilot, "branches")


async def visit_suppliers(pilot):
    await open_entry(pilot, "suppliers")


async def visit_kits(pilot):
    await open_entry(pilot, "kits")
    await scan(pilot, "PH-X1")  # not a kit: the refusal names the product


async def visit_stocktake(pilot):
    await open_entry(pilot, "stocktake")


@pytest.mark.parametrize(
    "visit",
    [
        visit_checkout,
        visit_checkout_refusal,
        visit_receipt,
        visit_returns,
        visit_stock,
        visit_passport,
        visit_card_preview,
        visit_supplier_returns,
        visit_products,
        visit_employees,
        visit_branches,
        visit_suppliers,
        visit_kits,
    ],
    ids=lambda visit: visit.__name__.removeprefix("visit_"),
)
async def test_every_screen_shows_stored_markup_literally(hostile, visit):
    app = make_app(hostile)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "mia")
        await visit(pilot)
        await pilot.pause()
        assert app.is_running
        assert HOSTILE in screen_text(app) + message_or_blank(app)


def message_or_blank(app) -> str:
    return message(app) if app.screen.query("#message") else ""
