"""The Textual app: one seat. Login, global keys, and one screen stack per workflow.

Each workflow (checkout, receipt, ...) is a Textual mode with its own stack, so
a half-built cart survives a look at a passport or at the stock.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from importlib import import_module
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input

from app.config import SeatConfig
from app.messages import DevicesChanged, LoggedIn, OpenPassport, ScanArrived
from app.seat_devices import SeatDevices, WedgeRouter
from app.services.access.context import Context, utc_now
from app.startup_mark import mark_when_ready, when_drawn
from devices.events import UnreadableScan
from screens.login import LoginScreen
from screens.registry import ENTRIES
from screens.widgets.keys import ScreenKeys
from screens.widgets.seatbar import SeatBar
from screens.widgets.stylesheet import KeptStylesheet

# The mode whose only screen is the login: where the seat starts and where logging out leads.
LOGIN = "login"


class SerialDeskApp(App):
    TITLE = "SerialDesk"
    # The seat starts in the login mode itself, not switched to it from Textual's default
    # screen: one stylesheet refresh fewer before the first screen.
    DEFAULT_MODE = LOGIN
    CSS_PATH = Path(__file__).resolve().parent.parent / "screens" / "serialdesk.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        *[
            Binding(
                e.key,
                f"open('{e.mode}')",
                e.label,
                priority=True,
                show=False,
                id=f"screen.{e.mode}",
            )
            for e in ENTRIES
        ],
        Binding("f6", "lookup", "Passport", priority=True, show=False, id="passport"),
        Binding("f1", "toggle_help", "Keys", priority=True, id="help"),
        Binding("f12", "lock", "Lock", priority=True, show=False, id="lock"),
    ]

    def __init__(
        self, config: SeatConfig | None = None, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__()
        # Textual's stylesheet reparses every source at each refresh of the CSS; this one
        # keeps what it parsed while the variables stay the same.
        self.stylesheet = KeptStylesheet(variables=self.stylesheet._variables)
        self.config = config or SeatConfig()
        self.seat_name = self.config.seat
        self.branch_code = self.config.branch
        self.clock = clock
        self.ctx: Context | None = None
        self.devices = SeatDevices(self, self.config)
        self.wedge = WedgeRouter(self, self.config)
        self.open_screens: set[Screen] = set()  # counter screens, each saying if it holds work
        self.asking_to_quit = False
        self.crash_message = ""
        # The first screen is styled by a full refresh, which also brings in the theme's
        # variables: only the screens opened later skip it (``_styled``).
        self.add_mode(LOGIN, LoginScreen)

    def _styled(self, build: Callable[[], Screen]) -> Callable[[], Screen]:
        """``build`` for a mode, its new screen marked as styled by the stylesheet as it is:
        it is styled as it mounts. Unmarked, Textual reparses every stylesheet and restyles
        every screen on the first visit to each mode: 20 to 60 ms before the screen shows."""

        def screen() -> Screen:
            built = build()
            built._css_update_count = self._css_update_count
            return built

        return screen

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for entry in ENTRIES:
            self.add_mode(entry.mode, self._styled(entry.build))
        mark_when_ready(self, "login", LoginScreen)
        # The warm-up and the print queue's first pass wait for the login screen's frame
        # with its field focused: a thread importing while it is drawn would take the
        # interpreter from it (40-70 ms here). Scans are taken from the start.
        when_drawn(self, self._after_first_frame, LoginScreen, give_up_after=2.0, every=0.02)
        self.devices.start_scanner()
        self.last_activity = time.monotonic()
        self.set_interval(15, self.lock_if_idle)  # always: the seat settings may switch it on
        self.screen_change_signal.subscribe(self, self._forget_removed_footer_keys)

    def _after_first_frame(self) -> None:
        self._warm_up()
        self.devices.start_printer()

    @staticmethod
    def _warm_up() -> None:
        """With the login screen drawn, load what comes after it (the home screen, a
        passport) in a thread while the person types: the first screen does not wait for
        them, and logging in does not either."""

        def load() -> None:
            for module in (
                "screens.home",
                "screens.passport",
                "screens.modals.scan_lookup",
                "stdnum.ean",  # the first scan's checks (app.domain.serials, meid)
                "stdnum.meid",
            ):
                try:
                    import_module(module)
                except Exception:  # imported again where used, and any error shown there
                    return

        threading.Thread(target=load, name="warm-up", daemon=True).start()

    def _forget_removed_footer_keys(self, _screen: Screen) -> None:
        """A Footer rebuilds its keys at every change of screen, and Textual keeps each old
        key (with its styles and caches) in the Footer's list of watchers until its
        ``compact`` changes, which is never: a seat grew ~80 KB a passport, 40 MB a day
        (Textual issue #6666). Removed keys are dropped from that list here."""
        for screen in self.screen_stack:
            for footer in screen.query(Footer):
                for watchers in getattr(footer, "__watchers", {}).values():
                    watchers[:] = [(node, call) for node, call in watchers if node.is_attached]

    def lock_if_idle(self) -> None:
        """An unattended seat locks itself; the same person unlocks it with their PIN."""
        minutes = self.config.idle_lock_minutes
        if minutes > 0 and time.monotonic() - self.last_activity >= minutes * 60:
            self.action_lock()

    def set_idle_lock(self, minutes: int) -> None:
        """Lock after ``minutes`` idle from now on (0 never): the seat settings saved it."""
        self.config = replace(self.config, idle_lock_minutes=minutes)

    def on_unmount(self) -> None:
        self.devices.close()

    # --- scanners and printer ---------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste | events.MouseDown):
            self.last_activity = time.monotonic()
        # Keys reach the app before the focused widget: a wedge scanner's burst is caught here.
        if self.wedge.active and isinstance(event, events.Key) and not event.is_forwarded:
            await self.wedge.on_key(event, super().on_event)
            return
        if self.wedge.active and isinstance(event, events.Paste):
            await self.wedge.on_paste(super().on_event)
        await super().on_event(event)

    async def on_scan_arrived(self, message: ScanArrived) -> None:
        """A scan goes to the focused field as if typed and confirmed; elsewhere, to a passport."""
        scan = message.scan
        if isinstance(scan, UnreadableScan):
            self.bell()
            self.notify(scan.message, severity="error", markup=False)
            return
        focused = self.focused
        if isinstance(focused, Input):
            focused.value = scan.code
            await focused.action_submit()
        elif self._seat_ready():
            from screens.passport import PassportScreen

            self.push_screen(PassportScreen(scan.code))

    def on_devices_changed(self, message: DevicesChanged) -> None:
        for bar in self.screen.query(SeatBar):
            bar.refresh()

    def kick_printer(self) -> None:
        self.devices.kick_printer()
        for bar in self.screen.query(SeatBar):
            bar.refresh()

    # --- login and lock ---------------------------------------------------

    def on_logged_in(self, message: LoggedIn) -> None:
        unlocking = self.ctx is not None
        self.ctx = message.ctx
        if unlocking:
            self.pop_screen()
            return
        self.switch_mode("home")
        self._reset_modes({LOGIN: LoginScreen})  # the next log-out finds an empty login
        mark_when_ready(self, "home")

    def log_out(self) -> None:
        """A new person takes the seat: every open cart and form is discarded, and the
        login screen waits for anyone (from the lock screen, Esc)."""
        self.ctx = None
        self.switch_mode(LOGIN)
        self._reset_modes({entry.mode: entry.build for entry in ENTRIES})

    def _reset_modes(self, modes: dict[str, Callable[[], Screen]]) -> None:
        for mode, build in modes.items():
            self.remove_mode(mode)  # its screens go, with whatever they held
            self.add_mode(mode, self._styled(build))

    def action_lock(self) -> None:
        if self.ctx is None or isinstance(self.screen, LoginScreen):
            return
        self.push_screen(LoginScreen(locked_login=self._login_of(self.ctx)))

    @staticmethod
    def _login_of(ctx: Context) -> str:
        from db.models import Employee

        return Employee.get_by_id(ctx.employee_id).login

    # --- navigation -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Before login, while locked, and in a dialog (whose own keys win) the screen keys are off.
        if action in ("open", "lookup", "lock") and (
            not self._seat_ready() or isinstance(self.screen, ModalScreen)
        ):
            return False
        return True

    def _seat_ready(self) -> bool:
        return self.ctx is not None and not isinstance(self.screen, LoginScreen)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        # A counter screen's own key pressed while it saves waits its turn, in order with
        # the scans: after the save, not lost, and never acting on work half saved.
        screen = default_namespace
        base = sys.modules.get("screens.base")  # loaded with the first counter screen
        held = base is not None and isinstance(screen, base.CounterScreen)
        held = held and isinstance(action, str)
        if held and screen.hold_key(action):
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def action_open(self, mode: str) -> None:
        if self._seat_ready():
            self.switch_mode(mode)

    def go_home(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.switch_mode("home")

    def action_lookup(self) -> None:
        if not self._seat_ready():
            return
        from screens.modals.scan_lookup import ScanLookup
        from screens.passport import PassportScreen

        def show(serial: str | None) -> None:
            if serial:
                self.push_screen(PassportScreen(serial))

        self.push_screen(ScanLookup(), show)

    def on_open_passport(self, message: OpenPassport) -> None:
        from screens.passport import PassportScreen

        self.push_screen(PassportScreen(message.serial))

    def action_toggle_help(self) -> None:
        if self.screen.query(ScreenKeys):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        """This screen's keys and the seat's, not the focused field's editing keys."""
        if not self.screen.query(ScreenKeys):
            self.screen.mount(ScreenKeys(id="keys"))

    def action_hide_help_panel(self) -> None:
        self.screen.query(ScreenKeys).remove()

    # --- quitting and crashing ----------------------------------------------------

    def unsaved_work(self) -> list[str]:
        """The screens holding work nobody has saved yet (a cart, scanned lines...)."""
        return sorted(
            {s.work_label() for s in self.open_screens if s.is_attached and s.unsaved_work()}
        )

    async def action_quit(self) -> None:
        """Ctrl+Q: quits at once, unless a cart or form would be lost; then asks (Enter stays)."""
        held = self.unsaved_work()
        if not held:
            self.exit()
            return
        if self.asking_to_quit:
            return

        def answered(quit_anyway: bool | None) -> None:
            self.asking_to_quit = False
            if quit_anyway:
                self.exit()

        from screens.modals.confirm import Confirm

        self.asking_to_quit = True
        question = "Quit SerialDesk and lose the work not saved?"
        detail = f"Not saved: {', '.join(held)}."
        self.push_screen(Confirm(question, detail, destructive=True), answered)

    def record_crash(self, error: BaseException, what: str) -> str:
        """A screen's work failed by a bug, and the seat goes on: the traceback goes to the
        log; returns the one line saying where, for the screen to show."""
        from app import crash_log  # loaded when something went wrong, not at every start

        path = crash_log.record(error, f"serialdesk (counter screens): {what}")
        return crash_log.one_line(error, path).removeprefix("serialdesk: ")

    def _handle_exception(self, error: Exception) -> None:
        # Textual's one hook for an unhandled error (it then exits): the traceback goes to
        # the log file, and the person reads one line saying where, not a screen of code.
        from app import crash_log

        path = crash_log.record(error, "serialdesk (counter screens)")
        if not self.crash_message:
            self.crash_message = crash_log.one_line(error, path)
        super()._handle_exception(error)
        self._exit_renderables.clear()  # the command prints crash_message once the app is gone

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self._seat_ready():
            return
        for e in ENTRIES:
            yield SystemCommand(
                f"{e.label} ({e.key.upper()})",
                f"Open {e.label.lower()}",
                lambda m=e.mode: self.action_open(m),
            )
        yield SystemCommand(
            "Passport (F6)", "Scan a serial and see its passport", self.action_lookup
        )
