"""Setting a new shop up from the command line: the first manager needs no login, then only
managers change the set-up, each proving who they are with their PIN."""

from __future__ import annotations

from app.cli.entry import main
from tests.cli.conftest import environ


def run(db, *argv, pin: str | None = None, new_pin: str | None = None):
    with environ(SERIALDESK_PIN=pin, SERIALDESK_NEW_PIN=new_pin):
        return main(["--db", db, *argv])


def test_a_new_shop_is_set_up_from_the_command_line(tmp_path, capsys):
    db = str(tmp_path / "shop.db")
    assert run(db, "init") == 0
    assert run(db, "add", "branch", "MAIN", "Main Street") == 0
    boss = ["add", "employee", "boss", "Bo Boss", "manager", "--home-branch", "MAIN"]
    assert run(db, *boss, new_pin="432100") == 0
    # From now on a manager proves who makes the change.
    assert run(db, "add", "supplier", "Acme") == 2
    assert "needs proof of who runs it" in capsys.readouterr().err
    assert run(db, "--employee", "boss", "add", "supplier", "Acme") == 2
    assert "proves nothing without a PIN" in capsys.readouterr().err
    assert run(db, "--employee", "boss", "add", "supplier", "Acme", pin="999999") == 1
    assert "Wrong PIN" in capsys.readouterr().err
    as_boss = ["--employee", "boss"]
    assert run(db, *as_boss, "add", "supplier", "Acme", pin="432100") == 0
    phones = ["add", "product-type", "Phones", "strict", "--warranty-months", "24"]
    assert run(db, *as_boss, *phones, "--check", "imei", pin="432100") == 0
    assert run(db, *as_boss, "add", "product", "PH1", "Phone 1", "Phones", "299", pin="432100") == 0
    pin_file = tmp_path / "cas.pin"
    pin_file.write_text("1111\n")
    cas = ["add", "employee", "cas", "Cas Hier", "cashier", "--new-pin-file", str(pin_file)]
    assert run(db, *as_boss, *cas, pin="432100") == 0
    assert run(db, "--employee", "cas", "add", "supplier", "Sneaky", pin="1111") == 1
    assert "takes a manager" in capsys.readouterr().err
    # The new shop works: receive and sell a phone.
    receive = ["receive", "--supplier", "Acme", "--product", "PH1", "356938035643809"]
    assert run(db, *as_boss, *receive, pin="432100") == 0
    assert run(db, "--employee", "cas", "--pin-file", str(pin_file), "sell", "356938035643809") == 0
    capsys.readouterr()
    assert run(db, "--employee", "cas", "--json", "passport", "356938035643809", pin="1111") == 0
    assert '"state": "sold"' in capsys.readouterr().out


def test_a_new_pin_on_the_command_line_is_refused(tmp_path, capsys):
    db = str(tmp_path / "shop.db")
    assert run(db, "init") == 0
    assert run(db, "add", "employee", "boss", "Bo", "manager", "--pin", "432100") == 2
    err = capsys.readouterr().err
    assert "never go on the command line" in err and "SERIALDESK_NEW_PIN" in err
