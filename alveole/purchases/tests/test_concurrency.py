"""Concurrent writes on PostgreSQL (docs/adr/0003): a received invoice is filed once, a
report's totals and a year's trips stay exact when requests race."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Sector
from alveole.purchases import mileage, services
from alveole.purchases.models import (
    ExpenseLine,
    ExpenseReport,
    MileageScale,
    Supplier,
    SupplierInvoice,
)
from alveole.purchases.services import _scale_bands

from .conftest import cii_bytes, jpeg_bytes

# Skipped before any fixture runs: SQLite's IMMEDIATE transactions already serialise writers.
pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrency is proven on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def reseeded(transactional_db):
    """Seed data a flushing test before this one may have removed: sectors, the 2025 scale."""
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not MileageScale.objects.filter(year=2025).exists():
        from importlib import import_module

        from django.apps import apps

        import_module("alveole.purchases.migrations.0002_mileage_scale_2025").load(apps, None)


def _race(calls) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    done: list = []
    errors: list[BaseException] = []

    def work(call):
        try:
            barrier.wait()
            done.append(call())
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors


def test_the_same_invoice_received_at_once_is_filed_once(reseeded, request):
    staff = request.getfixturevalue("personas").staff.user
    calls = [
        lambda: services.supplier_invoice_receive(
            actor=staff, content=cii_bytes(), filename="f.xml", enqueue_validation=False
        )
        for _ in range(4)
    ]
    done, errors = _race(calls)
    assert len(done) == 1 and len(errors) == 3
    assert all(isinstance(error, ValidationError) for error in errors)
    assert SupplierInvoice.objects.count() == 1 and Supplier.objects.count() == 1


def test_racing_lines_and_trips_keep_totals_and_the_year_exact(reseeded, request):
    alice = request.getfixturevalue("personas").entrepreneur
    reports = [
        services.expense_report_create(
            actor=alice.user,
            person=alice.person,
            business=alice.business,
            month=datetime.date(2026, m, 1),
        )
        for m in (1, 2, 3)
    ]
    calls = []
    for report in reports:
        calls.append(
            lambda r=report: services.expense_mileage_add(
                actor=alice.user,
                report=r,
                date=r.month,
                description="Trajet",
                distance_km=Decimal("3000"),
                horsepower=5,
            )
        )
        calls.append(
            lambda r=report: services.expense_line_add(
                actor=alice.user,
                report=r,
                date=r.month,
                category="meals",
                description="Repas",
                amount_cents=1000,
                vat_cents=91,
                receipt=jpeg_bytes(),
                receipt_filename="t.jpg",
            )
        )
    _done, errors = _race(calls)
    assert errors == []
    bands = _scale_bands(MileageScale.objects.get(year=2025))
    trips = sum(ExpenseLine.objects.filter(kind="mileage").values_list("amount_cents", flat=True))
    assert trips == mileage.yearly_amount_cents(bands, 5, Decimal("9000"))  # 9 000 × 0,357 + 1 395
    for report in ExpenseReport.objects.all():
        assert report.total_cents == sum(report.lines.values_list("amount_cents", flat=True))
