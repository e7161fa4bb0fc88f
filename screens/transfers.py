"""Transfers: scan units and goods without serials out to another branch, scan them in at
the other one, and see what is still in transit and since when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services.stock.items import read_stock_scan
from app.services.stock.transfers import (
    TransferResult,
    open_transfers,
    transfer_in,
    transfer_out,
)
from screens.modals.confirm import Confirm
from screens.stock_document import StockLinesScreen
from screens.widgets.columns import add_fixed_columns, fit_row
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import plain
from screens.widgets.stocklines import StockLines, split_count


class TransfersScreen(StockLinesScreen):
    TITLE = "Transfers"
    BINDINGS = [
        *StockLinesScreen.BINDINGS,
        Binding("f10", "send", "Send out", id="transfers.send"),
        Binding("f9", "receive_quantities", "Receive all pieces", id="transfers.quantities"),
    ]

    @property
    def outgoing(self) -> list[str]:
        """What is on the list going out: serials, and SKUs of goods without serials."""
        return [line.serial or line.sku for line in self.stock_lines.lines]

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("To branch", classes="label")
            yield Input(placeholder="branch code", id="to", compact=True)
            yield Label("Scan out", classes="label")
            yield Input(placeholder="serial, barcode or SKU to send", id="out", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Transfer", classes="label")
            yield Input(placeholder="T-N arriving here", id="number", compact=True)
            yield Label("Scan in", classes="label")
            yield Input(placeholder="serial, barcode or SKU arriving", id="in", compact=True)
        yield Static(id="counts", classes="counts")
        yield ErrorLine(id="message")
        yield StockLines(id="scans")
        yield Static("Open transfers (in transit)", classes="counts")
        yield DataTable(id="open", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        add_fixed_columns(
            self.query_one("#open", DataTable),
            ("Transfer", 10),
            ("From", 13),
            ("To", 13),
            ("Since", 16),
            ("Units", 5),
            ("Pieces", 6),
        )
        self.query_one("#to", Input).focus()
        self.refresh_views()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        field, value = event.input.id, event.value.strip()
        if field == "to":
            self.query_one("#out", Input).focus()
        elif field == "out":
            event.input.value = ""
            self.add_scan(value)
        elif field == "number":
            self.query_one("#in", Input).focus()
        elif field == "in":
            event.input.value = ""
            self.scan_in(value)

    def on_stock_lines_changed(self, _event: StockLines.Changed) -> None:
        self.refresh_counts()

    def action_send(self) -> None:
        to = self.query_one("#to", Input).value.strip()
        if not to:
            self.message.fail("Type the branch the units go to.")
            self.query_one("#to", Input).focus()
            return
        if not self.stock_lines.lines:
            self.message.fail("Nothing to transfer: scan the units first.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                items = self.stock_lines.items()
                self.save(transfer_out, self.ctx, to, items, then=self.sent, what="Sending")

        self.app.push_screen(
            Confirm(f"Send {self.stock_lines.summary()} to {to.upper()}?"), answered
        )

    def sent(self, result: TransferResult) -> None:
        self.stock_lines.clear_lines()
        self.refresh_views()
        goods = f"{result.units} unit(s)"
        if result.quantity:
            goods += f" and {result.quantity} piece(s)"
        self.message.ok(f"Sent {result.number}: {goods} to {result.to_branch}, in transit.")

    def arriving_number(self) -> str | None:
        number = self.query_one("#number", Input).value.strip()
        if not number:
            self.message.fail("Type the transfer number (T-N) first.")
            self.query_one("#number", Input).focus()
            return None
        return number

    def scan_in(self, raw: str) -> None:
        """Receive one scan at once: a unit by serial, or pieces by barcode/SKU (``SKU*5``)."""
        # Each scan in is a save of its own: the next waits for it, and they go in order.
        if self.hold(self.scan_in, raw):
            return
        number = self.arriving_number()
        if number is None or not raw:
            return
        raw, quantity = split_count(raw)
        scanned = self.call(read_stock_scan, self.ctx, raw, quantity)
        if scanned is None:
            return
        if scanned.serial is not None:
            goods, serials, quantities = scanned.serial, [raw], None
        else:
            goods, serials, quantities = f"{quantity} × {scanned.name}", [], {scanned.sku: quantity}
        self.save(
            transfer_in,
            self.ctx,
            number,
            serials,
            quantities=quantities,
            all_quantities=False,
            then=lambda result: self.received(result, goods),
            what="Receiving",
        )

    def received(self, result: TransferResult, goods: str) -> None:
        left = f"{result.outstanding} still in transit" if result.outstanding else "complete"
        self.message.ok(f"{goods} received on {result.number}; {left}.")
        self.refresh_views()

    def action_receive_quantities(self) -> None:
        number = self.arriving_number()
        if number is not None:
            done = self.received_pieces
            self.save(transfer_in, self.ctx, number, [], then=done, what="Receiving")

    def received_pieces(self, result: TransferResult) -> None:
        left = f"{result.outstanding} still in transit" if result.outstanding else "complete"
        self.message.ok(
            f"{result.quantity} piece(s) without serials received on {result.number}; {left}."
        )
        self.refresh_views()

    def refresh_counts(self) -> None:
        self.query_one("#counts", Static).update(
            plain(f"Going out: {self.stock_lines.summary()} · Ctrl+N quantity · Ctrl+D remove")
        )

    def refresh_views(self) -> None:
        self.refresh_counts()
        table = self.query_one("#open", DataTable)
        table.clear()
        for t in self.call(open_transfers, self.ctx.branch_id) or []:
            table.add_row(
                *fit_row(
                    table,
                    t.number,
                    t.from_branch,
                    t.to_branch,
                    t.since.astimezone().strftime("%Y-%m-%d %H:%M"),
                    t.outstanding - t.pieces,
                    t.pieces,
                ),
                key=t.number,
            )
