"""Services of sales: drafts, issue, credit notes, payments, quotes, reminders, history."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from alveole.core.models import AuditEvent
from alveole.sales.models import Invoice, InvoiceStatus, Payment, Quote, StateChange
from alveole.sales.services import (
    credit_note_create,
    customer_create,
    customer_update,
    invoice_issue,
    invoice_send,
    invoice_submit,
    invoice_update,
    payment_record,
    quote_accept,
    quote_create,
    quote_send,
    quote_to_invoice,
    reminder_send,
    sales_settings_update,
)

from .conftest import LINES, LINES_EXCL, LINES_INCL, LINES_VAT, company, draft, individual, issued

pytestmark = pytest.mark.django_db


def test_draft_totals_follow_the_rounding_rule(alice):
    invoice = draft(alice.business)
    assert (invoice.total_excl_vat_cents, invoice.total_vat_cents, invoice.total_incl_vat_cents) == (
        LINES_EXCL, LINES_VAT, LINES_INCL,
    )  # fmt: skip
    assert invoice.number is None
    assert invoice.operation_category == Invoice.OperationCategory.MIXED
    assert [line.net_cents for line in invoice.lines.all()] == [0, 20000, 3604]


def test_issue_numbers_freezes_and_records(alice, django_capture_on_commit_callbacks):
    invoice = draft(alice.business)
    issued_invoice = invoice_issue(actor=alice.user, invoice=invoice)
    year = issued_invoice.issue_date.year
    assert issued_invoice.number == f"ALICE-{year}-00001"
    assert issued_invoice.status == InvoiceStatus.ISSUED
    assert issued_invoice.due_date == issued_invoice.issue_date + datetime.timedelta(days=30)
    assert issued_invoice.snapshot["seller"]["name"] == "Coopérative Test"
    assert issued_invoice.snapshot["customer"]["siren"] == "732829320"
    history = list(issued_invoice.state_changes.values_list("from_status", "to_status", "actor"))
    assert history == [("", "draft", None), ("draft", "issued", alice.user.pk)]
    assert (
        AuditEvent.objects.filter(target_type="sales.invoice", target_id=str(invoice.pk)).count()
        == 2
    )
    second = issued(alice.business)
    assert second.number == f"ALICE-{year}-00002"


def test_validation_by_staff_when_the_business_requires_it(personas, alice):
    sales_settings_update(
        actor=personas.staff.user, business=alice.business, requires_validation=True
    )
    invoice = draft(alice.business)
    with pytest.raises(PermissionDenied):
        invoice_issue(actor=alice.user, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    invoice_submit(actor=alice.user, invoice=invoice)
    issued_invoice = invoice_issue(actor=personas.staff.user, invoice=invoice)
    assert issued_invoice.number.startswith("ALICE-")
    assert list(issued_invoice.state_changes.values_list("to_status", flat=True)) == [
        "draft", "to_validate", "issued",
    ]  # fmt: skip


def test_entrepreneur_cannot_switch_validation_off(personas, alice):
    sales_settings_update(
        actor=personas.staff.user, business=alice.business, requires_validation=True
    )
    with pytest.raises(PermissionDenied):
        sales_settings_update(actor=alice.user, business=alice.business, requires_validation=False)


def test_entrepreneur_cannot_write_in_another_business(personas, alice):
    bob = personas.other_entrepreneur
    with pytest.raises(PermissionDenied):
        customer_create(actor=alice.user, business=bob.business, kind="company", name="X",
                        address="1 rue", postal_code="32000", city="Auch")  # fmt: skip
    invoice = draft(bob.business)
    with pytest.raises(PermissionDenied):
        invoice_issue(actor=alice.user, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT


def test_customer_identifiers_are_validated(alice):
    with pytest.raises(ValidationError) as error:
        company(alice.business, siren="123456789", vat_number="FR00123456789")
    assert set(error.value.message_dict) == {"siren", "vat_number"}
    customer = company(
        alice.business, siren="", siret="73282932000074", vat_number="fr44 732829320"
    )
    assert customer.siren == "732829320"
    assert customer.vat_number == "FR44732829320"
    assert customer.department == "32"
    foreign = company(alice.business, siren="", country="BE", postal_code="1000", city="Bruxelles",
                      vat_number="BE0403019261")  # fmt: skip
    assert foreign.department == ""
    with pytest.raises(ValidationError):
        individual(alice.business, siren="732829320")


def test_customer_change_does_not_change_an_issued_invoice(alice):
    invoice = issued(alice.business)
    customer_update(actor=None, customer=invoice.customer, name="Nouveau nom", city="Mirande")
    invoice.refresh_from_db()
    assert invoice.snapshot["customer"]["name"] == "Brasserie du Gers"
    assert invoice.snapshot["customer"]["city"] == "Auch"


def test_payments_partial_then_paid_and_overpayment_refused(alice):
    invoice = issued(alice.business)
    payment_record(actor=alice.user, invoice=invoice, amount_cents=10000, method="transfer",
                   reference="VIR 1")  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PARTLY_PAID, 10000)
    with pytest.raises(ValidationError) as error:
        payment_record(actor=alice.user, invoice=invoice, amount_cents=LINES_INCL - 10000 + 1,
                       method="cheque")  # fmt: skip
    assert error.value.message_dict["amount_cents"][0].startswith("Le paiement (178,03")
    invoice.refresh_from_db()
    assert (invoice.paid_cents, Payment.objects.count()) == (10000, 1)
    payment_record(
        actor=alice.user, invoice=invoice, amount_cents=LINES_INCL - 10000, method="card"
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_cents, invoice.remaining_cents) == (
        InvoiceStatus.PAID,
        LINES_INCL,
        0,
    )
    with pytest.raises(ValidationError):
        payment_record(actor=alice.user, invoice=invoice, amount_cents=1, method="cash")
    assert list(invoice.state_changes.values_list("to_status", flat=True)) == [
        "draft", "issued", "partly_paid", "paid",
    ]  # fmt: skip


def test_payment_refused_on_a_draft(alice):
    invoice = draft(alice.business)
    with pytest.raises(ValidationError):
        payment_record(actor=None, invoice=invoice, amount_cents=100, method="cash")


def test_credit_notes_full_partial_and_beyond_total(alice):
    invoice = issued(alice.business)
    partial = credit_note_create(
        actor=alice.user, invoice=invoice,
        lines=[{"description": "Geste commercial", "quantity": 1, "unit_price": Decimal("50")}],
        reason="Retard de livraison",
    )  # fmt: skip
    assert partial.total_incl_vat_cents == 6000
    partial = invoice_issue(actor=alice.user, invoice=partial)
    year = partial.issue_date.year
    assert partial.number == f"ALICE-AV{year}-0001"
    assert partial.credited_invoice_id == invoice.pk
    invoice.refresh_from_db()
    assert invoice.credited_cents == 6000
    assert invoice.remaining_cents == LINES_INCL - 6000
    # The whole invoice can no longer be credited: 60 € already were.
    with pytest.raises(ValidationError) as error:
        credit_note_create(actor=alice.user, invoice=invoice)
    assert error.value.code == "credit_exceeds_total"
    # Two drafts that each fit but together exceed: the second is refused at issue.
    first = credit_note_create(actor=None, invoice=invoice, lines=[
        {"description": "a", "quantity": 1, "unit_price": Decimal("150")}])  # fmt: skip
    second = credit_note_create(actor=None, invoice=invoice, lines=[
        {"description": "b", "quantity": 1, "unit_price": Decimal("150")}])  # fmt: skip
    invoice_issue(actor=None, invoice=first)
    with pytest.raises(ValidationError):
        invoice_issue(actor=None, invoice=second)
    second.refresh_from_db()
    assert second.number is None and second.status == InvoiceStatus.DRAFT
    invoice.refresh_from_db()
    assert invoice.credited_cents == 6000 + 18000


def test_full_credit_note_cancels_the_invoice(alice):
    invoice = issued(alice.business)
    credit = invoice_issue(actor=None, invoice=credit_note_create(actor=None, invoice=invoice))
    assert credit.total_incl_vat_cents == LINES_INCL
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    with pytest.raises(ValidationError):
        payment_record(actor=None, invoice=invoice, amount_cents=100, method="cash")


def test_send_mails_the_pdf_after_commit_and_records(alice, django_capture_on_commit_callbacks):
    invoice = issued(alice.business)
    with django_capture_on_commit_callbacks(execute=True):
        sending = invoice_send(actor=alice.user, invoice=invoice)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["compta@brasserie.example"]
    assert message.subject == f"Facture {invoice.number} — Atelier Alice"
    assert message.attachments[0].filename == f"{invoice.number}.pdf"
    assert message.attachments[0].content.startswith(b"%PDF")
    sending.refresh_from_db()
    assert sending.delivered_at is not None
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT


def test_reminders_go_up_a_level_each_time(alice, django_capture_on_commit_callbacks):
    invoice = issued(alice.business)
    late_day = invoice.due_date + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        reminder_send(actor=None, invoice=invoice, day=invoice.due_date)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminder_send(actor=alice.user, invoice=invoice, day=late_day)
        second = reminder_send(actor=alice.user, invoice=invoice, day=late_day)
    assert (first.level, second.level) == (1, 2)
    assert [m.subject for m in mail.outbox] == [
        f"Relance : facture {invoice.number}", f"Seconde relance : facture {invoice.number}",
    ]  # fmt: skip
    assert "40 €" in mail.outbox[0].body
    invoice.refresh_from_db()
    assert invoice.last_reminder_level == 2


def test_quote_to_deposit_then_final_invoice(alice):
    customer = company(alice.business)
    quote = quote_create(actor=alice.user, business=alice.business, customer=customer, lines=LINES,
                         title="Ateliers")  # fmt: skip
    assert quote.total_incl_vat_cents == LINES_INCL
    quote = quote_send(actor=alice.user, quote=quote, email=False)
    assert quote.number.startswith("ALICE-D")
    quote = quote_accept(actor=alice.user, quote=quote)
    deposit = quote_to_invoice(actor=alice.user, quote=quote, mode="deposit", percent=Decimal("30"))
    # 30 % of 200.00 = 60.00 at 20 %; 30 % of 36.04 = 10.812 → 10.81 at 5.5 %
    assert [line.net_cents for line in deposit.lines.all()] == [6000, 1081]
    assert deposit.kind == Invoice.Kind.DEPOSIT
    with pytest.raises(ValidationError):
        quote_to_invoice(actor=alice.user, quote=quote, mode="final")  # deposit not issued yet
    deposit = invoice_issue(actor=alice.user, invoice=deposit)
    final = quote_to_invoice(actor=alice.user, quote=quote, mode="final")
    assert final.total_excl_vat_cents == LINES_EXCL - 7081
    # 20 %: 200 − 60 = 140 → 28.00; 5.5 %: 36.04 − 10.81 = 25.23 → 1.38765 → 1.39
    assert final.total_vat_cents == 2800 + 139
    with pytest.raises(ValidationError):
        quote_to_invoice(actor=alice.user, quote=quote, mode="full")


def test_quote_editing_refused_once_sent(alice):
    quote = quote_create(actor=None, business=alice.business, customer=company(alice.business),
                         lines=LINES)  # fmt: skip
    quote_send(actor=None, quote=quote, email=False)
    from alveole.sales.services import quote_update

    with pytest.raises(ValidationError):
        quote_update(actor=None, quote=quote, title="Autre")
    assert Quote.objects.get(pk=quote.pk).title == ""


def test_line_validation_messages(alice):
    with pytest.raises(ValidationError) as error:
        draft(alice.business, lines=[
            {"description": "", "quantity": "1.23456", "unit_price": "1", "vat_rate": "19.6"},
            {"description": "Formation", "quantity": 1, "unit_price": 100, "vat_rate": 0},
        ])  # fmt: skip
    messages = error.value.message_dict["lines"]
    assert messages[0] == (
        "Ligne 1 : la désignation est obligatoire, quantité : au plus 4 décimales, "
        "taux de TVA 19,6 % inconnu (20, 10, 5,5, 2,1 ou 0)."
    )
    assert messages[1] == "Ligne 2 : sans TVA, le motif d'exonération est obligatoire."


def test_history_of_a_draft_update(alice):
    invoice = draft(alice.business)
    invoice_update(actor=alice.user, invoice=invoice, title="Nouvel objet", lines=LINES[1:2])
    invoice.refresh_from_db()
    assert invoice.title == "Nouvel objet"
    assert invoice.total_excl_vat_cents == 20000
    assert StateChange.objects.filter(invoice=invoice).count() == 1
