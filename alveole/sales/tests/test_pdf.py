"""The PDF carries the number, the totals and every mandatory mention."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from alveole.core.dates import today
from alveole.people.services import cape_start
from alveole.sales.pdf import invoice_pdf, quote_pdf
from alveole.sales.services import quote_create
from tests.factories import make_business, make_person

from .conftest import TRAINING, company, draft, individual, issued

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4 in points
    text = "\n".join(p.extract_text() for p in reader.pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_invoice_pdf_has_number_totals_and_mentions(alice):
    invoice = issued(alice.business)
    text = pdf_text(invoice_pdf(invoice))
    due = invoice.due_date.strftime("%d/%m/%Y")
    for expected in [
        f"Facture n° {invoice.number}",
        "Atelier Alice",
        "activité de Coopérative Test",
        "SCOP SA à capital variable, au capital de 10 000,00 €",
        "1 rue de la Coopération, 32000 Auch",
        "SIREN 912345675 — SIRET 91234567500009 — RCS Auch 912345675",
        "TVA intracommunautaire FR65912345675",
        "Brasserie du Gers",
        "SIREN 732829320",
        f"Date d'émission : {invoice.issue_date:%d/%m/%Y}",
        f"Échéance : {due}",
        "Catégorie d'opération : Opération mixte",
        "Total HT 236,04 €",
        "TVA 20 % sur 200,00 € 40,00 €",
        "TVA 5,5 % sur 36,04 € 1,98 €",
        "Total TTC 278,02 €",
        "Pénalités de retard : Taux d'intérêt de la BCE majoré de 10 points",
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 €",
        "Pas d'escompte pour paiement anticipé",
        "Animation d'atelier",
        "2,5 h 80,00 €",
    ]:
        assert expected in text, expected
    assert "BROUILLON" not in text
    assert "CAPE" not in text  # Alice is on a CESA


def test_individual_customer_gets_no_40_euro_indemnity_and_exemption_is_printed(alice):
    customer = individual(alice.business)
    invoice = issued(alice.business, customer, lines=[
        {"description": "Formation bureautique", "quantity": 7, "unit": "h",
         "unit_price": Decimal("45"), "vat_rate": 0, "vat_exemption_reason": TRAINING},
    ])  # fmt: skip
    text = pdf_text(invoice_pdf(invoice))
    assert "40 €" not in text
    assert TRAINING in text
    assert "Déclaration d'activité de formation enregistrée sous le n° 76320000032" in text
    assert "Total TTC 315,00 €" in text


def test_draft_is_marked_and_has_no_number(alice):
    text = pdf_text(invoice_pdf(draft(alice.business)))
    assert "BROUILLON" in text
    assert "Facture n°" not in text


def test_cape_mention_when_the_main_entrepreneur_is_under_cape(cooperative):
    person = make_person(first_name="Chloé", last_name="Petit")
    start = today() - datetime.timedelta(days=30)
    end = today() + datetime.timedelta(days=200)
    cape_start(actor=None, person=person, start_date=start, planned_end_date=end)
    business = make_business(person, name="Chloé Design", code="CHLOE")
    invoice = issued(business)
    assert invoice.snapshot["seller"]["cape"]["end_date"] == end.isoformat()
    text = pdf_text(invoice_pdf(invoice))
    assert (
        "Chloé Petit exerce son activité dans le cadre d'un contrat d'appui au projet "
        "d'entreprise (CAPE) conclu avec Coopérative Test (art. L127-1 et suivants du Code "
        f"de commerce), jusqu'au {end:%d/%m/%Y}."
    ) in text
    quote = quote_create(actor=None, business=business, customer=company(business),
                         lines=[{"description": "Logo", "unit_price": 300}])  # fmt: skip
    assert "contrat d'appui au projet d'entreprise (CAPE)" in pdf_text(quote_pdf(quote))


def test_credit_note_pdf_references_the_invoice(alice):
    from alveole.sales.services import credit_note_create, invoice_issue

    invoice = issued(alice.business)
    credit = invoice_issue(actor=None, invoice=credit_note_create(actor=None, invoice=invoice))
    text = pdf_text(invoice_pdf(credit))
    assert f"Avoir n° {credit.number}" in text
    assert f"Avoir sur la facture n° {invoice.number} du {invoice.issue_date:%d/%m/%Y}" in text
    assert "Total TTC de l'avoir 278,02 €" in text
