"""MEID and ESN: the identities of CDMA handsets, in the forms printed on their boxes.

A MEID is 56 bits: 14 hex digits, or 18 decimal digits (10 + 8), either form with or
without its check digit. An ESN, its 32-bit predecessor, is 8 hex digits or 11 decimal
digits (3 + 8) and has no check digit. Both are stored as hex, upper case, without the
check digit: one unit, whichever form was scanned or typed.
"""

from __future__ import annotations

from app.domain.errors import InvalidSerial

_HEX = set("0123456789ABCDEF")
_SEPARATORS = str.maketrans("", "", " -./")


def canonical_meid(raw: str) -> str:
    """The MEID or ESN as stored (hex, upper case, no check digit); InvalidSerial says why not."""
    text = raw.translate(_SEPARATORS).upper()
    esn = _esn(text)
    if esn is not None:
        return esn
    from stdnum import meid  # at the first MEID, not at every seat's start
    from stdnum.exceptions import InvalidChecksum, ValidationError

    try:
        return meid.validate(text)
    except InvalidChecksum:
        raise InvalidSerial(
            f"{raw} has a wrong MEID check digit. Scan it again or type it carefully."
        ) from None
    except ValidationError:
        raise InvalidSerial(
            f"{raw} is not a MEID or ESN: a MEID is 14 hex digits (or 18 decimal), an ESN "
            "8 hex digits (or 11 decimal). Scan the MEID barcode."
        ) from None


def meid_or_none(raw: str) -> str | None:
    """The stored form of a code that reads as a MEID or ESN, else None."""
    try:
        return canonical_meid(raw)
    except InvalidSerial:
        return None


def _esn(text: str) -> str | None:
    """An ESN's hex form: 8 hex digits as they are, 11 decimal as maker (3) + serial (8)."""
    if len(text) == 8 and set(text) <= _HEX:
        return text
    if len(text) == 11 and text.isdigit():
        maker, serial = int(text[:3]), int(text[3:])
        if maker < 0x100 and serial < 0x1000000:
            return f"{maker:02X}{serial:06X}"
    return None
