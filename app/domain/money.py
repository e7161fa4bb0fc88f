"""Money is Decimal with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.errors import Refused

CENT = Decimal("0.01")


def to_money(value: object, *, what: str = "amount") -> Decimal:
    """Parse a price or amount typed or stored anywhere; refuse what is not money."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Refused(f"The {what} '{value}' is not a number.") from None
    if not amount.is_finite():
        raise Refused(f"The {what} '{value}' is not a number.")
    if amount < 0:
        raise Refused(f"The {what} cannot be negative.")
    if amount >= Decimal("1e10"):
        raise Refused(f"The {what} {value} is too large.")
    # Rounding can carry into an 11th integer digit; "+ 0" turns -0.00 into 0.00.
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP) + 0
    if amount >= Decimal("1e10"):
        raise Refused(f"The {what} {value} is too large.")
    return amount
