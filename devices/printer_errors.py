"""What a printer that cannot print raises: light to import, so the print queue and the seat
load python-escpos only when a printer is really opened or a card rendered
(``devices.printers`` builds the printers and re-exports these)."""

from __future__ import annotations

from app.domain.errors import DomainError


class PrinterOffline(DomainError):
    """The printer cannot print now; queued work waits for it.

    ``problem`` is what is wrong without what happens to queued work (a test card waits
    for nothing).
    """

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem or message.rstrip(".")


class PaperOut(PrinterOffline):
    """The printer reports that its paper ran out."""
