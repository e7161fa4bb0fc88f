"""The print queue worker: prints queued jobs once each, and keeps failed ones queued.

The worker knows nothing of the database: the caller injects ``fetch_queued``,
``mark_printed`` and ``mark_failed`` (thin wrappers over ``PrintJob`` rows) and a
``connect`` factory that opens the printer or raises ``PrinterOffline``.

Exactly-once, as far as paper allows
------------------------------------
A job is marked printed right after its bytes were accepted by the printer, and
before the next job is sent. If recording that fails (database busy), the job's
id is kept in memory and recording is retried; the job is never sent again by
this process. The remaining window is a crash (power cut, kill -9) between the
write returning and the commit -- a few milliseconds. Then the job is still
queued after restart and prints a second time. We chose that over marking it
"printing" first: a duplicate card is visible, identical (same claim code) and
harmless, whereas a card lost in the crash would leave a customer without their
warranty card and nobody would know.

A job that fails (offline, unplugged, paper out, timeout) is marked failed with
the reason and stays queued; the worker stops the batch there (the printer is
the problem, not the job) and tries again after ``retry_interval`` or at once
when ``kick()`` is called (a new job, a reconnect, the cashier's "retry").
``fetch_queued`` must return only this seat's jobs, oldest first: two workers
fed the same jobs would both print them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from devices.printer_errors import PrinterOffline

if TYPE_CHECKING:
    from devices.render import PaperOptions

log = logging.getLogger(__name__)


class QueuedJob(Protocol):
    """What the worker reads from a queued job (a ``PrintJob`` row fits)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def claim_code(self) -> str: ...


class Connection(Protocol):
    """An open printer (``devices.printers.PrinterConnection`` fits)."""

    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Job:
    """A plain queued job, for callers that do not pass their own rows."""

    id: int
    kind: str
    text: str
    claim_code: str = ""


class PrinterState(StrEnum):
    UNKNOWN = "unknown"  # nothing printed or tried yet
    OK = "ok"
    OFFLINE = "offline"


@dataclass(frozen=True)
class PrintQueueStatus:
    """For the status bar: 'Printer offline: ... -- 3 jobs waiting'."""

    printer: PrinterState
    message: str
    waiting: int
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


def render_job(job: QueuedJob, options: PaperOptions | None = None) -> bytes:
    """The bytes for a queued job: a card with its barcode, anything else as text."""
    from devices.render import render_card, render_text  # python-escpos: at the first job

    if job.kind == "card":
        return render_card(job.text, job.claim_code, options)
    return render_text(job.text, options)


class PrintQueueWorker:
    """A thread that drains the print queue; ``run_once()`` does one pass synchronously."""

    def __init__(
        self,
        *,
        fetch_queued: Callable[[], Sequence[QueuedJob]],
        mark_printed: Callable[[int], None],
        mark_failed: Callable[[int, str], None],
        connect: Callable[[], Connection],
        render: Callable[[QueuedJob], bytes] = render_job,
        retry_interval: float = 10.0,
        on_status: Callable[[PrintQueueStatus], None] | None = None,
    ) -> None:
        self._fetch, self._mark_printed, self._mark_failed = fetch_queued, mark_printed, mark_failed
        self._connect, self._render = connect, render
        self.retry_interval = retry_interval  # also how often jobs queued elsewhere are noticed
        self._on_status = on_status
        self._unrecorded: set[int] = set()  # printed, but the database has not heard yet
        self._pass_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = PrintQueueStatus(PrinterState.UNKNOWN, "Printer not used yet", 0)

    # -- public API ------------------------------------------------------------------

    def start(self) -> None:
        """Run passes in a daemon thread: now, on ``kick()``, and every ``retry_interval``."""
        if self._thread is not None:
            raise RuntimeError("the print queue worker is already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="print-queue", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Look at the queue now (a job was queued, the printer is back, 'retry' pressed)."""
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the job being printed, if any."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def status(self) -> PrintQueueStatus:
        return self._status

    def run_once(self) -> PrintQueueStatus:
        """Print what is queued, stopping at the first failure; returns the new status."""
        with self._pass_lock:  # the thread and a direct caller never print the same job
            self._record_unrecorded()
            try:
                jobs = [job for job in self._fetch() if job.id not in self._unrecorded]
            except Exception as exc:
                log.exception("reading the print queue failed")
                return self._set(self._status.printer, f"Print queue unavailable: {exc}", 0)
            if not jobs:
                state = self._status.printer
                message = "Printer ready" if state is PrinterState.OK else self._status.message
                return self._set(state, message, 0)
            return self._print(jobs)

    # -- internals -------------------------------------------------------------------

    def _print(self, jobs: Sequence[QueuedJob]) -> PrintQueueStatus:
        try:
            connection = self._connect()
        except PrinterOffline as exc:
            self._failed(jobs[0], str(exc))
            return self._set(PrinterState.OFFLINE, str(exc), len(jobs))
        waiting = len(jobs)
        try:
            for job in jobs:
                if self._stopping.is_set():
                    break
                try:
                    data = self._render(job)
                except Exception as exc:  # a broken job must not hold up the rest
                    log.exception("print job %s cannot be rendered", job.id)
                    self._failed(job, f"This job cannot be printed: {exc}")
                    continue
                try:
                    connection.write(data)
                except PrinterOffline as exc:
                    self._failed(job, str(exc))
                    return self._set(PrinterState.OFFLINE, str(exc), waiting)
                self._printed(job.id)
                waiting -= 1
        finally:
            connection.close()
        return self._set(PrinterState.OK, "Printer ready", waiting)

    def _printed(self, job_id: int) -> None:
        self._unrecorded.add(job_id)  # first in memory: from here on it is never sent again
        self._record(job_id)

    def _record_unrecorded(self) -> None:
        for job_id in sorted(self._unrecorded):
            self._record(job_id)

    def _record(self, job_id: int) -> None:
        try:
            self._mark_printed(job_id)
        except Exception:
            log.exception("print job %s printed, but recording it failed; will retry", job_id)
        else:
            self._unrecorded.discard(job_id)

    def _failed(self, job: QueuedJob, error: str) -> None:
        try:
            self._mark_failed(job.id, error)
        except Exception:
            log.exception("recording the failure of print job %s failed", job.id)

    def _set(self, printer: PrinterState, message: str, waiting: int) -> PrintQueueStatus:
        previous = self._status
        self._status = PrintQueueStatus(printer, message, waiting)
        changed = (previous.printer, previous.message, previous.waiting) != (
            printer,
            message,
            waiting,
        )
        if changed and self._on_status is not None:
            try:
                self._on_status(self._status)
            except Exception:
                log.exception("print queue status callback failed")
        return self._status

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # a bug: keep the thread alive, the next pass may succeed
                log.exception("print queue pass failed")
            self._wake.wait(self.retry_interval)
