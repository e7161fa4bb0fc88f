"""A product's effective settings: its own overrides, else its type's."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.serials import CheckKind, SerialRule
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from db.models import Product, ProductType


@dataclass(frozen=True)
class Settings:
    """A product's effective settings: its own overrides, else its type's."""

    mode: TrackingMode
    warranty_months: int
    rule: SerialRule
    print_mode: PrintMode
    mask: MaskPolicy
    template: str
    type_name: str


def settings_of(product: Product, ptype: ProductType | None = None) -> Settings:
    """What governs ``product``: tracking mode, warranty, serial rule, card."""
    t = ptype or product.type
    return Settings(
        mode=TrackingMode(product.tracking_mode or t.tracking_mode),
        warranty_months=(
            product.warranty_months if product.warranty_months is not None else t.warranty_months
        ),
        rule=SerialRule(
            pattern=(
                product.serial_pattern if product.serial_pattern is not None else t.serial_pattern
            ),
            check=CheckKind(product.check_kind or t.check_kind),
        ),
        print_mode=PrintMode(t.print_mode),
        mask=MaskPolicy(t.mask_policy),
        template=t.card_template,
        type_name=t.name,
    )
