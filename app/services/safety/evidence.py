"""Anchors: the history's head and the shop's sales documents, as this seat last saw them.

The keyed chain (``db.history``) shows any row changed or slipped in, but not rows
removed from the very end, nor a whole chain re-made by someone who has the key. An
anchor, appended to the seat's anchor file (``db.chain_key.anchor_path``) on every
clean ``verify``, every backup and every day-end slip, records the chain head (seq, mac,
time) and a keyed digest of the sales, returns and replacements written since the
previous anchor: every figure a warranty dispute turns on (customer, total, approver,
each line's product, serial, quantity and price). ``check`` compares the database with
the anchors; ``start`` is where an incremental ``verify`` may begin. A restore writes an
anchor that starts the seat's anchors afresh (the database went back in time on purpose).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import peewee as pw

from app.services.ledger.documents import Kind
from db.chain_key import read_anchors, write_anchor
from db.history import BATCH, head
from db.models import Document, DocumentLine, UnitEvent

RESTORE = "restore"
# Documents whose figures decide a dispute, and the fields of theirs that never change.
DISPUTE_KINDS = (Kind.SALE, Kind.RETURN, Kind.REPLACEMENT)
DOC_FIELDS = (
    Document.id,
    Document.kind,
    Document.branch,
    Document.customer,
    Document.employee,
    Document.approved_by,
    Document.business_date,
    Document.total,
    Document.related,
)
LINE_FIELDS = (
    DocumentLine.id,
    DocumentLine.document,
    DocumentLine.product,
    DocumentLine.unit,
    DocumentLine.serial,
    DocumentLine.quantity,
    DocumentLine.price,
)


@dataclass
class AnchorCheck:
    last: dict | None = None  # the newest anchor on this seat
    rows_after: int = 0  # history rows written after it
    start: tuple[int, str] | None = None  # newest anchor whose row still matches
    problems: list[str] = field(default_factory=list)
    copy_of: str | None = None  # the database is this backup of this seat's


def documents_digest(key: bytes, after: int, upto: int) -> str:
    """HMAC over the dispute documents with ids in (after, upto] and their lines."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    in_range = (Document.id > after) & (Document.id <= upto) & Document.kind.in_(DISPUTE_KINDS)
    for query, id_field in (
        (Document.select(*DOC_FIELDS).where(in_range), Document.id),
        (DocumentLine.select(*LINE_FIELDS).join(Document).where(in_range), DocumentLine.id),
    ):
        last = 0
        while True:
            batch = list(query.where(id_field > last).order_by(id_field).limit(BATCH).tuples())
            if not batch:
                break
            for row in batch:
                mac.update(json.dumps(row, default=str, separators=(",", ":")).encode() + b"\n")
            last = batch[-1][0]
    return mac.hexdigest()


def anchor(key: bytes, why: str, **extra) -> dict:
    """Append the chain head and the documents since the previous anchor to the anchor file."""
    seq, mac = head()
    anchors = read_anchors()
    # A restore takes the database back in time: anchors before it no longer apply.
    after = int(anchors[-1].get("docs_to", 0)) if anchors and why != RESTORE else 0
    upto = Document.select(pw.fn.MAX(Document.id)).scalar() or 0
    after = min(after, upto)
    entry = {
        "seq": seq,
        "mac": mac,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": why,
        "docs_from": after,
        "docs_to": upto,
        "docs_mac": documents_digest(key, after, upto),
        **extra,
    }
    write_anchor(entry)
    return entry


def check(key: bytes, *, every_range: bool = True) -> AnchorCheck:
    """The database against this seat's anchors: a removed tail, a rewritten chain, changed
    documents (every anchored range, or only the newest with ``every_range=False``)."""
    anchors = read_anchors()
    restores = [i for i, a in enumerate(anchors) if a.get("why") == RESTORE]
    anchors = anchors[restores[-1] :] if restores else anchors
    head_seq, head_mac = head()
    copies = [i for i, a in enumerate(anchors) if a.get("copy_head") == f"#{head_seq} {head_mac}"]
    if copies:
        # This database is a backup this seat made: the anchors after it are not in it.
        anchors = anchors[: copies[-1] + 1]
        last = {k: v for k, v in anchors[-1].items() if k != "docs_mac"}  # the live ledger's
        anchors[-1] = {**last, "seq": head_seq, "mac": head_mac}
    result = AnchorCheck(last=anchors[-1] if anchors else None)
    result.copy_of = anchors[-1].get("backup") if copies else None
    if not anchors:
        return result
    last = anchors[-1]
    when = f"#{last['seq']} on {last.get('at', '?')} ({last.get('why', '?')})"
    if head_seq < last["seq"]:
        result.problems.append(
            f"History rows #{head_seq + 1} to #{last['seq']} were removed: this seat's anchor "
            f"{when} saw them."
        )
    elif _mac_at(last["seq"]) != last["mac"]:
        result.problems.append(
            f"The history at or before the last anchor {when} was rewritten: row #{last['seq']} "
            "no longer has the hash anchored then."
        )
    result.rows_after = max(head_seq - last["seq"], 0)
    for entry in reversed(anchors):
        if entry["seq"] <= head_seq and _mac_at(entry["seq"]) == entry["mac"]:
            result.start = (entry["seq"], entry["mac"])
            break
    ranges = [a for a in anchors if "docs_mac" in a]
    for entry in ranges if every_range else ranges[-1:]:
        lo, hi = int(entry["docs_from"]), int(entry["docs_to"])
        if lo < hi and documents_digest(key, lo, hi) != entry["docs_mac"]:
            result.problems.append(
                f"Sales, returns or replacements {lo + 1} to {hi} were changed after the anchor "
                f"of {entry.get('at', '?')}: a customer, total, approval, line or price differs."
            )
    return result


def _mac_at(seq: int) -> str | None:
    if seq == 0:
        return "0" * 64
    return UnitEvent.select(UnitEvent.hash).where(UnitEvent.seq == seq).scalar()
