"""An entrepreneur, on a phone, writes a quote, invoices it, issues it and records a payment."""

import io

import pytest
from pypdf import PdfReader

from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Sector
from alveole.sales.models import Invoice
from alveole.sales.services import customer_create
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def seed_sectors(transactional_db):
    """The seed sectors, again: a transactional test before this one may have flushed them."""
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_quote_to_paid_invoice_on_a_phone(seed_sectors, personas, live_server, phone, tmp_path):
    alice = personas.entrepreneur
    customer = customer_create(
        actor=None, business=alice.business, kind="company", name="Brasserie du Gers",
        siren="732829320", address="2 place de la Mairie", postal_code="32000", city="Auch",
        email="compta@brasserie.example",
    )  # fmt: skip
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("alice@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(
        f"{live_server.url}/sales/quotes/new/?business={alice.business.pk}&customer={customer.pk}"
    )
    page.locator('[name="title"]').fill("Ateliers d'écriture")
    page.locator('[name="lines-0-description"]').fill("Animation d'atelier")
    page.locator('[name="lines-0-quantity"]').fill("2,5")
    page.locator('[name="lines-0-unit"]').fill("h")
    page.locator('[name="lines-0-unit_price"]').fill("80")
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/sales/quotes/*/")
    assert page.get_by_text("240,00").first.is_visible()  # 200 HT + 40 VAT
    page.get_by_role("button", name="Envoyer le devis").click()
    page.get_by_role("button", name="Accepté").click()
    page.get_by_role("button", name="Créer la facture").click()
    page.wait_for_url("**/sales/invoices/*/")
    page.get_by_role("button", name="Émettre (numéro définitif)").click()
    page.get_by_role("button", name="Enregistrer le paiement").wait_for()
    invoice = Invoice.objects.get()
    assert invoice.number.startswith("ALICE-")
    assert page.get_by_role("heading", name=f"Facture {invoice.number}").is_visible()
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_text("Paiement enregistré.").wait_for()
    assert page.get_by_text("Payée", exact=True).first.is_visible()
    page.screenshot(path=str(tmp_path / "invoice-phone.png"), full_page=True)

    response = page.request.get(f"{live_server.url}/sales/invoices/{invoice.pk}/pdf/")
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    text = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    for expected in (
        f"Facture n° {invoice.number}",
        "Total HT 200,00 €",
        "Total TTC 240,00 €",
        "SIREN 912345675",
        "Indemnité forfaitaire pour frais de recouvrement",
        "Pénalités de retard",
    ):
        assert expected in text, expected
