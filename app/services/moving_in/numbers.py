"""``import numbers``: the highest document number the shop issued before it moved (an
export writes it in ``numbers.csv``). New documents are numbered above it, so an old
receipt, return slip, repair ticket or warranty card never opens another customer's
document in the new ledger; the old number is "no document" there."""

from __future__ import annotations

from app.services.ledger.documents import numbers_used, reserve_numbers
from app.services.moving_in.files import Row, old_number
from app.services.moving_in.report import ImportReport, Progress, checked


def plan(rows: list[Row], report: ImportReport, progress: Progress | None) -> int:
    """The highest number the rows name (0: none); already below this ledger's: skipped."""
    check = lambda row: old_number(row.get("last_document"), "last document")  # noqa: E731
    highest = max((n for _row, n in checked(rows, report, check, progress, total=len(rows))),
                  default=0)  # fmt: skip
    if highest and highest > numbers_used():
        report.create(f"document numbers kept: new ones start above {highest:,}", 1)
    elif highest:
        report.skipped += 1
    return highest


def apply(highest: int) -> None:
    reserve_numbers(highest)
