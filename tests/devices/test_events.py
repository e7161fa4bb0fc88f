"""The scan validator: clean scans pass, garbage becomes one 'unreadable scan'."""

from __future__ import annotations

import pytest

from devices.events import MAX_SCAN_LENGTH, ScanEvent, UnreadableScan, preview_of, validate_scan


def test_a_clean_scan_keeps_its_code_and_source():
    result = validate_scan(b"356938035643809\r\n", "serial:/dev/ttyACM0")
    assert isinstance(result, ScanEvent)
    assert result.code == "356938035643809"
    assert result.source == "serial:/dev/ttyACM0"
    assert result.at.tzinfo is not None


def test_the_gs1_group_separator_is_kept():
    result = validate_scan("0109506000134352\x1d21SN123", "wedge")
    assert isinstance(result, ScanEvent)
    assert result.code == "0109506000134352\x1d21SN123"


def test_utf8_text_is_accepted():
    result = validate_scan("Größe-42".encode(), "serial")
    assert isinstance(result, ScanEvent) and result.code == "Größe-42"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"AB\x01CD", "control character"),
        (b"AB\x00CD", "control character"),
        (b"\x1b[2JAB", "control character"),  # a terminal escape must never reach the screen
        (b"AB\x7fCD", "control character"),
        ("AB\u202eCD", "control character"),  # bidi override: disguises a code on screen
        (b"\xff\xfe\xfa", "not text"),
        (b"AB\xc3", "not text"),  # truncated UTF-8
        (b"", "empty"),
        (b"\r\n", "empty"),
        ("   ", "empty"),
        (b"A" * (MAX_SCAN_LENGTH + 1), "too long"),
        (b"A" * 10240, "too long"),
    ],
)
def test_garbage_is_an_unreadable_scan_not_an_exception(raw, reason):
    result = validate_scan(raw, "serial")
    assert isinstance(result, UnreadableScan)
    assert reason in result.message
    assert result.message.startswith("Unreadable scan:")
    assert all(32 <= ord(c) < 127 for c in result.message + result.preview)


def test_a_code_of_the_maximum_length_is_fine():
    assert isinstance(validate_scan("9" * MAX_SCAN_LENGTH, "wedge"), ScanEvent)


def test_preview_escapes_and_shortens():
    assert preview_of(b"\x1b[31mRED") == "\\x1b[31mRED"
    assert preview_of("x" * 40).endswith("...")
    assert len(preview_of(b"A" * 10240)) < 40
