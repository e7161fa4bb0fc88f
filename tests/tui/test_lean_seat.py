"""A quick seat: the screens a mode opens are not restyled from scratch, what comes after
the login screen loads while the person types, and the bench's ready marks are honest."""

from __future__ import annotations

from app.startup_mark import mark_when_ready
from screens.home import HomeScreen
from tests.tui.conftest import log_in, make_app, settle

SIZE = (80, 24)


async def test_opening_a_screen_does_not_reparse_every_stylesheet(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        refreshed = []
        original = app.refresh_css
        app.refresh_css = lambda *a, **k: (refreshed.append(1), original(*a, **k))
        await log_in(pilot, "cal")
        await pilot.press("f2")  # the receipt: a mode visited for the first time
        await settle(pilot)
        assert type(app.screen).__name__ == "ReceiptScreen"
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert refreshed == []
        # and the screens are styled all the same: the home screen's field is docked
        assert app.screen.query_one("#serial").region.width > 0


async def test_the_bench_marks_are_written_when_each_screen_is_ready(
    counter, tmp_path, monkeypatch
):
    mark = tmp_path / "mark"
    monkeypatch.setenv("SERIALDESK_STARTUP_MARK", str(mark))
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert [line.split()[0] for line in mark.read_text().splitlines()] == ["login"]
        await log_in(pilot, "cal")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is app.screen.query_one("#serial")
        names = [line.split()[0] for line in mark.read_text().splitlines()]
        assert names == ["login", "home"]
        login, home = (float(line.split()[1]) for line in mark.read_text().splitlines())
        assert login <= home


def test_no_mark_is_scheduled_on_a_real_seat(monkeypatch):
    monkeypatch.delenv("SERIALDESK_STARTUP_MARK", raising=False)

    class NotToBeTouched:
        def __getattr__(self, name):
            raise AssertionError(f"the app was asked for {name}")

    mark_when_ready(NotToBeTouched(), "login")


async def test_what_comes_after_the_login_screen_loads_while_it_waits(counter, monkeypatch):
    loaded = []
    seen_at_start = []

    def load(module: str) -> None:
        if not loaded:  # the warm-up starts once the login screen is drawn, its field focused
            seen_at_start.append((type(app.screen).__name__, type(app.focused).__name__))
        loaded.append(module)

    monkeypatch.setattr("app.tui.import_module", load)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):  # the warm-up thread, started once the login screen is drawn
            if len(loaded) == 5:
                break
            await pilot.pause(0.01)
        assert loaded == [
            "screens.home",
            "screens.passport",
            "screens.modals.scan_lookup",
            "stdnum.ean",
            "stdnum.meid",
        ]
        assert type(app.screen).__name__ == "LoginScreen"
        assert seen_at_start == [("LoginScreen", "Input")]


async def test_what_waits_for_a_drawn_field_goes_ahead_without_one_when_told():
    from textual.app import App
    from textual.widgets import Static

    from app.startup_mark import when_drawn

    called = []

    class NoField(App):
        def compose(self):
            yield Static("no field here")

        def on_mount(self) -> None:
            when_drawn(self, lambda: called.append("late"), give_up_after=0.05)
            when_drawn(self, lambda: called.append("never"))

    app = NoField()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if called:
                break
            await pilot.pause(0.01)
        await pilot.pause(0.05)
        assert called == ["late"]


async def test_passports_looked_up_one_after_another_leave_no_footer_keys_behind(counter):
    from textual.widgets import Footer

    from screens.passport import PassportScreen
    from tests.conftest import IMEIS
    from tests.tui.conftest import type_text

    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        for serial in IMEIS[:6] * 2:
            await pilot.press("f6")
            await type_text(pilot, serial)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PassportScreen)
            await pilot.press("escape")
            await settle(pilot)
        footer = app.screen.query_one(Footer)
        watched = [node for w in getattr(footer, "__watchers").values() for node, _ in w]
        # the keys on screen, and at most the set the last change of screen replaced
        assert len(watched) <= 2 * len(footer.children) + 8
        assert sum(not node.is_attached for node in watched) <= len(footer.children) + 4


async def test_the_print_queue_starts_once_the_login_screen_is_drawn(
    counter, monkeypatch, tmp_path
):
    """Its first pass loads the print service and reads the queue: not while the first
    screen is drawn (the bench's mark of the drawn login frame is written first)."""
    from devices.config import PrinterConfig, ScannerConfig
    from devices.print_queue import PrintQueueWorker
    from tests.tui.test_devices_in_app import app_with

    seen = []
    real = PrintQueueWorker.start

    def start(worker) -> None:
        drawn = mark.exists() and mark.read_text().startswith("login ")
        seen.append((type(app.screen).__name__, type(app.focused).__name__, drawn))
        real(worker)

    mark = tmp_path / "mark"
    monkeypatch.setenv("SERIALDESK_STARTUP_MARK", str(mark))

    monkeypatch.setattr(PrintQueueWorker, "start", start)
    printer = PrinterConfig(kind="network", host="127.0.0.1", tcp_port=9, timeout=1)
    app = app_with(counter, scanner=ScannerConfig(source="none"), printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if seen:
                break
            await pilot.pause(0.01)
        assert seen == [("LoginScreen", "Input", True)]
        await log_in(pilot, "cal")
        await pilot.press("f12")  # locked and back: the worker is not started again
        await settle(pilot)
        assert len(seen) == 1
