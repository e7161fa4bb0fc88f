"""Passport look-ups of random serials on a built bench database.

    .venv/bin/python bench/passport.py [--lookups 5000] [--warmup 500] [--path bench/bench.db]

Each look-up is ``app.services.counter.passport.passport(serial)``, timed end to end
(queries and building the dataclasses). Target: median <= 1 ms at 1M units.

Warm: look-ups on one open connection after a warm-up, as a seat serving all day.
Cold (``--cold N``, default 200): N more serials never looked up, each on a fresh
connection (PostgreSQL: a new server process, its statements prepared again; SQLite: an
empty page cache), the connecting not timed. ``--drop-caches`` (root only) first empties
the OS page cache (``sync; echo 3 > /proc/sys/vm/drop_caches``), so the cold look-ups
read the disk; PostgreSQL's own shared buffers are not emptied (that needs a restart of
the server, which this script never does), so on PostgreSQL it is nearly, not fully, cold.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import time

import benchlib

from app.services.counter.passport import passport
from db.database import close_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pool",
        type=int,
        default=0,
        help="draw the look-ups from this many distinct serials (default: all distinct), "
        "to see a passport whose pages the database already holds in its cache",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the timed look-ups")
    parser.add_argument("--cold", type=int, default=200, help="look-ups on fresh connections")
    parser.add_argument(
        "--drop-caches", action="store_true", help="root: empty the OS page cache before --cold"
    )
    parser.add_argument(
        "--preload",
        action="store_true",
        help="SQLite: read the whole file first, so the OS page cache holds it (a warm box)",
    )
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()

    if args.preload and args.backend == "sqlite":
        started = time.perf_counter()
        size = preload(args.path)
        print(f"preloaded {size / 2**30:.2f} GiB into the OS page cache in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    database = benchlib.open_bench(benchlib.url_of(args))
    print(f"passport look-ups on {args.backend}: {benchlib.url_of(args)}")
    print(f"data: {benchlib.data_size(database)}")
    print(f"machine: {benchlib.machine()}")
    rnd = random.Random(args.seed)
    if args.pool:
        pool = random_serials(database, args.pool, rnd)
        serials = pool + [rnd.choice(pool) for _ in range(args.warmup + args.lookups - len(pool))]
        print(f"look-ups drawn from a pool of {len(pool):,} serials, each looked up once first")
    else:
        serials = random_serials(database, args.warmup + args.lookups, rnd)
    cold_serials = [s for s in random_serials(database, args.cold * 2, rnd) if s not in serials]

    for serial in serials[: args.warmup]:
        passport(serial)
    timed = serials[args.warmup :]
    profiler = cProfile.Profile() if args.profile else None
    durations, events = [], 0
    if profiler:
        profiler.enable()
    for serial in timed:
        start = time.perf_counter()
        result = passport(serial)
        durations.append(time.perf_counter() - start)
        events += len(result.history)
    if profiler:
        profiler.disable()

    print(f"{len(timed):,} look-ups after {args.warmup:,} warm-up, random serials:")
    print(f"  {benchlib.summary_ms(durations)}")
    print(f"  {events / len(timed):.1f} history rows per passport on average")
    if args.cold:
        cold(database, cold_serials[: args.cold], args.drop_caches)
    print(f"peak memory (ru_maxrss): {benchlib.peak_rss_mb():,.0f} MiB")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    close_database()


def cold(database, serials: list[str], drop_caches: bool) -> None:
    """Each serial looked up on a fresh connection (connecting not timed)."""
    if drop_caches:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as f:
            f.write("3\n")
        print("OS page cache dropped (PostgreSQL's shared buffers not: no server restart)")
    connects, durations = [], []
    for serial in serials:
        database.close()
        start = time.perf_counter()
        database.connect()
        connects.append(time.perf_counter() - start)
        start = time.perf_counter()
        passport(serial)
        durations.append(time.perf_counter() - start)
    how = "OS cache dropped first" if drop_caches else "OS page cache as it was"
    print(f"{len(serials):,} cold look-ups, each on a fresh connection ({how}):")
    print(f"  {benchlib.summary_ms(durations)}")
    print(f"  connecting (not in the figures above): {benchlib.summary_ms(connects)}")


def preload(path: str) -> int:
    """Read the database file once, as a box that has been serving for a while has it cached."""
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(16 * 2**20):
            size += len(chunk)
    return size


def random_serials(database, count: int, rnd: random.Random) -> list[str]:
    """Serials of random units (ids drawn uniformly from the whole ledger)."""
    top = database.execute_sql('SELECT MAX(id) FROM "unit"').fetchone()[0]
    ids = rnd.sample(range(1, top + 1), min(count, top))
    param = database.param
    serials = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join([param] * len(chunk))
        rows = database.execute_sql(f'SELECT id, serial FROM "unit" WHERE id IN ({marks})', chunk)
        by_id = dict(rows.fetchall())
        serials += [by_id[i] for i in chunk if i in by_id]
    return serials


if __name__ == "__main__":
    main()
