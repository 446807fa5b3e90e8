"""`alveole import invoices` in batches: the same result as line by line, in few queries."""

from __future__ import annotations

import dataclasses
import datetime
import gc
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from alveole.core import importing
from alveole.core.bulk import BATCH_GC_THRESHOLD, Prototype
from alveole.core.dates import today
from alveole.core.importing import run_import
from alveole.core.models import AuditEvent
from alveole.ledger.models import Entry, Event, JournalSequence, Line
from alveole.people.services import cape_start
from alveole.sales.bulk_import import InvoiceImportBatch
from alveole.sales.importers import INVOICES
from alveole.sales.models import (
    Customer,
    ImmutableDocumentError,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    StateChange,
)
from alveole.sales.services import invoice_update, sales_settings_update
from tests.factories import make_business, make_person

from .conftest import company, issued

pytestmark = pytest.mark.django_db

YEAR = today().year - 1
HEADER = (
    "number;business;customer;issue_date;kind;due_date;net_20;net_5_5;net_0;exemption_reason;"
    "credited_number;customer_address;customer_postal_code;customer_city;customer_siren;"
    "paid_amount;paid_date;payment_method\n"
)
TRAINING = "Exonération de TVA, art. 261-4-4° a du CGI"


def _import(text: str, actor=None):
    return run_import(kind="invoices", content=text.encode(), filename="f.csv", actor=actor)


def _line_by_line(monkeypatch) -> None:
    """The invoices importer as it was: every line through `save_invoice` alone."""
    monkeypatch.setitem(
        importing._REGISTRY, "invoices", dataclasses.replace(INVOICES, save_rows=None)
    )


def _customer_of(auxiliary: str) -> str:
    if not auxiliary.startswith("C"):
        return auxiliary
    customer = Customer.objects.get(pk=int(auxiliary[1:]))
    return f"{customer.business.code} {customer.name}"


def _state() -> dict[str, list]:
    """Everything an import writes, without ids and times."""
    return {
        "invoices": sorted(
            Invoice.objects.values_list(
                "number",
                "kind",
                "status",
                "business__code",
                "customer__name",
                "issue_date",
                "due_date",
                "supply_date",
                "total_excl_vat_cents",
                "total_vat_cents",
                "total_incl_vat_cents",
                "paid_cents",
                "credited_cents",
                "imported",
                "operation_category",
                "late_penalty_text",
                "early_payment_text",
                "credited_invoice__number",
                "buyer_business_id",
                "issued_by_id",
                "prices_include_vat",
                "title",
                "notes",
            )
        ),
        "snapshots": sorted(
            (number, repr(snapshot))
            for number, snapshot in Invoice.objects.values_list("number", "snapshot")
        ),
        "lines": sorted(
            InvoiceLine.objects.values_list(
                "invoice__number",
                "position",
                "line_type",
                "description",
                "quantity",
                "unit_price",
                "vat_rate",
                "vat_exemption_reason",
                "net_cents",
                "nature",
                "discount_cents",
                "unit",
            )
        ),
        "history": sorted(
            StateChange.objects.filter(invoice__isnull=False).values_list(
                "invoice__number", "from_status", "to_status", "note", "actor_id"
            )
        ),
        "payments": sorted(
            Payment.objects.values_list(
                "invoice__number", "date", "amount_cents", "method", "reference", "recorded_by_id"
            )
        ),
        "customers": sorted(
            Customer.objects.values_list("business__code", "name", "address", "city", "siren")
        ),
        "entries": sorted(
            Entry.objects.values_list(
                "journal_id",
                "fiscal_year__start_date",
                "number",
                "date",
                "label",
                "event",
                "document_kind",
                "document_number",
                "document_date",
                "debit_cents",
                "credit_cents",
                "posted_by_id",
                "reverses_id",
            )
        ),
        # A customer's auxiliary account is C + its id: told by the customer's name.
        "ledger_lines": sorted(
            (*values, _customer_of(auxiliary), lettering != "")
            for *values, auxiliary, lettering in Line.objects.values_list(
                "entry__journal_id",
                "entry__number",
                "position",
                "date",
                "account_id",
                "business_id",
                "label",
                "debit_cents",
                "credit_cents",
                "auxiliary_label",
                "base_cents",
                "match_ref",
                "lettering_date",
                "auxiliary_number",
                "lettering",
            )
        ),
        "sequences": sorted(
            JournalSequence.objects.values_list(
                "journal_id", "fiscal_year__start_date", "last_number"
            )
        ),
        "audit": sorted(
            Counter(AuditEvent.objects.values_list("action", "target_type", "summary")).items()
        ),
    }


class _Undo(Exception):
    pass


def _both_ways(monkeypatch, text: str, actor=None):
    """Import the file in batches, note what was written and reported, undo it; then line by
    line. Returns both (state, errors)."""
    try:
        with transaction.atomic():
            result = _import(text, actor)
            batched = (_state(), [(e.line, e.message) for e in result.errors], result.created)
            raise _Undo
    except _Undo:
        pass
    _line_by_line(monkeypatch)
    result = _import(text, actor)
    alone = (_state(), [(e.line, e.message) for e in result.errors], result.created)
    return batched, alone


def _mixed_file() -> str:
    d = lambda month, day: f"{day:02d}/{month:02d}/{YEAR}"  # noqa: E731
    rows = [
        # a new customer, created by its first line and found by the next (case aside)
        f"F-0001;ALICE;Mairie d'Auch;{d(1, 10)};;;1000;100;;;;Place de la Mairie;32000;Auch;;"
        f"1305,50;{d(2, 10)};virement",
        f"F-0002;alice;MAIRIE D'AUCH;{d(2, 5)};;{d(3, 5)};;;500;{TRAINING};;;;;;200;;cheque",
        f"F-0003;BOB;Garage Martin;{d(2, 6)};acompte;;300;;;;;3 rue Haute;65000;Tarbes;;;;",
        # a credit note between invoices: line by line, in the file's order
        f"AV-0001;ALICE;Mairie d'Auch;{d(3, 1)};avoir;;;;100;{TRAINING};F-0002;;;;;;;",
        f"F-0004;ALICE;Brasserie du Gers;{d(3, 2)};;;50;;;;;;;;;60;{d(3, 20)};carte",
        f"F-0005;BOB;Garage Martin;{d(4, 1)};;;120,33;10;;;;;;;;50;;",
        f"AV-0002;ALICE;Brasserie du Gers;{d(4, 2)};avoir;;10;;;;F-0004;;;;;;;",
        f"F-0006;ALICE;Brasserie du Gers;{d(6, 30)};;;1000;;;;;;;;;1200;;especes",
        f"F-0007;CHLOE;Studio Nord;{d(2, 1)};;;100;;;;;1 rue;31000;Toulouse;;;;",
        f"F-0008;CHLOE;Studio Nord;{d(6, 1)};;;200;;;;;;;;;;;",
    ]
    return HEADER + "\n".join(rows) + "\n"


def test_a_batch_writes_exactly_what_line_by_line_writes(personas, monkeypatch):
    alice = personas.entrepreneur
    company(alice.business)  # Brasserie du Gers, known
    sales_settings_update(actor=None, business=alice.business, footer="Merci de votre confiance")
    # Chloé under a CAPE from March: her invoices after print it, those before do not.
    chloe = make_person(first_name="Chloé", last_name="Petit")
    cape_start(
        actor=None,
        person=chloe,
        start_date=datetime.date(YEAR, 3, 1),
        planned_end_date=datetime.date(YEAR + 1, 2, 28),
    )
    make_business(chloe, name="Chloé Design", code="CHLOE")
    issued(alice.business)  # the journals already hold an entry
    batched, alone = _both_ways(monkeypatch, _mixed_file(), actor=personas.staff.user)
    assert batched[1] == alone[1] == []
    assert batched[2] == alone[2] == 10
    for key in alone[0]:
        assert batched[0][key] == alone[0][key], key
    snapshots = dict(Invoice.objects.values_list("number", "snapshot"))
    assert snapshots["F-0006"]["seller"]["cape"] is None
    assert snapshots["F-0006"]["seller"]["footer"] == "Merci de votre confiance"
    assert snapshots["F-0007"]["seller"]["cape"] is None
    assert snapshots["F-0008"]["seller"]["cape"]["start_date"] == f"{YEAR}-03-01"
    assert snapshots["F-0008"]["seller"]["entrepreneur"] == "Chloé Petit"
    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses["F-0001"] == InvoiceStatus.PAID
    assert statuses["F-0004"] == InvoiceStatus.PAID  # 60 paid, 12 credited
    assert statuses["F-0005"] == InvoiceStatus.PARTLY_PAID
    # The customer's account of a paid invoice is lettered.
    lettered = Line.objects.filter(match_ref="F-0001").exclude(lettering="")
    assert sorted(lettered.values_list("debit_cents", "credit_cents")) == [
        (0, 130550),
        (130550, 0),
    ]


def test_a_batch_refuses_each_bad_line_as_line_by_line(personas, monkeypatch):
    company(personas.entrepreneur.business)
    future = today() + datetime.timedelta(days=3)
    d = lambda month, day: f"{day:02d}/{month:02d}/{YEAR}"  # noqa: E731
    rows = [
        f"F-0001;ALICE;Brasserie du Gers;{d(1, 10)};;;100;;;;;;;;;130;;",  # overpaid
        f"F-0002;ALICE;Brasserie du Gers;{future:%d/%m/%Y};;;100;;;;;;;;;;;",  # future
        f"F-0003;ALICE;Brasserie du Gers;{d(1, 10)};;;100;;;;;;;;;50;{future:%d/%m/%Y};",
        # a new customer whose line is refused is not kept for the next line
        f"F-0004;ALICE;Client Neuf;{d(1, 11)};;;;;;;;1 rue;32000;Auch;;;;",
        f"F-0005;ALICE;Client Neuf;{d(1, 12)};;;100;;;;;;;;;;;",
        f"F-0006;ALICE;Autre Client;{d(1, 12)};;;100;;;;;1 rue;32000;Auch;123;;;",
        # a credit note cannot correct an invoice further down the file
        f"AV-0001;ALICE;Brasserie du Gers;{d(1, 13)};avoir;;10;;;;F-0008;;;;;;;",
        f"F-0007;ALICE;Brasserie du Gers;{d(1, 13)};;;-5;;;;;;;;;;;",
        f"F-0008;ALICE;Brasserie du Gers;{d(1, 14)};;;100;;;;;;;;;;;",
        f"F 0009;ALICE;Brasserie du Gers;{d(1, 14)};;;100;;;;;;;;;;;",
    ]
    batched, alone = _both_ways(monkeypatch, HEADER + "\n".join(rows) + "\n")
    assert batched[1] == alone[1]
    assert [line for line, _message in alone[1]] == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert batched[0] == alone[0]
    assert Invoice.objects.count() == 0


def _big_file(rows: int, prefix: str, businesses=("ALICE", "BOB"), start: int = 0) -> str:
    lines = [HEADER.rstrip("\n")]
    for n in range(start, start + rows):
        code = businesses[n % len(businesses)]
        day = datetime.date(YEAR, 1 + n % 12, 1 + n % 28)
        amount = f"{100 + n % 900},{n % 100:02d}"
        paid = amount if n % 2 else ""
        lines.append(
            f"{prefix}{n:06d};{code};Brasserie du Gers;{day:%d/%m/%Y};;;{amount};;;;;;;;;{paid};;"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def customers(personas):
    company(personas.entrepreneur.business)
    company(personas.other_entrepreneur.business, siren="", name="brasserie du gers")


def test_the_number_of_queries_does_not_grow_with_the_rows(customers):
    assert _import(_big_file(5, "W")).ok  # the fiscal year and journal counters exist
    with CaptureQueriesContext(connection) as small:
        assert _import(_big_file(10, "S")).ok
    with CaptureQueriesContext(connection) as big:
        result = _import(_big_file(1000, "B"))
    assert result.ok and result.created == 1000
    assert Invoice.objects.filter(number__startswith="B").count() == 1000
    assert len(big.captured_queries) == len(small.captured_queries)
    assert len(big.captured_queries) <= 40


def test_the_batches_run_with_rarer_garbage_collections(customers, monkeypatch):
    seen: list[int] = []
    save_rows = INVOICES.save_rows
    assert save_rows is not None

    def watched(rows, actor):
        seen.append(gc.get_threshold()[0])
        return save_rows(rows, actor)

    monkeypatch.setitem(
        importing._REGISTRY, "invoices", dataclasses.replace(INVOICES, save_rows=watched)
    )
    before = gc.get_threshold()
    assert _import(_big_file(3, "G")).ok
    assert seen == [max(before[0], BATCH_GC_THRESHOLD) if before[0] else 0]  # 0: left off
    assert gc.get_threshold() == before


def test_a_bad_line_at_the_end_of_a_big_file_writes_nothing(customers):
    issued_before = Invoice.objects.count()
    counts = (
        Entry.objects.count(),
        Line.objects.count(),
        AuditEvent.objects.count(),
        StateChange.objects.count(),
        list(JournalSequence.objects.values_list("journal_id", "last_number")),
    )
    text = _big_file(1000, "B") + f"B999999;NOPE;Brasserie du Gers;01/01/{YEAR};;;100;;;;;;;;;;;\n"
    result = _import(text)
    assert not result.ok
    assert [(e.line, e.message) for e in result.errors] == [
        (1002, "business : activité inconnue « NOPE »")
    ]
    assert result.created == 0
    assert Invoice.objects.count() == issued_before
    assert Payment.objects.count() == 0
    assert counts == (
        Entry.objects.count(),
        Line.objects.count(),
        AuditEvent.objects.count(),
        StateChange.objects.count(),
        list(JournalSequence.objects.values_list("journal_id", "last_number")),
    )


def test_the_ledger_stays_balanced_and_numbered_without_gaps(personas, customers):
    issued(personas.entrepreneur.business)  # an entry posted by the usual path first
    assert _import(_big_file(300, "B")).ok
    later = issued(personas.entrepreneur.business)  # and one after the batch
    totals = Line.objects.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    assert totals["debit"] == totals["credit"] > 0
    for entry in Entry.objects.all():
        sums = entry.lines.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        assert sums["debit"] == sums["credit"] == entry.debit_cents == entry.credit_cents
    assert Entry.objects.filter(document_number__startswith="B").count() == 300
    assert Entry.objects.filter(event=Event.PAYMENT_RECEIVED).count() == 150
    for sequence in JournalSequence.objects.all():
        numbers = sorted(
            Entry.objects.filter(
                journal_id=sequence.journal_id, fiscal_year_id=sequence.fiscal_year_id
            ).values_list("number", flat=True)
        )
        assert numbers == list(range(1, sequence.last_number + 1)), sequence
    last = Entry.objects.filter(document_number=later.number).get()
    assert (
        last.number
        == JournalSequence.objects.get(
            journal_id=last.journal_id, fiscal_year_id=last.fiscal_year_id
        ).last_number
    )


def test_imported_invoices_are_frozen(customers):
    assert _import(_big_file(20, "B")).ok
    invoice = Invoice.objects.get(number="B000003")
    assert (invoice.status, invoice.imported) == (InvoiceStatus.PARTLY_PAID, True)
    invoice.title = "Autre chose"
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(number__startswith="B").update(total_excl_vat_cents=1)
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.filter(invoice=invoice).update(description="Autre")
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.filter(invoice=invoice).delete()
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        invoice_update(actor=None, invoice=invoice, title="Autre")
    invoice.refresh_from_db()
    assert invoice.title == ""
    assert InvoiceLine.objects.get(invoice=invoice).description == "Reprise d'historique"


def test_a_number_taken_meanwhile_refuses_the_file(customers, monkeypatch):
    assert _import(_big_file(1, "B")).ok
    looked_up = InvoiceImportBatch.__init__

    def blind(self, **kwargs):
        looked_up(self, **kwargs)
        self.taken = set()  # as if another import had written B000000 since the look-up

    monkeypatch.setattr(InvoiceImportBatch, "__init__", blind)
    result = _import(_big_file(3, "B"))
    assert result.file_error == (
        "le fichier contredit une donnée enregistrée entre-temps (contrainte de la base)."
    )
    assert (result.created, result.errors) == (0, [])
    assert Invoice.objects.filter(number__startswith="B").count() == 1
    assert Payment.objects.count() == 0


def test_a_number_already_in_alveole_is_refused_as_line_by_line(customers, monkeypatch):
    assert _import(_big_file(2, "B")).ok  # B000000 and B000001 are taken
    batched, alone = _both_ways(monkeypatch, _big_file(4, "B"))
    assert alone[1] == [
        (2, "number : Le numéro B000000 existe déjà."),
        (3, "number : Le numéro B000001 existe déjà."),
    ]
    assert batched[1] == alone[1]
    assert batched[0] == alone[0]


def test_a_prototype_copy_is_the_object_the_model_makes(personas, customers):
    business = personas.entrepreneur.business
    customer = Customer.objects.get(business=business)
    given = {"business": business, "customer": customer, "number": "X-1", "buyer_business": None}
    invoices = Prototype(Invoice, title="", imported=True)
    copy, other = invoices(**given), invoices(**given)
    made = Invoice(title="", imported=True, **given)

    def state(invoice):
        values = {k: v for k, v in vars(invoice).items() if k != "_state"}
        cached = invoice._state.fields_cache
        return values, cached, invoice._state.db, invoice._state.adding

    assert state(copy) == state(made)
    assert copy.snapshot == {} and copy.snapshot is not other.snapshot  # a fresh default
    assert (copy.business, copy.customer_id) == (business, customer.pk)
    with pytest.raises(TypeError):
        invoices(colour="blue")
