"""Documents and their numbers: every move of stock or money is one document
(S-42 is sale 42), found again by that number."""

from __future__ import annotations

import peewee as pw

from app.domain.errors import NotFound, Refused
from app.domain.serials import plain_text
from app.domain.text import MAX_STORED_NOTE, free_text
from app.services.access.context import Context
from db.bulk import create_row
from db.connection import db, is_sqlite
from db.models import Document
from db.number_floor import raise_floor, read_floor


class Kind:
    """Document kinds and the prefixes of their numbers (S-42 is sale 42)."""

    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    TRANSFER = "transfer"
    SUPPLIER_RETURN = "supplier_return"
    ADJUSTMENT = "adjustment"
    STOCKTAKE = "stocktake"
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    KIT_ASSEMBLY = "kit_assembly"
    KIT_DISASSEMBLY = "kit_disassembly"
    # What a shop brought when it moved in: stock on its shelves, units sold before (import).
    OPENING = "opening_balance"


PREFIX = {
    Kind.RECEIPT: "GR",
    Kind.SALE: "S",
    Kind.RETURN: "CR",
    Kind.TRANSFER: "T",
    Kind.SUPPLIER_RETURN: "RMA",
    Kind.ADJUSTMENT: "ADJ",
    Kind.STOCKTAKE: "ST",
    Kind.REPAIR: "R",
    Kind.REPLACEMENT: "WR",
    Kind.KIT_ASSEMBLY: "KA",
    Kind.KIT_DISASSEMBLY: "KD",
    Kind.OPENING: "OB",
}
KIND_BY_PREFIX = {v: k for k, v in PREFIX.items()}


def doc_number(kind: str, doc_id: int) -> str:
    return f"{PREFIX[kind]}-{doc_id}"


def get_document(number: str, kind: str | None = None) -> Document:
    """The document with a number such as ``S-42``; refuse a wrong kind with the reason."""
    plain_text(number, "document number")
    text = number.strip().upper()
    prefix, _, digits = text.rpartition("-")
    if not digits.isdigit() or prefix not in KIND_BY_PREFIX:
        raise NotFound(f"'{number}' is not a document number (like S-42 or R-7).")
    doc = Document.get_or_none(Document.id == int(digits))
    if doc is None or doc.kind != KIND_BY_PREFIX[prefix]:
        raise NotFound(f"There is no document {text}.")
    if kind is not None and doc.kind != kind:
        raise Refused(f"{text} is {_a(doc.kind)}, not {_a(kind)}.")
    return doc


def _a(kind: str) -> str:
    """A kind with its article: "a sale", "an opening balance"."""
    words = kind.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


_FREE_TEXT = ("note", "reason", "reference")  # typed text a document keeps


def new_document(kind: str, ctx: Context, **fields) -> Document:
    """A new document of ``kind``, by this employee at this branch (unless ``branch`` says
    another), dated today."""
    for key in _FREE_TEXT:
        if isinstance(fields.get(key), str):
            fields[key] = free_text(fields[key], key, limit=MAX_STORED_NOTE, lines=True)
    fields.setdefault("business_date", ctx.today())
    fields.setdefault("created_at", ctx.now())
    above = _id_above_floor()
    if above is not None:
        fields.setdefault("id", above)
    fields.setdefault("branch", ctx.branch_id)  # an opening balance names each branch's own
    return create_row(Document, kind=kind, employee=ctx.employee_id, **fields)


def _id_above_floor() -> int | None:
    """On a restored SQLite file, the id above the highest number issued before the
    restore (``db.number_floor``), so no number printed on a receipt is issued again;
    None (the next row id) otherwise. Runs inside the document's write transaction."""
    if not is_sqlite():
        return None
    floor = read_floor(db.obj.database)
    if not floor:
        return None
    top = Document.select(Document.id).order_by(Document.id.desc()).limit(1).scalar() or 0
    return floor + 1 if top < floor else None


def numbers_used() -> int:
    """The highest document number issued or kept back (new ones are numbered above it)."""
    top = Document.select(pw.fn.MAX(Document.id)).scalar() or 0
    if is_sqlite():
        kept = read_floor(db.obj.database) if db.obj.database != ":memory:" else 0
        return max(top, kept)
    (sequence,) = db.execute_sql("SELECT pg_get_serial_sequence('document', 'id')").fetchone()
    (last,) = db.execute_sql(f"SELECT last_value FROM {sequence}").fetchone()
    return max(top, last)


def reserve_numbers(highest: int) -> None:
    """Number new documents above ``highest`` (the numbers a shop issued before it moved
    here: an old receipt must never open a new sale). SQLite: the file's number floor
    (``db.number_floor``, as a restore keeps it); PostgreSQL: the id sequence moves on."""
    if highest <= numbers_used():
        return
    if is_sqlite():
        if db.obj.database != ":memory:":
            raise_floor(db.obj.database, highest)
        return
    sequence = "pg_get_serial_sequence('document', 'id')"
    db.execute_sql(f"SELECT setval({sequence}, GREATEST(%s, nextval({sequence})))", (highest,))
