"""The serial scanner on a real pseudo-terminal, read through pyserial."""

from __future__ import annotations

import threading
import time

import pytest

from devices.events import ScanEvent, UnreadableScan
from devices.serial_scanner import LineAssembler, SerialScanner, parse_terminator
from devices.source import Backoff, DeviceState, wait_for_scan
from tests.devices.conftest import IMEI, PtyScanner, Recorder, wait_until

FAST = Backoff(initial=0.02, maximum=0.1)


@pytest.fixture
def reader(pty_scanner: PtyScanner):
    recorder = Recorder()
    source = SerialScanner(str(pty_scanner.path), 9600, b"\r", backoff=FAST)
    source.start(recorder.scan, recorder.status)
    wait_until(lambda: source.status.state is DeviceState.CONNECTED)
    yield source, recorder
    source.close()


def test_scans_arrive_by_callback_from_the_reader_thread(reader, pty_scanner):
    source, seen = reader
    pty_scanner.write(IMEI.encode() + b"\r" + b"SN-0001\r")
    wait_until(lambda: len(seen.results) == 2)
    assert seen.codes == [IMEI, "SN-0001"]
    assert seen.threads == {f"scanner:{source.name}"}
    assert seen.results[0].source == source.name


def test_a_scan_split_across_writes_is_one_scan(reader, pty_scanner):
    _, seen = reader
    for piece in (b"ABC", b"12", b"3\r"):
        pty_scanner.write(piece)
        time.sleep(0.02)
    wait_until(lambda: seen.results)
    assert seen.codes == ["ABC123"]


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        (b"AB\x01\x02\x1b[2J\r", "control character"),
        (b"\xff\xfe\x80abc\r", "not text"),
        (b"A" * 10240 + b"\r", "too long"),
    ],
)
def test_garbage_gives_one_unreadable_scan_and_nothing_else(reader, pty_scanner, garbage, reason):
    source, seen = reader
    pty_scanner.write(garbage)
    pty_scanner.write(b"AFTER1\r")  # the reader still works afterwards
    wait_until(lambda: "AFTER1" in seen.codes)
    assert len(seen.results) == 2
    bad = seen.results[0]
    assert isinstance(bad, UnreadableScan) and reason in bad.message
    assert source.status.state is DeviceState.CONNECTED


def test_a_10kb_line_without_terminator_is_reported_at_once(reader, pty_scanner):
    _, seen = reader
    pty_scanner.write(b"B" * 10240)
    wait_until(lambda: seen.results)
    time.sleep(0.05)
    assert len(seen.results) == 1 and isinstance(seen.results[0], UnreadableScan)


def test_unplug_and_replug(reader, pty_scanner):
    source, seen = reader
    pty_scanner.write(b"BEFORE\r")
    wait_until(lambda: seen.codes == ["BEFORE"])
    pty_scanner.write(b"HALF")  # the cable is pulled mid-scan
    time.sleep(0.02)
    pty_scanner.unplug()
    wait_until(lambda: source.status.state is DeviceState.DISCONNECTED)
    assert "waiting" in source.status.message
    time.sleep(0.15)  # a few reconnect attempts against a missing device
    pty_scanner.replug()
    wait_until(lambda: source.status.state is DeviceState.CONNECTED)
    pty_scanner.write(b"AFTER\r")
    wait_until(lambda: "AFTER" in seen.codes)
    assert seen.codes == ["BEFORE", "AFTER"]  # the half scan is dropped, not glued on
    assert seen.states == [DeviceState.CONNECTED, DeviceState.DISCONNECTED, DeviceState.CONNECTED]


def test_a_port_that_is_not_there_yet_is_waited_for(tmp_path):
    seen = Recorder()
    source = SerialScanner(str(tmp_path / "scanner"), backoff=FAST)
    source.start(seen.scan, seen.status)
    try:
        wait_until(lambda: source.status.state is DeviceState.DISCONNECTED and seen.statuses)
        scanner = PtyScanner(tmp_path)  # plugged in later
        wait_until(lambda: source.status.state is DeviceState.CONNECTED)
        scanner.write(b"LATE1\r")
        wait_until(lambda: seen.codes == ["LATE1"])
        scanner.close()
    finally:
        source.close()


def test_close_is_prompt_and_reports_stopped(reader):
    source, seen = reader
    started = time.monotonic()
    source.close()
    assert time.monotonic() - started < 0.5
    assert not source.running
    assert source.status.state is DeviceState.DISCONNECTED
    source.close()  # twice is harmless


def test_a_callback_that_raises_does_not_kill_the_reader(pty_scanner):
    calls = []

    def broken(result):
        calls.append(result)
        raise RuntimeError("bug in the app")

    source = SerialScanner(str(pty_scanner.path), backoff=FAST)
    source.start(broken)
    try:
        wait_until(lambda: source.status.state is DeviceState.CONNECTED)
        pty_scanner.write(b"ONE1\rTWO2\r")
        wait_until(lambda: len(calls) == 2)
        assert source.running
    finally:
        source.close()


def test_wait_for_scan_returns_the_first_scan(pty_scanner):
    source = SerialScanner(str(pty_scanner.path), backoff=FAST)
    threading.Timer(0.2, pty_scanner.write, args=(b"TEST-SCAN\r",)).start()
    result = wait_for_scan(source, timeout=3)
    assert isinstance(result, ScanEvent) and result.code == "TEST-SCAN"
    assert not source.running


def test_idle_gap_mode_ends_a_scan_after_silence(pty_scanner):
    seen = Recorder()
    source = SerialScanner(str(pty_scanner.path), terminator=b"", idle_gap=0.03, backoff=FAST)
    source.start(seen.scan)
    try:
        wait_until(lambda: source.status.state is DeviceState.CONNECTED)
        pty_scanner.write(b"NOSUFFIX1")
        wait_until(lambda: seen.results)
        time.sleep(0.2)
        pty_scanner.write(b"NOSUFFIX2")
        wait_until(lambda: len(seen.results) == 2)
        assert seen.codes == ["NOSUFFIX1", "NOSUFFIX2"]
    finally:
        source.close()


def test_line_assembler_handles_crlf_and_terminators_in_one_chunk():
    assembler = LineAssembler("t", b"\r")
    results = assembler.feed(b"AAA1\r\nBBB2\r\nCC")
    assert [r.code for r in results] == ["AAA1", "BBB2"]
    assert [r.code for r in assembler.feed(b"C3\r")] == ["CCC3"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("\r", b"\r"), ("\\r\\n", b"\r\n"), ("\t", b"\t"), ("", b""), ("\\x03", b"\x03")],
)
def test_parse_terminator(text, expected):
    assert parse_terminator(text) == expected
