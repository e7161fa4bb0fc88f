"""Cards and slips as ESC/POS, decoded back into what a customer reads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from app.domain.cards import render_card as card_text
from devices.render import (
    PaperOptions,
    Payment,
    Slip,
    SlipLine,
    code128_payload,
    render_card,
    render_slip,
    render_text,
    slip_text,
)
from tests.devices.conftest import IMEI, card_data
from tests.devices.escpos_decode import decode, decode_code128


def test_a_card_reads_product_serial_warranty_end_with_barcode_and_cut():
    card = card_data()
    paper = decode(render_card(card_text(card), card.claim_code))
    assert "Pixel 8 128GB" in paper.text
    assert IMEI in paper.text
    assert "2027-03-14" in paper.text
    assert "Bob Baker" in paper.text and "Corner Phones" in paper.text
    assert [b.symbology for b in paper.barcodes] == ["CODE128"]
    assert paper.barcodes[0].data == IMEI
    assert paper.cuts == 1
    assert paper.events[-1] == "cut"
    assert "[barcode" not in paper.text  # the marker became the barcode


def test_the_barcode_stands_where_the_template_put_it():
    card = card_data()
    template = "{{ product }}\n[barcode {{ serial }}]\nuntil {{ warranty_end }}\n"
    paper = decode(render_card(card_text(card, template), card.claim_code))
    assert paper.events == ["text", "barcode", "text", "cut"]
    assert paper.lines[0] == "Pixel 8 128GB"


def test_a_masked_card_barcodes_the_sale_number_never_the_serial():
    card = card_data(mask_policy="last4", imei=False, serial="SN-ABCDEF-1234")
    paper = decode(render_card(card_text(card), card.claim_code))
    assert "SN-ABCDEF-1234" not in paper.text
    assert "**********1234" in paper.text
    assert [b.data for b in paper.barcodes] == ["S-000042"]  # what its readable line shows


def test_a_template_that_shows_a_masked_code_cannot_mask_the_barcode():
    card = card_data(mask_policy="last4")
    paper = decode(render_card(card_text(card, "[barcode {{ serial_masked }}]\n"), IMEI))
    assert paper.barcodes[0].data == IMEI


def test_the_no_serial_card_carries_the_warranty_number():
    card = card_data(serial="", imei=False, warranty_number="W-2025-000123")
    paper = decode(render_card(card_text(card), card.claim_code))
    assert "W-2025-000123" in paper.text
    assert paper.barcodes[0].data == "W-2025-000123"


def test_qr_when_configured():
    card = card_data()
    paper = decode(render_card(card_text(card), card.claim_code, PaperOptions(symbology="qr")))
    assert paper.barcodes == []
    assert paper.qr_codes == [IMEI]
    assert paper.cuts == 1


def test_a_template_without_a_marker_gets_the_code_at_the_end():
    paper = decode(render_card("Just text\n", "ABC-1"))
    assert paper.events == ["text", "barcode", "cut"]
    assert paper.barcodes[0].data == "ABC-1"


def test_a_claim_code_code128_cannot_carry_falls_back_to_qr():
    paper = decode(render_card("x\n", "Größe-7"))
    assert paper.qr_codes == ["Größe-7"] and paper.barcodes == []


@pytest.mark.parametrize("code", [IMEI, "12345678", "SN-{1}", "AB", "1234", "12345", "A1B2"])
def test_code128_payload_round_trips(code):
    payload = code128_payload(code)
    assert payload[:2] in ("{B", "{C")  # python-escpos sends nothing without a code set
    assert decode_code128(payload.encode("latin-1")) == code


def test_digits_use_code_set_c_so_an_imei_fits_a_narrow_roll():
    assert len(code128_payload(IMEI)) < len(IMEI)


def test_accented_text_prints_in_a_code_page():
    card = card_data(customer="Zoë Müller")
    paper = decode(render_card(card_text(card), card.claim_code))
    assert "Zoë Müller" in paper.text


def test_a_profile_with_its_own_width_and_cut():
    card = card_data()
    paper = decode(
        render_card(card_text(card), card.claim_code, PaperOptions(profile="TM-T88V")), "TM-T88V"
    )
    assert paper.cuts == 1 and paper.barcodes[0].data == IMEI


def _slip(**changes) -> Slip:
    values = dict(
        shop_name="Corner Phones",
        shop_address="12 High Street",
        number="S-000042",
        when=datetime(2025, 3, 14, 15, 30),
        lines=(
            SlipLine("Pixel 8 128GB", 1, Decimal("699.00"), Decimal("699.00"), (IMEI,)),
            SlipLine("Case", 2, Decimal("9.95"), Decimal("19.90")),
        ),
        total=Decimal("718.90"),
        payments=(Payment("Cash", Decimal("720.00")),),
        change=Decimal("1.10"),
        cashier="Ann",
        customer="Bob Baker",
    )
    values.update(changes)
    return Slip(**values)


def test_a_slip_has_lines_totals_payment_and_masked_serials():
    paper = decode(render_slip(_slip()))
    text = paper.text
    assert "Pixel 8 128GB" in text and "Case" in text
    assert IMEI not in text
    assert "S/N ***********3809" in text
    assert any(line.startswith("TOTAL") and line.endswith("718.90") for line in paper.lines)
    assert any(line.startswith("Cash") and line.endswith("720.00") for line in paper.lines)
    assert any(line.startswith("Change") and line.endswith("1.10") for line in paper.lines)
    assert "2 x 9.95" in text
    assert paper.cuts == 1 and paper.drawer_kicks == []
    assert max(len(line) for line in paper.lines) <= 42


def test_the_cash_drawer_opens_after_the_slip_only_when_asked():
    paper = decode(render_slip(_slip(), kick_drawer=2))
    assert paper.drawer_kicks == [2]
    assert paper.events[-2:] == ["cut", "drawer"]


def test_slip_text_fits_a_narrow_roll():
    text = slip_text(_slip(mask_policy="middle"), width=32)
    assert all(len(line) <= 32 for line in text.splitlines())
    assert "356*********809" in text


def test_a_queued_slip_prints_as_text_and_cut():
    paper = decode(render_text(slip_text(_slip())))
    assert "TOTAL" in paper.text and paper.cuts == 1 and paper.drawer_kicks == []


def test_rendering_prints_nothing_on_the_terminal(capsys):
    card = card_data()
    render_card(card_text(card), card.claim_code)
    render_card(card_text(card), card.claim_code, PaperOptions(profile="simple"))
    assert capsys.readouterr().out == ""
