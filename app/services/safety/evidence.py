"""Anchors: the history's head and the shop's sales documents, as this seat last saw them.

The keyed chain (``db.history``) shows any row changed or slipped in, but not rows
removed from the very end, nor a whole chain re-made by someone who has the key. An
anchor, appended to the seat's anchor file (``db.chain_key.anchor_path``) on every
clean ``verify``, every backup and every day-end slip, records the head (seq, mac) of
every lane of the chain (``seq``/``mac`` lane 0's, ``lanes`` the others'), the time,
and a keyed digest of the sales, returns and replacements written since the previous
anchor: every figure a warranty dispute turns on (customer, total, approver, each
line's product, serial, quantity and price). ``check`` compares the database with the
anchors, lane by lane; ``start`` is where an incremental ``verify`` may begin in each.

Only a restore anchor (written by ``serialdesk restore``) starts the seat's anchors
afresh: rows any later anchor saw and that are now missing are always reported, even
when the database is now exactly one of this seat's backups (copied over the live file
without ``serialdesk restore``), and a fresh anchor cannot make that loss disappear.

Every anchor names its chain. The anchor file is found by the database's chain id; a
database whose chain id was changed would point at an empty file, so every anchor file
in the key's folder is looked at: one whose anchors match this history (a keyed mac at
its place, or at the chain's first row, which every anchor records: macs of different
chains do not collide) belongs to it, the change of id is
reported and its anchors are checked too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import peewee as pw

from app.domain.errors import Busy
from app.services.ledger.documents import Kind
from db.chain_key import anchor_files, anchor_path, chain_id, read_anchor_file, write_anchor
from db.connection import db
from db.database import DatabaseBusy, between_writes
from db.history import BATCH, GENESIS, heads, heads_text
from db.history_verify import lane_label
from db.models import Document, DocumentLine, UnitEvent, WarrantyNumber

RESTORE = "restore"
# 2: the dispute documents' warranty numbers are in the digest too; 3: each document with
# its lines and their numbers, a window of ids at a time (the same figures, in flat time);
# 4: also a line's cost and source line, and a warranty number's product
DOCS_VERSION = 4
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
# From version 4 also (fields that never change once written): a line's cost and the sale
# line a return line gives back, a warranty number's product.
LINE_FIELDS_V4 = (*LINE_FIELDS, DocumentLine.cost, DocumentLine.source_line)
NUMBER_FIELDS = (
    WarrantyNumber.id,
    WarrantyNumber.number,
    WarrantyNumber.customer,
    WarrantyNumber.warranty_start,
    WarrantyNumber.warranty_end,
    WarrantyNumber.sale_line,
)
NUMBER_FIELDS_V4 = (*NUMBER_FIELDS, WarrantyNumber.product)


@dataclass
class AnchorCheck:
    last: dict | None = None  # the newest anchor on this seat
    rows_after: int = 0  # history rows written after it
    # Per lane, the newest anchored row that still matches (None: no anchor to start from).
    start: dict[int, tuple[int, str]] | None = None
    problems: list[str] = field(default_factory=list)
    copy_of: str | None = None  # the database is exactly this backup of this seat's


def documents_digest(key: bytes, after: int, upto: int, version: int) -> str:
    """HMAC over the dispute documents with ids in (after, upto], their lines and (from
    version 2) the warranty numbers issued on those lines.

    Version 3 takes each document with its lines and each line with its numbers, walking
    the documents' ids a window at a time: every query is a range on a primary key or a
    foreign-key index, so the cost is that of the range, whatever the ledger's size.
    Versions 1 and 2 (anchors written before) are still computed as they were."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    rows = (
        _grouped_rows(after, upto, version) if version >= 3 else _legacy_rows(after, upto, version)
    )
    for row in rows:
        mac.update(_ENCODE(row).encode() + b"\n")
    return mac.hexdigest()


_ENCODE = json.JSONEncoder(default=str, separators=(",", ":")).encode
DIGEST_WINDOW = 5_000  # document ids per round of queries; the digest does not depend on it


def _grouped_rows(after: int, upto: int, version: int) -> Iterator[tuple]:
    """Each dispute document in (after, upto] by id, then its lines by id, each followed by
    the warranty numbers issued on it by id.

    Every query is a range of document ids (the documents' key, the lines' document index),
    and the kind is picked here: a kind in the SQL would let the planner walk every sale
    of the ledger through the kind index for each window. Rows are read as the driver
    gives them, amounts made exact (``_amount``): the same figures whatever their storage."""
    line_fields = LINE_FIELDS_V4 if version >= 4 else LINE_FIELDS
    number_fields = NUMBER_FIELDS_V4 if version >= 4 else NUMBER_FIELDS
    low = after
    while low < upto:
        high = min(low + DIGEST_WINDOW, upto)
        documents = [
            (*row[:7], _amount(row[7]), row[8])
            for row in _raw(
                Document.select(*DOC_FIELDS)
                .where((Document.id > low) & (Document.id <= high))
                .order_by(Document.id)
            )
            if row[1] in DISPUTE_KINDS
        ]
        wanted = {row[0] for row in documents}
        in_window = (DocumentLine.document > low) & (DocumentLine.document <= high)
        lines: dict[int, list[tuple]] = {}
        for row in _raw(DocumentLine.select(*line_fields).where(in_window)):
            if row[1] in wanted:
                amounts = [_amount(v) for v in row[5:8]]  # quantity, price (v4: cost)
                lines.setdefault(row[1], []).append((*row[:5], *amounts, *row[8:]))
        numbers: dict[int, list[tuple]] = {}
        query = WarrantyNumber.select(*number_fields, DocumentLine.document).join(DocumentLine)
        for row in _raw(query.where(in_window)):
            if row[-1] in wanted:
                numbers.setdefault(row[5], []).append(row[:-1])
        for document in documents:
            yield document
            for line in sorted(lines.get(document[0], ())):
                yield line
                yield from sorted(numbers.get(line[0], ()))
        low = high


def _raw(query) -> list[tuple]:
    """The query's rows as the driver returns them (no per-value conversion)."""
    return db.execute_sql(*query.sql()).fetchall()


def _amount(value) -> int | str | None:
    """An amount or quantity the same whether stored as integer, real or decimal: an integer
    when whole, else its exact decimal text (19.99, never 19.989999...). A value that is
    no number (written behind the application's back) is kept as it is, marked: the
    digest then differs, and the check says so rather than stop."""
    if value is None or isinstance(value, int):
        return value
    try:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return f"not a number: {value!r}"
    if not exact.is_finite():
        return f"not a number: {value!r}"
    whole = exact == exact.to_integral_value()
    return int(exact) if whole else format(exact.normalize(), "f")


def _legacy_rows(after: int, upto: int, version: int) -> Iterator[tuple]:
    """Versions 1 and 2: every document, then every line, then (2) every number, by id."""
    in_range = (Document.id > after) & (Document.id <= upto) & Document.kind.in_(DISPUTE_KINDS)
    parts = [
        (Document.select(*DOC_FIELDS).where(in_range), Document.id),
        (DocumentLine.select(*LINE_FIELDS).join(Document).where(in_range), DocumentLine.id),
    ]
    if version >= 2:
        numbers = WarrantyNumber.select(*NUMBER_FIELDS).join(DocumentLine).join(Document)
        parts.append((numbers.where(in_range), WarrantyNumber.id))
    for query, id_field in parts:
        last = 0
        while True:
            batch = list(query.where(id_field > last).order_by(id_field).limit(BATCH).tuples())
            if not batch:
                break
            yield from batch
            last = batch[-1][0]


def anchor(key: bytes, why: str, **extra) -> dict:
    """Append every lane's head and the documents since the previous anchor to the anchor file.

    The heads and the top document id are read between writes (``between_writes``): no
    document below the top id is still uncommitted at another branch (it would be left out
    of this digest and never be in a later one)."""
    try:
        with between_writes():
            found = heads()
            upto = Document.select(pw.fn.MAX(Document.id)).scalar() or 0
    except DatabaseBusy as exc:
        raise Busy(str(exc)) from exc
    anchors = read_anchor_file(anchor_path())[0]
    # A restore takes the database back in time: anchors before it no longer apply.
    after = int(anchors[-1].get("docs_to", 0)) if anchors and why != RESTORE else 0
    after = min(after, upto)
    seq, mac = found[0]
    entry = {
        "seq": seq,
        "mac": mac,
        "lanes": {str(lane): list(head) for lane, head in sorted(found.items()) if lane},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": why,
        "docs_from": after,
        "docs_to": upto,
        "docs_v": DOCS_VERSION,
        "docs_mac": documents_digest(key, after, upto, DOCS_VERSION),
        "first": _first_row(),  # the chain's first row: names the chain for good
        **extra,
    }
    write_anchor(entry)
    return entry


def lane_heads(entry: dict) -> dict[int, tuple[int, str]]:
    """An anchor's heads, lane -> (seq, mac) (an anchor from before lanes: lane 0 only)."""
    found = {0: (entry["seq"], entry["mac"])}
    for lane, (seq, mac) in entry.get("lanes", {}).items():
        found[int(lane)] = (seq, mac)
    return found


def _epoch(anchors: list[dict]) -> list[dict]:
    """The anchors from the last restore on (a restore went back in time on purpose)."""
    restores = [i for i, a in enumerate(anchors) if a.get("why") == RESTORE]
    return anchors[restores[-1] :] if restores else anchors


def _first_row() -> str | None:
    """The hash of the first row ever written (the first of its lane): it names the chain
    for good, whatever lanes come later."""
    row = (
        UnitEvent.select(UnitEvent.hash)
        .where(UnitEvent.seq == 1)
        .order_by(UnitEvent.id)
        .limit(1)
        .tuples()
        .first()
    )
    return row[0] if row else None


def _stored(places) -> dict[tuple[int, int], str]:
    """The stored hash of each of these history rows, by (lane, seq) (seq 0: a lane's start)."""
    wanted: dict[int, set[int]] = {}
    for lane, seq in places:
        wanted.setdefault(lane, set()).add(seq)
    found = {(lane, 0): GENESIS for lane in wanted}
    for lane, seqs in wanted.items():
        ordered = sorted(s for s in seqs if s > 0)
        for i in range(0, len(ordered), 500):
            query = UnitEvent.select(UnitEvent.seq, UnitEvent.hash).where(
                UnitEvent.lane == lane, UnitEvent.seq.in_(ordered[i : i + 500])
            )
            found.update(((lane, seq), mac) for seq, mac in query.tuples())
    return found


def _places(entries) -> set[tuple[int, int]]:
    return {(lane, seq) for e in entries for lane, (seq, _mac) in lane_heads(e).items()}


def _gather(result: AnchorCheck) -> tuple[list[dict], list[dict]]:
    """This chain's anchors (from the last restore on, oldest first) and every anchor of
    this seat's own file (for the backups' heads); a changed chain id is a problem."""
    chain = chain_id() or "unknown"
    own_path = anchor_path(chain)
    own, bad = read_anchor_file(own_path)
    result.problems += bad
    anchors = _epoch(own)
    first = _first_row()
    for path in anchor_files(chain):
        if path == own_path:
            continue
        entries, bad = read_anchor_file(path)
        stored = _stored(_places(entries))
        if not any(_ours(e, stored, first) for e in entries):
            continue  # another chain's anchors
        result.problems.append(
            f"The database's chain id was changed from {path.stem} to {chain}: the anchors "
            f"of chain {path.stem} on this seat ({path}) match this history, and it is "
            "checked against them too."
        )
        result.problems += bad
        anchors += _epoch(entries)
        own += entries
    anchors.sort(key=lambda a: (str(a.get("at", "")), a["seq"]))
    return anchors, own


def _ours(entry: dict, stored: dict[tuple[int, int], str], first: str | None) -> bool:
    """Does this anchor belong to this history? One of its rows, or the chain's first row
    (which a removed tail leaves), has the keyed mac anchored."""
    rows = lane_heads(entry).items()
    return any(seq > 0 and stored.get((lane, seq)) == mac for lane, (seq, mac) in rows) or (
        entry.get("first") is not None and entry.get("first") == first
    )


def check(key: bytes, *, every_range: bool = True) -> AnchorCheck:
    """The database against this seat's anchors: a removed tail, a rewritten lane, changed
    documents (every anchored range, or only the newest with ``every_range=False``)."""
    result = AnchorCheck()
    anchors, everything = _gather(result)
    if not anchors:
        return result
    now = heads()
    copies = [a for a in everything if a.get("copy_head") == heads_text(now)]
    result.copy_of = copies[-1].get("backup") if copies else None
    result.last = last = anchors[-1]
    then = lane_heads(last)
    result.rows_after = sum(
        max(seq - then.get(lane, (0, ""))[0], 0) for lane, (seq, _) in now.items()
    )
    stored = _stored(_places(anchors))
    result.start = {}
    seen: dict[int, list[tuple[dict, int, str]]] = {}  # lane -> (anchor, seq, mac), in order
    for entry in anchors:
        for lane, (seq, mac) in lane_heads(entry).items():
            seen.setdefault(lane, []).append((entry, seq, mac))
    for lane in sorted(seen):
        _check_lane(result, lane, now.get(lane, (0, GENESIS))[0], seen[lane], stored, copies)
    result.start = result.start or None  # no lane to start from: the whole chain is walked
    ranges = [a for a in anchors if "docs_mac" in a]
    for entry in ranges if every_range else ranges[-1:]:
        lo, hi = entry["docs_from"], entry["docs_to"]
        digest = documents_digest(key, lo, hi, entry.get("docs_v", 1))
        if lo < hi and not hmac.compare_digest(digest, entry["docs_mac"]):
            result.problems.append(
                f"Sales, returns or replacements {lo + 1} to {hi} were changed after the anchor "
                f"of {entry.get('at', '?')}: a customer, total, approval, line, price or "
                "warranty number differs."
            )
    return result


def _check_lane(result, lane, head_seq, seen, stored, copies) -> None:
    """One lane against the anchors that saw it (``seen``: anchor, seq, mac): rows removed
    from its end, rows rewritten at or before an anchored row, and the newest anchored row
    to walk on from."""
    label = lane_label(lane)
    top, top_seq, _mac = max(seen, key=lambda s: s[1])
    if head_seq < top_seq:
        result.problems.append(
            f"History rows #{head_seq + 1} to #{top_seq}{label} were removed: this seat's "
            f"anchor {_when(top, top_seq)} saw them." + _copy_note(copies)
        )
    rewritten = [s for s in seen if s[1] <= head_seq and stored.get((lane, s[1])) != s[2]]
    if rewritten:
        newest, seq, _mac = max(rewritten, key=lambda s: s[1])
        result.problems.append(
            f"The history at or before the anchor {_when(newest, seq)} was rewritten: row "
            f"#{seq}{label} no longer has the hash anchored then."
        )
    for _entry, seq, mac in sorted(seen, key=lambda s: s[1], reverse=True):
        if seq <= head_seq and stored.get((lane, seq)) == mac:
            if seq:
                result.start[lane] = (seq, mac)
            break


def _when(entry: dict, seq: int) -> str:
    return f"#{seq} on {entry.get('at', '?')} ({entry.get('why', '?')})"


def _copy_note(copies: list[dict]) -> str:
    if not copies:
        return ""
    backup = copies[-1]
    return (
        f" The database is now exactly backup {backup.get('backup', '?')} of "
        f"{backup.get('at', '?')}; a restore must go through 'serialdesk restore', which "
        "records it."
    )
