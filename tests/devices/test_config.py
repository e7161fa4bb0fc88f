"""The seat's [scanner] table, and the devices built from it."""

from __future__ import annotations

import tomllib

import pytest

from devices.config import DeviceConfigError, printer_config, scanner_config
from devices.fake_usb import FakePrinter, FakeUsbBus
from devices.print_queue import Job
from devices.seat import (
    make_print_worker,
    make_scanner,
    make_wedge,
    paper_options,
    printer_test_card,
)
from devices.serial_scanner import SerialScanner
from devices.usb_hid import UsbHidScanner
from tests.devices.conftest import IMEI
from tests.devices.escpos_decode import decode

SEAT_TOML = """
seat = "Counter 1"

[scanner]
source = "serial"
port = "/dev/ttyACM0"
baudrate = 115200
terminator = '\\r\\n'

[printer]
kind = "usb"
vendor_id = 0x04b8
product_id = 0x0202
profile = "TM-T88V"
timeout = 2.5
symbology = "qr"
cash_drawer = true
"""


def test_the_seat_file_tables_parse():
    data = tomllib.loads(SEAT_TOML)
    scanner = scanner_config(data["scanner"])
    assert (scanner.source, scanner.port, scanner.baudrate) == ("serial", "/dev/ttyACM0", 115200)
    source = make_scanner(scanner)
    assert isinstance(source, SerialScanner)
    assert source._assembler.terminator == b"\r\n"
    printer = printer_config(data["printer"])
    assert (printer.vendor_id, printer.timeout, printer.symbology) == (0x04B8, 2.5, "qr")
    assert printer.cash_drawer and printer.drawer_pin == 2
    assert paper_options(printer).profile == "TM-T88V"


def test_no_scanner_table_means_a_keyboard_wedge():
    config = scanner_config(None)
    assert config.source == "wedge" and make_scanner(config) is None
    detector = make_wedge(config)
    assert detector is not None and detector.config.max_gap == 0.05


def test_a_usb_scanner_takes_hex_ids():
    config = scanner_config({"source": "usb_hid", "vendor_id": "05e0", "product_id": "0x1200"})
    source = make_scanner(config)
    assert isinstance(source, UsbHidScanner)
    assert (source.vendor_id, source.product_id) == (0x05E0, 0x1200)
    assert make_wedge(config) is None


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"source": "bluetooth"}, "source must be one of"),
        ({"source": "serial"}, "needs port"),
        ({"source": "usb_hid", "vendor_id": 1}, "vendor_id and product_id"),
        ({"baudrate": "fast"}, "baudrate must be"),
        ({"min_length": 0}, "at least 1"),
        ({"prefx": "x"}, "unknown setting"),
    ],
)
def test_a_bad_scanner_table_is_refused_with_the_key(table, words):
    with pytest.raises(DeviceConfigError, match=words) as refused:
        scanner_config(table)
    assert "[scanner]" in str(refused.value)


def test_the_seat_print_worker_prints_with_the_seat_layout():
    device = FakePrinter()
    config = printer_config(
        {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0202, "symbology": "qr"}
    )
    done: list[int] = []
    worker = make_print_worker(
        config,
        fetch_queued=lambda: [Job(7, "card", "Warranty card\n[barcode]\n", IMEI)][len(done) :],
        mark_printed=done.append,
        mark_failed=lambda job_id, error: pytest.fail(error),
        usb_backend=FakeUsbBus(device),
    )
    assert worker.run_once().waiting == 0
    assert done == [7]
    assert decode(bytes(device.received)).qr_codes == [IMEI]


def test_the_test_card_prints_its_code():
    paper = decode(printer_test_card(printer_config({"kind": "dummy"})))
    assert paper.barcodes[0].data == "TEST-0001" and "the printer works" in paper.text


def test_a_failed_test_card_says_nothing_was_queued(tmp_path):
    from app.domain.errors import DomainError
    from app.seat_file import print_test_card

    printer = printer_config({"kind": "file", "path": str(tmp_path / "no" / "such" / "lp0")})
    with pytest.raises(DomainError) as failed:
        print_test_card(printer)
    text = failed.value.message
    assert text.startswith("Test print failed: Printer ") and "no/such/lp0" in text
    assert text.endswith("Nothing was queued.") and "queued and prints" not in text
