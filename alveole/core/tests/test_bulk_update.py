"""`core.bulk.update_rows`: one prepared UPDATE for many rows, values prepared by their field."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.core.bulk import update_rows
from alveole.sales.models import Invoice, InvoiceStatus
from alveole.sales.tests.conftest import draft


@pytest.mark.django_db
def test_each_row_gets_its_own_values_and_no_other_row_changes(personas):
    alice = personas.entrepreneur
    first, second, third = (draft(alice.business) for _ in range(3))
    day = datetime.date(2026, 3, 2)
    with CaptureQueriesContext(connection) as queries:
        update_rows(
            Invoice,
            ("due_date", "snapshot", "status", "number"),
            [
                (first.pk, day, {"seller": {"name": "A"}}, InvoiceStatus.TO_VALIDATE, "A-1"),
                (third.pk, None, {}, InvoiceStatus.DRAFT, None),
            ],
        )
    assert len(queries) == 1  # one executemany
    first.refresh_from_db()
    assert (first.due_date, first.snapshot, first.status, first.number) == (
        day, {"seller": {"name": "A"}}, InvoiceStatus.TO_VALIDATE, "A-1"
    )  # fmt: skip
    third.refresh_from_db()
    assert (third.due_date, third.snapshot, third.number) == (None, {}, None)
    before = second.updated_at
    second.refresh_from_db()
    assert second.status == InvoiceStatus.DRAFT and second.updated_at == before


@pytest.mark.django_db
def test_no_row_runs_no_statement(db):
    with CaptureQueriesContext(connection) as queries:
        update_rows(Invoice, ("number",), [])
    assert len(queries) == 0
