"""Stocktake by serial: open a count, scan the shelves in any order with a running tally,
see missing and problem serials live, and close (a manager approves writing off the missing)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.domain.roles import Action, allowed
from app.services.stock import stocktake
from screens.base import CounterScreen
from screens.modals.approval import ManagerApproval
from screens.modals.confirm import Confirm
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, plain

SHOWN = 200


class StocktakeScreen(CounterScreen):
    TITLE = "Stocktake"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "open_count", "Open count", id="stocktake.open"),
        Binding("f10", "close_count", "Close count", id="stocktake.close"),
        Binding("ctrl+d", "unscan", "Take scan off", id="stocktake.unscan", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.number: str | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Count", classes="label")
            yield Input(placeholder="ST-N to resume, or F9 new", id="number", compact=True)
            yield Label("Type", classes="label")
            yield Input(placeholder="product type (blank: all)", id="type", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Scan", classes="label")
            yield Input(placeholder="serials on the shelf, any order", id="serial", compact=True)
        yield Static("No count open: F9 opens one", id="tally", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="issues", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Serial", "Result")
        self.query_one("#number", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        field, value = event.input.id, event.value.strip()
        if field == "number":
            if value:
                self.resume(value)
        elif field == "type":
            self.action_open_count()
        elif field == "serial":
            event.input.value = ""
            self.scan(value)

    def resume(self, number: str) -> None:
        tally = self.call(stocktake.status, number)
        if tally is None:
            return
        if tally.status != "open":
            self.message.fail(f"{tally.number} is closed.")
            return
        self.number = tally.number
        self.show(tally)
        self.query_one("#serial", Input).focus()

    def action_open_count(self) -> None:
        if self.number:
            self.message.fail(f"{self.number} is open: close it first.")
            return
        kind = self.query_one("#type", Input).value.strip() or None
        self.save(
            stocktake.open_stocktake,
            self.ctx,
            product_type=kind,
            then=self.opened,
            what="Opening the count",
        )

    def opened(self, number: str) -> None:
        self.number = number
        self.query_one("#number", Input).value = number
        self.message.ok(f"Opened {number}. Scan everything on the shelves.")
        self.refresh_tally()
        self.query_one("#serial", Input).focus()

    def scan(self, raw: str) -> None:
        # Each scan is recorded by a save of its own: the next waits, and they go in order.
        if not raw or self.hold(self.scan, raw):
            return
        if not self.number:
            self.message.fail("Open a count first (F9), or type its number.")
            return
        self.save(stocktake.scan, self.ctx, self.number, raw, then=self.counted, what="Counting")

    def counted(self, found: tuple[str, str]) -> None:
        serial, result = found
        if result == stocktake.ScanResult.EXPECTED:
            self.message.ok(f"{serial} counted.")
        elif result == stocktake.ScanResult.IN_KIT:
            self.message.fail(f"{serial} is a part inside a kit: scan the kit's own label.")
        else:
            self.message.fail(f"{serial}: {result.replace('_', ' ')}.")
        self.refresh_tally()

    def action_unscan(self) -> None:
        table = self.query_one(DataTable)
        if not self.number or not table.row_count:
            return
        serial = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
        self.save(
            stocktake.unscan,
            self.ctx,
            self.number,
            serial,
            then=lambda _none: self.refresh_tally(),
            what="Taking the scan off",
        )

    def refresh_tally(self) -> None:
        tally = self.call(stocktake.status, self.number)
        if tally is not None:
            self.show(tally)

    def show(self, tally: stocktake.StocktakeStatus) -> None:
        self.query_one("#tally", Static).update(
            plain(
                f"{tally.number} {tally.scope}: counted {tally.counted} of {tally.expected} · "
                f"missing {len(tally.missing)} · problems {len(tally.problems)}"
            )
        )
        table = self.query_one(DataTable)
        table.clear()
        for serial, result in tally.problems:
            table.add_row(cell(serial), result.replace("_", " "), key=serial)
        for serial in tally.missing[:SHOWN]:
            table.add_row(cell(serial), "missing", key=serial)

    def action_close_count(self) -> None:
        if not self.number:
            self.message.fail("No count is open.")
            return
        tally = self.call(stocktake.status, self.number)
        if tally is None:
            return
        if tally.problems:
            # The service refuses with the reason; show it without asking anything.
            self.close_with(False, None)
            return
        if not tally.missing:
            self.finish(write_off=False)
            return

        def answered(write_off: bool | None) -> None:
            if write_off is None:
                self.message.fail(f"{self.number} is still open: nothing was closed.")
                return
            self.finish(write_off=write_off)

        self.app.push_screen(
            Confirm(
                f"{len(tally.missing)} unit(s) missing. Write them off?",
                "Y writes them off (a manager approves); N or Enter closes and leaves them "
                "in stock; Esc keeps the count open.",
                destructive=True,
            ),
            answered,
        )

    def finish(self, *, write_off: bool) -> None:
        if write_off and not allowed(self.ctx.role, Action.WRITE_OFF):

            def approved(approver) -> None:
                if approver is None:
                    self.message.fail("Not closed: writing off needs a manager's approval.")
                    return
                self.close_with(True, approver)

            self.app.push_screen(ManagerApproval("write off missing units"), approved)
            return
        self.close_with(write_off, None)

    def close_with(self, write_off: bool, approver) -> None:
        def closed(tally: stocktake.StocktakeStatus) -> None:
            self.number = None
            self.show(tally)
            done = "written off" if write_off else "left in stock"
            missing = len(tally.missing)
            self.message.ok(
                f"{tally.number} closed: {tally.counted} counted, {missing} missing ({done})."
            )

        self.save(
            stocktake.close,
            self.ctx,
            self.number,
            write_off_missing=write_off,
            approver=approver,
            then=closed,
            what="Closing the count",
        )
