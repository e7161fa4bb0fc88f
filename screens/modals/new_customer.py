"""Create a customer at the counter: name and phone."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from app.domain.errors import DomainError
from app.services.shop.catalog import add_customer
from screens.widgets.errorline import ErrorLine


class NewCustomer(ModalScreen[tuple[int, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="customer.cancel")]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        digits = sum(ch.isdigit() for ch in self.text)
        name, phone = ("", self.text) if digits >= 5 else (self.text, "")
        with Vertical(classes="dialog"):
            yield Static("New customer", classes="dialog-title")
            yield Input(value=name, placeholder="name", id="name")
            yield Input(value=phone, placeholder="phone", id="phone")
            yield ErrorLine(id="message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#phone", Input).focus()
            return
        try:
            customer = add_customer(self.query_one("#name", Input).value, event.value)
        except DomainError as exc:
            self.query_one(ErrorLine).fail(exc.message)
            return
        self.dismiss((customer.id, f"{customer.name} {customer.phone}".strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
