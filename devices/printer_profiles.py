"""The printer profiles python-escpos knows, read without importing python-escpos.

A seat's settings name a capability profile (``profile = "TM-T88V"``), checked as the seat
starts so a typo is refused then, not at the first card. python-escpos's own list comes
with importing it (its capabilities, YAML, a pickle: about 120 ms, before the first screen
of every seat with a printer); the list is the ``profiles`` of the capabilities file it
reads (``ESCPOS_CAPABILITIES_FILE``, or the ``capabilities.json`` it ships), which JSON
reads in about 2 ms. A file JSON cannot read (YAML is allowed there) is left to
python-escpos itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

CAPABILITIES_FILE_VARIABLE = "ESCPOS_CAPABILITIES_FILE"  # python-escpos's own setting


def profile_names() -> list[str]:
    """The profile names python-escpos would accept, sorted."""
    try:
        with open(capabilities_file(), encoding="utf-8") as source:
            return sorted(json.load(source)["profiles"])
    except (OSError, ValueError, TypeError, KeyError):
        from devices._escpos import known_profiles  # python-escpos reads it, or says why

        return known_profiles()


def capabilities_file() -> Path:
    """The capabilities file python-escpos reads."""
    configured = os.environ.get(CAPABILITIES_FILE_VARIABLE)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("escpos")  # found, not imported
    if spec is None or spec.origin is None:
        raise OSError("python-escpos is not installed")
    return Path(spec.origin).with_name("capabilities.json")
