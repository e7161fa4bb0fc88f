"""Reports: where a serial is, stock by serial, sales/returns/repairs, warranty and failure figures.

Each report is one or two set-based queries (GROUP BY in the database, never a
loop over units) and returns a ``Report``: a title, column names and plain rows,
ready for a table on screen, CSV or JSON. The listings live in ``listings``,
the figures in ``figures``; this module names them for the screen and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.domain.errors import Refused
from app.services.reports.base import Filters, Report
from app.services.reports.figures import (
    repeat_defects,
    returns_by_branch,
    supplier_failure,
    technician_repeats,
    warranty_cost_over_margin,
)
from app.services.reports.listings import (
    repairs,
    returns,
    sales,
    stock,
    stock_count,
    warranties_expiring,
    where_is,
)

__all__ = ["REPORTS", "Filters", "Report", "ReportSpec", "run", "warranty_cost_over_margin"]

# Every filter of a document listing.
DOCUMENT_FILTERS = (
    "date_from",
    "date_to",
    "product",
    "serial",
    "customer",
    "supplier",
    "branch",
    "employee",
)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    label: str
    run: Callable[..., Report]
    filters: tuple[str, ...]  # which Filters fields it reads


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in [
        ReportSpec("where", "Where is a serial", where_is, ("serial",)),
        ReportSpec("stock", "Serials in stock", stock, ("branch", "product", "supplier")),
        ReportSpec(
            "stock-count",
            "Stock count per branch/product",
            stock_count,
            ("branch", "product", "supplier"),
        ),
        ReportSpec(
            "sales",
            "Sales",
            sales,
            DOCUMENT_FILTERS,
        ),
        ReportSpec(
            "returns",
            "Customer returns",
            returns,
            DOCUMENT_FILTERS,
        ),
        ReportSpec(
            "repairs",
            "Repairs",
            repairs,
            DOCUMENT_FILTERS,
        ),
        ReportSpec(
            "expiring",
            "Warranties expiring",
            warranties_expiring,
            ("days", "product", "customer", "supplier"),
        ),
        ReportSpec(
            "supplier-failure", "Supplier failure rate", supplier_failure, ("supplier", "product")
        ),
        ReportSpec(
            "repeat-defects",
            "Models with repeat defects",
            repeat_defects,
            ("date_from", "date_to", "product", "supplier"),
        ),
        ReportSpec(
            "returns-by-branch",
            "Returns by branch",
            returns_by_branch,
            ("date_from", "date_to", "branch", "product", "customer", "employee"),
        ),
        ReportSpec(
            "technician-repeats",
            "Technicians with repeat repairs",
            technician_repeats,
            ("employee", "product"),
        ),
        ReportSpec(
            "warranty-cost",
            "Warranty cost over margin",
            warranty_cost_over_margin,
            ("date_from", "date_to", "branch", "product"),
        ),
    ]
}


def run(name: str, filters: Filters | None = None, *, today: date | None = None) -> Report:
    """Run a report by name with its filters."""
    spec = REPORTS.get(name)
    if spec is None:
        raise Refused(f"No report '{name}' ({', '.join(REPORTS)}).")
    filters = filters or Filters()
    if spec.run is warranties_expiring:
        return warranties_expiring(filters, today)
    return spec.run(filters)
