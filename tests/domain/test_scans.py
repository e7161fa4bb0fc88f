"""Reading a scan: a GS1 code, a known product's EAN, or a serial."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidSerial
from app.domain.serials import (
    ScanKind,
    read_scan,
)
from tests.conftest import IMEIS

GTIN = "04006381333931"


def _known(gtin):
    return gtin == GTIN


@pytest.mark.parametrize(
    "raw",
    [
        "010400638133393121ABC123",  # (01)(21), the serial last: no separator needed
        "0104006381333931\x1d21ABC123",  # with the group separator
        "0104006381333931\x1d21ABC123\x1d",  # trailing separator
        "\x1d010400638133393121ABC123",  # FNC1 sent as a leading GS
        "010400638133393121ABC123\x1d10LOT7",  # (21) then (10) lot, separated
        "01040063813339311726123121ABC123",  # (01)(17 expiry)(21)
        "]C1010400638133393121ABC123",  # GS1-128 symbology prefix
        "]d2010400638133393121abc123\x1d10LOT7",  # GS1 DataMatrix, lower-case serial
        "]Q3010400638133393121ABC123",  # GS1 QR
        "010400638133393121ABC123\r\n",  # the scanner's Enter
    ],
)
def test_read_scan_gs1_gives_product_and_serial(raw):
    scan = read_scan(raw, _known)
    assert scan.kind is ScanKind.PRODUCT_AND_SERIAL
    assert scan.gtin == GTIN
    assert scan.serial == "ABC123"


def test_read_scan_gs1_with_an_imei_serial():
    scan = read_scan(f"]C101{GTIN}21{IMEIS[0]}", _known)
    assert (scan.gtin, scan.serial) == (GTIN, IMEIS[0])


def test_read_scan_gs1_with_only_a_gtin_is_a_product():
    scan = read_scan(f"]C101{GTIN}", _known)
    assert scan.kind is ScanKind.PRODUCT and scan.gtin == GTIN and scan.serial is None
    scan = read_scan(f"01{GTIN}\x1d10LOT7", _known)
    assert scan.kind is ScanKind.PRODUCT and scan.gtin == GTIN


@pytest.mark.parametrize(
    "raw", [f"]C101{GTIN[:-1]}2", f"]C101{GTIN[:-1]}221ABC123", f"01{GTIN[:-1]}2\x1d21ABC123"]
)
def test_read_scan_gs1_refuses_a_wrong_gtin_check_digit(raw):
    with pytest.raises(InvalidSerial, match="product code 04006381333932 has a wrong check digit"):
        read_scan(raw, _known)


def test_a_long_number_starting_01_that_is_no_gs1_code_is_a_serial():
    """Without a symbology prefix or separator, a leading 01 is only a hint of GS1."""
    raw = f"01{GTIN[:-1]}221ABC123"  # would be (01)+(21), but the GTIN check digit fails
    scan = read_scan(raw, _known)
    assert (scan.kind, scan.serial, scan.gtin) == (ScanKind.SERIAL, raw, None)
    assert read_scan("01234567890123456789", _known).kind is ScanKind.SERIAL


@pytest.mark.parametrize("raw", ["]C1garbage", "]d2", "10LOT\x1d21SER", "01\x1d21X"])
def test_read_scan_refuses_unreadable_gs1(raw):
    with pytest.raises(InvalidSerial, match="GS1|serial"):
        read_scan(raw, _known)


def test_read_scan_plain_ean_of_a_known_product_is_a_product():
    scan = read_scan("4006381333931", _known)
    assert scan.kind is ScanKind.PRODUCT and scan.gtin == GTIN and scan.serial is None
    assert read_scan(GTIN, _known).kind is ScanKind.PRODUCT


def test_read_scan_plain_ean_unknown_is_a_serial():
    """A number that happens to be a valid EAN but names no product is a serial."""
    scan = read_scan("5901234123457", _known)
    assert scan.kind is ScanKind.SERIAL and scan.serial == "5901234123457" and scan.gtin is None


def test_read_scan_plain_serials():
    assert read_scan(IMEIS[0], _known).serial == IMEIS[0]
    assert read_scan(" sn-0001 \n", _known).serial == "SN-0001"
    assert read_scan("sn-0001").kind is ScanKind.SERIAL
    # A 16-digit number starting 01 is too short to be (01)+GTIN+anything: a serial.
    assert read_scan("0104006381333931", _known).kind is ScanKind.SERIAL


@pytest.mark.parametrize("raw", ["", "\r\n", "   "])
def test_read_scan_refuses_an_empty_scan(raw):
    with pytest.raises(InvalidSerial, match="empty"):
        read_scan(raw, _known)


@pytest.mark.parametrize("raw", ["AB\x00C", "x" * 10_000, "\x1b[31mRED"])
def test_read_scan_refuses_garbage(raw):
    with pytest.raises(InvalidSerial):
        read_scan(raw, _known)
