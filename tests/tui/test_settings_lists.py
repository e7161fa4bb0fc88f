"""Branches and suppliers driven with the keyboard: add, load a row and save it, and the
refusals that change nothing (a loaded row's key cannot be edited)."""

from __future__ import annotations

from textual.widgets import DataTable

from db.models import Branch, Supplier
from screens.settings_shop import BranchesScreen, SuppliersScreen
from tests.tui.conftest import log_in, make_app, type_text
from tests.tui.test_settings_screens import SIZE, fill, highlight, message, open_entry, press


async def test_branches_add_change_and_refusals(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "branches")
        screen = app.screen
        assert isinstance(screen, BranchesScreen)
        assert screen.query_one(DataTable).row_count == 2
        await fill(pilot, code="A", name="Another")
        await press(pilot, "f9")
        assert "branch 'A' already exists" in message(app)
        await fill(pilot, code="PARK", name=" ")
        await press(pilot, "f9")
        assert "branch name is empty" in message(app)
        assert Branch.select().count() == 2
        await fill(pilot, code="park", name="Park Lane", address="3 Park Lane")
        await press(pilot, "f9")
        assert "Added branch PARK" in message(app)
        assert screen.query_one(DataTable).row_count == 3
        # Enter on a row loads it; F10 saves the new address.
        table = screen.query_one(DataTable)
        table.focus()
        highlight(app, "A")
        await press(pilot, "enter")
        assert screen.query_one("#name").value == "Main Street"
        await fill(pilot, address="2 Main Street")
        await press(pilot, "f10")
        assert "Saved branch A" in message(app)
        assert Branch.get(Branch.code == "A").address == "2 Main Street"
        await fill(pilot, code="ZZ", name="Nowhere")
        await press(pilot, "f10")
        assert "Enter on a branch in the list loads it" in message(app)
        assert Branch.select().count() == 3


async def test_a_loaded_branch_is_saved_with_enter_and_keeps_its_code(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "branches")
        screen = app.screen
        screen.query_one(DataTable).focus()
        highlight(app, "B")
        await press(pilot, "enter")
        code = screen.query_one("#code")
        assert (code.value, code.disabled, app.focused.id) == ("B", True, "name")
        # Enter through the form saves the loaded branch (not "B already exists").
        await press(pilot, "enter")
        screen.query_one("#address").value = "10 Quay Road"
        await press(pilot, "enter")
        assert "Saved branch B" in message(app)
        assert Branch.get(Branch.code == "B").address == "10 Quay Road"
        assert Branch.get(Branch.code == "A").address == "1 Main Street"
        assert (code.value, code.disabled, app.focused.id) == ("", False, "code")
        # Loaded again: F9 would add a copy of it, so it says what to do instead.
        screen.query_one(DataTable).focus()
        highlight(app, "A")
        await press(pilot, "enter")
        await fill(pilot, name="Main Street Store")
        await press(pilot, "f9")
        assert "A is loaded: F10 saves" in message(app)
        assert Branch.select().count() == 2
        # Ctrl+N drops the loaded branch: the form adds a new one again, Enter at the end.
        await press(pilot, "ctrl+n")
        assert (code.value, code.disabled, app.focused.id) == ("", False, "code")
        await type_text(pilot, "dock")
        await press(pilot, "enter")
        await type_text(pilot, "Dockside")
        await press(pilot, "enter", "enter")
        assert "Added branch DOCK" in message(app)
        assert Branch.get(Branch.code == "A").name == "Main Street"


async def test_a_loaded_supplier_keeps_its_name(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "suppliers")
        screen = app.screen
        screen.query_one(DataTable).focus()
        highlight(app, "ToolCo")
        await press(pilot, "enter")
        assert screen.query_one("#name").disabled and app.focused.id == "contact"
        await type_text(pilot, "orders@toolco.example")
        await press(pilot, "enter")
        assert "Saved the contact of ToolCo" in message(app)
        assert Supplier.get(Supplier.name == "ToolCo").contact == "orders@toolco.example"
        assert Supplier.get(Supplier.name == "PhoneCo").contact == ""
        assert Supplier.select().count() == 2


async def test_suppliers_add_change_and_refusals(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "suppliers")
        screen = app.screen
        assert isinstance(screen, SuppliersScreen)
        await type_text(pilot, "phoneco")
        await press(pilot, "enter", "enter")
        assert "supplier 'PhoneCo' already exists" in message(app)
        await fill(pilot, name="")
        await press(pilot, "f9")
        assert "supplier name is empty" in message(app)
        assert Supplier.select().count() == 2
        await fill(pilot, name="WatchCo", contact="+44 20 7946 0000")
        await press(pilot, "f9")
        assert "Added supplier WatchCo" in message(app)
        assert Supplier.get(Supplier.name == "WatchCo").contact == "+44 20 7946 0000"
        await fill(pilot, name="ToolCo", contact="orders@toolco.example")
        await press(pilot, "f10")
        assert "loads it; F9 adds a new one" in message(app)
        assert Supplier.get(Supplier.name == "ToolCo").contact == ""
        assert screen.query_one(DataTable).row_count == 3
