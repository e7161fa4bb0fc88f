"""Home: the function keys to every screen, and a serial field that opens a passport."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from app.messages import OpenPassport
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine

MENU = """\
 F2  Goods receipt        F5  Repairs
 F3  Checkout             F6  Passport (scan from anywhere)
 F4  Returns              F7  Stock by serial
 F1  Keys of this screen  F12 Lock seat    Ctrl+P find any screen
"""


class HomeScreen(CounterScreen):
    TITLE = "Home"

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Vertical(id="home"):
            yield Static(MENU, id="menu")
            yield Input(placeholder="Scan a serial to see its passport", id="serial")
            yield ErrorLine(id="message")
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc leads here, so here it has nothing to do.
        return action != "back"

    def on_screen_resume(self) -> None:
        self.query_one("#serial", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        serial = event.value.strip()
        event.input.value = ""
        if serial:
            self.post_message(OpenPassport(serial))
