"""The USB HID scanner through pyusb, on an emulated device at the backend level."""

from __future__ import annotations

import time

import pytest

from devices.events import ScanEvent, UnreadableScan
from devices.fake_usb import FakeScanner, FakeUsbBus
from devices.source import Backoff, DeviceState
from devices.usb_hid import BootKeyboardDecoder, UsbHidScanner
from tests.devices.conftest import IMEI, Recorder, wait_until

FAST = Backoff(initial=0.02, maximum=0.1)


@pytest.fixture
def hid():
    device = FakeScanner()
    bus = FakeUsbBus(device)
    seen = Recorder()
    source = UsbHidScanner(
        device.vendor_id, device.product_id, backend=bus, backoff=FAST, read_timeout_ms=20
    )
    source.start(seen.scan, seen.status)
    wait_until(lambda: source.status.state is DeviceState.CONNECTED)
    yield device, source, seen
    source.close()


def report(modifiers: int, *keys: int) -> bytes:
    return bytes([modifiers, 0, *keys, *[0] * (6 - len(keys))])


def test_decoder_types_a_key_once_per_press_with_shift():
    decoder = BootKeyboardDecoder()
    assert decoder.feed(report(0x02, 0x04)) == ["A"]  # Shift+a
    assert decoder.feed(report(0x02, 0x04)) == []  # still held: no repeat
    assert decoder.feed(report(0)) == []
    assert decoder.feed(report(0, 0x1E)) == ["1"]
    assert decoder.feed(report(0x20, 0x1E)) == []  # same key still down, right shift now
    assert decoder.feed(report(0)) == []
    assert decoder.feed(report(0x20, 0x2D)) == ["_"]


def test_decoder_enter_tab_gs_and_unknown_keys():
    decoder = BootKeyboardDecoder()
    assert decoder.feed(report(0, 0x28)) == ["\r"]
    assert decoder.feed(report(0, 0x2B)) == ["\t"]
    assert decoder.feed(report(0x01, 0x30)) == ["\x1d"]  # Ctrl+] = GS1 separator
    assert decoder.feed(report(0, 0x3A)) == [None]  # F1: no character
    assert decoder.feed(report(0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01)) == []  # rollover error
    assert decoder.feed(b"\x00") == []  # a short report carries nothing


def test_two_new_keys_in_one_report_both_type():
    decoder = BootKeyboardDecoder()
    assert decoder.feed(report(0, 0x04, 0x05)) == ["a", "b"]


def test_the_kernel_driver_is_detached_and_scans_arrive(hid):
    device, source, seen = hid
    assert device.detach_calls == 1 and not device.kernel_driver_active
    device.type_text(IMEI)
    device.type_text("SN-Ab/42")
    wait_until(lambda: len(seen.results) == 2)
    assert seen.codes == [IMEI, "SN-Ab/42"]
    assert seen.results[0].source == source.name == "usb:05e0:1200"


def test_gs1_separator_survives_the_usb_path(hid):
    device, _, seen = hid
    device.type_text("0109506000134352\x1d21SN1")
    wait_until(lambda: seen.results)
    assert seen.codes == ["0109506000134352\x1d21SN1"]


def test_garbage_keys_give_an_unreadable_scan(hid):
    device, _, seen = hid
    device.send_report(report(0, 0x04))
    device.send_report(report(0, 0x3A))  # F1 in the middle of a code
    device.send_report(report(0))
    device.send_report(report(0, 0x28))
    device.send_report(report(0))
    device.send_report(report(0x01, 0x06))  # Ctrl+c
    device.send_report(report(0))
    device.send_report(report(0, 0x28))
    device.send_report(report(0))
    device.type_text("OK12")
    wait_until(lambda: len(seen.results) == 3)
    first, second, third = seen.results
    assert isinstance(first, UnreadableScan) and "not a character" in first.message
    assert isinstance(second, UnreadableScan) and "control character" in second.message
    assert isinstance(third, ScanEvent) and third.code == "OK12"


def test_a_code_without_end_is_cut_off_as_too_long(hid):
    device, _, seen = hid
    device.type_text("7" * 300, enter=False)
    device.type_text("", enter=True)
    device.type_text("NEXT1")
    wait_until(lambda: len(seen.results) == 2)
    assert isinstance(seen.results[0], UnreadableScan) and "too long" in seen.results[0].message
    assert seen.codes == ["NEXT1"]


def test_unplug_and_replug(hid):
    device, source, seen = hid
    device.type_text("BEFORE")
    wait_until(lambda: seen.codes == ["BEFORE"])
    device.unplug()
    wait_until(lambda: source.status.state is DeviceState.DISCONNECTED)
    time.sleep(0.1)
    device.plug()
    wait_until(lambda: source.status.state is DeviceState.CONNECTED)
    assert device.detach_calls == 2  # taken from the kernel again after the replug
    device.type_text("AFTER")
    wait_until(lambda: "AFTER" in seen.codes)
    assert seen.codes == ["BEFORE", "AFTER"]
    assert seen.states == [DeviceState.CONNECTED, DeviceState.DISCONNECTED, DeviceState.CONNECTED]


def test_close_gives_the_scanner_back_to_the_keyboard_driver(hid):
    device, source, _ = hid
    source.close()
    assert device.attach_calls == 1 and device.kernel_driver_active
    assert source.status.state is DeviceState.DISCONNECTED


def test_a_missing_scanner_is_waited_for():
    bus = FakeUsbBus()
    seen = Recorder()
    source = UsbHidScanner(0x05E0, 0x1200, backend=bus, backoff=FAST, read_timeout_ms=20)
    source.start(seen.scan, seen.status)
    try:
        wait_until(lambda: seen.statuses)
        assert source.status.state is DeviceState.DISCONNECTED
        device = FakeScanner()
        bus.devices.append(device)
        wait_until(lambda: source.status.state is DeviceState.CONNECTED)
        device.type_text("HELLO")
        wait_until(lambda: seen.codes == ["HELLO"])
    finally:
        source.close()


def test_no_libusb_is_an_error_status_not_a_crash():
    # No backend given and no libusb on this machine: pyusb raises NoBackendError.
    import usb.backend.libusb1

    if usb.backend.libusb1.get_backend() is not None:
        pytest.skip("libusb is installed here")
    seen = Recorder()
    source = UsbHidScanner(0x05E0, 0x1200, backoff=FAST)
    source.start(seen.scan, seen.status)
    try:
        wait_until(lambda: seen.statuses)
        assert source.status.state is DeviceState.ERROR
        assert "libusb" in source.status.message
        assert source.running  # still retrying, in case it gets installed
    finally:
        source.close()
