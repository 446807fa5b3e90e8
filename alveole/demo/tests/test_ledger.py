"""The demo's books: four years of entries written by the services, consistent with its sales
and purchases — balanced, contributions at the rule's rate of the turnover, grants on the
support structure, the past fiscal years closed, a FEC that balances.

Generated once for the module at a small scale (the flows of people scale with it)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import F, Q, Sum
from django.test import override_settings

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear, GrantAllocation
from alveole.demo.generator import generate
from alveole.ledger import exports, selectors, treasury
from alveole.ledger.models import Entry, Line
from alveole.payroll.models import PayrollRecord

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)
YEAR = 2024  # the last full year, under the 10 % of invoiced turnover rule
SCALE = 0.1


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield generate(seed=2021, today=TODAY, scale=SCALE)
        transaction.set_rollback(True)


def _net_credit(year: int, *prefixes: str, support: bool | None = None) -> int:
    query = Q()
    for prefix in prefixes:
        query |= Q(account__number__startswith=prefix)
    lines = Line.objects.filter(query, date__year=year).exclude(journal_id="AN")
    if support is not None:
        kind = Q(business__kind=Business.Kind.SUPPORT_STRUCTURE)
        lines = lines.filter(kind if support else ~kind)
    sums = lines.aggregate(d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0))
    return sums["c"] - sums["d"]


def test_the_books_balance_and_every_service_posted(demo):
    totals = Line.objects.aggregate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    assert totals["d"] == totals["c"] > 0
    sums = Entry.objects.annotate(d=Sum("lines__debit_cents"), c=Sum("lines__credit_cents"))
    assert not sums.exclude(d=F("c")).exists()
    assert not sums.exclude(d=F("debit_cents")).exists()
    journals = set(Entry.objects.values_list("journal_id", flat=True).distinct())
    assert {"VE", "AC", "BQ", "PA", "OD", "AN"} <= journals
    events = set(Entry.objects.values_list("event", flat=True).distinct())
    assert {
        "invoice_issued",
        "payment_received",
        "supplier_invoice_validated",
        "supplier_invoice_paid",
        "expense_report_validated",
        "payroll_month",
        "grant_recognised",
        "contribution",
        "opening",
    } <= events
    # One payroll entry per month's pay.
    assert Entry.objects.filter(event="payroll_month").count() == PayrollRecord.objects.count()


def test_past_fiscal_years_are_closed_with_their_opening_entries(demo):
    years = list(FiscalYear.objects.order_by("start_date").values_list("start_date", "closed"))
    assert [day.year for day, closed in years if closed] == [2021, 2022, 2023, 2024]
    assert (datetime.date(2025, 1, 1), False) in years
    assert Entry.objects.filter(journal_id="AN").count() == 4


def test_contributions_are_the_rate_of_the_entrepreneurs_turnover(demo):
    turnover = _net_credit(YEAR, "706", "707", support=False)
    contributions = selectors.contributions_total(YEAR)
    assert turnover > 0
    # 10 % of each business's monthly turnover, each month rounded to the cent.
    assert contributions == pytest.approx(turnover / 10, abs=100 * 12 * 40)
    # The support structure receives them on the liaison account; the books net to zero.
    assert _net_credit(YEAR, "1811", support=True) == contributions
    assert _net_credit(YEAR, "1811") == 0


def test_grants_are_on_the_support_structure(demo):
    allocated = GrantAllocation.objects.filter(year=YEAR).aggregate(s=Sum("amount_cents"))["s"]
    assert _net_credit(YEAR, "740", support=True) == allocated == _net_credit(YEAR, "740")


def test_each_treasury_is_what_its_lines_say(demo):
    """Across the closed years too: the sums kept at each closing plus the lines after."""
    rows = treasury.all_treasuries(Business.objects.all(), TODAY)
    for row in rows:
        lines = Line.objects.filter(business=row.business, date__lte=TODAY).exclude(journal_id="AN")

        def net(*prefixes: str, lines=lines) -> int:
            query = Q()
            for prefix in prefixes:
                query |= Q(account__number__startswith=prefix)
            sums = lines.filter(query).aggregate(
                d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0)
            )
            return sums["d"] - sums["c"]

        assert row.treasury.available_cents == (
            net("512") + net("44571") + net("44566") - net("641", "645") - net("1811")
            + net("1812")
        ), row.business.code  # fmt: skip


def test_the_fec_of_the_last_full_year_balances(demo):
    year = FiscalYear.objects.get(start_date=datetime.date(YEAR, 1, 1))
    debit = credit = 0
    for number, line in enumerate(exports.fec_lines(year)):
        if number == 0:
            continue
        columns = line.rstrip("\r\n").split("\t")
        assert len(columns) == 18
        debit += int(columns[11].replace(",", ""))
        credit += int(columns[12].replace(",", ""))
    assert debit == credit > 0
