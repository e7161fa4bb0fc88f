"""A hostile review of stop 20's changes: look-ups of long lists (db.bulk.select_in's
PostgreSQL array path against the IN list), the one-statement replacement chain (against
the implementation it replaced, ``tests/replacement_chain_reference.py``), schema step 7
and the upgrades and refusals that now load late."""

from __future__ import annotations

import dataclasses
from datetime import date

import peewee
import pytest

from app.services.counter import repairs, replacement_chain, replacements
from db.bulk import MIN_ARRAY, insert_rows, select_in
from db.connection import is_sqlite
from db.models import Document, Product, RepairTicket, Unit, UnitEvent
from tests import replacement_chain_reference as old_chain
from tests.conftest import IMEIS
from tests.support import (
    customer,
    drop_history_triggers,
    receive_phones,
    run_sql,
    sell_serials,
)


def _both_paths(monkeypatch, model, columns, field, asked, chunk=5000):
    """(array path's result or exception, IN list's result or exception)."""

    def run():
        try:
            return sorted(select_in(model, columns, field, asked, chunk=chunk), key=repr)
        except Exception as exc:  # noqa: BLE001
            db_ = __import__("db.connection", fromlist=["db"]).db
            try:
                db_.obj.rollback()
            except Exception:  # noqa: BLE001
                pass
            return ("raised", type(exc).__name__)

    got = run()
    monkeypatch.setattr("db.bulk.MIN_ARRAY", 10**9)
    reference = run()
    monkeypatch.setattr("db.bulk.MIN_ARRAY", MIN_ARRAY)
    return got, reference


HOSTILE = [
    'q"uote',
    '"',
    '""',
    "\\",
    "\\\\",
    'a\\"b',
    "{",
    "}",
    "{}",
    "{a,b}",
    ",",
    "a,b",
    "NULL",
    "null",
    "",
    " ",
    "  ",
    "a ",
    " a",
    "a  ",
    "A",
    "a",
    "\t",
    "\n",
    "x'y",
    "ünï 😀",
    "Straße",
    "STRASSE",
    "e\u0301",
    "\u00e9",
    "Ａ",
    "ǅ",
    "x" * 64,
    "\\N",
    "(1,2)",
    "[1:1]={x}",
    "$1",
    "%s",
    "%%",
    "-- c",
    "/*",
]


def _units(shop, serials):
    phone = Product.get(Product.sku == "PH-X1")
    rows = [
        {"serial": s, "product": phone.id, "state": "in_stock", "branch": shop.inventory.branch_id}
        for s in serials
    ]
    return dict(insert_rows(Unit, rows, returning=(Unit.id, Unit.serial)))


def test_hostile_serials_array_path_equals_in_list(shop, monkeypatch):
    pad = [f"PAD-{n}" for n in range(MIN_ARRAY + 10)]
    _units(shop, HOSTILE + pad)
    asked = (
        HOSTILE
        + [s.upper() for s in HOSTILE]
        + [s + " " for s in HOSTILE]
        + [" " + s for s in HOSTILE]
        + ["x" * 65, "y" * 5000, None, None]
        + pad
        + HOSTILE  # duplicates
    )
    columns = (Unit.serial, Unit.id)
    got, reference = _both_paths(monkeypatch, Unit, columns, Unit.serial, asked)
    assert got == reference
    # exactly the stored serials, each once
    assert sorted(s for s, _ in got) == sorted(set(HOSTILE + pad))


def test_duplicates_across_chunks_same_on_both_paths(shop, monkeypatch):
    pad = [f"CH-{n}" for n in range(300)]
    _units(shop, pad)
    asked = pad + pad  # chunk 150: each value is asked in two chunks
    got, reference = _both_paths(monkeypatch, Unit, (Unit.serial,), Unit.serial, asked, chunk=300)
    assert got == reference


def test_nul_in_a_serial_fails_alike(shop, monkeypatch):
    pad = [f"NU-{n}" for n in range(MIN_ARRAY + 5)]
    _units(shop, pad)
    got, reference = _both_paths(monkeypatch, Unit, (Unit.serial,), Unit.serial, pad + ["a\x00b"])
    assert got == reference


def test_only_none_values(shop, monkeypatch):
    got, reference = _both_paths(monkeypatch, Unit, (Unit.id,), Unit.serial, [None] * 200)
    assert got == reference == []


@pytest.mark.parametrize(
    "extra",
    [
        [2**63],  # one past bigint
        [2**64 + 1],
        [-(2**63) - 1],
        [10**30],
    ],
    ids=["2^63", "2^64+1", "-2^63-1", "1e30"],
)
def test_huge_ids_array_path_equals_in_list(shop, monkeypatch, extra):
    ids = list(_units(shop, [f"HI-{n}" for n in range(MIN_ARRAY + 5)]))
    got, reference = _both_paths(monkeypatch, Unit, (Unit.id,), Unit.id, ids + extra)
    assert got == reference


def test_mixed_and_bool_ids(shop, monkeypatch):
    ids = list(_units(shop, [f"MX-{n}" for n in range(MIN_ARRAY + 5)]))
    asked = ids[:50] + [str(i) for i in ids[50:]] + [True, False, None, 1.0]
    got, reference = _both_paths(monkeypatch, Unit, (Unit.id,), Unit.id, asked)
    assert got == reference


def test_serials_that_look_like_numbers(shop, monkeypatch):
    serials = [str(n) for n in range(1000, 1000 + MIN_ARRAY + 5)] + ["007", "7", "7.0", "1e3"]
    _units(shop, serials)
    asked = [int(s) for s in serials[:50]] + serials[50:] + [7, 1000.0]
    got, reference = _both_paths(monkeypatch, Unit, (Unit.serial,), Unit.serial, asked)
    assert got == reference


# ----------------------------------------------------------------- the replacement chain


def _plain(links):
    return [dataclasses.asdict(link) for link in links]


def _same_as_old(serial):
    u = Unit.get(Unit.serial == serial)
    new = _plain(replacement_chain.replaced_units(u))
    old = _plain(old_chain.replaced_units(u))
    assert new == old
    for link in new:
        assert link["replaced_on"] is None or type(link["replaced_on"]) is date
        for claim in link["claims"]:
            assert type(claim["opened"]) is date and type(claim["covered"]) is bool
    return new


def _long_chain(shop, length):
    """IMEIS[0] sold, then replaced ``length`` times: IMEIS[0] -> 1 -> ... -> length.
    Odd links with a ticket (covered), even ones without; a claim on every unit."""
    receive_phones(shop.inventory, IMEIS[: length + 1])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    for n in range(length):
        shop.clock.advance(days=3)
        r = repairs.intake(shop.cashier, IMEIS[n], complaint=f"fault {n}")
        if n % 2:
            replacements.replace(shop.technician, IMEIS[n], IMEIS[n + 1], ticket=r.number)
        else:
            repairs.collect(shop.cashier, r.number, outcome="fixed")
            shop.clock.advance(days=1)
            replacements.replace(shop.technician, IMEIS[n], IMEIS[n + 1], note="at counter")
    return IMEIS[: length + 1]


@pytest.mark.parametrize("length", [0, 1, 2, 5])
def test_chain_same_as_old_for_lengths(shop, length):
    serials = _long_chain(shop, length)
    for serial in serials:
        _same_as_old(serial)
    assert len(_same_as_old(serials[-1])) == length
    if length:
        old_summary = _decision_with(old_chain.replaced_units, serials[-1])
        new_summary = _decision_with(replacement_chain.replaced_units, serials[-1])
        assert old_summary == new_summary


def _decision_with(impl, serial):
    mp = pytest.MonkeyPatch()
    mp.setattr(repairs, "replaced_units", impl)
    try:
        s = repairs.propose_decision(serial, today=date(2026, 6, 1))
        return dataclasses.asdict(s) if dataclasses.is_dataclass(s) else vars(s)
    finally:
        mp.undo()


def test_chain_loops_and_self_loop_same_as_old(shop):
    serials = _long_chain(shop, 3)
    ids = {s: Unit.get(Unit.serial == s).id for s in serials}
    # 0 -> 3 (loop through the whole chain)
    Unit.update(replaces=ids[serials[3]]).where(Unit.id == ids[serials[0]]).execute()
    for s in serials:
        _same_as_old(s)
    # A->B->A: 1 replaces 0, 0 replaces 1
    Unit.update(replaces=ids[serials[1]]).where(Unit.id == ids[serials[0]]).execute()
    for s in serials:
        _same_as_old(s)
    # self-loop
    Unit.update(replaces=ids[serials[2]]).where(Unit.id == ids[serials[2]]).execute()
    for s in serials:
        _same_as_old(s)


def test_chain_to_a_missing_unit_same_as_old(shop):
    serials = _long_chain(shop, 2)
    _point_at_a_missing_unit(serials[0], 999999)
    for s in serials:
        _same_as_old(s)
    _point_at_a_missing_unit(serials[1], 999998)  # the middle unit
    for s in serials:
        _same_as_old(s)


def _point_at_a_missing_unit(serial: str, missing_id: int) -> None:
    """The unit of ``serial`` made to replace unit ``missing_id``, which does not exist,
    with the foreign keys out of the way (as a hand on the database file would)."""
    unit_id = Unit.get(Unit.serial == serial).id
    off, on = (
        ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")
        if is_sqlite()
        else ("SET session_replication_role = replica", "SET session_replication_role = DEFAULT")
    )
    run_sql(off)
    run_sql("UPDATE unit SET replaces_id = ? WHERE id = ?", missing_id, unit_id)
    run_sql(on)


def _copy_event(source: UnitEvent, **changes):
    row = {
        f.column_name: getattr(
            source, f.name if not isinstance(f, peewee.ForeignKeyField) else f.name + "_id"
        )
        for f in UnitEvent._meta.sorted_fields
        if f.name != "id"
    }
    row.update(changes)
    cols = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join(["?"] * len(row))
    run_sql(f'INSERT INTO "unit_event" ({cols}) VALUES ({marks})', *row.values())


def test_several_replacement_issued_events_same_as_old(shop):
    serials = _long_chain(shop, 2)
    last = Unit.get(Unit.serial == serials[-1])
    issued = (
        UnitEvent.select()
        .where(UnitEvent.unit == last.id, UnitEvent.event == "replacement_issued")
        .order_by(UnitEvent.id.desc())
        .first()
    )
    other_doc = (
        Document.select().where(Document.kind == "replacement").order_by(Document.id).first()
    )
    drop_history_triggers()
    # a later one naming another (earlier) replacement document
    _copy_event(issued, document_id=other_doc.id, seq=None, hash=None)
    _same_as_old(serials[-1])
    # a later one with no document at all (written behind the app's back)
    _copy_event(issued, document_id=None, seq=None, hash=None)
    _same_as_old(serials[-1])


def test_claims_in_the_middle_and_covered_null(shop):
    serials = _long_chain(shop, 3)
    mid = Unit.get(Unit.serial == serials[1])
    assert RepairTicket.select().where(RepairTicket.unit == mid.id).count() >= 1
    _same_as_old(serials[-1])
