"""What every counter screen shares: the seat bar, the message line, Esc to go back,
one way to call a service and show its refusal inline, one way to save off the UI thread,
focus that always lands in a field, and saying whether it holds work nobody has saved yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer

from app.domain.errors import DomainError
from app.services.access.context import Context
from screens.saving import Saves, Saving
from screens.widgets.seatbar import SeatBar

__all__ = ["CounterScreen", "Saving"]

# Attributes that hold what was scanned or chosen and not saved yet: a cart, scanned
# receipt rows, stock lines (of a transfer, adjustment, supplier return), sale lines
# picked for a return.
WORK_HELD = ("cart", "rows", "lines", "chosen")


class CounterScreen(Saves, Screen):
    TITLE = ""
    BINDINGS = [Binding("escape", "back", "Back", id="back")]
    # The field focus goes back to when nothing useful has it (a selector); None: the
    # screen's scan field (#scan) if it has one, else its first field.
    MAIN_FIELD: ClassVar[str | None] = None

    @property
    def ctx(self) -> Context:
        return self.app.ctx

    def seat_bar(self) -> SeatBar:
        return SeatBar(self.TITLE)

    def footer(self) -> Footer:
        return Footer()

    def call(self, operation: Callable[..., Any], *args, **kwargs) -> Any | None:
        """Run a service; on a refusal show it on the message line and return None."""
        try:
            return operation(*args, **kwargs)
        except DomainError as exc:
            self.message.fail(exc.message)
            return None

    def action_back(self) -> None:
        self.app.go_home()

    # --- focus ----------------------------------------------------------------------

    def main_field(self) -> Widget | None:
        """The field a scan or typing belongs in when nothing else is chosen."""
        selectors = [self.MAIN_FIELD] if self.MAIN_FIELD else ["#scan", "Input"]
        for selector in selectors:
            for widget in self.query(selector):
                if widget.focusable:
                    return widget
        return None

    def on_screen_resume(self) -> None:
        # After the screen's own resume handlers have placed focus (focus() is deferred).
        self.app.call_later(self.focus_main_field_if_idle)
        if self.held:  # back from a dialog: what waited behind it goes on, in order
            self.call_later(self.take_held)

    def focus_main_field_if_idle(self) -> None:
        """Back from a dialog or another screen: a scan must land in a field, not nowhere
        (nothing focused, or a list with nothing in it)."""
        if not self.is_current:
            return
        focused = self.focused
        idle = (
            focused is None
            or not focused.focusable
            or (isinstance(focused, DataTable) and focused.row_count == 0)
        )
        field = self.main_field() if idle else None
        if field is not None:
            field.focus()

    # --- work not saved yet ---------------------------------------------------------

    def on_mount(self) -> None:
        getattr(self.app, "open_screens", set()).add(self)

    def on_unmount(self) -> None:
        getattr(self.app, "open_screens", set()).discard(self)

    def unsaved_work(self) -> bool:
        """Whether leaving now loses something scanned or chosen that no service saved.

        A list in ``WORK_HELD`` counts when it is not empty, and so do chosen return
        lines; a dict of ``rows`` is a listing loaded from the database, not work.
        """
        for holder in [self, *self.query("#scans")]:  # a stock screen's lines are its widget's
            for name in WORK_HELD:
                held = getattr(holder, name, None)
                if held and (isinstance(held, list) or name == "chosen"):
                    return True
        return False

    def work_label(self) -> str:
        """The screen's name in a question about its unsaved work."""
        return self.TITLE or type(self).__name__
