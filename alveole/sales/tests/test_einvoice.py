"""Electronic invoices of issued sales documents: mapping, validation, round trip, downloads."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from alveole.einvoicing import reading, validation
from alveole.einvoicing.validation import Step
from alveole.sales import einvoice
from alveole.sales.models import Customer, Invoice
from alveole.sales.services import (
    credit_note_create,
    customer_create,
    invoice_create,
    invoice_issue,
    quote_accept,
    quote_create,
    quote_send,
    quote_to_invoice,
)

from .conftest import TRAINING, company, draft, individual, issued

pytestmark = pytest.mark.django_db

REVERSE_CHARGE = "Autoliquidation, art. 283-2 du CGI"
INTRA_COMMUNITY = "Exonération de TVA, art. 262 ter I du CGI (livraison intracommunautaire)"
MIXED = [
    {"line_type": "section", "description": "Prestations"},
    {"description": "Conseil\nDiagnostic et restitution", "quantity": Decimal("1.75"),
     "unit": "j", "unit_price": Decimal("480"), "discount_cents": 2500, "vat_rate": "20"},
    {"description": "Repas d'atelier", "quantity": 12, "unit_price": Decimal("14.545"),
     "vat_rate": "10", "nature": "goods"},
    {"description": "Livret", "quantity": Decimal("3.5"), "unit": "kg",
     "unit_price": Decimal("9.99"), "vat_rate": "5.5", "nature": "goods"},
    {"description": "Formation", "quantity": 7, "unit": "h", "unit_price": Decimal("60"),
     "vat_rate": "0", "vat_exemption_reason": TRAINING},
]  # fmt: skip


@pytest.fixture(scope="session")
def artefacts():
    """The official artefacts, every stylesheet compiled once for the session; skip without."""
    found = validation.default_artefacts()
    if not found.en16931_cii.is_file():
        pytest.skip(
            f"artefacts officiels de facturation électronique absents ({found.root}) : "
            f"installer /work/shared/einvoice ou définir {validation.SETTING}"
        )
    validation.warm_up(found)
    return found


def _foreign(business) -> Customer:
    return customer_create(
        actor=None, business=business, kind=Customer.Kind.COMPANY, name="Brouwerij Gent",
        vat_number="BE0477472701", address="Korenmarkt 1", postal_code="9000", city="Gent",
        country="BE", email="boekhouding@brouwerij.example",
    )  # fmt: skip


def _public(business) -> Customer:
    return customer_create(
        actor=None, business=business, kind=Customer.Kind.PUBLIC_BODY,
        name="Mairie de Condom", siren="130005481", address="Place Bossuet",
        postal_code="32100", city="Condom", email="mairie@condom.example",
    )  # fmt: skip


def _varied(business) -> dict[str, Invoice]:
    """Issued documents through the services, covering the cases the e-invoice must carry."""
    b2b = company(business, vat_number="FR44732829320")
    documents = {
        "b2b_mixed": issued(business, b2b, MIXED),
        "b2c": issued(business, individual(business), MIXED[1:3]),
        "foreign_reverse_charge": issued(
            business,
            _foreign(business),
            [
                {
                    "description": "Conseil",
                    "quantity": 2,
                    "unit_price": "500",
                    "vat_rate": "0",
                    "vat_exemption_reason": REVERSE_CHARGE,
                }
            ],
        ),
        "foreign_intra_community_goods": issued(
            business,
            _foreign(business),
            [
                {
                    "description": "Affiches",
                    "quantity": 40,
                    "unit_price": "3.5",
                    "vat_rate": "0",
                    "vat_exemption_reason": INTRA_COMMUNITY,
                    "nature": "goods",
                }
            ],
        ),
        "public_body": issued(business, _public(business), MIXED[1:2]),
        # B2C priced incl. VAT: 12.03 TTC at 20 % (a half-cent base), a TTC discount, 10 %.
        "b2c_incl_vat": invoice_issue(
            actor=None,
            invoice=invoice_create(
                actor=None,
                business=business,
                customer=individual(business, name="Dominique Petit"),
                prices_include_vat=True,
                lines=[
                    {"description": "Livret", "unit_price_incl_vat": "12.03", "vat_rate": "20"},
                    {
                        "description": "Cours",
                        "quantity": 3,
                        "unit_price_incl_vat": "7",
                        "discount_cents": 100,
                        "vat_rate": "20",
                    },
                    {
                        "description": "Paniers",
                        "quantity": Decimal("2.5"),
                        "unit_price_incl_vat": "3.99",
                        "vat_rate": "10",
                        "nature": "goods",
                    },
                ],
            ),
        ),
    }
    quote = quote_create(actor=None, business=business, customer=b2b, lines=MIXED, title="Cycle")
    quote = quote_accept(actor=None, quote=quote_send(actor=None, quote=quote, email=False))
    deposit = quote_to_invoice(actor=None, quote=quote, mode="deposit", percent=Decimal("30"))
    documents["deposit"] = invoice_issue(actor=None, invoice=deposit)
    final = quote_to_invoice(actor=None, quote=quote, mode="final")
    documents["final"] = invoice_issue(actor=None, invoice=final)
    documents["credit_note"] = invoice_issue(
        actor=None,
        invoice=credit_note_create(
            actor=None, invoice=documents["b2b_mixed"], lines=MIXED[1:2], reason="Geste"
        ),
    )
    return documents


CASES = ["b2b_mixed", "b2c", "foreign_reverse_charge", "foreign_intra_community_goods",
         "public_body", "deposit", "final", "credit_note", "b2c_incl_vat"]  # fmt: skip


def _fatal(result) -> list[str]:
    return [f"{f.step} {f.rule_id} {f.message}" for f in result.fatal]


@pytest.mark.parametrize("case", CASES)
def test_cii_ubl_and_facturx_pass_every_step(artefacts, alice, case):
    invoice = _varied(alice.business)[case]
    cii_xml = einvoice.invoice_cii(invoice)
    ubl_xml = einvoice.invoice_ubl(invoice)
    facturx = einvoice.invoice_facturx(invoice)

    for data, steps in (
        (cii_xml, [Step.XSD, Step.EN16931, Step.FACTURX, Step.BR_FR]),
        (facturx, [Step.XSD, Step.EN16931, Step.FACTURX, Step.BR_FR]),
        (ubl_xml, [Step.XSD, Step.EN16931, Step.BR_FR]),
    ):
        result = validation.validate(data, artefacts=artefacts)
        assert result.steps_run == steps
        assert result.not_run == []
        assert _fatal(result) == []


@pytest.mark.parametrize("case", CASES)
def test_round_trip_gives_the_same_totals_number_and_parties(alice, case):
    invoice = _varied(alice.business)[case]
    for data in (einvoice.invoice_cii(invoice), einvoice.invoice_ubl(invoice)):
        read = reading.read(data).invoice
        assert read.number == invoice.number
        assert read.type_code == invoice.type_code
        assert read.issue_date == invoice.issue_date
        assert read.totals.tax_exclusive == invoice.total_excl_vat_cents
        assert read.totals.vat_total == invoice.total_vat_cents
        assert read.totals.tax_inclusive == invoice.total_incl_vat_cents
        assert read.totals.due == invoice.total_incl_vat_cents
        assert read.seller.legal_id.value == invoice.snapshot["seller"]["siren"]
        assert read.seller.trading_name == alice.business.name
        assert read.buyer.name == invoice.customer.name
        assert sum(b.amount for b in read.vat_breakdown) == invoice.total_vat_cents


def test_mapping_details(alice, cooperative):
    documents = _varied(alice.business)
    mixed = einvoice.invoice_to_document(documents["b2b_mixed"])
    assert mixed.business_process == "M1"
    assert [(b.category, b.rate) for b in mixed.vat_breakdown] == [
        ("S", Decimal("20.00")), ("S", Decimal("10.00")), ("S", Decimal("5.50")),
        ("E", Decimal("0.00")),
    ]  # fmt: skip
    exempt = mixed.vat_breakdown[-1]
    assert exempt.exemption_reason == TRAINING
    assert exempt.exemption_reason_code == "VATEX-FR-CGI261-4"
    assert [n.subject_code for n in mixed.notes].count("PMD") == 1
    assert [n.subject_code for n in mixed.notes].count("PMT") == 1
    assert [n.subject_code for n in mixed.notes].count("AAB") == 1
    assert mixed.seller.legal_id.scheme == "0002"
    assert mixed.seller.electronic_address.scheme == "0225"
    assert mixed.buyer.electronic_address.value == "732829320"
    assert mixed.lines[0].allowances_charges[0].amount == 2500
    assert mixed.payment.means_code == "1"
    assert mixed.due_date == documents["b2b_mixed"].due_date
    credit = einvoice.invoice_to_document(documents["credit_note"])
    assert credit.type_code == "381"
    assert credit.preceding_invoices[0].number == documents["b2b_mixed"].number
    assert einvoice.invoice_to_document(documents["deposit"]).type_code == "386"
    final = einvoice.invoice_to_document(documents["final"])
    assert final.business_process == "M4"
    assert any(line.net_amount < 0 for line in final.lines)
    foreign = einvoice.invoice_to_document(documents["foreign_reverse_charge"])
    assert foreign.vat_breakdown[0].category == "AE"
    assert foreign.buyer.vat_id == "BE0477472701"
    goods = einvoice.invoice_to_document(documents["foreign_intra_community_goods"])
    assert goods.vat_breakdown[0].category == "K"
    assert goods.vat_breakdown[0].exemption_reason_code == "VATEX-EU-IC"
    assert goods.business_process == "B1"
    assert goods.delivery.address.country == "BE"


def test_vat_on_debits_sets_bt8(alice, cooperative):
    cooperative.vat_on_debits = True
    cooperative.save()
    document = einvoice.invoice_to_document(issued(alice.business))
    assert document.vat_point_date_code == "3"


def test_a_draft_cannot_be_exported(alice):
    invoice = draft(alice.business)
    with pytest.raises(einvoice.NotIssued, match="Seule une facture émise"):
        einvoice.invoice_to_document(invoice)
    with pytest.raises(CommandError, match="Seule une facture émise"):
        call_command("einvoice", "export", str(invoice.pk), "--format", "cii", "-o", "/dev/null")


def test_export_command_writes_each_format(alice, tmp_path):
    invoice = issued(alice.business)
    for fmt, start in (("cii", b"<?xml"), ("ubl", b"<?xml"), ("facturx", b"%PDF")):
        out = tmp_path / f"out.{fmt}"
        call_command(
            "einvoice", "export", invoice.number, "--format", fmt, "-o", str(out), stdout=StringIO()
        )
        assert out.read_bytes().startswith(start)
    with pytest.raises(CommandError, match="Aucune facture"):
        call_command("einvoice", "export", "NOPE-1", "--format", "cii", "-o", str(out))


# --- downloads ---------------------------------------------------------------------------

VISIBLE = {"entrepreneur", "staff", "accountant", "director"}


@pytest.mark.parametrize("fmt", einvoice.FORMATS)
def test_page_downloads_are_scoped_like_the_pdf(personas, fmt):
    invoice = issued(personas.entrepreneur.business)
    url = reverse("sales:invoice_einvoice", args=[invoice.pk, fmt])
    for persona in personas.all():
        response = persona.client.get(url)
        if persona.name == "anonymous":
            assert response.status_code == 302
        elif persona.name in VISIBLE:
            assert response.status_code == 200, persona.name
            assert response["Content-Type"] == einvoice.CONTENT_TYPES[fmt]
            assert invoice.number in response["Content-Disposition"]
        else:
            assert response.status_code == 404


def test_detail_page_links_the_downloads_only_when_issued(personas):
    client = personas.entrepreneur.client
    invoice = issued(personas.entrepreneur.business)
    page = client.get(reverse("sales:invoice_detail", args=[invoice.pk])).content.decode()
    for fmt in einvoice.FORMATS:
        assert reverse("sales:invoice_einvoice", args=[invoice.pk, fmt]) in page
    pending = draft(personas.entrepreneur.business)
    page = client.get(reverse("sales:invoice_detail", args=[pending.pk])).content.decode()
    assert reverse("sales:invoice_einvoice", args=[pending.pk, "cii"]) not in page
    response = client.get(reverse("sales:invoice_einvoice", args=[pending.pk, "cii"]))
    assert response.status_code == 404


def test_unknown_format_is_404(personas):
    invoice = issued(personas.entrepreneur.business)
    client = personas.entrepreneur.client
    assert client.get(f"/sales/invoices/{invoice.pk}/einvoice/pdf/").status_code == 404


@pytest.mark.urls("alveole.sales.tests.api_urls")
@pytest.mark.parametrize("fmt", einvoice.FORMATS)
def test_api_downloads_are_scoped(personas, fmt):
    from tests.api_client import PersonaApi

    from .test_api import BASE

    api = PersonaApi(personas, BASE)
    invoice = issued(personas.entrepreneur.business)
    for persona in personas.all():
        response = api(persona.name, "get", f"/invoices/{invoice.pk}/einvoice/{fmt}")
        if persona.name == "anonymous":
            assert response.status_code == 401
        elif persona.name in VISIBLE:
            assert response.status_code == 200, persona.name
            assert response["Content-Type"] == einvoice.CONTENT_TYPES[fmt]
        else:
            assert response.status_code == 404
    pending = draft(personas.entrepreneur.business)
    response = api("entrepreneur", "get", f"/invoices/{pending.pk}/einvoice/{fmt}")
    assert response.status_code == 400
    assert "Seule une facture émise" in response.json()["error"]["message"]
