"""An emulated USB bus at pyusb's backend level, for tests and demos without hardware.

pyusb (and python-escpos above it) run unchanged: ``usb.core.find(backend=bus)``
enumerates the emulated devices, reads their descriptors and sends transfers
here. Two devices are emulated: a receipt printer (bulk OUT 0x01, bulk IN 0x82)
and a keyboard-mode scanner (HID boot keyboard, interrupt IN 0x81). Each can be
unplugged and plugged back; a printer can also be offline (writes time out) or
out of paper.
"""

from __future__ import annotations

import array
import errno
import queue
import threading
from types import SimpleNamespace
from typing import Any

import usb.backend
import usb.core

_BULK, _INTERRUPT = 0x02, 0x03


def _no_device() -> usb.core.USBError:
    return usb.core.USBError("No such device (it may have been disconnected)", -4, errno.ENODEV)


def _timed_out() -> usb.core.USBTimeoutError:
    return usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)


class FakeDevice:
    """Common state of an emulated device: ids, plugged in or not, kernel driver."""

    interface_class = 0xFF
    endpoints: tuple[tuple[int, int, int], ...] = ()  # (address, transfer type, max packet)

    def __init__(self, vendor_id: int, product_id: int) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.plugged = True
        self.generation = 0  # bumped on unplug: handles opened before are dead
        self.kernel_driver_active = True
        self.detach_calls = 0
        self.attach_calls = 0
        self.lock = threading.Lock()

    def unplug(self) -> None:
        with self.lock:
            self.plugged = False
            self.generation += 1

    def plug(self) -> None:
        with self.lock:
            self.plugged = True
            self.kernel_driver_active = True  # the kernel grabs a freshly plugged device


class FakePrinter(FakeDevice):
    """A receipt printer: collects what it is sent in ``received``.

    ``mode``: "online"; "offline" (every write times out, as a printer that is
    switched on but jammed or with its cover open); "paper_out" (prints nothing,
    and its paper sensor says so).
    """

    interface_class = 0x07
    endpoints = ((0x01, _BULK, 64), (0x82, _BULK, 64))

    def __init__(self, vendor_id: int = 0x04B8, product_id: int = 0x0202) -> None:
        super().__init__(vendor_id, product_id)
        self.mode = "online"
        self.received = bytearray()
        self.write_timeouts: list[int] = []  # the timeout (ms) of every write attempted
        self._pending_status = b""

    def write(self, data: bytes, timeout: int) -> int:
        self.write_timeouts.append(timeout)
        if timeout == 0 and self.mode != "online":
            # A real offline printer would never answer: this test would hang forever.
            raise AssertionError("a USB write without a timeout waits forever on this printer")
        if self.mode == "offline":
            raise _timed_out()
        if data.startswith(b"\x10\x04"):  # DLE EOT n: real-time status request
            paper = 0x72 if self.mode == "paper_out" else 0x12
            self._pending_status = bytes([paper])
            return len(data)
        if self.mode == "paper_out":
            raise _timed_out()  # nothing moves; the buffer fills and the write stalls
        self.received.extend(data)
        return len(data)

    def read(self, size: int) -> bytes:
        answer, self._pending_status = self._pending_status[:size], b""
        if not answer:
            raise _timed_out()
        return answer


class FakeScanner(FakeDevice):
    """A barcode scanner in USB keyboard mode: ``type_text`` queues its boot reports."""

    interface_class = 0x03
    endpoints = ((0x81, _INTERRUPT, 8),)

    def __init__(self, vendor_id: int = 0x05E0, product_id: int = 0x1200) -> None:
        super().__init__(vendor_id, product_id)
        self.reports: queue.Queue[bytes | None] = queue.Queue()

    def send_report(self, report: bytes) -> None:
        self.reports.put(bytes(report))

    def type_text(self, text: str, enter: bool = True) -> None:
        """Queue the press/release reports a scanner sends for ``text`` (US layout)."""
        for char in text + ("\r" if enter else ""):
            modifiers, key = key_for(char)
            self.send_report(bytes([modifiers, 0, key, 0, 0, 0, 0, 0]))
            self.send_report(bytes(8))

    def unplug(self) -> None:
        super().unplug()
        self.reports.put(None)  # wake a read waiting for the next report

    def read(self, size: int, timeout: int) -> bytes | None:
        """The next report; None when woken by an unplug."""
        try:
            report = self.reports.get(timeout=(timeout or 1000) / 1000)
        except queue.Empty:
            raise _timed_out() from None
        return None if report is None else report[:size]


_US_SHIFTED = "!@#$%^&*()"


def key_for(char: str) -> tuple[int, int]:
    """(modifiers, usage id) of one character on a US keyboard, as a scanner types it."""
    if char == "\r":
        return 0, 0x28
    if char == "\x1d":
        return 0x01, 0x30  # Ctrl+]: the GS1 group separator
    if "a" <= char <= "z":
        return 0, 0x04 + ord(char) - ord("a")
    if "A" <= char <= "Z":
        return 0x02, 0x04 + ord(char) - ord("A")
    if "1" <= char <= "9":
        return 0, 0x1E + ord(char) - ord("1")
    if char == "0":
        return 0, 0x27
    if char in _US_SHIFTED:
        return 0x02, 0x1E + _US_SHIFTED.index(char)
    plain = {" ": 0x2C, "-": 0x2D, "=": 0x2E, ".": 0x37, "/": 0x38, ",": 0x36, ";": 0x33}
    if char in plain:
        return 0, plain[char]
    shifted = {"_": 0x2D, "+": 0x2E, ":": 0x33, "?": 0x38}
    if char in shifted:
        return 0x02, shifted[char]
    raise ValueError(f"no US key for {char!r}")


class FakeUsbBus(usb.backend.IBackend):
    """A pyusb backend whose devices are ``FakeDevice`` objects."""

    def __init__(self, *devices: FakeDevice) -> None:
        super().__init__()
        self.devices = list(devices)

    # -- enumeration and descriptors -------------------------------------------------

    def enumerate_devices(self) -> list[FakeDevice]:
        return [d for d in self.devices if d.plugged]

    def get_parent(self, dev: FakeDevice) -> None:
        return None

    def get_device_descriptor(self, dev: FakeDevice) -> SimpleNamespace:
        return SimpleNamespace(
            bLength=18, bDescriptorType=1, bcdUSB=0x0200, bDeviceClass=0, bDeviceSubClass=0,
            bDeviceProtocol=0, bMaxPacketSize0=64, idVendor=dev.vendor_id,
            idProduct=dev.product_id, bcdDevice=0x0100, iManufacturer=0, iProduct=0,
            iSerialNumber=0, bNumConfigurations=1, address=self.devices.index(dev) + 1, bus=1,
            port_number=1, port_numbers=(1,), speed=3,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev: FakeDevice, config: int) -> SimpleNamespace:
        return SimpleNamespace(
            bLength=9, bDescriptorType=2, wTotalLength=32, bNumInterfaces=1,
            bConfigurationValue=1, iConfiguration=0, bmAttributes=0x80, bMaxPower=50,
            extra_descriptors=[],
        )  # fmt: skip

    def get_interface_descriptor(
        self, dev: FakeDevice, intf: int, alt: int, config: int
    ) -> SimpleNamespace:
        if intf != 0 or alt != 0:
            raise IndexError("no such interface")
        boot = dev.interface_class == 0x03
        return SimpleNamespace(
            bLength=9, bDescriptorType=4, bInterfaceNumber=0, bAlternateSetting=0,
            bNumEndpoints=len(dev.endpoints), bInterfaceClass=dev.interface_class,
            bInterfaceSubClass=1, bInterfaceProtocol=1 if boot else 2,
            iInterface=0, extra_descriptors=[],
        )  # fmt: skip

    def get_endpoint_descriptor(
        self, dev: FakeDevice, ep: int, intf: int, alt: int, config: int
    ) -> SimpleNamespace:
        address, kind, size = dev.endpoints[ep]
        return SimpleNamespace(
            bLength=7, bDescriptorType=5, bEndpointAddress=address, bmAttributes=kind,
            wMaxPacketSize=size, bInterval=10 if kind == _INTERRUPT else 0, bRefresh=0,
            bSynchAddress=0, extra_descriptors=[],
        )  # fmt: skip

    # -- handles and control -----------------------------------------------------------

    def open_device(self, dev: FakeDevice) -> SimpleNamespace:
        if not dev.plugged:
            raise _no_device()
        return SimpleNamespace(device=dev, generation=dev.generation)

    def _live(self, handle: SimpleNamespace) -> FakeDevice:
        dev: FakeDevice = handle.device
        if not dev.plugged or handle.generation != dev.generation:
            raise _no_device()
        return dev

    def close_device(self, dev_handle: SimpleNamespace) -> None:
        pass

    def set_configuration(self, dev_handle: SimpleNamespace, config_value: int) -> None:
        self._live(dev_handle)

    def get_configuration(self, dev_handle: SimpleNamespace) -> int:
        self._live(dev_handle)
        return 1

    def set_interface_altsetting(self, dev_handle: Any, intf: int, altsetting: int) -> None:
        self._live(dev_handle)

    def claim_interface(self, dev_handle: SimpleNamespace, intf: int) -> None:
        dev = self._live(dev_handle)
        if dev.kernel_driver_active:
            raise usb.core.USBError("Resource busy", -6, errno.EBUSY)

    def release_interface(self, dev_handle: SimpleNamespace, intf: int) -> None:
        self._live(dev_handle)

    def ctrl_transfer(self, dev_handle: Any, bmRequestType: int, bRequest: int, wValue: int,
                      wIndex: int, data: Any, timeout: int) -> int:  # fmt: skip
        self._live(dev_handle)
        return 0

    def clear_halt(self, dev_handle: SimpleNamespace, ep: int) -> None:
        self._live(dev_handle)

    def reset_device(self, dev_handle: SimpleNamespace) -> None:
        self._live(dev_handle)

    def is_kernel_driver_active(self, dev_handle: SimpleNamespace, intf: int) -> bool:
        return self._live(dev_handle).kernel_driver_active

    def detach_kernel_driver(self, dev_handle: SimpleNamespace, intf: int) -> None:
        dev = self._live(dev_handle)
        dev.kernel_driver_active = False
        dev.detach_calls += 1

    def attach_kernel_driver(self, dev_handle: SimpleNamespace, intf: int) -> None:
        dev = self._live(dev_handle)
        dev.kernel_driver_active = True
        dev.attach_calls += 1

    # -- transfers -----------------------------------------------------------------------

    def bulk_write(self, dev_handle: Any, ep: int, intf: int, data: array.array, timeout: int):
        dev = self._live(dev_handle)
        if not isinstance(dev, FakePrinter):
            raise usb.core.USBError("Pipe error", -9, errno.EPIPE)
        return dev.write(data.tobytes(), timeout)

    def bulk_read(self, dev_handle: Any, ep: int, intf: int, buff: array.array, timeout: int):
        dev = self._live(dev_handle)
        if not isinstance(dev, FakePrinter):
            raise usb.core.USBError("Pipe error", -9, errno.EPIPE)
        return self._fill(buff, dev.read(len(buff)))

    def intr_read(self, dev_handle: Any, ep: int, intf: int, buff: array.array, timeout: int):
        dev = self._live(dev_handle)
        if not isinstance(dev, FakeScanner):
            raise usb.core.USBError("Pipe error", -9, errno.EPIPE)
        report = dev.read(len(buff), timeout)
        self._live(dev_handle)  # unplugged while waiting
        if report is None:
            raise _timed_out()  # the wake-up of an earlier unplug, read after a replug
        return self._fill(buff, report)

    @staticmethod
    def _fill(buff: array.array, data: bytes) -> int:
        buff[: len(data)] = array.array("B", data)
        return len(data)
