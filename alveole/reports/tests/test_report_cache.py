"""The report cache: `data_stamp(year)` changes with every change that can change the year's
figures (or the year before's, shown next to them), and only with those."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest

from alveole.businesses.services import business_update
from alveole.coop.models import Sector
from alveole.core.importing import importers
from alveole.core.services import audit_record
from alveole.ledger import posting
from alveole.ledger import services as ledger
from alveole.people.models import Contract, IntakeInterview, Person
from alveole.people.services import cape_start, contract_end, intake_interview_record, person_update
from alveole.reports import selectors
from alveole.reports.figures import report_compute
from alveole.reports.presentation import report_context
from alveole.reports.tests.conftest import credit, customer, pay, sale
from alveole.sales.models import Customer, Invoice
from alveole.sales.services import customer_update, payment_record
from tests.factories import make_person

pytestmark = pytest.mark.django_db

D = datetime.date
Y = 2025


def figures(year: int = Y):
    return selectors.report_cached(year=year, show_rsa=True).figures


def value(key: str, year: int = Y):
    return figures(year)[key].value


@pytest.fixture
def spies():
    """Count the computations behind the cache (the real functions still run)."""
    with (
        mock.patch.object(selectors, "report_compute", wraps=report_compute) as compute,
        mock.patch.object(selectors, "report_context", wraps=report_context) as context,
    ):
        yield compute, context


def _vat_entry(day: datetime.date, support_id: int) -> None:
    ledger.entry_create_manual(
        actor=None, journal="OD", date=day, label="TVA",
        lines=[
            posting.LineDraft("512", 12_000, business_id=support_id),
            posting.LineDraft("44571", 0, 12_000, business_id=support_id),
        ],
    )  # fmt: skip


def _support_id() -> int:
    from alveole.businesses.models import Business

    return Business.objects.get(kind=Business.Kind.SUPPORT_STRUCTURE).pk


def test_the_stamp_is_one_query_per_year(coop_2025, django_assert_num_queries):
    with django_assert_num_queries(1):
        stamp = selectors.data_stamp(Y)
    assert stamp.startswith(f"{Y}-")
    assert selectors.data_stamp(Y) == stamp
    assert selectors.data_stamp(Y - 1) != stamp  # never the key of another year's version
    assert selectors.data_stamp().startswith("all-")


def test_next_years_sales_payments_and_entries_keep_the_cached_report(coop_2025, spies):
    """What the load test does all day (invoices issued, payments recorded, entries posted,
    all dated in the next year) no longer recomputes the year's report and page."""
    compute, context = spies
    newcomer, candidate = make_person(first_name="Nina"), make_person(first_name="Paul")
    page = selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 1 and compute.call_count == 2  # the year and the year before
    stamp, next_stamp = selectors.data_stamp(Y), selectors.data_stamp(Y + 1)
    alice = coop_2025.entrepreneur
    cust = Customer.objects.filter(business=alice.business).first()
    invoice_2025 = Invoice.objects.get(business=alice.business, issue_date=D(2025, 3, 1))
    # An invoice of the next year, paid; a payment in the next year of this year's invoice;
    # a credit note of the next year on this year's invoice (its credited amount and status
    # change: no figure reads them); an entry posted in the next year.
    new = sale(alice.business, cust, "700", D(2026, 2, 2))
    payment_record(
        actor=None, invoice=new, amount_cents=84_000, method="transfer", date=D(2026, 2, 3)
    )
    payment_record(
        actor=None, invoice=invoice_2025, amount_cents=10_000, method="transfer", date=D(2026, 2, 4)
    )
    credit(invoice_2025, "20", D(2026, 2, 5))
    invoice_2025.refresh_from_db()
    assert invoice_2025.paid_cents == 10_000 and invoice_2025.credited_cents > 0
    _vat_entry(D(2026, 2, 6), _support_id())
    # Next year's pay, contract and intake interview (a new person would count: their
    # details are read live, so they are created before).
    pay(alice.person, D(2026, 1, 1), 1800, 360, 720, "120")
    cape_start(
        actor=None, person=newcomer, start_date=D(2026, 3, 1), planned_end_date=D(2026, 12, 31)
    )
    intake_interview_record(
        actor=None,
        person=candidate,
        date=D(2026, 1, 5),
        decision=IntakeInterview.Decision.POSTPONED,
    )

    assert selectors.data_stamp(Y) == stamp
    assert selectors.data_stamp(Y + 1) != next_stamp  # the next year's report does change
    assert selectors.report_context_cached(year=Y, show_rsa=True) == page
    selectors.report_cached(year=Y, show_rsa=True)
    selectors.report_cached(year=Y - 1, show_rsa=True, stamp=stamp)
    assert context.call_count == 1 and compute.call_count == 2  # served from the cache


def _issue_in_year(personas):
    business = personas.entrepreneur.business
    sale(business, Customer.objects.filter(business=business).first(), "700", D(2025, 12, 30))


def _credit_in_year(personas):
    credit(Invoice.objects.get(issue_date=D(2025, 3, 1)), "100", D(2025, 12, 30))


def _edit_person(personas):
    carol = Person.objects.get(first_name="Carol")
    person_update(actor=None, person=carol, birth_date=D(1999, 5, 5))


def _end_contract(personas):
    dan = Contract.objects.get(person__first_name="Dan")
    contract_end(actor=None, contract=dan, end_date=D(2025, 6, 30))


def _change_sector(personas):
    business = personas.entrepreneur.business
    other = Sector.objects.exclude(pk=business.sector_id).order_by("code").first()
    business_update(actor=None, business=business, sector=other)


def _change_customer(personas):
    company = Customer.objects.get(business=personas.entrepreneur.business, kind="company")
    customer_update(actor=None, customer=company, kind=Customer.Kind.PUBLIC_BODY)


def _pay_in_year(personas):
    pay(personas.other_entrepreneur.person, D(2025, 12, 1), 900, 180, 360, "60")


def _entry_in_year(personas):
    _vat_entry(D(2025, 12, 30), _support_id())


def _previous_year_sale(personas):
    """A late invoice of the year before changes the growth and the page's comparison."""
    business = personas.other_entrepreneur.business
    sale(business, customer(business, Customer.Kind.COMPANY, "32000"), "900", D(2024, 6, 1))


CHANGES = {
    "invoice issued in the year": (_issue_in_year, "entrepreneurs_turnover"),
    "credit note issued in the year": (_credit_in_year, "entrepreneurs_turnover"),
    "person's birth date": (_edit_person, "members_by_age"),
    "contract ended in the year": (_end_contract, "members"),
    "business's sector": (_change_sector, "members_by_sector"),
    "customer's kind": (_change_customer, "turnover_by_customer_kind"),
    "pay of the year": (_pay_in_year, "wage_bill"),
    "entry of the year": (_entry_in_year, "vat_remitted"),
    "sale of the year before": (_previous_year_sale, "turnover_growth"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_that_can_change_the_figures_changes_the_stamp(coop_2025, spies, change):
    make_change, key = CHANGES[change]
    compute, _context = spies
    stamp = selectors.data_stamp(Y)
    before = value(key)
    assert compute.call_count == 1
    make_change(coop_2025)
    assert selectors.data_stamp(Y) != stamp
    after = value(key)
    assert compute.call_count == 2
    assert after != before  # the change shows…
    assert after == report_compute(year=Y, show_rsa=True).figures[key].value  # …exactly


def test_the_page_is_recomputed_after_a_change_of_the_year(coop_2025, spies):
    compute, context = spies
    page = selectors.report_context_cached(year=Y, show_rsa=True)
    assert selectors.report_context_cached(year=Y, show_rsa=True) == page
    assert context.call_count == 1
    _issue_in_year(coop_2025)
    fresh = selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 2 and compute.call_count == 4  # both years again
    turnover = {f.key: f.value for f in fresh["figures"]}["entrepreneurs_turnover"]
    old = {f.key: f.value for f in page["figures"]}["entrepreneurs_turnover"]
    assert turnover == old + Decimal("700.00")


def test_the_page_is_recomputed_after_a_change_of_the_year_before(coop_2025, spies):
    """The page shows the year before next to each figure: its changes count too."""
    compute, context = spies
    page = selectors.report_context_cached(year=Y, show_rsa=True)
    _previous_year_sale(coop_2025)
    fresh = selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 2 and compute.call_count == 4  # both years again
    rows = {row.figure.key: row for _label, group in fresh["groups"] for row in group}
    old_rows = {row.figure.key: row for _label, group in page["groups"] for row in group}
    assert rows["entrepreneurs_turnover"].previous != old_rows["entrepreneurs_turnover"].previous


def test_an_import_of_invoices_changes_every_stamp(coop_2025):
    """Imported invoices draw no number: the audit event of their import stands for them."""
    assert selectors.INVOICE_IMPORT_KIND in importers()
    stamp = selectors.data_stamp(Y)
    audit_record(
        actor=None, action="import", target_type=selectors.INVOICE_IMPORT_KIND, summary="Import"
    )
    assert selectors.data_stamp(Y) != stamp
    stamp = selectors.data_stamp(Y)
    audit_record(actor=None, action="import", target_type="people", summary="Import")
    assert selectors.data_stamp(Y) == stamp


def test_an_invoice_dated_in_closed_books_changes_the_stamp(coop_2025):
    """With the year's books closed, a late invoice dated in the year posts its entry in the
    next year: its number, drawn from the year's counter, is what changes the stamp."""
    from alveole.ledger.models import Line

    ledger.period_close(actor=None, through=D(2025, 12, 31))
    stamp, turnover = selectors.data_stamp(Y), value("entrepreneurs_turnover")
    lines = Line.objects.filter(date__lte=D(2025, 12, 31)).count()
    _issue_in_year(coop_2025)
    assert Line.objects.filter(date__lte=D(2025, 12, 31)).count() == lines  # nothing in 2025
    assert selectors.data_stamp(Y) != stamp
    assert value("entrepreneurs_turnover") == turnover + Decimal("700.00")


def test_pay_of_the_year_entered_after_closing_changes_the_stamp(coop_2025):
    """The same for pay: its entry goes to the next year, the record's month is the year's."""
    ledger.period_close(actor=None, through=D(2025, 12, 31))
    stamp, wage_bill = selectors.data_stamp(Y), value("wage_bill")
    _pay_in_year(coop_2025)
    assert selectors.data_stamp(Y) != stamp
    assert value("wage_bill") == wage_bill + Decimal("900.00")


DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "alveole_cache",
        "OPTIONS": {"MAX_ENTRIES": 300},
        "KEY_FUNCTION": "alveole.core.cache.make_key",
    }
}


def _cache_setting(**environment: str) -> str:
    import os
    import subprocess
    import sys

    from django.conf import settings as live

    base = {k: v for k, v in os.environ.items() if k not in ("ALVEOLE_CACHE", "DATABASE_URL")}
    out = subprocess.run(
        [sys.executable, "-c", "from alveole import settings; print(settings.CACHES)"],
        capture_output=True, text=True, check=True, env={**base, **environment},
        cwd=live.BASE_DIR,
    )  # fmt: skip
    return out.stdout


def test_the_cache_is_the_migrated_table_on_postgresql_and_memory_on_sqlite():
    """Settings only (no connection is opened): the table on PostgreSQL, each process's
    memory on SQLite unless asked for."""
    postgres = _cache_setting(DATABASE_URL="postgres://alveole@127.0.0.1:5432/alveole")
    assert "DatabaseCache" in postgres and "'alveole_cache'" in postgres
    assert "LocMemCache" in _cache_setting()
    assert "DatabaseCache" in _cache_setting(ALVEOLE_CACHE="database")
    assert "LocMemCache" in _cache_setting(
        DATABASE_URL="postgres://alveole@127.0.0.1:5432/alveole", ALVEOLE_CACHE="memory"
    )


def test_an_unknown_cache_is_refused_with_its_name():
    import subprocess

    with pytest.raises(subprocess.CalledProcessError) as refused:
        _cache_setting(ALVEOLE_CACHE="redis")
    assert "ALVEOLE_CACHE must be one of database, memory; got 'redis'" in refused.value.stderr


def test_the_tests_use_a_memory_cache():
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    assert isinstance(caches["default"], LocMemCache)  # conftest.py


def test_another_version_of_the_code_computes_its_own(coop_2025, spies, monkeypatch):
    _compute, context = spies
    selectors.report_context_cached(year=Y, show_rsa=True)
    selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 1
    from alveole.core import cache as keys

    monkeypatch.setattr(keys, "code_version", lambda: "another")
    selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 2


def test_an_unreadable_cache_computes_the_page_and_a_failed_write_is_ignored(coop_2025, spies):
    """A missing table (code upgraded, migrations not run yet) or a locked SQLite file: the
    page is computed, not refused."""
    from django.db import DatabaseError

    _compute, context = spies
    with (
        mock.patch.object(selectors.cache, "get", side_effect=DatabaseError("no such table")),
        mock.patch.object(selectors.cache, "set", side_effect=DatabaseError("locked")),
    ):
        page = selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 1 and page["figures"]


def test_a_report_computed_by_one_worker_is_read_by_the_others(coop_2025, settings, spies):
    """With the database cache, the page computed in one process is served from the table
    to every other (another gunicorn worker, another machine): computed once."""
    from asgiref.local import Local
    from django.core.cache import caches
    from django.db import connection

    from alveole.core.cache import code_version

    settings.CACHES = DATABASE_CACHE
    compute, context = spies
    first = selectors.report_context_cached(year=Y, show_rsa=True)
    assert (compute.call_count, context.call_count) == (2, 1)  # the year and the year before
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM alveole_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 3
    assert all(key.startswith(f"{code_version()}:") for key in keys)  # the code's version

    caches.close_all()
    caches._connections = Local()  # another process: a new cache object, nothing in memory
    again = selectors.report_context_cached(year=Y, show_rsa=True)
    assert (compute.call_count, context.call_count) == (2, 1)
    assert [f.key for f in again["figures"]] == [f.key for f in first["figures"]]

    _issue_in_year(coop_2025)  # a change of the year: computed again, once
    selectors.report_context_cached(year=Y, show_rsa=True)
    assert context.call_count == 2
