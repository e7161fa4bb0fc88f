"""More of a hostile reviewer's tamperings, found against the documents digest (version 3)
and the day totals: each is caught, by the full check and where it can be by the daily
one, and an untouched shop with returns stays clean."""

from __future__ import annotations

import pytest

from app.services.counter.returns import ReturnItem, customer_return
from app.services.safety import integrity
from db.connection import is_sqlite
from db.models import Product
from tests.support import run_sql
from tests.test_evidence_attacks import _problems, _sold, _watch_sold


def _returned(shop):
    phones, ann, bob = _sold(shop)
    customer_return(shop.cashier, [ReturnItem(serial=phones[0], condition="as new")])
    assert integrity.check().ok  # a real return: no false alarm
    return phones, ann, bob


def test_a_sale_line_marked_returned_without_a_return_is_caught(shop):
    _returned(shop)
    integrity.anchor("day-end")
    run_sql(
        "UPDATE document_line SET returned_quantity = quantity WHERE returned_quantity = 0 "
        "AND document_id IN (SELECT id FROM document WHERE kind = 'sale')"
    )
    assert "says 1 returned, but its returns give back 0" in _problems()


def test_the_daily_check_sees_a_returned_quantity_changed_by_a_new_return(shop):
    phones, _ann, _bob = _sold(shop)
    integrity.anchor("day-end")
    customer_return(shop.cashier, [ReturnItem(serial=phones[0], condition="as new")])
    run_sql("UPDATE document_line SET returned_quantity = 0 WHERE returned_quantity = 1")
    assert "says 0 returned, but its returns give back 1" in _problems(full=False)


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE warranty_number SET product_id = {other}",
        "UPDATE document_line SET cost = 1 WHERE product_id IN "
        "(SELECT id FROM product WHERE sku = 'WA-CL')",
    ],
)
def test_a_warranty_numbers_product_or_a_lines_cost_changed_is_caught(shop, tamper):
    _watch_sold(shop)
    integrity.anchor("day-end")
    other = Product.get(Product.sku == "AC-CASE").id
    run_sql(tamper.format(other=other))
    assert "were changed after the anchor" in _problems()


def test_a_total_that_is_no_number_is_reported_not_a_crash(shop):
    if not is_sqlite():
        pytest.skip("PostgreSQL's numeric column takes no text")
    _sold(shop)
    integrity.anchor("day-end")
    run_sql("UPDATE document SET total = total || 'x' WHERE kind = 'sale'")
    assert "were changed after the anchor" in _problems()


def test_day_totals_of_no_branch_or_written_as_other_text_are_caught(shop):
    if not is_sqlite():
        pytest.skip("SQLite: a plain sqlite3 shell has foreign keys off; dates are text")
    _sold(shop)
    run_sql("PRAGMA foreign_keys = OFF")
    try:
        run_sql(
            "INSERT INTO day_total (kind, branch_id, product_id, day, lines, quantity, "
            "amount_cents, cost_cents) SELECT kind, 999, product_id, day, lines, quantity, "
            "amount_cents * 10, cost_cents FROM day_total"
        )
    finally:
        run_sql("PRAGMA foreign_keys = ON")
    assert "at branch #999" in _problems() and "names no such branch" in _problems()
    run_sql("DELETE FROM day_total WHERE branch_id = 999")
    run_sql("UPDATE day_total SET day = day || ' 00:00:00'")
    assert "names no such branch, product, kind or day" in _problems()


def test_the_daily_check_sees_a_unit_touched_since_the_anchor(shop):
    phones, _ann, _bob = _sold(shop)
    integrity.anchor("day-end")
    customer_return(shop.cashier, [ReturnItem(serial=phones[0], condition="as new")])
    run_sql("UPDATE unit SET warranty_end = '2099-12-31' WHERE serial = ?", phones[0])
    assert f"Unit {phones[0]}" in _problems(full=False)
