"""Supplier returns (RMA): supplier, reason, reference, then the units and the pieces of
goods without serials; they leave stock."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from app.services.stock.supplier_returns import SupplierReturnResult, supplier_return
from screens.modals.confirm import Confirm
from screens.stock_document import StockLinesScreen
from screens.widgets.errorline import ErrorLine
from screens.widgets.stocklines import StockLines


class SupplierReturnsScreen(StockLinesScreen):
    TITLE = "Supplier return"
    BINDINGS = [
        *StockLinesScreen.BINDINGS,
        Binding("f10", "save", "Send back", id="supplier_returns.save"),
    ]

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Supplier", classes="label")
            yield Input(placeholder="supplier name", id="supplier", compact=True)
            yield Label("RMA ref", classes="label")
            yield Input(placeholder="supplier's reference", id="reference", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Reason", classes="label")
            yield Input(placeholder="faulty, wrong item, ...", id="reason", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Scan", classes="label")
            yield Input(
                placeholder="serial, or barcode/SKU of goods without serials",
                id="serial",
                compact=True,
            )
        yield Static("F10 sends back · Ctrl+N quantity · Ctrl+D removes a line", classes="counts")
        yield ErrorLine(id="message")
        yield StockLines(id="scans")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#supplier", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        following = {"supplier": "#reference", "reference": "#reason", "reason": "#serial"}
        if event.input.id in following:
            self.query_one(following[event.input.id], Input).focus()
        elif event.input.id == "serial":
            event.input.value = ""
            self.add_scan(event.value)

    def action_save(self) -> None:
        supplier = self.query_one("#supplier", Input).value.strip()
        if not supplier or not self.stock_lines.lines:
            self.message.fail("Give the supplier and scan the units going back.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(
                    supplier_return,
                    self.ctx,
                    supplier,
                    self.stock_lines.items(),
                    reason=self.query_one("#reason", Input).value,
                    reference=self.query_one("#reference", Input).value,
                    then=self.sent_back,
                    what="Saving the supplier return",
                )

        self.app.push_screen(
            Confirm(f"Send {self.stock_lines.summary()} back to {supplier}?"), answered
        )

    def sent_back(self, result: SupplierReturnResult) -> None:
        self.stock_lines.clear_lines()
        warned = f" ! {'; '.join(result.warnings)}" if result.warnings else ""
        goods = f"{result.units} unit(s)"
        if result.quantity:
            goods += f" and {result.quantity} piece(s)"
        self.message.ok(f"Saved {result.number}: {goods} back to {result.supplier}.{warned}")
