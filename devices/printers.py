"""Receipt printers through python-escpos, built from the seat's ``[printer]`` table.

Every way a printer can be unavailable -- switched off, unplugged, no libusb,
paper out, a write that times out -- comes out as one ``PrinterOffline`` with a
message a cashier can act on. Nothing here waits forever: USB, serial and
network connections all carry ``PrinterConfig.timeout``.
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Any

import serial
import usb.core

from devices._escpos import Dummy, Escpos, File, Network, Serial, Usb, escpos_exceptions
from devices.config import PrinterConfig
from devices.printer_errors import PaperOut, PrinterOffline

log = logging.getLogger(__name__)


def describe(config: PrinterConfig) -> str:
    """How the status bar names the printer, e.g. 'Printer 10.0.0.9:9100'."""
    where = {
        "usb": f"USB {config.vendor_id:04x}:{config.product_id:04x}",
        "serial": config.port,
        "network": f"{config.host}:{config.tcp_port}",
        "file": config.path,
        "dummy": "(dummy)",
    }.get(config.kind, "(none)")
    return f"Printer {where}"


def build_printer(config: PrinterConfig, *, usb_backend: Any = None) -> Escpos:
    """The python-escpos printer object for ``config``, not yet connected.

    ``usb_backend`` is handed to pyusb (tests pass an emulated backend).
    """
    timeout = config.timeout
    profile = config.profile
    if config.kind == "usb":
        # python-escpos' Usb default timeout is 0: wait forever on an offline printer.
        return Usb(
            config.vendor_id,
            config.product_id,
            usb_args={"backend": usb_backend} if usb_backend is not None else {},
            timeout=max(1, int(timeout * 1000)),  # milliseconds for pyusb
            in_ep=config.in_ep,
            out_ep=config.out_ep,
            profile=profile,
        )
    if config.kind == "serial":
        return Serial(config.port, baudrate=config.baudrate, timeout=timeout, profile=profile)
    if config.kind == "network":
        return Network(config.host, config.tcp_port, timeout=timeout, profile=profile)
    if config.kind == "file":
        return File(config.path, profile=profile)
    if config.kind == "dummy":
        return Dummy(profile=profile)
    raise PrinterOffline("No printer is set up for this seat ([printer] in the seat settings).")


class PrinterConnection:
    """An open printer: ``write(bytes)``, ``close()``; failures raise PrinterOffline."""

    def __init__(self, printer: Escpos, config: PrinterConfig) -> None:
        self.printer = printer
        self.config = config
        self.name = describe(config)

    def write(self, data: bytes) -> None:
        """Send rendered ESC/POS bytes (see ``devices.render``) in one piece."""
        if self.config.check_paper:
            self.check_paper()
        try:
            # _raw is the one method every python-escpos printer implements for bytes.
            self.printer._raw(data)
        except Exception as exc:
            raise offline_error(self.name, exc, self.config.timeout) from exc

    def check_paper(self) -> None:
        """Ask the paper sensor; raise PaperOut when it reports no paper."""
        try:
            status = self.printer.paper_status()
        except Exception as exc:
            raise offline_error(self.name, exc, self.config.timeout) from exc
        if status == 0:
            raise PaperOut(
                f"{self.name} is out of paper. Load a new roll; the job waits.",
                f"{self.name} is out of paper (load a new roll)",
            )
        if status == 1:
            log.warning("%s: paper is running low", self.name)

    @property
    def output(self) -> bytes:
        """What a dummy printer received (empty for real printers)."""
        return getattr(self.printer, "output", b"")

    def close(self) -> None:
        """Release the connection; never raises."""
        try:
            self.printer.close()
        except Exception:  # an unplugged device cannot be closed cleanly; it is gone anyway
            log.debug("closing %s failed", self.name, exc_info=True)

    def __enter__(self) -> PrinterConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(config: PrinterConfig, *, usb_backend: Any = None) -> PrinterConnection:
    """Open the seat's printer now, so an offline printer is known before anything is sent."""
    name = describe(config)
    try:
        printer = build_printer(config, usb_backend=usb_backend)
        printer.open()
        if config.kind == "usb":
            _detach_kernel_driver(printer.device)
        if config.kind == "serial" and printer.device is not None:
            # With DSR/DTR flow control a switched-off printer blocks writes forever.
            printer.device.write_timeout = config.timeout
    except Exception as exc:
        raise offline_error(name, exc, config.timeout) from exc
    return PrinterConnection(printer, config)


def _detach_kernel_driver(device: Any) -> None:
    """Take the printer from the kernel's usblp driver, whatever the pyusb backend.

    python-escpos does this only when the backend module is libusb1; with usblp
    bound, the first write fails with 'Resource busy'.
    """
    if device is None:
        return
    try:
        if device.is_kernel_driver_active(0):
            device.detach_kernel_driver(0)
    except NotImplementedError:
        pass  # backends without kernel drivers (libusb0, Windows)


def print_bytes(config: PrinterConfig, data: bytes, *, usb_backend: Any = None) -> None:
    """Connect, send ``data``, close: one print job outside the queue (e.g. a test card)."""
    with connect(config, usb_backend=usb_backend) as connection:
        connection.write(data)


def offline_error(name: str, exc: BaseException, timeout: float) -> PrinterOffline:
    """Turn any failure below python-escpos into one PrinterOffline a cashier understands."""
    if isinstance(exc, PrinterOffline):
        return exc
    log.info("%s: %s: %s", name, type(exc).__name__, exc)
    reason = _reason(exc, timeout)
    problem = f"{name} {reason}"
    return PrinterOffline(f"{problem}. The job stays queued and prints when it is back.", problem)


def _reason(exc: BaseException, timeout: float) -> str:
    # NoBackendError is a ValueError, and escpos wraps USB errors in its own: look at the cause.
    if isinstance(exc, usb.core.NoBackendError):
        return "cannot be reached: libusb is not installed (apt install libusb-1.0-0)"
    if isinstance(exc, usb.core.USBTimeoutError | socket.timeout | TimeoutError):
        return f"did not answer within {timeout:g} s (switched off, or paper or cover open?)"
    if isinstance(exc, serial.SerialTimeoutException):
        return f"did not accept data within {timeout:g} s (switched off?)"
    if isinstance(exc, escpos_exceptions.DeviceNotFoundError):
        text = str(exc)
        if "Errno 13" in text or "Access denied" in text:
            return "cannot be opened: permission denied (install the udev rule or add the user "
            "to the 'lp' group)"
        return "is not connected or switched off"
    if isinstance(exc, usb.core.USBError):
        if exc.errno in (errno.ENODEV, errno.ENOENT, errno.EPIPE, errno.EIO):
            return "was unplugged"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "cannot be opened: permission denied (install the udev rule for the printer)"
        return f"reported a USB error ({exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "refused the connection (switched off, or another program is printing)"
    if isinstance(exc, BrokenPipeError | ConnectionResetError):
        return "dropped the connection"
    if isinstance(exc, serial.SerialException | OSError):
        return f"cannot be reached ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    if isinstance(exc, escpos_exceptions.Error | AssertionError | ValueError):
        return f"cannot be used ({exc})"
    return f"failed ({type(exc).__name__}: {exc})"
