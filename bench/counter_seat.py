"""One counter seat at a steady pace, working on units of its own (``bench/report_load.py``).

``bench/seats.py``'s seats race for the same units on purpose (a check of concurrency):
any seat tries any operation on any unit of both branches, so on a ledger about half their
operations are refused (a unit at the other branch, a return of a unit never sold) and
are not timed, and the counter's load is half what its rate says. Here each seat holds a
share of its branch's phones, as a cashier serves the customers in front of them: it
sells from its stock, takes back what it sold, sends a unit of its stock to the other
branch and takes it back in, receives fresh IMEIs and looks up passports. What is refused
then is refused for a reason worth reading, and the seat's errors say which.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from seats import OPS, STOCK, WEIGHTS, imei
from stdnum import luhn


def share_of(plan: dict, index: int, slots: int) -> list[str]:
    """The serials of seat ``index``: seats of even index work at the plan's first branch,
    odd at its second; the branch's phones dealt out among its ``slots`` seats."""
    stock = plan.get("stock") or [
        [imei(n) for n in range(STOCK // 2)],
        [imei(n) for n in range(STOCK // 2, STOCK)],
    ]
    slot = (index % 100) // 2  # report_load numbers each run's seats from 100 x run
    return stock[index % 2][slot::slots]


def fresh_imeis(plan: dict, index: int):
    """The IMEIs seat ``index`` receives: a type allocation code of its own (97 and six
    digits: the plan's random base plus the seat's index), a million numbers under it."""
    tac = f"97{(plan['tac_base'] + index) % 10**6:06d}"
    for n in range(10**6):
        body = f"{tac}{n:06d}"
        yield body + luhn.calc_check_digit(body)


def seat(url, index, slots, seconds, start, results, rate, plan) -> None:
    """One seat: ``rate`` operations a second on average (random arrivals, each timed from
    when it was due, so a seat that falls behind counts its wait), until the time is up."""
    from app.domain.errors import Busy, DomainError
    from app.services.access.context import load_context
    from app.services.counter.passport import passport
    from app.services.counter.returns import ReturnItem, customer_return
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.receiving import ReceiptLine, receive
    from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
    from db import database
    from db.database import open_database
    from db.models import Unit

    open_database(url)
    first, second = plan["logins"]
    here, there = (first, second) if index % 2 == 0 else (second, first)
    ctx, other = load_context(here), load_context(there)
    mine = share_of(plan, index, slots)
    # What an earlier run left sold or elsewhere is not this seat's stock now.
    stock = [
        s
        for (s,) in Unit.select(Unit.serial)
        .where(Unit.serial.in_(mine), Unit.state == "in_stock", Unit.branch == ctx.branch_id)
        .tuples()
    ]
    sold: list[str] = []
    rng = random.Random(index)
    fresh = fresh_imeis(plan, index)
    done: list[tuple] = []  # (op, document, serial): what this seat told its user was done
    tally: Counter = Counter()
    errors: list[str] = []
    took: dict[str, list[float]] = {op: [] for op in OPS}  # seconds, each finished op
    start.wait(timeout=60)
    end = time.monotonic() + seconds
    due = time.perf_counter()
    while time.monotonic() < end:
        due += rng.expovariate(rate)
        time.sleep(max(0.0, due - time.perf_counter()))
        op = rng.choices(OPS, WEIGHTS)[0]
        if (op in ("sell", "transfer") and not stock) or (op == "return" and not sold):
            tally[f"swapped {op}"] += 1  # its stock is out, or nothing sold to take back
            op = "passport"
        began = due
        try:
            if op == "receive":
                new = [next(fresh) for _ in range(5)]
                r = receive(ctx, plan["supplier"], [ReceiptLine(plan["sku"], new, cost="1")])
                done += [("receive", r.number, s) for s in new]
                stock += new
            elif op == "sell":
                serial = stock.pop(rng.randrange(len(stock)))
                r = sell(ctx, [SaleItem(serial=serial)])
                done.append(("sell", r.number, serial))
                sold.append(serial)
            elif op == "return":
                serial = sold.pop(rng.randrange(len(sold)))
                r = customer_return(ctx, [ReturnItem(serial=serial, condition="as new")])
                done.append(("return", r.number, serial))
                stock.append(serial)
            elif op == "transfer":  # the unit goes to the other branch: no longer here
                serial = stock.pop(rng.randrange(len(stock)))
                out = transfer_out(ctx, other.branch_code, [TransferItem(serial=serial)])
                done.append(("transfer_out", out.number, serial))
                back = transfer_in(other, out.number, [serial])
                done.append(("transfer_in", back.number, serial))
            else:
                passport(rng.choice(stock or sold or mine))
            tally[op] += 1
            took[op].append(time.perf_counter() - began)
        except Busy as exc:
            tally["busy"] += 1
            errors.append(f"Busy: {exc}")
        except DomainError as exc:  # worth reading: these units are this seat's alone
            tally[f"{op} refused"] += 1
            errors.append(f"{op} refused: {exc}")
        except Exception as exc:  # a bug, or a lock error that reached the seat
            tally["errors"] += 1
            errors.append(f"{op}: {type(exc).__name__}: {exc}")
    results.put((index, done, dict(tally), errors, dict(database.STATS), took))
