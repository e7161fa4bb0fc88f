"""One seat's devices built from its settings: what the app calls at start-up.

The app owns the lifecycle (start in ``on_mount``, close in ``on_unmount``) and
turns callbacks into messages; these helpers only pick and wire the classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from devices.config import PrinterConfig, ScannerConfig
from devices.print_queue import PrintQueueStatus, PrintQueueWorker, QueuedJob, render_job
from devices.wedge import WedgeDetector

if TYPE_CHECKING:  # loaded when a scanner or printer is really used, not at every start
    from devices.printers import PrinterConnection
    from devices.render import PaperOptions
    from devices.source import ScanSource


def make_scanner(config: ScannerConfig, *, usb_backend: Any = None) -> ScanSource | None:
    """The threaded scan source for ``serial`` or ``usb_hid``; None for ``wedge``/``none``.

    A wedge scanner is not a thread: it arrives as keys (see ``make_wedge``).
    """
    if config.source == "serial":
        from devices.serial_scanner import SerialScanner, parse_terminator

        return SerialScanner(config.port, config.baudrate, parse_terminator(config.terminator))
    if config.source == "usb_hid":
        from devices.usb_hid import UsbHidScanner

        return UsbHidScanner(
            config.vendor_id, config.product_id, interface=config.interface, backend=usb_backend
        )
    return None


def make_wedge(config: ScannerConfig) -> WedgeDetector | None:
    """The keyboard-wedge detector when the seat's scanner types as a keyboard."""
    return WedgeDetector(config.wedge()) if config.source == "wedge" else None


def paper_options(config: PrinterConfig) -> PaperOptions:
    """Layout settings for ``devices.render`` from the printer's settings."""
    from devices.render import PaperOptions

    return PaperOptions(
        profile=config.profile,
        symbology=config.symbology,
        columns=config.columns,
        shop_name=config.shop_name,
        shop_phone=config.shop_phone,
    )


def printer_connector(
    config: PrinterConfig, *, usb_backend: Any = None
) -> Callable[[], PrinterConnection]:
    """A factory that opens the seat's printer (raising PrinterOffline) each time it is called."""

    def connect() -> PrinterConnection:
        from devices.printers import connect  # python-escpos: when the printer is opened

        return connect(config, usb_backend=usb_backend)

    return connect


def make_print_worker(
    config: PrinterConfig,
    *,
    fetch_queued: Callable[[], Sequence[QueuedJob]],
    mark_printed: Callable[[int], None],
    mark_failed: Callable[[int, str], None],
    on_status: Callable[[PrintQueueStatus], None] | None = None,
    retry_interval: float = 10.0,
    usb_backend: Any = None,
) -> PrintQueueWorker:
    """The print queue worker for this seat's printer and paper layout (the layout and
    python-escpos load in the worker's thread, at its first job)."""
    return PrintQueueWorker(
        fetch_queued=fetch_queued,
        mark_printed=mark_printed,
        mark_failed=mark_failed,
        connect=printer_connector(config, usb_backend=usb_backend),
        render=lambda job: render_job(job, paper_options(config)),
        retry_interval=retry_interval,
        on_status=on_status,
    )


def printer_test_card(config: PrinterConfig, shop_name: str = "SerialDesk") -> bytes:
    """A sample warranty card for ``serialdesk devices``: text, barcode, cut."""
    from app.domain.cards import CardData
    from app.domain.cards import render_card as card_text
    from devices.render import render_card

    today = date.today()
    sample = CardData(
        shop_name=shop_name,
        shop_address="Printer test",
        product="Test product",
        sku="TEST",
        serial="TEST-0001",
        warranty_number="",
        imei=False,
        sale_number="TEST",
        sale_date=today,
        warranty_months=0,
        warranty_end=today,
        customer="",
        terms="If you can read this and scan the code below, the printer works.",
    )
    return render_card(card_text(sample), sample.claim_code, paper_options(config))
