"""Any stored text on paper: each character printed in a code page the printer was told to
use (``ESC t n`` before its bytes), or ``?`` where none of the profile's pages has it.

The decoder reads the bytes as the printer would: ``ESC t`` selects the page the upper
128 byte values are read in, and it fails on such a byte in a page it has no table for.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.text import visible
from devices.codepages import printable
from devices.layout import centred, fit_lines
from devices.render import (
    PaperOptions,
    Slip,
    SlipLine,
    _paper_lines,
    _paper_slip,
    render_card,
    render_slip,
    render_text,
    slip_text,
)
from tests.devices.escpos_decode import decode, printable_characters

PROFILES = ["default", "simple", "TM-T88V", "RP-F10-80mm", "POS-5890"]
# Letters of many scripts, CJK (which python-escpos would send as GB18030), symbols.
SAMPLES = list("ءابتשלום©®€¥£éèßæøåçñÖЖЯΩαβ一中文字ｱｲ가ếươ♥☺✓→\u2028\ufffd%?")
ANY = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(SAMPLES)),
    max_size=30,
)
BROAD = settings(max_examples=80, deadline=None)


def _meant(lines: list[str], profile: str) -> list[str]:
    """The lines as they should come out: a character no page has as ``?``."""
    have = printable_characters(profile)
    return [
        "".join(ch if ch in have else "?" for ch in line).rstrip()
        for line in lines  # (line breaks were split off before)
    ]


def _assert_prints(data: bytes, profile: str, lines: list[str]) -> None:
    got = decode(data, profile).lines
    assert got[: len(lines)] == _meant(lines, profile)
    assert not any(line.strip() for line in got[len(lines) :])


def _slip(customer: str, cashier: str, description: str, shop: str = "Shop") -> Slip:
    line = SlipLine(description, 1, Decimal("9.90"), Decimal("9.90"), serials=("A-1",))
    when = datetime(2026, 1, 1)
    return Slip(shop, "1 Main St", "S-1", when, (line,), Decimal("9.90"), cashier=cashier,
                customer=customer)  # fmt: skip


@given(profile=st.sampled_from(PROFILES), customer=ANY, cashier=ANY, description=ANY, shop=ANY)
@BROAD
def test_a_slip_prints_every_character_in_a_page_it_selected_or_as_a_question_mark(
    profile, customer, cashier, description, shop
):
    slip = _slip(customer, cashier, description, shop)
    data = render_slip(slip, PaperOptions(profile=profile, columns=42))
    _assert_prints(data, profile, slip_text(_paper_slip(slip), 42).splitlines())


@given(profile=st.sampled_from(PROFILES), text=ANY, name=ANY, phone=ANY)
@BROAD
def test_a_card_prints_every_character_in_a_page_it_selected_or_as_a_question_mark(
    profile, text, name, phone
):
    body = fit_lines(_paper_lines(text), 42, 42)
    assume(not any(line.strip().startswith("[") for line in body))  # no code marker
    options = PaperOptions(profile=profile, columns=42, shop_name=name, shop_phone=phone)
    header = []
    for value in (name, phone):
        if value.strip():
            header += centred(visible(value, paper=True), 42)
    _assert_prints(render_card(text, "", options), profile, header + body)


@given(profile=st.sampled_from(PROFILES), text=ANY)
@BROAD
def test_a_queued_text_prints_every_character_in_a_page_it_selected(profile, text):
    data = render_text(text, PaperOptions(profile=profile, columns=42))
    _assert_prints(data, profile, fit_lines(_paper_lines(text), 42))


def test_a_chinese_character_is_a_question_mark_not_gb18030_bytes_after_an_arabic_line():
    """python-escpos sends a line with an ideograph as GB18030, with no ``ESC t``: a
    printer left in the Arabic page by the line before printed nonsense."""
    data = render_slip(_slip(customer="ء", cashier="©一", description="©一"))
    assert b"\x81\x30\x84\x38" not in data
    lines = decode(data).lines
    assert "Cashier: ©?" in lines and "Customer: ء" in lines
    assert lines.count("©?") == 1  # the description


def test_a_card_line_with_an_ideograph_keeps_its_other_letters():
    data = render_text("Grüße 中文\nCafé", PaperOptions(profile="TM-T88V"))
    assert decode(data, "TM-T88V").lines[:2] == ["Grüße ??", "Café"]


def test_a_printer_with_one_page_prints_only_that_page():
    printer_text = decode(render_text("é ß € Ж", PaperOptions(profile="simple")), "simple")
    assert printer_text.lines[0] == "é ß ? ?"  # CP437 has é and ß, not € or Ж


def test_printable_replaces_only_what_no_page_has():
    from devices._escpos import Dummy

    printer = Dummy(profile="default")
    assert printable("Ж€ء一✓", printer) == "Ж€ء??"
    assert printable("plain ASCII", printer) == "plain ASCII"


def test_the_decoder_refuses_a_high_byte_in_a_page_it_cannot_read():
    with pytest.raises(AssertionError, match="no table"):
        decode(b"\x1bt\xff\x80\n")  # slot 255, "Unknown"
    # ESC t changes the upper half only: in CP864 (page 37) "%" is still "%"
    # (Python's cp864 codec reads 0x25 as U+066A).
    assert decode(b"\x1bt\x25100%\n").lines == ["100%"]
