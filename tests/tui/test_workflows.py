"""Each counter workflow driven with the keyboard through Textual's pilot, wrong scans included."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from app.services.counter.passport import passport
from db.models import Document, PrintJob, Unit, UnitEvent
from screens.checkout import CheckoutScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.passport import PassportScreen
from screens.receipt import ReceiptScreen
from screens.repairs import IntakeScreen, TicketScreen
from screens.returns import ReturnsScreen
from tests.conftest import IMEIS, make_imei
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


async def test_wrong_pin_is_refused_and_counted(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal", "9999")
        assert isinstance(app.screen, LoginScreen)
        assert "Wrong PIN. 4 attempt(s) left" in message(app)
        assert app.ctx is None
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.ctx.employee_name == "Cal Cashier"


async def test_screen_keys_do_nothing_before_login(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "f6")
        assert isinstance(app.screen, LoginScreen)


async def test_home_scan_opens_the_passport(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        header = str(app.screen.query_one("#passport-header").render())
        assert "Bob Builder" in header and "sold" in header
        assert app.screen.query_one(DataTable).row_count == 2
        warranty = app.screen.query_one("#warranty")
        assert warranty.has_class("active")
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_passport_is_one_key_and_a_scan_from_any_screen(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await pilot.press("f6")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CheckoutScreen)


async def test_receipt_keeps_good_scans_and_shows_bad_ones_in_red(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await pilot.press("f2")
        assert isinstance(app.screen, ReceiptScreen)
        await type_text(pilot, "PhoneCo")
        await pilot.press("enter")
        await type_text(pilot, "PO-77")
        await pilot.press("enter")
        await type_text(pilot, "PH-X1")
        await pilot.press("enter")
        await type_text(pilot, "310")
        await pilot.press("enter")
        await type_text(pilot, "3")
        await pilot.press("enter")
        new = [make_imei(n, tac="35209900") for n in (1, 2)]
        for raw in (new[0], IMEIS[1], new[0], "12345", new[1]):
            await type_text(pilot, raw)
            await pilot.press("enter")
        screen = app.screen
        assert [r.ok for r in screen.rows] == [True, False, False, False, True]
        assert "already in stock" in screen.rows[1].reason
        assert "already on this receipt" in screen.rows[2].reason
        assert "IMEI" in screen.rows[3].reason
        assert "Serials ok: 2 of 3 expected" in str(screen.query_one("#counts").render())
        units_before = Unit.select().count()
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert Unit.select().count() == units_before + 2
        assert "Saved GR-" in message(app)
        assert screen.rows == []


async def test_checkout_returning_customer_cash_in_seven_keys(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        keys = 0
        await pilot.press("f3")
        keys += 1
        await type_text(pilot, IMEIS[1])  # the scan itself
        await pilot.press("enter")
        for key in ("tab", "b", "o", "enter", "f10", "enter"):
            await pilot.press(key)
            keys += 1
        await settle(pilot)
        assert keys <= 8
        assert "complete" in message(app)
        p = passport(IMEIS[1])
        assert p.state == "sold" and p.customer == "Bob Builder"
        # Phones print automatically: the card is queued and shown.
        assert PrintJob.select().where(PrintJob.claim_code == IMEIS[1]).count() == 1
        assert "WARRANTY CARD" in str(app.screen.query_one("#card").render())


async def test_checkout_refuses_a_sold_serial_with_the_reason(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert "was sold on" in message(app) and counter.sale_number in message(app)
        assert app.screen.cart == []
        await pilot.press("f10")
        assert "cart is empty" in message(app)


async def test_checkout_mixes_serials_and_quantity_goods_and_new_customer(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        for raw in (IMEIS[2], "AC-CASE*2"):
            await type_text(pilot, raw)
            await pilot.press("enter")
        await pilot.press("tab")
        await type_text(pilot, "Zed New")
        await pilot.press("f9")
        await pilot.press("enter")  # name -> phone
        await type_text(pilot, "0711 222 333")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.customer_id is not None
        await pilot.press("f10")
        await pilot.press("f3")  # card
        await pilot.press("enter")
        await settle(pilot)
        sale = Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()
        assert sale.payment_method == "card" and str(sale.total) == "538.80"
        assert sale.customer.name == "Zed New"


async def test_return_of_the_wrong_unit_is_refused(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f4")
        assert isinstance(app.screen, ReturnsScreen)
        await type_text(pilot, IMEIS[3])  # in stock: never sold
        await pilot.press("enter")
        await settle(pilot)
        assert "not with a customer" in message(app)
        await type_text(pilot, counter.sale_number)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.sale is not None
        await pilot.press("escape")


async def test_return_by_serial_restocks_and_refunds(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f4")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.chosen
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert "refund 499.00" in message(app)
        assert passport(IMEIS[0]).state == "in_stock"


async def test_repair_intake_status_and_collection(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        await pilot.press("f5")
        await type_text(pilot, IMEIS[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert "COVERED" in str(app.screen.query_one("#decision").render())
        await type_text(pilot, "no sound")
        await pilot.press("enter")
        await type_text(pilot, "scratched")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert passport(IMEIS[0]).state == "in_service"
        screen = app.screen
        screen.query_one("#status").value = "diagnosing"
        await pilot.press("f10")
        await settle(pilot)
        assert "diagnosing" in message(app)
        await pilot.press("f9")
        await type_text(pilot, "speaker replaced")
        await pilot.press("enter")
        await settle(pilot)
        assert passport(IMEIS[0]).state == "sold"
        assert "closed" in message(app)


async def test_lock_and_unlock_keeps_the_cart(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[2])
        await pilot.press("enter")
        await pilot.press("f12")
        assert isinstance(app.screen, LoginScreen)
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert len(app.screen.cart) == 1


async def test_history_is_never_touched_by_a_refused_scan(counter):
    app = make_app(counter)
    events = UnitEvent.select().count()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        for raw in ("\x01garbage", "x" * 300, IMEIS[0]):
            await type_text(pilot, raw[:80])
            await pilot.press("enter")
        await settle(pilot)
        assert app.screen.cart == []
        assert (
            app.screen.query_one(
                Input,
            ).value
            == ""
        )
    assert UnitEvent.select().count() == events


async def test_a_managers_pin_approves_a_write_off_without_logging_out(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        await type_text(pilot, IMEIS[4])
        await pilot.press("enter")
        await pilot.press("ctrl+w")
        await type_text(pilot, "dropped")
        await pilot.press("enter")
        await type_text(pilot, "mia")
        await pilot.press("enter")
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await settle(pilot)
        assert "Wrong PIN" in str(app.screen.query_one("#message").render())
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        assert "written off" in message(app)
        assert app.ctx.employee_name == "Cal Cashier"
    event = UnitEvent.select().order_by(UnitEvent.id.desc()).get()
    assert event.event == "write_off" and event.approved_by.login == "mia"


async def test_an_idle_seat_locks_itself_and_keeps_its_work(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await type_text(pilot, IMEIS[2])
        await pilot.press("enter")
        app.last_activity -= app.config.idle_lock_minutes * 60 + 1
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.screen.locked_login == "cal"
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen) and len(app.screen.cart) == 1
