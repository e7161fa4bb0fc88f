"""Reports: where a serial is, stock by serial, sales/returns/repairs, warranty and failure figures.

Each report is one or two set-based queries (GROUP BY in the database, never a
loop over units) and returns a ``Report``: a title, column names and plain rows,
ready for a table on screen, CSV or JSON. The listings live in ``listings``,
the figures in ``figures``; this module names them for the screen and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

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
from app.services.reports.source import reading_reports

__all__ = [
    "FILTER_LABELS",
    "REPORTS",
    "Filters",
    "Report",
    "ReportSpec",
    "run",
    "takes",
    "warranty_cost_over_margin",
]

# Every filter of a document listing.
DOCUMENT_FILTERS = (
    "date_from",
    "date_to",
    "days",
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
        ReportSpec("stock", "Serials in stock", stock, ("branch", "product", "supplier", "serial")),
        ReportSpec(
            "stock-count",
            "Stock count per branch/product",
            stock_count,
            ("branch", "product", "supplier", "serial"),
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
            ("date_from", "date_to", "days", "product", "supplier"),
        ),
        ReportSpec(
            "returns-by-branch",
            "Returns by branch",
            returns_by_branch,
            ("date_from", "date_to", "days", "branch", "product", "customer", "employee"),
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
            ("date_from", "date_to", "days", "branch", "product"),
        ),
    ]
}


# The filters as the reports form names them (the command line: --from, --to, --by...).
FILTER_LABELS = {
    "date_from": "From",
    "date_to": "To",
    "days": "Days",
    "product": "Product",
    "serial": "Serial",
    "customer": "Customer",
    "supplier": "Supplier",
    "branch": "Branch",
    "employee": "Employee",
}


def run(
    name: str,
    filters: Filters | None = None,
    *,
    today: date | None = None,
    reports_database: str | None = None,
) -> Report:
    """Run a report by name with its filters. A filter the report cannot take is refused,
    never ignored; Days N on a report over dates means the last N days, today counted.

    ``reports_database`` (the seat's setting; SERIALDESK_REPORTS_DB overrides it) is a
    read-only database (a replica) the report reads instead of the main one: ``source``."""
    spec = REPORTS.get(name)
    if spec is None:
        raise Refused(f"No report '{name}' ({', '.join(REPORTS)}).")
    filters = filters or Filters()
    today = today or date.today()
    ignored = [FILTER_LABELS[f] for f in filters.given() if f not in spec.filters]
    if ignored:
        takes = ", ".join(FILTER_LABELS[f] for f in spec.filters)
        raise Refused(
            f"{spec.label} cannot be narrowed by {' or '.join(ignored)}; it takes {takes}. "
            "Clear the others."
        )
    if filters.days is not None and not 0 <= filters.days <= 3660:
        raise Refused("Days is a number of days, 0 to 3660.")
    if spec.run is not warranties_expiring and filters.days is not None:
        if filters.date_from is not None:
            raise Refused("Give From or Days, not both: Days counts back from today.")
        # Days N is the last N days counting today: Days 1 is today only (0 too).
        back = max(filters.days - 1, 0)
        filters = replace(filters, date_from=today - timedelta(days=back), days=None)
    with reading_reports(reports_database) as note:
        if spec.run is warranties_expiring:
            report = warranties_expiring(filters, today)
        else:
            report = spec.run(filters)
    report.note = note
    return report


def takes(name: str) -> str:
    """The filters a report takes, as the form names them."""
    spec = REPORTS[name]
    if len(spec.filters) == len(FILTER_LABELS):
        return "every filter"
    return ", ".join(FILTER_LABELS[f] for f in spec.filters)
