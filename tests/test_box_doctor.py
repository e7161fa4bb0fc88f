"""``serialdesk doctor``'s checks and ``ssh-seat``'s key lines, on real files and modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.services.safety import box_check, ssh_seats
from app.services.safety.box_check import FAIL, OK, WARN, BoxPaths

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOXOL85zMyBZVL1AjzPtdnsouXKYreivGVrspzukHaEF ana@laptop"


def _paths(tmp_path: Path, shop_file: Path) -> BoxPaths:
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    key = keys / "chain.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    return BoxPaths(
        database=shop_file,
        seat_file=tmp_path / "config" / "seat.toml",
        key_file=key,
        anchor_file=keys / "chain.anchors",
        log_file=tmp_path / "state" / "serialdesk.log",
        authorized_keys=tmp_path / "ssh" / "authorized_keys",
    )


def _by(findings, subject):
    return [f for f in findings if f.subject == subject]


@pytest.fixture
def box(sqlite_shop, tmp_path):
    shop_file = Path(sqlite_shop.url.removeprefix("sqlite:///"))
    return _paths(tmp_path, shop_file)


def test_a_database_others_can_read_is_a_failure_with_its_fix(box):
    box.database.chmod(0o644)
    (found,) = _by(box_check.check_box(box), "the database")
    assert found.level == FAIL
    assert "anyone on the box" in found.message
    assert found.fix == f"chmod 600 {box.database}"
    assert stat.S_IMODE(box.database.stat().st_mode) == 0o644  # only --fix changes it


def test_fix_makes_this_accounts_files_private_and_says_so(box):
    box.database.chmod(0o640)
    box.database.parent.chmod(0o755)
    box.key_file.chmod(0o644)
    found = box_check.check_box(box, fix=True)
    assert stat.S_IMODE(box.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(box.database.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(box.key_file.stat().st_mode) == 0o600
    assert "made 0600" in _by(found, "the database")[0].message
    assert not [f for f in found if f.level == FAIL and "reach" in f.message]


def test_a_missing_key_and_no_anchor_are_reported(box):
    box.key_file.unlink()
    (found,) = _by(box_check.check_box(box), "history key")
    assert found.level == FAIL and "Copy the key file" in found.message


def test_an_old_anchor_is_a_warning(box):
    box.anchor_file.write_text("1 abc 2026-01-01\n")
    box.anchor_file.chmod(0o600)
    old = box.anchor_file.stat().st_mtime - 5 * box_check.DAY
    os.utime(box.anchor_file, (old, old))
    (found,) = _by(box_check.check_box(box), "anchors")
    assert found.level == WARN and "5 days old" in found.message


def test_a_key_line_without_a_forced_command_is_a_shell_and_fails(box):
    box.authorized_keys.parent.mkdir(mode=0o700)
    forced = ssh_seats.authorized_line(
        ssh_seats.parse_public_key(KEY), ssh_seats.forced_command("/opt/bin/serialdesk", Path("/s"))
    )
    command = ssh_seats.forced_command("/opt/bin/serialdesk", Path("/s"))
    unrestricted = f'command="{command}" ssh-rsa AAAAB3Nza bob'
    box.authorized_keys.write_text(f"# staff\n{forced}\nssh-ed25519 AAAAC3Nz eve\n{unrestricted}\n")
    box.authorized_keys.chmod(0o600)
    found = _by(box_check.check_box(box), "ssh")
    assert [(f.level, f.message.split(" (")[0]) for f in found] == [
        (FAIL, f"{box.authorized_keys}:3"),
        (WARN, f"{box.authorized_keys}:4"),
    ]
    assert "opens a shell" in found[0].message and "eve" in found[0].message


def test_all_keys_forced_is_ok(box):
    box.authorized_keys.parent.mkdir(mode=0o700)
    key = ssh_seats.parse_public_key(KEY)
    line = ssh_seats.authorized_line(key, ssh_seats.forced_command("serialdesk", Path("/s t")))
    assert ssh_seats.install(line, key, box.authorized_keys) == "added"
    assert ssh_seats.install(line, key, box.authorized_keys) == "replaced"
    assert box.authorized_keys.read_text().count("AAAAC3") == 1
    assert stat.S_IMODE(box.authorized_keys.stat().st_mode) == 0o600
    (found,) = _by(box_check.check_box(box), "ssh")
    assert found.level == OK


def test_the_forced_command_survives_quotes_and_spaces_in_paths():
    key = ssh_seats.parse_public_key(KEY)
    line = ssh_seats.authorized_line(
        key, ssh_seats.forced_command("/opt/serial desk/bin/serialdesk", Path('/x/it"s.toml'))
    )
    (parsed,) = ssh_seats.read_authorized_keys_text(line)
    assert parsed.restricted and "pty" in parsed.options
    assert parsed.command == (
        "exec env SERIALDESK_CONFIG='/x/it\"s.toml' '/opt/serial desk/bin/serialdesk'"
    )


@pytest.mark.parametrize(
    "text",
    [
        'command="sh" ' + KEY,  # options are ours to set
        KEY + "\n" + KEY,  # two lines
        KEY.replace("ana", "an\x1b[2Ja"),  # a control character
        "not a key at all",
        "ssh-ed25519 not*base64",
    ],
)
def test_anything_but_one_plain_public_key_is_refused(text):
    with pytest.raises(Refused):
        ssh_seats.parse_public_key(text)


def test_a_seat_file_is_private_and_never_overwritten(tmp_path):
    path = ssh_seats.seat_file_path(tmp_path, "Till 2")
    assert path.name == "till-2.toml"
    assert ssh_seats.write_seat_file(path, "Till 2", '/d/"x".db', "a")
    assert not ssh_seats.write_seat_file(path, "Other", "/y", None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    import tomllib

    assert tomllib.loads(path.read_text()) == {
        "seat": "Till 2",
        "database": '/d/"x".db',
        "branch": "A",
    }


@pytest.mark.parametrize(
    "options",
    [
        'command="/bin/bash # serialdesk",restrict',
        'command="/home/serialdesk/app/bin/python",restrict,pty',
        'command="serialdesk; exec bash",restrict,pty',
        'command="exec env SERIALDESK_CONFIG=/s /opt/bin/serialdesk; sh",restrict,pty',
        'command="exec env SERIALDESK_CONFIG=/s /opt/bin/serialdesk",restrict,port-forwarding',
        'command="exec env SERIALDESK_CONFIG=/s /opt/bin/serialdesk",restrict,'
        'permitopen="127.0.0.1:5432"',
    ],
)
def test_a_key_that_is_more_than_the_counter_fails(box, options):
    box.authorized_keys.parent.mkdir(mode=0o700)
    box.authorized_keys.write_text(f"{options} ssh-ed25519 AAAAC3Nz eve\n")
    box.authorized_keys.chmod(0o600)
    (found,) = _by(box_check.check_box(box), "ssh")
    assert found.level == FAIL


def test_a_shell_key_in_authorized_keys2_is_found_too(box):
    box.authorized_keys.parent.mkdir(mode=0o700)
    key = ssh_seats.parse_public_key(KEY)
    line = ssh_seats.authorized_line(key, ssh_seats.forced_command("serialdesk", Path("/s")))
    ssh_seats.install(line, key, box.authorized_keys)
    second = box.authorized_keys.with_name("authorized_keys2")
    second.write_text("ssh-ed25519 AAAAC3Nz eve\n")
    second.chmod(0o600)
    found = _by(box_check.check_box(box), "ssh")
    assert [f.level for f in found] == [FAIL] and "authorized_keys2:1" in found[0].message


def test_an_unreadable_authorized_keys_is_a_finding_not_a_crash(box):
    box.authorized_keys.mkdir(parents=True)
    found = _by(box_check.check_box(box), "ssh")
    assert [f.level for f in found] == [FAIL] and "cannot be read" in found[0].message
