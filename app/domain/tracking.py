"""Tracking modes and the rules for switching between them (DESIGN.md, "Tracking modes")."""

from enum import StrEnum

from app.domain.errors import Refused


class TrackingMode(StrEnum):
    STRICT = "strict"
    WARRANTY = "warranty"
    WARRANTY_NO_SERIAL = "warranty_no_serial"
    NONE = "none"

    @property
    def serialized(self) -> bool:
        """Units are followed one by one, by serial."""
        return self in (TrackingMode.STRICT, TrackingMode.WARRANTY)

    @property
    def verified(self) -> bool:
        """Serials are checked against the ledger, not just recorded."""
        return self is TrackingMode.STRICT

    @property
    def has_warranty(self) -> bool:
        return self is not TrackingMode.NONE

    @property
    def issues_warranty_numbers(self) -> bool:
        """No serial to claim against, so each unit sold gets a warranty number."""
        return self is TrackingMode.WARRANTY_NO_SERIAL

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    TrackingMode.STRICT: "strict (serial verified)",
    TrackingMode.WARRANTY: "warranty (serial recorded)",
    TrackingMode.WARRANTY_NO_SERIAL: "warranty without serials",
    TrackingMode.NONE: "no tracking",
}


class PrintMode(StrEnum):
    AUTO = "auto"
    OFFER = "offer"
    NEVER = "never"


class MaskPolicy(StrEnum):
    NONE = "none"
    LAST4 = "last4"
    MIDDLE = "middle"


def check_mode_switch(
    current: TrackingMode,
    new: TrackingMode,
    *,
    quantity_in_stock: int,
    units_exist: bool,
    what: str,
) -> None:
    """Refuse a tracking-mode change the trade does not allow.

    Into a serial mode only while nothing is in stock (quantity stock has no
    serials to carry over); out of a serial mode never once units were recorded
    (their history would lose its meaning).
    """
    if current == new:
        return
    if new.serialized and not current.serialized and quantity_in_stock != 0:
        raise Refused(
            f"{what} still has {quantity_in_stock} in stock without serials. "
            "It can switch to a serial mode only at stock 0: "
            "sell, return or adjust the stock first."
        )
    if current.serialized and not new.serialized and units_exist:
        raise Refused(
            f"{what} already has serialized units in its history, "
            "so it cannot stop tracking serials. Create a new product instead."
        )
