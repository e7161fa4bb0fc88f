"""Documents and their numbers: every move of stock or money is one document
(S-42 is sale 42), found again by that number."""

from __future__ import annotations

from app.domain.errors import NotFound, Refused
from app.domain.serials import plain_text
from app.services.access.context import Context
from db.models import Document


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
        raise Refused(f"{text} is a {doc.kind.replace('_', ' ')}, not a {kind.replace('_', ' ')}.")
    return doc


def new_document(kind: str, ctx: Context, **fields) -> Document:
    """A new document of ``kind``, by this employee at this branch, dated today."""
    fields.setdefault("business_date", ctx.today())
    fields.setdefault("created_at", ctx.now())
    return Document.create(kind=kind, branch=ctx.branch_id, employee=ctx.employee_id, **fields)
