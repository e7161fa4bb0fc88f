"""A long receipt: the list shows the latest scans only, while the receipt keeps every scan,
its counts and its duplicate check (kept as scans come and go, not recounted each scan)."""

from __future__ import annotations

from textual.widgets import DataTable

import screens.receipt
from db.models import Unit
from screens.receipt import ReceiptScreen
from tests.conftest import make_imei
from tests.tui.conftest import log_in, make_app, settle

SIZE = (80, 24)


async def _receipt_of(pilot, serials: list[str]) -> ReceiptScreen:
    """The receipt screen, as ivy, with ``serials`` of PH-X1 from PhoneCo scanned."""
    await log_in(pilot, "ivy")
    await pilot.press("f2")
    screen = pilot.app.screen
    assert isinstance(screen, ReceiptScreen)
    screen.query_one("#supplier").value = "PhoneCo"
    screen.choose_product("PH-X1")
    for raw in serials:
        screen.scan(raw)
    await pilot.pause()
    return screen


def counts(screen) -> str:
    return str(screen.query_one("#counts").render())


async def test_a_long_receipt_shows_the_latest_scans_and_keeps_them_all(counter, monkeypatch):
    monkeypatch.setattr(screens.receipt, "SHOWN_SCANS", 4)
    app = make_app(counter)
    serials = [make_imei(n, tac="35209900") for n in range(1, 8)]
    async with app.run_test(size=SIZE) as pilot:
        screen = await _receipt_of(pilot, serials)
        table = screen.query_one(DataTable)
        assert table.row_count == 4 and len(screen.rows) == 7
        assert "Serials ok: 7" in counts(screen) and "list shows the last 4" in counts(screen)
        # The first scan left the list, not the receipt: scanned again, it is refused.
        screen.scan(serials[0])
        assert not screen.rows[-1].ok and "already on this receipt" in screen.rows[-1].reason
        assert "Serials ok: 7 · refused: 1" in counts(screen)
        # Removing a shown scan takes it off the receipt: counted out, and it may come again.
        table.focus()
        table.move_cursor(row=table.row_count - 2)  # the last good scan, serials[6]
        await pilot.press("ctrl+d")
        assert "Serials ok: 6 · refused: 2" in counts(screen)
        screen.scan(serials[6])
        assert screen.rows[-1].ok
        before = Unit.select().count()
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert Unit.select().count() == before + 7
        assert screen.rows == [] and screen.pending == set() and (screen.good, screen.bad) == (0, 0)


async def test_a_serial_the_list_no_longer_shows_is_removed_by_scanning_it(counter, monkeypatch):
    monkeypatch.setattr(screens.receipt, "SHOWN_SCANS", 3)
    app = make_app(counter)
    serials = [make_imei(n, tac="35209900") for n in range(1, 7)]
    async with app.run_test(size=SIZE) as pilot:
        screen = await _receipt_of(pilot, serials)
        assert "Serials ok: 6" in counts(screen) and "Ctrl+R" in counts(screen)
        for typed, said in [("35209900000000", "is not on this receipt"), ("", "")]:
            await pilot.press("ctrl+r")
            await pilot.pause()
            for key in typed:
                await pilot.press(key)
            await pilot.press("enter")
            await pilot.pause()
            assert said in str(screen.message.render())
        await pilot.press("ctrl+r")
        await pilot.press("escape")  # nothing removed
        assert "Serials ok: 6" in counts(screen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        for key in f"  {serials[0]} ":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.rows[0].reason == "removed" and serials[0] not in screen.pending
        assert "Serials ok: 5 · refused: 1" in counts(screen)
        assert "removed from this receipt" in str(screen.message.render())
        screen.scan(serials[0])  # off the receipt: it may come again
        assert screen.rows[-1].ok and "Serials ok: 6" in counts(screen)
        before = Unit.select().count()
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert Unit.select().count() == before + 6
