"""Employees (manager): who works here, a form to add someone, and for the highlighted
person a new role, a PIN reset, or stopping/restoring their login."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.roles import Role
from app.services.shop import settings
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.settings_dialogs import AskPin, PickRole
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell

NEXT = {"login": "#name", "name": "#role", "branch": "#pin"}


class EmployeesScreen(CounterScreen):
    TITLE = "Employees"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add employee", id="staff.add"),
        Binding("f10", "role", "Change role", id="staff.role"),
        Binding("ctrl+r", "reset_pin", "Reset PIN", id="staff.pin", priority=True),
        Binding("ctrl+t", "toggle_active", "(De)activate", id="staff.active", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, settings.StaffRow] = {}

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield DataTable(id="staff", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-line"):
            yield Label("Login", classes="label")
            yield Input(placeholder="new login", id="login", compact=True)
            yield Label("Name", classes="label")
            yield Input(placeholder="full name", id="name", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Role", classes="label")
            yield Select([(r.value, r.value) for r in Role], id="role", compact=True, prompt="role")
            yield Input(placeholder="home branch", id="branch", compact=True)
            yield Input(placeholder="first PIN", id="pin", compact=True, password=True)
        yield Static(
            "F9 adds · on the highlighted row: F10 role · Ctrl+R PIN · Ctrl+T (de)activate",
            classes="hint",
        )
        yield ErrorLine(id="message")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Login", "Name", "Role", "Branch", "Status")
        self.query_one("#branch", Input).value = self.ctx.branch_code
        self.refresh_rows()
        self.query_one(DataTable).focus()

    def refresh_rows(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        keep = keep or self.selected_login()
        table.clear()
        self.rows = {row.login: row for row in settings.list_employees(self.ctx)}
        for row in self.rows.values():
            table.add_row(
                *map(cell, (row.login, row.name, row.role, row.branch, row.status)), key=row.login
            )
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def selected_login(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def selected(self) -> settings.StaffRow | None:
        login = self.selected_login()
        if login is None:
            self.message.fail("Nobody is highlighted in the list.")
            return None
        return self.rows[login]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in NEXT:
            self.query_one(NEXT[event.input.id]).focus()
        elif event.input.id == "pin":
            self.action_add()

    def action_add(self) -> None:
        role = self.query_one("#role", Select)
        if role.is_blank():
            self.message.fail("Choose the new employee's role.")
            return
        self.save(
            settings.add_employee,
            self.ctx,
            self.query_one("#login", Input).value,
            self.query_one("#name", Input).value,
            str(role.value),
            self.query_one("#pin", Input).value,
            self.query_one("#branch", Input).value,
            then=self.added,
            what="Adding the employee",
        )

    def added(self, added) -> None:
        for field in ("#login", "#name", "#pin"):
            if not self.typed_meanwhile(field):
                self.query_one(field, Input).value = ""
        self.query_one("#role", Select).clear()
        self.refresh_rows(keep=added.login)
        self.message.ok(f"Added {added.login} ({added.name}, {added.role}).")

    def changed(self, said: str) -> None:
        self.refresh_rows()
        self.message.ok(said)

    def action_role(self) -> None:
        row = self.selected()
        if row is None:
            return

        def chosen(role: str | None) -> None:
            if role is None or role == row.role:
                return
            said = f"{row.name} is now {role}."
            self.save(
                settings.set_role, self.ctx, row.login, role, then=lambda _: self.changed(said)
            )

        self.app.push_screen(PickRole(row.name, row.role), chosen)

    def action_reset_pin(self) -> None:
        row = self.selected()
        if row is None:
            return

        def typed(pin: str | None) -> None:
            if pin is None:
                return
            said = f"{row.name} has a new PIN and may log in again."
            self.save(
                settings.reset_pin, self.ctx, row.login, pin, then=lambda _: self.changed(said)
            )

        self.app.push_screen(AskPin(row.name), typed)

    def action_toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        active = not row.active

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            said = (
                f"{row.name} may log in again."
                if active
                else f"{row.name} can no longer log in; their history stays."
            )
            self.save(
                settings.set_active, self.ctx, row.login, active, then=lambda _: self.changed(said)
            )

        question = f"{'Reactivate' if active else 'Deactivate'} {row.name} ({row.login})?"
        self.app.push_screen(Confirm(question, destructive=not active), answered)
