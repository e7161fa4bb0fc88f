"""Errors the staff can act on.

Each message says what is wrong and, where there is one, what to do about it.
A refusal is raised before anything is written, so it changes nothing.
"""


class DomainError(Exception):
    """A refusal a cashier can read and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The serial, document, product or person asked for does not exist."""


class Refused(DomainError):
    """The operation breaks a rule of the trade."""


class InvalidSerial(Refused):
    """A serial fails its product's pattern or check digit."""


class PermissionDenied(DomainError):
    """The employee's role may not do this (a manager may approve it)."""


class Ambiguous(DomainError):
    """More than one record matches; the message lists them."""


class Busy(DomainError):
    """The database stayed locked by another seat for too long."""
