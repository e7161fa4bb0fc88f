"""A scanner on a serial port (RS-232, or USB-CDC as /dev/ttyACM0) read through pyserial.

The reader is a thread (see ``devices.source``): it blocks in the port, never the
UI. Unplugging the scanner ends the read with an error; the thread reports
"disconnected" and reopens the same path with backoff until it is back.
"""

from __future__ import annotations

import errno
import logging
import time

import serial

from devices.events import MAX_SCAN_BYTES, ScanResult, unreadable, validate_scan
from devices.source import Backoff, DeviceFailed, DeviceMissing, ScanSource

log = logging.getLogger(__name__)

# How long a read waits before looking at the stop flag (close() also cancels the read).
_READ_TIMEOUT = 0.1
# One wording for "unplugged" and "not plugged in yet", so the status bar does not flicker.
_WAITING = "not connected; waiting for it"


class LineAssembler:
    """Cuts a byte stream into scans at a terminator, never buffering without bound.

    With an empty terminator a scan ends after ``idle_gap`` seconds of silence
    (for scanners configured without a suffix).
    """

    def __init__(self, source: str, terminator: bytes = b"\r", idle_gap: float = 0.03) -> None:
        self.source = source
        self.terminator = terminator
        self.idle_gap = idle_gap
        self._buffer = bytearray()
        self._discarding = False  # an over-long line was reported; skip to its end
        self._last_byte_at = 0.0

    def feed(self, data: bytes, now: float | None = None) -> list[ScanResult]:
        """Add bytes from the port; return the scans they completed."""
        self._last_byte_at = time.monotonic() if now is None else now
        results: list[ScanResult] = []
        if not self.terminator:
            self._append(data, results)
            return results
        pieces = bytes(data).split(self.terminator)
        for index, piece in enumerate(pieces):
            self._append(piece, results)
            if index < len(pieces) - 1:  # a terminator followed this piece
                if not self._discarding:
                    results.append(validate_scan(bytes(self._buffer), self.source))
                self._buffer.clear()
                self._discarding = False
        return results

    def poll(self, now: float | None = None) -> list[ScanResult]:
        """Idle-gap mode: the scan waiting in the buffer, once the line went quiet."""
        now = time.monotonic() if now is None else now
        if self.terminator or now - self._last_byte_at < self.idle_gap:
            return []
        had = bool(self._buffer) and not self._discarding
        line = bytes(self._buffer)
        self._buffer.clear()
        self._discarding = False
        return [validate_scan(line, self.source)] if had else []

    def reset(self) -> int:
        """Forget a partial scan (the port went away); returns how many bytes were dropped."""
        dropped = len(self._buffer)
        self._buffer.clear()
        self._discarding = False
        return dropped

    def _append(self, piece: bytes, results: list[ScanResult]) -> None:
        if self._discarding or not piece:
            return
        self._buffer.extend(piece)
        if len(self._buffer) > MAX_SCAN_BYTES:
            # Report at once rather than at the terminator, which may never come.
            results.append(
                unreadable(
                    "far too long for a barcode (is the scanner's terminator set right?)",
                    self.source,
                    bytes(self._buffer[:64]),
                )
            )
            self._buffer.clear()
            self._discarding = True


def parse_terminator(text: str) -> bytes:
    r"""A terminator from the seat config: "\r", "\r\n", "\n", "\t", or "" for idle-gap mode.

    Accepts the escapes written literally (``terminator = '\r'`` in single quotes
    stays backslash-r in TOML) as well as the real characters.
    """
    decoded = text.encode("latin-1", errors="strict").decode("unicode_escape")
    return decoded.encode("latin-1")


class SerialScanner(ScanSource):
    """Reads scans from a serial port; survives unplug and replug."""

    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        terminator: bytes = b"\r",
        *,
        name: str | None = None,
        backoff: Backoff | None = None,
        idle_gap: float = 0.03,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        super().__init__(name or f"serial:{port}", backoff=backoff)
        self._assembler = LineAssembler(self.name, terminator, idle_gap)
        self._serial: serial.Serial | None = None

    def describe(self) -> str:
        return f"Scanner on {self.port}"

    def _connect(self) -> None:
        try:
            self._serial = serial.Serial(
                self.port,
                self.baudrate,
                # Idle-gap mode must wake up within the gap to notice the silence.
                timeout=_READ_TIMEOUT if self._assembler.terminator else self._assembler.idle_gap,
                exclusive=True,  # two seats on one port would each get half the scans
            )
        except serial.SerialException as exc:
            raise _classify(exc) from None
        except (ValueError, OSError) as exc:
            raise DeviceFailed(f"cannot be opened: {exc}") from None
        self._assembler.reset()

    def _read_loop(self) -> None:
        port = self._serial
        assert port is not None
        idle_mode = not self._assembler.terminator
        while not self.stopping:
            try:
                data = port.read(port.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError) as exc:
                # TypeError: pyserial reads a None fd when close() races the read.
                if self.stopping:
                    return
                dropped = self._assembler.reset()
                if dropped:
                    log.info("%s: dropped %d bytes of an unfinished scan", self.name, dropped)
                log.info("%s: read failed: %s", self.name, exc)
                raise DeviceMissing(_WAITING) from None
            results = self._assembler.feed(data) if data else []
            if idle_mode:
                results += self._assembler.poll()
            for result in results:
                self._deliver(result)

    def _disconnect(self) -> None:
        port, self._serial = self._serial, None
        if port is None:
            return
        try:
            port.close()
        except Exception:  # closing a vanished device may fail; it is gone either way
            log.debug("closing %s failed", self.port, exc_info=True)

    def _interrupt(self) -> None:
        port = self._serial
        if port is None:
            return
        try:
            port.cancel_read()
        except (OSError, AttributeError):
            pass  # already closed by the reader thread


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__


def _classify(exc: serial.SerialException) -> Exception:
    """Unplugged (wait quietly) versus unusable (an error somebody must fix)."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        return DeviceMissing(_WAITING)
    if code in (errno.EACCES, errno.EPERM):
        return DeviceFailed("permission denied (add the user to the 'dialout' group)")
    if code in (errno.EBUSY, errno.EWOULDBLOCK):
        return DeviceFailed("in use by another program")
    return DeviceFailed(f"cannot be opened: {_short(exc)}")
