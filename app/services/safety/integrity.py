"""Is the database whole? The history chain, documents all-or-nothing, units matching history.

A part of a kit has no line of its own on the sale of its kit, only a history row naming
it (``sold_in_kit``): the kit unit's line on that sale accounts for it.

The history is keyed (``db.history``): the chain, each unit against what its last row
recorded, the append-only triggers, and the seat's anchors (``evidence``) are checked;
``full=False`` walks only the rows after the newest anchor that still matches, checks
only the documents (and their days' totals) written after it and the units those rows
touched, and skips the other whole-ledger scans, so a daily check takes seconds: a row
changed behind the application's back that nothing since touched (an old day's total, a
unit that has not moved) is found by the next full check.

``serialdesk verify`` runs ``check``; the crash, backup and load tests use it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import peewee as pw

from app.domain.errors import Refused
from app.services.ledger import totals
from app.services.ledger.documents import Kind
from app.services.safety import cross_checks, evidence
from db.chain_key import KeyMissing, load_key
from db.connection import db, is_sqlite
from db.history_checks import protection_problems, units_off_their_facts
from db.history_verify import VerifyResult, verify_history
from db.models import AssembledKit, AssembledKitPart, Document, DocumentLine, Unit, UnitEvent

LIMIT = 50
# Documents whose every serial line moves its unit, in the same transaction.
MOVING_KINDS = (Kind.RECEIPT, Kind.SALE)


@dataclass
class IntegrityReport:
    chain: VerifyResult
    problems: list[str] = field(default_factory=list)
    anchors: evidence.AnchorCheck = field(default_factory=evidence.AnchorCheck)
    full: bool = True

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def messages(self) -> list[str]:
        return [p.message for p in self.chain.problems] + self.problems


def storage_problems() -> list[str]:
    """SQLite's own check of the file (pages, indexes); nothing to check on PostgreSQL."""
    if not is_sqlite():
        return []
    rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [f"SQLite integrity check: {r}" for r in rows[:LIMIT]]


def history_key() -> bytes:
    """This seat's history key, or a refusal saying where it should be."""
    try:
        return load_key()
    except KeyMissing as exc:
        raise Refused(str(exc)) from exc


def check(*, full: bool = True) -> IntegrityReport:
    """Every check; an empty report means the history and the documents agree.
    ``full=False``: only what changed since the newest anchor that still matches.
    Its memory is flat: every scan goes a batch at a time, and SQLite reads with the
    seat's small page cache and sorts in temporary files (``db.database.SQLITE_PRAGMAS``)."""
    key = history_key()
    anchors = evidence.check(key, every_range=full)
    start = None if full else anchors.start
    report = IntegrityReport(verify_history(LIMIT, start=start, key=key), anchors=anchors)
    report.full = full or start is None
    report.problems += anchors.problems
    report.problems += protection_problems()
    if not report.full:
        # What the next anchor will take as it is: the documents written since the last
        # one, and the day totals of their days.
        after = anchors.last.get("docs_to", 0) if anchors.last else 0
        report.problems += cross_checks.documents_problems(LIMIT, after)
        since = {lane: seq for lane, (seq, _mac) in start.items()}
        report.problems += units_off_their_facts(LIMIT, since=since)
        report.problems += totals.mismatches(LIMIT, since=_first_day_after(after))
        return report
    report.problems += storage_problems()
    report.problems += _half_documents()
    report.problems += _units_off_their_history()
    report.problems += units_off_their_facts(LIMIT)
    report.problems += cross_checks.documents_problems(LIMIT)
    report.problems += totals.mismatches(LIMIT)
    report.problems += cross_checks.day_totals_malformed(LIMIT)
    return report


def _first_day_after(doc_id: int) -> date:
    """The first business day of the documents after ``doc_id`` (today if there are none)."""
    day = Document.select(pw.fn.MIN(Document.business_date)).where(Document.id > doc_id).scalar()
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return day or date.today()


def anchor(why: str, **extra) -> dict:
    """Write an anchor of the history and documents as they are now (``evidence.anchor``)."""
    return evidence.anchor(history_key(), why, **extra)


def _half_documents() -> list[str]:
    problems = []
    empty = (
        Document.select(Document.id, Document.kind)
        .where(
            Document.kind.in_(MOVING_KINDS),
            ~pw.fn.EXISTS(DocumentLine.select().where(DocumentLine.document == Document.id)),
        )
        .limit(LIMIT)
        .tuples()
    )
    problems += [f"{kind} {doc_id} has no lines." for doc_id, kind in empty]
    event = UnitEvent.select().where(
        UnitEvent.document == DocumentLine.document, UnitEvent.unit == DocumentLine.unit
    )
    missing = (
        DocumentLine.select(DocumentLine.document, DocumentLine.serial)
        .join(Document)
        .where(
            Document.kind.in_(MOVING_KINDS),
            DocumentLine.unit.is_null(False),
            ~pw.fn.EXISTS(event),
        )
        .limit(LIMIT)
        .tuples()
    )
    problems += [f"Document {d}: line for {s} has no history row." for d, s in missing]
    line = DocumentLine.select().where(
        DocumentLine.document == UnitEvent.document, DocumentLine.unit == UnitEvent.unit
    )
    orphans = (
        UnitEvent.select(UnitEvent.id, UnitEvent.document, UnitEvent.unit)
        .join(Document)
        .where(
            Document.kind.in_(MOVING_KINDS),
            ~pw.fn.EXISTS(line),
            ~pw.fn.EXISTS(_kit_line_for_part(UnitEvent.document, UnitEvent.unit)),
        )
        .order_by(UnitEvent.id)
        .tuples()
    )
    unexplained = []
    # Few rows are left here: the parts of sold kits that were replaced under warranty since.
    for event_id, doc_id, unit_id in orphans.iterator():
        if not _replaced_kit_part(doc_id, unit_id):
            unexplained.append((event_id, doc_id))
            if len(unexplained) == LIMIT:
                break
    problems += [f"History row id {e} names document {d} without its line." for e, d in unexplained]
    return problems


def _kit_line_for_part(document, unit) -> pw.SelectQuery:
    """A line on ``document`` for a kit that ``unit`` is a part of: a part sold with its kit
    has a history row naming the sale, but no line of its own (the kit unit has it)."""
    return (
        DocumentLine.select(DocumentLine.id)
        .join(AssembledKit, on=(AssembledKit.unit == DocumentLine.unit))
        .join(AssembledKitPart, on=(AssembledKitPart.kit == AssembledKit.id))
        .where(DocumentLine.document == document, AssembledKitPart.unit == unit)
    )


def _replaced_kit_part(doc_id: int, unit_id: int) -> bool:
    """Was ``unit`` a part of a kit sold on ``doc_id`` and since replaced under warranty?
    A kit that comes back names the replacement as its part (kit_moves.take_back_kits)."""
    seen = {unit_id}
    while True:
        newer = Unit.select(Unit.id).where(Unit.replaces == unit_id).order_by(Unit.id.desc())
        unit_id = newer.scalar()
        if unit_id is None or unit_id in seen:
            return False
        seen.add(unit_id)
        if _kit_line_for_part(doc_id, unit_id).exists():
            return True


def _units_off_their_history() -> list[str]:
    last = UnitEvent.alias("last")
    latest = UnitEvent.select(pw.fn.MAX(UnitEvent.id)).where(UnitEvent.unit == Unit.id)
    rows = (
        Unit.select(Unit.serial, Unit.state, last.to_state)
        .join(last, pw.JOIN.LEFT_OUTER, on=(last.id == latest))
        .where(last.to_state.is_null() | (last.to_state != Unit.state))
        .limit(LIMIT)
        .tuples()
    )
    return [
        f"Unit {serial} is {state} but its history says {to or 'nothing'}."
        for serial, state, to in rows
    ]
