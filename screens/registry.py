"""Every workflow screen of the app: its mode name, default key, label, and where it lives.

The app makes one Textual mode (its own screen stack) per entry, binds the key (a
seat can rebind it by the binding id ``screen.<mode>``) and lists it in the
command palette. Add a screen here, not in app/tui.py. Screens are imported when
first opened, so start-up does not pay for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from textual.screen import Screen


@dataclass(frozen=True)
class Entry:
    mode: str
    key: str
    label: str
    path: str  # "module:Class"

    def build(self) -> Screen:
        module, _, name = self.path.partition(":")
        return getattr(import_module(module), name)()


ENTRIES = [
    Entry("home", "f8", "Home", "screens.home:HomeScreen"),
    Entry("receipt", "f2", "Receipt", "screens.receipt:ReceiptScreen"),
    Entry("checkout", "f3", "Checkout", "screens.checkout:CheckoutScreen"),
    Entry("returns", "f4", "Returns", "screens.returns:ReturnsScreen"),
    Entry("repairs", "f5", "Repairs", "screens.repairs:RepairsScreen"),
    Entry("stock", "f7", "Stock", "screens.stock:StockScreen"),
    Entry("backoffice", "f11", "Back office", "screens.backoffice:BackOfficeScreen"),
]
