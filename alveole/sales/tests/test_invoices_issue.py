"""Issuing several drafts at once (`invoices_issue`): as `invoice_issue` would, all or none."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from alveole.core.models import AuditEvent
from alveole.ledger.models import Entry, Line
from alveole.sales.models import Invoice, InvoiceStatus, NumberingCounter, StateChange
from alveole.sales.services import (
    ISSUE_BATCH_MAX,
    credit_note_create,
    customer_update,
    invoice_issue,
    invoices_issue,
    sales_settings_update,
)

from .conftest import company, draft, individual, issued

FIELDS = ("status", "due_date", "supply_date", "issue_date", "issued_by_id", "snapshot")


def _nothing_written(drafts: list[Invoice]) -> None:
    for invoice in drafts:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.DRAFT
        assert invoice.number is None and invoice.issue_date is None
    assert not NumberingCounter.objects.exclude(last_value=0).exists()
    assert not Entry.objects.exists()
    assert not StateChange.objects.filter(to_status=InvoiceStatus.ISSUED).exists()


def test_a_batch_issues_each_draft_as_a_single_issue_would(alice):
    brasserie, camille = company(alice.business), individual(alice.business)
    single = issued(alice.business, brasserie)
    drafts = [draft(alice.business, customer) for customer in (camille, brasserie, camille)]
    result = invoices_issue(actor=alice.user, invoices=[drafts[2], drafts[0], drafts[1]])
    # Numbers follow the order given, after the single issue's.
    assert [invoice.pk for invoice in result] == [drafts[2].pk, drafts[0].pk, drafts[1].pk]
    year = single.number[6:10]
    assert single.number == f"ALICE-{year}-00001"
    assert [invoice.number for invoice in result] == [
        f"ALICE-{year}-00002", f"ALICE-{year}-00003", f"ALICE-{year}-00004"
    ]  # fmt: skip
    stored = Invoice.objects.get(pk=drafts[1].pk)
    assert stored.number == result[2].number and stored.status == InvoiceStatus.ISSUED
    assert stored.issued_at is not None and stored.issued_by_id == alice.user.pk
    # Same dates and the same printed facts as the invoice issued alone for this customer.
    single.refresh_from_db()
    assert {name: getattr(stored, name) for name in FIELDS} == {
        name: getattr(single, name) for name in FIELDS
    } | {"issued_by_id": alice.user.pk}
    other = Invoice.objects.get(pk=drafts[0].pk)
    assert other.snapshot["customer"]["name"] == "Camille Dupont"
    assert other.snapshot["seller"] == single.snapshot["seller"]
    # The history and the audit trail of each.
    change = StateChange.objects.get(invoice=stored, to_status=InvoiceStatus.ISSUED)
    assert (change.from_status, change.actor_id) == (InvoiceStatus.DRAFT, alice.user.pk)
    assert AuditEvent.objects.filter(
        target_type="sales.invoice", target_id=str(stored.pk), summary=f"Émission de facture {stored.number}"
    ).exists()  # fmt: skip
    # Each its entry, numbered after the single one's, with the same accounts and amounts.
    entries = list(Entry.objects.filter(journal_id="VE").order_by("number"))
    assert [entry.number for entry in entries] == [1, 2, 3, 4]
    assert [entry.document_number for entry in entries] == [
        single.number, *(invoice.number for invoice in result)
    ]  # fmt: skip

    def lines_of(entry):
        return [
            (line.account_id, line.debit_cents, line.credit_cents, line.business_id)
            for line in Line.objects.filter(entry=entry).order_by("position")
        ]

    assert lines_of(entries[3]) == lines_of(entries[0])

    def entry_of(entry):
        return (entry.label.replace(entry.document_number, "N"), entry.event, entry.date,
                entry.document_kind, entry.document_date, entry.debit_cents, entry.fiscal_year_id,
                entry.validated_at is not None)  # fmt: skip

    assert entry_of(entries[3]) == entry_of(entries[0])
    assert entries[3].posted_by_id == alice.user.pk and entries[0].posted_by_id is None
    assert AuditEvent.objects.filter(
        target_type="ledger.entry", target_id=str(entries[3].pk), actor=alice.user,
        summary=f"Écriture {entries[3].reference} : {entries[3].label}",
    ).exists()  # fmt: skip
    assert all(entry.debit_cents == entry.credit_cents for entry in entries)
    assert entries[3].document_id == str(stored.pk)
    assert Line.objects.filter(entry=entries[3], account_id="411").get().auxiliary_number == (
        f"C{brasserie.pk:06d}"
    )


def test_a_batch_costs_the_same_queries_for_three_or_thirty_drafts(alice):
    customer = company(alice.business)
    small = [draft(alice.business, customer) for _ in range(3)]
    large = [draft(alice.business, customer) for _ in range(30)]
    first = [draft(alice.business, customer)]  # the year's first: the counters are made
    invoices_issue(actor=alice.user, invoices=first)
    with CaptureQueriesContext(connection) as three:
        invoices_issue(actor=alice.user, invoices=small)
    with CaptureQueriesContext(connection) as thirty:
        invoices_issue(actor=alice.user, invoices=large)
    assert len(thirty) == len(three)


def test_one_draft_that_cannot_be_issued_stops_the_whole_batch(alice):
    customer = company(alice.business)
    good = draft(alice.business, customer)
    empty = draft(alice.business, customer, lines=[])
    archived_customer = company(alice.business, name="Ancien client", siren="")
    gone = draft(alice.business, archived_customer)
    customer_update(actor=None, customer=archived_customer, archived=True)
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=[good, empty, gone])
    # Each one at fault is named, with its reason; the good one is not.
    assert error.value.messages == [
        f"Facture brouillon n° {empty.pk} (Brasserie du Gers) : "
        "Une facture sans ligne ne peut pas être émise.",
        f"Facture brouillon n° {gone.pk} (Ancien client) : Ce client est archivé.",
    ]
    _nothing_written([good, empty, gone])


def test_an_issued_invoice_in_the_batch_is_refused(alice):
    customer = company(alice.business)
    done = issued(alice.business, customer)
    fresh = draft(alice.business, customer)
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=[fresh, done])
    assert error.value.messages == [f"{done.number} (Brasserie du Gers) : Elle est déjà émise."]
    fresh.refresh_from_db()
    assert fresh.status == InvoiceStatus.DRAFT and fresh.number is None
    assert NumberingCounter.objects.get().last_value == 1


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda drafts: [], "Choisissez au moins une facture à émettre."),
        (lambda drafts: [drafts[0], drafts[0]], "Une même facture est choisie deux fois."),
        (lambda drafts: [drafts[0], 987654], "Facture introuvable : n° 987654."),
        (
            lambda drafts: list(range(1, ISSUE_BATCH_MAX + 2)),
            f"{ISSUE_BATCH_MAX + 1} factures choisies : au plus {ISSUE_BATCH_MAX} s'émettent "
            "ensemble.",
        ),
    ],
)
def test_a_bad_selection_is_refused_with_its_reason(alice, pick, message):
    drafts = [draft(alice.business)]
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=pick(drafts))
    assert error.value.messages == [message]
    _nothing_written(drafts)


def test_a_future_date_is_refused(alice):
    drafts = [draft(alice.business)]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=drafts, issue_date=tomorrow)
    assert error.value.message_dict == {
        "issue_date": ["Une facture ne peut pas être émise à une date future."]
    }
    _nothing_written(drafts)


def test_a_draft_of_another_business_is_not_for_this_entrepreneur(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    drafts = [draft(alice.business), draft(bob.business)]
    with pytest.raises(PermissionDenied) as error:
        invoices_issue(actor=alice.user, invoices=drafts)
    # The draft at fault is named, not its customer (a business the actor does not see).
    assert str(error.value) == (
        f"Facture brouillon n° {drafts[1].pk} : Vous n'avez pas accès aux ventes de cette activité."
    )
    _nothing_written(drafts)


def test_validation_by_the_staff_holds_in_a_batch(personas):
    alice, staff = personas.entrepreneur, personas.staff
    sales_settings_update(actor=staff.user, business=alice.business, requires_validation=True)
    drafts = [draft(alice.business), draft(alice.business)]
    with pytest.raises(PermissionDenied) as error:
        invoices_issue(actor=alice.user, invoices=drafts)
    assert str(error.value) == (
        f"Facture brouillon n° {drafts[0].pk} : Cette activité fait valider ses factures : "
        "soumettez-la à l'équipe d'appui."
    )
    _nothing_written(drafts)
    issued_by_staff = invoices_issue(actor=staff.user, invoices=drafts)
    assert all(invoice.status == InvoiceStatus.ISSUED for invoice in issued_by_staff)


def test_businesses_keep_their_own_series_in_one_batch(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    drafts = [draft(bob.business), draft(alice.business), draft(bob.business)]
    result = invoices_issue(actor=personas.staff.user, invoices=drafts)
    year = result[0].number.split("-")[1]
    assert [invoice.number for invoice in result] == [
        f"BOB-{year}-00001", f"ALICE-{year}-00001", f"BOB-{year}-00002"
    ]  # fmt: skip
    assert [invoice.snapshot["seller"]["business_code"] for invoice in result] == [
        "BOB", "ALICE", "BOB"
    ]  # fmt: skip


def test_credit_notes_and_internal_invoices_are_issued_one_at_a_time(personas):
    from alveole.sales.services import internal_customer_for

    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = company(alice.business)
    original = issued(alice.business, customer)
    note = credit_note_create(actor=None, invoice=original)
    internal = draft(
        alice.business,
        internal_customer_for(actor=None, seller=alice.business, buyer=bob.business),
    )
    fresh = draft(alice.business, customer)
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=[note, fresh, internal])
    assert error.value.messages == [
        f"Avoir brouillon n° {note.pk} (Brasserie du Gers) : Un avoir s'émet seul, depuis sa page.",
        f"Facture brouillon n° {internal.pk} ({internal.customer.name}) : Une facture interne "
        "s'émet "
        "seule, depuis sa page.",
    ]
    for invoice in (note, fresh, internal):
        invoice.refresh_from_db()
        assert invoice.number is None
    original.refresh_from_db()
    assert original.credited_cents == 0
    assert Entry.objects.count() == 1  # the original's


def test_the_numbering_stays_chronological(alice):
    customer = company(alice.business)
    issued(alice.business, customer)  # today
    drafts = [draft(alice.business, customer)]
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        invoices_issue(actor=None, invoices=drafts, issue_date=yesterday)
    assert error.value.code == "not_chronological"
    assert "La numérotation est chronologique" in error.value.messages[0]
    drafts[0].refresh_from_db()
    assert drafts[0].number is None and Entry.objects.count() == 1


def test_each_issued_invoice_goes_to_the_platform_once_committed(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.ALVEOLE_PA_URL = "https://pa.example"
    customer = company(alice.business)
    with django_capture_on_commit_callbacks() as callbacks:
        invoices_issue(actor=None, invoices=[draft(alice.business, customer) for _ in range(3)])
    assert len(callbacks) == 3
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        invoices_issue(
            actor=None,
            invoices=[draft(alice.business, customer), draft(alice.business, customer, lines=[])],
        )
    assert callbacks == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_batches_are_gap_free(request, seed_sectors):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent issuing is proven on PostgreSQL (SQLite serialises writers)")
    personas = request.getfixturevalue("personas")
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customers = {alice.business.pk: company(alice.business), bob.business.pk: company(bob.business)}
    workers, per_worker = 4, 12
    # Each worker's batches hold drafts of both businesses, in varying orders.
    drafts = [
        draft(business, customers[business.pk])
        for n in range(workers * per_worker)
        for business in [(alice.business, bob.business)[(n // 3) % 2]]
    ]
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(chunk):
        try:
            barrier.wait()
            # Batches of 4 and single issues mixed, as pages and scripts would.
            invoices_issue(actor=None, invoices=chunk[:4])
            for invoice in chunk[4:6]:
                invoice_issue(actor=None, invoice=invoice)
            invoices_issue(actor=None, invoices=chunk[6:])
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
    numbers = set(Invoice.objects.values_list("number", flat=True))
    year = datetime.date.today().year
    per_business = workers * per_worker // 2
    assert numbers == {
        f"{code}-{year}-{n:05d}" for code in ("ALICE", "BOB") for n in range(1, per_business + 1)
    }
    entries = Entry.objects.filter(journal_id="VE")
    assert sorted(entries.values_list("number", flat=True)) == list(range(1, len(numbers) + 1))
    # Each invoice's entry carries its own number.
    assert set(entries.values_list("document_number", flat=True)) == numbers
