"""What the sales documents imply about the rest of the ledger, checked by ``verify``.

Each is cheap and can start at a document id (``after``): the incremental ``verify``
checks the documents written after the newest anchor's ``docs_to``, before a fresh
anchor takes their figures as they are.

- A sale's total is the sum of its lines (price times quantity).
- A unit sold on a sale was sold to the sale's customer: the history row of the sale
  recorded (``facts``, under the key) the customer the unit went to.
- A warranty number (goods without serials) belongs to its sale's customer.
- A sale line's returned quantity is what its return lines give back.
- No day total names a branch, product, kind or day that does not exist.
"""

from __future__ import annotations

import json

import peewee as pw

from app.domain.states import Event
from app.services.ledger import totals
from app.services.ledger.documents import Kind
from db.connection import is_sqlite
from db.history import BATCH
from db.history_verify import lane_label
from db.models import Branch, DayTotal, Document, DocumentLine, Product, UnitEvent, WarrantyNumber

SOLD = (Event.SELL, Event.SOLD_IN_KIT)


def _cents(node):
    return pw.Cast(pw.fn.ROUND(node * 100), "BIGINT")


def sales_off_their_lines(limit: int, after: int = 0) -> list[str]:
    """Sales whose total is not the sum of their lines."""
    summed = pw.fn.COALESCE(pw.fn.SUM(_cents(DocumentLine.price * DocumentLine.quantity)), 0)
    rows = (
        Document.select(Document.id, Document.total, summed)
        .join(DocumentLine, pw.JOIN.LEFT_OUTER)
        .where(Document.kind == Kind.SALE, Document.id > after)
        .group_by(Document.id, Document.total)
        .having(_cents(Document.total) != summed)
        .order_by(Document.id)
        .limit(limit)
        .tuples()
    )
    return [
        f"Sale {doc_id} says its total is {total} but its lines add up to {lines / 100:.2f}: "
        "one of them was changed behind the application's back."
        for doc_id, total, lines in rows
    ]


def sold_units_off_their_sale(limit: int, after: int = 0) -> list[str]:
    """Units whose sale's customer is not the customer their history row of the sale
    recorded (rows without facts, from before schema 5, are skipped)."""
    problems, last = [], 0
    query = (
        UnitEvent.select(
            UnitEvent.id,
            UnitEvent.lane,
            UnitEvent.seq,
            UnitEvent.facts,
            Document.id,
            Document.customer,
        )
        .join(Document, on=(Document.id == UnitEvent.document))
        .where(
            UnitEvent.event.in_(SOLD),
            Document.kind == Kind.SALE,
            Document.id > after,
            UnitEvent.facts != "",
        )
    )
    while len(problems) < limit:
        batch = list(query.where(UnitEvent.id > last).order_by(UnitEvent.id).limit(BATCH).tuples())
        if not batch:
            break
        for _event_id, lane, seq, facts, doc_id, customer in batch:
            try:
                serial, _product, recorded = json.loads(facts)[:3]
            except (ValueError, TypeError):
                continue  # a changed row: the chain names it
            if recorded != customer:
                problems.append(
                    f"Sale {doc_id} names customer #{customer} but unit {serial} was sold to "
                    f"customer #{recorded} (history #{seq}{lane_label(lane)}): the sale was "
                    "changed behind the "
                    "application's back."
                )
        last = batch[-1][0]
    return problems[:limit]


def warranty_numbers_off_their_sale(limit: int, after: int = 0) -> list[str]:
    """Warranty numbers whose customer is not their sale's customer."""
    rows = (
        WarrantyNumber.select(WarrantyNumber.number, WarrantyNumber.customer, Document.id)
        .join(DocumentLine)
        .join(Document)
        .where(
            Document.kind == Kind.SALE,
            Document.id > after,
            pw.fn.COALESCE(WarrantyNumber.customer, 0) != pw.fn.COALESCE(Document.customer, 0),
        )
        .order_by(WarrantyNumber.id)
        .limit(limit)
        .tuples()
    )
    return [
        f"Warranty number {number} names customer #{customer} but its sale {doc_id} does not: "
        "it was changed behind the application's back."
        for number, customer, doc_id in rows
    ]


def returns_off_their_lines(limit: int, after: int = 0) -> list[str]:
    """Sale lines whose returned quantity is not what the return lines giving them back
    add up to (a line marked returned would refuse the customer's real return). With
    ``after``: the sale lines of documents after it, and those its returns gave back."""
    if after:
        return _recent_returns_off_their_lines(limit, after)
    Back, BackDoc = DocumentLine.alias("back"), Document.alias("back_doc")
    returned = pw.fn.COALESCE(
        pw.fn.SUM(pw.Case(None, [(BackDoc.id.is_null(False), Back.quantity)], 0)), 0
    )
    query = (
        DocumentLine.select(DocumentLine.id, Document.id, DocumentLine.returned_quantity, returned)
        .join(Document, on=(Document.id == DocumentLine.document))
        .switch(DocumentLine)
        .join(Back, pw.JOIN.LEFT_OUTER, on=(Back.source_line == DocumentLine.id))
        .join(
            BackDoc,
            pw.JOIN.LEFT_OUTER,
            on=((BackDoc.id == Back.document) & (BackDoc.kind == Kind.RETURN)),
        )
        .where(Document.kind == Kind.SALE)
        .group_by(DocumentLine.id, Document.id, DocumentLine.returned_quantity)
        .having(DocumentLine.returned_quantity != returned)
        .order_by(DocumentLine.id)
        .limit(limit)
    )
    return [_returned_text(*row) for row in query.tuples()]


def _recent_returns_off_their_lines(limit: int, after: int) -> list[str]:
    """The same for the lines the documents after ``after`` wrote or gave back, each read
    by its key (a few hundred a day), never a pass over every sale line: every query here
    is by primary key or by the lines' own indexes, and kinds are looked up by document id
    (a kind in the SQL would let the planner walk every sale through the kind index)."""
    recent = DocumentLine.select(DocumentLine.id, DocumentLine.source_line).where(
        DocumentLine.document > after
    )
    ids: set[int] = set()
    for line_id, source in recent.tuples():
        ids.add(line_id)
        if source is not None:
            ids.add(source)
    problems: list[str] = []
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        lines = list(
            DocumentLine.select(
                DocumentLine.id, DocumentLine.document, DocumentLine.returned_quantity
            )
            .where(DocumentLine.id.in_(chunk))
            .tuples()
        )
        back = list(
            DocumentLine.select(
                DocumentLine.source_line, DocumentLine.document, DocumentLine.quantity
            )
            .where(DocumentLine.source_line.in_(chunk))
            .tuples()
        )
        kinds = _kinds({doc for _l, doc, _q in lines} | {doc for _s, doc, _q in back})
        counted: dict[int, int] = {}
        for source, doc, quantity in back:
            if kinds.get(doc) == Kind.RETURN:
                counted[source] = counted.get(source, 0) + quantity
        problems += [
            _returned_text(line_id, doc, marked, counted.get(line_id, 0))
            for line_id, doc, marked in lines
            if kinds.get(doc) == Kind.SALE and marked != counted.get(line_id, 0)
        ]
    return problems[:limit]


def _kinds(doc_ids: set[int]) -> dict[int, str]:
    wanted, found = sorted(doc_ids), {}
    for start in range(0, len(wanted), 500):
        query = Document.select(Document.id, Document.kind).where(
            Document.id.in_(wanted[start : start + 500])
        )
        found.update(query.tuples())
    return found


def _returned_text(line_id: int, doc_id: int, marked: int, counted: int) -> str:
    return (
        f"Sale {doc_id}: line {line_id} says {marked} returned, but its returns give back "
        f"{counted}: it was changed behind the application's back."
    )


def documents_problems(limit: int, after: int = 0) -> list[str]:
    """Every check above, for the documents with ids above ``after``."""
    return (
        sales_off_their_lines(limit, after)
        + sold_units_off_their_sale(limit, after)
        + warranty_numbers_off_their_sale(limit, after)
        + returns_off_their_lines(limit, after)
    )


def day_totals_malformed(limit: int) -> list[str]:
    """Day totals that ``totals.mismatches`` cannot see, written behind the application's back: of a
    branch or product that does not exist, of an unknown kind, or (SQLite, where a date is
    text) a day not written YYYY-MM-DD, which reports filtering by date would skip."""
    odd = (
        ~pw.fn.EXISTS(Branch.select().where(Branch.id == DayTotal.branch))
        | ~pw.fn.EXISTS(Product.select().where(Product.id == DayTotal.product))
        | DayTotal.kind.not_in([*totals.LINE_KINDS, totals.COVERED_PARTS])
    )
    if is_sqlite():
        odd |= pw.fn.LENGTH(DayTotal.day) != 10
    rows = DayTotal.select(*totals.KEY).where(odd).limit(limit).tuples()
    return [
        f"Day total {kind} of product #{product} at branch #{branch} on {day!s} names no "
        "such branch, product, kind or day: it was written behind the application's back."
        for kind, product, branch, day in rows
    ]
