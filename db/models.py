"""Peewee models: the shop's master data, its units, documents and the unit history.

The history (``UnitEvent``) is append-only: a mistake is undone by a correcting
event, never by an edit, so the history stays evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import peewee as pw

from db.connection import db

CENT = Decimal("0.01")


class UtcDateTimeField(pw.DateTimeField):
    """A timezone-aware UTC datetime, stored as naive UTC on every backend."""

    def db_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class MoneyField(pw.DecimalField):
    """Money with two decimal places, read back as such on every backend."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("auto_round", True)
        super().__init__(*args, **kwargs)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, Decimal):
            value = value.quantize(CENT)
        return value


def now() -> datetime:
    return datetime.now(UTC)


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = UtcDateTimeField(default=now)


class Branch(BaseModel):
    code = pw.CharField(max_length=16, unique=True)
    name = pw.CharField(max_length=120)
    address = pw.TextField(default="")


class Employee(BaseModel):
    login = pw.CharField(max_length=40, unique=True)
    name = pw.CharField(max_length=120)
    role = pw.CharField(max_length=16)
    pin_hash = pw.CharField(max_length=200)
    branch = pw.ForeignKeyField(Branch, null=True, backref="employees")
    active = pw.BooleanField(default=True)
    failed_pins = pw.IntegerField(default=0)
    locked_until = UtcDateTimeField(null=True)


class Supplier(BaseModel):
    name = pw.CharField(max_length=120, unique=True)
    contact = pw.TextField(default="")


class Customer(BaseModel):
    name = pw.CharField(max_length=120, index=True)
    phone = pw.CharField(max_length=40, default="", index=True)
    email = pw.CharField(max_length=120, default="")
    created_at = UtcDateTimeField(default=now)


class ProductType(BaseModel):
    name = pw.CharField(max_length=80, unique=True)
    tracking_mode = pw.CharField(max_length=24)
    warranty_months = pw.IntegerField(default=0)
    card_template = pw.TextField(default="")
    print_mode = pw.CharField(max_length=8, default="offer")
    serial_pattern = pw.CharField(max_length=200, default="")
    check_kind = pw.CharField(max_length=8, default="none")
    mask_policy = pw.CharField(max_length=8, default="none")


class Product(BaseModel):
    sku = pw.CharField(max_length=40, unique=True)
    name = pw.CharField(max_length=200)
    gtin = pw.CharField(max_length=14, null=True, unique=True)
    type = pw.ForeignKeyField(ProductType, backref="products")
    price = MoneyField()
    # Per-product overrides of the type's settings; None means "as the type says".
    tracking_mode = pw.CharField(max_length=24, null=True)
    warranty_months = pw.IntegerField(null=True)
    serial_pattern = pw.CharField(max_length=200, null=True)
    check_kind = pw.CharField(max_length=8, null=True)
    active = pw.BooleanField(default=True)


class Document(BaseModel):
    """A receipt, sale, return, transfer, supplier return, adjustment, stocktake,
    repair ticket or warranty replacement: who, where, when and with whom."""

    kind = pw.CharField(max_length=20)
    branch = pw.ForeignKeyField(Branch, backref="documents")
    to_branch = pw.ForeignKeyField(Branch, null=True, backref="incoming_documents")
    employee = pw.ForeignKeyField(Employee, backref="documents")
    approved_by = pw.ForeignKeyField(Employee, null=True, backref="approvals")
    customer = pw.ForeignKeyField(Customer, null=True, backref="documents")
    supplier = pw.ForeignKeyField(Supplier, null=True, backref="documents")
    related = pw.ForeignKeyField("self", null=True, backref="followers")
    reference = pw.CharField(max_length=80, default="")
    status = pw.CharField(max_length=20, default="closed")
    created_at = UtcDateTimeField(default=now)
    business_date = pw.DateField()
    closed_at = UtcDateTimeField(null=True)
    total = MoneyField(default=0)
    payment_method = pw.CharField(max_length=16, default="")
    paid = MoneyField(default=0)
    reason = pw.TextField(default="")
    note = pw.TextField(default="")

    class Meta:
        indexes = (
            (("kind", "status", "branch"), False),
            # reports: a kind's documents per branch, with their date, without the table
            (("kind", "branch", "business_date"), False),
        )


class Unit(BaseModel):
    serial = pw.CharField(max_length=64, index=True)
    product = pw.ForeignKeyField(Product, backref="units", index=False)  # step 7
    state = pw.CharField(max_length=24)
    branch = pw.ForeignKeyField(Branch, null=True, backref="units")
    supplier = pw.ForeignKeyField(Supplier, null=True, backref="units", index=False)
    customer = pw.ForeignKeyField(Customer, null=True, backref="units")
    cost = MoneyField(null=True)
    warranty_start = pw.DateField(null=True)
    warranty_end = pw.DateField(null=True)
    replaces = pw.ForeignKeyField("self", null=True, backref="replaced_by")
    flag = pw.TextField(default="")
    updated_at = UtcDateTimeField(default=now)
    # The day the unit first came back under warranty (a covered repair, a return while
    # its warranty ran, a replacement); None if it never did. Supplier failure counts it.
    came_back = pw.DateField(null=True)
    # How many repair tickets the unit has had (repeat defects counts it).
    repair_count = pw.IntegerField(default=0)

    class Meta:
        indexes = (
            (("product", "branch", "state"), False),
            (("state", "branch"), False),
            # reports, each from its index alone: supplier failure per supplier and product,
            # repeat defects per product, warranties ending in the next days
            (("supplier", "product", "came_back"), False),
            (("product", "repair_count"), False),
            (("warranty_end", "state"), False),
        )


class DocumentLine(BaseModel):
    document = pw.ForeignKeyField(Document, backref="lines", on_delete="CASCADE", index=False)
    # None only for a stocktake scan of a serial nobody knows.
    product = pw.ForeignKeyField(Product, null=True, backref="lines")
    unit = pw.ForeignKeyField(Unit, null=True, backref="lines", index=False)
    serial = pw.CharField(max_length=64, default="")
    quantity = pw.IntegerField(default=1)
    price = MoneyField(default=0)
    cost = MoneyField(null=True)
    # A return line points at the sale line it returns; a transfer-in at its transfer-out.
    source_line = pw.ForeignKeyField("self", null=True, backref="followers")
    returned_quantity = pw.IntegerField(default=0)
    received_quantity = pw.IntegerField(default=0)
    condition = pw.CharField(max_length=40, default="")
    disposition = pw.CharField(max_length=24, default="")
    result = pw.CharField(max_length=24, default="")
    note = pw.TextField(default="")

    class Meta:
        # reports: a document's lines' figures read from the index alone (sales margin,
        # refunds, replacement cost), and a unit's documents (supplier failure)
        indexes = (
            (("document", "product", "quantity", "price", "cost"), False),
            (("unit", "document"), False),
        )


class StockLevel(BaseModel):
    """Quantity stock of goods not tracked by serial, per branch."""

    product = pw.ForeignKeyField(Product, backref="stock_levels")
    branch = pw.ForeignKeyField(Branch, backref="stock_levels")
    quantity = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("product", "branch"), True),)


class WarrantyNumber(BaseModel):
    """A warranty issued for one unit of a product sold without serials."""

    number = pw.CharField(max_length=24, unique=True)
    product = pw.ForeignKeyField(Product, backref="warranty_numbers")
    sale_line = pw.ForeignKeyField(DocumentLine, backref="warranty_numbers")
    customer = pw.ForeignKeyField(Customer, null=True, backref="warranty_numbers")
    warranty_start = pw.DateField()
    warranty_end = pw.DateField(null=True)
    state = pw.CharField(max_length=16, default="active")


class UnitEvent(BaseModel):
    """One line of a unit's history: what, when, where, who, which document, from, to."""

    # No index of its own where a wider one begins with it, or none is needed (step 7).
    unit = pw.ForeignKeyField(Unit, backref="events", index=False)
    event = pw.CharField(max_length=24)
    at = UtcDateTimeField(default=now)
    branch = pw.ForeignKeyField(Branch, null=True, index=False)
    employee = pw.ForeignKeyField(Employee, index=False)
    approved_by = pw.ForeignKeyField(Employee, null=True, index=False)
    document = pw.ForeignKeyField(Document, null=True, backref="events")
    from_state = pw.CharField(max_length=24, null=True)
    to_state = pw.CharField(max_length=24)
    note = pw.TextField(default="")
    # Tamper evidence (db/history.py): the row's lane (the branch it was written at; 0 for
    # rows from before lanes and rows of no branch), its place in that lane's chain, and
    # HMAC-SHA256 (a key kept off the database) over the lane, the previous row's hash and
    # this row. Seq and hash are null only if written behind the application's back.
    lane = pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])
    seq = pw.BigIntegerField(null=True)
    hash = pw.CharField(max_length=64, null=True)
    # The unit as this row left it (serial, product, customer, warranty), under the hash.
    facts = pw.TextField(default="")

    class Meta:
        indexes = ((("unit", "id"), False), (("lane", "seq"), True))


class RepairTicket(BaseModel):
    document = pw.ForeignKeyField(Document, unique=True, backref="repair")
    unit = pw.ForeignKeyField(Unit, null=True, backref="repairs")
    warranty_number = pw.ForeignKeyField(WarrantyNumber, null=True, backref="repairs")
    product = pw.ForeignKeyField(Product)
    complaint = pw.TextField()
    intake_condition = pw.TextField(default="")
    accessories = pw.TextField(default="")
    technician = pw.ForeignKeyField(Employee, null=True)
    status = pw.CharField(max_length=20, default="received", index=True)
    covered = pw.BooleanField(default=False)
    decision_reason = pw.TextField(default="")
    diagnosis = pw.TextField(default="")
    outcome = pw.TextField(default="")
    quality_check = pw.TextField(default="")
    collected_at = UtcDateTimeField(null=True)
    # The unit came in again after this ticket (technicians' repeat repairs count it).
    came_back_again = pw.BooleanField(default=False)

    class Meta:
        # reports: covered repairs of a unit (supplier failure), a technician's tickets
        indexes = (
            (("unit", "covered"), False),
            (("technician", "unit", "came_back_again"), False),
        )


class RepairStatusChange(BaseModel):
    ticket = pw.ForeignKeyField(RepairTicket, backref="status_changes")
    from_status = pw.CharField(max_length=20, null=True)
    to_status = pw.CharField(max_length=20)
    employee = pw.ForeignKeyField(Employee)
    at = UtcDateTimeField(default=now)
    note = pw.TextField(default="")


class RepairPart(BaseModel):
    ticket = pw.ForeignKeyField(RepairTicket, backref="parts")
    description = pw.CharField(max_length=200)
    quantity = pw.IntegerField(default=1)
    cost = MoneyField(default=0)
    employee = pw.ForeignKeyField(Employee)
    at = UtcDateTimeField(default=now)


class PrintJob(BaseModel):
    """A warranty card or slip waiting for (or done by) a printer; never lost with a sale."""

    kind = pw.CharField(max_length=12)
    document = pw.ForeignKeyField(Document, null=True, backref="print_jobs")
    unit = pw.ForeignKeyField(Unit, null=True, backref="print_jobs")
    claim_code = pw.CharField(max_length=64, default="")
    text = pw.TextField()
    status = pw.CharField(max_length=12, default="queued", index=True)
    seat = pw.CharField(max_length=60, default="")
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(default="")
    created_at = UtcDateTimeField(default=now)
    printed_at = UtcDateTimeField(null=True)


class DayTotal(BaseModel):
    """Per kind, branch, product and business day: how many lines, units, and their money
    (in cents), kept with every line written (app/services/ledger/totals.py), so that a
    figure over the whole ledger reads one row per product, branch and day, not every line.

    Kinds: ``sale``, ``replacement`` and ``return`` (document lines of those documents;
    ``amount`` is what was charged or refunded, ``cost`` the units' cost), and
    ``covered_parts`` (parts fitted on covered repairs, dated and placed by their ticket;
    ``cost`` is the parts' cost).
    """

    kind = pw.CharField(max_length=20)
    branch = pw.ForeignKeyField(Branch)
    product = pw.ForeignKeyField(Product)
    day = pw.DateField()
    lines = pw.IntegerField(default=0)
    quantity = pw.BigIntegerField(default=0)
    amount_cents = pw.BigIntegerField(default=0)
    cost_cents = pw.BigIntegerField(default=0)

    class Meta:
        indexes = (
            (("kind", "product", "branch", "day"), True),
            # the reports read every figure from this index alone, never the table
            (("kind", "product", "branch", "day", "quantity", "amount_cents", "cost_cents"), False),
        )


class KitComponent(BaseModel):
    """A kit's definition: one component product and how many go into each kit."""

    kit = pw.ForeignKeyField(Product, backref="kit_components")
    component = pw.ForeignKeyField(Product, backref="in_kits")
    quantity = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("kit", "component"), True),)


class AssembledKit(BaseModel):
    """One kit put together: its own unit (serial or kit number) and the exact parts in it."""

    unit = pw.ForeignKeyField(Unit, backref="kit_assemblies")
    branch = pw.ForeignKeyField(Branch)
    status = pw.CharField(max_length=16, default="assembled")  # assembled|sold|disassembled
    assembly = pw.ForeignKeyField(Document, backref="assembled_kits")
    disassembly = pw.ForeignKeyField(Document, null=True, backref="disassembled_kits")


class AssembledKitPart(BaseModel):
    """A component in an assembled kit: a unit by serial, or a quantity of goods."""

    kit = pw.ForeignKeyField(AssembledKit, backref="parts")
    product = pw.ForeignKeyField(Product)
    unit = pw.ForeignKeyField(Unit, null=True, backref="kit_parts")
    quantity = pw.IntegerField(default=1)


ALL_MODELS = [
    SchemaVersion,
    Branch,
    Employee,
    Supplier,
    Customer,
    ProductType,
    Product,
    Document,
    Unit,
    DocumentLine,
    StockLevel,
    WarrantyNumber,
    UnitEvent,
    RepairTicket,
    RepairStatusChange,
    RepairPart,
    PrintJob,
    DayTotal,
    KitComponent,
    AssembledKit,
    AssembledKitPart,
]
