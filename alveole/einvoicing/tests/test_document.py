"""The neutral model and the amounts computed from the lines."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from alveole.einvoicing import totals
from alveole.einvoicing.document import (
    BILLING_FRAMES,
    AllowanceCharge,
    Invoice,
    Line,
    TypeCode,
    VatBreakdown,
    business_terms,
)
from alveole.einvoicing.tests import builders


def test_every_field_names_its_business_term():
    terms = business_terms(Invoice)
    assert terms["number"] == "BT-1"
    assert terms["vat_point_date_code"] == "BT-8"
    assert terms["business_process"] == "BT-23"
    assert terms["preceding_invoices"] == "BG-3"
    assert set(business_terms(Line).values()) >= {"BT-126", "BT-129", "BT-131", "BT-146", "BT-152"}
    assert len(BILLING_FRAMES) == 20


def test_complete_computes_lines_breakdown_and_totals_with_half_up_rounding():
    invoice = builders.invoice()

    assert [line.net_amount for line in invoice.lines] == [135000, 23500]
    assert invoice.vat_breakdown == [
        VatBreakdown(basis=135000, amount=27000, category="S", rate=Decimal("20")),
        # 235.00 × 5.5 % = 12.925 → 12.93 (half-up)
        VatBreakdown(basis=23500, amount=1293, category="S", rate=Decimal("5.5")),
    ]
    assert invoice.totals.line_total == 158500
    assert invoice.totals.tax_exclusive == 158500
    assert invoice.totals.vat_total == 28293
    assert invoice.totals.tax_inclusive == 186793
    assert invoice.totals.due == 186793
    assert invoice.vat_on_debits
    assert not invoice.is_credit_note


def test_complete_applies_document_allowances_prepaid_and_keeps_exemption_reasons():
    invoice = builders.invoice_with_exemption_and_allowance()

    standard, exempt = invoice.vat_breakdown
    assert (standard.basis, standard.amount) == (125000, 25000)  # 1350 − 100 discount, 20 %
    assert (exempt.basis, exempt.amount, exempt.category) == (42000, 0, "E")
    assert exempt.exemption_reason == "Exonération de TVA, art. 261-4-4° a du CGI"
    assert exempt.exemption_reason_code == "VATEX-FR-CGI261-4"
    assert invoice.totals.allowance_total == 10000
    assert invoice.totals.tax_exclusive == 167000
    assert invoice.totals.tax_inclusive == 192000
    assert invoice.totals.prepaid == 30000
    assert invoice.totals.due == 162000


def test_rates_written_differently_are_one_breakdown():
    draft = Invoice(
        lines=[
            Line(
                id="1",
                quantity=Decimal(1),
                net_price=Decimal(10),
                vat_category="S",
                vat_rate=Decimal("20"),
            ),
            Line(
                id="2",
                quantity=Decimal(1),
                net_price=Decimal(5),
                vat_category="S",
                vat_rate=Decimal("20.00"),
            ),
        ]
    )
    assert [(b.basis, b.amount) for b in totals.complete(draft).vat_breakdown] == [(1500, 300)]


def test_line_net_amount_uses_base_quantity_and_line_allowances():
    line = Line(
        quantity=Decimal("250"),
        net_price=Decimal("7.50"),
        price_base_quantity=Decimal("10"),
        allowances_charges=[
            AllowanceCharge(amount=500),
            AllowanceCharge(is_charge=True, amount=120),
        ],
    )
    assert totals.line_net_amount(line) == 18750 - 500 + 120


def test_discrepancies_empty_for_a_consistent_invoice():
    assert totals.discrepancies(builders.invoice()) == []
    assert totals.discrepancies(builders.credit_note()) == []


def test_discrepancies_name_each_inconsistent_amount():
    invoice = builders.invoice()
    broken = dataclasses.replace(
        invoice,
        lines=[dataclasses.replace(invoice.lines[0], net_amount=135001), invoice.lines[1]],
        totals=dataclasses.replace(invoice.totals, tax_inclusive=186800),
    )

    found = totals.discrepancies(broken)

    assert [(d.term, d.declared, d.computed) for d in found] == [
        ("BT-131 ligne 1", 135001, 135000),
        ("BT-106", 158500, 158501),
        ("BT-109", 158500, 158501),
        ("BT-112", 186800, 186793),
        ("BT-115", 186793, 186800),
    ]
    assert found[3].message == (
        "BT-112 : montant déclaré 1\u202f868,00\u202f€, montant recalculé 1\u202f867,93\u202f€ "
        "(écart 0,07\u202f€)"
    )


def test_type_codes_and_credit_notes():
    assert TypeCode.DEPOSIT == "386"
    assert builders.credit_note().is_credit_note
    assert builders.credit_note().preceding_invoices[0].number == "F-ALICE-2026-0042"
