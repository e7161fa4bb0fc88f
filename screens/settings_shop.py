"""Branches and suppliers (manager): the list, a form to add one, and Enter on a row to
load it into the form and change its details (its code or name stays: documents carry it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services import settings
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine


class MasterListScreen(CounterScreen):
    """A table of records above a one-line form: F9 adds, F10 saves changes."""

    FIELDS: list[tuple[str, str, str]] = []  # (id, label, placeholder); the first is the key
    COLUMNS: tuple[str, ...] = ()
    HINT = ""

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        for first in range(0, len(self.FIELDS), 2):
            with Horizontal(classes="form-line"):
                for key, label, hint in self.FIELDS[first : first + 2]:
                    yield Label(label, classes="label")
                    yield Input(placeholder=hint, id=key, compact=True)
        yield Static(self.HINT, classes="hint")
        yield ErrorLine(id="message")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*self.COLUMNS)
        self.refresh_rows()
        self.query_one(f"#{self.FIELDS[0][0]}", Input).focus()

    def rows(self) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def refresh_rows(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows():
            table.add_row(*row, key=row[0])
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep))

    def values(self) -> list[str]:
        return [self.query_one(f"#{key}", Input).value for key, _l, _h in self.FIELDS]

    def clear_form(self) -> None:
        for key, _l, _h in self.FIELDS:
            self.query_one(f"#{key}", Input).value = ""
        self.query_one(f"#{self.FIELDS[0][0]}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        ids = [key for key, _l, _h in self.FIELDS]
        at = ids.index(str(event.input.id))
        if at + 1 < len(ids):
            self.query_one(f"#{ids[at + 1]}", Input).focus()
        else:
            self.action_add()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = event.data_table.get_row(event.row_key)
        for (key, _l, _h), value in zip(self.FIELDS, row, strict=False):
            self.query_one(f"#{key}", Input).value = str(value)
        self.query_one(f"#{self.FIELDS[1][0]}", Input).focus()
        self.message.info(f"{row[0]}: change the details, F10 saves.")

    def action_add(self) -> None:
        raise NotImplementedError

    def action_update(self) -> None:
        raise NotImplementedError


class BranchesScreen(MasterListScreen):
    TITLE = "Branches"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add branch", id="branches.add"),
        Binding("f10", "update", "Save changes", id="branches.update"),
    ]
    FIELDS = [
        ("code", "Code", "short code, e.g. PARK"),
        ("name", "Name", "branch name"),
        ("address", "Address", "street, town"),
    ]
    COLUMNS = ("Code", "Name", "Address", "Staff")
    HINT = "F9 adds the branch · Enter on a row loads it · F10 saves its name and address"

    def rows(self) -> list[tuple[str, ...]]:
        return [(b.code, b.name, b.address, str(b.staff)) for b in settings.list_branches()]

    def action_add(self) -> None:
        code, name, address = self.values()
        added = self.call(settings.add_branch, self.ctx, code, name, address)
        if added is not None:
            self.refresh_rows(keep=added.code)
            self.clear_form()
            self.message.ok(f"Added branch {added.code} ({added.name}).")

    def action_update(self) -> None:
        code, name, address = self.values()
        saved = self.call(settings.update_branch, self.ctx, code, name, address)
        if saved is not None:
            self.refresh_rows(keep=saved.code)
            self.clear_form()
            self.message.ok(f"Saved branch {saved.code} ({saved.name}).")


class SuppliersScreen(MasterListScreen):
    TITLE = "Suppliers"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add supplier", id="suppliers.add"),
        Binding("f10", "update", "Save contact", id="suppliers.update"),
    ]
    FIELDS = [
        ("name", "Name", "supplier name"),
        ("contact", "Contact", "phone, e-mail, person"),
    ]
    COLUMNS = ("Name", "Contact")
    HINT = "F9 adds the supplier · Enter on a row loads it · F10 saves its contact"

    def rows(self) -> list[tuple[str, ...]]:
        return [(s.name, s.contact) for s in settings.list_suppliers()]

    def action_add(self) -> None:
        name, contact = self.values()
        added = self.call(settings.add_supplier, self.ctx, name, contact)
        if added is not None:
            self.refresh_rows(keep=added.name)
            self.clear_form()
            self.message.ok(f"Added supplier {added.name}.")

    def action_update(self) -> None:
        name, contact = self.values()
        saved = self.call(settings.update_supplier, self.ctx, name, contact)
        if saved is not None:
            self.refresh_rows(keep=saved.name)
            self.clear_form()
            self.message.ok(f"Saved the contact of {saved.name}.")
