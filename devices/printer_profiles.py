"""The printer profiles python-escpos knows, read without importing python-escpos.

A seat's settings name a capability profile (``profile = "TM-T88V"``), checked as the seat
starts so a typo is refused then, not at the first card. python-escpos's own list comes
with importing it (its capabilities, YAML, a pickle: about 120 ms, before the first screen
of every seat with a printer); the list is the ``profiles`` of the capabilities file it
reads (``ESCPOS_CAPABILITIES_FILE``, or the ``capabilities.json`` it ships), which JSON
reads in about 2 ms (one in YAML, which python-escpos allows there, is read as it reads
it).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from app.domain.errors import DomainError

CAPABILITIES_FILE_VARIABLE = "ESCPOS_CAPABILITIES_FILE"  # python-escpos's own setting


def profile_names() -> list[str]:
    """The profile names python-escpos would accept, sorted; a capabilities file it could
    not use is refused in words, naming the file."""
    path = capabilities_file()

    def refused(why: str) -> DomainError:
        return DomainError(f"python-escpos's printer profiles ({path}) {why}")

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise refused("are not UTF-8 text") from None
    except OSError as exc:
        raise refused(f"cannot be read: {exc.strerror or exc}") from None
    try:
        capabilities = json.loads(text)
    except ValueError:  # YAML, as python-escpos allows (PyYAML comes with it): read so
        import yaml

        try:
            capabilities = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise refused(f"cannot be read: {str(exc).splitlines()[0]}") from None
    profiles = capabilities.get("profiles") if isinstance(capabilities, dict) else None
    if not isinstance(profiles, dict) or not profiles:
        raise refused("list none (python-escpos needs a table of profiles by name)")
    if "default" not in profiles:
        raise refused("have no 'default' profile, which python-escpos needs to start")
    return sorted(str(name) for name in profiles)


def capabilities_file() -> Path:
    """The capabilities file python-escpos reads: its setting when set (even empty, as it
    reads it), else the file it ships."""
    if CAPABILITIES_FILE_VARIABLE in os.environ:
        return Path(os.environ[CAPABILITIES_FILE_VARIABLE])
    spec = importlib.util.find_spec("escpos")  # found, not imported
    if spec is None or spec.origin is None:
        raise DomainError("A printer needs python-escpos, which is not installed here.")
    return Path(spec.origin).with_name("capabilities.json")
