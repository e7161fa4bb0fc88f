"""The world below the libraries: pseudo-terminals, a TCP printer, sample cards."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.cards import CardData
from devices.events import ScanEvent, UnreadableScan
from devices.source import DeviceState, SourceStatus

IMEI = "356938035643809"


class Recorder:
    """Collects what a source hands over, from its thread."""

    def __init__(self) -> None:
        self.results: list[ScanEvent | UnreadableScan] = []
        self.statuses: list[SourceStatus] = []
        self.threads: set[str] = set()

    def scan(self, result: ScanEvent | UnreadableScan) -> None:
        self.threads.add(threading.current_thread().name)
        self.results.append(result)

    def status(self, status: SourceStatus) -> None:
        self.statuses.append(status)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.results if isinstance(r, ScanEvent)]

    @property
    def states(self) -> list[DeviceState]:
        return [s.state for s in self.statuses]


def wait_until(predicate: Callable[[], object], timeout: float = 3.0) -> None:
    """Poll ``predicate`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(0.005)


class PtyScanner:
    """A serial scanner on a real pseudo-terminal, at a stable path (a symlink).

    The test writes on the master side as the scanner would; pyserial opens the
    symlink. Unplug closes the pty (the reader sees EIO, the device node goes);
    replug makes a new pty and points the symlink at it, like udev would.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "scanner"
        self.master: int | None = None
        self._slave: int | None = None
        self.replug()

    def replug(self) -> None:
        self.master, self._slave = os.openpty()
        tmp = self.path.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self._slave))
        tmp.replace(self.path)

    def write(self, data: bytes) -> None:
        assert self.master is not None, "the scanner is unplugged"
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def unplug(self) -> None:
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = None

    def close(self) -> None:
        self.unplug()
        self.path.unlink(missing_ok=True)


@pytest.fixture
def pty_scanner(tmp_path: Path) -> Iterator[PtyScanner]:
    scanner = PtyScanner(tmp_path)
    yield scanner
    scanner.close()


class TcpPrinter:
    """A network receipt printer on 127.0.0.1: records every byte python-escpos sends.

    ``stop()`` closes the port (connections are refused, like a switched-off
    printer); ``start()`` opens it again on the same port. ``paper`` answers
    DLE EOT 4 status requests.
    """

    def __init__(self) -> None:
        self.port = 0
        self.received = bytearray()
        self.connections = 0
        self.paper = True
        self._server: socket.socket | None = None
        self._lock = threading.Lock()
        self.start()

    def start(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            # close() alone leaves a thread blocked in accept() still accepting.
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                if chunk.startswith(b"\x10\x04"):
                    conn.sendall(bytes([0x12 if self.paper else 0x72]))
                    continue
                with self._lock:
                    self.received.extend(chunk)


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.stop()


def card_data(**changes: object) -> CardData:
    """A phone sold with a 24-month warranty (IMEI as its serial)."""
    values: dict[str, object] = dict(
        shop_name="Corner Phones",
        shop_address="12 High Street",
        product="Pixel 8 128GB",
        sku="PX8-128",
        serial=IMEI,
        warranty_number="",
        imei=True,
        sale_number="S-000042",
        sale_date=date(2025, 3, 14),
        warranty_months=24,
        warranty_end=date(2027, 3, 14),
        customer="Bob Baker",
    )
    values.update(changes)
    return CardData(**values)  # type: ignore[arg-type]
