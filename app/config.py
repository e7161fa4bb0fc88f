"""Per-seat settings from a TOML file in the user's config dir (path overridable).

Example ``~/.config/serialdesk/seat.toml``::

    seat = "Counter 1"
    branch = "A"
    database = "/var/lib/serialdesk/shop.db"   # or postgresql://user@host/db
    reports_database = "postgresql://user@replica/db"   # optional: reports read here, read-only
    idle_lock_minutes = 10
    key_file = "/home/serialdesk/.config/serialdesk/keys/shop.key"   # the history's key

    [keymap]                                   # rebind any key by its binding id
    "screen.checkout" = "f3"

    [scanner]                                  # see devices/config.py
    source = "wedge"

    [printer]
    kind = "network"
    host = "192.168.1.50"

Reading it is here; editing and saving it from the settings screen, and the test card, are
in ``app.seat_file``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from app.domain.errors import DomainError
from devices.config import (
    PRINTER_KINDS,
    SCANNER_SOURCES,
    PrinterConfig,
    ScannerConfig,
    printer_config,
    scanner_config,
)

__all__ = ["PRINTER_KINDS", "SCANNER_SOURCES", "SeatConfig", "SeatSettings", "load_config"]


@dataclass(frozen=True)
class SeatConfig:
    seat: str = "Counter"
    branch: str | None = None
    database: str | None = None
    # Where reports read, read-only (a streaming replica); None: the main database.
    # SERIALDESK_REPORTS_DB overrides it (db.reports_connection.reports_url).
    reports_database: str | None = None
    idle_lock_minutes: int = 10
    key_file: str | None = None  # the history chain's key (default: db.chain_key.key_path)
    keymap: dict[str, str] = field(default_factory=dict)
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    path: Path | None = None


def default_config_path() -> Path:
    env = os.environ.get("SERIALDESK_CONFIG")
    if env:
        return Path(env)
    return Path(user_config_dir("serialdesk", appauthor=False)) / "seat.toml"


def load_config(path: Path | None = None) -> SeatConfig:
    """The seat's settings; defaults when the file does not exist. A broken file is refused."""
    path = path or default_config_path()
    if not path.exists():
        return SeatConfig(path=path)
    return parse_config(read_seat_file(path), path)


def read_seat_file(path: Path) -> str:
    """The text of the seat's settings file; one that cannot be read is refused with why."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(f"The seat settings in {path} cannot be read: {exc}") from None
    except OSError as exc:
        raise DomainError(f"The seat settings in {path} cannot be read: {exc.strerror}") from None


def parse_config(text: str, path: Path) -> SeatConfig:
    """The seat's settings from the text of its TOML file; a mistake is refused with why."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(f"The seat settings in {path} cannot be read: {exc}") from None
    for key in ("seat", "branch", "database", "reports_database", "key_file"):
        if key in data and not isinstance(data[key], str):
            raise DomainError(
                f'In {path}, {key} is text in quotes, like {key} = "..."; it is {data[key]!r}.'
            )
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise DomainError(f'In {path}, [keymap] maps binding ids to keys, like checkout = "f3".')
    try:
        return SeatConfig(
            seat=str(data.get("seat", "Counter")),
            branch=data.get("branch"),
            database=data.get("database"),
            reports_database=data.get("reports_database"),
            key_file=data.get("key_file"),
            idle_lock_minutes=int(data.get("idle_lock_minutes", 10)),
            keymap=dict(keymap),
            scanner=scanner_config(data.get("scanner")),
            printer=printer_config(data.get("printer")),
            path=path,
        )
    except (TypeError, ValueError) as exc:
        raise DomainError(f"The seat settings in {path} are not valid: {exc}") from None
    except DomainError as exc:  # a device table's own refusal: say which file it is in
        raise DomainError(f"{path}: {exc.message}") from None


def config_path(config: SeatConfig) -> Path:
    """The file a seat's settings are saved to: the one it started with, else the default."""
    return config.path or default_config_path()


# --- the settings as the seat settings screen shows them -----------------------------------------


@dataclass(frozen=True)
class SeatSettings:
    """What a manager edits on the seat settings screen. ``scanner_port`` is the serial port,
    or vendor:product in hex for a USB scanner; ``printer_target`` is what the kind needs:
    vendor:product (usb), port (serial), host[:port] (network), path (file)."""

    seat: str
    branch: str  # "" = each employee's home branch
    idle_lock_minutes: int
    scanner_source: str
    scanner_port: str
    scanner_prefix: str
    scanner_suffix: str
    printer_kind: str
    printer_target: str


def _usb(vendor_id: int, product_id: int) -> str:
    return f"{vendor_id:04x}:{product_id:04x}" if vendor_id or product_id else ""


def seat_settings(config: SeatConfig) -> SeatSettings:
    """A seat's settings as the screen shows them."""
    scanner, printer = config.scanner, config.printer
    port = {"serial": scanner.port, "usb_hid": _usb(scanner.vendor_id, scanner.product_id)}
    host = f"[{printer.host}]" if ":" in (printer.host or "") else printer.host  # IPv6
    host = host if printer.tcp_port == 9100 else f"{host}:{printer.tcp_port}"
    target = {
        "usb": _usb(printer.vendor_id, printer.product_id),
        "serial": printer.port,
        "network": host if printer.host else "",
        "file": printer.path,
    }
    return SeatSettings(
        seat=config.seat,
        branch=config.branch or "",
        idle_lock_minutes=config.idle_lock_minutes,
        scanner_source=scanner.source,
        scanner_port=port.get(scanner.source, ""),
        scanner_prefix=scanner.prefix,
        scanner_suffix=scanner.suffix,
        printer_kind=printer.kind,
        printer_target=target.get(printer.kind, ""),
    )
