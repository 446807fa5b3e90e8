"""Cancelling a payment recorded by mistake: kept and marked, the invoice follows, its ledger
entries are reversed (none: nothing to do), refused in a closed period; page and API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from alveole.core.models import AuditEvent
from alveole.ledger.models import Entry, Event, Line
from alveole.ledger.posting import DocumentRef, EntryDraft, LineDraft
from alveole.ledger.services import entry_post, period_close
from alveole.sales.models import InvoiceStatus, Payment
from alveole.sales.selectors import payments_list
from alveole.sales.services import (
    PAYMENT_ENTRY_KIND,
    internal_customer_for,
    payment_cancel,
    payment_record,
)

from .conftest import LINES_INCL, issued

pytestmark = pytest.mark.django_db
D = datetime.date


def _entries(payment):
    return Entry.objects.filter(document_kind=PAYMENT_ENTRY_KIND, document_id=str(payment.pk))


def _with_entry(payment):
    """The payment's entry: the one sales posted, or one posted here when sales posts none."""
    if not _entries(payment).exists():
        entry_post(
            actor=None,
            draft=EntryDraft(
                journal="BQ",
                date=payment.date,
                label=f"Règlement {payment.invoice.number}",
                event=Event.PAYMENT_RECEIVED,
                document=DocumentRef(
                    PAYMENT_ENTRY_KIND, payment.invoice.number, payment.date, str(payment.pk)
                ),
                lines=(
                    LineDraft("512", debit_cents=payment.amount_cents),
                    LineDraft("411", credit_cents=payment.amount_cents, auxiliary_number="C1"),
                ),
            ),
        )
    return payment


def _balances(payment):
    ids = Entry.objects.filter(
        document_kind=PAYMENT_ENTRY_KIND, document_id=str(payment.pk)
    ).values("pk")
    return {
        row["account_id"]: row["debit"] - row["credit"]
        for row in Line.objects.filter(entry__in=ids)
        .values("account_id")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    }


def test_cancel_marks_the_payment_recomputes_the_invoice_and_reverses_its_entries(alice):
    invoice = issued(alice.business)
    first = payment_record(actor=alice.user, invoice=invoice, amount_cents=10000, method="transfer")
    second = payment_record(
        actor=alice.user, invoice=invoice, amount_cents=LINES_INCL - 10000, method="cheque"
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    _with_entry(second)
    posted = _entries(second).count()
    assert any(balance != 0 for balance in _balances(second).values())

    cancelled = payment_cancel(actor=alice.user, payment=second, reason="Chèque saisi deux fois")

    assert cancelled.is_cancelled and Payment.objects.filter(pk=second.pk).exists()
    assert cancelled.cancelled_by == alice.user
    assert cancelled.cancel_reason == "Chèque saisi deux fois"
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (10000, InvoiceStatus.PARTLY_PAID)
    assert invoice.remaining_cents == LINES_INCL - 10000
    last = invoice.state_changes.last()
    assert (last.from_status, last.to_status) == ("paid", "partly_paid")
    # Every entry the payment posted has its counter-entry: the accounts net to zero.
    assert _entries(second).filter(event=Event.REVERSAL).count() == posted
    assert set(_balances(second).values()) == {0}
    assert AuditEvent.objects.filter(
        target_type="sales.payment", target_id=str(second.pk), summary__contains="Annulation"
    ).exists()
    # Lists and totals leave it out; the first payment is untouched.
    assert list(payments_list(user=alice.user)) == [first]
    # The money is owed again and can be recorded anew.
    payment_record(
        actor=alice.user, invoice=invoice, amount_cents=LINES_INCL - 10000, method="transfer"
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_cancel_twice_without_reason_or_by_another_business_is_refused(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    payment = payment_record(
        actor=None, invoice=issued(alice.business), amount_cents=5000, method="cash"
    )
    with pytest.raises(ValidationError) as error:
        payment_cancel(actor=alice.user, payment=payment, reason="  ")
    assert error.value.message_dict == {"reason": ["Indiquez pourquoi ce paiement est annulé."]}
    with pytest.raises(PermissionDenied):
        payment_cancel(actor=bob.user, payment=payment, reason="Erreur")
    payment.refresh_from_db()
    assert not payment.is_cancelled
    payment_cancel(actor=alice.user, payment=payment, reason="Erreur")
    with pytest.raises(ValidationError, match="déjà annulé"):
        payment_cancel(actor=alice.user, payment=payment, reason="Erreur")
    assert (
        _entries(payment).filter(event=Event.REVERSAL).count()
        == _entries(payment).exclude(event=Event.REVERSAL).count()
    )


def test_a_payment_without_entries_is_cancelled_without_touching_the_ledger(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    invoice = issued(alice.business, customer)
    payment = payment_record(
        actor=None, invoice=invoice, amount_cents=invoice.total_incl_vat_cents, method="transfer"
    )
    # An internal sale is settled by compensation: its payment posts nothing.
    assert not _entries(payment).exists()
    before = Entry.objects.count()
    payment_cancel(actor=None, payment=payment, reason="Compensation annulée")
    assert Entry.objects.count() == before
    assert not _entries(payment).exists()
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (0, InvoiceStatus.ISSUED)


def test_a_payment_in_a_closed_period_cannot_be_cancelled(alice):
    invoice = issued(alice.business, issue_date=D(2026, 3, 2))
    payment = payment_record(
        actor=None, invoice=invoice, amount_cents=1000, method="transfer", date=D(2026, 3, 10)
    )
    _with_entry(payment)
    period_close(actor=None, through=D(2026, 3, 31))
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as error:
        payment_cancel(actor=alice.user, payment=payment, reason="Erreur")
    assert error.value.code == "closed_period"
    assert "clôturée jusqu'au 31/03/2026" in error.value.messages[0]
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert not payment.is_cancelled and invoice.paid_cents == 1000
    assert Entry.objects.count() == entries


def test_page_button_cancels_with_a_reason(alice):
    invoice = issued(alice.business)
    payment = payment_record(actor=None, invoice=invoice, amount_cents=5000, method="card")
    url = reverse("sales:invoice_detail", args=[invoice.pk])
    page = alice.client.get(url).content.decode()
    assert "Annuler ce paiement" in page and "Confirmer l'annulation" in page
    action = reverse("sales:invoice_action", args=[invoice.pk, "cancel-payment"])
    refused = alice.client.post(action, {"payment": payment.pk, "reason": ""}, follow=True)
    assert "Indiquez pourquoi ce paiement est annulé." in refused.content.decode()
    payment.refresh_from_db()
    assert not payment.is_cancelled
    assert alice.client.post(action, {"payment": "x", "reason": "a"}).status_code == 404
    response = alice.client.post(action, {"payment": payment.pk, "reason": "Carte refusée"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.is_cancelled
    page = alice.client.get(url).content.decode()
    assert "annulé" in page and "Carte refusée" in page and "<del>" in page
    listing = alice.client.get(reverse("sales:payment_list")).content.decode()
    assert invoice.number not in listing
