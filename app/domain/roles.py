"""Who may do what: roles, actions and the permission table."""

from enum import StrEnum

from app.domain.errors import PermissionDenied


class Role(StrEnum):
    CASHIER = "cashier"
    INVENTORY = "inventory"
    TECHNICIAN = "technician"
    MANAGER = "manager"


class Action(StrEnum):
    RECEIVE = "receive"
    SELL = "sell"
    DISCOUNT = "discount"
    CUSTOMER_RETURN = "customer_return"
    TRANSFER = "transfer"
    SUPPLIER_RETURN = "supplier_return"
    REPAIR = "repair"
    REPLACE = "replace"
    STOCKTAKE = "stocktake"
    QUARANTINE = "quarantine"
    WRITE_OFF = "write_off"
    CORRECTION = "correction"
    SETTINGS = "settings"


R = Role
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.RECEIVE: frozenset({R.INVENTORY, R.MANAGER}),
    Action.SELL: frozenset({R.CASHIER, R.MANAGER}),
    # Selling below the list price: a manager, or a cashier with a manager's approval.
    Action.DISCOUNT: frozenset({R.MANAGER}),
    Action.CUSTOMER_RETURN: frozenset({R.CASHIER, R.MANAGER}),
    Action.TRANSFER: frozenset({R.INVENTORY, R.MANAGER}),
    Action.SUPPLIER_RETURN: frozenset({R.INVENTORY, R.MANAGER}),
    Action.REPAIR: frozenset({R.TECHNICIAN, R.CASHIER, R.MANAGER}),
    Action.REPLACE: frozenset({R.TECHNICIAN, R.MANAGER}),
    Action.STOCKTAKE: frozenset({R.INVENTORY, R.MANAGER}),
    Action.QUARANTINE: frozenset({R.INVENTORY, R.TECHNICIAN, R.MANAGER}),
    Action.WRITE_OFF: frozenset({R.MANAGER}),
    Action.CORRECTION: frozenset({R.MANAGER}),
    Action.SETTINGS: frozenset({R.MANAGER}),
}


def allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def require(role: Role, action: Action, *, who: str, approver_role: Role | None = None) -> None:
    """Refuse unless the employee's role, or an approving manager's, permits ``action``."""
    if allowed(role, action):
        return
    if approver_role is not None and allowed(approver_role, action):
        return
    raise PermissionDenied(
        f"{who} ({role}) may not {_PHRASES.get(action, action.value.replace('_', ' '))}. "
        "Ask a manager to approve it."
    )


# How a refusal names an action, where its bare name does not read as a verb.
_PHRASES = {
    Action.SETTINGS: "change the settings",
    Action.DISCOUNT: "sell below the list price",
    Action.REPAIR: "handle repairs",
    Action.STOCKTAKE: "count stock",
    Action.SUPPLIER_RETURN: "return goods to a supplier",
    Action.CUSTOMER_RETURN: "take customer returns",
    Action.CORRECTION: "make corrections",
}
