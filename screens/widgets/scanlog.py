"""The last scans and what became of each, so a refused serial stays in sight after later
good scans: refusals in red with their reason, kept before good scans when room is short.
A refusal is shown whole (wrapped onto more lines); a good scan keeps to one line."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from app.domain.text import visible
from screens.widgets.columns import fit

MAX_LINES = 10  # the most the log takes from the cart at 24 rows


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

    def fitting(self, room: int) -> list[ScanOutcome]:
        """``shown()``, less the oldest (good scans first) while the wrapped refusals would
        take more than ``MAX_LINES`` from the cart; the newest always stays."""
        shown = self.shown()

        def height(o: ScanOutcome) -> int:
            return 1 if o.ok else -(-(len(o.scanned) + len(o.outcome) + 5) // max(room, 1))

        while len(shown) > 1 and sum(map(height, shown)) > MAX_LINES:
            good = [o for o in shown[:-1] if o.ok]
            shown.remove(good[0] if good else shown[0])
        return shown

    def on_resize(self) -> None:
        self.show_outcomes()

    def show_outcomes(self) -> None:
        room = self.content_size.width or 78
        lines = []
        for o in self.fitting(room):
            scanned, outcome = visible(o.scanned), visible(o.outcome)
            # a reason that names the scan already needs no second copy of it
            named = "" if scanned.upper() in outcome.upper() else f"{scanned} · "
            if o.ok:  # one line: the cart shows the rest
                outcome = fit(outcome, max(room - 2 - len(named), 1))
            lines.append(
                Content.assemble(
                    ("✓ " if o.ok else "✗ ", "$success" if o.ok else "bold $error"),
                    (named, "bold"),
                    (outcome, "" if o.ok else "$error"),
                )
            )
        self.update(Content("\n").join(lines))
        self.display = bool(lines)
