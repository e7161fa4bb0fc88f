"""The reports form: Days narrows a listing, a filter a report cannot take is said so, and
F10 says the full path of the CSV it wrote into the documents folder."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from app.services.counter.selling import SaleItem, sell
from screens.reports import ReportsScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app

SIZE = (80, 24)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def run_report(pilot) -> None:
    await pilot.press("f9")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_days_narrows_the_sales_and_an_odd_filter_is_named(counter, tmp_path):
    app = make_app(counter)  # the sale to Bob was ten days before the seat's today
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await pilot.press("f11", *["down"] * 4, "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert "Filters: every filter" in text(app, "#status")
        days = screen.query_one("#days", Input)
        days.value = "5"
        await run_report(pilot)
        assert screen.query_one(DataTable).row_count == 0
        days.value = "10"  # the last ten days, today counted: not ten days ago
        await run_report(pilot)
        assert screen.query_one(DataTable).row_count == 0
        days.value = "11"
        await run_report(pilot)
        assert screen.query_one(DataTable).row_count == 2
        screen.query_one("#report", Select).value = "stock-count"
        await pilot.pause()
        assert "Filters: Branch, Product, Supplier, Serial" in text(app, "#status")
        await run_report(pilot)
        assert "cannot be narrowed by Days" in text(app, "#message")
        days.value = ""
        screen.query_one("#report", Select).value = "sales"
        await pilot.press("f10")
        await pilot.pause()
        assert "Documents/serialdesk" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("enter")  # the name offered: report and time
        await app.workers.wait_for_complete()
        await pilot.pause()
        folder = tmp_path / "home" / "Documents" / "serialdesk"
        (written,) = folder.glob("sales-*.csv")
        assert f"Exported 2 row(s) to {written}." in text(app, "#message")


async def test_days_1_on_the_form_is_today_only(counter):
    sell(counter.cashier, [SaleItem(serial=IMEIS[2])])  # today
    counter.clock.advance(days=1)
    sell(counter.cashier, [SaleItem(serial=IMEIS[3])])  # the seat's today
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await pilot.press("f11", *["down"] * 4, "enter")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#days", Input).value = "1"
        await run_report(pilot)
        table = screen.query_one(DataTable)
        shown = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        assert IMEIS[3] in shown and IMEIS[2] not in shown  # not yesterday's
