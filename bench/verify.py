"""``serialdesk verify`` at scale: the full check, the first anchor, then a shop's day.

    .venv/bin/python bench/verify.py --path bench/bench.db [--sales 1000] [--backend postgres]

On a database built by ``build_db.py``:

1. the full ``verify`` (chain, facts, triggers, documents, units, day totals and, on
   SQLite, its own integrity check): seconds and the process's peak memory;
2. the anchor a clean ``verify`` then writes (the first one digests every sale, return
   and replacement of the ledger);
3. a day's counter work (``--sales`` sales of one unit each, each its own transaction)
   and the day-end anchor, which takes that day's documents;
4. the next day's work, then the daily ``verify --since-anchor``: the rows and documents
   written since the day-end anchor, and that anchor's documents checked again;
5. the anchor after it.

The history key is the bench's own (``XDG_CONFIG_HOME`` beside the file, as the builder
used). The sales stay in the file: rebuild for pristine figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=1000, help="the day's sales")
    parser.add_argument("--skip-full", action="store_true")
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()
    if args.backend == "sqlite":
        os.environ.setdefault("XDG_CONFIG_HOME", str(Path(args.path).resolve().parent / "config"))
    from app.services.safety import integrity

    started = time.perf_counter()
    database = benchlib.open_bench(benchlib.url_of(args))
    print(f"open (and upgrade if needed): {time.perf_counter() - started:8.1f} s")
    print(f"data: {benchlib.data_size(database)}")
    print(f"machine: {benchlib.machine()}")
    if not args.skip_full:
        started = time.perf_counter()
        report = integrity.check(full=True)
        print(
            f"full verify: {report.chain.rows:,} history rows in "
            f"{time.perf_counter() - started:8.1f} s, ok={report.ok}, "
            f"peak RSS {benchlib.peak_rss_mb():,.0f} MiB"
        )
        _problems(report)
    _timed_anchor(integrity, "first anchor (every sale, return and replacement before it)")
    for day in ("a day's work", "the next day's work"):
        started = time.perf_counter()
        sold = _a_days_sales(database, args.sales)
        print(f"{day}: {sold:,} sales in {time.perf_counter() - started:8.1f} s")
        if day == "a day's work":
            _timed_anchor(integrity, "day-end anchor")
    started = time.perf_counter()
    report = integrity.check(full=False)
    print(
        f"daily verify --since-anchor: {report.chain.rows:,} history rows in "
        f"{time.perf_counter() - started:8.2f} s, ok={report.ok}, "
        f"peak RSS {benchlib.peak_rss_mb():,.0f} MiB"
    )
    _problems(report)
    _timed_anchor(integrity, "the day's anchor")


def _timed_anchor(integrity, what: str) -> None:
    started = time.perf_counter()
    entry = integrity.anchor("bench")
    print(
        f"{what}: documents {entry['docs_from']:,} to {entry['docs_to']:,} in "
        f"{time.perf_counter() - started:8.2f} s"
    )


def _problems(report) -> None:
    for message in report.messages()[:5]:
        print("   ", message)


def _a_days_sales(database, count: int) -> int:
    """``count`` sales of one in-stock unit each, by a cashier of the branch with most stock."""
    from app.services.counter.selling import SaleItem, sell

    plan = benchlib.sales_plan(database, count)
    rnd = random.Random(7)
    for serial in plan.serials:
        customer = rnd.randint(1, plan.top_customer)
        sell(plan.ctx, [SaleItem(serial=serial)], customer_id=customer, payment_method="card")
    return len(plan.serials)


if __name__ == "__main__":
    main()
