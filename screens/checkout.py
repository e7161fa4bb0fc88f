"""Checkout: scan serials and product barcodes into a cart, pick the customer, pay.

From home, a returning customer's phone in cash: F3, scan, Tab, two letters of
the name, Enter, F10, Enter — seven keys besides the scan.
"""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services.counter import printing
from app.services.counter.selling import CartLine, SaleItem, SaleResult, preview_item, sell
from app.services.kits.assembly import KitProgress, kit_for_scan, kit_progress
from app.services.shop.catalog import search_customers
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.modals.new_customer import NewCustomer
from screens.modals.payment import Payment, PaymentModal
from screens.widgets.errorline import ErrorLine


class CheckoutScreen(CounterScreen):
    TITLE = "Checkout"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "pay", "Pay", id="checkout.pay"),
        Binding("f9", "new_customer", "New customer", id="checkout.new_customer"),
        Binding("ctrl+d", "drop_line", "Remove line", id="checkout.drop"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart: list[CartLine] = []
        self.customer_id: int | None = None
        self.matches: list = []
        # A kit sold unassembled: its parts' serials are scanned one by one.
        self.kit: KitProgress | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Scan", classes="label")
            yield Input(
                placeholder="serial, IMEI or product barcode (SKU*3 for three)",
                id="scan",
                compact=True,
            )
        with Horizontal(classes="form-line"):
            yield Label("Customer", classes="label")
            yield Input(
                placeholder="name or phone: type, Enter picks · F9 new", id="customer", compact=True
            )
        yield Static(id="suggestions")
        yield ErrorLine(id="message")
        yield DataTable(id="cart", cursor_type="row")
        yield Static(id="card", classes="panel card-text")
        yield Static(id="totals", classes="counts")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Item", "Serial", "Qty", "Price")
        self.query_one("#card").display = False
        self.query_one("#scan", Input).focus()
        self.refresh_totals()

    # --- scanning ---------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "scan":
            event.input.value = ""
            self.add(event.value.strip())
        elif event.input.id == "customer":
            self.pick_customer()

    def add(self, raw: str) -> None:
        if not raw:
            return
        self.show_cart()
        if self.in_cart(raw):
            self.message.fail(f"{raw} is already in the cart.")
            return
        if self.kit is not None:
            self.add_kit_part(raw)
            return
        item = SaleItem(serial=raw)
        if "*" in raw:
            code, _, qty = raw.rpartition("*")
            if qty.isdigit():
                item = SaleItem(product=code, quantity=int(qty))
        kit = self.call(kit_for_scan, item.product or raw)
        if kit is not None:
            if item.quantity != 1:
                self.message.fail(f"{kit.name}: scan one kit at a time, then its parts.")
                return
            progress = self.call(kit_progress, self.ctx, kit.sku, [])
            if progress is not None and progress.complete:
                self.add_kit(progress)  # no serialized parts: nothing to scan
            elif progress is not None:
                self.kit = progress
                self.message.info(f"{kit.name}: scan each part · {self.kit_status()}")
            return
        line = self.call(preview_item, self.ctx, item)
        if line is not None:
            self.add_line(line)

    def in_cart(self, raw: str) -> bool:
        text = raw.strip().upper()
        scanned = self.kit.serials if self.kit else []
        return text in scanned or any(
            text == line.serial or text in line.item.components for line in self.cart
        )

    def kit_status(self) -> str:
        missing = ", ".join(self.kit.missing) if self.kit else ""
        return f"still missing: {missing} · Esc cancels the kit"

    def add_kit_part(self, raw: str) -> None:
        """One more part of the kit being sold; the kit joins the cart once complete."""
        progress = self.call(kit_progress, self.ctx, self.kit.sku, [*self.kit.serials, raw])
        if progress is None:
            return
        self.kit = progress
        if progress.missing:
            self.message.info(f"{progress.serials[-1]} goes into the kit · {self.kit_status()}")
            return
        self.kit = None
        self.add_kit(progress)

    def add_kit(self, progress: KitProgress) -> None:
        """A kit with every serialized part scanned: it joins the cart, put together at payment."""
        item = SaleItem(product=progress.sku, components=progress.serials, kit=True)
        line = self.call(preview_item, self.ctx, item)
        if line is not None:
            self.add_line(line)

    def action_back(self) -> None:
        if self.kit is None:
            super().action_back()
            return
        self.kit = None
        self.message.info("Kit cancelled: nothing was added.")

    def add_line(self, line: CartLine) -> None:
        self.cart.append(line)
        self.query_one(DataTable).add_row(
            str(len(self.cart)),
            line.name[:30],
            shown_serial(line),
            str(line.quantity),
            str(line.price * line.quantity),
        )
        if line.warnings:
            self.message.info("Note: " + " ".join(line.warnings))
        else:
            self.message.ok(f"Added {line.name}")
        self.refresh_totals()

    def action_drop_line(self) -> None:
        table = self.query_one(DataTable)
        if not self.cart:
            return
        del self.cart[table.cursor_row]
        table.clear()
        for n, line in enumerate(self.cart, 1):
            table.add_row(
                str(n),
                line.name[:30],
                shown_serial(line),
                str(line.quantity),
                str(line.price * line.quantity),
            )
        self.refresh_totals()

    def total(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.cart), Decimal("0.00"))

    def refresh_totals(self) -> None:
        items = sum(line.quantity for line in self.cart)
        self.query_one("#totals", Static).update(f"Total {self.total()} · {items} item(s)")

    # --- customer ---------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "customer":
            return
        self.customer_id = None
        text = event.value.strip()
        self.matches = search_customers(text, limit=3) if len(text) >= 2 else []
        listing = " │ ".join(f"{c.name} {c.phone}" for c in self.matches)
        self.query_one("#suggestions", Static).update(
            f"Enter: {listing}" if self.matches else ("No match: F9 creates" if text else "")
        )

    def pick_customer(self) -> None:
        if not self.matches:
            self.action_new_customer()
            return
        chosen = self.matches[0]
        self.set_customer(chosen.id, f"{chosen.name} {chosen.phone}")

    def set_customer(self, customer_id: int, label: str) -> None:
        field = self.query_one("#customer", Input)
        with field.prevent(Input.Changed):
            field.value = label
        self.customer_id = customer_id
        self.matches = []
        self.query_one("#suggestions", Static).update(f"Customer: {label}")
        self.query_one("#scan", Input).focus()

    def action_new_customer(self) -> None:
        typed = self.query_one("#customer", Input).value.strip()

        def done(result: tuple[int, str] | None) -> None:
            if result:
                self.set_customer(*result)

        self.app.push_screen(NewCustomer(typed), done)

    # --- payment ----------------------------------------------------------

    def action_pay(self) -> None:
        if self.kit is not None:
            self.message.fail(f"Finish the kit first: {self.kit_status()}.")
            return
        if not self.cart:
            self.message.fail("The cart is empty: scan something first.")
            return
        self.app.push_screen(PaymentModal(self.total()), self.complete)

    def complete(self, payment: Payment | None) -> None:
        if payment is None:
            return
        result = self.call(
            sell,
            self.ctx,
            [line.item for line in self.cart],
            customer_id=self.customer_id,
            payment_method=payment.method,
            tendered=payment.tendered,
        )
        if result is None:
            return
        change = f" · change {result.change}" if result.change else ""
        self.message.ok(
            f"Sale {result.number} complete: {result.total} {result.payment_method}{change}"
        )
        self.reset()
        self.handle_cards(result)

    def handle_cards(self, result: SaleResult) -> None:
        cards = self.call(printing.cards_for_sale, result.number) or []
        auto = [c for c in cards if c.print_mode == "auto"]
        offered = [c for c in cards if c.print_mode == "offer"]
        for card in auto:
            self.call(printing.queue, self.ctx, card, seat=self.app.seat_name)
        if auto:
            self.app.kick_printer()
            self.show_card(auto[0].text, len(auto))
        if offered:

            def answer(yes: bool | None) -> None:
                if yes:
                    for card in offered:
                        self.call(printing.queue, self.ctx, card, seat=self.app.seat_name)
                    self.app.kick_printer()
                    self.show_card(offered[0].text, len(auto) + len(offered))

            self.app.push_screen(Confirm(f"Print {len(offered)} warranty card(s)?"), answer)

    def show_card(self, text: str, count: int) -> None:
        card = self.query_one("#card", Static)
        card.update(f"{count} card(s) queued for printing:\n{text}")
        card.display = True
        self.query_one(DataTable).display = False

    def show_cart(self) -> None:
        self.query_one("#card").display = False
        self.query_one(DataTable).display = True

    def reset(self) -> None:
        self.cart.clear()
        self.customer_id = None
        self.query_one(DataTable).clear()
        field = self.query_one("#customer", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self.query_one("#suggestions", Static).update("")
        self.refresh_totals()
        self.query_one("#scan", Input).focus()


def shown_serial(line: CartLine) -> str:
    """The serial column: a unit's serial, or the parts of a kit put together at the counter."""
    if line.item.components:
        return "kit: " + ", ".join(line.item.components)
    if line.item.kit:
        return "kit"
    return line.serial or ""
