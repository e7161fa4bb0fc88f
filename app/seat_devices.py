"""The seat's scanner and printer as the app uses them.

Threads (a serial or USB scanner, the print queue worker) hand their news over
by callback; here it becomes ``post_message`` (thread-safe, non-blocking). A
keyboard-wedge scanner arrives as keys: ``WedgeRouter`` tells its bursts from typing.
"""

from __future__ import annotations

from textual import events
from textual.app import App

from app.config import SeatConfig
from app.messages import DevicesChanged, ScanArrived
from devices.events import ScanEvent, UnreadableScan, validate_scan
from devices.print_queue import PrintQueueStatus
from devices.seat import make_print_worker, make_scanner, make_wedge
from devices.source import SourceStatus
from devices.wedge import Action, KeyStroke


class SeatDevices:
    """Start, watch and stop one seat's devices; describe them for the status bar."""

    def __init__(self, app: App, config: SeatConfig) -> None:
        self.app = app
        self.config = config
        self.seat = config.seat  # whose print queue this seat prints; see ``renamed``
        self.scanner = make_scanner(config.scanner)
        self.scanner_status: SourceStatus | None = None
        self.printer_status: PrintQueueStatus | None = None
        self.worker = None
        self._printer_started = self._closed = False
        if config.printer.kind != "none":
            self.worker = make_print_worker(
                config.printer,
                fetch_queued=lambda: _printing().queued_jobs(self.seat),
                mark_printed=lambda *a: _printing().mark_printed(*a),
                mark_failed=lambda *a: _printing().mark_failed(*a),
                on_status=self._printer_changed,
            )

    def start_scanner(self) -> None:
        if self.scanner is not None:
            self.scanner.start(self._scanned, self._scanner_changed)

    def start_printer(self) -> None:
        """The print queue's worker: its first pass loads the print service and reads the
        queue, so the seat starts it once its first screen is drawn."""
        if self.worker is not None and not self._printer_started and not self._closed:
            self._printer_started = True
            self.worker.start()

    def close(self) -> None:
        self._closed = True
        if self.scanner is not None:
            self.scanner.close()
        if self.worker is not None:
            self.worker.close()

    def kick_printer(self) -> None:
        """A job was queued: print it now rather than at the next retry."""
        if self.worker is not None:
            self.worker.kick()

    def renamed(self, seat: str) -> None:
        """The seat was renamed and its queue moved with it: print from the new name now."""
        self.seat = seat
        self.kick_printer()
        self.app.post_message(DevicesChanged())

    def status_line(self) -> str:
        parts = []
        if self.scanner_status is not None:
            parts.append(f"scanner {self.scanner_status.state}")
        if self.printer_status is not None:
            waiting = self.printer_status.waiting
            queued = f", {waiting} waiting" if waiting else ""
            parts.append(f"printer {self.printer_status.printer}{queued}")
        elif self.config.printer.kind == "none":
            waiting = len(_printing().queued_jobs(self.seat))
            if waiting:
                parts.append(f"no printer, {waiting} card(s) queued")
        return " · ".join(parts)

    # Called on the device threads: hand over and return at once.
    def _scanned(self, scan: ScanEvent | UnreadableScan) -> None:
        self.app.post_message(ScanArrived(scan))

    def _scanner_changed(self, status: SourceStatus) -> None:
        self.scanner_status = status
        self.app.post_message(DevicesChanged())

    def _printer_changed(self, status: PrintQueueStatus) -> None:
        self.printer_status = status
        self.app.post_message(DevicesChanged())


class WedgeRouter:
    """Keys from a keyboard-wedge scanner: typing passes through, a burst becomes a scan."""

    def __init__(self, app: App, config: SeatConfig) -> None:
        self.app = app
        self.detector = make_wedge(config.scanner)
        self._timer = None

    @property
    def active(self) -> bool:
        return self.detector is not None

    async def on_key(self, event: events.Key, forward) -> None:
        """Feed one key; ``forward(event)`` sends a key on to the focused widget."""
        decision = self.detector.feed(event.key, event.character, event.time)
        await self._replay(decision.typed, forward)
        if decision.action is Action.PASS:
            await forward(event)
        elif decision.action is Action.SCAN:
            # Behind the keys typed before it: posted where they went (the focused field),
            # the scan bubbles up to the app after them, so a Tab typed first has moved the
            # focus before the scan fills a field ("cody<Tab>" typed, "2222<Enter>" scanned).
            target = self.app.focused or self.app.screen
            target.post_message(ScanArrived(validate_scan(decision.code, "wedge")))
        self._arm(forward)

    async def on_paste(self, forward) -> None:
        await self._replay(self.detector.paste(), forward)

    async def _replay(self, strokes: tuple[KeyStroke, ...], forward) -> None:
        for stroke in strokes:
            await forward(events.Key(stroke.key, stroke.character))

    def _arm(self, forward) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        deadline = self.detector.deadline
        if deadline is not None:
            delay = max(0.0, deadline - events.Key("a", "a").time) + 0.001

            async def expire() -> None:
                self._timer = None
                await self._replay(self.detector.expire(events.Key("a", "a").time), forward)
                self._arm(forward)

            self._timer = self.app.set_timer(delay, expire)


def _printing():
    """The print queue's service, loaded when a seat first prints (not at start-up)."""
    from app.services.counter import printing

    return printing
