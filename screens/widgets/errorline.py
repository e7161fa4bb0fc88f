"""An inline message line: red for a refusal (with the bell), green for success."""

from textual.widgets import Static


class ErrorLine(Static):
    DEFAULT_CLASSES = "message-line"

    def fail(self, message: str) -> None:
        self.set_classes("message-line error")
        self.update(message)
        self.app.bell()

    def ok(self, message: str) -> None:
        self.set_classes("message-line ok")
        self.update(message)

    def info(self, message: str) -> None:
        self.set_classes("message-line")
        self.update(message)

    def clear(self) -> None:
        self.set_classes("message-line")
        self.update("")
