"""Small dialogs of the settings screens: pick a role, type a new PIN. Esc cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from app.domain.roles import Role
from screens.widgets.shown import markup


class PickRole(ModalScreen[str | None]):
    """Choose a role with the arrows and Enter; the current one is highlighted."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="role.cancel")]

    def __init__(self, who: str, current: str) -> None:
        super().__init__()
        self.who = who
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Role of {markup(self.who)}", classes="dialog-title")
            yield OptionList(*[Option(r.value, id=r.value) for r in Role], id="roles")
            yield Static("↑/↓ choose · Enter confirm · Esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        roles = self.query_one(OptionList)
        roles.highlighted = [r.value for r in Role].index(self.current)
        roles.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class AskPin(ModalScreen[str | None]):
    """A new PIN, typed twice so a slip of the finger does not lock someone out."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pin.cancel")]

    def __init__(self, who: str) -> None:
        super().__init__()
        self.who = who

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"New PIN for {markup(self.who)}", classes="dialog-title")
            yield Input(placeholder="new PIN (4-12 digits)", password=True, id="pin1")
            yield Input(placeholder="the same PIN again", password=True, id="pin2")
            yield Static("", id="pin-problem", classes="message-line error")
            yield Static("Enter confirm · Esc cancel", classes="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pin1":
            self.query_one("#pin2", Input).focus()
            return
        first = self.query_one("#pin1", Input).value
        if event.value != first:
            self.query_one("#pin-problem", Static).update("The two PINs differ; type them again.")
            self.query_one("#pin1", Input).value = ""
            event.input.value = ""
            self.query_one("#pin1", Input).focus()
            return
        self.dismiss(first)

    def action_cancel(self) -> None:
        self.dismiss(None)
