"""Transfers: scan units out to another branch, scan them in at the other one,
and see what is still in transit and since when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services.transfers import TransferItem, open_transfers, transfer_in, transfer_out
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.widgets.errorline import ErrorLine


class TransfersScreen(CounterScreen):
    TITLE = "Transfers"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "send", "Send out", id="transfers.send"),
        Binding("f9", "receive_quantities", "Receive quantities", id="transfers.quantities"),
        Binding("ctrl+d", "drop_row", "Remove scan", id="transfers.drop", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.outgoing: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("To branch", classes="label")
            yield Input(placeholder="branch code", id="to", compact=True)
            yield Label("Scan out", classes="label")
            yield Input(placeholder="serial to send", id="out", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Transfer", classes="label")
            yield Input(placeholder="T-N arriving here", id="number", compact=True)
            yield Label("Scan in", classes="label")
            yield Input(placeholder="serial arriving", id="in", compact=True)
        yield Static(id="counts", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="scans", cursor_type="row")
        yield Static("Open transfers (in transit)", classes="counts")
        yield DataTable(id="open", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#scans", DataTable).add_columns("#", "Serial going out")
        self.query_one("#open", DataTable).add_columns("Transfer", "From", "To", "Since", "Left")
        self.query_one("#to", Input).focus()
        self.refresh_views()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        field, value = event.input.id, event.value.strip()
        if field == "to":
            self.query_one("#out", Input).focus()
        elif field == "out":
            event.input.value = ""
            self.add_outgoing(value)
        elif field == "number":
            self.query_one("#in", Input).focus()
        elif field == "in":
            event.input.value = ""
            self.scan_in(value)

    def add_outgoing(self, serial: str) -> None:
        if not serial:
            return
        if serial in self.outgoing:
            self.message.fail(f"{serial} is already on this transfer.")
            return
        self.outgoing.append(serial)
        self.message.clear()
        self.refresh_views()

    def action_drop_row(self) -> None:
        table = self.query_one("#scans", DataTable)
        if self.outgoing and table.row_count:
            self.outgoing.pop(table.cursor_row)
            self.refresh_views()

    def action_send(self) -> None:
        to = self.query_one("#to", Input).value.strip()
        if not to:
            self.message.fail("Type the branch the units go to.")
            self.query_one("#to", Input).focus()
            return
        if not self.outgoing:
            self.message.fail("Nothing to transfer: scan the units first.")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            items = [TransferItem(serial=s) for s in self.outgoing]
            result = self.call(transfer_out, self.ctx, to, items)
            if result is None:
                return
            self.outgoing = []
            self.refresh_views()
            self.message.ok(
                f"Sent {result.number}: {result.units} unit(s) to {result.to_branch}, in transit."
            )

        self.app.push_screen(
            Confirm(f"Send {len(self.outgoing)} unit(s) to {to.upper()}?"), answered
        )

    def scan_in(self, serial: str) -> None:
        number = self.query_one("#number", Input).value.strip()
        if not number:
            self.message.fail("Type the transfer number (T-N) first.")
            self.query_one("#number", Input).focus()
            return
        if not serial:
            return
        result = self.call(transfer_in, self.ctx, number, [serial], all_quantities=False)
        if result is None:
            return
        left = f"{result.outstanding} still in transit" if result.outstanding else "complete"
        self.message.ok(f"{serial} received on {result.number}; {left}.")
        self.refresh_views()

    def action_receive_quantities(self) -> None:
        number = self.query_one("#number", Input).value.strip()
        if not number:
            self.message.fail("Type the transfer number (T-N) first.")
            return
        result = self.call(transfer_in, self.ctx, number, [])
        if result is not None:
            self.message.ok(f"{result.quantity} item(s) without serials received on {number}.")
            self.refresh_views()

    def refresh_views(self) -> None:
        scans = self.query_one("#scans", DataTable)
        scans.clear()
        for n, serial in enumerate(self.outgoing, 1):
            scans.add_row(str(n), serial)
        self.query_one("#counts", Static).update(
            f"Going out: {len(self.outgoing)} · F10 send · Ctrl+D remove · F9 receive quantities"
        )
        table = self.query_one("#open", DataTable)
        table.clear()
        for t in self.call(open_transfers, self.ctx.branch_id) or []:
            table.add_row(
                t.number,
                t.from_branch[:12],
                t.to_branch[:12],
                t.since.astimezone().strftime("%Y-%m-%d %H:%M"),
                str(t.outstanding),
                key=t.number,
            )
