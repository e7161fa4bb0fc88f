"""Wrong PINs slow the seat they are typed at, never lock anyone out everywhere; every
slow-down and unlock is recorded; the shop sets the shortest PIN per role."""

from __future__ import annotations

import pytest

import db.migrations as migrations
from app.cli.session import cli_seat
from app.domain.errors import Refused
from app.services.access import pin_policy, signin
from app.services.shop import catalog, settings
from app.services.stock.receiving import ReceiptLine, receive
from db.access_models import ACCESS_MODELS, AccessEvent, SeatPinMisses, ShopSetting
from db.database import close_database, open_database
from db.models import Employee, SchemaVersion, Unit
from tests.conftest import IMEIS, make_shop


def miss(shop, login="mia", seat="till-1"):
    with pytest.raises(Refused) as refused:
        signin.approve(login, "999999", seat=seat, clock=shop.clock)
    return refused.value.message


def events(kind):
    return [
        (e.employee.login, e.seat, e.detail)
        for e in AccessEvent.select().where(AccessEvent.kind == kind).order_by(AccessEvent.id)
    ]


def test_fifty_wrong_approvals_at_one_seat_lock_nobody_out_elsewhere(shop):
    for _ in range(50):
        assert "Wrong PIN" in miss(shop)
        shop.clock.advance(seconds=31)  # every one a real, counted guess
    assert SeatPinMisses.get(SeatPinMisses.seat == "till-1").misses == 50
    # At once, at another seat, the manager logs in and approves.
    assert signin.log_in("mia", "1234", seat="till-2", clock=shop.clock).employee_name == (
        "Mia Manager"
    )
    assert signin.approve("mia", "1234", seat="till-2", clock=shop.clock).name == "Mia Manager"
    # The seat that guessed still waits; the old lock-out column is not used any more.
    assert "wait" in miss(shop)
    assert Employee.get(Employee.login == "mia").locked_until is None


def test_the_wait_grows_caps_and_is_not_counted_while_it_runs(shop):
    for left in (4, 3, 2, 1):
        assert f"{left} attempt(s) left" in miss(shop)
    for seconds in (1, 2, 4, 8, 16, 30, 30):
        assert f"waits {seconds} s" in miss(shop)
        # During the wait even the right PIN is refused, unchecked and uncounted.
        misses = SeatPinMisses.get(SeatPinMisses.seat == "till-1").misses
        with pytest.raises(Refused, match=f"wait {seconds} s"):
            signin.approve("mia", "1234", seat="till-1", clock=shop.clock)
        assert SeatPinMisses.get(SeatPinMisses.seat == "till-1").misses == misses
        shop.clock.advance(seconds=seconds)


def test_a_right_pin_resets_that_seat_and_records_the_unlock(shop):
    for _ in range(5):
        miss(shop)
    miss(shop, seat="till-2")
    shop.clock.advance(seconds=1)
    assert signin.approve("mia", "1234", seat="till-1", clock=shop.clock).name == "Mia Manager"
    assert "4 attempt(s) left" in miss(shop)  # counted from the start again
    assert SeatPinMisses.get(SeatPinMisses.seat == "till-2").misses == 1  # its own count
    assert events("slowed") == [("mia", "till-1", "5 wrong PINs: wait 1 s")]
    assert events("unlocked") == [("mia", "till-1", "right PIN")]


def test_a_new_pin_or_coming_back_clears_every_seat_with_a_record(shop):
    for seat in ("till-1", "till-2"):
        for _ in range(5):
            miss(shop, "cal", seat)
    row = next(r for r in settings.list_employees(shop.manager) if r.login == "cal")
    assert row.status == "slowed at a seat (wrong PINs)"
    settings.reset_pin(shop.manager, "cal", "4321")
    assert SeatPinMisses.select().count() == 0
    assert events("unlocked") == [
        ("cal", "till-1", "new PIN from Mia Manager"),
        ("cal", "till-2", "new PIN from Mia Manager"),
    ]
    assert signin.log_in("cal", "4321", seat="till-1", clock=shop.clock)
    for _ in range(5):
        miss(shop, "cal", "till-3")
    settings.set_active(shop.manager, "cal", False)
    settings.set_active(shop.manager, "cal", True)
    assert events("unlocked")[-1] == ("cal", "till-3", "let back by Mia Manager")
    assert SeatPinMisses.select().count() == 0


def test_the_shortest_pin_per_role_is_kept_where_pins_are_set(shop):
    pin_policy.set_min_pin_length("manager", 6)
    with pytest.raises(Refused, match="manager's PIN needs at least 6 digits"):
        catalog.add_employee("zed", "Zed", "manager", "1234", "A")
    assert not Employee.select().where(Employee.login == "zed").exists()
    catalog.add_employee("zed", "Zed", "manager", "123456", "A")
    catalog.add_employee("kim", "Kim", "cashier", "1234", "A")  # cashiers: 4 still
    with pytest.raises(Refused, match="at least 6"):
        settings.reset_pin(shop.manager, "max", "4321")
    with pytest.raises(Refused, match="at least 6"):
        settings.update_employee(shop.manager, "cal", role="manager", pin="4321")
    assert Employee.get(Employee.login == "cal").role == "cashier"
    assert signin.log_in("max", "1234", clock=shop.clock)  # nothing changed
    settings.reset_pin(shop.manager, "max", "654321")
    with pytest.raises(Refused, match="4 to 12"):
        pin_policy.set_min_pin_length("manager", 3)
    with pytest.raises(Refused, match="Unknown role"):
        pin_policy.set_min_pin_length("boss", 6)
    assert pin_policy.min_pin_length("manager") == 6


def test_a_new_shop_asks_managers_for_six_digits(database):
    assert pin_policy.min_pin_length("manager") == 6
    assert pin_policy.min_pin_length("cashier") == 4


def test_the_command_line_counts_under_its_host_and_user():
    assert cli_seat().startswith("cli@") and ":" in cli_seat()


def test_the_command_lines_seat_cannot_be_renamed_by_the_environment(monkeypatch):
    before = cli_seat()
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    assert cli_seat() == before  # a fresh count per guess would make guessing free


def test_a_v2_database_upgrades_to_v3_keeping_data_and_4_digit_managers(db_url):
    database = open_database(db_url)
    shop = make_shop(db_url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    with database.atomic():  # the shape a version-2 database has
        database.drop_tables(ACCESS_MODELS)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=2)
    close_database()
    database = open_database(db_url)
    assert migrations.current_version(database) == migrations.LATEST
    assert all(database.table_exists(m._meta.table_name) for m in ACCESS_MODELS)
    assert Unit.select().count() == 2 and Employee.select().count() == 7
    assert ShopSetting.get_by_id("min_pin_length.manager").value == "4"
    assert pin_policy.min_pin_length("manager") == 4  # nobody locked out by the upgrade
    settings.reset_pin(shop.manager, "max", "4321")
    assert signin.log_in("max", "4321", clock=shop.clock).employee_name == "Max Manager"


def test_a_manager_sets_the_shortest_pin_from_the_command_line(tmp_path, capsys):
    from app.cli.entry import main
    from tests.cli.conftest import environ

    db = str(tmp_path / "shop.db")
    assert main(["--db", db, "add", "branch", "MAIN", "Main"]) == 0
    boss = ["--db", db, "add", "employee", "boss", "Bo", "manager", "--home-branch", "MAIN"]
    with environ(SERIALDESK_NEW_PIN="1234"):
        assert main(boss) == 1  # a new shop: managers need 6
    assert "at least 6 digits" in capsys.readouterr().err
    with environ(SERIALDESK_NEW_PIN="123456"):
        assert main(boss) == 0
    assert main(["--db", db, "add", "min-pin", "manager", "8"]) == 2  # say which manager
    with environ(SERIALDESK_PIN="123456"):
        assert main(["--db", db, "--employee", "boss", "add", "min-pin", "manager", "8"]) == 0
        assert main(["--db", db, "--employee", "boss", "add", "min-pin", "manager", "13"]) == 1
    assert pin_policy.min_pin_length("manager") == 8
    close_database()
