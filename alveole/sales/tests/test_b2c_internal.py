"""B2C documents priced incl. VAT, and internal sales without VAT: services, pages, PDF,
e-invoice and the buyer's mirrored purchase."""

from decimal import Decimal

import pytest
from django.urls import reverse

from alveole.einvoicing import reading
from alveole.sales import einvoice
from alveole.sales.models import INTERNAL_EXEMPTION, Invoice, LineType
from alveole.sales.pdf import invoice_html
from alveole.sales.services import (
    credit_note_create,
    default_prices_include_vat,
    internal_customer_for,
    invoice_create,
    invoice_issue,
    invoice_update,
    quote_accept,
    quote_create,
    quote_send,
    quote_to_invoice,
)

from .conftest import company, individual

pytestmark = pytest.mark.django_db

TTC_LINES = [
    {"line_type": "section", "description": "Cours"},
    # 2.5 × 3.99 = 9.975 → 9.98 TTC at 10 %
    {"description": "Paniers", "quantity": Decimal("2.5"), "unit_price_incl_vat": "3.99",
     "vat_rate": "10", "nature": "goods"},
    # 3 × 7.00 − 1.00 = 20.00 TTC at 20 %
    {"description": "Cours de cuisine", "quantity": 3, "unit_price_incl_vat": "7",
     "discount_cents": 100, "vat_rate": "20"},
    # 12.03 TTC at 20 %
    {"description": "Livret", "quantity": 1, "unit_price_incl_vat": "12.03", "vat_rate": "20"},
]  # fmt: skip
# 20 %: 20.00 + 12.03 = 32.03 TTC → 32.03 / 1.2 = 26.691666… → 26.69, VAT 5.34;
#   shares 16.666… (floor 16.66, .667) and 10.025 (floor 10.02, .5): 26.68 + 1 cent to the first.
# 10 %: 9.98 / 1.1 = 9.0727… → 9.07, VAT 0.91. Totals 35.76 HT, 6.25 VAT, 42.01 TTC.
TTC_EXCL, TTC_VAT, TTC_INCL = 3576, 625, 4201


def _ttc_invoice(business, customer=None):
    customer = customer or individual(business)
    return invoice_create(
        actor=None, business=business, customer=customer, lines=TTC_LINES, prices_include_vat=True
    )


def test_default_mode_follows_the_customer_kind(alice):
    assert default_prices_include_vat(individual(alice.business))
    assert not default_prices_include_vat(company(alice.business))


def test_ttc_invoice_totals_are_exact_per_rate(alice):
    invoice = _ttc_invoice(alice.business)
    assert invoice.prices_include_vat
    assert (invoice.total_excl_vat_cents, invoice.total_vat_cents, invoice.total_incl_vat_cents) == (
        TTC_EXCL, TTC_VAT, TTC_INCL,
    )  # fmt: skip
    items = [line for line in invoice.lines.all() if line.line_type == LineType.ITEM]
    assert [line.incl_vat_cents for line in items] == [998, 2000, 1203]
    assert [line.net_cents for line in items] == [907, 1667, 1002]
    assert [line.unit_price for line in items] == [
        Decimal("3.627273"), Decimal("5.833333"), Decimal("10.025000"),
    ]  # fmt: skip
    # Section titles keep no amount incl. VAT.
    assert invoice.lines.get(line_type=LineType.SECTION).incl_vat_cents is None


def test_ttc_issue_pdf_and_einvoice_carry_net_amounts(alice):
    invoice = invoice_issue(actor=None, invoice=_ttc_invoice(alice.business))
    html = invoice_html(invoice)
    assert "PU TTC" in html and "Montant TTC" in html and "PU HT" in html
    assert "42,01" in html and "35,76" in html and "5,34" in html and "0,91" in html
    document = einvoice.invoice_to_document(invoice)
    assert [line.net_amount for line in document.lines] == [907, 1667, 1002]
    assert sorted((b.rate, b.basis, b.amount) for b in document.vat_breakdown) == [
        (Decimal("10.00"), 907, 91), (Decimal("20.00"), 2669, 534),
    ]  # fmt: skip
    # The discount entered incl. VAT goes out as the allowance excl. VAT:
    # 3 × 5.833333 = 17.499999 → 17.50, net 16.67 → allowance 0.83.
    assert document.lines[1].allowances_charges[0].amount == 83
    assert document.lines[1].net_price == Decimal("5.833333")
    read = reading.read(einvoice.invoice_cii(invoice)).invoice
    assert (read.totals.tax_exclusive, read.totals.vat_total, read.totals.tax_inclusive) == (
        TTC_EXCL, TTC_VAT, TTC_INCL,
    )  # fmt: skip


def test_switching_a_draft_to_ttc_converts_its_lines(alice):
    customer = individual(alice.business)
    invoice = invoice_create(
        actor=None,
        business=alice.business,
        customer=customer,
        lines=[{"description": "Cours", "quantity": 1, "unit_price": "10", "vat_rate": "20"}],
    )
    assert invoice.total_incl_vat_cents == 1200 and not invoice.prices_include_vat
    invoice = invoice_update(actor=None, invoice=invoice, prices_include_vat=True)
    line = invoice.lines.get()
    assert line.unit_price_incl_vat == Decimal("12.000000")
    assert (invoice.total_excl_vat_cents, invoice.total_incl_vat_cents) == (1000, 1200)
    assert line.incl_vat_cents == 1200


def test_quote_deposit_final_and_credit_note_keep_prices_incl_vat(alice):
    customer = individual(alice.business)
    quote = quote_create(
        actor=None,
        business=alice.business,
        customer=customer,
        lines=TTC_LINES,
        prices_include_vat=True,
    )
    assert quote.total_incl_vat_cents == TTC_INCL
    quote = quote_accept(actor=None, quote=quote_send(actor=None, quote=quote, email=False))
    deposit = quote_to_invoice(actor=None, quote=quote, mode="deposit", percent=Decimal("30"))
    # 30 % of 32.03 = 9.609 → 9.61 TTC at 20 %; 30 % of 9.98 = 2.994 → 2.99 TTC at 10 %
    assert deposit.prices_include_vat
    assert deposit.total_incl_vat_cents == 961 + 299
    deposit = invoice_issue(actor=None, invoice=deposit)
    final = quote_to_invoice(actor=None, quote=quote, mode="final")
    assert final.prices_include_vat
    assert final.total_incl_vat_cents == TTC_INCL - 1260
    final = invoice_issue(actor=None, invoice=final)
    credit = credit_note_create(actor=None, invoice=final)
    assert credit.prices_include_vat
    assert credit.total_incl_vat_cents == final.total_incl_vat_cents


def test_ttc_form_reads_prices_incl_vat_and_preselects_for_an_individual(alice):
    customer = individual(alice.business)
    page = alice.client.get(reverse("sales:invoice_create") + f"?customer={customer.pk}")
    assert page.context["form"].initial["prices"] == "incl"
    response = alice.client.post(
        reverse("sales:invoice_create"),
        {
            "business": alice.business.pk, "customer": customer.pk, "title": "", "notes": "",
            "prices": "", "first_date": "", "second_date": "",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-0-line_type": "item", "lines-0-description": "Livret",
            "lines-0-quantity": "1", "lines-0-unit_price": "12,03", "lines-0-vat_rate": "20.00",
            "lines-0-nature": "service",
        },
    )  # fmt: skip
    assert response.status_code == 302
    invoice = Invoice.objects.get(customer=customer)
    assert invoice.prices_include_vat
    assert (invoice.total_excl_vat_cents, invoice.total_incl_vat_cents) == (1003, 1203)
    detail = alice.client.get(reverse("sales:invoice_detail", args=[invoice.pk]))
    assert "PU TTC" in detail.content.decode()


# --- internal sales ---------------------------------------------------------------------


def test_internal_invoice_has_no_vat_and_the_purchase_mirror_matches(personas):
    from alveole.purchases.models import SupplierInvoice

    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    invoice = invoice_create(
        actor=alice.user,
        business=alice.business,
        customer=customer,
        lines=[
            {"description": "Sous-traitance", "quantity": 2, "unit_price": "150", "vat_rate": "20"},
            {"description": "Fournitures", "quantity": 1, "unit_price": "40", "nature": "goods"},
        ],
    )
    assert (invoice.total_excl_vat_cents, invoice.total_vat_cents) == (34000, 0)
    assert {(line.vat_rate, line.vat_exemption_reason) for line in invoice.lines.all()} == {
        (Decimal("0.00"), str(INTERNAL_EXEMPTION))
    }
    invoice = invoice_issue(actor=alice.user, invoice=invoice)
    purchase = SupplierInvoice.objects.get(source_invoice_id=invoice.pk)
    assert (purchase.total_excl_vat_cents, purchase.total_vat_cents) == (34000, 0)
    assert purchase.total_incl_vat_cents == invoice.total_incl_vat_cents == 34000
    assert invoice_html(invoice).count(str(INTERNAL_EXEMPTION)) >= 1
    # A partial credit note asked at 20 % stays without VAT too.
    credit = credit_note_create(
        actor=alice.user,
        invoice=invoice,
        lines=[{"description": "Geste", "quantity": 1, "unit_price": "40", "vat_rate": "20"}],
    )
    assert (credit.total_vat_cents, credit.total_incl_vat_cents) == (0, 4000)
    credit = invoice_issue(actor=alice.user, invoice=credit)
    mirror = SupplierInvoice.objects.get(source_invoice_id=credit.pk)
    assert (mirror.total_vat_cents, mirror.total_excl_vat_cents) == (0, 4000)


def test_changing_a_draft_to_an_internal_customer_removes_its_vat(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    invoice = invoice_create(
        actor=None,
        business=alice.business,
        customer=company(alice.business),
        lines=[{"description": "Conseil", "quantity": 1, "unit_price": "100", "vat_rate": "20"}],
    )
    assert invoice.total_vat_cents == 2000
    internal = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    invoice = invoice_update(actor=None, invoice=invoice, customer=internal)
    assert (invoice.total_vat_cents, invoice.total_incl_vat_cents) == (0, 10000)
    assert invoice.buyer_business == bob.business


def test_internal_quote_has_no_vat_and_the_form_preselects_it(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    quote = quote_create(
        actor=None,
        business=alice.business,
        customer=customer,
        lines=[{"description": "Conseil", "quantity": 1, "unit_price": "100"}],
    )
    assert (quote.total_vat_cents, quote.total_incl_vat_cents) == (0, 10000)
    page = alice.client.get(reverse("sales:invoice_create") + f"?customer={customer.pk}")
    first = page.context["formset"].forms[0]
    assert first.initial["vat_rate"] == Decimal("0.00")
    assert first.initial["vat_exemption_reason"] == str(INTERNAL_EXEMPTION)
    assert page.context["form"].initial["prices"] == "excl"
    assert "pas de TVA" in page.content.decode()


def test_partial_credit_of_a_ttc_invoice_from_the_page_is_incl_vat(alice):
    invoice = invoice_issue(actor=None, invoice=_ttc_invoice(alice.business))
    response = alice.client.post(
        reverse("sales:invoice_action", args=[invoice.pk, "credit"]),
        {"mode": "partial", "description": "Livret abîmé", "amount": "12,03",
         "vat_rate": "20.00", "reason": "Geste"},
    )  # fmt: skip
    assert response.status_code == 302
    credit = Invoice.objects.get(credited_invoice=invoice)
    assert credit.prices_include_vat
    assert (credit.total_excl_vat_cents, credit.total_vat_cents, credit.total_incl_vat_cents) == (
        1003, 200, 1203,
    )  # fmt: skip
