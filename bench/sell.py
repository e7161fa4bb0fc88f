"""Sell 1,000 in-stock units one sale at a time on a built bench database.

    .venv/bin/python bench/sell.py [--sales 1000] [--path bench/bench.db]

Each sale is ``app.services.counter.selling.sell`` with one scanned serial, a customer
and a card payment: its own write transaction, committed (on SQLite with
``synchronous=FULL``, so one fsync per sale), as at a till. The units are drawn
at random from those in stock at the branch with the most stock; they stay sold.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time

import benchlib

from app.services.counter.selling import SaleItem, sell
from db.database import close_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", action="store_true", help="cProfile the sales")
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()

    database = benchlib.open_bench(benchlib.url_of(args))
    print(f"{args.sales:,} sales, one unit each, on {args.backend}: {benchlib.url_of(args)}")
    print(f"data: {benchlib.data_size(database)}")
    print(f"machine: {benchlib.machine()}")
    plan = benchlib.sales_plan(database, args.sales)
    ctx, serials, top_customer = plan.ctx, plan.serials, plan.top_customer
    rnd = random.Random(args.seed)
    print(f"{plan.in_stock:,} units in stock at branch {ctx.branch_code}; cashier {plan.cashier}")

    profiler = cProfile.Profile() if args.profile else None
    durations = []
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for serial in serials:
        customer = rnd.randint(1, top_customer)
        start = time.perf_counter()
        sell(ctx, [SaleItem(serial=serial)], customer_id=customer, payment_method="card")
        durations.append(time.perf_counter() - start)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - started

    print(f"{len(serials):,} sales in {total:.2f} s: {len(serials) / total:,.0f} sales/s")
    print(f"  per sale: {benchlib.summary_ms(durations)}")
    print(f"peak memory (ru_maxrss): {benchlib.peak_rss_mb():,.0f} MiB")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    close_database()


if __name__ == "__main__":
    main()
