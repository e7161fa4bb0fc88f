"""The shop's PIN rules kept in the database: the shortest PIN per role, and clearing a
login's wrong-PIN waits (with a record) when a manager gives a new PIN or lets them back."""

from __future__ import annotations

from datetime import datetime

from app.domain.errors import Refused
from app.domain.pins import check_min_length, check_pin_length, default_min_pin_length, hash_pin
from app.domain.roles import Role
from db.access_models import AccessEvent, SeatPinMisses, ShopSetting
from db.models import Employee

UNLOCKED = "unlocked"
SLOWED = "slowed"


def _key(role: Role) -> str:
    # Schema step 3 writes "min_pin_length.manager" for shops made before it: same key.
    return f"min_pin_length.{role.value}"


def _role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Refused(f"Unknown role '{role}' ({', '.join(r.value for r in Role)}).") from None


def min_pin_length(role: str | Role) -> int:
    """The shortest PIN this shop accepts for the role (a new shop's default if never set)."""
    role = _role(role)
    row = ShopSetting.get_or_none(ShopSetting.key == _key(role))
    return int(row.value) if row is not None else default_min_pin_length(role)


def set_min_pin_length(role: str | Role, minimum: int) -> int:
    """Set the shortest PIN for a role; PINs already given stay until they are changed.

    The caller checks that a manager (or a brand-new shop's set-up) makes the change."""
    role = _role(role)
    minimum = check_min_length(int(minimum))
    ShopSetting.insert(key=_key(role), value=str(minimum)).on_conflict(
        conflict_target=[ShopSetting.key], update={ShopSetting.value: str(minimum)}
    ).execute()  # one statement: two seats setting it at once cannot collide
    return minimum


def pin_hash_for(pin: str, role: str | Role) -> str:
    """The stored hash of a new PIN, refused if it is no PIN or shorter than the role needs.

    Slow (scrypt): call before the write lock is taken."""
    role = _role(role)
    check_pin_length(pin, role, min_pin_length(role))
    return hash_pin(pin)


def clear_waits(employee: Employee, by: str, at: datetime) -> None:
    """Forget a login's wrong PINs at every seat, recording an unlock where a seat waited."""
    for row in SeatPinMisses.select().where(SeatPinMisses.employee == employee):
        if row.slowed_until is not None:
            AccessEvent.create(
                employee=employee, seat=row.seat, kind=UNLOCKED, detail=by[:200], at=at
            )
    SeatPinMisses.delete().where(SeatPinMisses.employee == employee).execute()
