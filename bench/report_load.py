"""The counter while the head office runs reports: N seat processes doing counter work at a
steady pace on a PostgreSQL ledger, and one head-office process running every report in a
loop, (a) not at all, (b) on the primary, (c) on a streaming replica; the counter's
p50 / p99 / max in each run.

    XDG_CONFIG_HOME=/work/benchpg/config .venv/bin/python bench/report_load.py \\
        --ledger postgresql://postgres@127.0.0.1:5432/serialdesk_bench \\
        --replica postgresql://postgres@127.0.0.1:5433/serialdesk_bench

The seats are ``bench/counter_seat.py``'s (on a ``build_db.py`` ledger: the managers of the
two branches with most phones in stock, each seat with a share of its branch's phones,
sell, take back, transfer, receive and look up passports), each at ``--rate`` operations a
second with random arrivals, timed from when each was due.
The head office runs ``bench/reports.py``'s cases through ``runner.run`` as the reports
screen does, each on a fresh connection. ``--replica`` is a hot standby of the ledger's
cluster (``pg_basebackup -R``), e.g. made with ``--make-replica FOLDER``, which copies the
whole cluster the ledger is on (its pg_hba.conf must let postgres connect for replication
from 127.0.0.1) and starts it on ``--replica-port`` (5433). ``--fresh``: a small new shop
(``seats.py``'s) in the ledger's empty database instead of a build, to try the script.

On one box the replica shares the cores with the primary and the seats, as it would not in
a chain (a machine of its own at the head office): ``--replica-nice 19`` gives the replica
server the lowest CPU priority, and ``--nice 19`` the head office process, the nearest this
box comes to that. Without them, the run shows what one shared box does.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import benchlib  # noqa: F401  (puts the project root on sys.path)
import counter_seat
import seats

RUNS = ("no reports", "reports on the primary", "reports on the replica")


def head_office(
    url: str, reports_db: str | None, seconds: float, start, results, nice: int = 0
) -> None:
    """Every report, one after another, until the time is up; each on a fresh connection."""
    os.nice(nice)
    from app.services.reports import runner
    from db.connection import db
    from db.database import open_database

    open_database(url)
    from reports import cases

    todo = cases()
    db.close()
    start.wait(timeout=120)
    end = time.monotonic() + seconds
    done, took, behind = 0, 0.0, []
    while time.monotonic() < end:
        for name, filters in todo:
            if time.monotonic() >= end:
                break
            began = time.perf_counter()
            report = runner.run(name, filters, reports_database=reports_db)
            db.close()  # the next one connects afresh, as the screen's worker does
            took += time.perf_counter() - began
            done += 1
            lag = re.search(r"(\d+) s behind", report.note)
            behind.append(int(lag.group(1)) if lag else 0)
    results.put(("head office", done, took, behind if reports_db else []))


def one_run(args, plan: dict, reports_db: str | None, with_reports: bool, run: int) -> dict:
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    slots = (args.seats + 1) // 2  # seats at each of the two branches
    procs = [
        ctx.Process(
            target=counter_seat.seat,
            args=(args.ledger, i + 100 * run, slots, args.seconds, start, results, args.rate, plan),
        )
        for i in range(args.seats)  # seeds of their own each run
    ]
    if with_reports:
        procs.append(
            ctx.Process(
                target=head_office,
                args=(args.ledger, reports_db, args.seconds, start, results, args.nice),
            )
        )
    for p in procs:
        p.start()
    time.sleep(args.warm_up)  # every process imports and connects before the clock starts
    load_before = os.getloadavg()[0]
    start.set()
    outcomes = [results.get(timeout=args.seconds + 300) for _ in procs]
    load_after = os.getloadavg()[0]
    for p in procs:
        p.join(timeout=60)
    took: dict[str, list[float]] = {op: [] for op in seats.OPS}
    office = None
    errors: list[str] = []
    refused = swapped = 0
    for outcome in outcomes:
        if outcome[0] == "head office":
            office = outcome
            continue
        _i, _done, tally, seat_errors, _stats, seat_took = outcome
        errors += seat_errors
        refused += sum(n for k, n in tally.items() if k.endswith("refused"))
        swapped += sum(n for k, n in tally.items() if k.startswith("swapped"))
        for op, times in seat_took.items():
            took[op] += times
    load = (load_before, load_after)
    return {
        "took": took, "office": office, "errors": errors, "load": load, "refused": refused,
        "swapped": swapped,
    }  # fmt: skip


def _figures(times: list[float]) -> str:
    if not times:
        return "       -       -        -"
    times = sorted(times)
    return f"{seats._ms(times, 0.50):8.1f} {seats._ms(times, 0.99):7.1f} {times[-1] * 1000:8.1f}"


def show(label: str, run: dict) -> None:
    took = run["took"]
    every = [t for times in took.values() for t in times]
    before, after = run["load"]
    print(f"{label}: load {before:.1f} before, {after:.1f} after")
    print("    operation        n       p50     p99      max   (ms)")
    for op in seats.OPS:
        print(f"    {op:10} {len(took[op]):6}  {_figures(took[op])}")
    print(f"    {'all':10} {len(every):6}  {_figures(every)}")
    print(f"    refused (not timed; each seat works on units of its own): {run['refused']}")
    if run["swapped"]:
        print(
            f"    a passport instead (the seat's stock was out, or it had sold nothing to "
            f"take back): {run['swapped']}"
        )
    if run["office"]:
        _, done, spent, behind = run["office"]
        mean = spent / done * 1000 if done else 0
        late = [s for s in behind if s]
        extra = (
            f"; the replica was behind on {len(late)} of them (at most {max(late)} s)"
            if late
            else ("; the replica was up to date for every one" if behind else "")
        )
        print(f"    head office: {done} reports run, {mean:.0f} ms each on average{extra}")
    for line in run["errors"][:5]:
        print(f"    error: {line}")


def make_replica(primary: str, folder: str, port: int) -> str:
    """A hot standby of the cluster ``primary`` runs on (127.0.0.1) in ``folder``, on
    ``port``; its URL without the database."""
    from tests import pg_cluster

    bin_ = pg_cluster.pg_bin()
    if bin_ is None:
        sys.exit("pg_basebackup is not installed")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        import shutil

        shutil.chown(path, "postgres", "postgres")
    started = time.monotonic()
    pg_cluster.make_replica(
        urlparse(primary).port or 5432, path, bin_, "hot_standby_feedback=on", port=port
    )
    print(f"replica made in {path} in {time.monotonic() - started:.0f} s, port {port}")
    return f"postgresql://postgres@127.0.0.1:{port}"


def lower_server_priority(url: str, nice: int) -> Callable[[], None]:
    """Give the PostgreSQL server at ``url`` (on this machine) the niceness ``nice``: its
    postmaster and every process it has started (backends started later inherit it). On
    one box, the nearest thing to a machine of its own for the replica: the counter's
    processes get the cores first. Returns what puts the old niceness back.

    With the kernel's autogroups (a group per session) a niceness counts only within the
    server's group, so the group is lowered too, but only when the postmaster leads its own
    session (``pg_ctl`` starts it so): a group shared with the seats would lower them too."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            folder = cur.fetchone()[0]
    finally:
        conn.close()
    try:
        postmaster = int(Path(folder, "postmaster.pid").read_text().split()[0])
        pids = [postmaster] + _children(postmaster)
        before = {pid: os.getpriority(os.PRIO_PROCESS, pid) for pid in pids}
        for pid in pids:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        group = Path(f"/proc/{postmaster}/autogroup")
        group_before = None
        if group.exists() and os.getsid(postmaster) == postmaster:
            group_before = group.read_text().split()[-1]
            group.write_text(str(nice))
    except (OSError, ValueError) as exc:
        sys.exit(
            f"--replica-nice: cannot change the replica server's priority ({exc}); "
            "it must run on this machine, and this bench as root or as its owner"
        )
    print(
        f"replica server: niceness {nice} ({len(pids)} processes"
        f"{', and its session group' if group_before is not None else ''})"
    )

    def restore() -> None:
        for pid, value in before.items():
            try:
                os.setpriority(os.PRIO_PROCESS, pid, value)
            except OSError:
                pass  # gone meanwhile (a backend that ended)
        if group_before is not None:
            group.write_text(group_before)

    return restore


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def merged(runs: list[dict]) -> dict:
    """The slices of one kind of run as one: times pooled, head-office figures added up."""
    took = {op: [t for run in runs for t in run["took"][op]] for op in seats.OPS}
    offices = [run["office"] for run in runs if run["office"]]
    office = None
    if offices:
        office = (
            "head office",
            sum(o[1] for o in offices),
            sum(o[2] for o in offices),
            [s for o in offices for s in o[3]],
        )
    return {
        "took": took,
        "office": office,
        "errors": [e for run in runs for e in run["errors"]],
        "load": (runs[0]["load"][0], runs[-1]["load"][1]),
        "refused": sum(run["refused"] for run in runs),
        "swapped": sum(run["swapped"] for run in runs),
    }


def _p99(run: dict) -> float:
    every = sorted(t for times in run["took"].values() for t in times)
    return seats._ms(every, 0.99) if every else 0.0


def _median(values: list[float]) -> float:
    return values[len(values) // 2] if values else 0.0


def _has_a_shop(url: str) -> bool:
    from db.database import close_database, open_database
    from db.models import Branch

    open_database(url)
    try:
        return Branch.select().exists()
    finally:
        close_database()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", default=benchlib.DEFAULT_PG_URL, help="the primary's URL")
    parser.add_argument("--replica", help="the same database on a streaming replica")
    parser.add_argument("--make-replica", metavar="FOLDER", help="pg_basebackup one there")
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--rate", type=float, default=4, help="operations a second per seat")
    parser.add_argument("--seconds", type=float, default=30, help="each run")
    parser.add_argument("--warm-up", type=float, default=8, help="seconds to start processes")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="a small shop in the ledger database (made if empty)",
    )
    parser.add_argument(
        "--nice", type=int, default=0, help="the head office process's niceness (0 to 19)"
    )
    parser.add_argument(
        "--replica-nice",
        type=int,
        default=0,
        choices=range(20),
        metavar="0-19",
        help="the replica server's niceness (0 to 19): on one box, the nearest thing to a "
        "machine of its own",
    )
    parser.add_argument("--repeat", type=int, default=1, help="slices of each run, in turn")
    parser.add_argument("--round", type=int, default=0, help="a later round: other seeds")
    parser.add_argument("--only", choices=("none", "primary", "replica"), action="append")
    args = parser.parse_args()
    if not 1 <= args.seats <= 100:
        parser.error("--seats: 1 to 100 (each run numbers its seats from 100 x the run)")
    if args.fresh and not _has_a_shop(args.ledger):
        seats.setup(args.ledger)
    if args.make_replica:
        base = make_replica(args.ledger, args.make_replica, args.replica_port)
        args.replica = f"{base}/{args.ledger.rsplit('/', 1)[-1]}"
    from db.database import close_database, open_database

    database = open_database(args.ledger)
    print(f"data: {benchlib.data_size(database)}")
    print(f"machine: {benchlib.machine()}")
    close_database()
    plan = seats.FRESH if args.fresh else seats.ledger_plan(args.ledger)
    # The seats' receipts: IMEIs of type allocation codes of this run's own (97: what the
    # builder (35, 86), the receipt bench (99) and the chain bench (3527) never use).
    plan = {**plan, "tac_base": random.randrange(10**6)}
    wanted = [key for key in ("none", "primary", "replica") if key in (args.only or [key])]
    if "replica" in wanted and not args.replica:
        sys.exit("--replica (or --make-replica) is needed for the run with reports on it")
    restore = None
    if args.replica and args.replica_nice:
        restore = lower_server_priority(args.replica, args.replica_nice)
    print(
        f"{args.seats} seats at {args.rate:g} operations a second each, {args.seconds:g} s a "
        f"run; the head office runs every report in a loop"
    )
    setups = {
        "none": (RUNS[0], None, False),
        "primary": (RUNS[1], None, True),
        "replica": (RUNS[2], args.replica, True),
    }
    # Other work on a shared box comes in bursts: the runs take turns, --repeat times,
    # so a burst lands on one slice of one run, and each slice's p99 is shown.
    slices: dict[str, list[dict]] = {key: [] for key in wanted}
    try:
        for r in range(args.repeat):
            for n, key in enumerate(wanted):
                _label, reports_db, with_reports = setups[key]
                turn = len(RUNS) * (args.round * args.repeat + r) + n
                slices[key].append(one_run(args, plan, reports_db, with_reports, turn))
    finally:
        if restore is not None:
            restore()  # the replica as it was
    for key in wanted:
        show(setups[key][0], merged(slices[key]))
        if args.repeat > 1:
            p99s = sorted(_p99(run) for run in slices[key])
            shown = " ".join(f"{p:.0f}" for p in p99s)
            middle = _median(p99s)
            print(f"    p99 of each {args.seconds:g} s slice (ms): {shown}; median {middle:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
