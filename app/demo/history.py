"""The demo's months of trade: day by day, the scripted events, the weekly restock and
the day's random sales at both branches, all through the real services."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal

from app.demo import events
from app.demo.shop import DemoShop
from app.domain.errors import DomainError
from app.services.counter import selling

SCRIPT_DAYS = 180  # the scripted events are placed on a history this long, then scaled

# An event, or one under way: a generator that yielded how many days it waits.
Step = Callable[[DemoShop], Iterator[int] | None] | Iterator[int]

# Days of a 180-day history; a shorter or longer one is scaled to fit.
SCRIPT: list[tuple[int, Callable[[DemoShop], Iterator[int] | None]]] = [
    (0, events.opening_stock),
    (9, events.transfer_to_park),
    (24, events.return_changed_mind),
    (38, events.return_faulty_drill),
    (44, events.return_accessory_and_watch),
    (50, events.repair_phone_covered),
    (70, events.repair_drill_damaged),
    (82, events.repair_then_replace),
    (96, events.supplier_returns),
    (112, events.quarantine_damaged_box),
    (121, events.faulty_drill_back_from_supplier),
    (126, events.write_off_broken_glass),
    (134, events.stocktake_park_phones),
    (150, events.repair_watch_open),
    (150, events.drill_kits),
    (164, events.repair_phone_in_progress),
    (177, events.transfer_in_transit),
]


def run_history(shop: DemoShop) -> None:
    """Walk the days: scripted events first, weekly restock, then the day's sales."""
    pending: dict[int, list[tuple[str, Step]]] = {}
    for day, step in SCRIPT:
        at = min(shop.days - 1, round(day * shop.days / SCRIPT_DAYS))
        pending.setdefault(at, []).append((step.__name__, step))
    for number in range(shop.days):
        day = shop.first_day + timedelta(days=number)
        shop.clock.set(day, 8, 30)
        for name, step in pending.pop(number, []):
            _run_step(shop, number, name, step, pending)
        if number % 7 == 6:
            for branch in ("CITY", "PARK"):
                shop.restock(branch)
        shop.clock.set(day, 9, 30)
        # Nothing here depends on the date, so any start date gives the same shop.
        for branch, most in (("CITY", 2), ("PARK", 1)):
            for _ in range(shop.rng.randint(0, most)):
                random_sale(shop, branch)


def _run_step(
    shop: DemoShop, number: int, name: str, step: Step, pending: dict[int, list[tuple[str, Step]]]
) -> None:
    """Run a scripted event; one that yields N goes on N days later (a repair's days)."""
    try:
        if not inspect.isgenerator(step):
            step = step(shop)
            if not inspect.isgenerator(step):
                shop.clock.tick(shop.rng)
                return
        wait = next(step)
    except StopIteration:
        pass
    except DomainError as exc:  # a guard: the random sales may have left nothing to use
        shop.skipped.append(f"{name}: {exc.message}")
    else:
        pending.setdefault(number + max(1, wait), []).append((name, step))
    shop.clock.tick(shop.rng)


def random_sale(shop: DemoShop, branch: str) -> None:
    rng = shop.rng
    roll = rng.random()
    items: list[selling.SaleItem] = []

    def add_unit(sku: str) -> bool:
        serials = shop.units_in_stock(sku, branch)
        if not serials:
            return False
        price = None
        if rng.random() < 0.08:  # the odd price match against another shop
            price = (shop.prices[sku] * Decimal("0.95")).quantize(Decimal("1")) - Decimal("1")
        items.append(selling.SaleItem(serial=rng.choice(serials), price=price))
        return True

    def add_qty(sku: str, quantity: int = 1) -> None:
        if shop.on_shelf(sku, branch) >= quantity:
            items.append(selling.SaleItem(product=sku, quantity=quantity))

    big = False
    if roll < 0.38:
        big = add_unit(rng.choice(["PH-AUR15", "PH-AUR15", "PH-AUR15P", "PH-NIM8", "PH-NIM8"]))
        if rng.random() < 0.5:
            add_qty("AC-CASE")
        if rng.random() < 0.35:
            add_qty("AC-GLASS")
        if rng.random() < 0.25:
            add_qty("AC-CHG30")
    elif roll < 0.58:
        big = add_unit(rng.choice(["PT-DRL18", "PT-DRL18", "PT-IMP18", "PT-AGR125"]))
    elif roll < 0.75:
        add_qty(rng.choice(["WA-CLS", "WA-SPT", "WA-SPT"]))
        big = True
    else:
        for sku in rng.sample(["AC-CASE", "AC-USBC", "AC-CHG30", "AC-GLASS"], rng.randint(1, 2)):
            add_qty(sku, rng.choice([1, 1, 1, 2]))
    if not items:
        return
    customer = rng.choice(shop.customers) if rng.random() < (0.85 if big else 0.15) else None
    method = "card" if rng.random() < 0.62 else "cash"
    price_match = any(item.price is not None for item in items)
    selling.sell(
        shop.who(branch, "cashier"),
        items,
        customer_id=customer,
        payment_method=method,
        approver=shop.manager_approval(branch) if price_match else None,
    )
    shop.clock.tick(shop.rng)
