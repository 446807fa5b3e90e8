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


def _sql(statement: str, *params: object) -> None:
    """What a script or a hand in `psql` could run: the models refuse it before the database."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_a_line_moved_to_another_entry_or_changed_or_removed():
    business = _business()
    first = invoice(business, "A-1", D(2026, 3, 1), services=1_000)
    second = invoice(business, "A-2", D(2026, 3, 2), services=2_000)
    line = first.lines.order_by("position").first()
    assert line is not None
    moved = line.debit_cents + line.credit_cents
    # Moved: the entry it leaves no longer adds up (and the one it joins neither).
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        _sql("UPDATE ledger_line SET entry_id = %s, position = 8 WHERE id = %s", second.pk, line.pk)
    # Moved, with its counterpart and totals added to the entry it joins: that entry adds
    # up, the one it leaves does not (0002's function checked only the former).
    leaves = f"entry {first.pk} is not balanced"
    with pytest.raises(IntegrityError, match=leaves), transaction.atomic():
        _sql("UPDATE ledger_line SET entry_id = %s, position = 8 WHERE id = %s", second.pk, line.pk)
        _sql(
            "INSERT INTO ledger_line (entry_id, position, date, journal_id, account_id, "
            "label, debit_cents, credit_cents, auxiliary_number, auxiliary_label, "
            "match_ref, lettering) "
            "VALUES (%s, 9, %s, 'VE', '706', 'contrepartie', %s, %s, '', '', '', '')",
            second.pk, second.date, line.credit_cents, line.debit_cents,
        )  # fmt: skip
        _sql(
            "UPDATE ledger_entry SET debit_cents = debit_cents + %s, "
            "credit_cents = credit_cents + %s WHERE id = %s",
            moved, moved, second.pk,
        )  # fmt: skip
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        _sql("UPDATE ledger_line SET debit_cents = debit_cents + 1 WHERE id = %s", line.pk)
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        _sql("DELETE FROM ledger_line WHERE id = %s", line.pk)
    assert Line.objects.filter(entry=first).count() == 2
    assert Line.objects.filter(entry=second).count() == 2


def test_the_database_refuses_an_entry_whose_totals_no_longer_match_its_lines():
    business = _business()
    entry = invoice(business, "A-1", D(2026, 3, 1), services=1_000)
    # Equal totals pass the check constraint; the lines still add up to the old ones.
    refused = f"entry {entry.pk} is not balanced"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        _sql(
            "UPDATE ledger_entry SET debit_cents = 999, credit_cents = 999 WHERE id = %s", entry.pk
        )
    entry.refresh_from_db()
    assert entry.debit_cents == entry.credit_cents != 999
