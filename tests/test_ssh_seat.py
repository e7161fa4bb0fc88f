"""A seat over SSH, for real: a private sshd on 127.0.0.1, a staff key installed with
``serialdesk ssh-seat --install``, and an ``ssh`` client. Whatever the client asks for,
it gets the counter: no shell, no command of its own, no forwarding; with a terminal
(tmux at 80x24) the person logs in with their own PIN.

``.ci/run`` installs openssh-server; without sshd the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services.safety import ssh_seats
from tests.tui.test_tmux_e2e import TMUX, Terminal

pytestmark = pytest.mark.slow

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
SSH = shutil.which("ssh")
SERIALDESK = Path(sys.executable).with_name("serialdesk")
needs_ssh = pytest.mark.skipif(
    not (SSHD and SSH and SERIALDESK.exists() and hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="needs sshd, ssh, the installed serialdesk and root (.ci/run installs openssh-server)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def box(tmp_path):
    """A shop box: a demo shop, a staff key forced into the counter, and sshd serving it."""
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "SERIALDESK_DB": str(tmp_path / "shop.db"),
        "TZ": "UTC",
    }
    for name in ("SERIALDESK_CONFIG", "SERIALDESK_PIN", "SERIALDESK_EMPLOYEE"):
        env.pop(name, None)
    subprocess.run([SERIALDESK, "init", "--demo"], env=env, check=True, capture_output=True)
    key = tmp_path / "ana"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ana@laptop", "-f", key], check=True
    )
    host_key = tmp_path / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key], check=True)

    # The line as `serialdesk ssh-seat` builds it; the test adds only where its home is.
    seat_file = ssh_seats.seat_file_path(home / "config" / "serialdesk", "Till 2")
    ssh_seats.write_seat_file(seat_file, "Till 2", env["SERIALDESK_DB"], None)
    here = {k: env[k] for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    command = ssh_seats.forced_command(str(SERIALDESK), seat_file, {**here, "TERM": "xterm"})
    public = ssh_seats.parse_public_key(key.with_suffix(".pub").read_text())
    authorized = home / ".ssh" / "authorized_keys"
    ssh_seats.install(ssh_seats.authorized_line(public, command), public, authorized)

    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"AuthorizedKeysFile {authorized}\nPidFile {tmp_path / 'sshd.pid'}\n"
        "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "AllowTcpForwarding yes\nPermitTTY yes\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    client = [
        SSH,
        "-p",
        str(port),
        "-i",
        str(key),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        f"{os.environ.get('USER', 'root')}@127.0.0.1",
    ]
    yield client
    sshd.terminate()
    sshd.wait(10)


@needs_ssh
def test_a_staff_key_gets_no_shell_and_no_command_of_its_own(box):
    done = subprocess.run(
        [*box, "echo SHELL-REACHED; id; cat /etc/hostname"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    out = done.stdout + done.stderr
    assert "SHELL-REACHED" not in out and "uid=" not in out
    assert "serialdesk" in out.lower()  # the counter answered (with no terminal: its welcome)


@needs_ssh
def test_a_staff_key_cannot_forward_to_the_database(box):
    done = subprocess.run(
        [*box, "-W", "127.0.0.1:5432"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "forwarding failed" in done.stderr  # PostgreSQL listens there: the key may not reach it


@needs_ssh
@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
def test_over_ssh_the_person_gets_the_counter_and_logs_in_with_their_pin(box):
    term = Terminal([*box[:1], "-tt", *box[1:]], {"TERM": "xterm-256color"})
    try:
        screen = term.wait_for("log in")
        assert "Till 2" in screen  # the seat the key was given
        term.type("cody")
        term.keys("Enter")
        term.type("2222")
        term.keys("Enter")
        screen = term.wait_for("F3")
        assert "Cody" in screen
    finally:
        term.close()
