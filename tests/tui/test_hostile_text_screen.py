"""Old data with control characters and markup in it: the passport screen shows it
literally, neither obeying an ESC nor reading ``[red]`` or ``[link=...]`` as markup."""

from __future__ import annotations

from db.models import Customer, Unit, UnitEvent
from screens.passport import PassportScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, type_text

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
