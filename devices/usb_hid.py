"""A USB scanner in keyboard mode read directly through pyusb, not through the terminal.

The scanner is taken from the kernel's keyboard driver (so its keystrokes do not
also land in whatever console has focus), its interrupt endpoint is read, and
the 8-byte boot-keyboard reports are decoded into text with a US layout, which
is what scanners emit unless configured otherwise. Enter ends a scan.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

import usb.core
import usb.util

from app.domain.serials import GS1_SEPARATOR
from devices.events import MAX_SCAN_LENGTH, ScanResult, unreadable, validate_scan
from devices.source import Backoff, DeviceFailed, DeviceMissing, ScanSource

log = logging.getLogger(__name__)

_CTRL = 0x01 | 0x10
_SHIFT = 0x02 | 0x20
_ERROR_ROLLOVER = 0x01
_ENTER_KEYS = {0x28, 0x58}  # Enter and keypad Enter
_TAB = 0x2B
_CAPS_LOCK = 0x39

_LETTERS = {0x04 + i: chr(ord("a") + i) for i in range(26)}
_PLAIN = {
    **_LETTERS,
    **{0x1E + i: str((i + 1) % 10) for i in range(10)},
    0x2C: " ", 0x2D: "-", 0x2E: "=", 0x2F: "[", 0x30: "]", 0x31: "\\", 0x32: "#",
    0x33: ";", 0x34: "'", 0x35: "`", 0x36: ",", 0x37: ".", 0x38: "/",
    0x54: "/", 0x55: "*", 0x56: "-", 0x57: "+", 0x63: ".",
    **{0x59 + i: str((i + 1) % 10) for i in range(10)},
}  # fmt: skip
_SHIFTED = {
    **{code: char.upper() for code, char in _LETTERS.items()},
    **dict(zip(range(0x1E, 0x28), "!@#$%^&*()", strict=True)),
    0x2C: " ", 0x2D: "_", 0x2E: "+", 0x2F: "{", 0x30: "}", 0x31: "|", 0x32: "~",
    0x33: ":", 0x34: '"', 0x35: "~", 0x36: "<", 0x37: ">", 0x38: "?",
}  # fmt: skip


class BootKeyboardDecoder:
    """Turns boot-keyboard reports into the characters they type.

    A key types when it appears in a report (not while it stays pressed). Enter
    types "\\r", Tab "\\t", Ctrl+] the GS1 separator, Ctrl+letter its control
    character; a key with no meaning here types None, so the scan is marked bad.
    """

    def __init__(self) -> None:
        self._down: set[int] = set()

    def feed(self, report: bytes) -> list[str | None]:
        """The characters typed by one report (usually zero or one)."""
        if len(report) < 3:
            return []
        modifiers, keys = report[0], [k for k in report[2:8] if k]
        if _ERROR_ROLLOVER in keys:
            return []  # too many keys at once: the report carries no key data
        typed = [self._char(k, modifiers) for k in keys if k not in self._down]
        self._down = set(keys)
        return [c for c in typed if c != ""]

    def reset(self) -> None:
        self._down.clear()

    @staticmethod
    def _char(key: int, modifiers: int) -> str | None:
        if key in _ENTER_KEYS:
            return "\r"
        if key == _TAB:
            return "\t"
        if key == _CAPS_LOCK:
            return ""  # some scanners toggle it around a code; the shift bit is what counts
        if modifiers & _CTRL:
            if key == 0x30:
                return GS1_SEPARATOR
            letter = _LETTERS.get(key)
            return chr(ord(letter) & 0x1F) if letter else None
        table = _SHIFTED if modifiers & _SHIFT else _PLAIN
        return table.get(key)


class _ScanBuilder:
    """Collects typed characters into scans ended by Enter; never grows without bound."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._chars: list[str] = []
        self._bad_key = False
        self._discarding = False

    def add(self, char: str | None) -> ScanResult | None:
        if char == "\r":
            return self._finish()
        if self._discarding:
            return None
        if char is None:
            self._bad_key = True
            return None
        self._chars.append(char)
        if len(self._chars) > MAX_SCAN_LENGTH:
            self._chars.clear()
            self._discarding = True
            return unreadable("far too long for a barcode", self.source)
        return None

    @property
    def pending(self) -> bool:
        return bool(self._chars)

    def reset(self) -> None:
        self._chars.clear()
        self._bad_key = self._discarding = False

    def _finish(self) -> ScanResult | None:
        text, bad, discarding = "".join(self._chars), self._bad_key, self._discarding
        self.reset()
        if discarding:
            return None  # already reported when it overflowed
        if bad:
            return unreadable("the scanner sent a key that is not a character", self.source, text)
        return validate_scan(text, self.source)


class UsbHidScanner(ScanSource):
    """Reads a keyboard-mode USB scanner by vendor/product id; survives unplug and replug.

    ``backend`` is a pyusb backend; None lets pyusb pick libusb (tests pass an emulation).
    """

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        interface: int = 0,
        backend: Any = None,
        name: str | None = None,
        backoff: Backoff | None = None,
        read_timeout_ms: int = 100,
    ) -> None:
        self.vendor_id, self.product_id, self.interface = vendor_id, product_id, interface
        self._backend = backend
        self._read_timeout_ms = read_timeout_ms  # also how quickly close() is noticed
        super().__init__(name or f"usb:{vendor_id:04x}:{product_id:04x}", backoff=backoff)
        self._device: Any = None
        self._endpoint: Any = None
        self._detached = False
        self._decoder = BootKeyboardDecoder()
        self._builder = _ScanBuilder(self.name)

    def describe(self) -> str:
        return f"USB scanner {self.vendor_id:04x}:{self.product_id:04x}"

    def _connect(self) -> None:
        try:
            device = usb.core.find(
                idVendor=self.vendor_id, idProduct=self.product_id, backend=self._backend
            )
        except usb.core.NoBackendError:
            raise DeviceFailed("libusb is not installed (apt install libusb-1.0-0)") from None
        if device is None:
            raise DeviceMissing("not connected; waiting for it")
        self._device = device
        try:
            self._take_from_kernel(device)
            try:
                device.set_configuration()
            except usb.core.USBError as exc:
                # Already configured (e.g. by the kernel before we detached it): harmless.
                log.debug("set_configuration on %s: %s", self.name, exc)
            usb.util.claim_interface(device, self.interface)
            self._endpoint = self._interrupt_in(device)
            self._request_boot_protocol(device)
        except usb.core.USBError as exc:
            raise _classify(exc) from None
        self._decoder.reset()
        self._builder.reset()

    def _take_from_kernel(self, device: Any) -> None:
        try:
            if device.is_kernel_driver_active(self.interface):
                device.detach_kernel_driver(self.interface)
                self._detached = True
        except NotImplementedError:
            pass  # backends without kernel drivers (Windows, emulations) have nothing to detach

    def _interrupt_in(self, device: Any) -> Any:
        setting = device.get_active_configuration()[(self.interface, 0)]
        endpoint = usb.util.find_descriptor(
            setting,
            custom_match=lambda e: (
                usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_IN
                and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_INTR
            ),
        )
        if endpoint is None:
            raise DeviceFailed("is not in keyboard mode (no interrupt endpoint)")
        return endpoint

    def _request_boot_protocol(self, device: Any) -> None:
        # SET_PROTOCOL(boot): the 8-byte report layout is then guaranteed, not just likely.
        try:
            device.ctrl_transfer(0x21, 0x0B, 0, self.interface, None, 500)
        except (usb.core.USBError, NotImplementedError) as exc:
            log.debug("SET_PROTOCOL on %s refused: %s", self.name, exc)

    def _read_loop(self) -> None:
        device, endpoint = self._device, self._endpoint
        size = max(8, int(endpoint.wMaxPacketSize))
        while not self.stopping:
            try:
                report = device.read(endpoint.bEndpointAddress, size, self._read_timeout_ms)
            except usb.core.USBTimeoutError:
                continue  # nobody scanned; look at the stop flag and wait again
            except usb.core.USBError as exc:
                if self._builder.pending:
                    log.info("%s: an unfinished scan was dropped", self.name)
                raise _classify(exc) from None
            for char in self._decoder.feed(bytes(report)):
                result = self._builder.add(char)
                if result is not None:
                    self._deliver(result)

    def _disconnect(self) -> None:
        device, self._device, self._endpoint = self._device, None, None
        if device is None:
            return
        try:
            usb.util.release_interface(device, self.interface)
            if self._detached:
                # Give the scanner back to the keyboard driver, as we found it.
                device.attach_kernel_driver(self.interface)
        except (usb.core.USBError, NotImplementedError) as exc:
            log.debug("releasing %s: %s", self.name, exc)  # unplugged: nothing to give back
        finally:
            self._detached = False
            try:
                usb.util.dispose_resources(device)
            except usb.core.USBError:
                pass


def _classify(exc: usb.core.USBError) -> Exception:
    code = exc.errno
    if code in (errno.ENODEV, errno.ENOENT, errno.EIO, errno.EPIPE):
        return DeviceMissing("not connected; waiting for it")
    if code in (errno.EACCES, errno.EPERM):
        return DeviceFailed("permission denied (install the udev rule for the scanner)")
    if code == errno.EBUSY:
        return DeviceFailed("in use by another program")
    return DeviceFailed(f"USB error: {exc}")
