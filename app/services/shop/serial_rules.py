"""Serial rules a manager sets: a product type's or one product's pattern and check,
refused when no serial could ever pass them, and tried on a sample serial."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.serials import (
    MAX_SERIAL_LENGTH,
    CheckKind,
    SerialRule,
    normalize_serial,
    plain_text,
    validate_pattern,
)
from app.services.access.context import Context
from app.services.ledger.lookups import find_product
from app.services.ledger.product_settings import settings_of
from app.services.transaction import write_transaction


def _check_kind(value: str) -> CheckKind:
    try:
        return CheckKind(value.strip().lower() or "none")
    except ValueError:
        choices = ", ".join(v.value for v in CheckKind)
        raise Refused(f"Unknown check '{value}' ({choices}).") from None


_PATTERN_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/._*#@")
_GTIN_LENGTHS = (8, 12, 13, 14)
_MEID_LENGTHS = (8, 14)


def serial_rule(pattern: str, check_kind: str) -> SerialRule:
    """A pattern and a check as a manager typed them, refused (with why) if no serial could
    ever pass them: characters a serial never has, an alternative longer than any serial,
    or a pattern that contradicts the check (an IMEI is 15 digits)."""
    pattern = validate_pattern(plain_text(pattern, "serial pattern"))
    pattern = "|".join(alt.strip() for alt in pattern.split("|")) if pattern else ""
    check = _check_kind(check_kind)
    for alt in pattern.split("|") if pattern else []:
        odd = sorted(set(alt) - _PATTERN_CHARACTERS)
        if odd:
            raise Refused(
                f"The serial pattern '{alt}' has {' '.join(odd)}: a serial has only letters, "
                "digits and - / . _; wildcards are * (any), # (digit), @ (letter)."
            )
        if len(alt) > MAX_SERIAL_LENGTH:
            raise Refused(f"The serial pattern '{alt[:20]}…' is longer than any serial.")
        if check is CheckKind.NONE:
            continue
        if check is CheckKind.IMEI and len(alt) != 15:
            raise Refused(
                f"An IMEI is 15 digits, but the pattern '{alt}' has {len(alt)} characters: "
                "no serial could pass both."
            )
        if check is CheckKind.GTIN and len(alt) not in _GTIN_LENGTHS:
            raise Refused(
                f"A GTIN has 8, 12, 13 or 14 digits, but the pattern '{alt}' has {len(alt)}."
            )
        if check is CheckKind.MEID:
            if len(alt) not in _MEID_LENGTHS or any(ch in "-/._@" or ch > "F" for ch in alt):
                raise Refused(
                    f"A MEID is stored as 14 hex digits (an ESN as 8), but the pattern '{alt}' "
                    "asks for something else: no serial could pass both."
                )
            continue
        if any(ch.isalpha() or ch in "-/._@" for ch in alt):
            raise Refused(
                f"An {check.value.upper()} is digits only, so the pattern '{alt}' "
                "cannot ask for letters or signs."
            )
    return SerialRule(pattern, check)


def rule_problem(pattern: str, check_kind: str) -> str | None:
    """Why a stored rule would be refused if a manager typed it today, or None."""
    try:
        serial_rule(pattern, check_kind)
    except Refused as exc:
        return exc.message
    return None


def try_serial(pattern: str, check_kind: str, sample: str) -> str:
    """Whether a sample serial passes a rule: a line for the preview, or the refusal why not."""
    rule = serial_rule(pattern, check_kind)
    serial = rule.canonical(normalize_serial(sample))
    rule.validate(serial)
    passed = [f"pattern {rule.pattern}" if rule.pattern else "", _CHECK_NAMES[rule.check]]
    return f"{serial} fits ({', '.join(p for p in passed if p) or 'no rule: any serial'})."


_CHECK_NAMES = {
    CheckKind.NONE: "",
    CheckKind.IMEI: "IMEI check digit",
    CheckKind.GTIN: "GTIN",
    CheckKind.MEID: "MEID/ESN",
}


@dataclass(frozen=True)
class ProductSettings:
    """One product's own settings (None: as its type) and what applies in effect."""

    sku: str
    name: str
    type_name: str
    own_mode: str | None
    mode: str
    own_pattern: str | None
    own_check: str | None
    pattern: str
    check: str


def product_settings(code: str) -> ProductSettings:
    """A product (by SKU or barcode) with its overrides and its effective serial rule."""
    item = find_product(code)
    effective = settings_of(item)
    return ProductSettings(
        item.sku,
        item.name,
        effective.type_name,
        item.tracking_mode,
        effective.mode.value,
        item.serial_pattern,
        item.check_kind or None,
        effective.rule.pattern,
        effective.rule.check.value,
    )


def set_product_serial_rule(
    ctx: Context, code: str, pattern: str | None, check_kind: str | None
) -> ProductSettings:
    """Give one product its own serial pattern and check; None follows its type again."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        item = find_product(code)
        ptype = item.type
        if pattern is None and check_kind is None:  # the type's rule, whatever it is
            item.serial_pattern = item.check_kind = None
        else:
            rule = serial_rule(
                ptype.serial_pattern if pattern is None else pattern,
                ptype.check_kind if check_kind is None else check_kind,
            )
            item.serial_pattern = None if pattern is None else rule.pattern
            item.check_kind = None if check_kind is None else rule.check.value
        item.save()
    return product_settings(item.sku)
