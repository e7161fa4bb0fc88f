"""Returns: scan the serial (or type the sale number), see the sale, record condition,
disposition and refund, confirm. What strict mode refuses is refused with the reason.

With a sale loaded, a scan is checked against that sale (the service's rule, as on the
command line): another sale's unit is refused, and Esc clears the sale to take it.
"""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.errors import DomainError
from app.services.counter.return_matching import DISPOSITIONS, ReturnItem
from app.services.counter.returns import (
    ReturnResult,
    SaleView,
    customer_return,
    line_on_sale,
    sale_for_serial,
    sale_view,
)
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, markup

NO_SALE = "Scan the returned unit or type its sale number."
DEFAULT = ReturnItem()  # the condition and disposition every return starts from


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
        yield Static(NO_SALE, id="sale", classes="panel")
        with Horizontal(classes="form-line"):
            yield Label("Condition", classes="label")
            yield Input(value=DEFAULT.condition, id="condition", compact=True)
            yield Label("Refund", classes="label")
            yield Input(placeholder="auto", id="refund", compact=True, restrict=r"[0-9.,]*")
        with Horizontal(classes="form-line"):
            yield Label("Goes to", classes="label")
            yield Select(
                [(d.label, d.value) for d in DISPOSITIONS],
                value=DEFAULT.disposition,
                allow_blank=False,
                id="disposition",
                compact=True,
            )
            yield Label("Reason", classes="label")
            yield Input(placeholder="why it comes back", id="reason", compact=True)
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
        if text:
            self.scan(text)

    def scan(self, text: str) -> None:
        """A serial or warranty number marks its line; a sale number loads the sale."""
        # During a save scans wait, then go in order: into the next return once it is saved.
        if self.hold(self.scan, text):
            return
        if text.upper().startswith("S-"):
            if self.sale is not None and self.chosen and text.upper() != self.sale.number:
                self.message.fail(
                    f"Items of {self.sale.number} are marked for return: F10 refunds them, "
                    "Esc clears the sale."
                )
                return
            view = self.call(sale_view, text)
            if view is not None:
                self.show_sale(view)
                self.message.info("Enter on a line marks it for return.")
                self.query_one(DataTable).focus()
            return
        if self.sale is None:
            found = self.call(sale_for_serial, text)
            if found is None:
                return
            self.show_sale(found[0])
        try:
            scanned = line_on_sale(self.sale.number, text)
        except DomainError as exc:
            self.message.fail(f"{exc.message} Esc clears this sale.")
            return
        self.mark_line(scanned.line_id, (scanned.kind, scanned.code))

    def show_sale(self, view: SaleView) -> None:
        if self.sale is not None and self.sale.number != view.number:
            self.reset_fields()  # what was set for one sale is not the next one's
        self.sale = view
        self.chosen.clear()
        customer = markup(view.customer) if view.customer else "no customer recorded"
        self.query_one("#sale", Static).update(
            f"Sale [b]{markup(view.number)}[/b] on {view.date} at {markup(view.branch)} · "
            f"{customer}"
        )
        self.show_lines()

    def show_lines(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for line in self.sale.lines:
            mark = "← return" if line.line_id in self.chosen else ""
            table.add_row(
                str(line.line_id),
                cell(line.name[:24]),
                cell(line.serial),
                str(line.quantity),
                str(line.returned),
                str(line.price),
                mark,
                key=str(line.line_id),
            )

    def reset_fields(self) -> None:
        """Condition, destination, reason and refund back to where every return starts
        (but for what was typed while a return was being saved: the next one's)."""
        self.query_one("#disposition", Select).value = DEFAULT.disposition
        for name, value in (("condition", DEFAULT.condition), ("reason", ""), ("refund", "")):
            if not self.typed_meanwhile(f"#{name}"):
                self.query_one(f"#{name}", Input).value = value

    def clear_sale(self) -> None:
        self.sale = None
        self.chosen.clear()
        self.query_one(DataTable).clear()
        self.query_one("#sale", Static).update(NO_SALE)
        self.reset_fields()
        self.query_one("#scan", Input).focus()

    def action_back(self) -> None:
        """Esc clears a loaded sale first (to take another one); then it goes back."""
        if self.sale is None:
            super().action_back()
            return
        number = self.sale.number

        def clear(yes: bool | None = True) -> None:
            if yes:
                self.clear_sale()
                self.message.info(f"{number} cleared: scan the next unit or type a sale number.")

        if not self.chosen:
            clear()
            return
        marked = sum(count for _kind, _code, count, _price in self.chosen.values())
        self.app.push_screen(Confirm(f"Clear {number} and the {marked} item(s) marked?"), clear)

    def mark_line(self, line_id: int, scanned: tuple[str, str] | None = None) -> None:
        """Mark one more of a sale line for return: by what was scanned (a serial or a
        warranty number), else by its recorded serial, else by the line itself."""
        if self.sale is None:  # a line picked while its return was being saved
            self.message.fail(NO_SALE)
            return
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
            if scanned is not None:
                kind, code = scanned
            elif line.serial:
                kind, code = "serial", line.serial
            else:
                kind, code = "line", ""
            self.chosen[line_id] = (kind, code, count + 1, line.price)
            self.show_lines()
            self.message.ok(f"{line.name} {code} marked for return. F10 to refund.")
            return

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if not self.hold(self.mark_line, int(event.row_key.value)):
            self.mark_line(int(event.row_key.value))

    def action_confirm(self) -> None:
        if self.sale is None or not self.chosen:
            self.message.fail("Scan the unit or mark a sale line first.")
            return
        condition = self.query_one("#condition", Input).value
        reason = self.query_one("#reason", Input).value.strip()
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
            if yes:
                self.save(
                    customer_return,
                    self.ctx,
                    items,
                    sale=self.sale.number,
                    reason=reason,
                    then=self.returned,
                    what="Saving the return",
                )

        self.app.push_screen(
            Confirm(f"Refund {total} and put the goods to '{disposition.replace('_', ' ')}'?"), done
        )

    def returned(self, result: ReturnResult) -> None:
        self.clear_sale()
        note = f" Note: {result.warnings[0]}" if result.warnings else ""
        self.message.ok(f"Return {result.number} saved: refund {result.refund}.{note}")
