"""What an import found: rows to create, rows already there (skipped), rows refused with
their line and reason; and the refusal that says nothing was written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from app.domain.errors import DomainError, Refused
from app.services.moving_in.files import Row

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (step, done, total)
SHOWN_REFUSALS = 3


@dataclass
class ImportReport:
    """One file's import: counted by what it creates, skips and refuses."""

    kind: str
    file: str
    rows: int = 0
    applied: bool = False
    created: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # rows already in the ledger, identical
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def create(self, what: str, count: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + count

    def refuse(self, line: int, reason: str) -> None:
        self.refused.append((line, reason))


class ImportRefused(Refused):
    """Rows of the file were refused; nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        refused = sorted(report.refused)
        head = " ".join(f"Line {line}: {why}" for line, why in refused[:SHOWN_REFUSALS])
        more = (
            f" (and {len(refused) - SHOWN_REFUSALS} more)" if len(refused) > SHOWN_REFUSALS else ""
        )
        super().__init__(
            f"{len(refused)} row(s) of {report.file} refused, nothing written. {head}{more}"
        )


def checked(
    rows: Iterable[Row],
    report: ImportReport,
    check: Callable[[Row], T | None],
    progress: Progress | None = None,
    step: str = "checking",
    total: int = 0,
) -> Iterator[tuple[Row, T]]:
    """Each row with what ``check`` made of it; a row it refuses (a ``DomainError``) goes
    into the report with its line, one it finds already there (None) is counted skipped."""
    every = max(1, total // 100)
    for done, row in enumerate(rows, 1):
        if progress is not None and (done % every == 0 or done == total):
            progress(step, done, total)
        if row.problem:
            report.refuse(row.line, row.problem)
            continue
        try:
            value = check(row)
        except DomainError as exc:
            report.refuse(row.line, exc.message)
            continue
        if value is None:
            report.skipped += 1
        else:
            yield row, value


def first_seen(seen: dict, key, line: int, what: str) -> None:
    """Refuse a second row for the same ``key`` in one file, naming the first one's line."""
    if key in seen:
        raise Refused(f"{what} is already on line {seen[key]} of this file.")
    seen[key] = line
