"""Supplier returns (RMA): supplier, reason, reference, then the units; they leave stock."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services.supplier_returns import SupplierReturnItem, supplier_return
from screens.modals.confirm import Confirm
from screens.scanlist import ScanListScreen
from screens.widgets.errorline import ErrorLine


class SupplierReturnsScreen(ScanListScreen):
    TITLE = "Supplier return"
    BINDINGS = [
        *ScanListScreen.BINDINGS,
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
            yield Label("Serial", classes="label")
            yield Input(placeholder="scan the units going back", id="serial", compact=True)
        yield Static("F10 sends back · Ctrl+D removes a scan", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="scans", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Serial")
        self.query_one("#supplier", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        following = {"supplier": "#reference", "reference": "#reason", "reason": "#serial"}
        if event.input.id in following:
            self.query_one(following[event.input.id], Input).focus()
        elif event.input.id == "serial":
            event.input.value = ""
            self.add_serial(event.value)

    def action_save(self) -> None:
        supplier = self.query_one("#supplier", Input).value.strip()
        if not supplier or not self.serials:
            self.message.fail("Give the supplier and scan the units going back.")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            result = self.call(
                supplier_return,
                self.ctx,
                supplier,
                [SupplierReturnItem(serial=s) for s in self.serials],
                reason=self.query_one("#reason", Input).value,
                reference=self.query_one("#reference", Input).value,
            )
            if result is None:
                return
            self.serials = []
            self.show_serials()
            warned = f" ! {'; '.join(result.warnings)}" if result.warnings else ""
            self.message.ok(
                f"Saved {result.number}: {result.units} unit(s) back to {result.supplier}.{warned}"
            )

        self.app.push_screen(
            Confirm(f"Send {len(self.serials)} unit(s) back to {supplier}?"), answered
        )
