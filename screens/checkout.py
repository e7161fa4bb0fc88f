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

from app.domain.errors import DomainError, Refused
from app.services.counter import printing
from app.services.counter.printing import Card, Sold, sell_and_queue_cards
from app.services.counter.selling import CartLine, SaleItem, preview_item
from app.services.kits.assembly import KitProgress, kit_for_scan, kit_progress
from app.services.ledger.lookups import find_customer
from app.services.shop.catalog import search_customers
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.modals.new_customer import NewCustomer
from screens.modals.payment import Payment, PaymentModal
from screens.widgets.columns import SERIAL_WIDTH, add_fixed_columns, fit_row
from screens.widgets.customer_matches import SHOWN, CustomerMatches
from screens.widgets.errorline import ErrorLine
from screens.widgets.scanlog import ScanLog
from screens.widgets.shown import plain


class CheckoutScreen(CounterScreen):
    TITLE = "Checkout"
    KEYS_WHILE_SAVING = frozenset({"next_match"})  # the next customer may be looked up
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "pay", "Pay", id="checkout.pay"),
        # Priority: the scan field's own Ctrl+D (delete right) must not swallow it.
        Binding("ctrl+d", "drop_line", "Remove line", id="checkout.drop", priority=True),
        Binding("f9", "new_customer", "New customer", id="checkout.new_customer"),
        Binding("down", "next_match(1)", "Next customer", show=False, id="checkout.next"),
        Binding("up", "next_match(-1)", "Previous customer", show=False, id="checkout.previous"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart: list[CartLine] = []
        self.customer_id: int | None = None
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
                placeholder="name or phone: ↑↓ and Enter pick · F9 new", id="customer", compact=True
            )
        yield CustomerMatches(id="suggestions")
        yield ErrorLine(id="message")
        yield DataTable(id="cart", cursor_type="row")
        yield Static(id="card", classes="panel card-text")
        yield ScanLog(id="scans")
        yield Static(id="totals", classes="counts")
        yield self.footer()

    def on_mount(self) -> None:
        add_fixed_columns(
            self.query_one(DataTable),
            ("#", 3),
            ("Item", 35),
            ("Serial", SERIAL_WIDTH),
            ("Qty", 4),
            ("Price", 10),
        )
        self.query_one("#card").display = False
        self.scans.display = False
        self.query_one("#scan", Input).focus()
        self.refresh_totals()

    # --- scanning ---------------------------------------------------------

    @property
    def scans(self) -> ScanLog:
        return self.query_one("#scans", ScanLog)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "scan":
            event.input.value = ""
            self.add(event.value.strip())
        elif event.input.id == "customer":
            self.pick_customer()

    def add(self, raw: str) -> None:
        """One scan: its outcome joins the scan log, a refusal in red with the bell."""
        if not raw:
            return
        # Scans during a sale being saved wait, then go in order into the next cart (or
        # back into this one if the sale is refused): never into a cart half sold.
        if self.hold(self.add, raw):
            return
        self.show_cart()
        try:
            outcome = self.scan(raw)
        except DomainError as exc:
            self.scans.record(raw, exc.message, ok=False)
            self.message.fail(exc.message)
        else:
            self.scans.record(raw, outcome, ok=True)
        self.refresh_totals()

    def scan(self, raw: str) -> str:
        """Add what a scan names to the cart (or to the kit being put together); raise the
        refusal otherwise. Returns what became of it."""
        if self.in_cart(raw):
            raise Refused(f"{raw} is already in the cart.")
        if self.kit is not None:
            return self.add_kit_part(raw)
        item = SaleItem(serial=raw)
        if "*" in raw:
            code, _, qty = raw.rpartition("*")
            if qty.isdigit():
                item = SaleItem(product=code, quantity=int(qty))
        kit = kit_for_scan(item.product or raw)
        if kit is not None:
            if item.quantity != 1:
                raise Refused(f"{kit.name}: scan one kit at a time, then its parts.")
            progress = kit_progress(self.ctx, kit.sku, [])
            if progress.complete:
                return self.add_kit(progress)  # no serialized parts: nothing to scan
            self.kit = progress
            self.message.info(f"{kit.name}: scan each part · {self.kit_status()}")
            return f"{kit.name}: scan each part"
        return self.add_line(preview_item(self.ctx, item))

    def in_cart(self, raw: str) -> bool:
        text = raw.strip().upper()
        scanned = self.kit.serials if self.kit else []
        return text in scanned or any(
            text == line.serial or text in line.item.components for line in self.cart
        )

    def kit_status(self) -> str:
        missing = ", ".join(self.kit.missing) if self.kit else ""
        return f"still missing: {missing} · Esc cancels the kit"

    def add_kit_part(self, raw: str) -> str:
        """One more part of the kit being sold; the kit joins the cart once complete."""
        progress = kit_progress(self.ctx, self.kit.sku, [*self.kit.serials, raw])
        self.kit = progress
        if progress.missing:
            self.message.info(f"{progress.serials[-1]} goes into the kit · {self.kit_status()}")
            return f"goes into {progress.name}"
        self.kit = None
        return self.add_kit(progress)

    def add_kit(self, progress: KitProgress) -> str:
        """A kit with every serialized part scanned: it joins the cart, put together at payment."""
        item = SaleItem(product=progress.sku, components=progress.serials, kit=True)
        return self.add_line(preview_item(self.ctx, item))

    def action_back(self) -> None:
        if self.kit is None:
            super().action_back()
            return
        self.kit = None
        self.message.info("Kit cancelled: nothing was added.")

    def add_line(self, line: CartLine) -> str:
        """Add a checked line; one more piece of goods already in the cart joins its line."""
        same = next((x for x in self.cart if by_the_piece(x) and same_goods(x, line)), None)
        if same is not None and by_the_piece(line):
            same.quantity += line.quantity
            same.item.quantity = same.quantity
            row = self.cart.index(same)
        else:
            self.cart.append(line)
            row = len(self.cart) - 1
        self.show_lines(row)
        added = f"Added {line.name}" + (f" ({self.cart[row].quantity} in the cart)" if same else "")
        if line.warnings:
            self.message.info("Note: " + " ".join(line.warnings))
        else:
            self.message.ok(added)
        return added

    def show_lines(self, cursor: int) -> None:
        """Redraw the cart with the cursor on one line: the one Ctrl+D removes."""
        table = self.query_one(DataTable)
        table.clear()
        for n, line in enumerate(self.cart, 1):
            table.add_row(
                *fit_row(
                    table,
                    n,
                    line.name,
                    shown_serial(line),
                    line.quantity,
                    line.price * line.quantity,
                )
            )
        if self.cart:
            table.move_cursor(row=min(max(cursor, 0), len(self.cart) - 1))
        self.refresh_totals()

    def action_drop_line(self) -> None:
        """Take the highlighted cart line off (the last one scanned, unless moved to another)."""
        if not self.cart:
            self.message.fail("The cart is empty: nothing to remove.")
            return
        row = self.query_one(DataTable).cursor_row
        row = row if 0 <= row < len(self.cart) else len(self.cart) - 1
        line = self.cart.pop(row)
        self.show_lines(min(row, len(self.cart) - 1))
        what = f"{line.name} {shown_serial(line)}".strip()
        self.message.info(f"Removed {what} from the cart.")

    def total(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.cart), Decimal("0.00"))

    def refresh_totals(self) -> None:
        items = sum(line.quantity for line in self.cart)
        refused = self.scans.refused
        note = f" · {refused} scan(s) refused, not in the cart" if refused else ""
        self.query_one("#totals", Static).update(f"Total {self.total()} · {items} item(s){note}")

    # --- customer ---------------------------------------------------------

    @property
    def matches(self) -> CustomerMatches:
        return self.query_one("#suggestions", CustomerMatches)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "customer":
            return
        self.customer_id = None
        text = event.value.strip()
        if len(text) < 2:
            self.matches.show_matches([], "")
            return
        found = self.call(search_customers, text, limit=SHOWN + 1)
        self.matches.show_matches(found or [], text)

    def action_next_match(self, by: int) -> None:
        self.matches.move(by)

    def pick_customer(self) -> None:
        """Enter in the customer field: the highlighted match, or a new customer if none."""
        if self.customer_id is not None:
            self.query_one("#scan", Input).focus()
            return
        chosen = self.matches.highlighted
        if chosen is None:
            self.action_new_customer()
            return
        self.set_customer(chosen.id, chosen.name, chosen.phone)

    def set_customer(self, customer_id: int, name: str, phone: str) -> None:
        field = self.query_one("#customer", Input)
        with field.prevent(Input.Changed):
            field.value = f"{name} {phone}".strip()
        self.customer_id = customer_id
        self.matches.show_chosen(name, phone)
        self.query_one("#scan", Input).focus()

    def action_new_customer(self) -> None:
        typed = self.query_one("#customer", Input).value.strip()

        def done(result: tuple[int, str] | None) -> None:
            customer = self.call(find_customer, f"#{result[0]}") if result else None
            if customer is not None:
                self.set_customer(customer.id, customer.name, customer.phone)

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
        self.save(
            sell_and_queue_cards,
            self.ctx,
            [line.item for line in self.cart],
            self.app.seat_name,
            customer_id=self.customer_id,
            payment_method=payment.method,
            tendered=payment.tendered,
            then=self.sold,
            what="Saving the sale",
        )

    def sold(self, sold: Sold) -> None:
        result = sold.sale
        change = f" · change {result.change}" if result.change else ""
        done = f"Sale {result.number} complete: {result.total} {result.payment_method}{change}"
        self.reset()
        if sold.card_refusal:
            self.message.fail(f"{done}. Cards not queued: {sold.card_refusal}")
        else:
            self.message.ok(done)
        if sold.queued:
            self.app.kick_printer()
            self.show_card(sold.queued[0].text, len(sold.queued))
        if sold.offered:
            self.offer_cards(sold.offered, len(sold.queued), done)
        if self.held:  # the scans that waited will take the message line: say it twice
            self.app.notify(done, title="Sale saved", markup=False)

    def offer_cards(self, offered: tuple[Card, ...], queued: int, done: str) -> None:
        def queue(_jobs: list[int]) -> None:
            self.app.kick_printer()
            self.show_card(offered[0].text, queued + len(offered))
            self.message.ok(done)

        def answer(yes: bool | None) -> None:
            if yes:
                self.save(
                    printing.queue_cards,
                    self.ctx,
                    list(offered),
                    seat=self.app.seat_name,
                    then=queue,
                    what="Queueing the warranty cards",
                    refused=lambda e: self.message.fail(f"{done}. Cards not queued: {e.message}"),
                )

        self.app.push_screen(Confirm(f"Print {len(offered)} warranty card(s)?"), answer)

    def show_card(self, text: str, count: int) -> None:
        card = self.query_one("#card", Static)
        card.update(plain(f"{count} card(s) queued for printing:\n{text}"))
        card.display = True
        self.query_one(DataTable).display = False

    def show_cart(self) -> None:
        self.query_one("#card").display = False
        self.query_one(DataTable).display = True

    def reset(self) -> None:
        """A new sale: the cart, customer and scan log start empty (but for a customer
        typed while the sale was being saved: the next one's)."""
        self.cart.clear()
        self.scans.clear_log()
        self.show_lines(0)
        if self.typed_meanwhile("#customer"):
            return
        self.customer_id = None
        customer = self.query_one("#customer", Input)
        with customer.prevent(Input.Changed):
            customer.value = ""
        self.matches.clear_matches()
        self.query_one("#scan", Input).focus()


def by_the_piece(line: CartLine) -> bool:
    """Goods without serials, not a kit: more of them add to one line."""
    return line.serial is None and not line.item.kit and not line.item.components


def same_goods(a: CartLine, b: CartLine) -> bool:
    return a.sku == b.sku and a.price == b.price


def shown_serial(line: CartLine) -> str:
    """The serial column: a unit's serial, or the parts of a kit put together at the counter."""
    if line.item.components:
        return "kit: " + ", ".join(line.item.components)
    if line.item.kit:
        return "kit"
    return line.serial or ""
