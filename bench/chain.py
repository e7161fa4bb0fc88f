"""A chain on one PostgreSQL: N branches x M seats as separate processes doing counter work
(mostly one-unit sales, some passports and returns, the odd receipt and transfer) for a
bounded time on one database; sales a second, p50 / p99 / max per operation, fairness,
what the time went to, and the ledger checked afterwards.

    XDG_CONFIG_HOME=/work/benchpg/config .venv/bin/python bench/chain.py
    .venv/bin/python bench/chain.py --fresh --db postgresql://postgres@127.0.0.1:5432/test

The chain is set up through the app's own services, on the database as it is (a
build_db.py ledger, whose branches are reused): missing branches up to N (C07, C08, ...),
a manager and a cashier per branch (``chain_m_<code>``, ``chain_c_<code>``, PIN 123456,
cheap PIN hashes), and each branch's stock of fresh IMEIs (type allocation code
3527<branch>, never used by the builder) topped up by a receipt to what its seats can
sell. Each seat logs in with the PINs; sales and returns as the cashier, receipts and
transfers (to the next branch, taken in by its manager) as the manager. An anchor is
written before the seats start; afterwards the check since that anchor and no double sale
among the units touched (bench/seats.py's check). Exit 1 on any Busy, unexpected error or
failed check. ``--fresh`` works in a fresh schema of ``--db``, dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import random
import re
import time
import uuid
from collections import Counter

import benchlib
import seats
from chain_watch import APP, Sampler, fits, machine_cpu, schedstat

OPS = ("sell", "passport", "return", "receive", "transfer")
WEIGHTS = (78, 12, 6, 2, 2)
PIN = "123456"
# Stock per branch for a run: more than its seats can sell, a seat at most SEAT_MAX sales a
# second and the whole box at most BOX_MAX (2 cores; 1,500 is three times the goal).
SEAT_MAX, BOX_MAX = 100, 1500
RECEIVED_PER_SEAT = 5_000  # serials a seat may receive in a run (its own range)


def parse_mix(text: str) -> list[tuple[str, float]]:
    pairs = [part.split("=") for part in text.split(",") if part.strip()]
    if any(len(p) != 2 or p[0].strip() not in OPS for p in pairs):
        raise SystemExit(f"--mix: give op=weight for ops among {', '.join(OPS)}")
    return [(op.strip(), float(w)) for op, w in pairs]


def imei(branch: int, n: int) -> str:
    from stdnum import luhn

    body = f"3527{branch:04d}{n:06d}"
    return body + luhn.calc_check_digit(body)


def setup(url: str, branches: int, seats_per_branch: int, stock: int) -> dict:
    """Make the chain (what is missing of it) and give every branch ``stock`` units."""
    from app.domain import pins
    from app.services.access.context import load_context
    from app.services.shop import catalog
    from app.services.stock.receiving import ReceiptLine, receive
    from db.models import Branch, Employee, Product, ProductType, Supplier, Unit

    pins._N = 2**4  # cheap PIN hashes: logins are not what is measured
    database = benchlib.open_bench(url)
    phones = ProductType.select().where(ProductType.check_kind == "imei").order_by(ProductType.id)
    if not phones.exists():
        catalog.add_product_type("Phones", "strict", warranty_months=24, check_kind="imei")
        catalog.add_product("CH-PHONE", "Chain phone", "Phones", "499.00")
    product = Product.select().where(Product.type == phones.first()).order_by(Product.id).first()
    if not Supplier.select().exists():
        catalog.add_supplier("ChainCo")
    supplier = Supplier.select(Supplier.name).order_by(Supplier.id).scalar()
    codes = [b.code for b in Branch.select().order_by(Branch.id)]
    for n in range(len(codes) + 1, branches + 1):
        codes.append(catalog.add_branch(f"C{n:02d}", f"Chain branch {n}").code)
    started, received, jobs = time.perf_counter(), 0, []
    for index, code in enumerate(codes[:branches], start=1):
        branch = Branch.get(Branch.code == code)
        staff = {"manager": f"chain_m_{code.lower()}", "cashier": f"chain_c_{code.lower()}"}
        for role, login in staff.items():
            if not Employee.select().where(Employee.login == login).exists():
                catalog.add_employee(login, f"Chain {role} {code}", role, PIN, code)
        low, high = imei(index, 0)[:-1], imei(index, 999_999)  # this branch's serials
        mine = Unit.select(Unit.serial).where(Unit.serial.between(low, high))
        last = mine.order_by(Unit.serial.desc()).limit(1).scalar()
        top = int(last[8:14]) if last else -1
        serials = [
            s
            for (s,) in mine.where(Unit.state == "in_stock", Unit.branch == branch.id)
            .order_by(Unit.serial)
            .tuples()
        ]
        fresh = [imei(index, n) for n in range(top + 1, top + 1 + max(0, stock - len(serials)))]
        ctx = load_context(staff["manager"])
        for i in range(0, len(fresh), 10_000):
            lines = [ReceiptLine(product.sku, fresh[i : i + 10_000], cost="300")]
            receive(ctx, supplier, lines, note="chain bench stock")
        received += len(fresh)
        serials = (serials + fresh)[:stock]
        jobs.append({"code": code, "index": index, "next": top + 1 + len(fresh), **staff})
        jobs[-1]["serials"] = serials
    print(
        f"chain: {branches} branches ({', '.join(codes[:branches])}), {stock:,} units each in "
        f"stock, {received:,} received in {time.perf_counter() - started:.1f} s"
    )
    sample = [
        s
        for (s,) in database.execute_sql(
            "SELECT serial FROM unit TABLESAMPLE SYSTEM (1) LIMIT 5000"
        ).fetchall()
    ]
    print(f"data: {benchlib.data_size(database)}")
    database.close()
    return {"jobs": jobs, "sku": product.sku, "supplier": supplier, "sample": sample}


def seat(url, index, job, dest, plan, seconds, pace, start, results) -> None:
    """One seat of a branch: its share of the branch's stock to sell, back to back or at
    ``pace`` operations a second (random arrivals, timed from when each was due)."""
    from app.domain.errors import Busy, DomainError
    from app.services.access.context import load_context
    from app.services.access.signin import log_in
    from app.services.counter.passport import passport
    from app.services.counter.returns import ReturnItem, customer_return
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.receiving import ReceiptLine, receive
    from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
    from db import database
    from db.database import open_database

    open_database(url, migrate=False)
    cashier = log_in(job["cashier"], PIN, seat=f"chain-{index}")
    manager = log_in(job["manager"], PIN, seat=f"chain-{index}")
    there = load_context(dest) if dest else None  # the next branch's manager takes them in
    rng = random.Random(index)
    stock, sold, sample = list(job["serials"]), [], plan["sample"] or job["serials"]
    fresh = iter(range(job["next"], job["next"] + RECEIVED_PER_SEAT))
    done, errors, tally = [], Counter(), Counter()
    took: dict[str, list[tuple]] = {op: [] for op in OPS}  # wall, CPU, waiting for a core
    results.put(("ready", index))
    start.wait(timeout=300)
    cpu0, end, due = schedstat(), time.monotonic() + seconds, time.perf_counter()
    while time.monotonic() < end:
        if pace:
            due += rng.expovariate(pace)
            time.sleep(max(0.0, due - time.perf_counter()))
        op = rng.choices(OPS, plan["weights"])[0]
        if (op in ("sell", "transfer") and not stock) or (op == "return" and not sold):
            tally["no stock"] += op == "sell"  # the seat's share is sold: --stock more
            op = "passport"
        if op == "transfer" and there is None:  # a chain of one branch
            op = "passport"
        began, cpu = (due if pace else time.perf_counter()), schedstat()
        try:
            if op == "sell":
                serial = stock.pop(rng.randrange(len(stock)))
                r = sell(cashier, [SaleItem(serial=serial)], payment_method="card")
                done.append(("sell", r.number, serial))
                sold.append(serial)
            elif op == "return":
                serial = sold.pop(rng.randrange(len(sold)))
                r = customer_return(cashier, [ReturnItem(serial=serial, condition="as new")])
                done.append(("return", r.number, serial))
                stock.append(serial)
            elif op == "receive":
                new = [imei(job["index"], next(fresh)) for _ in range(5)]
                r = receive(manager, plan["supplier"], [ReceiptLine(plan["sku"], new, cost="1")])
                done += [("receive", r.number, s) for s in new]
                stock += new
            elif op == "transfer":
                serial = stock.pop(rng.randrange(len(stock)))
                out = transfer_out(manager, there.branch_code, [TransferItem(serial=serial)])
                done.append(("transfer_out", out.number, serial))
                back = transfer_in(there, out.number, [serial])
                done.append(("transfer_in", back.number, serial))
            else:
                passport(rng.choice(sample))
            tally[op] += 1
            now = schedstat()
            took[op].append((time.perf_counter() - began, now[0] - cpu[0], now[1] - cpu[1]))
        except Busy:
            errors["Busy"] += 1
        except DomainError as exc:  # lost a race, or the unit is elsewhere: told why
            errors[f"{op} refused: {type(exc).__name__}: {_reason(str(exc))}"] += 1
        except Exception as exc:  # a bug, or a lock error that reached the seat
            errors[f"unexpected, {op}: {type(exc).__name__}: {_reason(str(exc))}"] += 1
    cpu = [b - a for a, b in zip(cpu0, schedstat(), strict=True)]
    stats = dict(database.STATS, rss_mb=benchlib.peak_rss_mb())
    results.put(("done", index, job["code"], done, tally, errors, took, cpu, stats))


def _reason(text: str) -> str:
    return re.sub(r"[A-Z]?-?\d[\d.:/-]*", "#", text.splitlines()[0] if text else "")[:90]


def _pct(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))] * 1000


def report(outcomes, elapsed: float, sampler: Sampler, busy_s: float, all_s: float) -> int:
    """Print the figures; the number of Busy and unexpected errors."""
    tally, errors, stats, took = Counter(), Counter(), Counter(), {op: [] for op in OPS}
    per_branch, per_seat, client, rss = Counter(), {}, [0.0, 0.0], []
    for _tag, index, code, _done, t, e, seat_took, cpu, s in outcomes:
        tally.update(t)
        errors.update(e)
        rss.append(s.pop("rss_mb"))
        stats.update(s)
        per_branch[code] += t["sell"]
        per_seat[index] = t["sell"]
        client = [client[0] + cpu[0], client[1] + cpu[1]]
        for op, times in seat_took.items():
            took[op] += times
    sales, empty = tally["sell"], tally.pop("no stock", 0)
    print(
        f"  operations done: {sum(tally.values()):,}  "
        + ", ".join(f"{o} {tally[o]:,}" for o in OPS)
    )
    print(f"  SALES: {sales:,} in {elapsed:.1f} s = {sales / elapsed:.0f} sales/s")
    if empty:
        print(f"  sales not tried, the seat's stock sold out (a passport instead): {empty:,}")
    print("  per operation, ms: p50 / p99 / max; mean = the seat's CPU + its wait for a core")
    print("    + the rest (waiting for the server: its work, locks, commits, its wait for a core)")
    for op in OPS:
        if took[op]:
            walls, n = sorted(t[0] for t in took[op]), len(took[op])
            mean, cpu, runq = (sum(t[i] for t in took[op]) / n * 1000 for i in range(3))
            print(
                f"    {op:9} n={n:6,}  {_pct(walls, 0.5):7.1f} {_pct(walls, 0.99):7.1f} "
                f"{walls[-1] * 1000:8.1f}   mean {mean:6.1f} = {cpu:4.1f} + {runq:5.1f} "
                f"+ {mean - cpu - runq:6.1f}"
            )
    mean_b = sum(per_branch.values()) / max(1, len(per_branch))
    mean_s = sum(per_seat.values()) / max(1, len(per_seat))
    print(
        "  sales per branch: "
        + " ".join(f"{c} {n}" for c, n in sorted(per_branch.items()))
        + f"\n  FAIRNESS: lowest branch / mean {min(per_branch.values()) / max(mean_b, 1):.0%}, "
        f"lowest seat / mean {min(per_seat.values()) / max(mean_s, 1):.0%}"
    )
    (server, server_q), (client_cpu, client_q) = sampler.server(), client
    print(
        f"  CPU in the run ({all_s:.0f} core-s on {os.cpu_count()} cores): busy {busy_s:.0f} s = "
        f"seats {client_cpu:.0f} s + their PostgreSQL backends {server:.0f} s + the rest "
        f"of the box {busy_s - client_cpu - server:.0f} s; idle {all_s - busy_s:.0f} s"
    )
    print(
        f"  waiting for a core (runnable, not running): seats {client_q:.0f} s, "
        f"their backends {server_q:.0f} s"
    )
    ops, cores = max(1, sum(tally[o] for o in OPS)), os.cpu_count() or 1
    per_op = (client_cpu + server) / ops
    print(
        f"  CPU per operation: seat {client_cpu / ops * 1000:.1f} ms + server "
        f"{server / ops * 1000:.1f} ms: {cores} idle cores do at most {cores / per_op:.0f} "
        f"operations/s of this mix, {cores / per_op * sales / ops:.0f} sales/s"
    )
    total = sum(sampler.waits.values()) or 1
    print(f"  the seats' connections, {sampler.samples} samples every 100 ms (share of time):")
    for label, n in sampler.waits.most_common(8):
        print(f"    {n / total:6.1%}  {label}")
    print(
        f"  write transactions: {stats['transactions']:,}, lock waits > 20 ms: "
        f"{stats['lock_waits']:,} ({stats['lock_wait_s']:.1f} s in total)"
    )
    bad = sum(n for k, n in errors.items() if k == "Busy" or k.startswith("unexpected"))
    print(
        f"  seat processes' peak memory: mean {sum(rss) / len(rss):.0f} MB, max {max(rss):.0f} MB"
    )
    busy = errors["Busy"]
    print(
        f"  not done: {sum(errors.values())} (Busy {busy}, unexpected {bad - busy}, "
        "the rest refused with a reason)"
    )
    for kind, n in errors.most_common(12):
        print(f"    {n:6}  {kind}")
    return bad


def _collect(results, procs: list) -> list:
    """One message from every seat; stop if a seat died without sending it."""
    got = []
    while len(got) < len(procs):
        try:
            got.append(results.get(timeout=5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise SystemExit(f"{len(dead)} seat(s) died (exit codes {dead})") from None
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=benchlib.DEFAULT_PG_URL, help="PostgreSQL URL")
    parser.add_argument("--fresh", action="store_true", help="in a fresh schema of --db")
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--seats-per-branch", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pace", type=float, default=0, help="ops/s per seat (0: back to back)")
    parser.add_argument("--stock", type=int, help="units in stock per branch (default: enough)")
    parser.add_argument(
        "--mix",
        default=",".join(f"{o}={w}" for o, w in zip(OPS, WEIGHTS, strict=True)),
        help="weights of the operations (default %(default)s)",
    )
    args = parser.parse_args()
    mix = dict(parse_mix(args.mix))
    procs = args.branches * args.seats_per_branch
    most = min(args.seats_per_branch * SEAT_MAX, BOX_MAX / args.branches)
    stock = args.stock or int(args.seconds * most)
    admin = schema = None
    url = args.db
    if args.fresh:
        import psycopg2

        schema = f"chain_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(args.db)
        admin.autocommit = True
        admin.cursor().execute(f'CREATE SCHEMA "{schema}"')
        url += f"{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    print(f"machine: {benchlib.machine()}")
    problems = fits(procs, url)
    if problems:
        print("cannot run: " + "; ".join(problems) + ". Try fewer --seats-per-branch.")
        return 2
    try:
        plan = setup(url, args.branches, args.seats_per_branch, stock)
        plan["weights"] = [mix.get(op, 0) for op in OPS]
        seats._anchor(url)
        seat_url = f"{url}{'&' if '?' in url else '?'}application_name={APP}"
        ctx = mp.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        jobs, procs_ = plan["jobs"], []
        for b, job in enumerate(jobs):
            dest = jobs[(b + 1) % len(jobs)]["manager"] if len(jobs) > 1 else None
            for s in range(args.seats_per_branch):
                share = dict(job, serials=job["serials"][s :: args.seats_per_branch])
                share["next"] = job["next"] + s * RECEIVED_PER_SEAT
                i = len(procs_)
                procs_.append(
                    ctx.Process(
                        target=seat,
                        args=(
                            seat_url,
                            i,
                            share,
                            dest,
                            plan,
                            args.seconds,
                            args.pace,
                            start,
                            results,
                        ),
                    )
                )
        launched = time.monotonic()
        for p in procs_:
            p.start()
        _collect(results, procs_)
        print(f"{len(procs_)} seats started and logged in: {time.monotonic() - launched:.1f} s")
        sampler = Sampler(url)
        sampler.start()
        cpu0, began = machine_cpu(), time.monotonic()
        start.set()
        outcomes = _collect(results, procs_)
        elapsed, cpu1 = time.monotonic() - began, machine_cpu()
        sampler.stop.set()
        sampler.join()
        for p in procs_:
            p.join(timeout=30)
        pace = f"{args.pace:g} ops/s a seat" if args.pace else "back to back"
        print(
            f"PostgreSQL, {args.branches} branches x {args.seats_per_branch} seats = {len(procs_)} "
            f"processes, {pace}, {args.seconds:g} s; load average {os.getloadavg()[0]:.1f}\n"
            f"  mix: {', '.join(f'{op} {mix.get(op, 0):g}' for op in OPS)}"
        )
        bad = report(outcomes, elapsed, sampler, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1])
        reported = [d for o in outcomes for d in o[3]]
        verdict = seats.check(url, reported, ledger=True)
    finally:
        if admin is not None:
            admin.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
            admin.close()
    for name, n in verdict.items():
        print(f"  {name}: {n}")
    bad += sum(verdict.values())
    print("  PASS" if bad == 0 else "  FAIL")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
