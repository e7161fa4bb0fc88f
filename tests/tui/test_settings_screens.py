"""The manager's settings screens driven with the keyboard: employees, a product type's
serial rule, a product's own rule, and this seat's devices; each with the refusals that
must change nothing (branches and suppliers: test_settings_lists.py)."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable, Select

from app.config import load_config
from app.domain.errors import DomainError
from app.services.access.signin import check_pin
from db.models import Employee, Product, ProductType
from screens.backoffice import SCREENS, BackOfficeScreen
from screens.settings import SettingsScreen
from screens.settings_dialogs import AskPin, PickRole
from screens.settings_seat import SeatSettingsScreen
from screens.settings_staff import EmployeesScreen
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


async def open_entry(pilot, key: str) -> None:
    """From anywhere: F11, then the arrows to the entry and Enter."""
    await pilot.press("f11")
    assert isinstance(pilot.app.screen, BackOfficeScreen)
    index = [s[0] for s in SCREENS].index(key)
    await pilot.press("home", *["down"] * index, "enter")
    await pilot.pause()


async def fill(pilot, **values: str) -> None:
    for key, value in values.items():
        field = pilot.app.screen.query_one(f"#{key}")
        field.value = value
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)  # what the key saves is written in a worker thread


def highlight(app, key: str) -> None:
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(key))


async def test_the_new_entries_are_for_a_manager_only(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        for key in ("employees", "branches", "suppliers", "seat"):
            await open_entry(pilot, key)
            assert isinstance(app.screen, BackOfficeScreen)
            assert "for a manager only" in message(app)
            await press(pilot, "escape")


async def test_employees_add_role_pin_and_access(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "employees")
        screen = app.screen
        assert isinstance(screen, EmployeesScreen)
        assert screen.query_one(DataTable).row_count == 7
        # Refusals: no role, a bad PIN, a login that exists. Nothing is added.
        await fill(pilot, login="zed", name="Zed New", pin="2468")
        await press(pilot, "f9")
        assert "Choose the new employee's role" in message(app)
        screen.query_one("#role", Select).value = "cashier"
        await fill(pilot, pin="12")
        await press(pilot, "f9")
        assert "4 to 12 digits" in message(app)
        await fill(pilot, login="cal", pin="2468")
        await press(pilot, "f9")
        assert "login 'cal' already exists" in message(app)
        assert not Employee.select().where(Employee.login == "zed").exists()
        # Added from the form, Enter on the PIN field.
        await fill(pilot, login="zed")
        screen.query_one("#pin").focus()
        await type_text(pilot, "2468")
        await press(pilot, "enter")
        assert "Added zed" in message(app)
        assert screen.query_one(DataTable).row_count == 8
        assert screen.selected_login() == "zed"
        # F10: a new role picked from the list.
        await press(pilot, "f10")
        assert isinstance(app.screen, PickRole)
        await press(pilot, "down", "enter")  # cashier -> inventory
        assert Employee.get(Employee.login == "zed").role == "inventory"
        assert "now inventory" in message(app)
        # Ctrl+R: a new PIN, typed twice; a mismatch asks again.
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, AskPin)
        for pin in ("1111", "2222"):
            await type_text(pilot, pin)
            await press(pilot, "enter")
        assert "differ" in str(app.screen.query_one("#pin-problem").render())
        for pin in ("1357", "1357"):
            await type_text(pilot, pin)
            await press(pilot, "enter")
        assert "new PIN" in message(app)
        assert check_pin("zed", "1357").name == "Zed New"
        # Ctrl+T: deactivate after a yes; zed can no longer log in.
        await press(pilot, "ctrl+t", "y")
        assert "can no longer log in" in message(app)
        assert not Employee.get(Employee.login == "zed").active
        assert screen.rows["zed"].status == "inactive"
        await press(pilot, "ctrl+t", "y")
        assert Employee.get(Employee.login == "zed").active
        # A manager cannot lock themselves out, nor take their own role away.
        highlight(app, "mia")
        await press(pilot, "ctrl+t", "y")
        assert "cannot deactivate yourself" in message(app)
        assert Employee.get(Employee.login == "mia").active
        await press(pilot, "f10", "enter")  # PickRole opens on "manager": down to technician
        await press(pilot, "f10")
        await press(pilot, "up", "enter")
        assert "own manager role" in message(app)
        assert Employee.get(Employee.login == "mia").role == "manager"


async def test_product_type_serial_rule_with_a_sample(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "settings")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await press(pilot, "f10")
        assert "load it first" in message(app)
        await type_text(pilot, "Power tools")
        await press(pilot, "enter")
        await fill(pilot, pattern="D-###", sample="D-100")
        check_line = screen.query_one("#serial-check")
        assert "✓ D-100 fits (pattern D-###)" in str(check_line.render())
        await fill(pilot, sample="X-1")
        assert "does not match" in str(check_line.render())
        await press(pilot, "f10")
        assert "Saved product type Power tools" in message(app)
        assert ProductType.get(ProductType.name == "Power tools").serial_pattern == "D-###"
        # A pattern no serial could ever match is refused, with why; nothing changes.
        await fill(pilot, pattern="D 1")
        assert "a serial has only" in str(check_line.render())
        await press(pilot, "f10")
        assert "a serial has only" in message(app)
        screen.query_one("#check", Select).value = "imei"
        await fill(pilot, pattern="D-###")
        await press(pilot, "f10")
        assert "IMEI is 15 digits" in message(app)
        ptype = ProductType.get(ProductType.name == "Power tools")
        assert (ptype.serial_pattern, ptype.check_kind) == ("D-###", "none")


async def test_employee_role_and_pin_change_together_or_not_at_all(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "settings")
        screen = app.screen
        screen.query_one("#role", Select).value = "inventory"
        await fill(pilot, login="cal", pin="12")
        await press(pilot, "f9")
        assert "4 to 12 digits" in message(app)
        assert Employee.get(Employee.login == "cal").role == "cashier"  # nothing changed
        await fill(pilot, pin="4321")
        await press(pilot, "f9")
        assert "Saved cal" in message(app)
        assert Employee.get(Employee.login == "cal").role == "inventory"
        assert check_pin("cal", "4321").name == "Cal Cashier"


async def test_an_older_type_rule_does_not_block_its_other_settings(counter):
    ProductType.update(serial_pattern="D 1##").where(ProductType.name == "Power tools").execute()
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "settings")
        await type_text(pilot, "Power tools")
        await press(pilot, "enter")
        assert "kept until changed" in message(app)
        await fill(pilot, months="48")
        await press(pilot, "f10")
        assert "Saved product type Power tools" in message(app)
        ptype = ProductType.get(ProductType.name == "Power tools")
        assert (ptype.warranty_months, ptype.serial_pattern) == (48, "D 1##")


async def test_product_own_serial_rule_and_the_stock_rule(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "settings")
        screen = app.screen
        screen.query_one("#sku").focus()
        await pilot.pause()
        await type_text(pilot, "DR-18")
        await press(pilot, "enter")
        info = str(screen.query_one("#product-info").render())
        assert "DR-18 Cordless drill 18V" in info and "as its type" in info
        screen.query_one("#prule", Select).value = "own"
        await fill(pilot, ppattern="D-###")
        await press(pilot, "ctrl+o")
        assert "DR-18 now has its own serial rule" in message(app)
        assert Product.get(Product.sku == "DR-18").serial_pattern == "D-###"
        await fill(pilot, ppattern="D-#", sku="DR-18")
        screen.query_one("#pcheck", Select).value = "gtin"
        await press(pilot, "ctrl+o")
        assert "8, 12, 13 or 14" in message(app)
        assert Product.get(Product.sku == "DR-18").check_kind == "none"
        # The trade's rule: into a serial mode only at stock 0 (the cases are in stock).
        screen.query_one("#prule", Select).clear()
        screen.query_one("#mode", Select).value = "strict"
        await fill(pilot, sku="AC-CASE")
        screen.query_one("#sku").focus()
        await press(pilot, "enter")
        assert "only at stock 0" in message(app)
        assert Product.get(Product.sku == "AC-CASE").tracking_mode is None


async def test_seat_settings_saved_only_when_valid(counter, tmp_path):
    path = tmp_path / "seat.toml"
    path.write_text('# the front counter\nseat = "Counter 1"\ndatabase = "shop.db"\n')
    app = make_app(counter)
    app.config = replace(app.config, path=path)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "seat")
        screen = app.screen
        assert isinstance(screen, SeatSettingsScreen)
        assert screen.query_one("#seat").value == "Counter 1"
        assert str(path) in str(screen.query_one("#path").render())
        before = path.read_text()
        # The loader's refusal, the branch check and a blank name: the file stays as it was.
        screen.query_one("#kind", Select).value = "network"
        await press(pilot, "f10")
        assert "network printer needs host" in message(app)
        await fill(pilot, target="10.0.0.9:9101", branch="ZZ")
        await press(pilot, "f10")
        assert "No branch with code 'ZZ'" in message(app)
        await fill(pilot, branch="b", seat=" ")
        await press(pilot, "f10")
        assert "seat needs a name" in message(app)
        screen.query_one("#source", Select).value = "usb_hid"
        await fill(pilot, seat="Counter 2", scanner_port="zz")
        await press(pilot, "f10")
        assert "vendor:product in hex" in message(app)
        assert path.read_text() == before
        # A good set: written, comments and other keys kept, and restart is mentioned.
        await fill(pilot, scanner_port="0c2e:0b61", idle="5")
        await press(pilot, "f10")
        assert "idle lock applies now" in message(app) and "restarts" in message(app)
        assert app.config.idle_lock_minutes == 5  # the lock follows at once
        saved = load_config(path)
        assert (saved.seat, saved.branch, saved.idle_lock_minutes) == ("Counter 2", "B", 5)
        assert (saved.printer.host, saved.printer.tcp_port) == ("10.0.0.9", 9101)
        assert saved.scanner.vendor_id == 0x0C2E and saved.database == "shop.db"
        assert path.read_text().startswith("# the front counter\n")
        assert app.seat_name == "Counter 2"  # the name follows at once, with its print queue


async def test_seat_test_print(counter, tmp_path):
    out = tmp_path / "printer.out"
    app = make_app(counter)
    app.config = replace(app.config, path=tmp_path / "seat.toml")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "seat")
        screen = app.screen
        await press(pilot, "ctrl+t")
        assert "no printer" in message(app)
        screen.query_one("#kind", Select).value = "file"
        await fill(pilot, target=str(out))
        await press(pilot, "ctrl+t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "test card was printed" in message(app)
        assert b"Printer test" in out.read_bytes()
        assert not (tmp_path / "seat.toml").exists()  # trying is not saving
        await fill(pilot, target=str(tmp_path / "no" / "such" / "dir"))
        await press(pilot, "ctrl+t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message(app).startswith("Test print failed: Printer ")
        assert message(app).endswith("Nothing was queued.") and "stays queued" not in message(app)


async def test_enter_in_the_seat_form_moves_on_and_saves_nothing(counter, tmp_path):
    path = tmp_path / "seat.toml"
    app = make_app(counter)
    app.config = replace(app.config, path=path)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_entry(pilot, "seat")
        screen = app.screen
        assert app.focused.id == "seat"
        await type_text(pilot, " 2")
        await press(pilot, "enter")
        assert app.focused.id == "branch"
        await press(pilot, "enter")
        assert app.focused.id == "idle"
        screen.query_one("#target").focus()
        await press(pilot, "enter")
        assert "F10 saves" in message(app)
        assert not path.exists()
        await press(pilot, "f10")
        assert load_config(path).seat == "Counter 1 2"


def test_a_broken_file_is_refused_and_kept(tmp_path):
    from app.config import SeatConfig, seat_settings
    from app.seat_file import save_seat_settings

    path = tmp_path / "seat.toml"
    path.write_text("seat = \n")
    try:
        save_seat_settings(path, seat_settings(SeatConfig()))
    except DomainError as exc:
        assert "fix the file by hand" in exc.message
    else:
        raise AssertionError("a broken file was overwritten")
    assert path.read_text() == "seat = \n"


def test_employees_screen(counter, snap_compare):
    async def run_before(pilot):
        await log_in(pilot, "mia")
        await open_entry(pilot, "employees")

    assert snap_compare(make_app(counter), terminal_size=SIZE, run_before=run_before)
