"""Scan events, and the validator that turns whatever a scanner sent into one.

Every source (keyboard wedge, serial port, USB HID) ends in ``validate_scan``,
so a clean scan looks the same wherever it came from, and garbage becomes one
``UnreadableScan`` with a message a cashier can act on, never an exception.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.domain.serials import GS1_SEPARATOR

# No barcode a shop scans is longer; GS1 codes with several fields stay well below.
MAX_SCAN_LENGTH = 256
# A UTF-8 character is at most 4 bytes, so a reader may buffer this much before it knows.
MAX_SCAN_BYTES = 4 * MAX_SCAN_LENGTH
# Scanners end a code with CR, LF or both; a stray one at either end is framing, not data.
_FRAMING = "\r\n"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ScanEvent:
    """One clean scan: the code as read, which source read it, and when."""

    code: str
    source: str
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True)
class UnreadableScan:
    """A scan that cannot be used; ``message`` says why and what to do."""

    message: str
    source: str
    at: datetime = field(default_factory=_now)
    preview: str = ""  # escaped, shortened: safe to show on a terminal


ScanResult = ScanEvent | UnreadableScan
ScanCallback = Callable[[ScanResult], None]


def preview_of(raw: bytes | str, limit: int = 24) -> str:
    """A short, terminal-safe rendering of raw scanner data (control bytes escaped)."""
    if isinstance(raw, bytes):
        shown = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in raw[:limit])
    else:
        shown = ascii(raw[:limit])[1:-1]  # escapes every control and non-ASCII character
    return shown + ("..." if len(raw) > limit else "")


def unreadable(
    reason: str, source: str, raw: bytes | str = b"", at: datetime | None = None
) -> UnreadableScan:
    """An ``UnreadableScan`` with the standard wording around ``reason``."""
    return UnreadableScan(
        message=f"Unreadable scan: {reason}. Scan it again.",
        source=source,
        at=at or _now(),
        preview=preview_of(raw),
    )


def _bad_character(text: str) -> str | None:
    """The first character a barcode cannot mean, or None.

    Category C covers C0/C1 controls, DEL, format characters (bidi overrides
    could disguise a code on screen), surrogates and unassigned code points.
    """
    for char in text:
        if char == GS1_SEPARATOR:
            continue  # FNC1 in GS1 codes: the fields would run together without it
        if unicodedata.category(char).startswith("C"):
            return char
    return None


def validate_scan(raw: bytes | str, source: str, at: datetime | None = None) -> ScanResult:
    """Turn one raw scan (bytes from a port, or text from a keyboard) into an event.

    Returns ``UnreadableScan`` for invalid UTF-8, control bytes other than the GS1
    group separator, an empty scan, or more than ``MAX_SCAN_LENGTH`` characters.
    Never raises for bad input.
    """
    at = at or _now()
    if isinstance(raw, bytes):
        if len(raw) > MAX_SCAN_BYTES:
            return unreadable(f"{len(raw)} bytes is far too long for a barcode", source, raw, at)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return unreadable("the scanner sent bytes that are not text", source, raw, at)
    else:
        text = raw
    text = text.strip(_FRAMING)
    if not text.strip():
        return unreadable("the scanner sent an empty code", source, raw, at)
    if len(text) > MAX_SCAN_LENGTH:
        return unreadable(
            f"{len(text)} characters is far too long for a barcode (at most {MAX_SCAN_LENGTH})",
            source,
            raw,
            at,
        )
    bad = _bad_character(text)
    if bad is not None:
        return unreadable(f"it contains the control character {ascii(bad)[1:-1]}", source, raw, at)
    return ScanEvent(code=text, source=source, at=at)
