"""Build a bench database: N units with about ten history events each, in bulk.

    .venv/bin/python bench/build_db.py --units 1000000 [--path bench/bench.db]
    .venv/bin/python bench/build_db.py --units 100000 --backend postgres

The schema comes from ``open_database`` (the app's own migrations); the ledger is
simulated by ``ledger.py`` and written with raw ``executemany`` (SQLite) or
``COPY`` (PostgreSQL), a batch of units per transaction. On PostgreSQL the
build drops and recreates a dedicated database (default ``serialdesk_bench``).

Writing the rows is in ``bulk_writers.py``; the figures and checks printed after the
build are in ``build_checks.py``.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import benchlib
import psycopg2
from build_checks import report, verify
from bulk_writers import CHAINED, PostgresWriter, SqliteWriter, chained
from ledger import Batch
from shop_data import (
    DAY,
    FIRST,
    LAST,
    PRICES,
    PRODUCT_TYPES,
    PRODUCTS_PER_TYPE,
    TABLE_ORDER,
    Clock,
    Ids,
    Master,
    ProductSpec,
    make_gtin,
    money,
)

from app.domain.pins import hash_pin
from app.services.ledger import totals
from db.database import close_database, open_database
from db.models import Branch, Employee, Product, ProductType, StockLevel, Supplier

BRANCHES = [
    ("A", "Main Street", 3),
    ("B", "Harbour", 2),
    ("C", "Old Town", 2),
    ("D", "Airport", 1),
    ("E", "Riverside", 1),
    ("F", "Mall", 1),
]
STAFF = (("manager", 1), ("cashier", 3), ("inventory", 2), ("technician", 2))
SUPPLIERS = 12
YEARS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000, help="units per transaction")
    parser.add_argument("--seed", type=int, default=20_260_115)
    parser.add_argument("--verify", type=int, default=2000, help="units whose history to replay")
    parser.add_argument("--fk-check", action="store_true", help="SQLite: PRAGMA foreign_key_check")
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()

    started = time.perf_counter()
    url = fresh_database(args)
    database = open_database(url)
    rnd = random.Random(args.seed)
    master = make_master(args.units, rnd)
    writer = SqliteWriter(database) if args.backend == "sqlite" else PostgresWriter(database)
    ids = Ids()
    clock = Clock()
    print(f"building {args.units:,} units on {args.backend}: {url}", flush=True)

    with database.atomic():
        writer.write("customer", customer_rows(master, clock, rnd))
    ids.next["customer"] = master.customers + 1

    plan = plan_units(master, args.units, rnd)
    chain = [0, None]  # the last (seq, hash) of the history chain
    simulate = write = 0.0
    done = events = 0
    while done < len(plan):
        stop = min(len(plan), done + args.batch)
        while stop < len(plan) and plan[stop][0] == plan[stop - 1][0]:
            stop += 1  # a delivery stays on one receipt
        t0 = time.perf_counter()
        batch = Batch(master, ids, clock, rnd)
        rows = batch.run(plan[done:stop])
        if CHAINED:
            rows["unit_event"] = chained(rows["unit_event"], chain, rows["unit"])
        t1 = time.perf_counter()
        with database.atomic():
            for table in TABLE_ORDER:
                if rows[table]:
                    writer.write(table, rows[table])
        t2 = time.perf_counter()
        simulate += t1 - t0
        write += t2 - t1
        done, events = stop, events + batch.events
        elapsed = time.perf_counter() - started
        print(
            f"  {done:>10,} units  {events:>12,} events  {elapsed:7.1f} s  "
            f"(simulate {simulate:.0f} s, write {write:.0f} s)",
            flush=True,
        )

    with database.atomic():
        add_stock_levels(master, rnd)
    t_figures = time.perf_counter()
    with database.atomic():
        day_totals = totals.rebuild()
        came_back = totals.rebuild_came_back()
        totals.rebuild_repair_counts()
    print(
        f"report figures: {day_totals:,} day totals, {came_back:,} units came back "
        f"({time.perf_counter() - t_figures:.1f} s)",
        flush=True,
    )
    t3 = time.perf_counter()
    writer.finish(ids)
    finish = time.perf_counter() - t3
    build_time = time.perf_counter() - started

    report(database, args, build_time, simulate, write, finish)
    if args.verify:
        verify(database, args.verify, rnd)
    if args.fk_check and args.backend == "sqlite":
        bad = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        print(f"foreign_key_check: {len(bad)} violation(s)")
    print(f"peak memory (ru_maxrss): {benchlib.peak_rss_mb():,.0f} MiB")
    close_database()


def fresh_database(args) -> str:
    """An empty database to build in: the SQLite file is replaced, the PG database recreated."""
    if args.backend == "sqlite":
        path = Path(args.path)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            p.unlink(missing_ok=True)
        return str(path)
    parts = urlparse(args.pg_url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum() or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate database '{name}'")
    admin = psycopg2.connect(urlunparse(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    print(f"PostgreSQL: (re)created the dedicated database '{name}'")
    return args.pg_url


def make_master(units: int, rnd: random.Random) -> Master:
    """Branches, staff, suppliers, product types and products, through the models."""
    pin = hash_pin("1234")
    branches, names, staff = [], {}, {}
    for code, name, _weight in BRANCHES:
        branch = Branch.create(code=code, name=name, address=f"{rnd.randint(1, 99)} {name}")
        branches.append(branch.id)
        names[branch.id] = name
        for role, count in STAFF:
            for i in range(1, count + 1):
                employee = Employee.create(
                    login=f"{code.lower()}-{role}{i}",
                    name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                    role=role,
                    pin_hash=pin,
                    branch=branch.id,
                )
                staff.setdefault((branch.id, role), []).append(employee.id)
    suppliers = [Supplier.create(name=f"Supplier {i:02d}").id for i in range(1, SUPPLIERS + 1)]
    serialized, weights, accessories, watches = [], [], [], []
    n = 0
    for name, mode, months, check, pattern, print_mode, share in PRODUCT_TYPES:
        ptype = ProductType.create(
            name=name,
            tracking_mode=mode,
            warranty_months=months,
            check_kind=check,
            serial_pattern=pattern,
            print_mode=print_mode,
        )
        count = PRODUCTS_PER_TYPE[name]
        low, high = PRICES[name]
        for i in range(1, count + 1):
            n += 1
            price = rnd.randint(low, high) - 0.01
            sku = f"{name[:3].upper()}-{i:03d}"
            product = Product.create(
                sku=sku,
                name=f"{name[:-1] if name.endswith('s') else name} model {i}",
                gtin=make_gtin(n),
                type=ptype.id,
                price=money(price),
            )
            spec = ProductSpec(
                product.id,
                i,
                name,
                sku,
                product.name,
                product.gtin,
                money(price),
                money(price * 0.7),
                months,
                suppliers[(n * 7) % len(suppliers)],
            )
            if share:
                serialized.append(spec)
                weights.append(share / count)
            elif mode == "none":
                accessories.append(spec)
            else:
                watches.append(spec)
    end = int(time.time()) // 3600 * 3600
    return Master(
        branches=branches,
        branch_names=names,
        staff=staff,
        suppliers=suppliers,
        serialized=serialized,
        weights=weights,
        accessories=accessories,
        watches=watches,
        customers=max(500, units * 3 // 10),
        start=end - YEARS * 365 * DAY,
        end=end,
    )


def customer_rows(master: Master, clock: Clock, rnd: random.Random) -> list[tuple]:
    rows = []
    for cid in range(1, master.customers + 1):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        t = rnd.randrange(master.start, master.end)
        rows.append(
            (
                cid,
                f"{first} {last}",
                f"+4915{cid:09d}",
                f"{first.lower()}.{last.lower()}{cid}@example.com",
                clock.stamp(t),
            )
        )
    return rows


def plan_units(master: Master, units: int, rnd: random.Random) -> list[tuple]:
    """Deliveries over the timeline, flattened to (time, product, branch, events) per unit."""
    branch_weights = [w for _c, _n, w in BRANCHES]
    by_supplier: dict[int, list[ProductSpec]] = {}
    for spec in master.serialized:
        by_supplier.setdefault(spec.supplier, []).append(spec)
    plan = []
    last = master.end - 30 * DAY
    while len(plan) < units:
        size = min(units - len(plan), int(rnd.lognormvariate(3.3, 0.8)) + 1)
        day = rnd.randrange(master.start, last) // DAY * DAY
        t = day + 8 * 3600 + rnd.randrange(9 * 3600)
        branch = rnd.choices(master.branches, branch_weights)[0]
        lead = rnd.choices(master.serialized, master.weights)[0]
        products = [lead] + rnd.sample(by_supplier[lead.supplier], 1)
        for _ in range(size):
            plan.append((t, rnd.choice(products), branch, rnd.randint(7, 25)))
    plan.sort(key=lambda row: row[0])
    return plan


def add_stock_levels(master: Master, rnd: random.Random) -> None:
    """Quantity stock of the goods sold without serials (watches, accessories)."""
    StockLevel.insert_many(
        [
            {"product": spec.id, "branch": branch, "quantity": rnd.randint(0, 200)}
            for spec in master.accessories + master.watches
            for branch in master.branches
        ]
    ).execute()


if __name__ == "__main__":
    main()
