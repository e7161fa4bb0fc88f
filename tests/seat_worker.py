"""A seat process for the crash and backup tests: sells or receives in a loop until killed.

    python -m tests.seat_worker sell URL LOGIN REPORT SERIAL...
    python -m tests.seat_worker receive URL LOGIN REPORT TAG

After each commit it appends one line to REPORT (``S-12 <serial>`` or
``GR-3 1000``) with a single unbuffered write: a line there means the operation
was reported complete to the cashier, so it must survive any kill after it.
"""

from __future__ import annotations

import os
import sys

RECEIPT_SIZE = 1000


def _report(fd: int, line: str) -> None:
    os.write(fd, (line + "\n").encode())


def main(argv: list[str]) -> None:
    mode, url, login, report, *rest = argv
    from app.domain.errors import DomainError
    from app.services.access.context import load_context
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.receiving import ReceiptLine, receive
    from db.database import open_database

    open_database(url)
    ctx = load_context(login)
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    _report(fd, "ready")
    if mode == "sell":
        for serial in rest:
            try:
                result = sell(ctx, [SaleItem(serial=serial)])
            except DomainError:
                continue
            _report(fd, f"{result.number} {serial}")
        return
    tag = rest[0]
    for n in range(1_000_000):
        serials = [f"{tag}R{n:04d}X{i:04d}" for i in range(RECEIPT_SIZE)]
        result = receive(ctx, "ToolCo", [ReceiptLine("DR-18", serials, cost="90")])
        _report(fd, f"{result.number} {result.units}")


if __name__ == "__main__":
    main(sys.argv[1:])
