"""PINs: kept only as a salted, slow scrypt hash; how short one may be; how guessing
at one seat is slowed down."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from app.domain.errors import Refused
from app.domain.roles import Role

_N, _R, _P = 2**14, 8, 1


def check_pin_format(pin: str) -> None:
    """Refuse anything that is not 4 to 12 digits."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise Refused("A PIN is 4 to 12 digits.")


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:  # a damaged hash: refuse the PIN rather than crash the login
        return False
    return hmac.compare_digest(candidate.hex(), digest)


SHORTEST_PIN, LONGEST_PIN = 4, 12
# A new shop asks managers (who approve write-offs and corrections) for longer PINs.
NEW_SHOP_MIN_PIN = {Role.MANAGER: 6}

# Wrong PINs in a row at one seat before that seat waits; the wait doubles up to a cap.
FREE_MISSES = 5
FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(seconds=30)


def default_min_pin_length(role: Role) -> int:
    """The shortest PIN a new shop accepts for this role."""
    return NEW_SHOP_MIN_PIN.get(role, SHORTEST_PIN)


def check_min_length(minimum: int) -> int:
    """A shop's shortest PIN setting, refused outside what a PIN can be."""
    if not SHORTEST_PIN <= minimum <= LONGEST_PIN:
        raise Refused(f"The shortest PIN must be {SHORTEST_PIN} to {LONGEST_PIN} digits.")
    return minimum


def check_pin_length(pin: str, role: Role, minimum: int) -> None:
    """Refuse a PIN shorter than the shop's minimum for this role."""
    check_pin_format(pin)
    if len(pin) < minimum:
        raise Refused(f"A {role.value}'s PIN needs at least {minimum} digits.")


def wait_after(misses: int) -> timedelta | None:
    """How long a seat waits after this many wrong PINs in a row, or None: no wait yet."""
    if misses < FREE_MISSES:
        return None
    doublings = min(misses - FREE_MISSES, 10)  # enough to reach the cap, and no overflow
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)
