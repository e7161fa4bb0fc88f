"""Serial numbers: normalising, patterns, IMEI and GTIN checks, masking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import InvalidSerial, Refused
from app.domain.serials import (
    MAX_SERIAL_LENGTH,
    CheckKind,
    SerialRule,
    mask_serial,
    matches_pattern,
    normalize_gtin,
    normalize_serial,
    validate_pattern,
)
from tests.conftest import IMEIS, make_imei


def test_normalize_serial_trims_removes_spaces_and_upper_cases():
    assert normalize_serial("  ab 12-x/y.z_9\r\n") == "AB12-X/Y.Z_9"
    assert normalize_serial("\uff21\uff11") == "A1"  # full-width from an IME


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\t"])
def test_normalize_serial_refuses_empty(raw):
    with pytest.raises(InvalidSerial, match="empty"):
        normalize_serial(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "AB\x00C",
        "AB\x1dC",
        "AB\x07",
        "AB\tCD",
        "A\nB",
        "\x1b[2J",
        "ABC\u200b",
        "-ABC",
        "ÄBC",
        "A;B",
    ],
)
def test_normalize_serial_refuses_garbage(raw):
    with pytest.raises(InvalidSerial, match="not a readable serial") as info:
        normalize_serial(raw)
    # The message can be shown on any terminal: no raw control characters in it.
    assert all(ch.isprintable() for ch in str(info.value))


def test_normalize_serial_refuses_absurd_lengths():
    assert normalize_serial("A" * MAX_SERIAL_LENGTH) == "A" * MAX_SERIAL_LENGTH
    with pytest.raises(InvalidSerial, match="at most 64"):
        normalize_serial("A" * (MAX_SERIAL_LENGTH + 1))
    with pytest.raises(InvalidSerial, match="10240 characters"):
        normalize_serial("9" * 10_240)


@pytest.mark.parametrize(
    ("serial", "pattern", "ok"),
    [
        ("99612345", "996*****", True),
        ("996ABCDE", "996*****", True),
        ("99712345", "996*****", False),
        ("9961234", "996*****", False),  # too short
        ("996123456", "996*****", False),  # too long
        ("AB1234", "@@####", True),
        ("A11234", "@@####", False),
        ("AB123X", "@@####", False),
        ("99712345", "996*****|997*****", True),
        ("99812345", "996*****|997*****", False),
        ("SN-0001", "sn-####", True),  # the pattern is case-insensitive, like serials
        ("SN-0001", "SN-#### | XY-####", True),
        ("XY-0001", "SN-#### | XY-####", True),
        ("SNX0001", "SN-####", False),  # '-' is literal
    ],
)
def test_matches_pattern(serial, pattern, ok):
    assert matches_pattern(serial, pattern) is ok


def test_validate_pattern():
    assert validate_pattern(" 996***** ") == "996*****"
    assert validate_pattern("") == ""
    for bad in ("996*|", "|996*", "A|| B", "A| |B"):
        with pytest.raises(Refused, match="empty alternative"):
            validate_pattern(bad)


def test_serial_rule_pattern():
    rule = SerialRule(pattern="996*****")
    rule.validate("99612345")
    with pytest.raises(InvalidSerial, match="does not match .* pattern 996\\*\\*\\*\\*\\*"):
        rule.validate("12345678")
    SerialRule().validate("ANYTHING")  # no pattern, no check


def test_imei_is_exactly_15_digits_with_a_valid_check_digit():
    rule = SerialRule(check=CheckKind.IMEI)
    for good in IMEIS[:5]:
        rule.validate(good)
    good = IMEIS[0]
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidSerial, match="wrong IMEI check digit"):
        rule.validate(wrong_check)
    # python-stdnum accepts 14 digits (no check digit) and 16 (IMEISV): a real IMEI is 15.
    from stdnum import imei

    assert imei.is_valid(good[:14]) and imei.is_valid(good[:14] + "01")
    with pytest.raises(InvalidSerial, match="exactly 15 digits .*has 14"):
        rule.validate(good[:14])
    with pytest.raises(InvalidSerial, match="exactly 15 digits .*has 16"):
        rule.validate(good[:14] + "01")
    with pytest.raises(InvalidSerial, match="exactly 15 digits"):
        rule.validate(good[:14] + "A")


def test_imei_and_pattern_together():
    rule = SerialRule(pattern="35693803#######", check=CheckKind.IMEI)
    rule.validate(make_imei(7))
    with pytest.raises(InvalidSerial, match="pattern"):
        rule.validate(make_imei(7, tac="49015420"))


def test_gtin_check():
    rule = SerialRule(check=CheckKind.GTIN)
    for good in ("4006381333931", "5901234123457", "96385074", "036000291452", "04006381333931"):
        rule.validate(good)
    for bad in ("4006381333932", "400638133393A", "12345"):
        with pytest.raises(InvalidSerial, match="GTIN"):
            rule.validate(bad)


def test_normalize_gtin():
    assert normalize_gtin("4006381333931") == "04006381333931"
    assert normalize_gtin(" 96385074 ") == "00000096385074"
    for bad in ("4006381333932", "12345", "abc", "400638133393100"):
        with pytest.raises(Refused, match="not a valid GTIN"):
            normalize_gtin(bad)


def test_mask_serial():
    assert mask_serial("356938035643809", "none") == "356938035643809"
    assert mask_serial("356938035643809", "last4") == "***********3809"
    assert mask_serial("356938035643809", "middle") == "356*********809"
    assert mask_serial("ABC", "last4") == "ABC"  # too short to mask


@settings(max_examples=2000)
@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_the_fast_imei_check_decides_as_python_stdnum(digits):
    from stdnum import imei

    from app.domain.serials import imei_check_digit_ok

    assert imei_check_digit_ok(digits) == imei.is_valid(digits)
