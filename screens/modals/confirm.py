"""Yes/no confirmation. An ordinary one: y or Enter confirms, n says no. A destructive
one (writing off, quitting with unsaved work): only y confirms, Enter says no. Esc
cancels (None), which every caller treats as no."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.widgets.shown import plain


class Confirm(ModalScreen[bool | None]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("enter", "enter", "Default", show=False, id="confirm.enter"),
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str, detail: str = "", *, destructive: bool = False) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.destructive = destructive

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question), classes="dialog-title")
            if self.detail:
                yield Static(plain(self.detail), classes="dialog-body")
            if self.destructive:
                keys = "[b]Y[/b] yes   [b]N[/b]/Enter no   Esc cancel"
            else:
                keys = "[b]Y[/b]/Enter yes   [b]N[/b] no   Esc cancel"
            yield Static(keys, classes="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def action_enter(self) -> None:
        self.dismiss(not self.destructive)

    def action_cancel(self) -> None:
        self.dismiss(None)
