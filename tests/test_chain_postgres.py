"""A chain on PostgreSQL: two branches' seats, separate processes, one database. Branch A
sends units to B while both sell; B takes them in and sells them too."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from app.services.safety import integrity
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.models import Document, Unit
from tests.conftest import make_imei, make_shop

A_SELL = [make_imei(n) for n in range(8000, 8015)]
A_SEND = [make_imei(n) for n in range(8100, 8110)]
B_SELL = [make_imei(n) for n in range(8200, 8215)]


def _branch_a(url: str, numbers, results) -> None:
    from app.services.access.context import load_context
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.transfers import TransferItem, transfer_out

    open_database(url)
    ivy, cal = load_context("ivy"), load_context("cal")
    sold = []
    for send, serial in zip(A_SEND, A_SELL, strict=False):
        numbers.put((transfer_out(ivy, "B", [TransferItem(serial=send)]).number, send))
        sold.append(sell(cal, [SaleItem(serial=serial)]).number)
    numbers.put(None)
    results.put(("A", sold))


def _branch_b(url: str, numbers, results) -> None:
    from app.services.access.context import load_context
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.transfers import transfer_in

    open_database(url)
    ian, bea = load_context("ian"), load_context("bea")
    sold, own = [], iter(B_SELL)
    while (sent := numbers.get(timeout=60)) is not None:
        received = transfer_in(ian, sent[0], [sent[1]])
        assert received.status == "closed", received
        sold.append(sell(bea, [SaleItem(serial=next(own))]).number)
    # The units that came from A are on B's shelf now: B sells half of them.
    for serial in A_SEND[:5]:
        sold.append(sell(bea, [SaleItem(serial=serial)]).number)
    results.put(("B", sold))


@pytest.mark.slow
def test_two_branches_transfer_and_sell_at_once_on_postgres(pg_schema_url):
    open_database(pg_schema_url)
    shop = make_shop(pg_schema_url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", A_SELL + A_SEND, cost="300")])
    receive(shop.inventory_b, "PhoneCo", [ReceiptLine("PH-X1", B_SELL, cost="300")])
    close_database()
    ctx = mp.get_context("spawn")
    numbers, results = ctx.Queue(), ctx.Queue()
    seats = [
        ctx.Process(target=_branch_a, args=(pg_schema_url, numbers, results)),
        ctx.Process(target=_branch_b, args=(pg_schema_url, numbers, results)),
    ]
    for seat in seats:
        seat.start()
    outcome = dict(results.get(timeout=60) for _ in seats)
    for seat in seats:
        seat.join(timeout=30)
        assert seat.exitcode == 0

    open_database(pg_schema_url)
    assert len(outcome["A"]) == 10 and len(outcome["B"]) == 15
    assert Document.select().where(Document.kind == "sale").count() == 25
    a, b = shop.inventory.branch_id, shop.inventory_b.branch_id
    assert {u.state for u in Unit.select().where(Unit.serial.in_(A_SELL[:10]))} == {"sold"}
    sent = {u.serial: (u.state, u.branch_id) for u in Unit.select().where(Unit.serial.in_(A_SEND))}
    assert all(sent[s] == ("sold", b) for s in A_SEND[:5])
    assert all(sent[s] == ("in_stock", b) for s in A_SEND[5:])
    assert Unit.select().where(Unit.branch == a, Unit.state == "in_stock").count() == 5
    report = integrity.check()
    assert report.ok, report.messages()
