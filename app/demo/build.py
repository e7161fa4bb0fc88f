"""Build the demo shop in an empty database, and say what it holds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.demo.history import run_history
from app.demo.shop import DemoShop
from app.domain.errors import Refused
from app.services.transaction import write_transaction
from db.models import AssembledKit, Branch, Document, Employee, Product, Unit

DEMO_DAYS = 180  # the default length of the history
DEMO_SEED = 2026


@dataclass
class DemoSummary:
    first_day: date
    last_day: date
    branches: int
    employees: int
    products: int
    customers: int
    units: int
    units_sold: int
    sales: int
    returns: int
    transfers: int
    repairs: int
    replacements: int
    supplier_returns: int
    adjustments: int
    stocktakes: int
    kits: int
    skipped: list[str]


def database_is_empty() -> bool:
    """No branch, employee, product or document yet: demo data may go in."""
    return not any(model.select().exists() for model in (Branch, Employee, Product, Document))


def load_demo(
    clock_start: datetime, *, days: int | None = None, seed: int = DEMO_SEED
) -> DemoSummary:
    """Build the demo shop in an empty database: ``days`` days of history from ``clock_start``.

    The history starts on ``clock_start``'s date, in shop hours (UTC); ``days``
    (at least 60, default ``DEMO_DAYS``) sets its length. The same ``days`` and
    ``seed`` give the same units, documents and history from any start date.

    All or nothing: it runs in one transaction. Refused if the database has data.
    """
    if clock_start.tzinfo is None:
        clock_start = clock_start.replace(tzinfo=UTC)
    with write_transaction():
        if not database_is_empty():
            raise Refused(
                "This database already has data; demo data goes only into an empty database. "
                "Give another --db (a new file) for the demo."
            )
        shop = DemoShop(clock_start, days or DEMO_DAYS, random.Random(seed))
        shop.setup()
        run_history(shop)
        return _summary(shop)


def _summary(shop: DemoShop) -> DemoSummary:
    def count(kind: str) -> int:
        return Document.select().where(Document.kind == kind).count()

    return DemoSummary(
        first_day=shop.first_day,
        last_day=shop.first_day + timedelta(days=shop.days - 1),
        branches=Branch.select().count(),
        employees=Employee.select().count(),
        products=Product.select().count(),
        customers=len(shop.customers),
        units=Unit.select().count(),
        units_sold=Unit.select().where(Unit.state == "sold").count(),
        sales=count("sale"),
        returns=count("return"),
        transfers=count("transfer"),
        repairs=count("repair"),
        replacements=count("replacement"),
        supplier_returns=count("supplier_return"),
        adjustments=count("adjustment"),
        stocktakes=count("stocktake"),
        kits=AssembledKit.select().count(),
        skipped=shop.skipped,
    )
