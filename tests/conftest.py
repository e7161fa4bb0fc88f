"""Fixtures: every data-layer test runs on a fresh SQLite file and on a fresh PostgreSQL schema.

PostgreSQL is expected at SERIALDESK_TEST_PG (default: the local server's
``test`` database). Each test gets a schema of its own, dropped afterwards, so
leftovers never leak between tests or runs.
"""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse, urlunparse

import peewee
import psycopg2
import psycopg2.errors
import pytest
from stdnum import luhn

from app.services.access import pin_policy
from app.services.access.context import Context, approver_from, load_context
from app.services.shop import catalog
from db import chain_key
from db.connection import db, is_sqlite
from db.database import close_database, open_database
from db.models import Employee

PG_URL = os.environ.get("SERIALDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def make_imei(n: int, tac: str = "35693803") -> str:
    """A valid 15-digit IMEI: type allocation code, a 6-digit serial, the Luhn check digit."""
    body = f"{tac}{n:06d}"
    return body + luhn.calc_check_digit(body)


IMEIS = [make_imei(n) for n in range(1, 41)]


@pytest.fixture(scope="session", autouse=True)
def _history_key(tmp_path_factory) -> bytes:
    """One history key for the test process, set before any shop is made: a shop seeded
    once per module outlives the first test's home, so every test holds the same key."""
    path = tmp_path_factory.getbasetemp() / "keys" / "h.key"
    chain_key.make_private_folder(path.parent)
    if chain_key.create_private_file(path):
        path.write_text(secrets.token_hex(chain_key.KEY_BYTES) + "\n", encoding="ascii")
    mp = pytest.MonkeyPatch()
    mp.setenv("SERIALDESK_KEY_FILE", str(path))
    yield path.read_bytes()
    mp.undo()


@pytest.fixture(autouse=True)
def _history_key_file(_history_key, tmp_path_factory, monkeypatch):
    """The key, given by path (seats started as subprocesses read it through the env), in
    a folder of each test's own: the anchor files beside it are that test's alone (the test
    shops' histories coincide, and a folder's anchor files are matched to a history)."""
    folder = tmp_path_factory.mktemp("keys")
    chain_key.make_private_folder(folder)
    path = folder / "h.key"
    chain_key.create_private_file(path)
    path.write_bytes(_history_key)
    monkeypatch.setenv("SERIALDESK_KEY_FILE", str(path))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Keep the developer's own data and config out of the tests."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))
    monkeypatch.delenv("SERIALDESK_DB", raising=False)
    for name in ("EMPLOYEE", "PIN", "TOKEN", "APPROVER_PIN", "APPROVER_TOKEN", "NEW_PIN"):
        monkeypatch.delenv(f"SERIALDESK_{name}", raising=False)  # the developer's own
    yield
    chain_key.use_key_file(None)  # a seat file's key_file read by one test is not the next's


def _pg_admin():
    try:
        conn = psycopg2.connect(PG_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        _create_test_database()
        conn = psycopg2.connect(PG_URL, connect_timeout=5)
    conn.autocommit = True
    return conn


def _create_test_database() -> None:
    """Make the tests' database on a server that runs but does not hold it yet."""
    url = urlparse(PG_URL)
    name = url.path.lstrip("/")
    maintenance = urlunparse(url._replace(path="/postgres"))
    conn = psycopg2.connect(maintenance, connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    except (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
        pass  # another test process made it first
    finally:
        conn.close()


@pytest.fixture
def pg_schema_url():
    """A PostgreSQL URL whose connections use a fresh schema of their own."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = _pg_admin()
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {exc}")
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    close_database()
    with admin.cursor() as cur:
        cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
    admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh database URL, once per backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "shop.db")
        close_database()
    else:
        yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def database(db_url) -> peewee.Database:
    database = open_database(db_url)
    yield database
    close_database()


class Clock:
    """A settable clock, so tests can move through months of a unit's life."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass
class Shop:
    """A small two-branch shop with one product per tracking mode."""

    url: str
    clock: Clock
    manager: Context
    cashier: Context
    inventory: Context
    technician: Context
    manager_b: Context
    cashier_b: Context
    inventory_b: Context

    def approver(self):
        return approver_from(Employee.get(Employee.login == "mia"))


def make_shop(url: str) -> Shop:
    catalog.add_branch("A", "Main Street", "1 Main Street")
    catalog.add_branch("B", "Harbour", "9 Quay Road")
    pin_policy.set_min_pin_length("manager", 4)  # the test shops' managers have "1234"
    for login, name, role, branch in [
        ("mia", "Mia Manager", "manager", "A"),
        ("cal", "Cal Cashier", "cashier", "A"),
        ("ivy", "Ivy Inventory", "inventory", "A"),
        ("ted", "Ted Technician", "technician", "A"),
        ("max", "Max Manager", "manager", "B"),
        ("bea", "Bea Cashier", "cashier", "B"),
        ("ian", "Ian Inventory", "inventory", "B"),
    ]:
        catalog.add_employee(login, name, role, "1234", branch)
    catalog.add_supplier("PhoneCo")
    catalog.add_supplier("ToolCo")
    catalog.add_product_type(
        "Phones", "strict", warranty_months=24, check_kind="imei", print_mode="auto"
    )
    catalog.add_product_type("Power tools", "warranty", warranty_months=36)
    catalog.add_product_type("Watches", "warranty_no_serial", warranty_months=12)
    catalog.add_product_type("Accessories", "none")
    catalog.add_product("PH-X1", "Phone X1 128GB", "Phones", "499.00", gtin="4006381333931")
    catalog.add_product(
        "DR-18", "Cordless drill 18V", "Power tools", "149.00", gtin="5901234123457"
    )
    catalog.add_product("WA-CL", "Classic watch", "Watches", "89.90")
    catalog.add_product("AC-CASE", "Phone case", "Accessories", "19.90")
    clock = Clock(datetime(2026, 1, 15, 10, 0, tzinfo=UTC))

    def ctx(login, branch=None):
        return load_context(login, branch, clock=clock)

    return Shop(
        url,
        clock,
        ctx("mia"),
        ctx("cal"),
        ctx("ivy"),
        ctx("ted"),
        ctx("max"),
        ctx("bea"),
        ctx("ian"),
    )


@pytest.fixture
def shop(database, db_url) -> Shop:
    return make_shop(db_url)


@pytest.fixture
def pg_shop(shop) -> Shop:
    """``shop`` on PostgreSQL only: what branches writing at once can do to each other."""
    if is_sqlite():
        pytest.skip("PostgreSQL only: on SQLite one write lock orders every write")
    return shop


@pytest.fixture
def sqlite_shop(tmp_path) -> Shop:
    url = str(tmp_path / "shop.db")
    open_database(url)
    yield make_shop(url)
    close_database()


__all__ = ["IMEIS", "Shop", "db"]
