"""Per-seat settings from a TOML file in the user's config dir (path overridable).

Example ``~/.config/serialdesk/seat.toml``::

    seat = "Counter 1"
    branch = "A"
    database = "/var/lib/serialdesk/shop.db"   # or postgresql://user@host/db
    idle_lock_minutes = 10

    [keymap]                                   # rebind any key by its binding id
    "screen.checkout" = "f3"

    [scanner]                                  # see devices/config.py
    source = "wedge"

    [printer]
    kind = "network"
    host = "192.168.1.50"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from app.domain.errors import DomainError
from devices.config import PrinterConfig, ScannerConfig, printer_config, scanner_config


@dataclass(frozen=True)
class SeatConfig:
    seat: str = "Counter"
    branch: str | None = None
    database: str | None = None
    idle_lock_minutes: int = 10
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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DomainError(f"The seat settings in {path} cannot be read: {exc}") from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise DomainError(f'In {path}, [keymap] maps binding ids to keys, like checkout = "f3".')
    try:
        return SeatConfig(
            seat=str(data.get("seat", "Counter")),
            branch=data.get("branch"),
            database=data.get("database"),
            idle_lock_minutes=int(data.get("idle_lock_minutes", 10)),
            keymap=dict(keymap),
            scanner=scanner_config(data.get("scanner")),
            printer=printer_config(data.get("printer")),
            path=path,
        )
    except (TypeError, ValueError) as exc:
        raise DomainError(f"The seat settings in {path} are not valid: {exc}") from None
