"""Suppliers and supplier invoices through the services: amounts, duplicates, life cycle,
internal purchases, who may do what (and that a refusal changes nothing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alveole.core.models import AuditEvent
from alveole.purchases import services
from alveole.purchases.models import (
    PurchaseCategory,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
)
from alveole.purchases.selectors import invoice_totals, purchase_costs_by_category

from .conftest import (
    LINES_EXCL,
    LINES_INCL,
    LINES_VAT,
    SUPPLIER_SIREN,
    manual_invoice,
    supplier,
)

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        list(SupplierInvoice.objects.order_by("pk").values()),
        list(SupplierInvoiceLine.objects.order_by("pk").values()),
        list(Supplier.objects.order_by("pk").values()),
    )


# --- suppliers --------------------------------------------------------------------------


def test_supplier_identifiers_are_checked_and_normalised(personas):
    created = services.supplier_create(
        actor=personas.entrepreneur.user, name="Papeterie", siret="732 829 320 00074",
        vat_number="fr 44 732829320", iban="fr76 3000 6000 0112 3456 7890 189",
        bic="agrifrpp", postal_code="32000",
    )  # fmt: skip
    assert (created.siren, created.siret, created.vat_number) == (
        SUPPLIER_SIREN, "73282932000074", "FR44732829320",
    )  # fmt: skip
    assert (created.iban, created.bic, created.created_by) == (
        "FR7630006000011234567890189", "AGRIFRPP", personas.entrepreneur.user,
    )  # fmt: skip
    assert AuditEvent.objects.filter(target_id=str(created.pk), action="create").exists()


def test_supplier_bad_identifiers_are_all_reported(personas):
    with pytest.raises(ValidationError) as error:
        services.supplier_create(
            actor=None, name="", siren="123456789", vat_number="FR00123", iban="FR7630006000011234567890180",
            postal_code="3200",
        )  # fmt: skip
    assert set(error.value.message_dict) == {"name", "siren", "vat_number", "iban", "postal_code"}
    assert "IBAN" in error.value.message_dict["iban"][0]
    assert not Supplier.objects.exists()


def test_supplier_duplicate_siren_names_the_existing_one(personas):
    supplier()
    with pytest.raises(ValidationError) as error:
        services.supplier_create(actor=None, name="Autre nom", siren=SUPPLIER_SIREN)
    assert "Papeterie du Gers" in error.value.message_dict["siren"][0]


def test_foreign_supplier_vat_numbers(personas):
    german = services.supplier_create(
        actor=None, name="Lieferant", vat_number="DE 136 695 976", country="de"
    )
    assert (german.vat_number, german.country) == ("DE136695976", "DE")
    with pytest.raises(ValidationError):
        services.supplier_create(actor=None, name="Faux", vat_number="DE123456789")


def test_only_staff_roles_change_a_supplier(personas):
    found = supplier()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.supplier_update(
            actor=personas.entrepreneur.user, supplier=found, iban="FR7610107001011234567890129"
        )
    assert _snapshot() == before
    services.supplier_update(
        actor=personas.accountant.user, supplier=found, iban="FR7610107001011234567890129"
    )
    found.refresh_from_db()
    assert found.iban == "FR7610107001011234567890129"
    event = AuditEvent.objects.filter(target_id=str(found.pk), action="update").get()
    assert event.changes == {"iban": ["FR7630006000011234567890189", "FR7610107001011234567890129"]}


# --- entered invoices -------------------------------------------------------------------


def test_manual_invoice_amounts_vat_per_rate_and_line_vat(personas):
    alice = personas.entrepreneur
    invoice = manual_invoice(alice.business, category=PurchaseCategory.GOODS_FOR_RESALE)
    assert invoice.status == SupplierInvoiceStatus.ASSIGNED
    assert (invoice.total_excl_vat_cents, invoice.total_vat_cents, invoice.total_incl_vat_cents) == (
        LINES_EXCL, LINES_VAT, LINES_INCL,
    )  # fmt: skip
    assert invoice.due_cents == LINES_INCL
    rows = {
        (r.vat_rate, r.basis_cents, r.vat_cents, r.deductible_vat_cents)
        for r in invoice.vat_rows.all()
    }
    assert rows == {(Decimal("20.00"), 4150, 830, 830), (Decimal("5.50"), 3704, 204, 204)}
    lines = list(invoice.lines.values_list("net_cents", "vat_cents"))
    assert lines == [(4150, 830), (3704, 204)]
    history = list(invoice.state_changes.values_list("from_status", "to_status"))
    assert history == [("", "assigned")]


def test_vat_per_rate_is_rounded_once_not_per_line(personas):
    lines = [
        {"description": f"Article {i}", "quantity": 1, "unit_price": "0.05", "vat_rate": "20"}
        for i in range(3)
    ]
    invoice = manual_invoice(personas.entrepreneur.business, lines=lines)
    # 3 × 0.05 = 0.15 at 20 % = 0.03 (per line it would be 3 × 0.01)
    assert (invoice.total_vat_cents, sum(invoice.lines.values_list("vat_cents", flat=True))) == (
        3,
        3,
    )


def test_duplicate_same_supplier_and_number_is_refused_clearly(personas):
    manual_invoice(personas.entrepreneur.business, number="F-001")
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        manual_invoice(personas.other_entrepreneur.business, number=" f-001 ")
    message = error.value.message_dict["number"][0]
    assert message.startswith(
        "Doublon : la facture n° F-001 de Papeterie du Gers est déjà enregistrée"
    )
    assert _snapshot() == before


def test_same_number_from_another_supplier_is_fine(personas):
    manual_invoice(personas.entrepreneur.business, number="F-001")
    other = supplier(name="Autre", siren="", vat_number="", iban="")
    second = manual_invoice(personas.entrepreneur.business, number="F-001", supplier=other)
    assert second.number == "F-001"


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"lines": []}, "lines"),
        (
            {"lines": [{"description": "", "quantity": "x", "unit_price": 1, "vat_rate": 20}]},
            "lines",
        ),
        (
            {"lines": [{"description": "A", "quantity": 1, "unit_price": 1, "vat_rate": 19}]},
            "lines",
        ),
        ({"issue_date": datetime.date(2999, 1, 1)}, "issue_date"),
        ({"due_date": datetime.date(2026, 1, 1)}, "due_date"),
        ({"number": "  "}, "number"),
        ({"category": "food"}, "category"),
    ],
)
def test_bad_manual_input_writes_nothing(personas, fields, key):
    found = supplier()
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        manual_invoice(personas.entrepreneur.business, supplier=found, **fields)
    assert key in error.value.message_dict
    assert _snapshot() == before


def test_entrepreneur_enters_only_for_their_business(personas):
    found = supplier()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.supplier_invoice_create(
            actor=personas.entrepreneur.user, supplier=found, business=personas.other_entrepreneur.business,
            number="X1", issue_date=datetime.date(2026, 3, 1), lines=[{"description": "A", "unit_price": 1}],
        )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.supplier_invoice_create(
            actor=personas.entrepreneur.user, supplier=found, business=None, number="X1",
            issue_date=datetime.date(2026, 3, 1), lines=[{"description": "A", "unit_price": 1}],
        )  # fmt: skip
    assert "business" in error.value.message_dict
    assert _snapshot() == before


def test_staff_may_enter_an_unassigned_invoice_then_assign_it(personas):
    invoice = manual_invoice(None)
    assert invoice.status == SupplierInvoiceStatus.RECEIVED
    services.supplier_invoice_assign(
        actor=personas.staff.user, invoice=invoice, business=personas.entrepreneur.business,
        category=PurchaseCategory.SUBCONTRACTING,
    )  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.business, invoice.category) == (
        "assigned", personas.entrepreneur.business, "subcontracting",
    )  # fmt: skip
    services.supplier_invoice_assign(
        actor=personas.staff.user, invoice=invoice, business=personas.other_entrepreneur.business
    )
    notes = list(invoice.state_changes.values_list("from_status", "to_status", "note"))
    assert notes == [
        ("", "received", "Saisie"),
        ("received", "assigned", "Activité ALICE"),
        ("assigned", "assigned", "Activité ALICE → BOB"),
    ]


def test_life_cycle_validate_then_pay(personas):
    invoice = manual_invoice(personas.entrepreneur.business)
    staff = personas.staff.user
    with pytest.raises(ValidationError):
        services.supplier_invoice_pay(actor=staff, invoice=invoice, method="transfer")
    services.supplier_invoice_validate(actor=personas.accountant.user, invoice=invoice)
    with pytest.raises(ValidationError):
        services.supplier_invoice_update(actor=staff, invoice=invoice, notes="trop tard")
    with pytest.raises(ValidationError) as error:
        services.supplier_invoice_pay(
            actor=staff, invoice=invoice, method="bitcoin", date=datetime.date(2999, 1, 1)
        )
    assert set(error.value.message_dict) == {"method", "date"}
    services.supplier_invoice_pay(
        actor=personas.director.user, invoice=invoice, method="transfer",
        date=datetime.date(2026, 4, 1), reference="VIR-123",
    )  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on, invoice.payment_method, invoice.payment_reference) == (
        "paid", datetime.date(2026, 4, 1), "transfer", "VIR-123",
    )  # fmt: skip
    history = [(c.from_status, c.to_status, c.actor) for c in invoice.state_changes.all()]
    assert history == [
        ("", "assigned", None),
        ("assigned", "validated", personas.accountant.user),
        ("validated", "paid", personas.director.user),
    ]
    assert invoice.state_changes.last().note == "01/04/2026 · Virement · VIR-123"


def test_entrepreneur_cannot_assign_validate_or_pay(personas):
    invoice = manual_invoice(personas.entrepreneur.business)
    user = personas.entrepreneur.user
    before = _snapshot()
    for call in (
        lambda: services.supplier_invoice_assign(
            actor=user, invoice=invoice, business=personas.entrepreneur.business
        ),
        lambda: services.supplier_invoice_validate(actor=user, invoice=invoice),
        lambda: services.supplier_invoice_pay(actor=user, invoice=invoice, method="transfer"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _snapshot() == before


def test_manual_update_recomputes_and_audits(personas):
    invoice = manual_invoice(personas.entrepreneur.business)
    services.supplier_invoice_update(
        actor=personas.entrepreneur.user, invoice=invoice, number="F-2026-001bis",
        lines=[{"description": "Papier", "quantity": 2, "unit_price": "10", "vat_rate": "20"}],
    )  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.number, invoice.total_incl_vat_cents, invoice.lines.count()) == (
        "F-2026-001bis",
        2400,
        1,
    )
    event = AuditEvent.objects.filter(target_id=str(invoice.pk), action="update").get()
    assert event.changes["total_incl_vat_cents"] == [LINES_INCL, 2400]
    with pytest.raises(PermissionDenied):
        services.supplier_invoice_update(
            actor=personas.other_entrepreneur.user, invoice=invoice, notes="x"
        )


# --- internal purchases -----------------------------------------------------------------


def _internal(personas, **fields):
    fields.setdefault("lines", [
        {"description": "Illustrations", "quantity": "2", "unit_price": "150", "vat_rate": "20", "net_cents": 30000, "nature": "service"},
        {"description": "Tirages", "quantity": "10", "unit_price": "5", "vat_rate": "20", "net_cents": 5000, "nature": "goods"},
    ])  # fmt: skip
    return services.supplier_invoice_create_internal(
        actor=personas.staff.user, seller_business=personas.other_entrepreneur.business,
        buyer_business=personas.entrepreneur.business, number="BOB-2026-0007",
        issue_date=datetime.date(2026, 3, 5), due_date=datetime.date(2026, 4, 4),
        source_invoice_id=4242, **fields,
    )  # fmt: skip


def test_internal_purchase_is_the_buyer_side_of_an_internal_sale(personas):
    invoice = _internal(personas, total_excl_vat_cents=35000, total_vat_cents=7000)
    assert (invoice.origin, invoice.status, invoice.business, invoice.seller_business) == (
        "internal", "assigned", personas.entrepreneur.business, personas.other_entrepreneur.business,
    )  # fmt: skip
    assert invoice.category == PurchaseCategory.SUBCONTRACTING  # services outweigh goods
    assert (invoice.total_incl_vat_cents, invoice.source_invoice_id) == (42000, 4242)
    assert invoice.supplier.internal_business == personas.other_entrepreneur.business
    assert invoice.supplier.name == "Bob Conseil (BOB)"
    assert _internal(personas).pk == invoice.pk  # called twice: one record
    with pytest.raises(ValidationError):
        services.supplier_invoice_update(actor=personas.staff.user, invoice=invoice, number="autre")


def test_internal_purchase_refuses_inconsistent_amounts_and_self_purchase(personas):
    with pytest.raises(ValidationError):
        _internal(personas, total_vat_cents=1)
    with pytest.raises(ValidationError):
        services.supplier_invoice_create_internal(
            actor=None, seller_business=personas.entrepreneur.business, buyer_business=personas.entrepreneur.business,
            number="X", issue_date=datetime.date(2026, 3, 5), due_date=None, source_invoice_id=1,
            lines=[{"description": "A", "vat_rate": "20", "net_cents": 100}],
        )  # fmt: skip
    assert not SupplierInvoice.objects.exists()


# --- totals for lists and the gross margin ----------------------------------------------


def test_totals_subtract_credit_notes_and_leave_other_currencies_out(personas):
    business = personas.entrepreneur.business
    manual_invoice(business, number="A", category=PurchaseCategory.GOODS_FOR_RESALE)
    manual_invoice(business, number="B", is_credit_note=True, category=PurchaseCategory.GOODS_FOR_RESALE,
                   lines=[{"description": "Retour", "quantity": 1, "unit_price": "10", "vat_rate": "20"}])  # fmt: skip
    manual_invoice(business, number="C", category=PurchaseCategory.SUBCONTRACTING,
                   lines=[{"description": "Sous-traitance", "quantity": 1, "unit_price": "100", "vat_rate": "20"}])  # fmt: skip
    SupplierInvoice.objects.filter(number="C").update(currency="CHF")
    totals = invoice_totals(SupplierInvoice.objects.all())
    assert totals == {
        "rows": 3, "other_currencies": 1, "total_excl_vat_cents": LINES_EXCL - 1000,
        "total_vat_cents": LINES_VAT - 200, "total_incl_vat_cents": LINES_INCL - 1200,
        "due_cents": LINES_INCL - 1200,
    }  # fmt: skip
    costs = purchase_costs_by_category(
        user=personas.entrepreneur.user,
        date_from=datetime.date(2026, 1, 1),
        date_to=datetime.date(2026, 12, 31),
    )
    assert costs == {"goods_for_resale": LINES_EXCL - 1000, "subcontracting": 0, "other": 0}
    assert purchase_costs_by_category(
        user=personas.other_entrepreneur.user,
        date_from=datetime.date(2026, 1, 1),
        date_to=datetime.date(2026, 12, 31),
    ) == {"goods_for_resale": 0, "subcontracting": 0, "other": 0}
