"""Repairs: the open tickets, intake of a customer's unit, and one ticket's work."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from app.domain.repairs import UNCHECKED, RepairStatus
from app.domain.roles import Role
from app.services.counter import repair_tickets, repairs, replacements
from app.services.counter.repair_tickets import TicketView
from app.services.counter.repairs import ClaimSummary
from screens.base import CounterScreen
from screens.modals.approval import ManagerApproval
from screens.modals.ask import AskText
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, markup, plain


class RepairsScreen(CounterScreen):
    """Open tickets; scan a serial or warranty number to take a unit in."""

    TITLE = "Repairs"

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Intake", classes="label")
            yield Input(
                placeholder="scan serial or warranty number to take a unit in",
                id="scan",
                compact=True,
            )
        yield ErrorLine(id="message")
        yield Static("Open tickets (Enter opens one)", classes="panel")
        yield DataTable(id="tickets", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(
            "Ticket", "Status", "Unit", "Product", "Customer", "Cover"
        )
        self.query_one("#scan", Input).focus()

    def on_screen_resume(self) -> None:
        self.load()
        # Back on the list a scan belongs in the intake field: with the list focused, a
        # scanner's Enter would open whichever ticket is highlighted.
        self.query_one("#scan", Input).focus()

    def load(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for t in repair_tickets.open_tickets(self.ctx.branch_id):
            table.add_row(
                cell(t.number),
                t.status.replace("_", " "),
                cell(t.serial or t.warranty_number),
                cell(t.product[:20]),
                cell(t.customer[:16]),
                "yes" if t.covered else "no",
                key=t.number,
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        event.input.value = ""
        if not code:
            return
        summary = self.call(repairs.propose_decision, code, today=self.ctx.today())
        if summary is not None:
            self.app.push_screen(IntakeScreen(summary))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(TicketScreen(str(event.row_key.value)))


class IntakeScreen(CounterScreen):
    TITLE = "Repair intake"
    BINDINGS = [
        Binding("escape", "back", "Cancel", id="intake.back"),
        Binding("f10", "take_in", "Open ticket", id="intake.save"),
    ]

    def __init__(self, summary: ClaimSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        yield self.seat_bar()
        yield Static(
            f"[b]{markup(s.code)}[/b] {markup(s.product)} · {s.state} · "
            f"{markup(s.customer or 'no customer')}\n"
            f"Bought {s.sold_on or '-'} · warranty until {s.warranty_end or '-'} "
            f"({s.days_left} days left) · earlier repairs: {s.earlier_repairs}"
            + (
                f"\nReplaces {markup(' ← '.join(s.replaced))} · "
                f"{s.earlier_on_replaced} of the earlier claims were on them"
                if s.replaced
                else ""
            ),
            classes="panel",
        )
        yield Static(id="decision", classes="warranty")
        for field, label, hint in (
            ("complaint", "Complaint", "what the customer says is wrong"),
            ("condition", "Condition", "scratches, dents, screen..."),
            ("accessories", "With", "charger, box, case..."),
            ("technician", "Technician", "login (optional)"),
        ):
            with Horizontal(classes="form-line"):
                yield Label(label, classes="label")
                yield Input(placeholder=hint, id=field, compact=True)
        yield Checkbox("Damage outside normal use (not covered)", id="damage", compact=True)
        yield ErrorLine(id="message")
        yield self.footer()

    def on_mount(self) -> None:
        self.show_decision(self.summary)
        self.query_one("#complaint", Input).focus()

    def show_decision(self, s: ClaimSummary) -> None:
        label = "Proposed: COVERED" if s.covered else "Proposed: NOT covered"
        decision = self.query_one("#decision", Static)
        decision.update(plain(f"{label} · {s.reason}"))
        decision.set_classes("warranty " + ("active" if s.covered else "expired"))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        summary = self.call(
            repairs.propose_decision, self.summary.code, damage=event.value, today=self.ctx.today()
        )
        if summary is not None:
            self.show_decision(summary)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_take_in(self) -> None:
        value = {
            f: self.query_one(f"#{f}", Input).value
            for f in ("complaint", "condition", "accessories", "technician")
        }
        self.save(
            repairs.intake,
            self.ctx,
            self.summary.code,
            complaint=value["complaint"],
            intake_condition=value["condition"],
            accessories=value["accessories"],
            technician=value["technician"] or None,
            damage=self.query_one(Checkbox).value,
            then=self.opened,
            what="Opening the ticket",
        )

    def opened(self, ticket) -> None:
        self.app.notify(
            f"Ticket {ticket.number} opened for {ticket.serial or ticket.warranty_number}",
            markup=False,
        )
        if not self.is_current:  # the person went to another screen while it was saved
            self.message.ok(f"Ticket {ticket.number} opened: Esc goes back.")
            return
        self.app.pop_screen()
        self.app.push_screen(TicketScreen(ticket.number))


class TicketScreen(CounterScreen):
    TITLE = "Repair ticket"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "apply_status", "Set status", id="ticket.status"),
        Binding("ctrl+a", "add_part", "Add part", id="ticket.part"),
        Binding("f9", "collect", "Collected", id="ticket.collect"),
        Binding("ctrl+r", "replace", "Replace unit", id="ticket.replace"),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.status: RepairStatus | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield Static(id="ticket", classes="panel")
        with Horizontal(classes="form-line"):
            yield Label("Status", classes="label")
            yield Select(
                [],
                allow_blank=True,
                id="status",
                compact=True,
                prompt="next status",
            )
            yield Label("Note", classes="label")
            yield Input(placeholder="note for this change", id="note", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Diagnosis", classes="label")
            yield Input(id="diagnosis", compact=True)
        yield ErrorLine(id="message")
        yield DataTable(id="history", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("When", "From", "To", "Who", "Note")
        self.load()
        self.query_one("#status", Select).focus()

    def load(self) -> None:
        view = self.call(repair_tickets.ticket_view, self.number)
        if view is None:
            return
        self.show(view)

    def show(self, t: TicketView) -> None:
        self.status = None if t.closed else RepairStatus(t.status)
        m = markup  # stored text, read literally
        parts = ", ".join(f"{m(d)} x{q} ({c})" for d, q, c in t.parts) or "none"
        status = "closed: collected" if t.closed else t.status.replace("_", " ")
        self.query_one("#ticket", Static).update(
            f"[b]{t.number}[/b] {status} · {m(t.serial or t.warranty_number)} "
            f"{m(t.product)} · {m(t.customer) or '-'}\n"
            f"Complaint: {m(t.complaint)} · with: {m(t.accessories) or '-'} · condition: "
            f"{m(t.intake_condition) or '-'}\n"
            f"{'COVERED' if t.covered else 'NOT covered'}: {m(t.decision_reason)} · "
            f"tech: {m(t.technician) or '-'} · parts: {parts}"
            + (f"\nDiagnosis: {m(t.diagnosis)}" if t.diagnosis else "")
            + (f" · outcome: {m(t.outcome)}" if t.outcome else "")
        )
        self.show_next(t)
        diagnosis = self.query_one("#diagnosis", Input)
        if not diagnosis.value:
            diagnosis.value = t.diagnosis
        table = self.query_one(DataTable)
        table.clear()
        for change in t.changes:
            table.add_row(
                change.at.astimezone().strftime("%m-%d %H:%M"),
                (change.from_status or "").replace("_", " "),
                change.to_status.replace("_", " "),
                cell(change.employee),
                cell(change.note),
            )

    def show_next(self, t: TicketView) -> None:
        """The selector offers only where the ticket may go next; a closed one, nothing."""
        select = self.query_one("#status", Select)
        select.set_options([(RepairStatus(s).label, s) for s in t.next_statuses])
        select.prompt = "ticket closed" if t.closed else "next status"
        select.disabled = t.closed

    def action_apply_status(self) -> None:
        status = self.query_one("#status", Select).value
        if status is Select.NULL:
            self.message.fail("Choose the next status first.")
            return

        def changed(view: TicketView) -> None:
            if not self.typed_meanwhile("#note"):
                self.query_one("#note", Input).value = ""
            self.show(view)
            self.message.ok(f"Status now {view.status.replace('_', ' ')}.")

        self.save(
            repairs.change_status,
            self.ctx,
            self.number,
            str(status),
            note=self.query_one("#note", Input).value,
            diagnosis=self.query_one("#diagnosis", Input).value,
            then=changed,
            what="Saving the status",
        )

    def action_add_part(self) -> None:
        def done(text: str | None) -> None:
            if not text:
                return
            desc, _, cost = text.partition(";")
            self.save(
                repairs.add_part,
                self.ctx,
                self.number,
                desc,
                cost=cost.strip() or "0",
                then=self.show,
                what="Adding the part",
            )

        self.app.push_screen(AskText("Part used", "description; cost  (e.g. Battery; 25.00)"), done)

    def action_collect(self) -> None:
        def collected(view: TicketView) -> None:
            self.show(view)
            self.message.ok("Collected: the ticket is closed.")

        def done(outcome: str | None) -> None:
            if outcome:
                self.save(
                    repairs.collect,
                    self.ctx,
                    self.number,
                    outcome=outcome,
                    then=collected,
                    what="Closing the ticket",
                )

        status = self.status
        if status in UNCHECKED:  # not checked yet: it goes back as it is, not "repaired"
            question = f"Outcome: the unit goes back from {status.label}, not checked"
            self.app.push_screen(AskText(question, "taken back unrepaired..."), done)
            return
        self.app.push_screen(
            AskText("Outcome (unit handed back)", "repaired, no fault found..."), done
        )

    def action_replace(self) -> None:
        ticket = self.call(repair_tickets.ticket_view, self.number)
        if ticket is None or not ticket.serial:
            self.message.fail("Only a unit with a serial can be replaced.")
            return

        def replaced(result) -> None:
            self.message.ok(
                f"{result.number}: {result.old_serial} replaced by "
                f"{result.new_serial}, warranty until {result.warranty_end}."
            )
            self.load()

        def replace(new_serial: str, note: str = "", approver=None) -> None:
            self.save(
                replacements.replace,
                self.ctx,
                ticket.serial,
                new_serial,
                ticket=self.number,
                note=note,
                approver=approver,
                then=replaced,
                what="Replacing the unit",
            )

        def scanned(new_serial: str | None) -> None:
            if not new_serial:
                return
            check = self.call(replacements.check, self.ctx, ticket.serial, new_serial)
            if check is None:
                return
            if not check.needs_approval:
                replace(new_serial)
                return
            # Another product of the same type: a manager approves, with a note saying why.
            what = f"{check.new_product} for {check.old_product}"

            def with_note(approver) -> None:
                self.app.push_screen(
                    AskText(f"Why {what}?", "e.g. the model is no longer made"),
                    lambda note: note and replace(new_serial, note, approver),
                )

            if self.ctx.role is Role.MANAGER:
                with_note(None)
            else:
                self.app.push_screen(
                    ManagerApproval(f"replace with {what}"),
                    lambda approver: approver and with_note(approver),
                )

        self.app.push_screen(AskText("Scan the replacement unit (from stock here)"), scanned)
