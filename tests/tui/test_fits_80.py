"""At 80x24 in 16 colours: the passport's Note and the stock list's last column are read
whole (fixed widths that fit the screen, a long note wrapped in its row rather than cut at
the edge), and every kind of field shows it has focus by a shape, not only a shade."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, OptionList, Select

from db.models import Unit, UnitEvent
from screens.passport import PassportScreen
from screens.stock import StockScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, settle, type_text

SIZE = (80, 24)
NOTE = "screen cracked in the top left corner, customer says it was dropped at the till"


def fits(table: DataTable) -> None:
    width = sum(column.get_render_width(table) for column in table.ordered_columns)
    assert width + 1 + 2 <= SIZE[0]  # the focus marker and the scroll bar besides


def drawn(table: DataTable) -> str:
    lines = table.render_lines(table.region.reset_offset)
    return " ".join("".join(seg.text for seg in strip) for strip in lines)


async def test_a_long_passport_note_is_wrapped_whole_at_80_columns(counter):
    unit = Unit.get(Unit.serial == IMEIS[0])
    UnitEvent.create(unit=unit.id, event="note", employee=1, branch=1, to_state="sold", note=NOTE)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        app.push_screen(PassportScreen(IMEIS[0]))
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        fits(table)
        words = " ".join(drawn(table).split())
        assert all(word in words for word in NOTE.split())
        assert "…" not in words


async def test_the_stock_list_shows_its_last_column_at_80_columns(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, StockScreen)
        table = app.screen.query_one(DataTable)
        table.focus()
        await pilot.pause()
        fits(table)
        assert "Since" in drawn(table)
        since = str(table.get_row_at(0)[-1])
        assert len(since) == 10 and since in drawn(table)  # the whole date


async def test_selects_checkboxes_and_lists_are_marked_by_a_shape_when_focused(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f11")
        await pilot.pause()
        assert app.screen.query_one(OptionList).styles.border_top[0] == "heavy"
        await pilot.press("escape", "f4")
        await pilot.pause()
        for select in app.screen.query(Select):
            select.focus()
            await pilot.pause()
            assert select.styles.border_left[0] == "outer", select.id
        await pilot.press("f5")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        damage = app.screen.query_one(Checkbox)
        assert damage.styles.border_left[0] == "blank"
        damage.focus()
        await pilot.pause()
        assert damage.styles.border_left[0] == "outer"
