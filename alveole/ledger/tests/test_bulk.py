"""`ledger.bulk.entries_post`: many entries at once, with `entry_post`'s rules."""

from __future__ import annotations

import dataclasses
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.core.models import AuditEvent
from alveole.ledger import posting
from alveole.ledger.bulk import entries_post
from alveole.ledger.models import Entry, JournalSequence, Line
from alveole.ledger.posting import DocumentRef, LineDraft, PaymentShares, SaleAmounts
from alveole.ledger.services import period_close

from .conftest import CUSTOMER, invoice

D = datetime.date


def _invoice(business, number: str, day: datetime.date, amount: int):
    return posting.invoice_issued(
        document=DocumentRef("invoice", number, day, number),
        business_id=business.pk,
        customer=CUSTOMER,
        amounts=SaleAmounts(0, amount, 0, amount // 5),
        vat_on_debits=True,
    )


def _payment(business, number: str, day: datetime.date, amount: int):
    return posting.payment_received(
        document=DocumentRef("payment", f"P-{number}", day),
        business_id=business.pk,
        customer=CUSTOMER,
        amount_cents=amount + amount // 5,
        settles=number,
        shares=PaymentShares(amount, 0),
    )


@pytest.mark.django_db
def test_entries_follow_the_journals_numbers_balanced_and_lettered(support):
    invoice(support, "F-0", D(2025, 1, 5), services=100)  # VE 1, by entry_post
    drafts = []
    for n in range(1, 101):
        drafts.append(_invoice(support, f"F-{n}", D(2025, 2, 1 + n % 27), 1_000 + n))
        if n % 2:
            drafts.append(_payment(support, f"F-{n}", D(2025, 3, 1), 1_000 + n))
    with CaptureQueriesContext(connection) as queries:
        ids = entries_post(actor=None, drafts=drafts)
    assert len(ids) == 150
    assert len(queries.captured_queries) <= 25  # per journal and year, not per entry
    invoice(support, "F-101", D(2025, 4, 1), services=100)  # and entry_post after it
    for journal, count in (("VE", 102), ("BQ", 50)):
        numbers = list(
            Entry.objects.filter(journal_id=journal).order_by("pk").values_list("number", flat=True)
        )
        assert numbers == list(range(1, count + 1))
        assert JournalSequence.objects.get(journal_id=journal).last_number == count
    first = Entry.objects.get(pk=ids[0])
    assert (first.journal_id, first.number, first.document_number) == ("VE", 2, "F-1")
    for entry in Entry.objects.all():
        sums = entry.lines.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        assert sums["debit"] == sums["credit"] == entry.debit_cents == entry.credit_cents
    # Paid invoices are lettered on the customer's account, the others stay open.
    paid = Line.objects.filter(match_ref="F-1").exclude(lettering="")
    assert paid.count() == 2 and len({line.lettering for line in paid}) == 1
    assert not Line.objects.filter(match_ref="F-2").exclude(lettering="").exists()
    assert AuditEvent.objects.filter(target_type="ledger.entry").count() == 152
    audit = AuditEvent.objects.get(target_type="ledger.entry", target_id=str(ids[0]))
    assert audit.summary == f"Écriture VE000002 : {first.label}"


@pytest.mark.django_db
def test_one_refused_entry_writes_none(support):
    invoice(support, "F-0", D(2025, 1, 5), services=100)
    good = _invoice(support, "F-1", D(2025, 2, 1), 1_000)
    unbalanced = dataclasses.replace(
        good, lines=(*good.lines, LineDraft(account="706", credit_cents=1, business_id=support.pk))
    )
    unknown = dataclasses.replace(
        good, lines=(dataclasses.replace(good.lines[0], account="999999"), *good.lines[1:])
    )
    before = (Entry.objects.count(), Line.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="pas équilibrée"):
        entries_post(actor=None, drafts=[good, unbalanced])
    with pytest.raises(ValidationError, match="Compte absent du plan comptable"):
        entries_post(actor=None, drafts=[good, unknown])
    assert before == (Entry.objects.count(), Line.objects.count(), AuditEvent.objects.count())
    assert JournalSequence.objects.get(journal_id="VE").last_number == 1


@pytest.mark.django_db
def test_a_closed_period_is_refused(support, personas):
    invoice(support, "F-0", D(2025, 1, 5), services=100)
    period_close(actor=personas.accountant.user, through=D(2025, 1, 31))
    with pytest.raises(ValidationError, match="La période est clôturée"):
        entries_post(actor=None, drafts=[_invoice(support, "F-1", D(2025, 1, 20), 1_000)])
    assert Entry.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_batches_and_single_postings_at_once_keep_numbers_continuous():
    business = business_create(
        actor=None,
        name="Concurrence",
        code="CONC",
        kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=D(2020, 1, 1),
    )
    invoice(business, "WARMUP", D(2026, 3, 1), services=100)  # opens the fiscal year
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def batch(index: int) -> None:
        try:
            drafts = [
                _invoice(business, f"B{index}-{n}", D(2026, 3, 2), 100 + n) for n in range(50)
            ]
            barrier.wait()
            entries_post(actor=None, drafts=drafts)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def single(index: int) -> None:
        try:
            barrier.wait()
            invoice(business, f"S-{index}", D(2026, 3, 2), services=1_000 + index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=batch, args=(i,)) for i in range(3)]
    threads += [threading.Thread(target=single, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Entry.objects.filter(journal_id="VE").values_list("number", flat=True))
    assert numbers == list(range(1, 1 + 1 + 3 * 50 + 3))


@pytest.mark.django_db
def test_open_items_are_those_of_the_year_unlettered_on_the_accounts_asked(support):
    from alveole.coop.models import FiscalYear
    from alveole.ledger.bulk import _open_items

    drafts = [_invoice(support, "F-1", D(2025, 2, 1), 1_000)]
    drafts += [_payment(support, "F-1", D(2025, 3, 1), 1_000)]  # lettered with F-1
    drafts += [_invoice(support, "F-2", D(2025, 2, 2), 2_000)]  # open
    drafts += [_invoice(support, "F-3", D(2025, 2, 3), 3_000)]  # open, not asked
    entries_post(actor=None, drafts=drafts)
    year = FiscalYear.objects.get(start_date=D(2025, 1, 1))
    customer_account = Line.objects.get(match_ref="F-2").account_id

    rows = _open_items(year.pk, [customer_account], ["F-1", "F-2"])

    line = Line.objects.get(match_ref="F-2")
    assert rows == [(line.pk, customer_account, "F-2", D(2025, 2, 2), line.debit_cents, 0)]
    assert _open_items(year.pk + 1000, [customer_account], ["F-2"]) == []
    assert _open_items(year.pk, [], ["F-2"]) == _open_items(year.pk, [customer_account], []) == []


@pytest.mark.django_db
def test_open_items_are_read_through_their_partial_index_on_sqlite():
    """Without statistics, SQLite read every line of the account through its plain index
    when one account was asked (1.2 s a chunk on the benchmark's million invoices)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's planner has its statistics")
    from alveole.ledger import bulk

    executed = []

    def capture(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        bulk._open_items(1, ["411"], [f"F-{n}" for n in range(50)])
    sql, params = executed[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX ledger_line_open_items_idx" in plan, plan
