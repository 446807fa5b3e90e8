"""On a phone: an entrepreneur under CAPE (Chloé) drafts a quote, sends it, records its acceptance,
turns it into an invoice, issues it and records the payment; the invoice's PDF is rendered
to PNG (A4, not blank) and its text carries the number, the totals and the legal mentions."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from alveole.core.dates import today
from alveole.core.formatting import format_cents
from alveole.people.services import cape_start
from alveole.sales.models import Invoice, InvoiceStatus, Quote
from tests.factories import PASSWORD, Role, make_business, make_person, make_user

from .conftest import LINES_EXCL, LINES_INCL, company, draft, issued

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: A4 at 100 dpi: 8.27 × 11.69 inches.
A4_100_DPI = (827, 1169)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")


def render_png(pdf: Path) -> Path:
    """The first page at 100 dpi: `pdftoppm -png -r 100` (poppler-utils), else pypdfium2."""
    target = pdf.with_suffix(".png")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        stem = pdf.with_name(pdf.stem + "-page")
        subprocess.run(  # noqa: S603  (our own file, a fixed command)
            [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", pdf, stem],
            check=True,
        )
        stem.with_suffix(".png").rename(target)
    else:
        pdfium = pytest.importorskip(
            "pypdfium2", reason="ni pdftoppm (poppler-utils) ni pypdfium2 pour rendre le PDF"
        )
        pdfium.PdfDocument(pdf.read_bytes())[0].render(scale=100 / 72).to_pil().save(target)
    return target


def pdf_text(pdf: Path) -> str:
    """The PDF's text, spaces normalised: `pdftotext` (poppler-utils), else pypdf."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        raw = subprocess.run(  # noqa: S603  (our own file, a fixed command)
            [pdftotext, "-enc", "UTF-8", pdf, "-"], check=True, capture_output=True
        ).stdout.decode()
    else:
        from pypdf import PdfReader

        raw = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    return " ".join(raw.replace("\u202f", " ").replace("\xa0", " ").split())


def test_quote_to_paid_invoice_on_a_phone_and_its_pdf(cooperative, live_server, phone, tmp_path):
    from PIL import Image

    chloe = make_person(first_name="Chloé", last_name="Petit")
    end = today() + datetime.timedelta(days=200)
    cape_start(
        actor=None, person=chloe, start_date=today() - datetime.timedelta(days=30),
        planned_end_date=end,
    )  # fmt: skip
    make_user(Role.ENTREPRENEUR, person=chloe, email="chloe@example.org")
    business = make_business(chloe, name="Chloé Design", code="CHLOE")
    customer = company(business)
    page, url = phone, live_server.url
    _login(page, url, "chloe@example.org")

    # A quote with two lines at two rates, decimals and a discount (the LINES of conftest).
    page.goto(f"{url}/sales/quotes/new/?business={business.pk}&customer={customer.pk}")
    assert no_horizontal_overflow(page)
    page.locator('[name="title"]').fill("Ateliers de printemps")
    page.locator('[name="lines-0-description"]').fill("Animation d'atelier")
    page.locator('[name="lines-0-quantity"]').fill("2,5")
    page.locator('[name="lines-0-unit"]').fill("h")
    page.locator('[name="lines-0-unit_price"]').fill("80")
    page.locator('[name="lines-1-description"]').fill("Support imprimé")
    page.locator('[name="lines-1-quantity"]').fill("3")
    page.locator('[name="lines-1-unit_price"]').fill("12,345")
    page.locator('[name="lines-1-discount"]').fill("1")
    page.locator('[name="lines-1-vat_rate"]').select_option("5.50")
    page.locator('[name="lines-1-nature"]').select_option("goods")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/sales/quotes/*/")
    quote = Quote.objects.get()
    assert quote.total_incl_vat_cents == LINES_INCL
    assert no_horizontal_overflow(page)

    page.get_by_label("par e-mail").uncheck()
    page.get_by_role("button", name="Envoyer le devis").click()
    page.get_by_text("Devis envoyé.").wait_for()
    page.get_by_role("button", name="Accepté").click()
    page.get_by_role("button", name="Créer la facture").wait_for()
    page.get_by_role("button", name="Créer la facture").click()
    page.wait_for_url("**/sales/invoices/*/")
    page.get_by_role("button", name="Émettre (numéro définitif)").click()
    page.get_by_role("button", name="Enregistrer le paiement").wait_for()
    invoice = Invoice.objects.get()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number
    assert page.get_by_role("heading", name=f"Facture {invoice.number}").is_visible()
    page.locator('[name="method"]').select_option("transfer")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_text("Paiement enregistré.").wait_for()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, LINES_INCL)
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(tmp_path / "invoice-phone.png"), full_page=True)

    # The PDF as the entrepreneur downloads it, with the page's session.
    response = page.request.get(f"{url}/sales/invoices/{invoice.pk}/pdf/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"{invoice.number.replace('/', '-')}.pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF")

    png = render_png(pdf)
    assert png.read_bytes().startswith(b"\x89PNG")
    with Image.open(png) as image:
        width, height = image.size
        assert abs(width - A4_100_DPI[0]) <= 2 and abs(height - A4_100_DPI[1]) <= 2
        grey = image.convert("L")
        assert grey.getextrema()[0] < 64  # there is ink
        inked = sum(grey.histogram()[:128])  # pixels darker than mid-grey
        assert inked > width * height // 200  # text, tables, not a stray dot

    text = pdf_text(pdf)
    assert f"Facture n° {invoice.number}" in text
    for total in (LINES_EXCL, LINES_INCL):
        assert format_cents(total).replace("\u202f", " ").replace("\xa0", " ") in text
    assert re.search(r"[Pp]énalités de retard", text)
    assert "40 €" in text and "recouvrement" in text
    assert "contrat d'appui au projet d'entreprise (CAPE)" in text
    assert f"jusqu'au {end:%d/%m/%Y}" in text
    assert "Ateliers de printemps" in text


def test_the_cooperative_wide_list_receives_its_totals_after_the_rows(
    cooperative, live_server, phone
):
    """Staff's list of every invoice shows its rows, then the totals row arrives (htmx)."""
    person = make_person(first_name="Denis", last_name="Roux")
    business = make_business(person, name="Roux Menuiserie", code="ROUX")
    for _ in range(2):
        invoice = Invoice.objects.get(pk=issued(business, company(business)).pk)
    make_user(Role.STAFF, email="staff-liste@example.org")
    page, url = phone, live_server.url
    _login(page, url, "staff-liste@example.org")
    page.goto(f"{url}/sales/invoices/")
    assert page.get_by_text(invoice.number).count() == 1
    totals = page.locator("tfoot")
    totals.get_by_text("Total des 2 documents filtrés").wait_for(timeout=10_000)

    def plain(text: str) -> str:
        return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())

    assert plain(format_cents(2 * invoice.total_incl_vat_cents)) in plain(totals.inner_text())
    assert no_horizontal_overflow(page)


def test_ticked_drafts_are_issued_from_the_list_on_a_phone_and_without_script(
    cooperative, live_server, phone, browser, tmp_path
):
    """The entrepreneur ticks every draft of the page (the box in the header, shown by the
    page's script), sees how many on the button, issues them; without the script the
    boxes and the button work all the same."""
    person = make_person(first_name="Inès", last_name="Garnier")
    make_user(Role.ENTREPRENEUR, person=person, email="ines@example.org")
    business = make_business(person, name="Garnier Céramique", code="GARNIER")
    customer = company(business)
    done = issued(business, customer)
    drafts = [draft(business, customer) for _ in range(2)]
    page, url = phone, live_server.url
    _login(page, url, "ines@example.org")
    page.goto(f"{url}/sales/invoices/")
    boxes = page.locator('input[name="invoice"]')
    assert boxes.count() == 2
    assert page.get_by_label(
        f"Choisir Facture brouillon n° {drafts[0].pk} (Brasserie du Gers)"
    ).is_visible()
    assert no_horizontal_overflow(page)
    page.get_by_label("Choisir tous les brouillons de cette page").check()
    button = page.get_by_role("button", name="Émettre la sélection (2)")
    assert button.is_visible()
    page.screenshot(path=str(tmp_path / "issue-selection-phone.png"), full_page=True)
    button.click()
    page.get_by_text("2 factures émises").wait_for()
    numbers = [Invoice.objects.get(pk=d.pk).number for d in drafts]
    assert numbers == [done.number[:-1] + "2", done.number[:-1] + "3"]
    assert page.get_by_text(f"2 factures émises : {numbers[0]} à {numbers[1]}.").is_visible()
    assert page.locator('input[name="invoice"]').count() == 0
    assert no_horizontal_overflow(page)

    # A desktop browser without JavaScript: no header box, the row boxes post all the same.
    later = draft(business, customer)
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="fr-FR", java_script_enabled=False
    )
    try:
        desk = context.new_page()
        _login(desk, url, "ines@example.org")
        desk.goto(f"{url}/sales/invoices/?status=draft")
        assert not desk.get_by_label("Choisir tous les brouillons de cette page").is_visible()
        desk.screenshot(path=str(tmp_path / "issue-selection-desktop.png"), full_page=True)
        desk.get_by_label(f"Choisir Facture brouillon n° {later.pk} (Brasserie du Gers)").check()
        desk.get_by_role("button", name="Émettre la sélection").click()
        desk.get_by_text("1 facture émise").wait_for()
        assert desk.url == f"{url}/sales/invoices/?status=draft"
        later.refresh_from_db()
        assert later.status == InvoiceStatus.ISSUED and later.number == done.number[:-1] + "4"
    finally:
        context.close()
