"""Goods receipt: supplier and PO, then a product and its serials scanned one after another.

Each scan is checked at once; a bad one shows in red with its reason while the
good ones stay. F10 saves the receipt after a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.domain.errors import DomainError, NotFound
from app.services.shop.catalog import ProductRow, lookup_product, product_for_scan
from app.services.stock.receiving import (
    ReceiptLine,
    ReceiptResult,
    check_serial,
    product_of_gs1,
    receive,
)
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.widgets.columns import SERIAL_WIDTH, add_fixed_columns, fit, fit_row
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import plain

CHECK_WIDTH = 34
# The list shows this many of the latest scans; a longer receipt keeps every scan (and
# its counts) but drops the oldest rows from the list, so a scan costs the same at the
# 10,000th as at the first (a table of every row slows each new row down).
SHOWN_SCANS = 200


@dataclass
class Scanned:
    sku: str
    serial: str
    cost: str
    ok: bool
    reason: str = ""


class ReceiptScreen(CounterScreen):
    TITLE = "Goods receipt"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "save", "Save receipt", id="receipt.save"),
        Binding("ctrl+d", "drop_row", "Remove row", id="receipt.drop"),
        Binding("ctrl+r", "remove_serial", "Remove a serial", id="receipt.remove"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.product: ProductRow | None = None
        self.rows: list[Scanned] = []
        self.quantities: dict[str, tuple[int, str]] = {}
        # Kept as rows come and go, not recounted from every row at each scan.
        self.pending: set[str] = set()  # the serials on the receipt now
        self.good = 0  # serials ok
        self.bad = 0  # rows refused or removed

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Supplier", classes="label")
            yield Input(placeholder="supplier name", id="supplier", compact=True)
            yield Label("PO ref", classes="label")
            yield Input(placeholder="purchase order", id="po", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Product", classes="label")
            yield Input(placeholder="scan barcode or type SKU", id="product", compact=True)
            yield Label("Cost", classes="label")
            yield Input(placeholder="per unit", id="cost", compact=True, restrict=r"[0-9.,]*")
            yield Label("Expected", classes="label")
            yield Input(placeholder="count", id="expected", compact=True, restrict=r"[0-9]*")
        yield Static("No product chosen", id="product-name", classes="panel")
        with Horizontal(classes="form-line"):
            yield Label("Serial", classes="label")
            yield Input(placeholder="scan serials one after another", id="serial", compact=True)
        yield Static(id="counts", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="scans", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        add_fixed_columns(
            self.query_one(DataTable),
            ("#", 3),
            ("Product", 12),
            ("Serial / qty", SERIAL_WIDTH + 2),
            ("Check", CHECK_WIDTH),
        )
        self.query_one("#supplier", Input).focus()
        self.refresh_counts()

    # --- input ------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        field = event.input.id
        if field == "supplier":
            self.query_one("#po", Input).focus()
        elif field == "po":
            self.query_one("#product", Input).focus()
        elif field == "product":
            self.choose_product(event.value)
        elif field == "cost":
            self.query_one("#expected", Input).focus()
        elif field == "expected":
            self.refresh_counts()
            self.query_one("#serial", Input).focus()
        elif field == "serial":
            event.input.value = ""
            self.scan(event.value)

    def choose_product(self, code: str) -> None:
        if not code.strip() or self.hold(self.choose_product, code):
            return
        product = self.call(lookup_product, code, self.ctx.branch_id)
        if product is None:
            return
        self.product = product
        self.query_one("#product", Input).value = product.sku
        how = (
            "scan each serial"
            if product.tracking_mode in ("strict", "warranty")
            else ("type the quantity received")
        )
        self.query_one("#product-name", Static).update(
            plain(f"{product.name} · {product.tracking_mode} · {how}")
        )
        self.message.clear()
        self.query_one("#cost", Input).focus()

    def scan(self, raw: str) -> None:
        raw = raw.strip()
        # Scans during a save wait, then go in order onto the next receipt (or this one,
        # if it was refused).
        if not raw or self.hold(self.scan, raw):
            return
        cost = self.query_one("#cost", Input).value.strip()
        if self.product is None:
            try:  # a GS1 code names its unit's product: no product need be chosen
                sku = product_of_gs1(raw)
            except NotFound as exc:
                self.add_row(Scanned("?", raw[:40], cost, False, exc.message))
                self.message.fail(exc.message)
                return
            except DomainError:
                # A product barcode (or SKU) scanned first picks the product.
                found = self.call(product_for_scan, raw)
                if found is not None:
                    self.choose_product(found)
                return
            self.check_and_add(sku, raw, cost)
            return
        if self.product.tracking_mode not in ("strict", "warranty"):
            if not raw.isdigit() or int(raw) < 1:
                self.message.fail(f"{self.product.name} has no serials: type the quantity.")
                return
            qty, _ = self.quantities.get(self.product.sku, (0, cost))
            self.quantities[self.product.sku] = (qty + int(raw), cost)
            self.add_row(Scanned(self.product.sku, f"{raw} pcs", cost, True))
            return
        self.check_and_add(self.product.sku, raw, cost)

    def check_and_add(self, sku: str, raw: str, cost: str) -> None:
        """One scanned serial of ``sku``, checked at once: a good row, or a red one with why."""
        try:
            serial = check_serial(sku, raw, self.pending)
        except DomainError as exc:
            self.add_row(Scanned(sku, raw[:40], cost, False, exc.message))
            self.message.fail(exc.message)
            return
        self.add_row(Scanned(sku, serial, cost, True))
        self.message.ok(
            f"{serial} ok" if sku == getattr(self.product, "sku", None) else f"{serial} ok ({sku})"
        )

    def add_row(self, row: Scanned) -> None:
        self.rows.append(row)
        self.count_row(row, 1)
        # A long reason ends in an ellipsis here; the message line (and the row, once
        # highlighted) shows it whole.
        check = Text("ok") if row.ok else Text(fit(f"✗ {row.reason}", CHECK_WIDTH), style="red")
        table = self.query_one(DataTable)
        table.add_row(
            *fit_row(table, len(self.rows), row.sku, row.serial), check, key=str(len(self.rows))
        )
        if table.row_count > SHOWN_SCANS:
            table.remove_row(str(len(self.rows) - SHOWN_SCANS))
        table.move_cursor(row=table.row_count - 1)
        self.refresh_counts()

    def count_row(self, row: Scanned, sign: int) -> None:
        """Count a row in (``sign`` 1) or out (-1) of the receipt's tallies."""
        if not row.ok:
            self.bad += sign
        elif not row.serial.endswith(" pcs"):
            self.good += sign
            (self.pending.add if sign > 0 else self.pending.discard)(row.serial)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Browsing the scans: a refused one's reason in full, as its cell may cut it.
        if not event.data_table.has_focus or event.row_key.value is None:
            return
        row = self.rows[int(event.row_key.value) - 1]
        if not row.ok and row.reason != "removed":
            self.message.info(f"{row.serial}: {row.reason}")

    def refresh_counts(self) -> None:
        good, bad = self.good, self.bad
        expected = self.query_one("#expected", Input).value
        qty = sum(q for q, _c in self.quantities.values())
        text = f"Serials ok: {good}"
        if expected:
            text += f" of {expected} expected"
        if qty:
            text += f" · quantity goods: {qty}"
        if bad:
            text += f" · refused: {bad} (not saved)"
        if len(self.rows) > SHOWN_SCANS:
            text += f" · list shows the last {SHOWN_SCANS} (Ctrl+R removes any serial)"
        self.query_one("#counts", Static).update(text)

    def action_drop_row(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.drop(int(row_key.value) - 1)

    def drop(self, index: int) -> None:
        """Take scan ``index`` off the receipt (counted out; its serial may come again),
        and mark its row removed where the list still shows it."""
        row = self.rows[index]
        if row.serial.endswith(" pcs"):
            qty, cost = self.quantities[row.sku]
            self.quantities[row.sku] = (qty - int(row.serial.split()[0]), cost)
        self.count_row(row, -1)
        row.ok = False
        row.reason = "removed"
        self.count_row(row, 1)
        table = self.query_one(DataTable)
        key = str(index + 1)
        if key in table.rows:
            table.update_cell(key, table.ordered_columns[3].key, "[dim]removed[/dim]")
        self.refresh_counts()

    def action_remove_serial(self) -> None:
        """A serial anywhere on the receipt, scanned or typed: the list shows only the
        latest scans of a long receipt, and a unit found faulty in the box is taken off."""
        if not self.pending:
            self.message.fail("No serial on this receipt yet.")
            return
        from screens.modals.ask import AskText

        ask = AskText("Remove which serial from this receipt? Scan or type it.", "serial")
        self.app.push_screen(ask, self.remove_serial)

    def remove_serial(self, raw: str | None) -> None:
        if not raw or self.hold(self.remove_serial, raw):  # after a save running now
            return
        serial = self.on_receipt(raw)
        if serial is None:
            self.message.fail(f"{plain(raw.strip()[:40])} is not on this receipt.")
            return
        index = next(
            i for i in range(len(self.rows) - 1, -1, -1)
            if self.rows[i].ok and self.rows[i].serial == serial
        )  # fmt: skip
        self.drop(index)
        self.message.ok(f"{serial} removed from this receipt.")

    def on_receipt(self, raw: str) -> str | None:
        """The serial of this receipt that ``raw`` is (as typed, or as each product on the
        receipt reads the scan), or None."""
        text = raw.strip()
        if text in self.pending:
            return text
        for sku in dict.fromkeys(r.sku for r in self.rows if r.ok):
            try:
                serial = check_serial(sku, text)
            except DomainError:
                continue
            if serial in self.pending:
                return serial
        return None

    # --- save -------------------------------------------------------------

    def lines(self) -> list[ReceiptLine]:
        by_product: dict[str, ReceiptLine] = {}
        for row in self.rows:
            if row.ok and not row.serial.endswith(" pcs"):
                line = by_product.setdefault(row.sku, ReceiptLine(row.sku, cost=row.cost or None))
                line.serials.append(row.serial)
        lines = list(by_product.values())
        lines += [
            ReceiptLine(sku, quantity=q, cost=c or None)
            for sku, (q, c) in self.quantities.items()
            if q > 0
        ]
        return lines

    def action_save(self) -> None:
        lines = self.lines()
        supplier = self.query_one("#supplier", Input).value.strip()
        if not supplier:
            self.message.fail("Enter the supplier first.")
            self.query_one("#supplier", Input).focus()
            return
        if not lines:
            self.message.fail("Nothing to save: scan serials or enter quantities.")
            return
        serials = sum(len(line.serials) for line in lines)
        quantity = sum(line.quantity for line in lines)
        expected = self.query_one("#expected", Input).value
        detail = f"{serials} serial(s), {quantity} piece(s) without serials from {supplier}."
        if expected and int(expected) != serials:
            detail += f"\nExpected {expected} serials, scanned {serials}."

        def done(yes: bool | None) -> None:
            if yes:
                reference = self.query_one("#po", Input).value
                self.save(
                    receive,
                    self.ctx,
                    supplier,
                    lines,
                    reference=reference,
                    then=self.saved,
                    what="Saving the receipt",
                )

        self.app.push_screen(Confirm("Save this receipt?", detail), done)

    def saved(self, result: ReceiptResult) -> None:
        self.reset()
        warned = result.warnings
        note = f" {len(warned)} warning(s): {warned[0]}" if warned else ""
        self.message.ok(
            f"Saved {result.number}: {result.units} unit(s), {result.quantity} piece(s).{note}"
        )

    def reset(self) -> None:
        """The next receipt, from the same supplier; what was typed during the save stays."""
        self.rows.clear()
        self.quantities.clear()
        self.pending.clear()
        self.good = self.bad = 0
        self.product = None
        self.query_one(DataTable).clear()
        fields = ("po", "product", "cost", "expected", "serial")
        typed = [f for f in fields if self.typed_meanwhile(f"#{f}")]
        for field in fields:
            if field not in typed:
                self.query_one(f"#{field}", Input).value = ""
        self.query_one("#product-name", Static).update("No product chosen")
        self.refresh_counts()
        if not typed:
            self.query_one("#product", Input).focus()
