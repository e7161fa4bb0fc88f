"""Setting a new shop up from the command line: the first manager needs no login, then only
managers change the set-up."""

from __future__ import annotations

from app.cli.entry import main


def run(db, *argv):
    return main(["--db", db, *argv])


def test_a_new_shop_is_set_up_from_the_command_line(tmp_path, capsys):
    db = str(tmp_path / "shop.db")
    assert run(db, "init") == 0
    assert run(db, "add", "branch", "MAIN", "Main Street") == 0
    assert (
        run(
            db,
            "add",
            "employee",
            "boss",
            "Bo Boss",
            "manager",
            "--home-branch",
            "MAIN",
            "--pin",
            "432100",
        )
        == 0
    )
    # From now on a manager says who makes the change.
    assert run(db, "add", "supplier", "Acme") == 1
    assert "Say which manager" in capsys.readouterr().err
    as_boss = ["--employee", "boss"]
    assert run(db, *as_boss, "add", "supplier", "Acme") == 0
    assert (
        run(
            db,
            *as_boss,
            "add",
            "product-type",
            "Phones",
            "strict",
            "--warranty-months",
            "24",
            "--check",
            "imei",
        )
        == 0
    )
    assert run(db, *as_boss, "add", "product", "PH1", "Phone 1", "Phones", "299") == 0
    assert run(db, *as_boss, "add", "employee", "cas", "Cas Hier", "cashier", "--pin", "1111") == 0
    assert run(db, "--employee", "cas", "add", "supplier", "Sneaky") == 1
    assert "may not change the settings" in capsys.readouterr().err
    # The new shop works: receive and sell a phone.
    assert (
        run(db, *as_boss, "receive", "--supplier", "Acme", "--product", "PH1", "356938035643809")
        == 0
    )
    assert run(db, "--employee", "cas", "sell", "356938035643809") == 0
    capsys.readouterr()
    assert run(db, "--json", "passport", "356938035643809") == 0
    assert '"state": "sold"' in capsys.readouterr().out
