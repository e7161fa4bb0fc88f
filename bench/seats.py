"""Many seats, one database: N seat processes receive, sell, return, transfer and look up
passports for a bounded time, racing for the same units; then the ledger is checked.

    .venv/bin/python bench/seats.py                      # 8 seats, 20 s, a fresh SQLite file
    .venv/bin/python bench/seats.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/seats.py --ledger bench/bench.db       # a build_db.py ledger

``--ledger``: the seats work on a ledger built by ``build_db.py`` (the 1M-unit file, or
its PostgreSQL database) as it is: two managers of the two branches with most phones in
stock, 2,000 of those phones each to sell, return and transfer, fresh IMEIs to receive.
The check afterwards is the daily ``verify --since-anchor`` (an anchor is written before
the seats start) and double sales among the units the seats touched.

On PostgreSQL a fresh schema is made in that database (dropped afterwards unless
--keep). Required: 0 double sales, 0 lost operations, 0 "database is locked" or
Busy errors reaching a seat, 0 unexpected errors. Exit 1 if any is not met.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STOCK = 1200  # units received before the seats start, half at each branch
POOL = 4000  # IMEIs the seats' own receipts draw from: they collide on purpose
OPS = ("receive", "sell", "return", "transfer", "passport")
WEIGHTS = (1, 5, 2, 1, 3)


def imei(n: int) -> str:
    from stdnum import luhn

    body = f"35693803{n:06d}"
    return body + luhn.calc_check_digit(body)


def setup(url: str) -> None:
    from app.domain import pins
    from app.services.access.context import load_context
    from app.services.shop import catalog
    from app.services.stock.receiving import ReceiptLine, receive
    from db.database import close_database, open_database

    pins._N = 2**4  # cheap PIN hashes: logins are not what is measured
    open_database(url)
    catalog.add_branch("A", "Main Street")
    catalog.add_branch("B", "Harbour")
    catalog.add_employee("mia", "Mia Manager", "manager", "123456", "A")
    catalog.add_employee("max", "Max Manager", "manager", "123456", "B")
    catalog.add_supplier("PhoneCo")
    catalog.add_product_type("Phones", "strict", warranty_months=24, check_kind="imei")
    catalog.add_product("PH-X1", "Phone X1", "Phones", "499.00")
    half = STOCK // 2
    for login, first in (("mia", 0), ("max", half)):
        serials = [imei(n) for n in range(first, first + half)]
        receive(load_context(login), "PhoneCo", [ReceiptLine("PH-X1", serials, cost="300")])
    close_database()


FRESH = {"logins": ("mia", "max"), "sku": "PH-X1", "supplier": "PhoneCo", "known": None}


def ledger_plan(url: str, per_branch: int = 2000) -> dict:
    """Who works and on what, on a ledger built by build_db.py (nothing is written)."""
    from db.database import close_database, open_database
    from db.models import Employee, Product, ProductType, Supplier, Unit

    open_database(url)
    phones = (
        Product.select(Product.id, Product.sku)
        .join(ProductType)
        .where(ProductType.name == "Phones")
        .order_by(Product.id)
        .first()
    )
    branches = [
        b
        for (b,) in Unit.select(Unit.branch)
        .where(Unit.state == "in_stock", Unit.product == phones.id)
        .group_by(Unit.branch)
        .order_by(pw_count().desc())
        .limit(2)
        .tuples()
    ]
    logins, stock = [], []  # each branch's manager, and that branch's phones in stock
    for branch in branches:
        logins.append(Employee.get(Employee.role == "manager", Employee.branch == branch).login)
        in_stock = Unit.select(Unit.serial).where(
            Unit.state == "in_stock", Unit.branch == branch, Unit.product == phones.id
        )
        stock.append([s for (s,) in in_stock.order_by(Unit.id.desc()).limit(per_branch).tuples()])
    supplier = Supplier.select(Supplier.name).order_by(Supplier.id).scalar()
    close_database()
    known = [s for serials in stock for s in serials]
    plan = {"logins": tuple(logins), "sku": phones.sku, "supplier": supplier, "known": known}
    return {**plan, "stock": stock}


def pw_count():
    import peewee

    return peewee.fn.COUNT(peewee.SQL("*"))


def seat(
    url: str,
    index: int,
    seconds: float,
    start,
    results,
    queue: bool = True,
    rate: float = 0,
    plan: dict = FRESH,
) -> None:
    """One seat: random operations on shared units until the time is up; back to back, or
    at ``rate`` a second on average (random arrivals, timed from when each was due, so a
    seat that falls behind counts its wait)."""
    from db import write_queue

    write_queue.ENABLED = queue
    from app.domain.errors import Busy, DomainError
    from app.services.access.context import load_context
    from app.services.counter.passport import passport
    from app.services.counter.returns import ReturnItem, customer_return
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.receiving import ReceiptLine, receive
    from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
    from db import database
    from db.database import open_database

    open_database(url)
    first, second = plan["logins"]
    here, there = (first, second) if index % 2 == 0 else (second, first)
    ctx, other = load_context(here), load_context(there)
    sku, supplier = plan["sku"], plan["supplier"]
    rng = random.Random(index)
    known = list(plan["known"] or [imei(n) for n in range(STOCK)])
    done: list[tuple] = []  # (op, document, serial): what this seat told its user was done
    tally: Counter = Counter()
    errors: list[str] = []
    took: dict[str, list[float]] = {op: [] for op in OPS}  # seconds, each finished op
    start.wait(timeout=60)
    end = time.monotonic() + seconds
    due = time.perf_counter()
    while time.monotonic() < end:
        if rate:
            due += rng.expovariate(rate)
            time.sleep(max(0.0, due - time.perf_counter()))
        op = rng.choices(OPS, WEIGHTS)[0]
        serial = rng.choice(known)
        began = due if rate else time.perf_counter()
        try:
            if op == "receive":
                fresh = [imei(STOCK + rng.randrange(POOL)) for _ in range(5)]
                r = receive(ctx, supplier, [ReceiptLine(sku, sorted(set(fresh)), cost="1")])
                done += [("receive", r.number, s) for s in sorted(set(fresh))]
                known += fresh
            elif op == "sell":
                r = sell(ctx, [SaleItem(serial=serial)])
                done.append(("sell", r.number, serial))
            elif op == "return":
                r = customer_return(ctx, [ReturnItem(serial=serial, condition="as new")])
                done.append(("return", r.number, serial))
            elif op == "transfer":
                out = transfer_out(ctx, other.branch_code, [TransferItem(serial=serial)])
                done.append(("transfer_out", out.number, serial))
                back = transfer_in(other, out.number, [serial])
                done.append(("transfer_in", back.number, serial))
            else:
                passport(serial)
            tally[op] += 1
            took[op].append(time.perf_counter() - began)
        except Busy as exc:
            tally["busy"] += 1
            errors.append(f"Busy: {exc}")
        except DomainError:
            tally[f"{op} refused"] += 1  # lost a race, or the unit is elsewhere: told why
        except Exception as exc:  # a bug, or a lock error that reached the seat
            tally["errors"] += 1
            errors.append(f"{op}: {type(exc).__name__}: {exc}")
    results.put((index, done, dict(tally), errors, dict(database.STATS), took))


def check(url: str, reported: list[tuple], ledger: bool = False) -> dict[str, int]:
    """Count double sales, lost operations and inconsistencies in the final database; on a
    built ledger, the check since the anchor and the units the seats touched only."""
    from app.services.ledger.documents import get_document
    from app.services.safety import integrity
    from db.database import close_database, open_database
    from db.history_verify import rows_after
    from db.models import DocumentLine, Unit, UnitEvent

    open_database(url)
    started = time.perf_counter()
    report = integrity.check(full=not ledger)
    print(
        f"  verify{' --since-anchor' if ledger else ''}: {report.chain.rows:,} history rows, "
        f"{time.perf_counter() - started:.1f} s"
    )
    lost = 0
    for _op, number, serial in reported:
        try:
            doc = get_document(number)
        except Exception:
            lost += 1
            continue
        if (
            not DocumentLine.select()
            .where(DocumentLine.document == doc, DocumentLine.serial == serial)
            .exists()
        ):
            lost += 1
    double = 0
    events: dict[int, list[str]] = {}
    rows = UnitEvent.select(UnitEvent.unit, UnitEvent.event).order_by(UnitEvent.id)
    if ledger:  # the rows the seats wrote, after the anchor (a unit's life before is the build's)
        touched = sorted({serial for _op, _number, serial in reported})
        units = Unit.select(Unit.id).where(Unit.serial.in_(touched))
        rows = rows.where(UnitEvent.unit.in_(units), rows_after(report.chain.start))
    for unit_id, event in rows.tuples():
        events.setdefault(unit_id, []).append(event)
    for history in events.values():
        sold = False
        for event in history:
            if event == "sell":
                double += sold
                sold = True
            elif event == "customer_return":
                sold = False
    live = Unit.select(Unit.serial).where(Unit.state != "returned_to_supplier")
    if ledger:
        live = live.where(Unit.serial.in_(touched))
    active = Counter(s for (s,) in live.tuples())
    close_database()
    return {
        "double sales": double,
        "serials active twice": sum(1 for n in active.values() if n > 1),
        "lost operations": lost,
        "integrity problems": len(report.messages()),
    }


def _anchor(url: str) -> None:
    """An anchor before the seats start: the check afterwards walks only what they wrote."""
    from app.services.safety import integrity
    from db.database import close_database, open_database

    open_database(url)
    started = time.perf_counter()
    integrity.anchor("bench")
    print(f"anchor before the seats: {time.perf_counter() - started:.1f} s")
    close_database()


def _per_seat(label: str, counts: dict[int, int]) -> None:
    mean, low = sum(counts.values()) / max(1, len(counts)), min(counts.values(), default=0)
    shown = " ".join(str(counts[i]) for i in sorted(counts))
    print(f"  {label}: {shown}  (lowest {low / mean:.0%} of the mean)" if mean else label)


def _ms(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLite file or postgresql:// URL (default: a temp file)")
    parser.add_argument("--seats", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--ledger", metavar="URL", help="a build_db.py ledger, used as it is")
    parser.add_argument(
        "--rate", type=float, default=0, help="operations a second per seat (0: back to back)"
    )
    parser.add_argument(
        "--no-queue", action="store_true", help="SQLite's busy handler only, to compare"
    )
    args = parser.parse_args()

    from db.database import is_postgres_url

    admin = schema = None
    plan = FRESH
    if args.ledger:
        url = args.ledger
    elif args.db and is_postgres_url(args.db):
        import psycopg2

        schema = f"seats_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(args.db)
        admin.autocommit = True
        admin.cursor().execute(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in args.db else "?"
        url = f"{args.db}{sep}options=-csearch_path%3D{schema}"
    else:
        url = args.db or str(Path(tempfile.mkdtemp(prefix="seats-")) / "shop.db")
        Path(url).unlink(missing_ok=True)
    try:
        if args.ledger:
            plan = ledger_plan(url)
            _anchor(url)
        else:
            setup(url)
        ctx = mp.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(
                target=seat,
                args=(url, i, args.seconds, start, results, not args.no_queue, args.rate, plan),
            )
            for i in range(args.seats)
        ]
        for p in procs:
            p.start()
        time.sleep(2)  # let every seat import and connect before the clock starts
        start.set()
        began = time.monotonic()
        outcomes = [results.get(timeout=args.seconds + 120) for _ in procs]
        elapsed = time.monotonic() - began
        for p in procs:
            p.join(timeout=30)
        reported = [d for _i, done, _t, _e, _s, _took in outcomes for d in done]
        tally: Counter = Counter()
        stats: Counter = Counter()
        errors = []
        took: dict[str, list[float]] = {op: [] for op in OPS}
        sales_per_seat, served = {}, {}
        for i, _d, t, e, s, seat_took in outcomes:
            tally.update(t)
            stats.update(s)
            errors += e
            sales_per_seat[i] = t.get("sell", 0)
            # Every sale tried, sold or refused (the unit was gone): the seat got its turn.
            served[i] = t.get("sell", 0) + t.get("sell refused", 0)
            for op, times in seat_took.items():
                took[op] += times
        verdict = check(url, reported, ledger=bool(args.ledger))
    finally:
        if admin is not None:
            if not args.keep:
                admin.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
            admin.close()

    ops = sum(tally[o] for o in OPS)
    backend = "PostgreSQL" if admin is not None or is_postgres_url(url) else "SQLite"
    queue = "" if admin is not None else (" (no write queue)" if args.no_queue else "")
    pace = f"{args.rate:g} ops/s each" if args.rate else "back to back"
    print(
        f"{backend}{queue}: {args.seats} seats, {pace}, {elapsed:.1f} s, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  operations done: {ops} ({ops / elapsed:.0f}/s)  "
        + ", ".join(f"{o} {tally[o]}" for o in OPS)
    )
    refused = {k: v for k, v in tally.items() if k.endswith("refused")}
    print(f"  refused (lost a race, told why): {sum(refused.values())} {refused}")
    print(f"  sales: {tally['sell']} ({tally['sell'] / elapsed:.0f}/s)")
    print("  per operation (done, not refused): p50 / p99 / max, ms")
    for op in OPS:
        times = sorted(took[op])
        if times:
            print(
                f"    {op:9} n={len(times):6}  {_ms(times, 0.50):7.1f} {_ms(times, 0.99):7.1f} "
                f"{times[-1] * 1000:8.1f}"
            )
    _per_seat("sales per seat", sales_per_seat)
    _per_seat("sales tried per seat (sold or refused)", served)
    print(
        f"  write transactions: {stats['transactions']}, lock waits > 20 ms: "
        f"{stats['lock_waits']} ({stats['lock_wait_s']:.1f} s in total), "
        f"retries: {stats['retries']}"
    )
    print(f"  busy errors reaching a seat: {tally['busy']}, unexpected errors: {tally['errors']}")
    for line in errors[:10]:
        print(f"    {line}")
    for name, n in verdict.items():
        print(f"  {name}: {n}")
    bad = tally["busy"] + tally["errors"] + sum(verdict.values())
    print("  PASS" if bad == 0 else "  FAIL")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
