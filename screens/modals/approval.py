"""A manager approves one action with login and PIN, without logging the cashier out."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from app.domain.errors import DomainError
from app.services.access.context import Approver
from app.services.access.signin import approve
from screens.saving import Saves
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import markup


class ManagerApproval(Saves, ModalScreen[Approver | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="approval.cancel")]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Manager approval: {markup(self.what)}", classes="dialog-title")
            yield Input(placeholder="manager login", id="login")
            yield Input(placeholder="PIN", password=True, id="pin", restrict=r"[0-9]*")
            yield ErrorLine(id="message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login":
            self.query_one("#pin", Input).focus()
            return
        login = self.query_one("#login", Input).value
        # The PIN check writes (a miss counts towards the lock-out): off the UI thread.
        self.save(
            approve,
            login,
            event.value,
            seat=self.app.seat_name,
            clock=self.app.clock,
            then=self.dismiss,
            refused=self.refused,
            what="Checking the PIN",
        )

    def refused(self, error: DomainError) -> None:
        self.query_one("#pin", Input).value = ""
        self.message.fail(error.message)

    def action_cancel(self) -> None:
        if self.saving is None:
            self.dismiss(None)
