"""The last scans and what became of each, so a refused serial stays in sight after later
good scans: refusals in red with their reason, kept before good scans when room is short."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static


@dataclass(frozen=True)
class ScanOutcome:
    scanned: str
    outcome: str
    ok: bool


class ScanLog(Static):
    """Up to ``size`` lines, oldest first; refusals are kept before good scans."""

    def __init__(self, size: int = 5, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.limit = size
        self.outcomes: list[ScanOutcome] = []

    @property
    def refused(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    def record(self, scanned: str, outcome: str, *, ok: bool) -> None:
        """Log one scan; the screen's message line rings the bell for a refusal."""
        self.outcomes.append(ScanOutcome(scanned.strip()[:40], outcome, ok))
        self.show_outcomes()

    def clear_log(self) -> None:
        self.outcomes = []
        self.show_outcomes()

    def shown(self) -> list[ScanOutcome]:
        """The last ``limit`` outcomes, good scans giving way to older refusals (the good
        ones are in the cart anyway; a refusal is nowhere else)."""
        keep = {i for i, o in enumerate(self.outcomes) if not o.ok}
        keep = set(sorted(keep)[-self.limit :])
        for i in reversed(range(len(self.outcomes))):
            if len(keep) >= self.limit:
                break
            keep.add(i)
        return [self.outcomes[i] for i in sorted(keep)]

    def show_outcomes(self) -> None:
        lines = [
            Content.assemble(
                ("✓ " if o.ok else "✗ ", "$success" if o.ok else "bold $error"),
                # a reason that names the scan already needs no second copy of it
                ("" if o.scanned.upper() in o.outcome.upper() else f"{o.scanned} · ", "bold"),
                (o.outcome, "" if o.ok else "$error"),
            )
            for o in self.shown()
        ]
        self.update(Content("\n").join(lines))
        self.display = bool(lines)
