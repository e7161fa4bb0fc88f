"""``serialdesk devices``: a test card on the seat's printer, a test scan from its scanner."""

from __future__ import annotations

import json
import threading
import time

from app.cli.entry import main
from tests.devices.conftest import PtyScanner, TcpPrinter
from tests.devices.escpos_decode import decode


def test_devices_prints_a_test_card_and_reads_a_test_scan(tmp_path, monkeypatch, capsys):
    printer = TcpPrinter()
    scanner = PtyScanner(tmp_path)
    seat = tmp_path / "seat.toml"
    seat.write_text(
        f'seat = "Till 2"\n[scanner]\nsource = "serial"\nport = "{scanner.path}"\n'
        f'[printer]\nkind = "network"\nhost = "127.0.0.1:{printer.port}"\ntimeout = 2\n'
    )
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))

    def scan_soon():
        time.sleep(0.8)
        scanner.write(b"356938035643809\r")

    threading.Thread(target=scan_soon, daemon=True).start()
    try:
        code = main(["devices", "--test-print", "--wait-scan", "10", "--json"])
    finally:
        printer.stop()
        scanner.close()
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") :])
    assert code == 0 and report["seat"] == "Till 2"
    assert report["printer"]["state"].startswith("ok")
    assert report["scanner"]["test_scan"] == "read: '356938035643809'"
    card = decode(printer.data)
    assert "TEST-0001" in card.text and card.cuts == 1


def test_devices_says_when_the_printer_is_offline(tmp_path, monkeypatch, capsys):
    printer = TcpPrinter()
    printer.stop()
    seat = tmp_path / "seat.toml"
    seat.write_text(
        f'[printer]\nkind = "network"\nhost = "127.0.0.1:{printer.port}"\ntimeout = 1\n'
    )
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    assert main(["devices", "--test-print"]) == 0
    assert "offline" in capsys.readouterr().out


def test_a_broken_seat_file_is_one_clear_line(tmp_path, monkeypatch, capsys):
    seat = tmp_path / "seat.toml"
    seat.write_text('[printer]\nkind = "fax"\n')
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    assert main(["devices"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kind must be one of" in err
