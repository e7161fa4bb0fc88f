"""What every counter screen shares: the seat bar, the message line, Esc to go back,
and one way to call a service and show its refusal inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from app.domain.errors import DomainError
from app.services.access.context import Context
from screens.widgets.errorline import ErrorLine
from screens.widgets.seatbar import SeatBar


class CounterScreen(Screen):
    TITLE = ""
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    @property
    def ctx(self) -> Context:
        return self.app.ctx

    def seat_bar(self) -> SeatBar:
        return SeatBar(self.TITLE)

    def footer(self) -> Footer:
        return Footer()

    @property
    def message(self) -> ErrorLine:
        return self.query_one("#message", ErrorLine)

    def call(self, operation: Callable[..., Any], *args, **kwargs) -> Any | None:
        """Run a service; on a refusal show it on the message line and return None."""
        try:
            return operation(*args, **kwargs)
        except DomainError as exc:
            self.message.fail(exc.message)
            return None

    def action_back(self) -> None:
        self.app.go_home()
