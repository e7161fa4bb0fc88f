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
    """The profile names python-escpos would accept, sorted."""
    path = capabilities_file()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError(
            f"python-escpos's printer profiles ({path}) cannot be read: {exc.strerror}"
        ) from None
    try:
        capabilities = json.loads(text)
    except ValueError:  # YAML, as python-escpos allows (PyYAML comes with it): read so
        import yaml

        capabilities = yaml.safe_load(text)
    try:
        return sorted(capabilities["profiles"])
    except (TypeError, KeyError):
        raise DomainError(f"python-escpos's printer profiles ({path}) list none") from None


def capabilities_file() -> Path:
    """The capabilities file python-escpos reads."""
    configured = os.environ.get(CAPABILITIES_FILE_VARIABLE)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("escpos")  # found, not imported
    if spec is None or spec.origin is None:
        raise OSError("python-escpos is not installed")
    return Path(spec.origin).with_name("capabilities.json")
