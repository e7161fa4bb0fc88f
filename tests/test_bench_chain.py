"""bench/chain.py end to end, small: 2 branches x 2 seats for a few seconds on a fresh
PostgreSQL schema; the chain is set up, the seats sell, and the ledger checks clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_chain_bench_runs_and_checks_clean(pg_schema_url):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chain.py"), "--db", pg_schema_url]
        + ["--branches", "2", "--seats-per-branch", "2", "--seconds", "3", "--stock", "400"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    # The chain was made through the services: a branch beyond the fresh shop's none.
    assert "chain: 2 branches (C01, C02), 400 units each in stock, 800 received" in out
    assert "2 branches x 2 seats = 4 processes, back to back, 3 s; load average" in out
    sales = re.search(r"SALES: ([\d,]+) in ([\d.]+) s = (\d+) sales/s", out)
    assert sales and int(sales[1].replace(",", "")) > 0, out
    sell = re.search(r"sell +n= *([\d,]+) +([\d.]+) +([\d.]+) +([\d.]+) +mean", out)
    assert sell, out
    p50, p99, most = (float(x) for x in sell.groups()[1:])
    assert 0 < p50 <= p99 <= most
    fair = re.search(r"FAIRNESS: lowest branch / mean (\d+)%, lowest seat / mean (\d+)%", out)
    assert fair and 0 < int(fair[1]) <= 100, out
    assert re.search(r"sales per branch: C01 \d+ C02 \d+", out)
    samples = re.search(r"the seats' connections, (\d+) samples", out)
    assert samples and int(samples[1]) > 0, out
    assert "waiting for a core (runnable, not running): seats" in out
    assert "their PostgreSQL backends" in out and "CPU per operation: seat" in out
    assert "not done: 0 (Busy 0, unexpected 0," in out
    for name in ("double sales", "serials active twice", "lost operations", "integrity problems"):
        assert f"  {name}: 0" in out
    assert "verify --since-anchor" in out
    assert out.rstrip().endswith("PASS")
