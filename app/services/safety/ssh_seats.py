"""Seats over SSH: staff reach the shop box with their own key and get the counter, never a shell.

The shop's data belongs to one service account (``serialdesk``). Each member of staff's
public key goes into that account's ``~/.ssh/authorized_keys`` with a forced command::

    command="exec env SERIALDESK_CONFIG=/home/serialdesk/.config/serialdesk/seats/till-2.toml
    /opt/serialdesk/bin/serialdesk",restrict,pty ssh-ed25519 AAAA... ana@laptop

sshd runs that command whatever the client asks for (``ssh box sh`` still gets the counter),
``restrict`` turns off port, agent and X11 forwarding and ``~/.ssh/rc``, and ``pty`` gives the
counter its terminal back. The seat file names the seat, so every key is its own seat (its
cards queue and its wrong PINs count under that name), and the person still logs in with
their own PIN: the key lets them reach a seat, the PIN says who works.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import Refused
from app.domain.text import visible
from db.private_files import FILE_MODE, make_private_folder

KEY_TYPES = re.compile(
    r"^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)"
    r"@openssh\.com)$"
)
OPTIONS = "restrict,pty"
REOPENING = (
    "port-forwarding", "agent-forwarding", "x11-forwarding", "permitopen", "permitlisten",
    "user-rc", "tunnel",
)  # fmt: skip
ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$", re.S)
SEAT_NAME = re.compile(r"^[\w .'-]{1,60}$")


@dataclass(frozen=True)
class PublicKey:
    kind: str
    blob: str
    comment: str

    def __str__(self) -> str:
        return " ".join(p for p in (self.kind, self.blob, self.comment) if p)


def parse_public_key(text: str) -> PublicKey:
    """One OpenSSH public key (``type base64 [comment]``), as ``ssh-keygen`` writes it.

    Anything else is refused: options of its own (those are ours to set), several lines, or
    control characters, which would let a key line smuggle in a second line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise Refused("Give exactly one public key (the one line of a .pub file).")
    if visible(lines[0]) != lines[0]:
        raise Refused("The public key holds control characters; it is not a key file.")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not KEY_TYPES.match(parts[0]):
        raise Refused(
            "That is not an OpenSSH public key (it should start with ssh-ed25519, ssh-rsa, "
            "ecdsa-sha2-... and have no options of its own)."
        )
    if not re.fullmatch(r"[A-Za-z0-9+/]+=*", parts[1]):
        raise Refused("The public key's body is not base64.")
    return PublicKey(parts[0], parts[1], parts[2].strip() if len(parts) > 2 else "")


def forced_command(program: str, seat_file: Path, env: dict[str, str] | None = None) -> str:
    """The command sshd runs for a staff key: this seat's counter, nothing else."""
    assignments = {"SERIALDESK_CONFIG": str(seat_file), **(env or {})}
    words = ["exec", "env"]
    words += [f"{name}={shlex.quote(value)}" for name, value in assignments.items()]
    words.append(shlex.quote(program))
    return " ".join(words)


def is_counter_command(command: str) -> bool:
    """Is ``command`` exactly a forced command as ``forced_command`` writes it, running a
    program named ``serialdesk`` and nothing else? Anything more (``; bash``, a comment,
    another program whose path says serialdesk) is not the counter."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if len(words) < 3 or words[:2] != ["exec", "env"]:
        return False
    assignments = [ASSIGNMENT.match(w) for w in words[2:-1]]
    if not all(assignments) or Path(words[-1]).name != "serialdesk":
        return False
    env = {m.group(1): m.group(2) for m in assignments}
    if list(env)[:1] != ["SERIALDESK_CONFIG"] or len(env) != len(assignments):
        return False
    rebuilt = forced_command(words[-1], Path(env.pop("SERIALDESK_CONFIG")), env)
    return rebuilt == command


def authorized_line(key: PublicKey, command: str) -> str:
    """The ``authorized_keys`` line giving ``key`` the forced ``command`` and no forwarding."""
    quoted = command.replace("\\", "\\\\").replace('"', '\\"')
    return f'command="{quoted}",{OPTIONS} {key}'


def seat_file_path(config_dir: Path, seat: str) -> Path:
    """Where a seat over SSH keeps its settings: one file per seat beside the box's own."""
    slug = re.sub(r"[^a-z0-9]+", "-", seat.lower()).strip("-") or "seat"
    return config_dir / "seats" / f"{slug}.toml"


def check_seat_name(seat: str) -> str:
    seat = seat.strip()
    if not SEAT_NAME.match(seat):
        raise Refused(
            "A seat's name is 1 to 60 letters, digits, spaces, dots, dashes or apostrophes "
            f"(not '{visible(seat)}')."
        )
    return seat


def write_seat_file(path: Path, seat: str, database: str, branch: str | None) -> bool:
    """A new seat's settings file (0600); True if written, False if one was already there."""
    if path.exists():
        return False
    make_private_folder(path.parent)
    lines = [f"seat = {_toml_string(seat)}", f"database = {_toml_string(database)}"]
    if branch:
        lines.append(f"branch = {_toml_string(branch.upper())}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), FILE_MODE)
        out.write("\n".join(lines) + "\n")
    return True


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def install(line: str, key: PublicKey, authorized_keys: Path) -> str:
    """Add ``line`` to ``authorized_keys`` (0600 in a 0700 folder); a line for the same key is
    replaced, so a key never has two ways in. Returns "added" or "replaced"."""
    make_private_folder(authorized_keys.parent)
    old = authorized_keys.read_text(encoding="utf-8") if authorized_keys.exists() else ""
    kept, replaced = [], False
    for existing in old.splitlines():
        if key.blob in existing.split():
            replaced = True
            continue
        kept.append(existing)
    kept.append(line)
    temporary = authorized_keys.with_name(f".{authorized_keys.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), FILE_MODE)
        out.write("\n".join(kept) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, authorized_keys)
    return "replaced" if replaced else "added"


# --- reading authorized_keys back (for the box check) ----------------------------------------


@dataclass(frozen=True)
class KeyLine:
    number: int
    options: dict[str, str | None]
    key: str  # type and comment, fit to show

    @property
    def command(self) -> str | None:
        return self.options.get("command")

    @property
    def reopened(self) -> list[str]:
        """Options that turn back on what ``restrict`` turned off (a pty is the counter's)."""
        return [o for o in self.options if o in REOPENING]

    @property
    def restricted(self) -> bool:
        """No forwarding of any kind: ``restrict``, or each ``no-*-forwarding`` spelled out."""
        if "restrict" in self.options:
            return True
        return all(
            o in self.options
            for o in ("no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding")
        )


def read_authorized_keys(path: Path) -> list[KeyLine]:
    """Every key line of an ``authorized_keys`` file with its options (comments skipped)."""
    return read_authorized_keys_text(path.read_text(encoding="utf-8", errors="replace"))


def read_authorized_keys_text(text: str) -> list[KeyLine]:
    lines = []
    for number, raw in enumerate(text.splitlines()):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        options, rest = _split_options(entry)
        words = rest.split(None, 2)
        shown = " ".join([words[0], *(words[2:] if len(words) > 2 else [])]) if words else ""
        lines.append(KeyLine(number + 1, options, visible(shown)))
    return lines


def _split_options(text: str) -> tuple[dict[str, str | None], str]:
    """(options, the rest) of a key line; a line starting with its key type has no options."""
    if KEY_TYPES.match(text.split(None, 1)[0]):
        return {}, text
    options: dict[str, str | None] = {}
    name, value, quoted, i = "", None, False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\" and i + 1 < len(text) and text[i + 1] == '"':
                value = (value or "") + '"'
                i += 1
            elif ch == '"':
                quoted = False
            else:
                value = (value or "") + ch
        elif ch == '"':
            quoted, value = True, value or ""
        elif ch == "=" and value is None:
            value = ""
        elif ch in ", " or ch == "\t":
            options[name.lower()] = value
            name, value = "", None
            if ch != ",":
                return options, text[i + 1 :].strip()
        elif value is None:
            name += ch
        else:
            value += ch
        i += 1
    return options, ""
