"""Messages the app and its screens pass up (attributes down, messages up)."""

from __future__ import annotations

from textual.message import Message

from app.services.access.context import Context


class LoggedIn(Message):
    """An employee logged in (or unlocked) at this seat."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx


class OpenPassport(Message):
    """Show the passport of a serial from anywhere."""

    def __init__(self, serial: str) -> None:
        super().__init__()
        self.serial = serial


class ScanArrived(Message):
    """A scanner delivered a code (or an unreadable scan) from its own thread."""

    def __init__(self, scan) -> None:
        super().__init__()
        self.scan = scan


class DevicesChanged(Message):
    """A scanner or the printer changed state; the status bar redraws."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DevicesChanged)
