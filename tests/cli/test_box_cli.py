"""``serialdesk ssh-seat`` and a seat file's database, from the command line."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from app.cli import entry as cli


def test_ssh_seat_writes_the_database_by_its_full_path(srun, tmp_path, monkeypatch):
    key = tmp_path / "ana"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    monkeypatch.chdir(Path(srun.url.removeprefix("sqlite:///")).parent)
    monkeypatch.setenv("SERIALDESK_PIN", "1234")
    relative = os.path.basename(srun.url.removeprefix("sqlite:///"))
    code = cli.main(
        ["--db", relative, "--employee", "mia", "ssh-seat", f"{key}.pub", "--seat", "Till 9",
         "--install", "--json"]
    )  # fmt: skip
    assert code == 0
    seat_file = Path(os.environ["XDG_CONFIG_HOME"]) / "serialdesk" / "seats" / "till-9.toml"
    database = tomllib.loads(seat_file.read_text())["database"]
    assert os.path.isabs(database) and Path(database).exists()


def test_a_seat_never_makes_a_demo_shop_in_place_of_its_database(tmp_path, monkeypatch, capsys):
    seat = tmp_path / "seat.toml"
    missing = tmp_path / "shop" / "live.db"
    seat.write_text(f'seat = "Till 3"\ndatabase = "{missing}"\n')
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and str(missing) in err
    assert not missing.exists() and not missing.parent.exists()
