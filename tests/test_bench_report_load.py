"""bench/report_load.py end to end, small: two counter seats on a fresh PostgreSQL shop,
without reports and with the head office running them on the primary. Each seat works on
units of its own, so nothing it does is refused: every operation is timed work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_report_load_seats_do_their_work_unrefused(pg_schema_url):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "report_load.py"), "--ledger", pg_schema_url]
        + ["--fresh", "--seats", "2", "--rate", "6", "--seconds", "3", "--warm-up", "4"]
        + ["--only", "none", "--only", "primary"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert out.count("refused (not timed; each seat works on units of its own): 0") == 2, out
    assert "error:" not in out, out
    for label in ("no reports", "reports on the primary"):
        block = out.split(f"{label}: load", 1)[1].split("refused", 1)[0]
        done = re.search(r"all +(\d+) +([\d.]+) +([\d.]+) +([\d.]+)", block)
        assert done and int(done[1]) > 0, out
        sold = re.search(r"sell +(\d+)", block)
        assert sold and int(sold[1]) > 0, out
    office = re.search(r"head office: (\d+) reports run", out)
    assert office and int(office[1]) > 0, out
