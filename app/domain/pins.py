"""PINs are kept only as a salted, slow scrypt hash."""

import hashlib
import hmac
import secrets

from app.domain.errors import Refused

_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise Refused("A PIN is 4 to 12 digits.")
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
