"""Warranty cards as text, from a shop-editable template in Jinja2's sandbox.

The owner edits templates, so a template may use the card's fields and
filters but can never reach Python internals or run code. The same text is
shown as the preview on screen and sent to the printer by the device layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from app.domain.errors import Refused
from app.domain.serials import mask_serial

CARD_WIDTH = 42  # characters on an 80 mm receipt printer in font A

DEFAULT_SERIAL_TEMPLATE = """\
{{ shop_name | center }}
{{ shop_address | center }}
{{ "WARRANTY CARD" | center }}
{{ "-" * width }}
Product : {{ product }}
{% if imei %}IMEI    : {{ serial_masked }}
{% else %}Serial  : {{ serial_masked }}
{% endif %}Sold    : {{ sale_date }}  ({{ sale_number }})
Warranty: {{ warranty_months }} months, until {{ warranty_end }}
Customer: {{ customer or "-" }}
{{ "-" * width }}
{{ terms | wordwrap(width) }}
[barcode {{ claim_code }}]
"""

DEFAULT_NUMBER_TEMPLATE = """\
{{ shop_name | center }}
{{ shop_address | center }}
{{ "WARRANTY CARD" | center }}
{{ "-" * width }}
Product : {{ product }}
Warranty number: {{ warranty_number }}
Sold    : {{ sale_date }}  ({{ sale_number }})
Warranty: {{ warranty_months }} months, until {{ warranty_end }}
Customer: {{ customer or "-" }}
{{ "-" * width }}
{{ terms | wordwrap(width) }}
[barcode {{ claim_code }}]
"""

DEFAULT_TERMS = (
    "Keep this card. The warranty covers faults in materials and workmanship, "
    "not damage, misuse or wear. Bring the unit and this card to any of our branches."
)


@dataclass(frozen=True)
class CardData:
    """Everything a warranty card may show."""

    shop_name: str
    shop_address: str
    product: str
    sku: str
    serial: str
    warranty_number: str
    imei: bool
    sale_number: str
    sale_date: date
    warranty_months: int
    warranty_end: date | None
    customer: str
    terms: str = DEFAULT_TERMS
    mask_policy: str = "none"

    @property
    def hides_serial(self) -> bool:
        """The product type's mask policy hides part of the serial on paper."""
        return bool(self.serial) and mask_serial(self.serial, self.mask_policy) != self.serial

    @property
    def claim_code(self) -> str:
        """What the card's barcode (and the line printed under it) carries, so a later claim
        is one scan: the serial, or the warranty number. Where the serial is masked, the
        sale's number: a barcode must not give away the serial the text hides."""
        if self.hides_serial:
            return self.sale_number
        return self.serial or self.warranty_number


def __getattr__(name: str):
    # The limits live with the sandbox, which loads Jinja2: only when they are asked for.
    if name in ("MAX_OUTPUT", "MAX_SECONDS", "MAX_RANGE"):
        from app.domain import card_sandbox

        return getattr(card_sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_card(card: CardData, template: str = "") -> str:
    """The card as text. A broken or hostile template, or one over a card's limits of
    time or size (``app.domain.card_sandbox``), is refused with the reason."""
    from app.domain.card_sandbox import render  # Jinja2 loads at the first card, not at start

    source = template or (DEFAULT_SERIAL_TEMPLATE if card.serial else DEFAULT_NUMBER_TEMPLATE)
    fields = asdict(card)
    fields["serial_masked"] = mask_serial(card.serial, card.mask_policy)
    fields["width"] = CARD_WIDTH
    fields["claim_code"] = card.claim_code
    return render(source, fields, CARD_WIDTH)


def printable_card(card: CardData, template: str = "") -> str:
    """The card to print: with the shop's template, or, when that template is refused
    (broken, or over a card's limits: saved by an older version), the plain default card,
    so a sale always gets its card and the seat never hangs printing it."""
    try:
        return render_card(card, template)
    except Refused:
        return render_card(card)


def check_template(template: str, sample: CardData) -> str:
    """Render a template on sample data: the settings screen's live preview, and the check
    a template passes before it is saved."""
    return render_card(sample, template)
