"""``serialdesk devices``: the seat's scanner and printer, their state, a test card, a test scan."""

from __future__ import annotations

import threading

from app.cli.session import emit
from app.config import load_config
from app.domain.errors import DomainError, Refused
from devices.events import ScanEvent, UnreadableScan
from devices.printers import print_bytes
from devices.seat import make_scanner, printer_test_card
from devices.source import SourceStatus


def cmd_devices(args) -> int:
    config = load_config()
    scanner, printer = config.scanner, config.printer
    report: dict = {
        "settings": str(config.path) if config.path and config.path.exists() else "",
        "seat": config.seat,
        "scanner": {"source": scanner.source},
        "printer": {"kind": printer.kind, "profile": printer.profile},
    }
    if scanner.source == "serial":
        report["scanner"]["port"] = scanner.port
    if printer.kind != "none":
        report["printer"]["state"] = _test_print(printer) if args.test_print else "not tried"
    if args.wait_scan:
        report["scanner"]["test_scan"] = _wait_for_scan(scanner, args.wait_scan)
    return emit(args, report, _text)


def _test_print(printer) -> str:
    try:
        print_bytes(printer, printer_test_card(printer))
    except DomainError as exc:
        return f"offline: {exc.message}"
    return "ok: a test card was printed"


def _wait_for_scan(config, seconds: float) -> str:
    """Wait for one scan from the configured scanner; say what arrived."""
    if config.source in ("none", "wedge"):
        # A wedge scanner types: read a line from the terminal like any typed text.
        if config.source == "none":
            raise Refused("No scanner is configured for this seat ([scanner] source).")
        print(f"Scan a barcode now (within {seconds:.0f} s), or type one and press Enter:")
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(input()), daemon=True)
        reader.start()
        reader.join(seconds)
        return f"read: {line[0]!r}" if line else "nothing arrived"
    source = make_scanner(config)
    arrived = threading.Event()
    seen: list[ScanEvent | UnreadableScan] = []
    states: list[SourceStatus] = []
    source.start(lambda scan: (seen.append(scan), arrived.set()), states.append)
    print(f"Scan a barcode now (within {seconds:.0f} s)...")
    arrived.wait(seconds)
    source.close()
    if not seen:
        state = states[-1].message if states else "no news from the scanner"
        return f"nothing arrived ({state})"
    scan = seen[0]
    if isinstance(scan, UnreadableScan):
        return scan.message
    return f"read: {scan.code!r}"


def _text(report: dict) -> str:
    lines = [f"Seat {report['seat']} (settings: {report['settings'] or 'defaults'})"]
    scanner = report["scanner"]
    lines.append(
        f"Scanner: {scanner['source']}" + (f" on {scanner['port']}" if "port" in scanner else "")
    )
    if "test_scan" in scanner:
        lines.append(f"  test scan: {scanner['test_scan']}")
    printer = report["printer"]
    lines.append(f"Printer: {printer['kind']} (profile {printer['profile']})")
    if "state" in printer:
        lines.append(f"  {printer['state']}")
    return "\n".join(lines)
