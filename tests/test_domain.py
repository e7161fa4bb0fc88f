"""The trade's rules in app/domain, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain import pins, warranty
from app.domain.errors import DomainError, InvalidSerial, PermissionDenied, Refused
from app.domain.money import to_money
from app.domain.repairs import RepairStatus, check_status_change
from app.domain.roles import PERMISSIONS, Action, Role, allowed, require
from app.domain.serials import (
    MAX_SERIAL_LENGTH,
    CheckKind,
    ScanKind,
    SerialRule,
    mask_serial,
    matches_pattern,
    normalize_gtin,
    normalize_serial,
    read_scan,
    validate_pattern,
)
from app.domain.states import (
    INACTIVE_STATES,
    TRANSITIONS,
    Event,
    UnitState,
    can_transition,
    replay,
)
from app.domain.tracking import TrackingMode, check_mode_switch
from tests.conftest import IMEIS, make_imei

S = UnitState
E = Event

# --------------------------------------------------------------------------- states


# Every move of DESIGN.md's "A unit's life" table, and the ones the services add.
ALLOWED = [
    (E.RECEIVE, None, S.IN_STOCK),
    (E.RECEIVE, S.RETURNED_TO_SUPPLIER, S.IN_STOCK),
    (E.RECEIVE, S.WRITTEN_OFF, S.IN_STOCK),
    (E.SELL, S.IN_STOCK, S.SOLD),
    (E.SELL, None, S.SOLD),  # warranty mode: a serial never received, recorded at sale
    (E.CUSTOMER_RETURN, S.SOLD, S.IN_STOCK),
    (E.CUSTOMER_RETURN, S.SOLD, S.QUARANTINE),
    (E.CUSTOMER_RETURN, S.SOLD, S.IN_SERVICE),
    (E.CUSTOMER_RETURN, S.SOLD, S.RETURNED_TO_SUPPLIER),
    (E.CUSTOMER_RETURN, S.SOLD, S.WRITTEN_OFF),
    # warranty mode: a unit we have no record of, brought back on a sale of its product
    (E.CUSTOMER_RETURN, None, S.IN_STOCK),
    (E.CUSTOMER_RETURN, None, S.QUARANTINE),
    (E.CUSTOMER_RETURN, None, S.IN_SERVICE),
    (E.CUSTOMER_RETURN, None, S.RETURNED_TO_SUPPLIER),
    (E.CUSTOMER_RETURN, None, S.WRITTEN_OFF),
    (E.TRANSFER_OUT, S.IN_STOCK, S.IN_TRANSIT),
    (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_STOCK),
    (E.REPAIR_INTAKE, S.SOLD, S.IN_SERVICE),
    (E.REPAIR_COLLECT, S.IN_SERVICE, S.SOLD),
    (E.REPLACED, S.IN_SERVICE, S.REPLACED),
    (E.REPLACED, S.SOLD, S.REPLACED),
    (E.REPLACEMENT_ISSUED, S.IN_STOCK, S.SOLD),
    (E.SUPPLIER_RETURN, S.IN_STOCK, S.RETURNED_TO_SUPPLIER),
    (E.SUPPLIER_RETURN, S.QUARANTINE, S.RETURNED_TO_SUPPLIER),
    (E.SUPPLIER_RETURN, S.REPLACED, S.RETURNED_TO_SUPPLIER),
    (E.WRITE_OFF, S.IN_STOCK, S.WRITTEN_OFF),
    (E.WRITE_OFF, S.QUARANTINE, S.WRITTEN_OFF),
    (E.FOUND, S.WRITTEN_OFF, S.IN_STOCK),
    (E.QUARANTINE, S.IN_STOCK, S.QUARANTINE),
    (E.RELEASE, S.QUARANTINE, S.IN_STOCK),
    (E.STOCKTAKE_MISSING, S.IN_STOCK, S.WRITTEN_OFF),
    # kits (app/services/kits.py)
    (E.KIT_ASSEMBLE, None, S.IN_STOCK),
    (E.KIT_ASSEMBLE, S.DISASSEMBLED, S.IN_STOCK),
    (E.KIT_DISASSEMBLE, S.IN_STOCK, S.DISASSEMBLED),
    (E.INTO_KIT, S.IN_STOCK, S.IN_KIT),
    (E.OUT_OF_KIT, S.IN_KIT, S.IN_STOCK),
    (E.SOLD_IN_KIT, S.IN_KIT, S.SOLD),
    (E.TRANSFER_OUT, S.IN_KIT, S.IN_TRANSIT),  # a kit's parts travel with it
    (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_KIT),
    (E.STOCKTAKE_MISSING, S.IN_KIT, S.WRITTEN_OFF),  # a missing kit's parts go with it
    (E.FOUND, S.WRITTEN_OFF, S.IN_KIT),  # and come back with it when it is found
]


@pytest.mark.parametrize(("event", "src", "dst"), ALLOWED)
def test_allowed_transitions(event, src, dst):
    assert can_transition(event, src, dst)


def _all_moves():
    for event in Event:
        for src in [None, *UnitState]:
            for dst in UnitState:
                yield event, src, dst


def test_every_other_transition_is_refused():
    """Exactly the listed moves (plus corrections) are allowed; nothing else."""
    allowed_set = set(ALLOWED)
    for event, src, dst in _all_moves():
        if event is E.CORRECTION:
            continue
        assert can_transition(event, src, dst) == ((event, src, dst) in allowed_set), (
            event,
            src,
            dst,
        )


@pytest.mark.parametrize(
    ("event", "src", "dst"),
    [
        (E.SELL, S.SOLD, S.SOLD),  # a sold serial cannot be sold again
        (E.SELL, S.IN_TRANSIT, S.SOLD),
        (E.SELL, S.IN_SERVICE, S.SOLD),
        (E.SELL, S.QUARANTINE, S.SOLD),
        (E.SELL, S.REPLACED, S.SOLD),
        (E.RECEIVE, S.IN_STOCK, S.IN_STOCK),  # already active
        (E.RECEIVE, S.SOLD, S.IN_STOCK),
        (E.CUSTOMER_RETURN, S.IN_STOCK, S.IN_STOCK),  # never sold
        (E.CUSTOMER_RETURN, S.SOLD, S.SOLD),
        (E.CUSTOMER_RETURN, S.SOLD, S.REPLACED),
        (E.TRANSFER_OUT, S.SOLD, S.IN_TRANSIT),
        (E.TRANSFER_IN, S.IN_STOCK, S.IN_STOCK),
        (E.REPAIR_INTAKE, S.IN_STOCK, S.IN_SERVICE),
        (E.REPLACEMENT_ISSUED, S.SOLD, S.SOLD),
        (E.SUPPLIER_RETURN, S.SOLD, S.RETURNED_TO_SUPPLIER),
        (E.WRITE_OFF, S.SOLD, S.WRITTEN_OFF),
        (E.FOUND, S.IN_STOCK, S.IN_STOCK),
        (E.STOCKTAKE_MISSING, S.QUARANTINE, S.WRITTEN_OFF),
    ],
)
def test_refused_transitions(event, src, dst):
    assert not can_transition(event, src, dst)


def test_correction_may_set_any_state_from_any_state():
    for src in [None, *UnitState]:
        for dst in UnitState:
            assert can_transition(E.CORRECTION, src, dst)


def test_every_event_has_a_rule_and_every_state_a_label():
    assert set(TRANSITIONS) == set(Event)
    for state in UnitState:
        assert state.label and "_" not in state.label
    assert E.TRANSFER_OUT.label == "transfer out"
    assert INACTIVE_STATES == {S.RETURNED_TO_SUPPLIER, S.WRITTEN_OFF}


def test_inactive_states_are_final_except_for_receipt_found_and_correction():
    """A serial that left us may be received again (flagged); nothing else revives it."""
    for state in INACTIVE_STATES:
        revivers = {
            event
            for event, (sources, _targets) in TRANSITIONS.items()
            if state in sources and event is not E.CORRECTION
        }
        expected = {E.RECEIVE} | ({E.FOUND} if state is S.WRITTEN_OFF else set())
        assert revivers == expected


def test_replay_folds_history_into_the_current_state():
    life = [
        (E.RECEIVE, None, S.IN_STOCK),
        (E.TRANSFER_OUT, S.IN_STOCK, S.IN_TRANSIT),
        (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_STOCK),
        (E.SELL, S.IN_STOCK, S.SOLD),
        (E.REPAIR_INTAKE, S.SOLD, S.IN_SERVICE),
        (E.REPLACED, S.IN_SERVICE, S.REPLACED),
        (E.SUPPLIER_RETURN, S.REPLACED, S.RETURNED_TO_SUPPLIER),
        (E.RECEIVE, S.RETURNED_TO_SUPPLIER, S.IN_STOCK),
    ]
    assert replay(life) is S.IN_STOCK
    assert replay(life[:4]) is S.SOLD
    assert replay([]) is None


def test_replay_refuses_a_broken_chain():
    with pytest.raises(ValueError, match="was in_stock"):
        replay([(E.RECEIVE, None, S.IN_STOCK), (E.REPAIR_COLLECT, S.IN_SERVICE, S.SOLD)])
    with pytest.raises(ValueError, match="history says"):
        replay([(E.SELL, S.IN_STOCK, S.SOLD)])  # nothing was received


def test_replay_refuses_a_forbidden_move():
    with pytest.raises(ValueError, match="cannot move"):
        replay([(E.RECEIVE, None, S.IN_STOCK), (E.SELL, S.IN_STOCK, S.IN_SERVICE)])
    with pytest.raises(ValueError, match="cannot move"):
        replay(
            [(E.RECEIVE, None, S.IN_STOCK), (E.SELL, S.IN_STOCK, S.SOLD), (E.SELL, S.SOLD, S.SOLD)]
        )


def test_replay_accepts_corrections():
    assert (
        replay(
            [
                (E.RECEIVE, None, S.IN_STOCK),
                (E.SELL, S.IN_STOCK, S.SOLD),
                (E.CORRECTION, S.SOLD, S.IN_STOCK),
                (E.SELL, S.IN_STOCK, S.SOLD),
            ]
        )
        is S.SOLD
    )


# --------------------------------------------------------------------------- tracking modes


def test_tracking_mode_properties():
    M = TrackingMode
    assert [m for m in M if m.serialized] == [M.STRICT, M.WARRANTY]
    assert [m for m in M if m.verified] == [M.STRICT]
    assert [m for m in M if m.has_warranty] == [M.STRICT, M.WARRANTY, M.WARRANTY_NO_SERIAL]
    assert [m for m in M if m.issues_warranty_numbers] == [M.WARRANTY_NO_SERIAL]
    assert all(m.label for m in M)


def _switch(current, new, qty=0, units=False):
    check_mode_switch(
        TrackingMode(current), TrackingMode(new), quantity_in_stock=qty, units_exist=units, what="X"
    )


@pytest.mark.parametrize("old", ["none", "warranty_no_serial"])
@pytest.mark.parametrize("new", ["strict", "warranty"])
def test_switch_into_a_serial_mode_only_at_stock_zero(old, new):
    _switch(old, new, qty=0)
    with pytest.raises(Refused, match=r"X still has 3 in stock without serials.*stock 0"):
        _switch(old, new, qty=3)


@pytest.mark.parametrize("old", ["strict", "warranty"])
@pytest.mark.parametrize("new", ["none", "warranty_no_serial"])
def test_never_out_of_a_serial_mode_once_units_exist(old, new):
    _switch(old, new, units=False)
    with pytest.raises(Refused, match="cannot stop tracking serials"):
        _switch(old, new, units=True)


def test_switches_that_keep_or_drop_no_serials_are_free():
    for mode in TrackingMode:
        _switch(mode, mode, qty=5, units=True)  # no change
    _switch("strict", "warranty", qty=0, units=True)
    _switch("warranty", "strict", qty=0, units=True)
    _switch("none", "warranty_no_serial", qty=7)
    _switch("warranty_no_serial", "none", qty=7)


# --------------------------------------------------------------------------- serials


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


# --------------------------------------------------------------------------- scans

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


# --------------------------------------------------------------------------- warranty


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 24, date(2028, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # from a leap day
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 1), 36, date(2029, 5, 1)),
    ],
)
def test_warranty_end_counts_calendar_months(start, months, end):
    assert warranty.warranty_end(start, months) == end


def test_no_warranty_without_months():
    assert warranty.warranty_end(date(2026, 1, 1), 0) is None
    assert warranty.days_left(None, date(2026, 1, 1)) == 0
    assert not warranty.is_active(None, date(2026, 1, 1))


def test_days_left_is_end_minus_today_never_negative():
    end = date(2028, 1, 15)
    assert warranty.days_left(end, date(2026, 1, 15)) == 730
    assert warranty.days_left(end, date(2028, 1, 14)) == 1
    assert warranty.days_left(end, date(2028, 1, 15)) == 0
    assert warranty.days_left(end, date(2030, 1, 1)) == 0
    assert warranty.is_active(end, date(2028, 1, 14))
    assert not warranty.is_active(end, date(2028, 1, 15))
    # February of a leap year counts its 29th day.
    assert warranty.days_left(date(2028, 3, 1), date(2028, 2, 1)) == 29


def test_warranty_decision():
    sold, end = date(2026, 1, 15), date(2028, 1, 15)
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=0, damage=False
    )
    assert d.covered and "2028-01-15" in d.reason and "days left" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=2, damage=False
    )
    assert d.covered and "2 earlier repair" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=0, damage=True
    )
    assert not d.covered and "Damage" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2028, 1, 15), earlier_repairs=0, damage=False
    )
    assert not d.covered and "ended on 2028-01-15" in d.reason and "2026-01-15" in d.reason
    d = warranty.decide(
        sold_on=None, end=None, today=date(2026, 6, 1), earlier_repairs=0, damage=False
    )
    assert not d.covered and "No warranty" in d.reason
    # An expired warranty is not covered, damage or not: the reason is the date.
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2029, 1, 1), earlier_repairs=0, damage=True
    )
    assert not d.covered and "ended" in d.reason


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("19.90", "19.90"),
        ("19,90", "19.90"),
        (" 5 ", "5.00"),
        (5, "5.00"),
        (Decimal("2.345"), "2.35"),  # half up
        ("2.344", "2.34"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("1e3", "1000.00"),
        ("9999999999.99", "9999999999.99"),
        (0.1, "0.10"),  # a float is read by its shortest text, never by its binary value
        (19.9, "19.90"),
    ],
)
def test_to_money(raw, value):
    amount = to_money(raw)
    assert isinstance(amount, Decimal)
    assert str(amount) == value


def test_money_never_goes_through_binary_floats():
    assert to_money(0.1) + to_money(0.2) == Decimal("0.30")
    assert to_money(1.005) == Decimal("1.01")  # float 1.005 is 1.00499999...; repr is 1.005


@pytest.mark.parametrize("raw", ["-1", "-0.01", -5, Decimal("-3")])
def test_to_money_refuses_negatives(raw):
    with pytest.raises(Refused, match="price cannot be negative"):
        to_money(raw, what="price")


@pytest.mark.parametrize(
    "raw", ["abc", "", "1.2.3", "NaN", "Infinity", "-inf", "1,234.50", None, "1O"]
)
def test_to_money_refuses_what_is_not_money(raw):
    with pytest.raises(Refused, match="is not a number"):
        to_money(raw)


@pytest.mark.parametrize("raw", ["1e10", "10000000000", "9999999999.999"])
def test_to_money_refuses_amounts_that_do_not_fit(raw):
    with pytest.raises(Refused, match="too large"):
        to_money(raw)


# --------------------------------------------------------------------------- roles


def test_permission_table():
    C, I, T, M = Role.CASHIER, Role.INVENTORY, Role.TECHNICIAN, Role.MANAGER  # noqa: E741
    expected = {
        Action.RECEIVE: {I, M},
        Action.SELL: {C, M},
        Action.DISCOUNT: {M},
        Action.CUSTOMER_RETURN: {C, M},
        Action.TRANSFER: {I, M},
        Action.SUPPLIER_RETURN: {I, M},
        Action.REPAIR: {T, C, M},
        Action.REPLACE: {T, M},
        Action.STOCKTAKE: {I, M},
        Action.QUARANTINE: {I, T, M},
        Action.WRITE_OFF: {M},
        Action.CORRECTION: {M},
        Action.SETTINGS: {M},
    }
    assert {a: set(r) for a, r in PERMISSIONS.items()} == expected
    for action in Action:
        assert allowed(Role.MANAGER, action)


def test_require_refuses_with_who_and_what_and_a_way_out():
    require(Role.CASHIER, Action.SELL, who="Cal")
    with pytest.raises(PermissionDenied, match=r"Cal \(cashier\) may not write off.*manager"):
        require(Role.CASHIER, Action.WRITE_OFF, who="Cal")


def test_a_managers_approval_permits_and_nothing_else_does():
    require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=Role.TECHNICIAN)
    with pytest.raises(PermissionDenied):
        require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=None)


# --------------------------------------------------------------------------- PINs


def test_pin_hash_round_trip_and_salt():
    stored = pins.hash_pin("1234")
    assert stored.startswith("scrypt$") and "1234" not in stored
    assert pins.verify_pin("1234", stored)
    assert not pins.verify_pin("4321", stored)
    assert not pins.verify_pin("12345", stored)
    assert pins.hash_pin("1234") != stored  # salted


def test_pin_hash_keeps_its_cost_so_old_hashes_still_verify(monkeypatch):
    stored = pins.hash_pin("2468")
    monkeypatch.setattr(pins, "_N", 2**4)
    assert pins.verify_pin("2468", stored)
    cheap = pins.hash_pin("2468")
    monkeypatch.undo()
    assert pins.verify_pin("2468", cheap)


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", " 1234", "١٢٣٤", "¹²³⁴"])
def test_hash_pin_refuses_what_is_not_a_pin(pin):
    with pytest.raises(Refused, match="4 to 12 digits"):
        pins.hash_pin(pin)


@pytest.mark.parametrize(
    "stored", ["", "plain1234", "md5$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16$8$1$zz$00"]
)
def test_verify_pin_never_crashes_on_a_damaged_hash(stored):
    assert pins.verify_pin("1234", stored) is False


# --------------------------------------------------------------------------- repair statuses


def test_repair_status_moves():
    R = RepairStatus
    check_status_change(R.RECEIVED, R.DIAGNOSING)
    check_status_change(R.RECEIVED, R.READY)  # skipping forward is fine
    check_status_change(R.QUALITY_CHECK, R.REPAIRING)  # failed check
    check_status_change(R.REPAIRING, R.WAITING_FOR_PARTS)
    check_status_change(R.READY, R.REPAIRING)
    with pytest.raises(Refused, match="cannot go from repairing back to diagnosing"):
        check_status_change(R.REPAIRING, R.DIAGNOSING)
    with pytest.raises(Refused, match="already received"):
        check_status_change(R.RECEIVED, R.RECEIVED)
    with pytest.raises(Refused, match="Use collection"):
        check_status_change(R.READY, R.COLLECTED)
    with pytest.raises(Refused, match="closed"):
        check_status_change(R.COLLECTED, R.REPAIRING)


def test_domain_errors_read_as_their_message():
    err = Refused("Something is wrong. Do this.")
    assert str(err) == "Something is wrong. Do this." and isinstance(err, DomainError)
    assert issubclass(InvalidSerial, Refused)
