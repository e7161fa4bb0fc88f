"""A scan source: a plain thread that reads a device and hands scans over by callback.

Like Textualize/toolong's watcher, it knows nothing of Textual: the app passes
callbacks that call ``post_message`` (thread-safe, non-blocking). The base class
owns the thread, the reconnect loop with backoff, and the status reported to the
status bar; a subclass only connects, reads until unplugged, and disconnects.
"""

from __future__ import annotations

import logging
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from devices.events import ScanCallback, ScanResult

log = logging.getLogger(__name__)


class DeviceState(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"


@dataclass(frozen=True)
class SourceStatus:
    """What the status bar shows for one device."""

    source: str
    state: DeviceState
    message: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


StatusCallback = Callable[[SourceStatus], None]


class DeviceMissing(Exception):
    """The device is not there (unplugged, not yet plugged in): wait and try again."""


class DeviceFailed(Exception):
    """The device cannot be used (permissions, no driver): try again, but say so as an error."""


@dataclass(frozen=True)
class Backoff:
    """Delays between reconnect attempts: quick after an unplug, then calmer."""

    initial: float = 0.25
    maximum: float = 5.0
    factor: float = 2.0

    def next(self, delay: float) -> float:
        """The delay after one more failed attempt."""
        return min(self.maximum, delay * self.factor)


class ScanSource(ABC):
    """Base of the threaded scanner sources: ``start(callback)``, ``close()``, ``status``."""

    def __init__(self, name: str, *, backoff: Backoff | None = None) -> None:
        self.name = name
        self.backoff = backoff or Backoff()
        self._on_scan: ScanCallback | None = None
        self._on_status: StatusCallback | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SourceStatus(
            name, DeviceState.DISCONNECTED, f"{self.describe()}: not started"
        )
        self._status_lock = threading.Lock()

    # -- public API ------------------------------------------------------------------

    def start(self, on_scan: ScanCallback, on_status: StatusCallback | None = None) -> None:
        """Start reading in a daemon thread; returns at once.

        ``on_scan`` receives every ``ScanEvent`` or ``UnreadableScan``; ``on_status``
        every change of the device's state. Both are called from the reader thread.
        """
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already started")
        self._on_scan, self._on_status = on_scan, on_status
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner:{self.name}", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread and release the device; safe to call twice or before start."""
        self._stopping.set()
        self._interrupt()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("%s did not stop within %.1f s", self.name, timeout)

    @property
    def status(self) -> SourceStatus:
        """The latest state of the device."""
        with self._status_lock:
            return self._status

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def describe(self) -> str:
        """How the status bar names this device, e.g. 'Scanner /dev/ttyACM0'."""
        return f"Scanner {self.name}"

    # -- for subclasses --------------------------------------------------------------

    @abstractmethod
    def _connect(self) -> None:
        """Open the device; raise DeviceMissing or DeviceFailed if it cannot be used."""

    @abstractmethod
    def _read_loop(self) -> None:
        """Read and deliver scans until ``self.stopping``; raise DeviceMissing on unplug."""

    @abstractmethod
    def _disconnect(self) -> None:
        """Release the device; must not raise."""

    def _interrupt(self) -> None:
        """Wake a read blocked in the device so ``close()`` is prompt (optional)."""
        return None

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _deliver(self, result: ScanResult) -> None:
        if self._on_scan is None:
            return
        try:
            self._on_scan(result)
        except Exception:
            # A bug in the receiver must not kill the reader: the next scan still arrives.
            log.exception("scan callback of %s failed", self.name)

    def _set_status(self, state: DeviceState, message: str) -> None:
        with self._status_lock:
            if self._status.state == state and self._status.message == message:
                return  # the reconnect loop repeats itself; the status bar hears it once
            self._status = SourceStatus(self.name, state, message)
            status = self._status
        log.info("%s: %s (%s)", self.name, state, message)
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("status callback of %s failed", self.name)

    # -- the thread ------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.backoff.initial
        while not self.stopping:
            try:
                self._connect()
            except Exception as exc:
                self._disconnect()  # a half-opened device is released before the next try
                self._report(exc, "connecting")
            else:
                delay = self.backoff.initial
                self._set_status(DeviceState.CONNECTED, f"{self.describe()}: ready")
                try:
                    self._read_loop()
                except Exception as exc:
                    self._report(exc, "reading")
                finally:
                    self._disconnect()
            if self.stopping:
                break
            self._stopping.wait(delay)
            delay = self.backoff.next(delay)
        self._set_status(DeviceState.DISCONNECTED, f"{self.describe()}: stopped")

    def _report(self, exc: Exception, doing: str) -> None:
        if isinstance(exc, DeviceMissing):
            self._set_status(DeviceState.DISCONNECTED, f"{self.describe()}: {exc}")
            return
        if not isinstance(exc, DeviceFailed):
            # A bug, or a driver error nobody foresaw: keep the trace in the log file.
            log.exception("%s %s failed", doing, self.name)
        self._set_status(DeviceState.ERROR, f"{self.describe()}: {exc}")


def wait_for_scan(source: ScanSource, timeout: float) -> ScanResult | None:
    """Start ``source``, return its first scan (or None after ``timeout`` s), then close it.

    For ``serialdesk devices``' "waiting for a test scan".
    """
    results: queue.Queue[ScanResult] = queue.Queue()
    source.start(results.put)
    try:
        return results.get(timeout=timeout)
    except queue.Empty:
        return None
    finally:
        source.close()
