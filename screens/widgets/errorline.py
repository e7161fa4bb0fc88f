"""An inline message line: red for a refusal (with the bell), green for success.

A message often carries stored text (a serial, a name, a reason), so it is shown as
plain text, never read as markup: ``[/]`` in a name is drawn, not obeyed.
"""

from textual.widgets import Static

from screens.widgets.shown import plain


class ErrorLine(Static):
    DEFAULT_CLASSES = "message-line"

    def fail(self, message: str) -> None:
        self.set_classes("message-line error")
        self.update(plain(message))
        self.app.bell()

    def ok(self, message: str) -> None:
        self.set_classes("message-line ok")
        self.update(plain(message))

    def info(self, message: str) -> None:
        self.set_classes("message-line")
        self.update(plain(message))

    def clear(self) -> None:
        self.set_classes("message-line")
        self.update("")
