"""Control characters and markup in free text: refused when typed, in every service that
takes free text; shown, never obeyed, when old data already holds them (CLI text, JSON,
warranty cards and slips as ESC/POS)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.cards import render_card as card_text
from app.domain.errors import Refused
from app.domain.text import is_control
from app.services.counter import repairs
from app.services.counter.selling import SaleItem, sell
from app.services.shop import settings as shop_settings
from app.services.shop.catalog import add_customer
from app.services.stock import adjustments, transfers
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Customer, Supplier, Unit, UnitEvent
from devices.render import Slip, SlipLine, render_card, render_slip
from tests.cli.conftest import Cli
from tests.conftest import IMEIS
from tests.devices.conftest import card_data
from tests.devices.escpos_decode import decode
from tests.support import counts

CONTROL = st.characters(max_codepoint=0x9F).filter(lambda ch: is_control(ch) and ch != "\n")
MARKUP = st.sampled_from(["[red]x", "[link=https://evil.example]click[/link]", "[b]", "\\[/]"])
# Typed text with at least one control character in it: always refused.
TYPED = st.builds(
    lambda a, c, b: a + c + b,
    st.text(max_size=15),
    CONTROL.filter(lambda ch: ch not in "\t\r"),
    st.text(max_size=15),
)
# What old data may hold: controls, markup, anything (but NUL, which PostgreSQL's text
# cannot hold, so no old data there has it).
STORED = st.one_of(
    st.builds(lambda m, c, t: m + c + t, MARKUP, CONTROL, st.text(max_size=20)),
    st.text(alphabet=st.characters(max_codepoint=0x9F), min_size=1, max_size=40),
    st.sampled_from(["\x1b[2J\x1b[31mred", "\x9b2J", "\x1b]8;;http://x\x07link\x1b]8;;\x07"]),
).filter(lambda text: "\x00" not in text)
FAST = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def sold(shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:3], cost="300")])
    bob = add_customer("Bob Builder", "+44 7700 900123")
    sell(shop.cashier, [SaleItem(serial=IMEIS[0])], customer_id=bob.id)
    return shop


DOORS = {
    "sale note": lambda s, t: sell(s.cashier, [SaleItem(serial=IMEIS[1])], note=t),
    "write-off reason": lambda s, t: adjustments.adjust(
        s.manager, "write_off", serials=[IMEIS[1]], reason=t
    ),
    "receipt note": lambda s, t: receive(
        s.inventory, "PhoneCo", [ReceiptLine("PH-X1", [IMEIS[4]], cost="1")], note=t
    ),
    "transfer note": lambda s, t: transfers.transfer_out(
        s.inventory, "B", [transfers.TransferItem(serial=IMEIS[1])], note=t
    ),
    "repair complaint": lambda s, t: repairs.intake(s.technician, IMEIS[0], complaint=t),
    "repair accessories": lambda s, t: repairs.intake(
        s.technician, IMEIS[0], complaint="no power", accessories=t
    ),
    "customer name": lambda s, t: add_customer(t),
    "supplier contact": lambda s, t: shop_settings.add_supplier(s.manager, "NewCo", t),
    "branch address": lambda s, t: shop_settings.update_branch(s.manager, "A", "Main", t),
}


@pytest.mark.parametrize("door", DOORS)
@FAST
@given(text=TYPED)
def test_typed_control_characters_are_refused_and_nothing_changes(sold, door, text):
    before = counts(), Customer.select().count(), Supplier.select().count()
    with pytest.raises(Refused, match="control character|characters long|longer than"):
        DOORS[door](sold, text)
    assert (counts(), Customer.select().count(), Supplier.select().count()) == before


@pytest.mark.parametrize("door", ["sale note", "write-off reason", "repair complaint"])
def test_a_note_or_reason_is_at_most_500_characters(sold, door):
    before = counts()
    with pytest.raises(Refused, match="at most 500"):
        DOORS[door](sold, "x" * 501)
    assert counts() == before


def _store(note: str, name: str) -> None:
    """Old data: written behind the services' back, as an older version could have."""
    unit = Unit.get(Unit.serial == IMEIS[0])
    UnitEvent.create(unit=unit.id, event="sale", employee=1, branch=1, to_state="sold", note=note)
    Customer.update(name=name).where(Customer.id == unit.customer_id).execute()


def _no_raw_control(out: str) -> None:
    raw = [ch for ch in out if is_control(ch) and ch != "\n"]
    assert not raw, f"raw control characters reach the terminal: {raw!r}"


@FAST
@given(note=STORED, name=STORED)
def test_the_passport_shows_stored_controls_visibly_on_the_cli(sold, capsys, note, name):
    _store(note, name)
    cli = Cli(sold.url, capsys)
    _no_raw_control(cli.ok("passport", IMEIS[0], employee="cal"))
    out = cli.ok("passport", IMEIS[0], "--json", employee="cal")
    _no_raw_control(out)
    data = json.loads(out)  # still valid JSON, and the text is kept exactly
    assert data["customer"] == name
    assert data["history"][-1]["note"] == note


def _safe_paper(data: bytes) -> None:
    paper = decode(data)  # fails on a stray control byte or an unknown command
    assert paper.inits == 1 and paper.cuts == 1
    assert paper.drawer_kicks == [] and paper.images == 0
    assert not any(is_control(ch) for ch in paper.text if ch not in "\n\r")


@given(customer=STORED, product=STORED, shop_name=STORED)
@settings(max_examples=60, deadline=None)
def test_a_card_with_hostile_stored_text_prints_it_without_commands(customer, product, shop_name):
    card = card_data(customer=customer, product=product, shop_name=shop_name)
    data = render_card(card_text(card), card.claim_code)
    _safe_paper(data)
    assert len(decode(data).barcodes) == 1
    if "\x1b" in customer + product:
        assert "\\x1b" in decode(data).text.replace("\n", "")


@given(customer=STORED, description=STORED)
@settings(max_examples=60, deadline=None)
def test_a_slip_with_hostile_stored_text_opens_no_drawer(customer, description):
    line = SlipLine(description, 1, Decimal("9.90"), Decimal("9.90"), serials=("A-1",))
    slip = Slip("Shop", "1 Main St", "S-1", datetime(2026, 1, 1), (line,), Decimal("9.90"))
    _safe_paper(render_slip(replace(slip, customer=customer, cashier=description)))
