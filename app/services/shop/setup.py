"""Setting a shop up: branches, staff, suppliers, product types and products.

Only a manager may change the set-up, except on a brand-new database: there the
first branch and the first manager are created by whoever installs SerialDesk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.domain.errors import PermissionDenied
from app.domain.roles import Action
from app.services.access.context import load_context
from db.models import Employee

T = TypeVar("T")


def as_manager(login: str | None, change: Callable[[], T], *, what: str) -> T:
    """Make a set-up change on behalf of ``login`` (a manager), or bootstrap a new shop."""
    if not Employee.select().exists():
        return change()  # a brand-new shop: nobody to ask yet
    if not login:
        raise PermissionDenied(f"Say which manager adds the {what} (--employee LOGIN).")
    load_context(login).require(Action.SETTINGS)
    return change()
