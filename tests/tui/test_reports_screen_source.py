"""The reports screen reads the seat's reports database: it says how current a replica's
figures are, and says so plainly when the reports database cannot be reached."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from textual.widgets import DataTable

from app.services.reports import source
from db.reports_connection import Replay
from screens.reports import ReportsScreen
from tests.tui.conftest import log_in, make_app
from tests.tui.test_reports_screen import SIZE, run_report, text


async def open_reports(pilot) -> ReportsScreen:
    await log_in(pilot, "mia")
    await pilot.press("f11", *["down"] * 4, "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReportsScreen)
    return pilot.app.screen


async def test_a_replica_behind_is_said_on_the_screen(counter, monkeypatch):
    now = datetime.now(UTC)
    behind = Replay(True, False, True, now - timedelta(seconds=42), now)
    monkeypatch.setattr(source, "replay_of", lambda database: behind)
    app = make_app(counter)
    app.config = replace(app.config, reports_database=counter.url)  # a read-only copy
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await run_report(pilot)
        assert screen.query_one(DataTable).row_count == 2
        status = text(app, "#status")
        assert "Sales: 2 row(s)" in status and "the replica is 42 s behind" in status


async def test_an_unreachable_reports_database_is_said_on_the_screen(counter, tmp_path):
    app = make_app(counter)
    app.config = replace(app.config, reports_database=str(tmp_path / "replica.db"))
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await open_reports(pilot)
        await run_report(pilot)
        assert screen.query_one(DataTable).row_count == 0
        assert "cannot be reached" in text(app, "#message")
