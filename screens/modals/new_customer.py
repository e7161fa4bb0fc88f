"""Create a customer at the counter: name and phone."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from app.services.shop.catalog import add_customer
from screens.saving import Saves
from screens.widgets.errorline import ErrorLine


class NewCustomer(Saves, ModalScreen[tuple[int, str] | None]):
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
        name = self.query_one("#name", Input).value
        self.save(add_customer, name, event.value, then=self.added, what="Adding the customer")

    def added(self, customer) -> None:
        self.dismiss((customer.id, f"{customer.name} {customer.phone}".strip()))

    def action_cancel(self) -> None:
        if self.saving is None:  # once saved, the customer goes to the sale
            self.dismiss(None)
