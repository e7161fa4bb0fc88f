"""Back office: one key to the screens a shop needs away from the counter.

Each entry opens on this mode's own stack, so Esc comes back to this list.
"""

from __future__ import annotations

from importlib import import_module

from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.domain.roles import Role
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine

# (id, label, "module:Class", manager only)
SCREENS = [
    ("transfers", "Transfers between branches", "screens.transfers:TransfersScreen", False),
    ("stocktake", "Stocktake by serial", "screens.stocktake:StocktakeScreen", False),
    ("adjustments", "Adjustments and write-offs", "screens.adjustments:AdjustmentsScreen", False),
    (
        "supplier_returns",
        "Supplier returns (RMA)",
        "screens.supplier_returns:SupplierReturnsScreen",
        False,
    ),
    ("reports", "Reports", "screens.reports:ReportsScreen", False),
    ("settings", "Settings (manager)", "screens.settings:SettingsScreen", True),
    ("kits", "Kits: assemble, take apart, define", "screens.kits:KitsScreen", False),
    ("employees", "Employees (manager)", "screens.settings_staff:EmployeesScreen", True),
    ("branches", "Branches (manager)", "screens.settings_shop:BranchesScreen", True),
    ("suppliers", "Vendors and suppliers (manager)", "screens.settings_shop:SuppliersScreen", True),
    ("seat", "Devices and this seat (manager)", "screens.settings_seat:SeatSettingsScreen", True),
    ("products", "Products and types (manager)", "screens.settings_products:ProductsScreen", True),
]


class BackOfficeScreen(CounterScreen):
    TITLE = "Back office"

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield Static("Choose with the arrows and Enter, or type the first letter.", classes="hint")
        yield OptionList(*[Option(label, id=key) for key, label, _p, _m in SCREENS], id="menu")
        yield ErrorLine(id="message")
        yield self.footer()

    def on_screen_resume(self) -> None:
        self.query_one(OptionList).focus()

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_key(self, event) -> None:
        # A first letter jumps to the next entry starting with it, as on a paper menu:
        # s, s, s walks stocktake, supplier returns, settings.
        if event.character and event.character.isalpha():
            menu = self.query_one(OptionList)
            letters = [label[0].lower() for _k, label, _p, _m in SCREENS]
            start = (menu.highlighted or 0) + 1
            for step in range(len(letters)):
                at = (start + step) % len(letters)
                if letters[at] == event.character.lower():
                    menu.highlighted = at
                    break

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open(str(event.option.id))

    def open(self, key: str) -> None:
        _k, label, path, manager_only = next(s for s in SCREENS if s[0] == key)
        if manager_only and self.ctx.role is not Role.MANAGER:
            self.message.fail(f"{label.split(' (')[0]} is for a manager only.")
            return
        self.message.clear()
        module, _, name = path.partition(":")
        self.app.push_screen(getattr(import_module(module), name)())
