"""Fixtures of the purchases tests: files under a temporary MEDIA_ROOT, tasks run at once,
suppliers, invoices and expense reports made through the services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from alveole.einvoicing import cii, totals, ubl, validation
from alveole.einvoicing.document import (
    SCHEME_FRENCH_ELECTRONIC_ADDRESS,
    SCHEME_SIREN,
    Address,
    CreditTransfer,
    Identifier,
    Invoice,
    Line,
    Party,
    PaymentInstructions,
)
from alveole.purchases import services
from alveole.purchases.models import Supplier
from tests.factories import COOP_SIREN, COOP_VAT

#: A valid SIREN and VAT number of no real company.
SUPPLIER_SIREN = "732829320"
SUPPLIER_VAT = "FR44732829320"
SUPPLIER_IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR7610107001011234567890129"

LINES = [
    {"description": "Papier A4", "quantity": "10", "unit_price": "4.15", "vat_rate": "20"},
    {"description": "Livres", "quantity": "3", "unit_price": "12.345", "vat_rate": "5.5"},
]
# 41.50 at 20 % → 8.30; 37.035 → 37.04 at 5.5 % → 2.0372 → 2.04
LINES_EXCL = 7854
LINES_VAT = 1034
LINES_INCL = 8888


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def supplier(**fields) -> Supplier:
    defaults = {
        "name": "Papeterie du Gers", "siren": SUPPLIER_SIREN, "vat_number": SUPPLIER_VAT,
        "address": "4 rue du Commerce", "postal_code": "32000", "city": "Auch",
        "iban": SUPPLIER_IBAN,
    }  # fmt: skip
    defaults.update(fields)
    return services.supplier_create(actor=None, **defaults)


def manual_invoice(business, *, number="F-2026-001", **fields):
    fields.setdefault("supplier", Supplier.objects.first() or supplier())
    fields.setdefault("issue_date", datetime.date(2026, 3, 2))
    fields.setdefault("due_date", datetime.date(2026, 4, 1))
    fields.setdefault("lines", LINES)
    return services.supplier_invoice_create(actor=None, business=business, number=number, **fields)


def einvoice(
    *,
    number: str = "FA-2026-0042",
    seller_siren: str = SUPPLIER_SIREN,
    seller_name: str = "Imprimerie Occitane",
    iban: str | None = SUPPLIER_IBAN,
    buyer_siren: str = COOP_SIREN,
    buyer_reference: str | None = None,
) -> Invoice:
    """A supplier's invoice to the cooperative, as a neutral invoice with computed totals."""
    draft = Invoice(
        number=number,
        issue_date=datetime.date(2026, 3, 10),
        due_date=datetime.date(2026, 4, 9),
        business_process="B1",
        buyer_reference=buyer_reference,
        seller=Party(
            name=seller_name,
            legal_id=Identifier(seller_siren, SCHEME_SIREN),
            vat_id=f"FR44{seller_siren}" if seller_siren == SUPPLIER_SIREN else None,
            electronic_address=Identifier(seller_siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
            address=Address(line1="8 avenue de Toulouse", city="Auch", postcode="32000", country="FR"),
        ),
        buyer=Party(
            name="Coopérative Test",
            legal_id=Identifier(buyer_siren, SCHEME_SIREN),
            vat_id=COOP_VAT if buyer_siren == COOP_SIREN else None,
            electronic_address=Identifier(buyer_siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
            address=Address(line1="1 rue de la Coopération", city="Auch", postcode="32000", country="FR"),
        ),
        payment=PaymentInstructions(
            means_code="58", credit_transfers=[CreditTransfer(account_id=iban)] if iban else []
        ),
        lines=[
            Line(id="1", quantity=Decimal("500"), unit_code="C62", net_price=Decimal("0.12"),
                 vat_category="S", vat_rate=Decimal("20"), name="Flyers A5"),
            Line(id="2", quantity=Decimal("2"), unit_code="C62", net_price=Decimal("35"),
                 vat_category="S", vat_rate=Decimal("5.5"), name="Livrets"),
        ],
    )  # fmt: skip
    return totals.complete(draft)


# 60.00 at 20 % → 12.00; 70.00 at 5.5 % → 3.85
EINVOICE_EXCL = 13000
EINVOICE_VAT = 1585
EINVOICE_INCL = 14585


def cii_bytes(**kwargs) -> bytes:
    return cii.to_cii(einvoice(**kwargs))


def ubl_bytes(**kwargs) -> bytes:
    return ubl.to_ubl(einvoice(**kwargs))


def plain_pdf() -> bytes:
    """A PDF with one blank page and no attachment."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    """A small real JPEG, as a phone would send (smaller)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def samples_folder() -> Path:
    """The shared sample invoices; skip when absent."""
    folder = validation.default_artefacts().root / "samples"
    if not folder.is_dir():
        pytest.skip(
            f"exemples de factures électroniques absents ({folder}) : installer "
            f"../shared/einvoice ou définir {validation.SETTING}"
        )
    return folder


@pytest.fixture
def official_artefacts() -> Path:
    """The official schematrons (BR-FR…); skip when absent."""
    root = validation.default_artefacts().root
    if not (root / "fnfe" / "br-fr").is_dir():
        pytest.skip(
            f"règles officielles de facturation électronique absentes ({root}) : installer "
            f"../shared/einvoice ou définir {validation.SETTING}"
        )
    return root
