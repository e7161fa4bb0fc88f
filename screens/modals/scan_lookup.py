"""Scan any code a unit carries (or its card, or its sale) from any screen: its passport."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ScanLookup(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="lookup.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "Passport: scan any code on the unit, its card or its sale", classes="dialog-title"
            )
            yield Input(placeholder="serial, IMEI, GS1, warranty no., card or S-12", id="serial")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
