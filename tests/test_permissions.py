"""Every service checks the role × action table itself: each role tries each operation."""

from __future__ import annotations

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.roles import Action, Role, allowed
from app.services.counter import repairs
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.safety import backup
from app.services.shop import catalog
from app.services.stock import adjustments, stocktake, supplier_returns
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.transfers import TransferItem, transfer_out
from tests.support import (
    fast_shop,  # noqa: F401
    imeis,
    receive_phones,
    seeded_shop,  # noqa: F401
)

S = imeis(900, 4)
OPERATIONS = {
    Action.RECEIVE: lambda c: receive(c, "PhoneCo", [ReceiptLine("PH-X1", imeis(950, 1))]),
    Action.SELL: lambda c: sell(c, [SaleItem(serial=S[0])]),
    Action.CUSTOMER_RETURN: lambda c: customer_return(c, [ReturnItem(serial=S[1])]),
    Action.TRANSFER: lambda c: transfer_out(c, "B", [TransferItem(serial=S[2])]),
    Action.SUPPLIER_RETURN: lambda c: supplier_returns.supplier_return(
        c, "PhoneCo", [supplier_returns.SupplierReturnItem(serial=S[3])], reason="faulty"
    ),
    Action.REPAIR: lambda c: repairs.intake(c, S[1], complaint="no sound"),
    Action.STOCKTAKE: lambda c: stocktake.open_stocktake(c),
    Action.WRITE_OFF: lambda c: adjustments.adjust(c, "write_off", serials=[S[3]], reason="lost"),
    Action.SETTINGS: lambda c: catalog.set_product_mode(c, "AC-CASE", None),
}


def _ctx(shop, role: Role):
    return {
        Role.CASHIER: shop.cashier,
        Role.INVENTORY: shop.inventory,
        Role.TECHNICIAN: shop.technician,
        Role.MANAGER: shop.manager,
    }[role]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_exactly_what_the_table_says(shop, role):
    receive_phones(shop.manager, S)
    sell(shop.manager, [SaleItem(serial=S[1])])  # a sold unit to return or repair
    outcomes = {}
    for action, operation in OPERATIONS.items():
        try:
            operation(_ctx(shop, role))
            outcomes[action] = "done"
        except PermissionDenied as exc:
            assert role.value in exc.message and "manager" in exc.message
            outcomes[action] = "denied"
        except DomainError:
            outcomes[action] = "past the permission check"
    expected = {a: "denied" for a in OPERATIONS if not allowed(role, a)}
    assert {a: o for a, o in outcomes.items() if o == "denied"} == expected


def test_restore_is_a_managers_job(sqlite_shop, tmp_path):
    copy = backup.backup(tmp_path / "copy.db").path
    for ctx in (sqlite_shop.cashier, sqlite_shop.inventory, sqlite_shop.technician):
        with pytest.raises(PermissionDenied):
            backup.restore(ctx, copy)
