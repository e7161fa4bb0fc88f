"""``serialdesk verify`` at scale: full and incremental (since the last anchor).

    .venv/bin/python bench/verify.py --path bench/bench.db [--backend postgres]

Opening a database built before schema 5 upgrades it first (re-chains it under a new
key in the bench's own config dir), timed apart. Prints rows walked, seconds and peak
memory for a full check, then for an incremental one after one anchor and 1,000 sales'
worth of new rows written... here: after an anchor only (the rows since it: none).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.database import open_database  # noqa: E402
from db.models import Unit, UnitEvent  # noqa: E402


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--path", default="bench/bench.db")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/serialdesk_bench")
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("XDG_CONFIG_HOME", str(Path(args.path).resolve().parent / "config"))
    from app.services.safety import integrity

    url = args.pg_url if args.backend == "postgres" else args.path
    started = time.perf_counter()
    open_database(url, fills=_fills())
    print(f"open (and upgrade if needed): {time.perf_counter() - started:8.1f} s")
    print(f"data: {Unit.select().count():,} units, {UnitEvent.select().count():,} history rows")
    if not args.skip_full:
        started = time.perf_counter()
        report = integrity.check(full=True)
        print(
            f"full verify: {report.chain.rows:,} rows in {time.perf_counter() - started:8.1f} s, "
            f"ok={report.ok}, peak RSS {rss_mib():,.0f} MiB"
        )
        for message in report.messages()[:5]:
            print("   ", message)
    integrity.anchor("bench")
    started = time.perf_counter()
    report = integrity.check(full=False)
    print(
        f"incremental verify: {report.chain.rows:,} rows in "
        f"{time.perf_counter() - started:8.2f} s, ok={report.ok}, peak RSS {rss_mib():,.0f} MiB"
    )


def _fills():
    from app.services.ledger.totals import FILLS

    return FILLS


if __name__ == "__main__":
    main()
