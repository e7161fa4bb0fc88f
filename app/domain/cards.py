"""Warranty cards as text, from a shop-editable template in Jinja2's sandbox.

The owner edits templates, so a template may use the card's fields and
filters but can never reach Python internals or run code. The same text is
shown as the preview on screen and sent to the printer by the device layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


MAX_OUTPUT = 20_000  # characters: a card is a few hundred


class _CardSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus a cap on ``*`` and ``**`` so a template cannot eat the memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and (abs(right) > 64 if isinstance(right, int) else True):
            raise OverflowError("the template computes a number too large for a card")
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_OUTPUT:
                raise OverflowError("the template makes text too long for a card")
        return super().call_binop(context, operator, left, right)


def _environment() -> ImmutableSandboxedEnvironment:
    env = _CardSandbox(undefined=StrictUndefined, autoescape=False)
    env.filters["center"] = lambda text, width=CARD_WIDTH: str(text)[:width].center(width).rstrip()
    return env


_ENV = _environment()


def render_card(card: CardData, template: str = "") -> str:
    """The card as text. A broken or hostile template is refused with the reason."""
    source = template or (DEFAULT_SERIAL_TEMPLATE if card.serial else DEFAULT_NUMBER_TEMPLATE)
    fields = asdict(card)
    fields["serial_masked"] = mask_serial(card.serial, card.mask_policy)
    fields["width"] = CARD_WIDTH
    fields["claim_code"] = card.claim_code
    try:
        return _ENV.from_string(source).render(fields)
    except TemplateError as exc:
        raise Refused(f"The card template cannot be used: {exc}") from None
    except (TypeError, ValueError, OverflowError, MemoryError) as exc:
        raise Refused(f"The card template failed: {exc}") from None


def check_template(template: str, sample: CardData) -> str:
    """Render a template on sample data: the settings screen's live preview."""
    return render_card(sample, template)
