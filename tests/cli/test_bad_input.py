"""Ordinary bad input is a refusal in one line (exit 1), never "a bug" (exit 3): a file of
serials that is not UTF-8, a file that is not a database, a seat file with a wrong type."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import parse_config
from app.domain.errors import DomainError
from db.models import Unit
from tests.cli.conftest import Cli, assert_one_line


def test_a_serials_file_that_is_not_utf8_is_refused_and_nothing_received(srun, tmp_path):
    bad = tmp_path / "delivery.txt"
    bad.write_bytes(b"\xff\xfe356938035643809\n")
    before = Unit.select().count()
    err = srun.refused(
        "receive", "--supplier", "PhoneCo", "--product", "PH-X1", "--file", bad, employee="ivy"
    )
    assert "is not UTF-8 text (byte 0xff at offset 0)" in err
    assert Unit.select().count() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path, capsys):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n" * 200)
    err = Cli(str(path), capsys).refused("products")
    assert "Cannot open the database" in err and "file is not a database" in err
    assert path.read_text().startswith("shopping list")  # left as it was


def test_a_seat_file_with_a_number_for_the_database_is_refused(tmp_path, monkeypatch, capsys):
    seat = tmp_path / "seat.toml"
    seat.write_text("database = 42\n")
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    from app.cli import entry

    assert entry.main(["products"]) == 1
    err = capsys.readouterr().err
    assert_one_line(err)
    assert "database is text in quotes" in err and "42" in err


SCALARS = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(string.printable, max_size=12),
    st.lists(st.integers(0, 9), max_size=3),
)
KEYS = st.sampled_from(
    ["seat", "branch", "database", "idle_lock_minutes", "kind", "host", "port", "source",
     "baudrate", "vendor_id", "columns", "timeout", "symbology", "prefix", "suffix"]
)  # fmt: skip


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    top=st.dictionaries(KEYS, SCALARS, max_size=4),
    scanner=st.dictionaries(KEYS, SCALARS, max_size=4),
    printer=st.dictionaries(KEYS, SCALARS, max_size=4),
    keymap=st.dictionaries(st.sampled_from(["checkout", "help"]), SCALARS, max_size=2),
)
def test_any_seat_file_is_read_or_refused_with_a_reason(top, scanner, printer, keymap):
    lines = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    for table, values in (("scanner", scanner), ("printer", printer), ("keymap", keymap)):
        lines.append(f"[{table}]")
        lines += [f'"{k}" = {_toml_value(v)}' for k, v in values.items()]
    try:
        parse_config("\n".join(lines) + "\n", Path("seat.toml"))
    except DomainError as exc:
        assert "seat.toml" in exc.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_as_a_seat_file_are_read_or_refused(raw):
    from app.config import load_config

    path = Path("/tmp") / f"seat-{abs(hash(raw))}.toml"
    path.write_bytes(raw)
    try:
        load_config(path)
    except DomainError:
        pass
    finally:
        path.unlink(missing_ok=True)
