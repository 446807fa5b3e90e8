"""Every way of changing an issued invoice is refused, and nothing changes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.sales.models import ImmutableDocumentError, Invoice, InvoiceLine
from alveole.sales.services import invoice_delete, invoice_import, invoice_update

from .conftest import company, issued

pytestmark = pytest.mark.django_db


def _state(invoice):
    row = Invoice.objects.values().get(pk=invoice.pk)
    row.pop("updated_at")
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("pk").values())
    return row, lines


@pytest.fixture
def frozen(alice):
    invoice = issued(alice.business)
    return invoice, _state(invoice)


def test_service_update_refused(frozen):
    invoice, before = frozen
    with pytest.raises(ValidationError):
        invoice_update(actor=None, invoice=invoice, title="Autre objet")
    with pytest.raises(ValidationError):
        invoice_update(actor=None, invoice=invoice, lines=[{"description": "x", "unit_price": 1}])
    with pytest.raises(ValidationError):
        invoice_delete(actor=None, invoice=invoice)
    assert _state(invoice) == before


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Autre"},
        {"number": "ALICE-2099-99999"},
        {"total_incl_vat_cents": 1},
        {"due_date": None},
        {"snapshot": {}},
        {"status": "draft"},
    ],
)
def test_model_save_refused(frozen, change):
    invoice, before = frozen
    for name, value in change.items():
        setattr(invoice, name, value)
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    with pytest.raises(ImmutableDocumentError):
        invoice.save(update_fields=list(change))
    assert _state(invoice) == before


def test_queryset_update_delete_and_bulk_refused(frozen):
    invoice, before = frozen
    queryset = Invoice.objects.filter(pk=invoice.pk)
    with pytest.raises(ImmutableDocumentError):
        queryset.update(title="Autre")
    with pytest.raises(ImmutableDocumentError):
        queryset.update(status="draft")
    with pytest.raises(ImmutableDocumentError):
        queryset.delete()
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    invoice.title = "Autre"
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.bulk_update([invoice], ["title"])
    assert _state(invoice) == before


def test_lines_refused_every_way(frozen):
    invoice, before = frozen
    line = invoice.lines.filter(line_type="item").first()
    line.unit_price = Decimal("1")
    with pytest.raises(ImmutableDocumentError):
        line.save()
    with pytest.raises(ImmutableDocumentError):
        line.delete()
    with pytest.raises(ImmutableDocumentError):
        invoice.lines.update(unit_price=Decimal("1"))
    with pytest.raises(ImmutableDocumentError):
        invoice.lines.all().delete()
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.bulk_update([line], ["unit_price"])
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.create(invoice=invoice, description="Ajout", unit_price=1)
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, description="Ajout")])
    # Moving a line of an issued invoice to a draft is a change too.
    draft = Invoice.objects.create(business=invoice.business, customer=invoice.customer)
    line.invoice = draft
    with pytest.raises(ImmutableDocumentError):
        line.save()
    assert _state(invoice) == before


def test_admin_cannot_change_invoices(frozen, personas):
    invoice, before = frozen
    client = personas.director.client
    personas.director.user.is_superuser = True
    personas.director.user.is_staff = True
    personas.director.user.save()
    url = f"/admin/sales/invoice/{invoice.pk}/change/"
    response = client.post(url, {"title": "Autre"})
    assert response.status_code == 403
    response = client.post(f"/admin/sales/invoice/{invoice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert _state(invoice) == before


def test_lifecycle_fields_still_move(frozen):
    invoice, _before = frozen
    invoice.paid_cents = 100
    invoice.status = "partly_paid"
    invoice.save(update_fields=["paid_cents", "status"])
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (100, "partly_paid")


def test_imported_invoice_is_frozen_and_keeps_its_number(alice):
    import datetime

    invoice = invoice_import(
        actor=None, business=alice.business, customer=company(alice.business),
        number="2021/F-0042", kind="invoice", issue_date=datetime.date(2021, 3, 4),
        due_date=datetime.date(2021, 4, 3),
        lines=[{"description": "Reprise", "unit_price": Decimal("1000"), "vat_rate": 20}],
    )  # fmt: skip
    assert (invoice.number, invoice.status, invoice.imported) == ("2021/F-0042", "issued", True)
    assert invoice.total_incl_vat_cents == 120000
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(pk=invoice.pk).update(total_incl_vat_cents=0)
