"""Printers built from the seat config, with the world below python-escpos faked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import escpos
import pytest

from app.domain.cards import render_card as card_text
from devices.config import DeviceConfigError, PrinterConfig, printer_config
from devices.fake_usb import FakePrinter, FakeUsbBus
from devices.printers import PaperOut, PrinterOffline, build_printer, connect, print_bytes
from devices.render import render_card
from tests.devices.conftest import IMEI, TcpPrinter, card_data, wait_until
from tests.devices.escpos_decode import decode

ROOT = Path(__file__).resolve().parents[2]


def card_bytes() -> bytes:
    card = card_data()
    return render_card(card_text(card), card.claim_code)


def usb_config(**changes) -> PrinterConfig:
    table = {"kind": "usb", "vendor_id": "04b8", "product_id": "0x0202", "timeout": 0.2}
    return printer_config({**table, **changes})


# -- configuration --------------------------------------------------------------------


def test_printer_config_reads_the_seat_table():
    config = printer_config({"kind": "network", "host": "10.0.0.9:9101", "profile": "TM-T88V"})
    assert (config.kind, config.host, config.tcp_port, config.profile) == (
        "network",
        "10.0.0.9",
        9101,
        "TM-T88V",
    )
    assert usb_config().vendor_id == 0x04B8 and usb_config().product_id == 0x0202
    assert printer_config(None).kind == "none"


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"kind": "laser"}, "kind must be one of"),
        ({"kind": "usb"}, "vendor_id and product_id"),
        ({"kind": "network"}, "needs host"),
        ({"kind": "dummy", "timeout": 0}, "timeout must be more than 0"),
        ({"kind": "dummy", "profile": "nope"}, "no printer profile"),
        ({"kind": "dummy", "symbology": "ean13"}, "code128 or qr"),
        ({"kind": "dummy", "colour": "red"}, "unknown setting"),
        ({"kind": "dummy", "timeout": "soon"}, "timeout must be"),
        ({"kind": "dummy", "cash_drawer": "yes"}, "cash_drawer must be"),
    ],
)
def test_a_bad_printer_table_is_refused_with_the_key(table, words):
    with pytest.raises(DeviceConfigError, match=words) as refused:
        printer_config(table)
    assert "[printer]" in str(refused.value)


def test_a_usb_printer_always_gets_a_timeout():
    printer = build_printer(usb_config(timeout=3))
    assert printer.timeout == 3000  # milliseconds, never python-escpos' 0 = forever


# -- USB, through an emulated pyusb backend ---------------------------------------------


def test_usb_printer_prints_a_card():
    device = FakePrinter()
    print_bytes(usb_config(), card_bytes(), usb_backend=FakeUsbBus(device))
    paper = decode(bytes(device.received))
    assert "Pixel 8 128GB" in paper.text and "2027-03-14" in paper.text
    assert paper.barcodes[0].data == IMEI and paper.cuts == 1
    assert device.write_timeouts and all(t == 200 for t in device.write_timeouts)
    assert device.detach_calls == 1  # taken from usblp, or the write says 'Resource busy'


def test_usb_printer_not_plugged_in_is_offline():
    with pytest.raises(PrinterOffline, match="not connected or switched off"):
        connect(usb_config(), usb_backend=FakeUsbBus())


def test_usb_printer_that_does_not_answer_times_out_instead_of_hanging():
    device = FakePrinter()
    device.mode = "offline"
    with connect(usb_config(), usb_backend=FakeUsbBus(device)) as connection:
        with pytest.raises(PrinterOffline, match=r"did not answer within 0.2 s"):
            connection.write(card_bytes())
    assert device.received == b""


def test_usb_printer_unplugged_between_connect_and_write():
    device = FakePrinter()
    with connect(usb_config(), usb_backend=FakeUsbBus(device)) as connection:
        device.unplug()
        with pytest.raises(PrinterOffline, match="was unplugged"):
            connection.write(card_bytes())


def test_usb_printer_out_of_paper_is_reported_when_asked_to_check():
    device = FakePrinter()
    device.mode = "paper_out"
    with connect(usb_config(check_paper=True), usb_backend=FakeUsbBus(device)) as connection:
        with pytest.raises(PaperOut, match="out of paper"):
            connection.write(card_bytes())


def test_no_libusb_is_printer_offline_not_a_raw_pyusb_error():
    import usb.backend.libusb1

    if usb.backend.libusb1.get_backend() is not None:
        pytest.skip("libusb is installed here")
    with pytest.raises(PrinterOffline, match="libusb is not installed"):
        connect(usb_config())


# -- network, file, serial, dummy ---------------------------------------------------------


def network_config(printer: TcpPrinter, **changes) -> PrinterConfig:
    return printer_config(
        {"kind": "network", "host": f"127.0.0.1:{printer.port}", "timeout": 1, **changes}
    )


def test_network_printer_receives_the_card(tcp_printer):
    print_bytes(network_config(tcp_printer), card_bytes())
    wait_until(lambda: b"\x1dV" in tcp_printer.data)
    paper = decode(tcp_printer.data)
    assert IMEI in paper.text and paper.barcodes[0].data == IMEI and paper.cuts == 1


def test_network_printer_switched_off_is_offline(tcp_printer):
    tcp_printer.stop()
    with pytest.raises(PrinterOffline, match="not connected or switched off") as offline:
        connect(network_config(tcp_printer))
    assert f"127.0.0.1:{tcp_printer.port}" in str(offline.value)


def test_network_printer_paper_sensor(tcp_printer):
    tcp_printer.paper = False
    with connect(network_config(tcp_printer, check_paper=True)) as connection:
        with pytest.raises(PaperOut):
            connection.write(card_bytes())
    assert tcp_printer.data == b""


def test_file_printer_writes_the_device_file(tmp_path):
    path = tmp_path / "lp0"
    print_bytes(printer_config({"kind": "file", "path": str(path)}), card_bytes())
    assert decode(path.read_bytes()).barcodes[0].data == IMEI


def test_file_printer_missing_device_is_offline(tmp_path):
    config = printer_config({"kind": "file", "path": str(tmp_path / "nope" / "lp0")})
    with pytest.raises(PrinterOffline):
        connect(config)


def test_serial_printer_over_a_pty():
    master, slave = os.openpty()
    received = bytearray()

    def drain() -> None:
        while b"\x1dV" not in received:
            try:
                received.extend(os.read(master, 4096))
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    config = printer_config({"kind": "serial", "port": os.ttyname(slave), "timeout": 1})
    try:
        print_bytes(config, card_bytes())
        reader.join(3)
    finally:
        os.close(master)
        os.close(slave)
    assert decode(bytes(received)).barcodes[0].data == IMEI


def test_dummy_printer_keeps_the_output():
    with connect(printer_config({"kind": "dummy"})) as connection:
        connection.write(b"\x1b@hello\n")
        assert connection.output == b"\x1b@hello\n"


def test_no_printer_configured():
    with pytest.raises(PrinterOffline, match="No printer is set up"):
        connect(printer_config({}))


# -- the import traps of python-escpos, and the layer rule ----------------------------------

_PROBE = """
import logging, os, sys, tempfile
import devices.printers, devices.render, devices.print_queue, devices.serial_scanner
import devices.usb_hid, devices.wedge, devices.config, devices.source, devices.fake_usb
import devices.seat
forbidden = [m for m in sys.modules if m.split(".")[0] in ("textual", "peewee", "db", "screens")
             or m.startswith(("app.services", "app.tui", "app.config", "app.seat_file", "app.cli"))]
print("FORBIDDEN", forbidden)
print("ROOT_HANDLERS", logging.getLogger().handlers)
print("PICKLE_DIR", os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])
print("TMP", os.listdir(tempfile.gettempdir()))
"""


def test_importing_devices_is_clean(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert lines["FORBIDDEN"] == "[]"  # devices/ may import app.domain only
    assert lines["ROOT_HANDLERS"] == "[]"  # no stderr handler from logging.basicConfig()
    pickle_dir = tmp_path / "cache" / "serialdesk" / "escpos" / escpos.__version__
    assert lines["PICKLE_DIR"] == str(pickle_dir)  # per user and python-escpos version
    assert lines["TMP"] == "[]"  # no fresh temp dir per start
    assert out.stderr == ""
