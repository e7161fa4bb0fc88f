"""The printer profile check read from python-escpos's capabilities file: odd files refused
in words naming the file, and the names python-escpos itself would use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import parse_config
from app.domain.errors import DomainError
from devices.printer_profiles import profile_names

ROOT = Path(__file__).resolve().parent.parent
SEAT = '[printer]\nkind = "file"\npath = "/dev/null"\nprofile = "TM-T88V"\n'


@pytest.mark.parametrize(
    "text",
    ["profiles: [\n", "profiles:\n\tTM-T88V: {}\n", "!!python/object:os.system {}\n"],
    ids=["unclosed", "tab", "python-tag"],
)
def test_a_file_neither_json_nor_yaml_is_refused_in_words(tmp_path, monkeypatch, text):
    """yaml.YAMLError escapes profile_names() and parse_config(); plain
    ``serialdesk`` says 'unexpected error (ParserError), a bug in SerialDesk' (exit 3)."""
    caps = tmp_path / "caps.yaml"
    caps.write_text(text)
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", str(caps))
    with pytest.raises(DomainError, match="printer profiles"):
        parse_config(SEAT, tmp_path / "seat.toml")


def test_a_file_not_utf8_is_named_not_the_seat_file(tmp_path, monkeypatch):
    """UnicodeDecodeError (a ValueError) is caught by parse_config as 'The seat
    settings in seat.toml are not valid: 'utf-8' codec can't decode...': the seat file
    is blamed and the capabilities file is never named."""
    caps = tmp_path / "caps.json"
    caps.write_bytes(b'\xff\xfe{"profiles": {"TM-T88V": {}}}')
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", str(caps))
    with pytest.raises(DomainError) as refused:
        parse_config(SEAT, tmp_path / "seat.toml")
    assert str(caps) in refused.value.message


def test_python_escpos_missing_is_refused_in_words(tmp_path, monkeypatch):
    """capabilities_file() raises a bare OSError outside profile_names()'s try;
    parse_config does not catch OSError, so ``serialdesk`` exits 3 ('a bug')."""
    import importlib.util

    monkeypatch.delenv("ESCPOS_CAPABILITIES_FILE", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(DomainError):
        parse_config(SEAT, tmp_path / "seat.toml")


def test_profiles_as_a_list_are_refused_as_python_escpos_cannot_use_them(tmp_path, monkeypatch):
    """{"profiles": ["TM-T88V"]} is accepted (sorted(list)), but python-escpos
    dies importing it (TypeError: list indices must be integers): the seat starts and
    fails at every print."""
    caps = tmp_path / "caps.json"
    caps.write_text('{"profiles": ["TM-T88V"], "encodings": {}}')
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", str(caps))
    with pytest.raises(DomainError):
        profile_names()


def test_an_empty_variable_is_not_the_shipped_file(monkeypatch):
    """ESCPOS_CAPABILITIES_FILE="" is read here as 'unset' (the shipped file,
    35 profiles); python-escpos does environ.get(...) and open("") -> FileNotFoundError.
    The seat start accepts the seat file, and every print fails."""
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", "")
    with pytest.raises(DomainError):
        profile_names()


def _both(env) -> str:
    code = (
        "from devices._escpos import known_profiles\n"
        "from devices.printer_profiles import profile_names\n"
        "print(known_profiles() == profile_names(), profile_names())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_names_are_python_escposs_even_with_its_pickle(tmp_path):
    """python-escpos loaded its pickle (and build_pickle keeps it) whenever the
    pickle is not older than the capabilities file, whichever file built it. A seat
    pointed at another, older file (cp -p, a vendor tarball) is checked against that
    file while python-escpos uses the shipped profiles: 'Till-A' accepted and unknown to
    the printer, 'TM-T88V' refused though python-escpos would print with it."""
    env = {**os.environ, "ESCPOS_CAPABILITIES_PICKLE_DIR": str(tmp_path)}
    env.pop("ESCPOS_CAPABILITIES_FILE", None)
    assert _both(env).startswith("True")  # the pickle built from the shipped file
    caps = tmp_path / "caps.json"
    profile = {"codePages": {}, "features": {}}
    profiles = {"Till-A": profile, "default": profile}
    caps.write_text(json.dumps({"profiles": profiles, "encodings": {}}))
    os.utime(caps, (946684800, 946684800))  # 2000-01-01: older than the pickle
    env["ESCPOS_CAPABILITIES_FILE"] = str(caps)
    assert _both(env).startswith("True")


def test_a_file_without_the_default_profile_is_refused(tmp_path, monkeypatch):
    caps = tmp_path / "caps.json"  # python-escpos needs "default" to import at all
    caps.write_text('{"profiles": {"TM-T88V": {}}, "encodings": {}}')
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", str(caps))
    with pytest.raises(DomainError, match="no 'default' profile"):
        profile_names()
