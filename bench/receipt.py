"""One goods receipt of 10,000 strict-mode IMEIs into a built bench database.

    .venv/bin/python bench/receipt.py [--serials 10000] [--repeat 3] [--path bench/bench.db]

Each receipt goes end to end through ``app.services.stock.receiving.receive``: every
serial read as a scan, checked against the product's rule (IMEI: 15 digits and
check digit), checked for duplicates on the receipt and for an active unit with
the same serial in the ledger, then units, history rows and lines inserted and
committed. The serials are fresh (a type allocation code the builder never
uses, and a random run number), so each run adds its units to the database, except
``--back`` percent (default 10): units of the product that went back to the supplier
or were written off, received again (each flagged, its history continued).
Target: <= 1 s for 10,000 serials at 1M units, on both backends.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import time

import benchlib
import cpu_time
import peewee as pw
from stdnum import luhn

from app.domain.states import INACTIVE_STATES
from app.services.access.context import load_context
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database
from db.models import Employee, Product, ProductType, Supplier, Unit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serials", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="receipts, each of fresh serials")
    parser.add_argument("--profile", action="store_true", help="cProfile the last receipt")
    parser.add_argument(
        "--back", type=float, default=10,
        help="percent of each receipt: units of the product coming back (returned to the "
        "supplier or written off earlier), received again",
    )  # fmt: skip
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()

    database = benchlib.open_bench(benchlib.url_of(args))
    print(f"receipt of {args.serials:,} strict IMEIs on {args.backend}: {benchlib.url_of(args)}")
    print(f"data before: {benchlib.data_size(database)}")
    print(f"machine: {benchlib.machine()}")
    inactive = [s.value for s in INACTIVE_STATES]
    gone_count = pw.fn.COUNT(Unit.id)
    product = (  # the strict IMEI product with the most units gone for good: some come back
        Product.select(Product, gone_count.alias("gone"))
        .join(ProductType)
        .switch(Product)
        .join(Unit, pw.JOIN.LEFT_OUTER, on=(Unit.product == Product.id) & Unit.state.in_(inactive))
        .where(
            ProductType.tracking_mode == "strict",
            ProductType.check_kind == "imei",
            Product.tracking_mode.is_null(),
            Product.check_kind.is_null(),
        )
        .group_by(Product.id)
        .order_by(gone_count.desc(), Product.id)
        .first()
    )
    clerk = Employee.select().where(Employee.role == "inventory").order_by(Employee.id).first()
    ctx = load_context(clerk.login)
    supplier = Supplier.select().order_by(Supplier.id).first().name
    print(f"product {product.sku} (strict, IMEI check), {clerk.login} at {ctx.branch_code}")

    rnd = random.SystemRandom()
    gone = [
        s
        for (s,) in Unit.select(Unit.serial)
        .where(Unit.product == product.id, Unit.state.in_(inactive))
        .tuples()
    ]
    rnd.shuffle(gone)
    per_run = int(args.serials * args.back / 100)
    print(f"{len(gone):,} units of it out of stock for good; {per_run:,} of each receipt come back")
    durations = []
    for run in range(1, args.repeat + 1):
        back, gone = gone[:per_run], gone[per_run:]
        serials = fresh_imeis(args.serials - len(back), rnd.randrange(10_000)) + back
        rnd.shuffle(serials)
        profiler = cProfile.Profile() if args.profile and run == args.repeat else None
        if profiler:
            profiler.enable()
        cpu = cpu_time.now(database)
        start = time.perf_counter()
        result = receive(ctx, supplier, [ReceiptLine(product.sku, serials, cost="350.00")])
        elapsed = time.perf_counter() - start
        spent = cpu_time.now(database) - cpu
        if profiler:
            profiler.disable()
        durations.append(elapsed)
        print(
            f"  receipt {run}: {result.number}, {result.units:,} units ({len(back):,} back) in "
            f"{elapsed:.3f} s ({result.units / elapsed:,.0f} serials/s); {spent.text()}"
        )
    print(
        f"{args.repeat} receipt(s) of {args.serials:,} serials: median "
        f"{statistics.median(durations):.3f} s, best {min(durations):.3f} s, "
        f"worst {max(durations):.3f} s"
    )
    print(f"data after: {benchlib.data_size(database)}")
    print(f"peak memory (ru_maxrss): {benchlib.peak_rss_mb():,.0f} MiB")
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    close_database()


def fresh_imeis(count: int, run: int) -> list[str]:
    """Valid 15-digit IMEIs under type allocation code 99RRRR.., never used by the builder."""
    serials = []
    for n in range(count):
        body = f"99{run:04d}{n // 1_000_000:02d}{n % 1_000_000:06d}"
        serials.append(body + luhn.calc_check_digit(body))
    return serials


if __name__ == "__main__":
    main()
