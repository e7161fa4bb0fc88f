"""The seat's ``[scanner]`` and ``[printer]`` tables, typed and checked.

``app.config`` reads the TOML file and hands the two tables here; a mistake is
refused with a message naming the table and the key. Example::

    [scanner]
    source = "serial"            # wedge | serial | usb_hid | none
    port = "/dev/ttyACM0"
    baudrate = 9600
    terminator = "\\r"

    [printer]
    kind = "usb"                 # usb | serial | network | file | dummy | none
    vendor_id = 0x04b8
    product_id = 0x0202
    profile = "TM-T88V"
    timeout = 5                  # seconds; never waits forever on an offline printer
    columns = 32                 # characters a line: 32 on 58 mm paper (0: the profile's)
    shop_name = "Corner Phones"  # at the top of every warranty card
    shop_phone = "Tel. 020 7946 0000"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from app.domain.errors import DomainError
from devices.wedge import WedgeConfig

SCANNER_SOURCES = ("none", "wedge", "serial", "usb_hid")
PRINTER_KINDS = ("none", "usb", "serial", "network", "file", "dummy")
SYMBOLOGIES = ("code128", "qr")
MIN_COLUMNS, MAX_COLUMNS = 16, 80


class DeviceConfigError(DomainError):
    """The seat's scanner or printer settings cannot be used; the message says which key."""


@dataclass(frozen=True)
class ScannerConfig:
    """``[scanner]``: which source, and its settings (only those of the source are used)."""

    source: str = "wedge"
    # keyboard wedge
    prefix: str = ""
    suffix: str = ""  # what ends a scan; none: Enter (Tab only as suffix = "\t")
    min_length: int = 4
    max_gap_ms: int = 50
    # serial port
    port: str = ""
    baudrate: int = 9600
    terminator: str = "\r"  # "" = a scan ends after a short silence
    # USB HID
    vendor_id: int = 0
    product_id: int = 0
    interface: int = 0

    def wedge(self) -> WedgeConfig:
        """The keyboard-wedge detector's settings."""
        return WedgeConfig(
            prefix=self.prefix,
            suffix=self.suffix,
            min_length=self.min_length,
            max_gap=self.max_gap_ms / 1000,
        )


@dataclass(frozen=True)
class PrinterConfig:
    """``[printer]``: connection, capability profile, and what goes on paper."""

    kind: str = "none"
    profile: str = "default"
    timeout: float = 5.0  # seconds, for every connection kind that has one
    # usb
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01
    # serial
    port: str = ""
    baudrate: int = 9600
    # network ("host" may be "host:port")
    host: str = ""
    tcp_port: int = 9100
    # file, e.g. /dev/usb/lp0
    path: str = ""
    # paper
    symbology: str = "code128"  # what the card's claim code is printed as: code128 | qr
    columns: int = 0  # characters a line; 0 = the profile's width in font A (42 by default)
    shop_name: str = ""  # the top of every warranty card: the shop's name, in bold
    shop_phone: str = ""  # and its phone, as written
    cash_drawer: bool = False
    drawer_pin: int = 2
    check_paper: bool = False  # ask the printer for its paper sensor before each job


def _table(cls: type, name: str, table: Mapping[str, Any] | None) -> dict[str, Any]:
    """Coerce a TOML table onto the dataclass' fields, refusing unknown keys and bad types."""
    table = dict(table or {})
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise DeviceConfigError(f"In [{name}], unknown setting(s): {', '.join(unknown)}.")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        default = getattr(cls(), key)
        try:
            values[key] = _coerce(raw, default, hexadecimal=key.endswith(("_id", "_ep")))
        except (TypeError, ValueError):
            kind = type(default).__name__.replace("str", "text").replace("int", "whole number")
            raise DeviceConfigError(f"In [{name}], {key} must be a {kind}, not {raw!r}.") from None
    return values


def _coerce(raw: Any, default: Any, hexadecimal: bool = False) -> Any:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise TypeError(raw)
        return raw
    if isinstance(default, int):
        if isinstance(raw, str):  # USB ids are written in hex: "04b8" or "0x04b8"
            return int(raw.strip(), 16 if hexadecimal else 10)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError(raw)
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise TypeError(raw)
        return float(raw)
    if not isinstance(raw, str):
        raise TypeError(raw)
    return raw


def scanner_config(table: Mapping[str, Any] | None) -> ScannerConfig:
    """``[scanner]`` as a ScannerConfig; missing table = keyboard wedge with defaults."""
    config = ScannerConfig(**_table(ScannerConfig, "scanner", table))
    if config.source not in SCANNER_SOURCES:
        raise DeviceConfigError(
            f"In [scanner], source must be one of {', '.join(SCANNER_SOURCES)}, "
            f"not {config.source!r}."
        )
    if config.source == "serial" and not config.port:
        raise DeviceConfigError('In [scanner], a serial scanner needs port = "/dev/ttyACM0".')
    if config.source == "usb_hid" and not (config.vendor_id and config.product_id):
        raise DeviceConfigError("In [scanner], a USB scanner needs vendor_id and product_id.")
    if config.min_length < 1 or config.max_gap_ms < 1:
        raise DeviceConfigError("In [scanner], min_length and max_gap_ms must be at least 1.")
    return config


def split_host(text: str) -> tuple[str, str | None]:
    """A network printer's host as written: ``host``, ``host:port``, a bare IPv6 address,
    or ``[address]:port``. Returns the host and the port as written (None: not given)."""
    if text.startswith("[") and "]" in text:
        host, _, rest = text[1:].partition("]")
        return host, (rest[1:] if rest.startswith(":") else rest) or None
    if text.count(":") == 1:  # a bare IPv6 address has several colons
        host, _, port = text.partition(":")
        return host, port
    return text, None


def printer_config(table: Mapping[str, Any] | None) -> PrinterConfig:
    """``[printer]`` as a PrinterConfig; missing table = no printer."""
    if not table or table.get("kind", "none") == "none":
        return PrinterConfig(**_table(PrinterConfig, "printer", table))
    from devices.printer_profiles import profile_names  # not python-escpos: read at a print

    values = _table(PrinterConfig, "printer", table)
    values["host"], port = split_host(values.get("host", ""))
    if port is not None:
        values["tcp_port"] = _coerce(port, 0)
    config = PrinterConfig(**values)
    problems = [
        (config.kind not in PRINTER_KINDS, f"kind must be one of {', '.join(PRINTER_KINDS)}"),
        (config.profile not in profile_names(), f"there is no printer profile {config.profile!r}"),
        (config.timeout <= 0, "timeout must be more than 0 seconds (an offline printer would "
         "otherwise hang the print queue)"),
        (config.symbology not in SYMBOLOGIES, "symbology must be code128 or qr"),
        (config.columns != 0 and not MIN_COLUMNS <= config.columns <= MAX_COLUMNS,
         f"columns must be {MIN_COLUMNS} to {MAX_COLUMNS} characters a line (32 on 58 mm "
         "paper, 42 or 48 on 80 mm), or 0 for the printer profile's"),
        (config.drawer_pin not in (2, 5), "drawer_pin must be 2 or 5"),
        (config.kind == "usb" and not (config.vendor_id and config.product_id),
         "a USB printer needs vendor_id and product_id"),
        (config.kind == "serial" and not config.port, 'a serial printer needs port = "/dev/ttyS0"'),
        (config.kind == "network" and not config.host, 'a network printer needs host = "10.0.0.9"'),
        (config.kind == "file" and not config.path, 'a file printer needs path = "/dev/usb/lp0"'),
    ]  # fmt: skip
    for failed, message in problems:
        if failed:
            raise DeviceConfigError(f"In [printer], {message}.")
    return config
