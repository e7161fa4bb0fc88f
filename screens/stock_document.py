"""What the screens of a stock document (transfers, adjustments, supplier returns) share:
their ``StockLines`` (id ``scans``) and the keys on them. A screen, so it lives here and
not among the widgets, which a screen's base class uses."""

from __future__ import annotations

import re

from textual.binding import Binding

from screens.base import CounterScreen
from screens.modals.ask import AskText
from screens.widgets.stocklines import StockLines


class StockLinesScreen(CounterScreen):
    """A screen gathering ``StockLines`` (id ``scans``): Ctrl+D removes the selected line,
    Ctrl+N sets its quantity."""

    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("ctrl+d", "drop_line", "Remove line", id="lines.drop", priority=True),
        Binding("ctrl+n", "set_quantity", "Quantity", id="lines.quantity", priority=True),
    ]

    @property
    def stock_lines(self) -> StockLines:
        return self.query_one("#scans", StockLines)

    def add_scan(self, raw: str) -> None:
        # Scans during a save wait, then go in order onto the next list (or back onto
        # this one, if it was refused).
        if self.hold(self.add_scan, raw):
            return
        line = self.call(self.stock_lines.add_scan, self.ctx, raw)
        if line is None:
            return
        if line.serial is not None:
            self.message.ok(f"{line.serial} · {line.name}")
        else:
            self.message.ok(
                f"{line.name}: {line.quantity} on the list, {line.in_stock} in stock here "
                "· Ctrl+N sets the quantity"
            )

    def action_drop_line(self) -> None:
        line = self.stock_lines.drop_selected()
        if line is not None:
            self.message.info(f"Took {line.serial or line.name} off the list.")

    def action_set_quantity(self) -> None:
        line = self.stock_lines.selected
        if line is None:
            self.message.fail("Nothing on the list: scan a product first.")
            return
        if line.serial is not None:
            self.message.fail(f"{line.serial} is one unit: select a line without serials.")
            return

        def answered(text: str | None) -> None:
            if text is None:
                return
            if not re.fullmatch(r"-?\d{1,6}", text):
                self.message.fail(f"'{text}' is not a number of pieces.")
                return
            self.call(self.stock_lines.set_quantity, int(text))

        self.app.push_screen(
            AskText(f"How many {line.name}?", "pieces", str(line.quantity)), answered
        )
