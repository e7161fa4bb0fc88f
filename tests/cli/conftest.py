"""The command line's tests: ``Cli`` runs ``serialdesk --db URL ...`` in-process; ``run``
(both backends) and ``srun`` (SQLite only) give one on a seeded shop; each test logs to
its own folder.
"""

from __future__ import annotations

import json

import pytest

from app.cli import entry as cli


class Cli:
    """Runs ``serialdesk --db URL ...`` in-process and keeps what it printed."""

    def __init__(self, url: str, capsys) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv, employee: str | None = None):
        args = ["--db", self.url]
        if employee:
            args += ["--employee", employee]
        code = cli.main(args + [str(a) for a in argv])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, *argv, employee: str | None = None) -> str:
        code, out, err = self(*argv, employee=employee)
        assert code == 0, err
        assert err == ""
        return out

    def json(self, *argv, employee: str | None = None):
        return json.loads(self.ok(*argv, "--json", employee=employee))

    def refused(self, *argv, employee: str | None = None, code: int = 1) -> str:
        got, _out, err = self(*argv, employee=employee)
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
    monkeypatch.delenv("SERIALDESK_EMPLOYEE", raising=False)
    monkeypatch.delenv("SERIALDESK_APPROVER_PIN", raising=False)
