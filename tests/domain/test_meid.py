"""MEID and ESN as a product type's serial check: every printed form is one stored form,
a wrong check digit or length is refused with why; GS1 codes read in brackets too."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidSerial, Refused
from app.domain.meid import canonical_meid, meid_or_none
from app.domain.serials import CheckKind, ScanKind, SerialRule, read_scan
from app.services.shop.serial_rules import serial_rule, try_serial

MEID = SerialRule(check=CheckKind.MEID)


@pytest.mark.parametrize(
    "printed",
    [
        "AF0123450ABCDE",  # hex
        "af 01 23 45 0a bc de",  # hex, spaced, lower case
        "AF0123450ABCDEC",  # hex with its check digit
        "29360 87365 0070 3710",  # decimal
        "293608736500703710 0",  # decimal with its check digit
    ],
)
def test_every_form_of_a_meid_is_stored_as_its_hex(printed):
    assert MEID.canonical(printed) == "AF0123450ABCDE"
    MEID.validate(MEID.canonical(printed))


def test_esn_forms():
    assert canonical_meid("8E46A5F1") == "8E46A5F1"
    assert canonical_meid("142-04630001") == "8E46A5F1"  # maker 142, serial 4630001 decimal
    assert meid_or_none("99912345678") is None  # maker above 255: not an ESN


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("AF0123450ABCDE0", "wrong MEID check digit"),
        ("2936087365007037101", "wrong MEID check digit"),
        ("AF0123450ABC", "is not a MEID or ESN"),
        ("GF0123450ABCDE", "is not a MEID or ESN"),
    ],
)
def test_a_wrong_meid_is_refused_with_why(bad, why):
    with pytest.raises(InvalidSerial, match=why):
        MEID.validate(bad)
    with pytest.raises(InvalidSerial, match=why):
        MEID.canonical(bad)


def test_meid_rules_a_manager_sets():
    assert serial_rule("A0######", "meid").check is CheckKind.MEID
    assert serial_rule("", "MEID").check is CheckKind.MEID
    with pytest.raises(Refused, match="14 hex digits"):
        serial_rule("A0#####", "meid")
    with pytest.raises(Refused, match="14 hex digits"):
        serial_rule("Z0############", "meid")
    assert "fits (MEID/ESN)" in try_serial("", "meid", "29360 87365 0070 3710")


def test_an_imei_printed_with_dashes_is_its_digits():
    assert SerialRule(check=CheckKind.IMEI).canonical("35-209011-120007-2") == "352090111200072"
    assert SerialRule().canonical("35-209011-120007-2") == "35-209011-120007-2"


@pytest.mark.parametrize(
    "code",
    [
        "(01)04006381333931(21)ABC123",
        "(01) 04006381333931 (21) ABC123",
        "010400638133393121ABC123",
        "]C10104006381333931\x1d21ABC123",
    ],
)
def test_gs1_in_brackets_raw_or_with_separators(code):
    scan = read_scan(code)
    assert (scan.kind, scan.gtin, scan.serial) == (
        ScanKind.PRODUCT_AND_SERIAL,
        "04006381333931",
        "ABC123",
    )


def test_gs1_in_brackets_that_cannot_be_read_is_refused():
    with pytest.raises(InvalidSerial, match="GS1 barcode could not be read"):
        read_scan("(01)0400638133393")
