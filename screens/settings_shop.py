"""Branches and suppliers (manager): the list, a form to add one, and Enter on a row to
load it into the form and change its details (its code or name stays: documents carry it,
so the loaded row's key field is read-only until Ctrl+N starts a new one)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.services.shop import settings
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell


class MasterListScreen(CounterScreen):
    """A table of records above a one-line form: F9 adds what is typed; Enter on a row
    loads it (its key then cannot be edited) and F10 saves it; Ctrl+N starts afresh."""

    FIELDS: list[tuple[str, str, str]] = []  # (id, label, placeholder); the first is the key
    COLUMNS: tuple[str, ...] = ()
    HINT = ""
    WHAT = "record"

    def __init__(self) -> None:
        super().__init__()
        self.loaded: str | None = None  # the key of the row in the form, if one was loaded

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
        self.key_input.focus()

    @property
    def key_input(self) -> Input:
        return self.query_one(f"#{self.FIELDS[0][0]}", Input)

    def rows(self) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def refresh_rows(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows():
            table.add_row(*(cell(value) for value in row), key=row[0])
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep))

    def values(self) -> list[str]:
        return [self.query_one(f"#{key}", Input).value for key, _l, _h in self.FIELDS]

    def clear_form(self) -> None:
        self.loaded = None
        for key, _l, _h in self.FIELDS:
            self.query_one(f"#{key}", Input).value = ""
        self.key_input.disabled = False
        self.key_input.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        ids = [key for key, _l, _h in self.FIELDS]
        at = ids.index(str(event.input.id))
        if at + 1 < len(ids):
            self.query_one(f"#{ids[at + 1]}", Input).focus()
        elif self.loaded is not None:
            self.action_update()
        else:
            self.action_add()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = event.data_table.get_row(event.row_key)
        for (key, _l, _h), value in zip(self.FIELDS, row, strict=False):
            self.query_one(f"#{key}", Input).value = str(value)
        self.loaded = str(row[0])
        self.key_input.disabled = True  # documents carry it: it is not edited here
        self.query_one(f"#{self.FIELDS[1][0]}", Input).focus()
        self.message.info(f"{row[0]}: change the details, F10 saves · Ctrl+N a new {self.WHAT}.")

    def action_new(self) -> None:
        self.clear_form()
        self.message.info(f"Type the new {self.WHAT}; F9 adds it.")

    def action_add(self) -> None:
        if self.loaded is not None:
            self.message.fail(
                f"{self.loaded} is loaded: F10 saves its changes, Ctrl+N starts a new {self.WHAT}."
            )
            return
        self.add(*self.values())

    def action_update(self) -> None:
        if self.loaded is None:
            self.message.fail(f"Enter on a {self.WHAT} in the list loads it; F9 adds a new one.")
            return
        self.update(self.loaded, *self.values()[1:])

    def saved(self, key: str, said: str) -> None:
        """After a save: the list shows the record, the form is empty for the next."""
        self.message.ok(said)
        self.refresh_rows(keep=key)
        self.clear_form()

    def add(self, *values: str) -> None:
        """Save the record typed (off the UI thread); then ``saved``, or the refusal shown."""
        raise NotImplementedError

    def update(self, key: str, *values: str) -> None:
        """Save the loaded record's other fields (off the UI thread), as ``add`` does."""
        raise NotImplementedError


class BranchesScreen(MasterListScreen):
    TITLE = "Branches"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add branch", id="branches.add"),
        Binding("f10", "update", "Save changes", id="branches.update"),
        Binding("ctrl+n", "new", "New branch", id="branches.new", priority=True),
    ]
    FIELDS = [
        ("code", "Code", "short code, e.g. PARK"),
        ("name", "Name", "branch name"),
        ("address", "Address", "street, town"),
    ]
    COLUMNS = ("Code", "Name", "Address", "Staff")
    HINT = "F9 adds the branch · Enter on a row loads it · F10 saves its name and address"
    WHAT = "branch"

    def rows(self) -> list[tuple[str, ...]]:
        return [(b.code, b.name, b.address, str(b.staff)) for b in settings.list_branches()]

    def add(self, *values: str) -> None:
        def then(b) -> None:
            self.saved(b.code, f"Added branch {b.code} ({b.name}).")

        self.save(settings.add_branch, self.ctx, *values, then=then, what="Adding the branch")

    def update(self, key: str, *values: str) -> None:
        def then(b) -> None:
            self.saved(b.code, f"Saved branch {b.code} ({b.name}).")

        self.save(settings.update_branch, self.ctx, key, *values, then=then, what="Saving")


class SuppliersScreen(MasterListScreen):
    TITLE = "Suppliers"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add supplier", id="suppliers.add"),
        Binding("f10", "update", "Save contact", id="suppliers.update"),
        Binding("ctrl+n", "new", "New supplier", id="suppliers.new", priority=True),
    ]
    FIELDS = [
        ("name", "Name", "supplier name"),
        ("contact", "Contact", "phone, e-mail, person"),
    ]
    COLUMNS = ("Name", "Contact")
    HINT = "F9 adds the supplier · Enter on a row loads it · F10 saves its contact"
    WHAT = "supplier"

    def rows(self) -> list[tuple[str, ...]]:
        return [(s.name, s.contact) for s in settings.list_suppliers()]

    def add(self, *values: str) -> None:
        def then(s) -> None:
            self.saved(s.name, f"Added supplier {s.name}.")

        self.save(settings.add_supplier, self.ctx, *values, then=then, what="Adding the supplier")

    def update(self, key: str, *values: str) -> None:
        def then(s) -> None:
            self.saved(s.name, f"Saved the contact of {s.name}.")

        self.save(settings.update_supplier, self.ctx, key, *values, then=then, what="Saving")
