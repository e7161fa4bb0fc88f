"""A unit's whole life on one screen: who has it, its warranty, and its timeline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.domain.errors import DomainError
from app.domain.roles import Action, allowed
from app.services.counter import printing
from app.services.counter.passport import Passport, passport
from app.services.counter.replacement_chain import ReplacedUnit
from app.services.stock import adjustments
from screens.base import CounterScreen
from screens.modals.approval import ManagerApproval
from screens.modals.ask import AskText
from screens.modals.card_preview import CardPreview
from screens.widgets.errorline import ErrorLine


class PassportScreen(CounterScreen):
    TITLE = "Passport"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "reprint", "Reprint card", id="passport.reprint"),
        Binding("ctrl+w", "write_off", "Write off", id="passport.write_off"),
    ]

    def __init__(self, serial: str) -> None:
        super().__init__()
        self.serial = serial
        self.data: Passport | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield Static(id="passport-header")
        yield Static(id="warranty")
        yield ErrorLine(id="message")
        yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When", "Event", "From → to", "Where", "Who", "Doc", "Note")
        try:
            self.data = passport(self.serial, today=self.ctx.today())
        except DomainError as exc:
            self.query_one("#passport-header", Static).update(f"Serial: {self.serial}")
            self.message.fail(exc.message)
            return
        self.show(self.data)
        table.focus()

    def show(self, p: Passport) -> None:
        lines = [
            f"[b]{p.serial}[/b]  {p.product} ({p.sku}) · {p.product_type}, {p.tracking_mode}",
            f"State: [b]{p.state_label}[/b]"
            + (f" at {p.branch}" if p.branch else "")
            + (f" · customer {p.customer} {p.customer_phone}" if p.customer else ""),
        ]
        if p.receipt:
            lines.append(
                f"Received {p.receipt.date} {p.receipt.number} from {p.supplier or '-'}"
                + (f", cost {p.cost}" if p.cost is not None else "")
            )
        if p.sale:
            lines.append(
                f"Sold {p.sale.date} {p.sale.number} at {p.sale.branch} by {p.sale.employee}"
                + (f" for {p.sale.price}" if p.sale.price is not None else "")
            )
        extra = []
        if p.repairs:
            extra.append("repairs " + ", ".join(f"{r.number} ({r.status})" for r in p.repairs))
        if p.returns:
            extra.append("returns " + ", ".join(r.number for r in p.returns))
        if p.replaces and not p.chain:
            extra.append(f"replaces {p.replaces}")
        if p.replaced_by:
            extra.append("replaced by " + ", ".join(p.replaced_by))
        if p.flag:
            extra.append(f"[b]flag:[/b] {p.flag}")
        if extra:
            lines.append(" · ".join(extra))
        lines += [chain_line(link) for link in p.chain]
        self.query_one("#passport-header", Static).update("\n".join(lines))
        warranty = self.query_one("#warranty", Static)
        if p.warranty_end is None:
            warranty.update("No warranty on record")
            warranty.set_classes("warranty none")
        elif p.replaced_by and not p.warranty_active:
            warranty.update(
                f"Warranty moved to {', '.join(p.replaced_by)} (until {p.warranty_end})"
            )
            warranty.set_classes("warranty none")
        elif p.warranty_active:
            warranty.update(
                f"Warranty active: {p.warranty_days_left} days left, until {p.warranty_end}"
            )
            warranty.set_classes("warranty active")
        elif not p.warranty_held:
            warranty.update(
                f"No warranty running: the unit is {p.state_label}, not with a customer "
                f"(the last customer's ran until {p.warranty_end})"
            )
            warranty.set_classes("warranty none")
        else:
            warranty.update(f"Warranty expired on {p.warranty_end}")
            warranty.set_classes("warranty expired")
        table = self.query_one(DataTable)
        table.clear()
        for row in p.history:
            moved = f"{row.from_state or 'new'} → {row.to_state}"
            table.add_row(
                row.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                row.event.replace("_", " "),
                moved,
                row.branch,
                row.employee,
                row.document or "",
                row.note,
            )

    def action_reprint(self) -> None:
        if self.data is None:
            return
        card = self.call(printing.card_for_serial, self.data.serial)
        if card is None:
            return
        self.call(printing.queue, self.ctx, card, seat=self.app.seat_name)
        self.app.kick_printer()
        self.message.ok("Card queued for printing.")
        self.app.push_screen(CardPreview(card.text))

    def action_write_off(self) -> None:
        """Write the unit off with a reason; a cashier needs a manager's PIN for it."""
        if self.data is None:
            return
        serial = self.data.serial

        def write_off(reason: str, approver=None) -> None:
            done = self.call(
                adjustments.adjust,
                self.ctx,
                "write_off",
                serials=[serial],
                reason=reason,
                approver=approver,
            )
            if done is not None:
                self.message.ok(f"{serial} written off ({done.number}).")
                self.reload()

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

    def reload(self) -> None:
        self.data = self.call(passport, self.serial, today=self.ctx.today())
        if self.data is not None:
            self.show(self.data)


def chain_line(link: ReplacedUnit) -> str:
    """One unit this one replaced (directly or further back), with its claims."""
    claims = [f"{c.number} {c.opened} {c.complaint[:24]} ({c.status})" for c in link.claims]
    if link.without_ticket:
        claims.append("no ticket")
    return (
        f"[b]replaces[/b] {link.serial} {link.sku}, swapped {link.replaced_on or '-'} "
        f"{link.replacement} · claims: {'; '.join(claims) or 'none'}"
    )
