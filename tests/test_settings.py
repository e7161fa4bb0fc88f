"""Manager settings: PIN reset, roles, product type settings with a checked card template."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied, Refused
from app.services import settings
from app.services.staff import log_in
from db.models import Employee, ProductType
from tests.support import fast_shop, seeded_shop  # noqa: F401


def test_reset_pin_unlocks_and_lets_them_in(shop):
    Employee.update(failed_pins=5).where(Employee.login == "cal").execute()
    assert settings.reset_pin(shop.manager, "CAL", "4321") == "Cal Cashier"
    assert log_in("cal", "4321", clock=shop.clock).employee_name == "Cal Cashier"
    with pytest.raises(Refused, match="4 to 12 digits"):
        settings.reset_pin(shop.manager, "cal", "12")
    with pytest.raises(PermissionDenied):
        settings.reset_pin(shop.cashier, "cal", "9999")
    with pytest.raises(NotFound):
        settings.reset_pin(shop.manager, "ghost", "9999")


def test_roles(shop):
    settings.set_role(shop.manager, "cal", "inventory")
    assert Employee.get(Employee.login == "cal").role == "inventory"
    with pytest.raises(Refused, match="own manager role"):
        settings.set_role(shop.manager, "mia", "cashier")
    with pytest.raises(Refused, match="Unknown role"):
        settings.set_role(shop.manager, "cal", "boss")


def test_product_type_settings_and_template(shop):
    good = "{{ product }} {{ serial_masked }} until {{ warranty_end }}"
    settings.update_product_type(
        shop.manager,
        "Phones",
        warranty_months=12,
        print_mode="never",
        mask_policy="middle",
        card_template=good,
    )
    ptype = ProductType.get(ProductType.name == "Phones")
    assert (ptype.warranty_months, ptype.print_mode, ptype.card_template) == (12, "never", good)
    preview = settings.preview_card(good, "middle")
    assert preview.startswith("Phone X1 128GB ") and "356938030000013" not in preview
    with pytest.raises(Refused, match="template"):
        settings.update_product_type(shop.manager, "Phones", card_template="{{ nope }}")
    with pytest.raises(Refused, match="needs a period"):
        settings.update_product_type(shop.manager, "Phones", warranty_months=0)
    with pytest.raises(Refused, match="Unknown print mode"):
        settings.update_product_type(shop.manager, "Phones", print_mode="sometimes")
    with pytest.raises(PermissionDenied):
        settings.update_product_type(shop.inventory, "Phones", warranty_months=6)
    assert ProductType.get(ProductType.name == "Phones").card_template == good


def test_master_data_needs_a_manager(shop):
    settings.add_supplier(shop.manager, "WatchCo")
    settings.add_branch(shop.manager, "C", "Old Town")
    settings.add_employee(shop.manager, "zed", "Zed New", "cashier", "1234", "C")
    with pytest.raises(PermissionDenied):
        settings.add_supplier(shop.cashier, "Sneaky Ltd")
