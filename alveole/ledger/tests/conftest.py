"""Fixtures of the ledger tests: the support structure and events posted as the other apps'
services will post them (a posting function, then `entry_post`)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Sum

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.ledger import posting
from alveole.ledger.models import Entry, Line
from alveole.ledger.posting import DocumentRef, Party, PaymentShares, SaleAmounts
from alveole.ledger.services import entry_post

D = datetime.date
CUSTOMER = Party("C1", "Brasserie du Gers")
SUPPLIER = Party("F1", "Imprimerie Gasconne")


@pytest.fixture
def support(cooperative) -> Business:
    return business_create(
        actor=None,
        name="Structure d'accompagnement",
        code="CAE",
        kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=D(2020, 1, 1),
    )


def post(draft):
    return entry_post(actor=None, draft=draft)


def invoice(
    business, number, day, *, services=0, services_vat=0, goods=0, goods_vat=0, on_debits=False
):
    return post(
        posting.invoice_issued(
            document=DocumentRef("invoice", number, day, number),
            business_id=business.pk,
            customer=CUSTOMER,
            amounts=SaleAmounts(goods, services, goods_vat, services_vat),
            vat_on_debits=on_debits,
        )
    )


def payment(business, invoice_number, day, amount, *, excl_vat, pending_vat=0):
    return post(
        posting.payment_received(
            document=DocumentRef("payment", f"P-{invoice_number}-{amount}", day),
            business_id=business.pk,
            customer=CUSTOMER,
            amount_cents=amount,
            settles=invoice_number,
            shares=PaymentShares(excl_vat, pending_vat),
        )
    )


def bill(business, number, day, excl_vat, vat, category="other"):
    return post(
        posting.supplier_invoice_validated(
            document=DocumentRef("supplier_invoice", number, day),
            business_id=business.pk,
            supplier=SUPPLIER,
            category=category,
            excl_vat_cents=excl_vat,
            deductible_vat_cents=vat,
        )
    )


def bill_paid(business, number, day, amount):
    return post(
        posting.supplier_invoice_paid(
            document=DocumentRef("supplier_payment", f"P-{number}", day),
            business_id=business.pk,
            supplier=SUPPLIER,
            amount_cents=amount,
            settles=number,
        )
    )


def salary(business, month_end, gross, employer, reduction, employee, person="Alice Martin"):
    return post(
        posting.payroll_month(
            document=DocumentRef(
                "payroll",
                f"{month_end:%Y-%m}-{business.code}",
                month_end,
                f"{month_end:%Y-%m}-{business.code}",
            ),
            person=Party(business.code, person),
            gross_cents=gross,
            employee_contributions_cents=employee,
            employer_contributions_cents=employer,
            reduction_cents=reduction,
            net_cents=gross - employee,
            charges=[(business.pk, gross + employer - reduction)],
        )
    )


def contribution(business, support, day, amount):
    return post(
        posting.contribution(
            document=DocumentRef(
                "contribution", f"C-{business.code}-{day:%Y-%m}", day, f"{day:%Y-%m}:{business.pk}"
            ),
            business_id=business.pk,
            business_code=business.code,
            support_business_id=support.pk,
            amount_cents=amount,
            period_label=f"{day:%m/%Y}",
        )
    )


def ledger_totals() -> tuple[int, int]:
    """Debit and credit of the whole ledger: they are always equal."""
    totals = Line.objects.aggregate(
        debit=Sum("debit_cents", default=0), credit=Sum("credit_cents", default=0)
    )
    return totals["debit"], totals["credit"]


def assert_balanced() -> None:
    debit, credit = ledger_totals()
    assert debit == credit
    for entry in Entry.objects.all():
        lines = entry.lines.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        assert lines["debit"] == lines["credit"] == entry.debit_cents == entry.credit_cents
