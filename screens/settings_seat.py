"""This seat's settings (manager): name, branch, idle lock, scanner and printer, saved to
the seat's TOML file once the loader accepts them. A test card tries the printer as set."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from app.config import (
    PRINTER_KINDS,
    SCANNER_SOURCES,
    SeatSettings,
    config_path,
    load_config,
    seat_settings,
)
from app.domain.errors import DomainError
from app.seat_file import check_seat_settings, print_test_card, save_seat_settings
from app.services.shop import settings
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import plain

TEXT_FIELDS = [
    ("seat", "Seat", "seat name"),
    ("branch", "Branch", "code (blank: home branch)"),
    ("idle", "Idle lock", "minutes (0 never)"),
    ("scanner_port", "Port/USB", "serial port, or 04b8:0202"),
    ("prefix", "Prefix", "wedge scan prefix"),
    ("suffix", "Suffix", "wedge scan suffix"),
    ("target", "Target", "port, host:port, path, 04b8:0202"),
]
SAVED = (
    "Saved to {path}. The idle lock applies now; seat name, branch, scanner and printer "
    "when SerialDesk restarts."
)
RENAMED = (
    "Saved to {path}. The idle lock applies now, and the name {seat} with its waiting "
    "cards; branch, scanner and printer when SerialDesk restarts."
)


class SeatSettingsScreen(CounterScreen):
    TITLE = "Seat and devices"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "save", "Save", id="seat.save"),
        Binding("ctrl+t", "test_print", "Test print", id="seat.test_print", priority=True),
    ]

    class TestPrinted(Message):
        def __init__(self, result: str, error: str) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def compose(self) -> ComposeResult:
        self.path = config_path(self.app.config)
        fields = {key: (label, hint) for key, label, hint in TEXT_FIELDS}

        def text(key: str, **options):
            label, hint = fields[key]
            yield Label(label, classes="label")
            yield Input(placeholder=hint, id=key, compact=True, **options)

        yield self.seat_bar()
        yield Static(plain(f"File: {self.path}"), id="path", classes="hint")
        with Horizontal(classes="form-line"):
            yield from text("seat")
            yield from text("branch")
        with Horizontal(classes="form-line"):
            yield from text("idle", restrict=r"\d*")
        with Horizontal(classes="form-line"):
            yield Label("Scanner", classes="label")
            yield Select(
                [(s, s) for s in SCANNER_SOURCES], id="source", allow_blank=False, compact=True
            )
            yield from text("scanner_port")
        with Horizontal(classes="form-line"):
            yield from text("prefix")
            yield from text("suffix")
        with Horizontal(classes="form-line"):
            yield Label("Printer", classes="label")
            yield Select(
                [(k, k) for k in PRINTER_KINDS], id="kind", allow_blank=False, compact=True
            )
            yield from text("target")
        yield Static("F10 saves to the file · Ctrl+T prints a test card as set", classes="hint")
        yield ErrorLine(id="message")
        yield self.footer()

    def on_mount(self) -> None:
        config = self.app.config
        if self.path.exists():
            try:
                config = load_config(self.path)
            except DomainError as exc:
                self.message.fail(f"{exc.message} Showing this seat's running settings.")
        self.show(seat_settings(config))
        self.query_one("#seat", Input).focus()

    def show(self, current: SeatSettings) -> None:
        values = {
            "seat": current.seat,
            "branch": current.branch,
            "idle": str(current.idle_lock_minutes),
            "scanner_port": current.scanner_port,
            "prefix": current.scanner_prefix,
            "suffix": current.scanner_suffix,
            "target": current.printer_target,
        }
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = value
        self.query_one("#source", Select).value = current.scanner_source
        self.query_one("#kind", Select).value = current.printer_kind

    def form(self) -> SeatSettings | None:
        value = {key: self.query_one(f"#{key}", Input).value for key, _l, _h in TEXT_FIELDS}
        if not value["idle"].strip():
            self.message.fail("Give the idle lock in minutes (0 never locks).")
            return None
        branch = value["branch"].strip()
        if branch and (branch := self.call(settings.branch_code, branch)) is None:
            return None
        return SeatSettings(
            seat=value["seat"],
            branch=branch,
            idle_lock_minutes=int(value["idle"]),
            scanner_source=str(self.query_one("#source", Select).value),
            scanner_port=value["scanner_port"],
            scanner_prefix=value["prefix"],
            scanner_suffix=value["suffix"],
            printer_kind=str(self.query_one("#kind", Select).value),
            printer_target=value["target"],
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on, as in every form; only F10 writes the file."""
        if event.input.id == TEXT_FIELDS[-1][0]:
            self.message.info("F10 saves to the file · Ctrl+T prints a test card as set.")
        else:
            self.focus_next()

    def action_save(self) -> None:
        new = self.form()
        if new is None:
            return
        running = self.app.seat_name
        # Renaming the seat moves its waiting cards in the database: off the UI thread.
        self.save(
            save_seat_settings,
            self.path,
            new,
            running_seat=running,
            then=lambda saved: self.saved(saved, running),
            what="Saving the seat settings",
        )

    def saved(self, saved, running: str) -> None:
        self.show(seat_settings(saved))
        self.app.set_idle_lock(saved.idle_lock_minutes)
        if saved.seat == running:
            self.message.ok(SAVED.format(path=self.path))
            return
        # The waiting cards moved to the new name: this seat queues and prints there now.
        self.app.seat_name = saved.seat
        self.app.devices.renamed(saved.seat)
        self.message.ok(RENAMED.format(path=self.path, seat=saved.seat))

    def action_test_print(self) -> None:
        new = self.form()
        if new is None:
            return
        checked = self.call(check_seat_settings, self.path, new)
        if checked is None:
            return
        self.message.info("Printing a test card…")
        self.test_print(checked[1].printer)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def test_print(self, printer) -> None:
        try:
            self.post_message(self.TestPrinted(print_test_card(printer), ""))
        except DomainError as exc:
            self.post_message(self.TestPrinted("", exc.message))

    def on_seat_settings_screen_test_printed(self, message: TestPrinted) -> None:
        if message.error:
            self.message.fail(message.error)
        else:
            self.message.ok(message.result)
