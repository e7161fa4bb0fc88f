"""A card template is kept to a card's time and size: a slow or huge one is refused with
the reason, and at print time one saved before the limits falls back to the plain card."""

from __future__ import annotations

import time
from datetime import date

import pytest

from app.domain import cards
from app.domain.errors import Refused

CARD = cards.CardData(
    shop_name="Shop",
    shop_address="1 Main St",
    product="Phone X1",
    sku="PH-X1",
    serial="356938030000013",
    warranty_number="",
    imei=True,
    sale_number="S-42",
    sale_date=date(2026, 1, 15),
    warranty_months=24,
    warranty_end=date(2028, 1, 15),
    customer="Ann",
)

SLOW = [
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
]
HUGE = [
    "{{ 'x'|center(10**8) }}",
    "{{ 'x'.center(10**8) }}",
    "{{ 'x'|indent(10**8) }}",
    "{{ '%*s' % (10**8, 'x') }}",
    "{{ '{:>100000000}'.format(1) }}",
    "{{ '%0100000000d'|format(1) }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "{{ (['x' * 8000] * 8000)|join }}",
    "{{ ''.join(['x' * 8000] * 8000) }}",
    "{{ ('x' * 8000).replace('x', 'yyyy') }}",
    "{% for i in range(900) %}0123456789{% endfor %}",
]


@pytest.mark.parametrize("template", SLOW)
def test_a_slow_template_is_stopped_within_the_time_limit(template):
    started = time.monotonic()
    with pytest.raises(Refused, match="over a card's limits"):
        cards.render_card(CARD, template)
    assert time.monotonic() - started < cards.MAX_SECONDS + 0.3


@pytest.mark.parametrize("template", HUGE)
def test_a_template_making_text_longer_than_a_card_is_refused(template):
    with pytest.raises(Refused, match="over a card's limits"):
        cards.render_card(CARD, template)


def test_an_ordinary_template_still_prints_with_its_formats_and_loops():
    text = cards.render_card(
        CARD,
        "{{ shop_name|center }}\n{{ '%05d'|format(42) }} {{ '{:>6}'.format('a') }}"
        "{% for i in range(3) %}-{{ i }}{% endfor %} {{ terms|wordwrap(width) }}",
    )
    assert "00042      a-0-1-2" in text and "Shop" in text


@pytest.mark.parametrize("template", [SLOW[0], HUGE[0], "{{ nope }}"])
def test_at_print_time_a_template_over_the_limits_gives_the_plain_card(template):
    started = time.monotonic()
    text = cards.printable_card(CARD, template)
    assert time.monotonic() - started < cards.MAX_SECONDS + 0.3
    assert text == cards.render_card(CARD)
    assert "WARRANTY CARD" in text and "356938030000013" in text


def test_a_good_template_prints_as_written():
    assert cards.printable_card(CARD, "Card {{ sku }}\n") == "Card PH-X1"


@pytest.mark.parametrize("body", ["{{ 1/0 }}", "{{ 7 // 0 }}", "{{ 2.0 / 0 }}"])
def test_a_template_that_fails_as_it_prints_is_refused_not_a_crash(body):
    with pytest.raises(Refused):
        cards.render_card(CARD, body)
