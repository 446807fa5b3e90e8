"""The demo data of purchases: plausible, through the services, the same for the same seed."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import transaction

from alveole.purchases.demo import populate_demo
from alveole.purchases.models import ExpenseLine, ExpenseReport, Supplier, SupplierInvoice

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def _run(personas):
    businesses = [personas.entrepreneur.business, personas.other_entrepreneur.business]
    return populate_demo(random.Random(7), TODAY, businesses, personas.staff.user)


def test_populate_demo(personas):
    result = _run(personas)
    assert result.suppliers == Supplier.objects.count() == 12
    assert result.invoices == SupplierInvoice.objects.count() >= 8
    received = SupplierInvoice.objects.filter(origin="received")
    assert result.received == received.count() == 4
    assert set(received.values_list("validation_state", flat=True)) == {"done"}
    assert received.filter(status="received").exists()  # one without buyer reference, to assign
    assert received.filter(findings__rule_id="BT-84").exists()  # the changed IBAN is flagged
    assert received.filter(validation_fatal_count=0).exists()
    statuses = set(SupplierInvoice.objects.values_list("status", flat=True))
    assert {"assigned", "paid"} <= statuses
    assert result.reports == ExpenseReport.objects.count() > 0
    assert result.lines == ExpenseLine.objects.count()
    assert ExpenseLine.objects.filter(kind="expense", receipt_content_type="image/jpeg").exists()
    for report in ExpenseReport.objects.all():
        assert report.total_cents == sum(report.lines.values_list("amount_cents", flat=True))


def test_same_seed_same_data(personas):
    def numbers():
        with transaction.atomic():
            _run(personas)
            found = sorted(
                SupplierInvoice.objects.values_list("number", "total_incl_vat_cents", "status")
            )
            transaction.set_rollback(True)
        return found

    assert numbers() == numbers()
