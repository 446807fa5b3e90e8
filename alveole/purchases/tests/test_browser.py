"""On a phone: an entrepreneur receives a supplier's e-invoice, then fills in an expense report
with a receipt photo and a trip and submits it; staff validate it."""

from __future__ import annotations

import pytest

from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Sector
from alveole.purchases.models import ExpenseReport, MileageScale, SupplierInvoice
from tests.factories import PASSWORD

from .conftest import cii_bytes, jpeg_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def reseeded(transactional_db):
    """Seed data a flushing test before this one may have removed: sectors, the 2025 scale."""
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not MileageScale.objects.filter(year=2025).exists():
        from importlib import import_module

        from django.apps import apps

        import_module("alveole.purchases.migrations.0002_mileage_scale_2025").load(apps, None)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")


def test_receive_and_expense_report_on_a_phone(reseeded, personas, live_server, phone, tmp_path):
    page = phone
    url = live_server.url
    _login(page, url, "alice@example.org")
    invoice_file, photo = tmp_path / "facture.xml", tmp_path / "ticket.jpg"
    invoice_file.write_bytes(cii_bytes())
    photo.write_bytes(jpeg_bytes())

    page.goto(f"{url}/purchases/invoices/receive/")
    assert no_horizontal_overflow(page)
    page.locator('input[name="files"]').set_input_files(str(invoice_file))
    assert page.get_by_text("facture.xml").is_visible()  # the drop zone names the chosen file
    page.get_by_role("button", name="Recevoir").click()
    page.wait_for_url("**/purchases/invoices/*/")
    assert page.get_by_role("heading", name="Facture FA-2026-0042").is_visible()
    assert page.get_by_text("Contrôle de conformité du").is_visible()
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(tmp_path / "invoice-phone.png"), full_page=True)
    assert SupplierInvoice.objects.get().business == personas.entrepreneur.business

    page.goto(f"{url}/purchases/expenses/new/")
    page.locator('[name="month"]').fill("2026-03")
    page.get_by_role("button", name="Ouvrir la note").click()
    page.wait_for_url("**/purchases/expenses/*/")
    receipt = page.locator('input[name="receipt"]')
    assert receipt.get_attribute("capture") == "environment"
    assert receipt.get_attribute("accept") == "image/*,application/pdf"
    page.locator('[name="date"]').first.fill("2026-03-10")
    page.locator('[name="category"]').select_option("meals")
    page.locator('[name="description"]').first.fill("Déjeuner client")
    page.locator('[name="amount"]').fill("27,50")
    page.locator('[name="vat"]').fill("2,50")
    receipt.set_input_files(str(photo))
    page.get_by_role("button", name="Ajouter la dépense").click()
    page.get_by_text("Dépense ajoutée.").wait_for()
    page.locator('form[action$="/trips/"] [name="date"]').fill("2026-03-11")
    page.locator('form[action$="/trips/"] [name="description"]').fill("Auch → Tarbes")
    page.locator('[name="distance_km"]').fill("150")
    page.locator('[name="horsepower"]').fill("4")
    page.get_by_role("button", name="Ajouter le trajet").click()
    page.get_by_text("Trajet ajouté.").wait_for()
    assert page.get_by_text("90,90").first.is_visible()  # 150 × 0,606
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(tmp_path / "report-phone.png"), full_page=True)
    page.get_by_role("button", name="Soumettre à l'équipe d'appui").click()
    page.get_by_text("Note de dépenses soumise").wait_for()
    report = ExpenseReport.objects.get()
    assert (report.status, report.total_cents) == ("submitted", 2750 + 9090)

    page.context.clear_cookies()
    _login(page, url, "staff@example.org")
    page.goto(f"{url}/purchases/expenses/{report.pk}/")
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("Note de dépenses validée.").wait_for()
    report.refresh_from_db()
    assert report.status == "validated"
