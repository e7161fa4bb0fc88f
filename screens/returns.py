"""Returns: scan the serial (or type the sale number), see the sale, record condition,
disposition and refund, confirm. What strict mode refuses is refused with the reason."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from app.services.counter.return_matching import DISPOSITIONS, ReturnItem
from app.services.counter.returns import SaleView, customer_return, sale_for_serial, sale_view
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.widgets.errorline import ErrorLine


class ReturnsScreen(CounterScreen):
    TITLE = "Returns"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "confirm", "Refund", id="returns.confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sale: SaleView | None = None
        # line id -> (how it is identified, serial or warranty number, quantity, price)
        self.chosen: dict[int, tuple[str, str, int, Decimal]] = {}

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Scan", classes="label")
            yield Input(
                placeholder="serial, warranty number, or sale number (S-42)",
                id="scan",
                compact=True,
            )
        yield Static("Scan the returned unit or type its sale number.", id="sale", classes="panel")
        with Horizontal(classes="form-line"):
            yield Label("Condition", classes="label")
            yield Input(value="as new", id="condition", compact=True)
            yield Label("Refund", classes="label")
            yield Input(placeholder="auto", id="refund", compact=True, restrict=r"[0-9.,]*")
        with Horizontal(classes="form-line"):
            yield Label("Goes to", classes="label")
            yield Select(
                [(d.label, d.value) for d in DISPOSITIONS],
                value=DISPOSITIONS[0].value,
                allow_blank=False,
                id="disposition",
                compact=True,
            )
        yield ErrorLine(id="message")
        yield DataTable(id="lines", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Line", "Item", "Serial", "Sold", "Back", "Price", "")
        self.query_one("#scan", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "scan":
            self.focus_next()
            return
        text = event.value.strip()
        event.input.value = ""
        if not text:
            return
        if text.upper().startswith("S-"):
            view = self.call(sale_view, text)
            if view is not None:
                self.show_sale(view)
                self.message.info("Enter on a line marks it for return.")
                self.query_one(DataTable).focus()
            return
        if self.sale is not None and self.mark_serial(text):
            return
        found = self.call(sale_for_serial, text)
        if found is None:
            return
        view, line_id = found
        self.show_sale(view)
        self.mark_line(line_id, code=text.strip().upper())

    def show_sale(self, view: SaleView) -> None:
        self.sale = view
        self.chosen.clear()
        customer = view.customer or "no customer recorded"
        self.query_one("#sale", Static).update(
            f"Sale [b]{view.number}[/b] on {view.date} at {view.branch} · {customer}"
        )
        self.show_lines()

    def show_lines(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for line in self.sale.lines:
            mark = "← return" if line.line_id in self.chosen else ""
            table.add_row(
                str(line.line_id),
                line.name[:24],
                line.serial,
                str(line.quantity),
                str(line.returned),
                str(line.price),
                mark,
                key=str(line.line_id),
            )

    def mark_serial(self, text: str) -> bool:
        for line in self.sale.lines:
            if line.serial and line.serial == text.strip().upper():
                self.mark_line(line.line_id)
                return True
        return False

    def mark_line(self, line_id: int, code: str = "") -> None:
        """Mark one more of a sale line for return (by its serial, warranty number or line)."""
        for line in self.sale.lines:
            if line.line_id != line_id:
                continue
            if line.returned >= line.quantity:
                self.message.fail(f"{line.name} on this sale was already returned.")
                return
            _kind, _code, count, _price = self.chosen.get(line_id, ("", "", 0, line.price))
            left = line.quantity - line.returned
            if count + 1 > left:
                self.message.fail(f"Only {left} of {line.name} can come back.")
                return
            if line.serial:
                kind, code = "serial", line.serial
            elif code:
                kind = "warranty"
            else:
                kind = "line"
            self.chosen[line_id] = (kind, code, count + 1, line.price)
            self.show_lines()
            self.message.ok(f"{line.name} {code} marked for return. F10 to refund.")
            return

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.mark_line(int(event.row_key.value))

    def action_confirm(self) -> None:
        if self.sale is None or not self.chosen:
            self.message.fail("Scan the unit or mark a sale line first.")
            return
        condition = self.query_one("#condition", Input).value
        disposition = str(self.query_one("#disposition", Select).value)
        refund_text = self.query_one("#refund", Input).value.strip()
        items = []
        total = Decimal("0.00")
        for line_id, (kind, code, count, price) in self.chosen.items():
            item = ReturnItem(condition=condition, disposition=disposition)
            if kind == "serial":
                item.serial = code
            elif kind == "warranty":
                item.warranty_number = code
            else:
                item.sale_line, item.quantity = line_id, count
            items.append(item)
            total += price * count
        if refund_text and len(items) == 1:
            items[0].refund = refund_text
            total = refund_text

        def done(yes: bool | None) -> None:
            if not yes:
                return
            result = self.call(
                customer_return, self.ctx, items, sale=self.sale.number, reason=condition
            )
            if result is None:
                return
            note = f" Note: {result.warnings[0]}" if result.warnings else ""
            self.message.ok(f"Return {result.number} saved: refund {result.refund}.{note}")
            self.sale = None
            self.chosen.clear()
            self.query_one(DataTable).clear()
            self.query_one("#scan", Input).focus()

        self.app.push_screen(
            Confirm(f"Refund {total} and put the goods to '{disposition.replace('_', ' ')}'?"), done
        )
