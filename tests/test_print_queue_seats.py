"""A seat's print queue follows the seat: renamed in its settings, it still prints the cards
it owed under its old name, once. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app import seat_file as seat_file_module
from app.config import load_config, seat_settings
from app.domain.errors import DomainError
from app.seat_file import save_seat_settings
from app.services.counter import printing
from db.models import PrintJob
from devices.print_queue import PrintQueueWorker
from tests.conftest import IMEIS
from tests.support import receive_phones, sell_serials


class Paper:
    """A printer that keeps what it printed, card by card."""

    def __init__(self) -> None:
        self.cards: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.cards.append(data)

    def close(self) -> None:
        pass


def owed_cards(shop, serials: list[str], seat: str) -> list[int]:
    """Sell phones and queue their warranty cards under ``seat``."""
    receive_phones(shop.inventory, serials)
    sale = sell_serials(shop.cashier, serials)
    return [
        printing.queue(shop.cashier, c, seat=seat) for c in printing.cards_for_sale(sale.number)
    ]


def printed_by(seat: str, passes: int = 2) -> list[bytes]:
    """What the seat's print worker prints in a few passes (each card's claim code)."""
    paper = Paper()
    worker = PrintQueueWorker(
        fetch_queued=lambda: printing.queued_jobs(seat),
        mark_printed=printing.mark_printed,
        mark_failed=printing.mark_failed,
        connect=lambda: paper,
        render=lambda job: job.claim_code.encode(),
    )
    for _ in range(passes):
        worker.run_once()
    return paper.cards


def renamed(path: Path, name: str):
    return replace(seat_settings(load_config(path)), seat=name)


@pytest.fixture
def seat_file(tmp_path) -> Path:
    path = tmp_path / "seat.toml"
    path.write_text('seat = "Counter 1"  # by the door\n')
    return path


def test_a_renamed_seat_prints_the_cards_queued_under_its_old_name_once(shop, seat_file):
    first, second = owed_cards(shop, IMEIS[:2], "Counter 1")
    printing.mark_printed(first)  # printed before the rename
    saved = save_seat_settings(seat_file, renamed(seat_file, "Till A"), running_seat="Counter 1")
    assert saved.seat == "Till A" == load_config(seat_file).seat
    assert "# by the door" in seat_file.read_text()
    assert [job.id for job in printing.queued_jobs("Till A")] == [second]
    assert printing.queued_jobs("Counter 1") == []
    assert PrintJob.get_by_id(first).seat == "Counter 1"  # a printed job stays as it was
    assert printed_by(load_config(seat_file).seat) == [IMEIS[1].encode()]  # once
    assert printed_by("Counter 1") == [] and printed_by("Till A") == []  # never twice


def test_another_seats_queue_stays_with_that_seat(shop, seat_file):
    (mine,) = owed_cards(shop, IMEIS[:1], "Counter 1")
    (theirs,) = owed_cards(shop, IMEIS[1:2], "Counter 2")
    save_seat_settings(seat_file, renamed(seat_file, "Till A"), running_seat="Counter 1")
    assert [job.id for job in printing.queued_jobs("Till A")] == [mine]
    assert [job.id for job in printing.queued_jobs("Counter 2")] == [theirs]


def test_a_seat_file_that_cannot_be_written_moves_nothing(shop, seat_file, monkeypatch):
    (job,) = owed_cards(shop, IMEIS[:1], "Counter 1")
    before = seat_file.read_text()

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(seat_file_module, "_write_privately", disk_full)
    with pytest.raises(DomainError, match="No space left"):
        save_seat_settings(seat_file, renamed(seat_file, "Till A"), running_seat="Counter 1")
    assert seat_file.read_text() == before
    assert [j.id for j in printing.queued_jobs("Counter 1")] == [job]
    assert printing.queued_jobs("Till A") == []


def test_saving_without_a_new_name_leaves_the_queue_alone(shop, seat_file):
    (job,) = owed_cards(shop, IMEIS[:1], "Counter 1")
    settings = replace(seat_settings(load_config(seat_file)), idle_lock_minutes=3)
    save_seat_settings(seat_file, settings, running_seat="Counter 1")
    assert load_config(seat_file).idle_lock_minutes == 3
    assert [j.id for j in printing.queued_jobs("Counter 1")] == [job]
    assert printing.adopt_queue("Counter 1", "Counter 1") == 0
