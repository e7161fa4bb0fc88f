"""The units a unit replaced under warranty, one behind the other, and the claims made on
each: a technician judging a repeat defect reads the whole chain, not the last unit alone.

Only a unit that replaced another has a chain, so a passport of any other unit reads
nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.states import Event
from app.services.ledger.documents import Kind, doc_number
from db.connection import db
from db.models import Document, RepairTicket, Unit
from db.prepared import Prepared


@dataclass
class ChainClaim:
    """A repair ticket opened on a unit of the chain."""

    number: str
    opened: date
    status: str
    complaint: str
    covered: bool
    outcome: str


@dataclass
class ReplacedUnit:
    """A unit the passport's unit replaced, directly or through the units in between."""

    serial: str
    sku: str
    product: str
    replaced_on: date | None
    replacement: str  # the replacement document (WR-n) that swapped it out
    replaced_by: str  # the serial that took its place
    claims: list[ChainClaim] = field(default_factory=list)
    # A replacement made without a ticket is a claim of its own.
    without_ticket: bool = False

    @property
    def claim_count(self) -> int:
        return len(self.claims) + (1 if self.without_ticket else 0)


# The units behind a unit, the nearest first, each with the serial that replaced it and the
# replacement document that did (the newer unit's last "replacement issued" event with a
# document), in one statement on both backends. A unit reached twice (a loop written
# behind the application's back) ends the walk in Python; the depth bounds the statement.
_CHAIN_SQL = """
WITH RECURSIVE chain(depth, newer_id, newer_serial, older_id) AS (
    SELECT 1, u.id, u.serial, u.replaces_id FROM unit AS u
    WHERE u.id = {p} AND u.replaces_id IS NOT NULL
    UNION ALL
    SELECT c.depth + 1, o.id, o.serial, o.replaces_id
    FROM chain AS c JOIN unit AS o ON o.id = c.older_id
    WHERE o.replaces_id IS NOT NULL AND c.depth < {limit}
)
SELECT o.id, o.serial, p.sku, p.name, c.newer_serial, d.id, d.business_date, d.related_id
FROM chain AS c
JOIN unit AS o ON o.id = c.older_id
JOIN product AS p ON p.id = o.product_id
LEFT JOIN document AS d ON d.id = (
    SELECT e.document_id FROM unit_event AS e
    WHERE e.unit_id = c.newer_id AND e.event = {p} AND e.document_id IS NOT NULL
    ORDER BY e.id DESC LIMIT 1
)
ORDER BY c.depth
"""
MAX_CHAIN = 1000


def replaced_units(unit: Unit) -> list[ReplacedUnit]:
    """Every unit ``unit`` replaced, transitively, the one it replaced directly first: the
    chain in one statement, each replaced unit's claims in one prepared select."""
    if unit.replaces_id is None:
        return []
    sql = _CHAIN_SQL.format(p=db.obj.param, limit=MAX_CHAIN)
    rows = db.execute_sql(sql, (unit.id, Event.REPLACEMENT_ISSUED.value)).fetchall()
    seen = {unit.id}
    links = []
    for row in rows:
        if row[0] in seen:
            break
        seen.add(row[0])
        links.append(row)
    claims = {row[0]: claims_on(row[0]) for row in links}  # a chain is mostly 1 or 2 long
    return [
        ReplacedUnit(
            serial=serial,
            sku=sku,
            product=name,
            replaced_on=Document.business_date.python_value(day) if doc_id else None,
            replacement=doc_number(Kind.REPLACEMENT, doc_id) if doc_id else "",
            replaced_by=newer_serial,
            claims=claims[older_id],
            without_ticket=doc_id is not None and related_id is None,
        )
        for older_id, serial, sku, name, newer_serial, doc_id, day, related_id in links
    ]


def claims_on(unit_id: int) -> list[ChainClaim]:
    """The repair tickets of one unit, oldest first (prepared: Peewee building this select
    took longer than the server running it)."""
    return [
        ChainClaim(
            doc_number(Kind.REPAIR, document_id),
            day,
            status,
            complaint,
            covered,
            outcome,
        )
        for document_id, day, status, complaint, covered, outcome in _CLAIMS.rows(unit_id)
    ]


_CLAIMS = Prepared(
    lambda unit_id: (
        RepairTicket.select(
            RepairTicket.document,
            Document.business_date,
            RepairTicket.status,
            RepairTicket.complaint,
            RepairTicket.covered,
            RepairTicket.outcome,
        )
        .join(Document)
        .where(RepairTicket.unit == unit_id)
        .order_by(Document.id)
        .tuples()
    ),
    int,
)
