"""Reports off the primary: on a real PostgreSQL streaming replica (a small cluster made
by initdb, copied by pg_basebackup, streaming on a port of its own) every report gives
the primary's figures once replayed, a write on the reports connection is refused, a
replica behind says how far, and an unreachable one is named, never quietly replaced by
the counter's database."""

from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import dataclass

import psycopg2
import pytest

from app.domain.errors import Refused
from app.services.counter.repairs import intake
from app.services.counter.returns import ReturnItem, customer_return
from app.services.reports import runner
from app.services.reports.source import reading_reports
from db.connection import db
from db.database import close_database, open_database
from db.models import Branch, Unit
from tests.conftest import IMEIS, make_shop
from tests.pg_cluster import make_folder, make_primary, make_replica, pg_bin, wait_for_replay
from tests.support import customer, receive_phones, sell_serials


@dataclass
class Pair:
    primary: str  # URL of a database on the primary
    replica: str  # the same database on its streaming replica
    shop: object = None


@pytest.fixture(scope="session")
def replica_pair():
    """A primary and its hot standby, for the whole session; removed afterwards."""
    bin_ = pg_bin()
    if bin_ is None:
        pytest.skip(
            "pg_basebackup is not installed: the replica tests need PostgreSQL's server "
            "programs (apt-get install postgresql)"
        )
    folder = make_folder("serialdesk-replica-")
    primary = replica = None
    try:
        primary = make_primary(folder, bin_)
        conn = psycopg2.connect(primary.url())
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE serialdesk")
        conn.close()
        replica = make_replica(primary.port, folder, bin_)
        yield Pair(primary.url("serialdesk"), replica.url("serialdesk"))
    finally:
        if replica is not None:
            replica.stop("immediate")
        if primary is not None:
            primary.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def on_replica(replica_pair):
    """A fresh schema on the primary, its shop made; the URLs of it on both servers."""
    schema = f"r_{uuid.uuid4().hex[:12]}"
    options = f"?options=-csearch_path%3D{schema}"
    conn = psycopg2.connect(replica_pair.primary)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    pair = Pair(replica_pair.primary + options, replica_pair.replica + options)
    open_database(pair.primary)
    pair.shop = make_shop(pair.primary)
    yield pair
    close_database()
    conn.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
    conn.close()


def trade(shop) -> None:
    """Phones received, three sold to Ann, one back in quarantine, one in for repair."""
    receive_phones(shop.inventory, IMEIS[:6])
    sell_serials(shop.cashier, IMEIS[:3], customer_id=customer("Ann Buyer").id)
    shop.clock.advance(days=3)
    customer_return(
        shop.cashier, [ReturnItem(serial=IMEIS[1], condition="dead", disposition="quarantine")]
    )
    intake(shop.cashier, IMEIS[0], complaint="no sound", technician="ted")


def every_report() -> list[tuple[str, runner.Filters]]:
    return [
        (name, runner.Filters(serial=IMEIS[0]) if name == "where" else runner.Filters())
        for name in runner.REPORTS
    ]


def test_every_report_on_the_replica_gives_the_primarys_figures(on_replica):
    trade(on_replica.shop)
    wait_for_replay(on_replica.primary, on_replica.replica)
    for name, filters in every_report():
        here = runner.run(name, filters)
        there = runner.run(name, filters, reports_database=on_replica.replica)
        assert there.rows == here.rows, name
        assert here.note == ""
        assert there.note.startswith("Figures from the replica, up to date at "), there.note
    assert len(runner.run("sales", reports_database=on_replica.replica).rows) == 3
    assert db.execute_sql("SELECT pg_is_in_recovery()").fetchone()[0] is False  # main again


def test_a_write_on_the_reports_connection_is_refused(on_replica):
    wait_for_replay(on_replica.primary, on_replica.replica)
    # The replica itself, and the primary through a reports connection (read-only by its
    # own setting: a report that wrote would be refused there too).
    for url in (on_replica.replica, on_replica.primary):
        with pytest.raises(Refused, match="read-only: this report tried to write"):
            with reading_reports(url):
                Branch.create(code="Z", name="Nowhere")
    Branch.create(code="Z", name="Nowhere")  # the main connection writes again afterwards
    assert Branch.select().where(Branch.code == "Z").count() == 1


def test_the_counter_keeps_the_primary_while_a_report_reads_the_replica(on_replica):
    wait_for_replay(on_replica.primary, on_replica.replica)
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def report() -> None:
        with reading_reports(on_replica.replica):
            seen["report"] = db.execute_sql("SELECT pg_is_in_recovery()").fetchone()[0]
            inside.set()
            done.wait(10)
        db.close()

    worker = threading.Thread(target=report)
    worker.start()
    assert inside.wait(10)
    try:  # the counter's thread, at the same moment: still the primary, and writing
        seen["counter"] = db.execute_sql("SELECT pg_is_in_recovery()").fetchone()[0]
        receive_phones(on_replica.shop.inventory, IMEIS[6:7])
    finally:
        done.set()
        worker.join(10)
    assert seen == {"report": True, "counter": False}
    assert Unit.select().where(Unit.serial == IMEIS[6]).count() == 1


def test_a_replica_behind_says_so_and_shows_its_older_figures(on_replica):
    trade(on_replica.shop)
    wait_for_replay(on_replica.primary, on_replica.replica)
    admin = psycopg2.connect(on_replica.replica)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute("SELECT pg_wal_replay_pause()")
    try:
        sell_serials(on_replica.shop.cashier, IMEIS[3:5])  # received, not yet replayed
        for _ in range(200):
            cur.execute("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
            if cur.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        threading.Event().wait(1.2)  # past the second a replica may be behind unremarked
        report = runner.run("sales", reports_database=on_replica.replica)
        assert len(report.rows) == 3  # the two latest sales are not in it
        assert len(runner.run("sales").rows) == 5
        assert report.note.startswith("Figures as of "), report.note
        assert "the replica is " in report.note and " s behind the counter." in report.note
    finally:
        cur.execute("SELECT pg_wal_replay_resume()")
        admin.close()
    wait_for_replay(on_replica.primary, on_replica.replica)
    assert len(runner.run("sales", reports_database=on_replica.replica).rows) == 5
