"""The command line's refusals and usage errors: one line, exit 1 or 2, errors logged not shown."""

from __future__ import annotations

import json

from app.cli import entry as cli
from app.cli import stock as cli_stock
from tests.cli.conftest import assert_one_line
from tests.conftest import IMEIS


def test_refusal_is_one_line_and_exit_1(run):
    assert IMEIS[0] in run.refused("sell", IMEIS[0], employee="cal")
    code, out, err = run("sell", IMEIS[0], "--json", employee="cal")
    assert code == 1
    assert_one_line(err)
    assert json.loads(out)["error"]["type"] == "NotFound"
    # a cashier may not receive: the role is refused the same way
    run.refused("receive", "--supplier", "PhoneCo", "--product", "PH-X1", IMEIS[0], employee="cal")


def test_usage_errors_exit_2(srun):
    run = srun
    run.refused("no-such-command", code=2)
    run.refused("return", "--sale", "S-1", "--serial", "X", "--condition", "ok", code=2)
    run.refused("sell", IMEIS[0], code=2)  # nobody said who is selling
    run.refused("sell", "A", "B", "--price", "1", employee="cal", code=2)
    run.refused("sell", "--phone", "123456", "X", employee="cal", code=2)
    run.refused("receive", "--supplier", "PhoneCo", "--product", "PH-X1", "--file", "/nope", code=2)
    assert cli.main(["--help"]) == 0


def test_missing_database_is_refused_not_created(tmp_path, capsys):
    path = tmp_path / "none.db"
    assert cli.main(["--db", str(path), "passport", "X"]) == 1
    assert_one_line(capsys.readouterr().err)
    assert not path.exists()


def test_unexpected_error_is_logged_not_shown(srun, monkeypatch, tmp_path):
    run = srun

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_stock.adjustments, "adjust", broken)
    code, _out, err = run(
        "adjust", "write_off", "--product", "AC-CASE", "--qty", "1", "--reason", "x",
        "--approved-by", "mia", approver_pin="1234", employee="ivy",
    )  # fmt: skip
    assert code == 3
    assert_one_line(err)
    log = tmp_path / "home" / "state" / "serialdesk" / "log" / "serialdesk.log"
    assert str(log) in err
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text
    assert "--approved-by mia" in text and "1234" not in text  # the PIN came from the env
