"""The returns and repair screens keep the services' rules: a loaded sale takes only its own
units, each return starts from the default fields, a ticket's selector offers only its next
statuses, a replacement keeps to the product (or type, approved), and the passport shows a
replacement's chain."""

from __future__ import annotations

from textual.widgets import Input, Select

from app.services.counter import repair_tickets, repairs, replacements
from app.services.counter.passport import passport
from app.services.counter.selling import SaleItem, sell
from app.services.shop.catalog import add_product
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Customer, UnitEvent
from screens.home import HomeScreen
from screens.modals.approval import ManagerApproval
from screens.modals.ask import AskText
from screens.passport import PassportScreen
from screens.repairs import TicketScreen
from screens.returns import ReturnsScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


def field(app, name: str) -> str:
    return str(app.screen.query_one(f"#{name}").value)


async def scan(pilot, code: str) -> None:
    await type_text(pilot, code)
    await pilot.press("enter")
    await settle(pilot)


def alices_sale(counter):
    alice = Customer.get(Customer.name == "Alice Smith")
    return sell(counter.cashier, [SaleItem(serial=IMEIS[1])], customer_id=alice.id)


async def test_a_loaded_sale_refuses_another_customers_unit(counter):
    alices = alices_sale(counter)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f4")
        await scan(pilot, IMEIS[0])  # Bob's phone loads Bob's sale
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.sale.number == counter.sale_number
        marked = dict(screen.chosen)
        await scan(pilot, IMEIS[1])  # Alice's phone
        text = message(app)
        assert f"was sold on {alices.number} to Alice Smith" in text
        assert f"not on {counter.sale_number}" in text and "Esc clears this sale" in text
        assert screen.sale.number == counter.sale_number and screen.chosen == marked
        # typing another sale number does not drop what is marked either
        await scan(pilot, alices.number)
        assert screen.sale.number == counter.sale_number and "F10 refunds" in message(app)
        # Esc clears the sale (asking first, as an item is marked); then Alice's phone
        # loads her sale
        await pilot.press("escape")
        await pilot.press("n")
        assert screen.sale.number == counter.sale_number and screen.chosen == marked
        await pilot.press("escape")
        await pilot.press("y")
        await settle(pilot)
        assert screen.sale is None and isinstance(app.screen, ReturnsScreen)
        await scan(pilot, IMEIS[1])
        assert screen.sale.number == alices.number and len(screen.chosen) == 1
        await pilot.press("escape", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert passport(IMEIS[0]).state == passport(IMEIS[1]).state == "sold"


async def test_each_return_starts_from_the_default_fields(counter):
    alices = alices_sale(counter)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f4")
        screen = app.screen
        await scan(pilot, IMEIS[0])

        def fill(condition: str, refund: str) -> None:
            screen.query_one("#condition", Input).value = condition
            screen.query_one("#disposition", Select).value = "quarantine"
            screen.query_one("#reason", Input).value = "faulty"
            screen.query_one("#refund", Input).value = refund

        fill("cracked screen", "400")
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert "refund 400.00" in message(app)
        assert passport(IMEIS[0]).state == "quarantine"
        defaults = ("as new", "in_stock", "", "")
        names = ("condition", "disposition", "reason", "refund")
        assert tuple(field(app, n) for n in names) == defaults
        # the next return, as new, goes back on the shelf
        await scan(pilot, IMEIS[1])
        await pilot.press("f10")
        await pilot.press("y")
        await settle(pilot)
        assert passport(IMEIS[1]).state == "in_stock"
        history = passport(IMEIS[1]).history[-1]
        assert (history.to_state, history.note) == ("in_stock", "as new")
        # loading another sale, or clearing one, resets what was set for the last
        await scan(pilot, counter.sale_number)
        fill("dented", "5")
        await pilot.press("escape")
        assert tuple(field(app, n) for n in names) == defaults
        await scan(pilot, counter.sale_number)
        fill("dented", "5")
        screen.query_one("#scan", Input).focus()
        await scan(pilot, alices.number)  # nothing marked: the sale switches
        assert screen.sale.number == alices.number
        assert tuple(field(app, n) for n in names) == defaults


async def test_the_status_selector_offers_only_the_next_statuses(counter):
    ticket = repairs.intake(counter.cashier, IMEIS[0], complaint="no sound").number
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        app.push_screen(TicketScreen(ticket))
        await pilot.pause()
        select = app.screen.query_one("#status", Select)

        def offered() -> list[str]:
            return [v for _label, v in select._options if v is not Select.NULL]

        assert offered() == ["diagnosing"]
        select.value = "diagnosing"
        await pilot.press("f10")
        await settle(pilot)
        assert offered() == ["waiting_for_parts", "repairing", "ready"]
        assert select.is_blank()
        select.value = "repairing"
        await pilot.press("f10")
        await settle(pilot)
        assert offered() == ["waiting_for_parts", "quality_check"]
        await pilot.press("f9")
        await type_text(pilot, "customer wants it back")
        await pilot.press("enter")
        await settle(pilot)
        assert "closed" in message(app)
        header = str(app.screen.query_one("#ticket").render())
        assert "closed: collected" in header and "ready" not in header.split("\n")[0]
        assert offered() == [] and select.disabled and select.prompt == "ticket closed"


async def test_a_replacement_of_another_product_takes_a_managers_pin_and_a_note(counter):
    add_product("PH-X2", "Phone X2 256GB", "Phones", "599.00")
    receive(counter.inventory, "PhoneCo", [ReceiptLine("PH-X2", [IMEIS[10]], cost="350")])
    ticket = repairs.intake(counter.cashier, IMEIS[0], complaint="boot loop").number
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        app.push_screen(TicketScreen(ticket))
        await pilot.pause()
        # a drill for a phone: refused, nothing asked
        await pilot.press("ctrl+r")
        await scan(pilot, "D-100")
        assert isinstance(app.screen, TicketScreen)
        assert "of type Power tools" in message(app)
        # another phone model: a manager's PIN, then why
        await pilot.press("ctrl+r")
        await scan(pilot, IMEIS[10])
        assert isinstance(app.screen, ManagerApproval)
        await scan(pilot, "mia")
        await scan(pilot, "1234")
        assert isinstance(app.screen, AskText)
        await scan(pilot, "X1 no longer made")
        assert isinstance(app.screen, TicketScreen)
        assert f"replaced by {IMEIS[10]}" in message(app)
    issued = UnitEvent.select().order_by(UnitEvent.id.desc()).get()
    assert issued.event == "replacement_issued" and issued.approved_by.login == "mia"
    assert passport(IMEIS[10]).state == "sold" and passport("D-100").state == "in_stock"


async def test_the_passport_screen_shows_the_replacement_chain(counter):
    first = repairs.intake(counter.cashier, IMEIS[0], complaint="speaker crackles").number
    replacements.replace(counter.technician, IMEIS[0], IMEIS[2], ticket=first)
    replacements.replace(counter.technician, IMEIS[2], IMEIS[3])
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await scan(pilot, IMEIS[3])
        assert isinstance(app.screen, PassportScreen)
        header = str(app.screen.query_one("#passport-header").render())
        assert f"replaces {IMEIS[2]} PH-X1" in header and "no ticket" in header
        assert f"replaces {IMEIS[0]} PH-X1" in header and f"{first} " in header
        assert "speaker crackles (collected)" in header


async def test_the_ticket_screen_refuses_collecting_an_unchecked_repair_as_repaired(counter):
    ticket = repairs.intake(counter.cashier, IMEIS[0], complaint="no sound").number
    repairs.change_status(counter.technician, ticket, "diagnosing")
    repairs.change_status(counter.technician, ticket, "repairing")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ted")
        app.push_screen(TicketScreen(ticket))
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        question = str(app.screen.query_one(".dialog-title").render())
        assert "goes back from repairing, not checked" in question
        await type_text(pilot, "repaired")
        await pilot.press("enter")
        await settle(pilot)
        assert "has not passed its quality check" in message(app)
        assert repair_tickets.ticket_view(ticket).status == "repairing"
