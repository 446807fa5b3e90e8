"""The benchmark generator keeps, in bulk, the invariants the services keep one by one."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Sum

from alveole.bench.generate import generate, generated_from_database
from alveole.bench.sizes import Size
from alveole.ledger.models import Entry, JournalSequence, Line, PeriodClosing
from alveole.ledger.treasury import business_sums, component_sums_of_lines
from alveole.payroll.models import PayrollCharge, PayrollRecord
from alveole.purchases.models import SupplierInvoice
from alveole.sales.models import (
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberingCounter,
    Payment,
)
from alveole.sales.numbering import series_for
from alveole.sales.totals import compute_totals

pytestmark = pytest.mark.django_db

SIZE = Size(
    "test", entrepreneurs=3, years=2, invoices_per_year=15, customers=4, purchases_per_year=3
)
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def generated():
    return generate(SIZE, today=TODAY, seed=7)


def test_counts_match_what_was_written(generated):
    assert generated.years == [2024, 2025]
    assert generated.counts["invoices"] == Invoice.objects.count() == 3 * 2 * 15
    assert generated.counts["invoice lines"] == InvoiceLine.objects.count()
    assert generated.counts["payments"] == Payment.objects.count()
    assert generated.counts["ledger entries"] == Entry.objects.count()
    assert generated.counts["ledger lines"] == Line.objects.count()
    assert generated.counts["supplier invoices"] == SupplierInvoice.objects.count() * 3
    assert generated.counts["payroll records"] == PayrollRecord.objects.count() * 2
    assert PayrollCharge.objects.count() == 3 * 2 * 12


def test_invoices_are_numbered_without_gap_and_counters_end_on_the_last(generated):
    series = series_for(DocumentKind.INVOICE)
    drawn = defaultdict(list)
    for invoice in Invoice.objects.select_related("business").order_by("issue_date", "pk"):
        drawn[(invoice.business.code, invoice.issue_date.year)].append(invoice)
    assert len(drawn) == 3 * 2
    counters = dict(NumberingCounter.objects.filter(series=series).values_list("key", "last_value"))
    for (code, year), invoices in drawn.items():
        expected = [
            series.render(seq=seq, day=invoice.issue_date, code=code)
            for seq, invoice in enumerate(invoices, start=1)
        ]
        assert [invoice.number for invoice in invoices] == expected
        assert counters[f"{code}/{year}"] == len(invoices)


def test_invoice_totals_are_those_of_their_lines_and_paid_follows_payments(generated):
    paid = dict(
        Payment.objects.values("invoice")
        .annotate(s=Sum("amount_cents"))
        .values_list("invoice", "s")
    )
    for invoice in Invoice.objects.prefetch_related("lines"):
        totals = compute_totals(list(invoice.lines.all()))
        assert invoice.total_excl_vat_cents == totals.excl_vat_cents
        assert invoice.total_vat_cents == totals.vat_cents
        assert invoice.total_incl_vat_cents == totals.incl_vat_cents
        assert invoice.paid_cents == paid.get(invoice.pk, 0) <= invoice.total_incl_vat_cents
        if invoice.paid_cents == invoice.total_incl_vat_cents:
            assert invoice.status == InvoiceStatus.PAID
        elif invoice.paid_cents:
            assert invoice.status == InvoiceStatus.PARTLY_PAID
        else:
            assert invoice.status == InvoiceStatus.ISSUED


def test_every_entry_balances_and_journals_are_numbered_without_gap(generated):
    sums = Line.objects.values("entry").annotate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    by_entry = {row["entry"]: (row["d"], row["c"]) for row in sums}
    for entry in Entry.objects.all():
        assert by_entry[entry.pk] == (entry.debit_cents, entry.credit_cents)
        assert entry.debit_cents == entry.credit_cents > 0
    numbering = Entry.objects.values("journal", "fiscal_year").annotate(
        n=Count("pk"), last=Max("number")
    )
    sequences = {
        (s.journal_id, s.fiscal_year_id): s.last_number for s in JournalSequence.objects.all()
    }
    assert numbering
    for row in numbering:
        assert row["n"] == row["last"]  # numbers are unique per journal and year: 1…n
        assert sequences[(row["journal"], row["fiscal_year"])] == row["last"]
    assert not Line.objects.filter(business__isnull=True, account__number__startswith="7").exists()


def test_books_are_closed_up_to_the_year_before_last_and_treasuries_agree(generated):
    closing = PeriodClosing.objects.get()
    assert closing.through == datetime.date(2024, 12, 31)
    for business in generated.businesses:
        assert business_sums(business, TODAY) == component_sums_of_lines(business, TODAY)


def test_a_kept_database_is_read_back_as_generated(generated):
    again = generated_from_database(SIZE)
    assert again.years == generated.years
    assert [b.pk for b in again.businesses] == [b.pk for b in generated.businesses]
    assert (again.staff, again.accountant) == (generated.staff, generated.accountant)
    for label in ("invoices", "invoice lines", "payments", "ledger entries", "ledger lines"):
        assert again.counts[label] == generated.counts[label]


def test_reuse_refuses_a_missing_sqlite_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file is checked before the connection changes database")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("bench", "--reuse", str(tmp_path / "absent.sqlite3"))
    assert Invoice.objects.count() == 0  # the test database is still the one in use


def test_settled_documents_are_lettered_as_posting_letters_them(generated):
    """Within a fiscal year, a document's lines on an account are lettered together once they
    net to zero (an invoice and its payment), with the code and date `entry_post` gives;
    the others stay open items."""
    from alveole.ledger.bulk import _letters

    groups = defaultdict(list)
    for line in Line.objects.exclude(match_ref="").select_related("entry").order_by("pk"):
        groups[(line.entry.fiscal_year_id, line.account_id, line.match_ref)].append(line)
    lettered = open_items = 0
    for lines in groups.values():
        debit = sum(line.debit_cents for line in lines)
        settled = debit > 0 and debit == sum(line.credit_cents for line in lines)
        if settled:
            lettered += 1
            assert {line.lettering for line in lines} == {_letters(lines[0].pk)}
            assert {line.lettering_date for line in lines} == {max(li.date for li in lines)}
        else:
            open_items += 1
            assert {line.lettering for line in lines} == {""}
    assert lettered and open_items
    # An invoice paid within its year: its customer lines are lettered together.
    paid_within = [
        invoice
        for invoice in Invoice.objects.filter(status=InvoiceStatus.PAID, issue_date__year=2024)
        if {p.date.year for p in invoice.payments.all()} == {2024}
    ]
    assert paid_within
    customer_lines = Line.objects.filter(
        match_ref=paid_within[0].number, account__number__startswith="411"
    )
    assert len(customer_lines) >= 2
    assert len({line.lettering for line in customer_lines}) == 1
    assert customer_lines[0].lettering
