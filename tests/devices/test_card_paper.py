"""A warranty card on real paper widths: the seat's columns, the shop's name and phone on
top, and a masked serial that the barcode does not give away. Decoded from the ESC/POS."""

from __future__ import annotations

import pytest

from app.domain.cards import CARD_WIDTH, DEFAULT_TERMS
from app.domain.cards import render_card as card_text
from devices.config import DeviceConfigError, printer_config
from devices.fake_usb import FakePrinter, FakeUsbBus
from devices.print_queue import Job
from devices.render import PaperOptions, render_card, render_text
from devices.seat import make_print_worker, paper_options, printer_test_card
from tests.devices.conftest import IMEI, card_data
from tests.devices.escpos_decode import decode

LONG_PRODUCT = "Bosch Professional GSR 18V-55 cordless drill driver with two batteries"


def words(lines: list[str]) -> list[str]:
    """The words a customer reads, rules left out."""
    return [w for line in lines for w in line.split() if set(w) != {"-"}]


def test_a_58_mm_roll_gets_32_columns_broken_between_words_never_inside_one():
    card = card_data(product=LONG_PRODUCT, customer="Bartholomew Fitzgerald-Smythe")
    text = card_text(card)
    assert max(len(line) for line in text.splitlines()) > 32  # laid out for 80 mm
    paper = decode(render_card(text, card.claim_code, PaperOptions(columns=32)))
    assert max(len(line) for line in paper.lines) == 32
    laid_out = [line for line in text.splitlines() if not line.startswith("[barcode")]
    assert words(paper.lines) == words(laid_out)  # every word whole, in order
    assert paper.lines.count("-" * 32) == 2  # the rules are as wide as the paper
    assert "WARRANTY CARD".center(32).rstrip() in paper.lines  # centred again
    assert "Product : Bosch Professional GSR" in paper.lines
    assert "          18V-55 cordless drill" in paper.lines  # on under its value
    after_rule = paper.lines[paper.lines.index("-" * 32, 6) + 1 :]
    terms = after_rule[: after_rule.index("")]
    assert " ".join(terms) == DEFAULT_TERMS  # the paragraph wrapped anew at 32 ...
    pairs = zip(terms, terms[1:], strict=False)
    assert all(len(a) + 1 + len(b.split()[0]) > 32 for a, b in pairs)  # ... lines filled
    assert [b.data for b in paper.barcodes] == [IMEI] and paper.cuts == 1


def test_the_seat_file_columns_reach_the_printer():
    device = FakePrinter()
    config = printer_config(
        {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0202, "columns": 32}
    )
    assert paper_options(config).columns == 32
    card = card_data(product=LONG_PRODUCT)
    done: list[int] = []
    worker = make_print_worker(
        config,
        fetch_queued=lambda: [Job(1, "card", card_text(card), card.claim_code)][len(done) :],
        mark_printed=done.append,
        mark_failed=lambda job_id, error: pytest.fail(error),
        usb_backend=FakeUsbBus(device),
    )
    worker.run_once()
    paper = decode(bytes(device.received))
    assert paper.lines and max(len(line) for line in paper.lines) <= 32
    assert "cordless" in paper.text.split()


@pytest.mark.parametrize("columns", [8, 200, -1])
def test_columns_out_of_range_are_refused_with_the_key(columns):
    with pytest.raises(DeviceConfigError, match="columns must be 16 to 80"):
        printer_config({"kind": "dummy", "columns": columns})


def test_at_the_width_it_was_laid_out_for_a_card_prints_exactly_as_laid_out():
    card = card_data()
    text = card_text(card)
    for options in (PaperOptions(), PaperOptions(columns=CARD_WIDTH)):
        paper = decode(render_card(text, card.claim_code, options))
        assert paper.lines[: len(text.splitlines()) - 1] == text.splitlines()[:-1]


def test_a_line_longer_than_the_paper_wraps_at_a_space_on_80_mm_too():
    card = card_data(product=LONG_PRODUCT)
    paper = decode(render_card(card_text(card), card.claim_code))
    assert max(len(line) for line in paper.lines) <= CARD_WIDTH
    at = paper.lines.index("Product : Bosch Professional GSR 18V-55")
    assert paper.lines[at + 1 : at + 3] == [
        "          cordless drill driver with two",
        " " * 10 + "batteries",
    ]


def test_a_wide_roll_spreads_the_card_out():
    card = card_data()
    paper = decode(render_card(card_text(card), card.claim_code, PaperOptions(columns=48)))
    assert "-" * 48 in paper.lines and "WARRANTY CARD".center(48).rstrip() in paper.lines


def test_a_queued_slip_wider_than_the_paper_wraps_at_spaces():
    text = "Thank you for shopping with us, see you again soon\n" + "-" * 42 + "\n"
    paper = decode(render_text(text, PaperOptions(columns=32)))
    assert paper.lines[:3] == ["Thank you for shopping with us,", "see you again soon", "-" * 32]


# -- a masked serial -------------------------------------------------------------------


@pytest.mark.parametrize("symbology", ["code128", "qr"])
def test_a_masked_imei_is_masked_in_the_text_the_barcode_and_its_readable_line(symbology):
    card = card_data(mask_policy="last4")
    text = card_text(card)
    assert IMEI not in text  # not even in the stored card's barcode marker
    options = PaperOptions(symbology=symbology)
    data = render_card(text, card.claim_code, options)
    paper = decode(data)
    assert IMEI not in paper.text and IMEI.encode() not in data
    assert "*" * 11 + IMEI[-4:] in paper.text
    codes = [b.data for b in paper.barcodes] + paper.qr_codes
    assert codes == ["S-000042"]  # the sale: the returns desk finds it by that number
    if symbology == "qr":
        assert "S-000042" in paper.lines  # printed under the QR code as its readable line


def test_a_policy_that_masks_nothing_keeps_the_serial_in_the_barcode():
    for policy in ("none", "last4"):
        card = card_data(mask_policy=policy, serial="SN12")  # too short to mask
        assert card.claim_code == "SN12" and not card.hides_serial
    assert card_data(mask_policy="middle").claim_code == "S-000042"
    number_card = card_data(serial="", warranty_number="WACDE34797X", mask_policy="last4")
    assert number_card.claim_code == "WACDE34797X"


# -- the shop's name and phone ----------------------------------------------------------


def test_the_shop_name_and_phone_head_the_card_centred_and_the_name_bold():
    card = card_data()
    options = PaperOptions(columns=32, shop_name="Corner Phones", shop_phone="Tel. 020 7946 0000")
    data = render_card(card_text(card), card.claim_code, options)
    paper = decode(data)
    assert paper.lines[:2] == [
        "Corner Phones".center(32).rstrip(),
        "Tel. 020 7946 0000".center(32).rstrip(),
    ]
    bold_on, name = data.index(b"\x1bE\x01"), data.index(b"Corner Phones")
    assert bold_on < name < data.index(b"\x1bE\x00") < data.index(b"Tel. 020")


def test_without_them_the_card_starts_with_its_template():
    card = card_data()
    paper = decode(render_card(card_text(card), card.claim_code))
    assert paper.lines[0] == card_text(card).splitlines()[0]


def test_the_seat_file_sets_them_and_the_test_card_shows_them():
    config = printer_config(
        {"kind": "dummy", "shop_name": "Corner Phones", "shop_phone": "020 7946 0000"}
    )
    paper = decode(printer_test_card(config))
    assert [line.strip() for line in paper.lines[:2]] == ["Corner Phones", "020 7946 0000"]
