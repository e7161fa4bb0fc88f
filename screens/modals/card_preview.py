"""The warranty card as it will print: shown after a sale and from the passport."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.widgets.shown import markup, plain


class CardPreview(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close", id="card.close")]

    def __init__(self, text: str, title: str = "Warranty card (queued for printing)") -> None:
        super().__init__()
        self.text = text
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog card-preview"):
            yield Static(markup(self.title_text), classes="dialog-title")
            yield Static(plain(self.text), classes="card-text")
            yield Static("Enter/Esc close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
