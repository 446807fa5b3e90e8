"""Numbering: patterns, scopes, the 35-character rule, chronology, and concurrent issuing."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from alveole.ledger.models import Entry
from alveole.sales.models import Invoice, NumberingCounter, NumberingSeries
from alveole.sales.numbering import number_draw, series_for
from alveole.sales.services import invoice_issue, numbering_series_update

from .conftest import company, draft, issued

pytestmark = pytest.mark.django_db
D = datetime.date


def _set(kind, pattern, scope):
    return numbering_series_update(
        actor=None, series=series_for(kind), pattern=pattern, scope=scope
    )


def test_default_patterns(alice):
    assert issued(alice.business, issue_date=D(2025, 3, 1)).number == "ALICE-2025-00001"
    assert issued(alice.business, issue_date=D(2025, 3, 2)).number == "ALICE-2025-00002"
    assert issued(alice.business, issue_date=D(2026, 1, 2)).number == "ALICE-2026-00001"


def test_per_business_and_year_scope_keeps_businesses_apart(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    assert issued(alice.business, issue_date=D(2025, 1, 5)).number == "ALICE-2025-00001"
    assert issued(bob.business, issue_date=D(2025, 1, 5)).number == "BOB-2025-00001"
    assert issued(alice.business, issue_date=D(2025, 1, 6)).number == "ALICE-2025-00002"


def test_per_year_scope_shares_one_counter(personas):
    _set("invoice", "F{year}{month}-{seq:06d}", NumberingSeries.Scope.YEAR)
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    assert issued(alice.business, issue_date=D(2025, 1, 5)).number == "F202501-000001"
    assert issued(bob.business, issue_date=D(2025, 2, 5)).number == "F202502-000002"
    assert issued(bob.business, issue_date=D(2026, 2, 5)).number == "F202602-000001"


def test_global_scope_never_restarts(alice):
    _set("invoice", "{code}/{seq}", NumberingSeries.Scope.GLOBAL)
    assert issued(alice.business, issue_date=D(2025, 12, 31)).number == "ALICE/1"
    assert issued(alice.business, issue_date=D(2026, 1, 1)).number == "ALICE/2"


@pytest.mark.parametrize(
    ("pattern", "scope"),
    [
        ("{code}-{seq:05d}", "business_year"),  # no {year}: two years would collide
        ("F-{year}-{seq}", "business_year"),  # no {code}
        ("F {year} {seq}", "year"),  # spaces are not allowed
        ("F-{year}-{client}-{seq}", "year"),  # unknown token
        ("F-{year}", "year"),  # no sequence
        ("F-{year!r}-{seq}", "year"),
        ("FACTURE-DE-LA-COOPERATIVE-{code}-{year}-{seq:05d}", "business_year"),  # > 35 chars
    ],
)
def test_bad_patterns_refused(cooperative, pattern, scope):
    series = series_for("invoice")
    with pytest.raises(ValidationError):
        numbering_series_update(actor=None, series=series, pattern=pattern, scope=scope)
    series.refresh_from_db()
    assert series.pattern == "{code}-{year}-{seq:05d}"


def test_scope_cannot_change_once_numbers_given(alice):
    issued(alice.business)
    with pytest.raises(ValidationError):
        _set("invoice", "F{year}-{seq:05d}", NumberingSeries.Scope.YEAR)


def test_chronology_within_a_series(alice):
    issued(alice.business, issue_date=D(2025, 6, 1))
    late = draft(alice.business)
    with pytest.raises(ValidationError) as error:
        invoice_issue(actor=None, invoice=late, issue_date=D(2025, 5, 31))
    assert error.value.code == "not_chronological"
    late.refresh_from_db()
    assert late.number is None
    counter = NumberingCounter.objects.get()
    assert counter.last_value == 1


def test_failed_issue_leaves_no_gap(alice):
    first = issued(alice.business, issue_date=D(2025, 6, 1))
    empty = draft(alice.business, lines=[])
    with pytest.raises(ValidationError):
        invoice_issue(actor=None, invoice=empty)
    second = issued(alice.business, issue_date=D(2025, 6, 2))
    assert (first.number, second.number) == ("ALICE-2025-00001", "ALICE-2025-00002")


def test_number_draw_requires_a_transaction(alice):
    with pytest.raises(RuntimeError):
        # autocommit outside atomic: the test's own transaction makes it atomic, so leave it
        connection.in_atomic_block = False
        try:
            number_draw(kind="invoice", business=alice.business, day=D(2025, 1, 1))
        finally:
            connection.in_atomic_block = True


def test_internal_sales_use_their_series_and_link_both_ways(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    from alveole.sales.services import internal_customer_for

    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    invoice = issued(alice.business, customer, issue_date=D(2025, 3, 3))
    assert invoice.number == "ALICE-FI2025-0001"
    assert invoice.buyer_business == bob.business
    assert list(bob.business.internal_purchases.all()) == [invoice]
    # The buyer's purchases side has the supplier invoice to pay, linked to this sale.
    from alveole.purchases.models import SupplierInvoice

    purchase = SupplierInvoice.objects.get(source_invoice_id=invoice.pk)
    assert purchase.business == bob.business
    assert purchase.number == invoice.number
    assert purchase.total_excl_vat_cents == invoice.total_excl_vat_cents
    assert purchase.total_vat_cents == invoice.total_vat_cents


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issuing_is_gap_free(request, seed_sectors):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent issuing is proven on PostgreSQL (SQLite serialises writers)")
    alice = request.getfixturevalue("personas").entrepreneur
    customer = company(alice.business)
    workers, per_worker = 8, 5
    drafts = [draft(alice.business, customer) for _ in range(workers * per_worker)]
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(chunk):
        try:
            barrier.wait()
            for invoice in chunk:
                invoice_issue(actor=None, invoice=invoice)
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(drafts[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = numbers[0][6:10]
    assert numbers == [f"ALICE-{year}-{n:05d}" for n in range(1, workers * per_worker + 1)]
    assert NumberingCounter.objects.get().last_value == workers * per_worker
    # Their entries too: the sales journal numbered 1…n, each entry balanced.
    entries = Entry.objects.filter(journal_id="VE")
    assert sorted(entries.values_list("number", flat=True)) == list(range(1, len(numbers) + 1))
    assert all(entry.debit_cents == entry.credit_cents for entry in entries)


def test_preview_of_the_next_number_reserves_nothing(alice):
    from alveole.sales.numbering import number_preview

    assert (
        number_preview(kind="invoice", business=alice.business, day=D(2025, 5, 1))
        == "ALICE-2025-00001"
    )
    assert NumberingSeries.objects.count() == 0
    issued(alice.business, issue_date=D(2025, 5, 1))
    assert (
        number_preview(kind="invoice", business=alice.business, day=D(2025, 5, 2))
        == "ALICE-2025-00002"
    )
    assert NumberingCounter.objects.get().last_value == 1
