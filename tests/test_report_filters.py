"""Every filter a report is given applies, or the report says it cannot take it; Days on a
report over dates counts back from today; the command line agrees; CSV exports land in a
known folder, never over another file."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.cli import entry as cli
from app.domain.errors import Refused
from app.services.reports import runner
from app.services.reports.export import export_csv, export_folder
from app.services.reports.runner import Filters
from tests.test_reports import data  # noqa: F401  (the known dataset, both backends)

SOLD_ON = date(2026, 1, 15)  # every sale of the dataset; the return and repairs ten days later


def rows(name: str, today: date, **filters) -> int:
    return len(runner.run(name, Filters(**filters), today=today).rows)


def test_days_on_a_listing_counts_back_from_today(data):  # noqa: F811
    # Days N is the last N days counting today: Days 1 is today only, not yesterday too.
    assert rows("sales", SOLD_ON + timedelta(days=29), days=30) == 5
    assert rows("sales", SOLD_ON + timedelta(days=30), days=30) == 0
    assert rows("sales", SOLD_ON, days=1) == 5
    assert rows("sales", SOLD_ON + timedelta(days=1), days=1) == 0
    assert rows("sales", SOLD_ON, days=0) == 5
    assert rows("returns", SOLD_ON + timedelta(days=10), days=0) == 1
    assert rows("repairs", SOLD_ON + timedelta(days=39), days=30) == 3
    assert rows("repairs", SOLD_ON + timedelta(days=40), days=30) == 0
    assert rows("returns-by-branch", SOLD_ON + timedelta(days=60), days=30) == 0
    assert rows("returns-by-branch", SOLD_ON + timedelta(days=10), days=5) == 1
    # Days still means the next N days for warranties expiring (30 when not given)
    assert runner.run("expiring", Filters(), today=SOLD_ON).title.endswith("2026-02-14")


def test_a_filter_a_report_cannot_take_is_refused_not_ignored(data):  # noqa: F811
    with pytest.raises(Refused, match=r"cannot be narrowed by Customer; it takes Branch"):
        runner.run("stock", Filters(customer="Ann Buyer"))
    with pytest.raises(Refused, match="cannot be narrowed by To or Branch"):
        runner.run("expiring", Filters(date_to=SOLD_ON, branch="A"))
    with pytest.raises(Refused, match="From or Days, not both"):
        runner.run("sales", Filters(days=30, date_from=SOLD_ON))
    with pytest.raises(Refused, match="0 to 3660"):
        runner.run("sales", Filters(days=-1))
    assert runner.takes("sales") == "every filter"
    assert runner.takes("supplier-failure") == "Supplier, Product"


def test_the_command_line_takes_days_as_the_screen_does(data, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SERIALDESK_PIN", "1234")  # mia's: reports show costs and customers
    since = (date.today() - SOLD_ON).days + 1  # the sales fall on the first day of the window

    def sales(*argv) -> list:
        assert (
            cli.main(["--db", data.url, "--employee", "mia", "report", "sales", "--json", *argv])
            == 0
        )
        return json.loads(capsys.readouterr().out)["rows"]

    assert len(sales("--days", str(since))) == 5
    assert sales("--days", str(since - 1)) == []
    assert len(sales()) == 5  # no --days: every date
    assert (
        cli.main(
            ["--db", data.url, "--employee", "mia", "report", "stock", "--customer", "Ann Buyer"]
        )
        == 1
    )
    assert "cannot be narrowed by Customer" in capsys.readouterr().err


def test_an_export_goes_to_the_documents_folder_and_never_over_a_file(tmp_path):
    report = runner.Report("sales", "Sales", ["date", "sale"], [(SOLD_ON, "S-1")])
    written = export_csv(report, "sales-today")
    folder = tmp_path / "home" / "Documents" / "serialdesk"
    assert export_folder() == folder
    assert written == folder / "sales-today.csv" and written.is_absolute()
    assert written.read_text() == "date,sale\n2026-01-15,S-1\n"
    with pytest.raises(Refused, match="already exists"):
        export_csv(report, str(written))
    elsewhere = export_csv(report, str(tmp_path / "out" / "mine.csv"))
    assert elsewhere == tmp_path / "out" / "mine.csv"
    with pytest.raises(Refused, match="Cannot write"):
        export_csv(report, str(Path(written) / "under-a-file.csv"))


def test_an_export_is_private_whatever_the_umask(tmp_path):
    report = runner.Report("sales", "Sales", ["date", "sale"], [(SOLD_ON, "S-1")])
    old = os.umask(0)
    try:
        written = export_csv(report, str(tmp_path / "new" / "deep" / "sales.csv"))
    finally:
        os.umask(old)
    assert written.stat().st_mode & 0o777 == 0o600
    assert [(p.stat().st_mode & 0o777) for p in (written.parent, written.parent.parent)] == [
        0o700,
        0o700,
    ]
