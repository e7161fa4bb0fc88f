"""Editing the seat's settings file from the settings screen, and the screen's test print.

The screen's values become key changes written into the file's own lines (comments and
other keys kept), checked by the loader in ``app.config`` before anything is written, and
saved all or nothing with the file's permissions kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from app.config import SeatConfig, SeatSettings, parse_config, read_seat_file
from app.domain.errors import DomainError
from app.services.counter import printing
from db.private_files import make_private_folder
from devices.config import PrinterConfig, split_host


class _Hex(int):
    """A USB id, written to the file in hex as it is printed on the device."""


def _usb_ids(text: str, what: str) -> dict[str, int | None]:
    """vendor:product in hex as the file's two keys; blank removes them (the loader then
    says the device needs them)."""
    if not text.strip():
        return {"vendor_id": None, "product_id": None}
    vendor, sep, product = text.strip().lower().replace("0x", "").partition(":")
    try:
        if not sep:
            raise ValueError(text)
        return {"vendor_id": _Hex(vendor, 16), "product_id": _Hex(product, 16)}
    except ValueError:
        raise DomainError(
            f"Give the USB {what} as vendor:product in hex, like 04b8:0202 (not '{text}')."
        ) from None


Changes = dict[tuple[str, str], Any]  # (table or "", key) -> value; None removes the key


def _changes(new: SeatSettings, data: dict[str, Any]) -> Changes:
    """The keys the screen's values set in the file; untouched keys stay as they are."""
    if not new.seat.strip():
        raise DomainError("The seat needs a name (it shows on every screen and card queue).")
    if not 0 <= new.idle_lock_minutes <= 24 * 60:
        raise DomainError("Idle lock is 0 (never) to 1440 minutes.")
    changes: Changes = {
        ("", "seat"): new.seat.strip(),
        ("", "branch"): new.branch.strip().upper() or None,
        ("", "idle_lock_minutes"): new.idle_lock_minutes,
        ("scanner", "source"): new.scanner_source,
        ("printer", "kind"): new.printer_kind,
    }
    scanner = data.get("scanner") if isinstance(data.get("scanner"), dict) else {}
    for key, value in (("prefix", new.scanner_prefix), ("suffix", new.scanner_suffix)):
        if value or key in scanner:
            changes["scanner", key] = value
    # What the screen shows is what the file says: a cleared USB id or port is not kept.
    port = new.scanner_port.strip()
    if new.scanner_source == "serial":
        changes["scanner", "port"] = port
    elif new.scanner_source == "usb_hid":
        changes.update({("scanner", k): v for k, v in _usb_ids(port, "scanner").items()})
    target = new.printer_target.strip()
    if new.printer_kind == "usb":
        changes.update({("printer", k): v for k, v in _usb_ids(target, "printer").items()})
    elif new.printer_kind == "network":
        host, tcp_port = _host_port(target)
        changes["printer", "host"] = host
        changes["printer", "tcp_port"] = tcp_port  # None: the usual 9100
    elif new.printer_kind in ("serial", "file"):
        changes["printer", {"serial": "port", "file": "path"}[new.printer_kind]] = target
    return changes


def _host_port(target: str) -> tuple[str, int | None]:
    """A network printer's ``host[:port]`` as typed (an IPv6 address bare, or in brackets
    with a port: ``[fe80::1]:9100``); no port is the usual 9100."""
    host, port = split_host(target)
    if port is None:
        return host, None
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise DomainError(
            f"Give the network printer as host or host:port, like 10.0.0.9:9100 (not '{target}')."
        )
    return host, int(port)


def check_seat_settings(path: Path, new: SeatSettings) -> tuple[str, SeatConfig]:
    """The file's new text and the settings it gives, checked by the loader; nothing written.

    A value the seat could not start with is refused with the loader's message.
    """
    old = read_seat_file(path) if path.exists() else ""
    try:
        data = tomllib.loads(old)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(
            f"The seat settings in {path} cannot be read ({exc}); fix the file by hand first."
        ) from None
    changes = _changes(new, data)
    wanted = _merged(data, changes)
    text = _edited(old, changes)
    try:
        kept_layout = tomllib.loads(text) == wanted
    except tomllib.TOMLDecodeError:
        kept_layout = False
    if not kept_layout:  # a layout the line editor does not follow: write the file afresh
        text = dumps_toml(wanted)
    return text, parse_config(text, path)


def save_seat_settings(
    path: Path, new: SeatSettings, *, running_seat: str | None = None
) -> SeatConfig:
    """Write the seat's settings file (comments and other keys kept) if the loader accepts it.

    ``running_seat``: the name the running seat queues its cards under. When the name
    changes, those waiting cards move to the new name with the file's saving, all or
    nothing, so they still print (once); the seat uses the new name from then on.
    """
    text, config = check_seat_settings(path, new)

    def write() -> None:
        try:
            _write_privately(path, text)
        except OSError as exc:
            raise DomainError(
                f"Cannot write the seat settings to {path}: {exc.strerror or exc}."
            ) from None

    if running_seat is not None and running_seat != config.seat:
        printing.adopt_queue(running_seat, config.seat, then=write)
    else:
        write()
    return config


def _write_privately(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` all or nothing, keeping its permissions.

    The file may hold a database password: a new one is the owner's only (0600), an old
    one keeps its mode. The text goes to a temporary file beside it, is synced, then
    renamed over it, so a seat never starts from half a file.
    """
    path = path.resolve()  # a symlinked settings file stays a symlink
    make_private_folder(path.parent)  # the settings may hold a database password: 0700
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".saving", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:  # mkstemp made it 0600
            os.chmod(temporary, mode)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _merged(data: dict[str, Any], changes: Changes) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for (table, key), value in changes.items():
        target = merged if not table else merged.setdefault(table, {})
        if not isinstance(target, dict):
            raise DomainError(f"In the seat settings, {table} should be a [{table}] table.")
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return merged


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^\s*"?([A-Za-z0-9_-]+)"?\s*=')


def _edited(text: str, changes: Changes) -> str:
    """``text`` with the changed keys' lines replaced, added or dropped; the rest as it was."""
    lines = text.splitlines()
    table: str | None = ""
    last_line: dict[str, int] = {"": -1}  # where a key of each table was last seen
    out: dict[int, list[str]] = {}
    pending = dict(changes)
    for i, line in enumerate(lines):
        header = _HEADER.match(line)
        if header or line.lstrip().startswith("["):
            table = header.group(1) if header else None
            if table is not None:
                last_line[table] = i
            continue
        key = _KEY.match(line)
        if table is None or key is None:
            continue
        last_line[table] = i
        if (table, key.group(1)) in pending:
            value = pending.pop((table, key.group(1)))
            keep = [] if value is None else [f"{key.group(1)} = {_value(value)}{_comment(line)}"]
            out[i] = keep
    new_tables: dict[str, list[str]] = {}
    for (table, key), value in pending.items():
        if value is None:
            continue
        if table in last_line:
            at = last_line[table]
            out.setdefault(at, [lines[at]] if at >= 0 else []).append(f"{key} = {_value(value)}")
        else:
            new_tables.setdefault(table, ["", f"[{table}]"]).append(f"{key} = {_value(value)}")
    added = [line for table_lines in new_tables.values() for line in table_lines]
    result = out.get(-1, []) + [new for i, line in enumerate(lines) for new in out.get(i, [line])]
    return "\n".join(result + added).strip("\n") + "\n"


def _comment(line: str) -> str:
    """A key line's trailing comment (kept when its value changes), with its spacing."""
    for at in (i for i, ch in enumerate(line) if ch == "#"):
        try:
            tomllib.loads(line[:at])
        except tomllib.TOMLDecodeError:
            continue
        value_end = len(line[:at].rstrip())
        return line[value_end:]
    return ""


def dumps_toml(data: dict[str, Any], prefix: str = "") -> str:
    """A TOML document for plain settings: keys first, then one [table] per table."""
    plain = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    parts = ["\n".join(plain)] if plain else []
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{prefix}{_key(key)}"
            parts.append(f"[{name}]\n" + dumps_toml(value, f"{name}.").strip("\n"))
    return "\n\n".join(p for p in parts if p) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _value(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Hex):
        return f"0x{value:04x}"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        escaped = "".join(
            {'"': '\\"', "\\": "\\\\"}.get(ch, ch) if 32 <= ord(ch) != 127 else f"\\u{ord(ch):04x}"
            for ch in value
        )
        return f'"{escaped}"'
    return value.isoformat()  # dates and times, as TOML writes them


def print_test_card(printer: PrinterConfig) -> str:
    """Print a sample warranty card on ``printer`` now (blocking: call it off the UI thread)."""
    if printer.kind == "none":
        raise DomainError("This seat has no printer (printer kind none).")
    from devices.printers import PrinterOffline, print_bytes  # python-escpos only to print
    from devices.seat import printer_test_card

    try:
        print_bytes(printer, printer_test_card(printer))
    except PrinterOffline as exc:  # a test card is never queued: say so, not "it waits"
        raise DomainError(f"Test print failed: {exc.problem}. Nothing was queued.") from None
    return "A test card was printed."
