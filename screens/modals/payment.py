"""Payment: choose the method with one key, amount prefilled with the total, Enter completes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

METHODS = {"cash": "F2 cash", "card": "F3 card", "transfer": "F4 transfer"}


@dataclass
class Payment:
    method: str
    tendered: str


class PaymentModal(ModalScreen[Payment | None]):
    BINDINGS = [
        Binding("f2", "method('cash')", "Cash", priority=True, id="pay.cash"),
        Binding("f3", "method('card')", "Card", priority=True, id="pay.card"),
        Binding("f4", "method('transfer')", "Transfer", priority=True, id="pay.transfer"),
        Binding("escape", "cancel", "Back to cart", id="pay.cancel"),
    ]

    def __init__(self, total: Decimal) -> None:
        super().__init__()
        self.total = total
        self.method = "cash"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Total to pay: [b]{self.total}[/b]", classes="dialog-title")
            yield Static(id="method")
            yield Input(value=str(self.total), id="tendered", restrict=r"[0-9.,]*")
            yield Static("Enter complete the sale · Esc back to the cart", classes="dialog-keys")

    def on_mount(self) -> None:
        self.show_method()

    def show_method(self) -> None:
        keys = "  ".join(f"[b]{v}[/b]" if k == self.method else v for k, v in METHODS.items())
        self.query_one("#method", Static).update(f"Method: {self.method.upper()}   {keys}")

    def action_method(self, method: str) -> None:
        self.method = method
        if method != "cash":
            self.query_one(Input).value = str(self.total)
        self.show_method()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(Payment(self.method, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
