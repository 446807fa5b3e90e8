"""What purchases post in the ledger (docs/adr/0010): a supplier invoice validated and paid,
an expense report validated and paid, the buyer's side of an internal purchase; the entry
is written in the service's transaction and dated in the open period."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from alveole.ledger import services as ledger_services
from alveole.ledger.models import Account, Entry, Line
from alveole.purchases import services
from alveole.purchases.models import SupplierInvoice, SupplierInvoiceStatus

from .conftest import LINES_EXCL, LINES_INCL, LINES_VAT, jpeg_bytes, manual_invoice

pytestmark = pytest.mark.django_db

D = datetime.date


def _lines(entry: Entry) -> list[tuple[str, int, int, int | None]]:
    return [
        (line.account_id, line.debit_cents, line.credit_cents, line.business_id)
        for line in entry.lines.order_by("position")
    ]


def assert_balanced() -> None:
    """The whole ledger and every entry balance, their stored totals equal to their lines."""
    totals = Line.objects.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    assert totals["debit"] == totals["credit"]
    for entry in Entry.objects.all():
        sums = entry.lines.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        assert sums["debit"] == sums["credit"] == entry.debit_cents == entry.credit_cents


def test_a_supplier_invoice_validated_then_paid_posts_its_charge_and_its_payment(personas):
    alice = personas.entrepreneur.business
    invoice = manual_invoice(alice)
    assert not Entry.objects.exists()  # entered and assigned: nothing in the books yet
    services.supplier_invoice_validate(actor=personas.staff.user, invoice=invoice)
    entry = Entry.objects.get()
    assert (entry.journal_id, entry.date, entry.event) == (
        "AC",
        D(2026, 3, 2),
        "supplier_invoice_validated",
    )
    assert (entry.document_kind, entry.document_id) == ("supplier_invoice", str(invoice.pk))
    assert _lines(entry) == [
        ("606", LINES_EXCL, 0, alice.pk),
        ("44566", LINES_VAT, 0, alice.pk),
        ("401", 0, LINES_INCL, alice.pk),
    ]
    supplier_line = entry.lines.get(account_id="401")
    assert supplier_line.auxiliary_number == f"F{invoice.supplier_id:06d}"
    assert supplier_line.auxiliary_label == "Papeterie du Gers"
    assert supplier_line.lettering == ""
    assert_balanced()

    services.supplier_invoice_pay(
        actor=personas.accountant.user,
        invoice=invoice,
        method="transfer",
        date=D(2026, 4, 1),
        reference="VIR-42",
    )
    payment = Entry.objects.exclude(pk=entry.pk).get()
    assert (payment.journal_id, payment.date, payment.document_number) == (
        "BQ",
        D(2026, 4, 1),
        "VIR-42",
    )
    assert _lines(payment) == [("401", LINES_INCL, 0, alice.pk), ("512", 0, LINES_INCL, alice.pk)]
    # The invoice and its payment net to zero on the supplier's account: lettered.
    letters = set(Line.objects.filter(account_id="401").values_list("lettering", flat=True))
    assert len(letters) == 1 and letters != {""}
    assert_balanced()


def test_a_supplier_credit_note_posts_the_other_way_round(personas):
    alice = personas.entrepreneur.business
    note = manual_invoice(alice, number="AV-1", is_credit_note=True, category="goods_for_resale")
    services.supplier_invoice_validate(actor=personas.staff.user, invoice=note)
    assert _lines(Entry.objects.get()) == [
        ("607", 0, LINES_EXCL, alice.pk),
        ("44566", 0, LINES_VAT, alice.pk),
        ("401", LINES_INCL, 0, alice.pk),
    ]
    services.supplier_invoice_pay(
        actor=personas.staff.user, invoice=note, method="transfer", date=D(2026, 3, 20)
    )
    refund = Entry.objects.get(journal_id="BQ")
    assert _lines(refund) == [("401", 0, LINES_INCL, alice.pk), ("512", LINES_INCL, 0, alice.pk)]
    assert_balanced()


def test_an_invoice_of_a_closed_month_is_posted_on_the_first_open_day(personas):
    alice = personas.entrepreneur.business
    invoice = manual_invoice(alice)  # dated 2 March 2026
    ledger_services.fiscal_year_for(D(2026, 3, 31))  # the calendar year, opened
    ledger_services.period_close(actor=personas.accountant.user, through=D(2026, 3, 31))
    services.supplier_invoice_validate(actor=personas.staff.user, invoice=invoice)
    entry = Entry.objects.get()
    assert entry.date == D(2026, 4, 1) and entry.document_date == D(2026, 4, 1)
    # A payment dated in the closed month goes to the open period too.
    services.supplier_invoice_pay(
        actor=personas.staff.user, invoice=invoice, method="card", date=D(2026, 3, 15)
    )
    assert Entry.objects.get(journal_id="BQ").date == D(2026, 4, 1)
    assert_balanced()


def test_when_the_entry_cannot_be_posted_the_validation_is_undone(personas):
    invoice = manual_invoice(personas.entrepreneur.business)
    Account.objects.filter(number="606").update(active=False)
    with pytest.raises(ValidationError, match="Compte fermé aux écritures : 606"):
        services.supplier_invoice_validate(actor=personas.staff.user, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoiceStatus.ASSIGNED
    assert not invoice.state_changes.filter(to_status="validated").exists()
    assert not Entry.objects.exists()


def test_an_expense_report_validated_then_paid(personas):
    alice = personas.entrepreneur
    report = services.expense_report_create(
        actor=alice.user, person=alice.person, business=alice.business, month=D(2026, 3, 1)
    )
    for category, amount, vat in (("meals", 2750, 250), ("transport", 6400, 0), ("meals", 1500, 0)):
        services.expense_line_add(
            actor=alice.user, report=report, date=D(2026, 3, 12), category=category,
            description="Déplacement client", amount_cents=amount, vat_cents=vat,
            receipt=jpeg_bytes(), receipt_filename="ticket.jpg",
        )  # fmt: skip
    services.expense_report_submit(actor=alice.user, report=report)
    assert not Entry.objects.exists()
    services.expense_report_validate(actor=personas.accountant.user, report=report)
    entry = Entry.objects.get()
    business = alice.business.pk
    assert (entry.journal_id, entry.date) == ("AC", D(2026, 3, 31))
    assert _lines(entry) == [
        ("6251", 6400, 0, business),
        ("6256", 4000, 0, business),
        ("44566", 250, 0, business),
        ("4671", 0, 10650, business),
    ]
    assert entry.lines.get(account_id="4671").auxiliary_label == str(alice.person)
    services.expense_report_pay(
        actor=personas.director.user, report=report, method="transfer", date=D(2026, 4, 5)
    )
    payment = Entry.objects.get(journal_id="BQ")
    assert _lines(payment) == [("4671", 10650, 0, business), ("512", 0, 10650, business)]
    assert "" not in set(Line.objects.filter(account_id="4671").values_list("lettering", flat=True))
    assert_balanced()


def test_an_internal_purchase_is_charged_against_the_liaison_and_its_payment_posts_nothing(
    personas,
):
    buyer, seller = personas.entrepreneur.business, personas.other_entrepreneur.business
    invoice = services.supplier_invoice_create_internal(
        actor=personas.staff.user, seller_business=seller, buyer_business=buyer,
        number="BOB-2026-0007", issue_date=D(2026, 3, 5), due_date=D(2026, 4, 4),
        source_invoice_id=4242, lines=[
            {"description": "Illustrations", "vat_rate": "20", "net_cents": 30000, "nature": "service"},
            {"description": "Tirages", "vat_rate": "20", "net_cents": 5000, "nature": "goods"},
        ],
    )  # fmt: skip
    services.supplier_invoice_validate(actor=personas.staff.user, invoice=invoice)
    entry = Entry.objects.get()
    assert entry.label == f"Achat interne F{invoice.supplier_id:06d}-BOB-2026-0007 de BOB"
    # No supplier debt and no VAT inside the cooperative: the charge against 1812.
    assert _lines(entry) == [("604", 35000, 0, buyer.pk), ("1812", 0, 35000, buyer.pk)]
    services.supplier_invoice_pay(
        actor=personas.staff.user, invoice=invoice, method="internal", date=D(2026, 3, 31)
    )
    assert Entry.objects.count() == 1
    assert SupplierInvoice.objects.get().status == SupplierInvoiceStatus.PAID
    assert_balanced()
