"""The print queue: a job survives an offline printer, prints once it is back, never twice."""

from __future__ import annotations

import threading

import pytest

from app.domain.cards import render_card as card_text
from devices.config import printer_config
from devices.fake_usb import FakePrinter, FakeUsbBus
from devices.print_queue import Job, PrinterState, PrintQueueStatus, PrintQueueWorker
from devices.printers import PrinterOffline, connect
from tests.devices.conftest import TcpPrinter, card_data, wait_until
from tests.devices.escpos_decode import decode


class FakeQueue:
    """The PrintJob table, in memory, behind the three callables the worker takes."""

    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}
        self.lock = threading.Lock()
        self.busy = 0  # the next N mark_printed calls fail like a locked database

    def add(self, serial: str, kind: str = "card") -> int:
        job_id = len(self.rows) + 1
        card = card_data(serial=serial)
        self.rows[job_id] = dict(
            kind=kind,
            text=card_text(card),
            claim_code=card.claim_code,
            status="queued",
            attempts=0,
            last_error="",
            marked_printed=0,
        )
        return job_id

    def fetch(self) -> list[Job]:
        with self.lock:
            return [
                Job(i, r["kind"], r["text"], r["claim_code"])
                for i, r in sorted(self.rows.items())
                if r["status"] == "queued"
            ]

    def printed(self, job_id: int) -> None:
        with self.lock:
            if self.busy:
                self.busy -= 1
                raise RuntimeError("database is locked")
            row = self.rows[job_id]
            row["status"] = "printed"
            row["marked_printed"] += 1

    def failed(self, job_id: int, error: str) -> None:
        with self.lock:
            row = self.rows[job_id]
            row["attempts"] += 1
            row["last_error"] = error

    def status(self, job_id: int) -> str:
        return self.rows[job_id]["status"]


def printed_serials(data: bytes) -> list[str]:
    """The claim codes on the cards that came out of the printer, in order."""
    return [barcode.data for barcode in decode(data).barcodes]


@pytest.fixture
def jobs() -> FakeQueue:
    return FakeQueue()


def network_worker(jobs: FakeQueue, printer: TcpPrinter, **kwargs) -> PrintQueueWorker:
    config = printer_config({"kind": "network", "host": f"127.0.0.1:{printer.port}", "timeout": 1})
    return PrintQueueWorker(
        fetch_queued=jobs.fetch,
        mark_printed=jobs.printed,
        mark_failed=jobs.failed,
        connect=lambda: connect(config),
        **kwargs,
    )


def settle(printer: TcpPrinter, cards: int) -> None:
    wait_until(lambda: decode(printer.data).cuts >= cards)


def test_queued_cards_print_in_order_once(jobs, tcp_printer):
    for serial in ("SN-0001", "SN-0002", "SN-0003"):
        jobs.add(serial)
    worker = network_worker(jobs, tcp_printer)
    status = worker.run_once()
    assert status == PrintQueueStatus(PrinterState.OK, "Printer ready", 0, status.at)
    settle(tcp_printer, 3)
    assert printed_serials(tcp_printer.data) == ["SN-0001", "SN-0002", "SN-0003"]
    assert worker.run_once().waiting == 0
    assert printed_serials(tcp_printer.data) == ["SN-0001", "SN-0002", "SN-0003"]
    assert [r["marked_printed"] for r in jobs.rows.values()] == [1, 1, 1]


def test_offline_at_sale_time_then_printed_once_when_back(jobs, tcp_printer):
    tcp_printer.stop()  # switched off when the sale completes
    job = jobs.add("SN-0042")
    seen: list[PrintQueueStatus] = []
    worker = network_worker(jobs, tcp_printer, on_status=seen.append)
    status = worker.run_once()
    assert status.printer is PrinterState.OFFLINE and status.waiting == 1
    assert jobs.status(job) == "queued"
    assert "not connected or switched off" in jobs.rows[job]["last_error"]
    assert jobs.rows[job]["attempts"] == 1
    worker.run_once()  # still off: retried, still queued
    assert jobs.rows[job]["attempts"] == 2 and jobs.status(job) == "queued"

    tcp_printer.start()  # back on
    assert worker.run_once().printer is PrinterState.OK
    settle(tcp_printer, 1)
    worker.run_once()
    worker.run_once()
    assert printed_serials(tcp_printer.data) == ["SN-0042"]
    assert jobs.status(job) == "printed" and jobs.rows[job]["marked_printed"] == 1
    assert [s.printer for s in seen] == [PrinterState.OFFLINE, PrinterState.OK]


def test_usb_printer_that_times_out_keeps_the_job_then_prints_it_once(jobs):
    device = FakePrinter()
    device.mode = "offline"
    bus = FakeUsbBus(device)
    config = printer_config({"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0202})
    worker = PrintQueueWorker(
        fetch_queued=jobs.fetch,
        mark_printed=jobs.printed,
        mark_failed=jobs.failed,
        connect=lambda: connect(config, usb_backend=bus),
    )
    first, second = jobs.add("SN-0001"), jobs.add("SN-0002")
    status = worker.run_once()
    assert status.printer is PrinterState.OFFLINE and status.waiting == 2
    assert "did not answer" in jobs.rows[first]["last_error"]
    assert jobs.rows[second]["attempts"] == 0  # the batch stops at the printer's failure
    device.mode = "online"
    worker.run_once()
    worker.run_once()
    assert printed_serials(bytes(device.received)) == ["SN-0001", "SN-0002"]


def test_unplugged_mid_batch_keeps_the_rest_queued(jobs):
    device = FakePrinter()
    bus = FakeUsbBus(device)
    config = printer_config({"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0202})
    writes = 0

    class UnplugAfterFirst:
        def __init__(self) -> None:
            self.inner = connect(config, usb_backend=bus)

        def write(self, data: bytes) -> None:
            nonlocal writes
            writes += 1
            if writes == 2:
                device.unplug()
            self.inner.write(data)

        def close(self) -> None:
            self.inner.close()

    worker = PrintQueueWorker(
        fetch_queued=jobs.fetch,
        mark_printed=jobs.printed,
        mark_failed=jobs.failed,
        connect=UnplugAfterFirst,
    )
    ids = [jobs.add(f"SN-000{n}") for n in (1, 2, 3)]
    status = worker.run_once()
    assert status.printer is PrinterState.OFFLINE and status.waiting == 2
    assert "unplugged" in status.message
    assert [jobs.status(i) for i in ids] == ["printed", "queued", "queued"]
    device.plug()
    assert worker.run_once().waiting == 0
    assert printed_serials(bytes(device.received)) == ["SN-0001", "SN-0002", "SN-0003"]


def test_a_printed_job_the_database_could_not_record_is_not_printed_again(jobs, tcp_printer):
    job = jobs.add("SN-0007")
    jobs.busy = 2  # mark_printed fails twice: the database is locked by another seat
    worker = network_worker(jobs, tcp_printer)
    worker.run_once()
    settle(tcp_printer, 1)
    assert jobs.status(job) == "queued"  # printed, but not yet recorded
    worker.run_once()  # recording retried (fails again); the job is not sent again
    worker.run_once()  # recorded now
    assert jobs.status(job) == "printed"
    worker.run_once()
    assert printed_serials(tcp_printer.data) == ["SN-0007"]


def test_a_job_that_cannot_be_rendered_does_not_block_the_others(jobs):
    bad, good = jobs.add("SN-BAD"), jobs.add("SN-GOOD")
    out = bytearray()

    class Sink:
        def write(self, data: bytes) -> None:
            out.extend(data)

        def close(self) -> None:
            pass

    def render(job) -> bytes:
        if job.id == bad:
            raise ValueError("broken template")
        return b"job %d\n" % job.id

    worker = PrintQueueWorker(
        fetch_queued=jobs.fetch,
        mark_printed=jobs.printed,
        mark_failed=jobs.failed,
        connect=Sink,
        render=render,
    )
    worker.run_once()
    assert bytes(out) == b"job %d\n" % good
    assert jobs.status(bad) == "queued" and "broken template" in jobs.rows[bad]["last_error"]


def test_a_queue_that_cannot_be_read_is_a_status_not_a_crash():
    def fetch():
        raise RuntimeError("no database")

    worker = PrintQueueWorker(
        fetch_queued=fetch,
        mark_printed=lambda i: None,
        mark_failed=lambda i, e: None,
        connect=lambda: pytest.fail("nothing to print"),
    )
    assert "Print queue unavailable" in worker.run_once().message


def test_the_thread_prints_when_kicked_and_retries_on_its_own(jobs, tcp_printer):
    statuses: list[PrintQueueStatus] = []
    worker = network_worker(jobs, tcp_printer, retry_interval=0.05, on_status=statuses.append)
    worker.start()
    try:
        jobs.add("SN-0100")
        worker.kick()
        settle(tcp_printer, 1)
        tcp_printer.stop()
        jobs.add("SN-0101")
        worker.kick()
        wait_until(lambda: worker.status.printer is PrinterState.OFFLINE)
        assert worker.status.waiting == 1
        tcp_printer.start()  # reconnect: no kick needed, the retry finds it
        settle(tcp_printer, 2)
        wait_until(lambda: worker.status.printer is PrinterState.OK and not jobs.fetch())
    finally:
        worker.close()
    assert printed_serials(tcp_printer.data) == ["SN-0100", "SN-0101"]
    assert all(r["marked_printed"] == 1 for r in jobs.rows.values())


def test_an_unconfigured_printer_keeps_jobs_queued(jobs):
    job = jobs.add("SN-1")
    worker = PrintQueueWorker(
        fetch_queued=jobs.fetch,
        mark_printed=jobs.printed,
        mark_failed=jobs.failed,
        connect=lambda: connect(printer_config({})),
    )
    status = worker.run_once()
    assert status.printer is PrinterState.OFFLINE and "No printer is set up" in status.message
    assert jobs.status(job) == "queued"


def test_printer_offline_is_a_domain_error_with_a_readable_message():
    from app.domain.errors import DomainError

    assert issubclass(PrinterOffline, DomainError)
