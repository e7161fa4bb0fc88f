"""The command line's tests: ``Cli`` runs ``serialdesk --db URL ...`` in-process; ``run``
(both backends) and ``srun`` (SQLite only) give one on a seeded shop; each test logs to
its own folder.

``employee=LOGIN`` proves who runs the command as a person would in a script: the login
with ``--employee`` and their PIN in ``SERIALDESK_PIN`` (the seeded shop's and the demo
shop's PINs are in ``PINS``).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest

from app.cli import entry as cli
from app.demo.master_data import EMPLOYEES
from app.domain import pins

# The PINs of tests.conftest.make_shop's staff, and of the demo shop's.
PINS = {login: "1234" for login in ("mia", "cal", "ivy", "ted", "max", "bea", "ian")}
PINS |= {e.login: e.pin for e in EMPLOYEES}
CREDENTIALS = (
    "SERIALDESK_EMPLOYEE",
    "SERIALDESK_PIN",
    "SERIALDESK_TOKEN",
    "SERIALDESK_APPROVER_PIN",
    "SERIALDESK_APPROVER_TOKEN",
    "SERIALDESK_NEW_PIN",
)


@contextmanager
def environ(**values: str | None):
    """Set (or, with None, unset) environment variables for the block only."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Cli:
    """Runs ``serialdesk --db URL ...`` in-process and keeps what it printed."""

    def __init__(self, url: str, capsys) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv, employee: str | None = None, approver_pin: str | None = None):
        args = ["--db", self.url]
        env = {"SERIALDESK_APPROVER_PIN": approver_pin}
        if employee:
            args += ["--employee", employee]
            env["SERIALDESK_PIN"] = PINS.get(employee, "1234")
        with environ(**env):
            code = cli.main(args + [str(a) for a in argv])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, *argv, **who) -> str:
        code, out, err = self(*argv, **who)
        assert code == 0, err
        assert err == ""
        return out

    def json(self, *argv, **who):
        return json.loads(self.ok(*argv, "--json", **who))

    def refused(self, *argv, code: int = 1, **who) -> str:
        got, _out, err = self(*argv, **who)
        assert got == code, err
        assert_one_line(err)
        return err


def assert_one_line(err: str) -> None:
    assert err.startswith("serialdesk: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.fixture
def run(shop, capsys) -> Cli:
    """The CLI on a seeded shop, once per backend."""
    cli_ = Cli(shop.url, capsys)
    cli_.shop = shop
    return cli_


@pytest.fixture
def srun(sqlite_shop, capsys) -> Cli:
    """The CLI on a seeded shop on SQLite only: for what does not depend on the backend."""
    cli_ = Cli(sqlite_shop.url, capsys)
    cli_.shop = sqlite_shop
    return cli_


@pytest.fixture(autouse=True)
def _own_log_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home" / "state"))
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _cheap_pins(monkeypatch):
    """PINs hashed cheaply: a hash carries its own cost, and each command checks one."""
    monkeypatch.setattr(pins, "_N", 2**4)
