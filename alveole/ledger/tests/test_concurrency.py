"""On PostgreSQL: simultaneous postings in one journal get continuous numbers (row lock on
the journal's sequence), and the database itself refuses an unbalanced entry at commit."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.ledger.models import Entry, Line
from alveole.ledger.tests.conftest import invoice

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]
D = datetime.date
THREADS = 8


def _business() -> Business:
    return business_create(
        actor=None,
        name="Concurrence",
        code="CONC",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )


def test_simultaneous_postings_get_continuous_numbers():
    business = _business()
    invoice(business, "WARMUP", D(2026, 3, 1), services=100)  # opens the fiscal year
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            barrier.wait()
            invoice(business, f"N-{index}", D(2026, 3, 2), services=1_000 + index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Entry.objects.filter(journal_id="VE").values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 2))


def test_simultaneous_first_postings_of_a_year_share_one_fiscal_year():
    business = _business()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            barrier.wait()
            invoice(business, f"Y-{index}", D(2025, 6, 1), services=100)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    years = set(Entry.objects.values_list("fiscal_year__start_date", flat=True))
    assert years == {D(2025, 1, 1)}
    assert sorted(Entry.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_the_database_refuses_lines_that_do_not_add_up_at_commit():
    business = _business()
    entry = invoice(business, "A-1", D(2026, 3, 1), services=1_000)
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        Line.objects.bulk_create(
            [
                Line(
                    entry=entry, position=9, date=entry.date, journal_id="VE", account_id="512",
                    label="intrus", debit_cents=5,
                )
            ]
        )  # fmt: skip
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        Entry.objects.create(
            journal_id="OD", fiscal_year=entry.fiscal_year, number=99, date=entry.date,
            label="sans lignes", event="manual", document_date=entry.date,
            validated_at=timezone.now(), debit_cents=10, credit_cents=10,
        )  # fmt: skip
    assert Entry.objects.count() == 1 and Line.objects.count() == 2
