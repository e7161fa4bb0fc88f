"""Manager settings: PIN reset, roles, product type settings with a checked card template."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app import config, seat_file
from app.domain.errors import DomainError, NotFound, PermissionDenied, Refused
from app.services.access.signin import log_in
from app.services.shop import serial_rules, settings
from app.services.stock.receiving import ReceiptLine, receive
from db.access_models import SeatPinMisses
from db.models import Employee, ProductType
from tests.support import fast_shop, seeded_shop  # noqa: F401


def test_reset_pin_unlocks_and_lets_them_in(shop):
    for _ in range(5):
        with pytest.raises(Refused):
            log_in("cal", "0000", clock=shop.clock)
    assert settings.reset_pin(shop.manager, "CAL", "4321") == "Cal Cashier"
    assert log_in("cal", "4321", clock=shop.clock).employee_name == "Cal Cashier"
    with pytest.raises(Refused, match="4 to 12 digits"):
        settings.reset_pin(shop.manager, "cal", "12")
    with pytest.raises(PermissionDenied):
        settings.reset_pin(shop.cashier, "cal", "9999")
    with pytest.raises(NotFound):
        settings.reset_pin(shop.manager, "ghost", "9999")


def test_roles(shop):
    settings.set_role(shop.manager, "cal", "inventory")
    assert Employee.get(Employee.login == "cal").role == "inventory"
    with pytest.raises(Refused, match="own manager role"):
        settings.set_role(shop.manager, "mia", "cashier")
    with pytest.raises(Refused, match="Unknown role"):
        settings.set_role(shop.manager, "cal", "boss")


def test_product_type_settings_and_template(shop):
    good = "{{ product }} {{ serial_masked }} until {{ warranty_end }}"
    settings.update_product_type(
        shop.manager,
        "Phones",
        warranty_months=12,
        print_mode="never",
        mask_policy="middle",
        card_template=good,
    )
    ptype = ProductType.get(ProductType.name == "Phones")
    assert (ptype.warranty_months, ptype.print_mode, ptype.card_template) == (12, "never", good)
    preview = settings.preview_card(good, "middle")
    assert preview.startswith("Phone X1 128GB ") and "356938030000013" not in preview
    with pytest.raises(Refused, match="template"):
        settings.update_product_type(shop.manager, "Phones", card_template="{{ nope }}")
    with pytest.raises(Refused, match="needs a period"):
        settings.update_product_type(shop.manager, "Phones", warranty_months=0)
    with pytest.raises(Refused, match="Unknown print mode"):
        settings.update_product_type(shop.manager, "Phones", print_mode="sometimes")
    with pytest.raises(PermissionDenied):
        settings.update_product_type(shop.inventory, "Phones", warranty_months=6)
    assert ProductType.get(ProductType.name == "Phones").card_template == good


def test_master_data_needs_a_manager(shop):
    settings.add_supplier(shop.manager, "WatchCo")
    settings.add_branch(shop.manager, "C", "Old Town")
    settings.add_employee(shop.manager, "zed", "Zed New", "cashier", "1234", "C")
    with pytest.raises(PermissionDenied):
        settings.add_supplier(shop.cashier, "Sneaky Ltd")


def test_deactivate_and_reactivate_with_the_manager_rules(shop):
    assert settings.set_active(shop.manager, "cal", False) == "Cal Cashier"
    with pytest.raises(NotFound, match="No active employee"):
        log_in("cal", "1234", clock=shop.clock)
    row = next(r for r in settings.list_employees(shop.manager) if r.login == "cal")
    assert (row.active, row.status) == (False, "inactive")
    settings.set_active(shop.manager, "cal", True)
    assert log_in("cal", "1234", clock=shop.clock).employee_name == "Cal Cashier"
    with pytest.raises(Refused, match="cannot deactivate yourself"):
        settings.set_active(shop.manager, "mia", False)
    with pytest.raises(PermissionDenied):
        settings.set_active(shop.cashier, "bea", False)
    # Max at B is another manager: he may go while Mia stays; then Mia is the last one.
    settings.set_active(shop.manager, "max", False)
    Employee.update(active=False).where(Employee.login == "mia").execute()  # another seat
    Employee.update(active=True).where(Employee.login == "max").execute()
    with pytest.raises(Refused, match="last active manager"):
        settings.set_active(shop.manager, "max", False)
    with pytest.raises(Refused, match="last active manager"):
        settings.set_role(shop.manager, "max", "cashier")
    assert Employee.get(Employee.login == "max").role == "manager"


def test_lists_and_master_data_refusals(shop):
    branch = settings.add_branch(shop.manager, "park", "Park Lane", "3 Park Lane")
    assert branch.code == "PARK"
    assert [b.code for b in settings.list_branches()] == ["A", "B", "PARK"]
    assert next(b for b in settings.list_branches() if b.code == "A").staff == 4
    with pytest.raises(Refused, match="already exists"):
        settings.add_branch(shop.manager, "Park", "Other")
    with pytest.raises(Refused, match="branch name is empty"):
        settings.add_branch(shop.manager, "NEW", "  ")
    with pytest.raises(Refused, match="supplier 'PhoneCo' already exists"):
        settings.add_supplier(shop.manager, "phoneco")
    with pytest.raises(Refused, match="4 to 12 digits"):
        settings.add_employee(shop.manager, "zed", "Zed", "cashier", "12", "A")
    with pytest.raises(Refused, match="login 'cal' already exists"):
        settings.add_employee(shop.manager, "Cal", "Cal Two", "cashier", "1234", "A")
    assert Employee.select().where(Employee.login == "zed").count() == 0
    assert [s.name for s in settings.list_suppliers()] == ["PhoneCo", "ToolCo"]
    settings.update_branch(shop.manager, "park", "Park Lane Store", "4 Park Lane")
    assert settings.list_branches()[-1].address == "4 Park Lane"
    settings.update_supplier(shop.manager, "ToolCo", "tools@example.com")
    assert settings.list_suppliers()[1].contact == "tools@example.com"
    with pytest.raises(NotFound):
        settings.update_supplier(shop.manager, "Nobody Ltd", "x")
    with pytest.raises(PermissionDenied):
        settings.update_branch(shop.cashier, "A", "Mine", "")
    assert settings.branch_code(" b ") == "B"
    with pytest.raises(NotFound, match="there are: A, B, PARK"):
        settings.branch_code("Z")


def test_a_slowed_employee_shows_as_slowed(shop):
    SeatPinMisses.create(
        employee=Employee.get(Employee.login == "cal"),
        seat="till-1",
        misses=7,
        slowed_until=shop.clock() + timedelta(seconds=4),
    )
    row = next(r for r in settings.list_employees(shop.manager) if r.login == "cal")
    assert row.status.startswith("slowed")
    shop.clock.advance(seconds=5)
    row = next(r for r in settings.list_employees(shop.manager) if r.login == "cal")
    assert row.status == "active"
    with pytest.raises(PermissionDenied):
        settings.list_employees(shop.cashier)


def test_product_type_serial_rule_is_checked(shop):
    settings.update_product_type(shop.manager, "Power tools", serial_pattern=" d-### | tp@#### ")
    ptype = ProductType.get(ProductType.name == "Power tools")
    assert (ptype.serial_pattern, ptype.check_kind) == ("D-###|TP@####", "none")
    settings.update_product_type(shop.manager, "Phones", serial_pattern="35#############")
    for pattern, check, reason in [
        ("996*****", "imei", "IMEI is 15 digits"),
        ("AB#############", "imei", "digits only"),
        ("99 9", "none", "a serial has only"),
        ("A|", "none", "empty alternative"),
        ("1234567", "gtin", "8, 12, 13 or 14"),
        ("#" * 65, "none", "longer than any serial"),
        ("", "crc", "Unknown check"),
    ]:
        with pytest.raises(Refused, match=reason):
            settings.update_product_type(
                shop.manager, "Power tools", serial_pattern=pattern, check_kind=check
            )
    assert ProductType.get(ProductType.name == "Power tools").serial_pattern == "D-###|TP@####"
    with pytest.raises(Refused, match="IMEI is 15 digits"):  # the type's IMEI check stays
        settings.update_product_type(shop.manager, "Phones", serial_pattern="35##")


def test_try_a_sample_serial():
    assert "fits" in serial_rules.try_serial("35#############", "imei", "356938035643809")
    with pytest.raises(Refused, match="wrong IMEI check digit"):
        serial_rules.try_serial("35#############", "imei", "356938035643808")
    with pytest.raises(Refused, match="does not match"):
        serial_rules.try_serial("996*****", "none", "99512345")
    assert "no rule" in serial_rules.try_serial("", "none", "anything-1")


def test_product_serial_rule_override(shop):
    found = serial_rules.set_product_serial_rule(shop.manager, "DR-18", "D-###", "none")
    assert (found.own_pattern, found.pattern, found.check) == ("D-###", "D-###", "none")
    with pytest.raises(Refused, match="does not match"):
        receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["X-1"], cost="80")])
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-100"], cost="80")])
    with pytest.raises(Refused, match="IMEI is 15 digits"):
        serial_rules.set_product_serial_rule(shop.manager, "DR-18", "D-###", "imei")
    with pytest.raises(PermissionDenied):
        serial_rules.set_product_serial_rule(shop.cashier, "DR-18", None, None)
    back = serial_rules.set_product_serial_rule(shop.manager, "DR-18", None, None)
    assert (back.own_pattern, back.own_check, back.pattern) == (None, None, "")
    phone = serial_rules.product_settings("PH-X1")
    assert (phone.check, phone.own_check, phone.mode) == ("imei", None, "strict")


SEAT_FILE = """\
# front counter
seat = "Counter 1"   # shown on the seat bar
database = "shop.db"

[keymap]
"screen.checkout" = "f3"

[scanner]
source = "wedge"  # keyboard scanner
"""


def test_seat_settings_file_keeps_comments_and_refuses_bad_values(tmp_path):
    path = tmp_path / "seat.toml"
    path.write_text(SEAT_FILE)
    current = config.seat_settings(config.load_config(path))
    assert (current.seat, current.scanner_source, current.printer_kind) == (
        "Counter 1",
        "wedge",
        "none",
    )
    bad = [
        (dict(printer_kind="usb", printer_target=""), "USB printer needs vendor_id"),
        (dict(printer_kind="usb", printer_target="epson"), "vendor:product in hex"),
        (dict(scanner_source="serial", scanner_port=""), "serial scanner needs port"),
        (dict(idle_lock_minutes=5000), "Idle lock"),
        (dict(seat="  "), "needs a name"),
    ]
    for change, reason in bad:
        with pytest.raises(DomainError, match=reason):
            seat_file.save_seat_settings(path, replace(current, **change))
        assert path.read_text() == SEAT_FILE
    saved = seat_file.save_seat_settings(
        path,
        replace(current, seat="Till 2", scanner_prefix="]C1", printer_kind="usb",
                printer_target="04b8:0202"),
    )  # fmt: skip
    text = path.read_text()
    assert text.startswith("# front counter\n")
    assert 'seat = "Till 2"   # shown on the seat bar' in text
    assert 'source = "wedge"  # keyboard scanner' in text
    assert "vendor_id = 0x04b8" in text
    assert (saved.printer.vendor_id, saved.scanner.prefix, saved.keymap) == (
        0x04B8,
        "]C1",
        {"screen.checkout": "f3"},
    )
    assert config.load_config(path) == saved


def test_seat_settings_written_afresh_when_the_layout_is_unusual(tmp_path):
    path = tmp_path / "dir" / "seat.toml"
    assert seat_file.save_seat_settings(path, config.seat_settings(config.SeatConfig())).seat == (
        "Counter"
    )
    path.write_text('scanner.source = "none"\nseat = "A"\n')  # a dotted key, not a table
    current = config.seat_settings(config.load_config(path))
    seat_file.save_seat_settings(path, replace(current, seat='Quote " and \\ back'))
    assert config.load_config(path).seat == 'Quote " and \\ back'
    assert config.load_config(path).scanner.source == "none"


def test_saving_keeps_the_file_private(tmp_path, monkeypatch):
    path = tmp_path / "seat.toml"
    path.write_text('seat = "A"\ndatabase = "postgresql://shop:secret@db/shop"\n')
    path.chmod(0o600)
    current = config.seat_settings(config.load_config(path))
    seat_file.save_seat_settings(path, replace(current, seat="Till 2"))
    assert (path.stat().st_mode & 0o777, config.load_config(path).seat) == (0o600, "Till 2")
    path.chmod(0o640)  # a mode the owner chose is kept too
    seat_file.save_seat_settings(path, replace(current, seat="Till 3"))
    assert path.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new" / "seat.toml"  # a new file may hold a password later: owner only
    seat_file.save_seat_settings(new, current)
    assert new.stat().st_mode & 0o777 == 0o600

    def cannot_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(seat_file.os, "replace", cannot_replace)
    with pytest.raises(DomainError, match="No space left"):
        seat_file.save_seat_settings(path, replace(current, seat="Till 4"))
    assert config.load_config(path).seat == "Till 3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "seat.toml"]  # no leftovers


def test_the_saved_file_follows_the_screen(tmp_path):
    path = tmp_path / "seat.toml"
    path.write_text(
        '[printer]\nkind = "network"\nhost = "10.0.0.9"\ntcp_port = 9101\n'
        '[scanner]\nsource = "usb_hid"\nvendor_id = 0x0c2e\nproduct_id = 0x0b61\n'
    )
    current = config.seat_settings(config.load_config(path))
    assert (current.printer_target, current.scanner_port) == ("10.0.0.9:9101", "0c2e:0b61")
    # The port taken off the screen: the printer is on the usual 9100 again.
    saved = seat_file.save_seat_settings(path, replace(current, printer_target="10.0.0.9"))
    assert (saved.printer.host, saved.printer.tcp_port) == ("10.0.0.9", 9100)
    assert config.load_config(path) == saved
    saved = seat_file.save_seat_settings(path, replace(current, printer_target="10.0.0.7:9102"))
    assert (saved.printer.host, saved.printer.tcp_port) == ("10.0.0.7", 9102)
    # IPv6: bare, or in brackets with a port; shown back as typed.
    saved = seat_file.save_seat_settings(path, replace(current, printer_target="fe80::1"))
    assert (saved.printer.host, saved.printer.tcp_port) == ("fe80::1", 9100)
    saved = seat_file.save_seat_settings(path, replace(current, printer_target="[fe80::1]:9102"))
    assert (saved.printer.host, saved.printer.tcp_port) == ("fe80::1", 9102)
    assert config.seat_settings(saved).printer_target == "[fe80::1]:9102"
    saved = seat_file.save_seat_settings(path, replace(current, printer_target="10.0.0.7:9102"))
    path.write_text('branch = "A"  # the till by the door\n' + path.read_text())
    saved = seat_file.save_seat_settings(path, replace(current, branch=""))  # each one's home
    assert saved.branch is None and "branch" not in path.read_text()
    before = path.read_text()
    with pytest.raises(DomainError, match="host:port"):
        seat_file.save_seat_settings(path, replace(current, printer_target="10.0.0.9:abc"))
    # A USB id cleared on the screen is not quietly kept from the file.
    with pytest.raises(DomainError, match="USB scanner needs vendor_id"):
        seat_file.save_seat_settings(path, replace(current, scanner_port=""))
    assert path.read_text() == before


def test_role_and_pin_change_together_or_not_at_all(shop):
    with pytest.raises(Refused, match="4 to 12 digits"):
        settings.update_employee(shop.manager, "cal", role="inventory", pin="12")
    assert Employee.get(Employee.login == "cal").role == "cashier"
    with pytest.raises(Refused, match="Unknown role"):
        settings.update_employee(shop.manager, "cal", role="boss", pin="4321")
    assert log_in("cal", "1234", clock=shop.clock).employee_name == "Cal Cashier"
    with pytest.raises(Refused, match="own manager role"):
        settings.update_employee(shop.manager, "mia", role="cashier", pin="4321")
    assert log_in("mia", "1234", clock=shop.clock).employee_name == "Mia Manager"
    with pytest.raises(Refused, match="role or type a new PIN"):
        settings.update_employee(shop.manager, "cal")
    assert settings.update_employee(shop.manager, "CAL", role="inventory", pin="4321") == (
        "Cal Cashier"
    )
    assert Employee.get(Employee.login == "cal").role == "inventory"
    assert log_in("cal", "4321", clock=shop.clock).employee_name == "Cal Cashier"


def test_an_older_serial_pattern_is_kept_while_it_is_not_changed(shop):
    # Saved by an older version: a space, which the settings screen now refuses.
    ProductType.update(serial_pattern="D 1##").where(ProductType.name == "Power tools").execute()
    saved = settings.update_product_type(
        shop.manager, "Power tools", warranty_months=18, serial_pattern="D 1##", check_kind="none"
    )
    assert (saved.warranty_months, saved.serial_pattern) == (18, "D 1##")
    assert "a serial has only" in serial_rules.rule_problem("D 1##", "none")
    assert serial_rules.rule_problem("D-1##", "none") is None
    with pytest.raises(Refused, match="a serial has only"):  # changed: checked as any new one
        settings.update_product_type(shop.manager, "Power tools", serial_pattern="D 2##")
    with pytest.raises(Refused, match="pattern .D 1##. has"):  # a new check: the rule is new
        settings.update_product_type(shop.manager, "Power tools", check_kind="gtin")
    # A product goes back to its type's rule whatever that rule is.
    serial_rules.set_product_serial_rule(shop.manager, "DR-18", "D-###", "none")
    back = serial_rules.set_product_serial_rule(shop.manager, "DR-18", None, None)
    assert (back.own_pattern, back.pattern) == (None, "D 1##")
    assert ProductType.get(ProductType.name == "Power tools").serial_pattern == "D 1##"


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{% for i in range(999) %}{% for j in range(999) %}{% for k in range(999) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "{{ 'x'|center(10**8) }}",
        "{% for i in range(900) %}0123456789{% endfor %}",
    ],
)
def test_a_template_over_a_cards_limits_is_refused_when_saved(shop, template):
    before = ProductType.get(ProductType.name == "Phones").card_template
    with pytest.raises(Refused, match="over a card's limits"):
        settings.update_product_type(shop.manager, "Phones", card_template=template)
    assert ProductType.get(ProductType.name == "Phones").card_template == before
