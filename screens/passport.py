"""A unit's whole life on one screen: who has it, its warranty, and its timeline.

Opened by any code the unit carries (app.services.counter.lookup): a code on several
units, or a sale's number, lists them instead, and Enter on a row opens that unit's
passport; a warranty number of goods without serials shows that warranty."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.domain.errors import DomainError
from app.domain.roles import Action, allowed
from app.services.counter import printing
from app.services.counter.lookup import Resolved, WarrantyView, resolve, unit_passport
from app.services.counter.passport import Passport
from app.services.counter.replacement_chain import ReplacedUnit
from app.services.stock import adjustments
from screens.base import CounterScreen
from screens.modals.approval import ManagerApproval
from screens.modals.ask import AskText
from screens.modals.card_preview import CardPreview
from screens.widgets.columns import add_fixed_columns
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, markup

# (label, width): 63 characters of cells, with their padding, the focus marker and the
# scroll bar 80 columns; the date over the time in When.
COLUMNS = (
    ("When", 10),
    ("Event", 9),
    ("From → to", 10),
    ("Where", 7),
    ("Who", 7),
    ("Doc", 8),
    ("Note", 12),
)
# A sale's lines, or the units a code is on: the same 63 characters.
SALE_COLUMNS = (
    ("Line", 6),
    ("SKU", 9),
    ("Product", 16),
    ("Serial / warranty no.", 20),
    ("Qty", 4),
    ("Returned", 8),
)
CHOICE_COLUMNS = (("Serial", 20), ("SKU", 9), ("Product", 22), ("State", 12))


class PassportScreen(CounterScreen):
    TITLE = "Passport"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "reprint", "Reprint card", id="passport.reprint"),
        Binding("ctrl+w", "write_off", "Write off", id="passport.write_off"),
    ]

    def __init__(self, serial: str, *, unit_id: int | None = None) -> None:
        super().__init__()
        self.serial = serial  # the code as scanned: a serial, IMEI, GS1, warranty or sale
        self.unit_id = unit_id  # a unit chosen from a list
        self.data: Passport | None = None
        self.links: dict[str, int] = {}  # a listed row's key: the unit it opens

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield Static(id="passport-header")
        yield Static(id="warranty")
        yield ErrorLine(id="message")
        yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        # Fixed widths that fit 80 columns; a row grows as tall as its longest cell, so a
        # long note is read whole, wrapped, not cut at the screen's edge.
        add_fixed_columns(self.query_one(DataTable), *COLUMNS)
        # The look-up reads the ledger in a worker: a slow disk or a busy PostgreSQL never
        # freezes the seat, and keys pressed meanwhile wait their turn.
        today = self.ctx.today()
        if self.unit_id is not None:
            self.save(
                unit_passport, self.unit_id, today, then=self.loaded, refused=self.not_found,
                what="Looking up",
            )  # fmt: skip
        else:
            self.save(
                resolve, self.serial, today=today, then=self.found, refused=self.not_found,
                what="Looking up",
            )  # fmt: skip

    def loaded(self, data: Passport) -> None:
        self.data = data
        self.show(data)
        self.query_one(DataTable).focus()

    def found(self, found: Resolved) -> None:
        self.data = found.passport
        if self.data is None:
            self.show_found(found)
        else:
            self.show(self.data)
            if found.also:
                self.message.info(found.also)
            elif found.code.upper() != self.data.serial:
                self.message.info(f"{upper_first(found.kind.label)} {self.serial}")
        self.query_one(DataTable).focus()

    def not_found(self, error: DomainError) -> None:
        self.query_one("#passport-header", Static).update(f"Serial: {markup(self.serial)}")
        self.message.fail(error.message)

    # --- what a code named, when it is not one unit ------------------------------

    def show_found(self, found: Resolved) -> None:
        """A warranty number, or a list to choose a unit from: a sale's lines, or the
        units a code is on."""
        header = self.query_one("#passport-header", Static)
        if found.warranty is not None:
            header.update(warranty_header(found.warranty))
            self.show_warranty_number(found.warranty)
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        warranty = self.query_one("#warranty", Static)
        warranty.set_classes("warranty none")
        if found.sale is not None:
            sale = found.sale
            header.update(
                f"[b]{markup(upper_first(found.kind.label))} {markup(sale.number)}[/b] "
                f"{sale.date} at {markup(sale.branch)}"
                + (f" · customer {markup(sale.customer)}" if sale.customer else "")
            )
            add_fixed_columns(table, *SALE_COLUMNS)
            for line in sale.lines:
                code = line.serial or " ".join(line.warranty_numbers)
                key = table.add_row(
                    cell(line.line_id),
                    cell(line.sku, wrap=True),
                    cell(line.product, wrap=True),
                    cell(code, wrap=True),
                    cell(line.quantity),
                    cell(line.returned or ""),
                    height=None,
                )
                if line.unit_id is not None:
                    self.links[key.value] = line.unit_id
        else:
            header.update(
                f"[b]{markup(found.code)}[/b] ({markup(found.kind.label)}) is on "
                f"{len(found.choices)} units"
            )
            add_fixed_columns(table, *CHOICE_COLUMNS)
            for choice in found.choices:
                key = table.add_row(
                    cell(choice.serial, wrap=True),
                    cell(choice.sku, wrap=True),
                    cell(choice.product, wrap=True),
                    cell(choice.state_label, wrap=True),
                    height=None,
                )
                self.links[key.value] = choice.unit_id
        warranty.update("Enter on a unit opens its passport" if self.links else "No units")

    def show_warranty_number(self, w: WarrantyView) -> None:
        warranty = self.query_one("#warranty", Static)
        if w.warranty_active:
            warranty.update(
                f"Warranty active: {w.warranty_days_left} days left, until {w.warranty_end}"
            )
            warranty.set_classes("warranty active")
        elif w.state != "active":
            warranty.update(f"Warranty {markup(w.state)}")
            warranty.set_classes("warranty none")
        else:
            warranty.update(f"Warranty expired on {w.warranty_end}")
            warranty.set_classes("warranty expired")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        unit_id = self.links.get(event.row_key.value)
        if unit_id is not None:
            event.stop()
            self.app.push_screen(PassportScreen(self.serial, unit_id=unit_id))

    def show(self, p: Passport) -> None:
        m = markup
        lines = [
            f"[b]{m(p.serial)}[/b]  {m(p.product)} ({m(p.sku)}) · {m(p.product_type)}, "
            f"{m(p.tracking_mode)}",
            f"State: [b]{m(p.state_label)}[/b]"
            + (f" at {m(p.branch)}" if p.branch else "")
            + (f" · customer {m(p.customer)} {m(p.customer_phone)}" if p.customer else ""),
        ]
        if p.receipt:
            lines.append(
                f"Received {p.receipt.date} {m(p.receipt.number)} from {m(p.supplier or '-')}"
                + (f", cost {p.cost}" if p.cost is not None else "")
            )
        if p.sale:
            s = p.sale
            lines.append(
                f"Sold {s.date} {m(s.number)} at {m(s.branch)} by {m(s.employee)}"
                + (f" for {s.price}" if s.price is not None else "")
            )
        extra = []
        if p.repairs:
            extra.append(
                "repairs " + ", ".join(f"{m(r.number)} ({m(r.status)})" for r in p.repairs)
            )
        if p.returns:
            extra.append("returns " + ", ".join(m(r.number) for r in p.returns))
        if p.replaces and not p.chain:
            extra.append(f"replaces {m(p.replaces)}")
        if p.replaced_by:
            extra.append("replaced by " + m(", ".join(p.replaced_by)))
        if p.flag:
            extra.append(f"[b]flag:[/b] {m(p.flag)}")
        if extra:
            lines.append(" · ".join(extra))
        lines += [chain_line(link) for link in p.chain]
        self.query_one("#passport-header", Static).update("\n".join(lines))
        self.show_warranty(p)
        table = self.query_one(DataTable)
        table.clear()
        for row in p.history:
            moved = f"{row.from_state or 'new'} → {row.to_state}".replace("_", " ")
            table.add_row(
                cell(row.at.astimezone().strftime("%Y-%m-%d %H:%M"), wrap=True),
                cell(row.event.replace("_", " "), wrap=True),
                cell(moved, wrap=True),
                cell(row.branch, wrap=True),
                cell(row.employee, wrap=True),
                cell(row.document or "", wrap=True),
                cell(row.note, wrap=True),
                height=None,
            )

    def show_warranty(self, p: Passport) -> None:
        warranty = self.query_one("#warranty", Static)
        if p.warranty_end is None:
            warranty.update("No warranty on record")
            warranty.set_classes("warranty none")
        elif p.replaced_by and not p.warranty_active:
            warranty.update(
                f"Warranty moved to {markup(', '.join(p.replaced_by))} (until {p.warranty_end})"
            )
            warranty.set_classes("warranty none")
        elif p.warranty_active:
            warranty.update(
                f"Warranty active: {p.warranty_days_left} days left, until {p.warranty_end}"
            )
            warranty.set_classes("warranty active")
        elif not p.warranty_held:
            warranty.update(
                f"No warranty running: the unit is {markup(p.state_label)}, not with a customer "
                f"(the last customer's ran until {p.warranty_end})"
            )
            warranty.set_classes("warranty none")
        else:
            warranty.update(f"Warranty expired on {p.warranty_end}")
            warranty.set_classes("warranty expired")

    def action_reprint(self) -> None:
        if self.data is None:
            return
        card = self.call(printing.card_for_serial, self.data.serial)
        if card is None:
            return

        def queued(_job) -> None:
            self.app.kick_printer()
            self.message.ok("Card queued for printing.")
            self.app.push_screen(CardPreview(card.text))

        self.save(
            printing.queue, self.ctx, card, seat=self.app.seat_name, then=queued, what="Queuing"
        )

    def action_write_off(self) -> None:
        """Write the unit off with a reason; a cashier needs a manager's PIN for it."""
        if self.data is None:
            return
        serial = self.data.serial

        def written_off(done: adjustments.AdjustmentResult) -> None:
            self.reload(f"{serial} written off ({done.number}).")

        def write_off(reason: str, approver=None) -> None:
            self.save(
                adjustments.adjust,
                self.ctx,
                "write_off",
                serials=[serial],
                reason=reason,
                approver=approver,
                then=written_off,
                what="Writing off",
            )

        def with_reason(reason: str | None) -> None:
            if not reason:
                return
            if allowed(self.ctx.role, Action.WRITE_OFF):
                write_off(reason)
                return
            self.app.push_screen(
                ManagerApproval(f"write off {serial}"),
                lambda approver: approver and write_off(reason, approver),
            )

        self.app.push_screen(
            AskText(f"Why is {serial} written off?", "damaged, lost..."), with_reason
        )

    def reload(self, done: str) -> None:
        """Look the unit up again after ``done`` (said once the passport is back)."""

        def loaded(data: Passport) -> None:
            self.loaded(data)
            self.message.ok(done)

        if self.data is not None:
            self.save(unit_passport, self.data.unit_id, self.ctx.today(), then=loaded,
                      refused=self.not_found, what="Looking up")  # fmt: skip


def chain_line(link: ReplacedUnit) -> str:
    """One unit this one replaced (directly or further back), with its claims."""
    claims = [markup(f"{c.number} {c.opened} {c.complaint[:24]} ({c.status})") for c in link.claims]
    if link.without_ticket:
        claims.append("no ticket")
    return (
        f"[b]replaces[/b] {markup(link.serial)} {markup(link.sku)}, swapped "
        f"{link.replaced_on or '-'} {markup(link.replacement)} · claims: "
        f"{'; '.join(claims) or 'none'}"
    )


def warranty_header(w: WarrantyView) -> str:
    """A warranty number of goods sold without serials: what, when, to whom, its repairs."""
    m = markup
    lines = [
        f"[b]Warranty {m(w.number)}[/b]  {m(w.product)} ({m(w.sku)})",
        f"Sold {w.sold_on} {m(w.sale)}" + (f" · customer {m(w.customer)}" if w.customer else ""),
    ]
    if w.repairs:
        lines.append("repairs " + m(", ".join(w.repairs)))
    return "\n".join(lines)


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
