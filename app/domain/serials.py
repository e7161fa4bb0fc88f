"""Serial numbers: normalising, patterns, check digits, and reading a scan.

A pattern is a string of literal characters and wildcards, as shops write
them on the product sheet: ``*`` any character, ``#`` a digit, ``@`` a
letter; alternatives are separated by ``|`` (``996*****|997*****``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import InvalidSerial, Refused
from app.domain.meid import canonical_meid

MAX_SERIAL_LENGTH = 64
GS1_SEPARATOR = "\x1d"
_ALLOWED = re.compile(r"^[A-Z0-9][A-Z0-9\-/._]*$")


class CheckKind(StrEnum):
    NONE = "none"
    IMEI = "imei"
    GTIN = "gtin"
    MEID = "meid"  # a MEID or an ESN, in hex or decimal


MAX_TYPED = 4000  # characters: far more than any scan or typed name


def plain_text(raw: str, what: str = "text", *, controls: bool = True) -> str:
    """Refuse what no scanner or keyboard sends: NUL and other C0 or C1 control characters
    (but for tab, line ends and GS1's group separator), broken UTF-8, megabytes of text.

    ``controls=False`` checks only for broken UTF-8 (a scan's serial check says the rest).
    """
    text = str(raw)
    if not controls:
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            raise InvalidSerial(f"The {what} is not readable text. Scan or type it again.")
        return text
    if len(text) > MAX_TYPED:
        raise Refused(f"The {what} is {len(text)} characters long; that cannot be right.")
    for ch in text:
        code = ord(ch)
        c0 = code < 32 and ch not in "\t\r\n\x1d"
        if c0 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            raise InvalidSerial(
                f"The {what} contains a character no scanner or keyboard sends "
                f"({ascii(ch)[1:-1]}). Scan or type it again."
            )
    return text


def normalize_serial(raw: str) -> str:
    """A serial as stored: trimmed, spaces removed, upper case, ASCII letters and digits.

    Raises InvalidSerial for anything a scanner or a person could not have meant
    as a serial (control characters, an empty string, absurd lengths).
    """
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()
    if not text:
        raise InvalidSerial("The serial is empty. Scan or type it again.")
    if len(text) > MAX_SERIAL_LENGTH:
        raise InvalidSerial(
            f"That is {len(text)} characters long; a serial has at most {MAX_SERIAL_LENGTH}. "
            "Scan the serial barcode, not another code."
        )
    if not _ALLOWED.match(text):
        # Escaped, so a control sequence in a bad scan is never sent to the terminal.
        shown = ascii(text[:40])[1:-1]
        raise InvalidSerial(
            f"'{shown}' is not a readable serial (letters, digits and - / . _ only). Scan it again."
        )
    return text


@dataclass(frozen=True)
class SerialRule:
    """The checks one product applies to its serials."""

    pattern: str = ""
    check: CheckKind = CheckKind.NONE

    def canonical(self, serial: str) -> str:
        """The serial as stored under this rule: an IMEI printed with dashes as its 15
        digits; a MEID or ESN in any printed form as its hex (InvalidSerial if it is none)."""
        if self.check is CheckKind.MEID:
            return canonical_meid(serial)
        if self.check is CheckKind.IMEI:
            digits = serial.translate(_IMEI_SEPARATORS)
            if len(digits) == 15 and digits.isdigit():
                return digits
        return serial

    def validate(self, serial: str) -> None:
        """Raise InvalidSerial (with the reason) unless ``serial`` fits this rule."""
        if SALE_NUMBER.match(serial):
            raise InvalidSerial(
                f"{serial} has the form of this shop's sale numbers (S-42): a unit with that "
                "serial could not be told from the sale when looked up. Check the label; "
                "if it really reads so, enter it without the dash."
            )
        if serial[:2] in ("01", "(0") and read_scan(serial).kind is not ScanKind.SERIAL:
            raise InvalidSerial(
                f"{serial} reads as a GS1 barcode (a product code and a serial): a unit with "
                "that serial could not be looked up. Scan or type the serial alone, the part "
                "after (21)."
            )
        if self.pattern and not matches_pattern(serial, self.pattern):
            raise InvalidSerial(
                f"{serial} does not match this product's serial pattern {self.pattern}. "
                "Check you scanned the serial of the right product."
            )
        if self.check is CheckKind.IMEI:
            if len(serial) != 15 or not serial.isdigit():
                raise InvalidSerial(
                    f"{serial} is not an IMEI: an IMEI is exactly 15 digits "
                    f"(this has {len(serial)}). Scan the IMEI barcode."
                )
            if not imei_check_digit_ok(serial):
                raise InvalidSerial(
                    f"{serial} has a wrong IMEI check digit. Scan it again or type it carefully."
                )
        elif self.check is CheckKind.GTIN:
            if not serial.isdigit() or not gtin_check_ok(serial):
                raise InvalidSerial(f"{serial} has a wrong GTIN/EAN check digit.")
        elif self.check is CheckKind.MEID:
            canonical_meid(serial)  # raises with the reason: length, digits, check digit


_IMEI_SEPARATORS = str.maketrans("", "", " -./")
# A sale's number (S-42): the look-up takes such a code for the sale.
SALE_NUMBER = re.compile(r"^S-\d{1,12}$")


# The Luhn sum's part of a digit in a doubled place (2 x d, its digits added).
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def gtin_check_ok(digits: str) -> bool:
    """An EAN/UPC/GTIN's check digit, by python-stdnum (loaded at the first check: with its
    imports it is a tenth of a seat's start)."""
    from stdnum import ean

    return ean.is_valid(digits)


def imei_check_digit_ok(digits: str) -> bool:
    """The Luhn check of a 15-digit IMEI, as ``stdnum.imei.is_valid`` decides it for 15
    digits (a test holds them equal), in a twentieth of its time: an import checks 100,000."""
    odd = sum(int(d) for d in digits[-1::-2])
    even = sum(_DOUBLED[int(d)] for d in digits[-2::-2])
    return (odd + even) % 10 == 0


def imei_as_printed(serial: str) -> str | None:
    """The IMEI a code printed with dashes, dots or slashes is (35-209011-120007-2), else None."""
    digits = serial.translate(_IMEI_SEPARATORS)
    if digits != serial and len(digits) == 15 and digits.isdigit() and imei_check_digit_ok(digits):
        return digits
    return None


def matches_pattern(serial: str, pattern: str) -> bool:
    """Whether ``serial`` fits one of the ``|``-separated alternatives of ``pattern``."""
    return any(_matches_one(serial, alt.strip().upper()) for alt in pattern.split("|") if alt)


def _matches_one(serial: str, pattern: str) -> bool:
    if len(serial) != len(pattern):
        return False
    for ch, p in zip(serial, pattern, strict=True):
        if p == "*":
            continue
        if p == "#":
            if not ch.isdigit():
                return False
        elif p == "@":
            if not ch.isalpha():
                return False
        elif ch != p:
            return False
    return True


def validate_pattern(pattern: str) -> str:
    """Normalise a pattern typed by a manager; refuse an empty alternative."""
    pattern = pattern.strip().upper()
    if pattern and any(not alt.strip() for alt in pattern.split("|")):
        raise Refused(f"The serial pattern '{pattern}' has an empty alternative.")
    return pattern


def mask_serial(serial: str, policy: str) -> str:
    """The serial as printed for the public: all of it, the last four, or the ends."""
    if policy == "last4" and len(serial) > 4:
        return "*" * (len(serial) - 4) + serial[-4:]
    if policy == "middle" and len(serial) > 6:
        return serial[:3] + "*" * (len(serial) - 6) + serial[-3:]
    return serial


class ScanKind(StrEnum):
    SERIAL = "serial"
    PRODUCT = "product"
    PRODUCT_AND_SERIAL = "product_and_serial"


@dataclass(frozen=True)
class Scan:
    """What one scan says: a serial, a product (GTIN), or both in a GS1 code."""

    kind: ScanKind
    text: str
    gtin: str | None = None
    serial: str | None = None


_SYMBOLOGY_PREFIXES = ("]C1", "]D2", "]Q3", "]E0", "]E4")


def read_scan(raw: str, known_gtin=lambda gtin: False) -> Scan:
    """Interpret one scan.

    A GS1 element string carrying (01) GTIN and (21) serial gives both; a bare
    GTIN that the shop knows (``known_gtin``) is a product; anything else is a
    serial. GS1 strings keep their group separators, or fields run together.
    """
    text = plain_text(raw, "scan", controls=False).strip("\r\n\t ")
    if not text:
        raise InvalidSerial("The scan was empty. Scan again.")
    upper = text.upper()
    looks_gs1 = (
        upper.startswith(_SYMBOLOGY_PREFIXES)
        or text.startswith(GS1_SEPARATOR)
        or (GS1_SEPARATOR in text)
        or (upper.startswith("01") and len(text) > 16 and text[2:16].isdigit())
    )
    # A symbology prefix or a group separator says "GS1" for sure; a leading 01 only hints.
    surely_gs1 = upper.startswith(_SYMBOLOGY_PREFIXES) or GS1_SEPARATOR in text
    if _HRI.match(text):  # printed under the barcode: (01) 0950... (21) ABC
        looks_gs1 = surely_gs1 = True
    if looks_gs1:
        message, problem = _gs1_message(text)
        if message is not None and problem is None:
            fields = {es.ai.ai: es for es in message.element_strings}
            twice = [ai for ai in fields if sum(e.ai.ai == ai for e in message.element_strings) > 1]
            if twice:
                raise InvalidSerial(
                    f"This GS1 barcode carries ({twice[0]}) twice: it names no single unit. "
                    "Scan it again, or scan the serial on its own."
                )
            gtin = fields["01"].value if "01" in fields else None
            serial = fields["21"].value if "21" in fields else None
            if gtin and fields["01"].gtin_error:
                # biip reads a wrong GTIN check digit without complaint: a misread.
                problem = f"the product code {gtin} has a wrong check digit"
            elif gtin and serial:
                return Scan(
                    ScanKind.PRODUCT_AND_SERIAL, text, gtin=gtin, serial=normalize_serial(serial)
                )
            elif gtin:
                return Scan(ScanKind.PRODUCT, text, gtin=gtin)
        if surely_gs1:
            raise InvalidSerial(
                "This GS1 barcode could not be read "
                f"({problem or 'no product or serial in it'}). Scan it again."
            )
    if text.isdigit() and len(text) in (8, 12, 13, 14) and gtin_check_ok(text):
        gtin14 = text.zfill(14)
        if known_gtin(gtin14):
            return Scan(ScanKind.PRODUCT, text, gtin=gtin14)
    return Scan(ScanKind.SERIAL, text, serial=normalize_serial(text))


_HRI = re.compile(r"^\(\d{2,4}\)")


def _gs1_message(text: str):
    """The GS1 message in a scan (raw, with separators, or as printed in brackets) and
    what was wrong with it, if anything."""
    import biip  # loaded at the first GS1 scan: its prefix table costs a seat ~0.1 s to start
    from biip.gs1_messages import GS1Message

    if _HRI.match(text):
        try:
            return GS1Message.parse_hri(text), None
        except biip.ParseError as exc:
            return None, str(exc)
    result = biip.parse(text)
    return result.gs1_message, result.gs1_message_error


def normalize_gtin(raw: str) -> str:
    """A GTIN as stored: 14 digits with a valid check digit."""
    text = raw.strip()
    if not text.isdigit() or len(text) not in (8, 12, 13, 14) or not gtin_check_ok(text):
        raise Refused(f"'{raw}' is not a valid GTIN/EAN (8, 12, 13 or 14 digits with check digit).")
    return text.zfill(14)
