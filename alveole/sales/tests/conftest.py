"""Fixtures of the sales tests: customers and documents made through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Sector
from alveole.sales.models import Customer
from alveole.sales.services import customer_create, invoice_create, invoice_issue

TRAINING = "Exonération de TVA, art. 261-4-4° a du CGI"


def company(business, **fields) -> Customer:
    defaults = {
        "kind": Customer.Kind.COMPANY, "name": "Brasserie du Gers", "siren": "732829320",
        "address": "2 place de la Mairie", "postal_code": "32000", "city": "Auch",
        "email": "compta@brasserie.example",
    }  # fmt: skip
    defaults.update(fields)
    return customer_create(actor=None, business=business, **defaults)


def individual(business, **fields) -> Customer:
    defaults = {
        "kind": Customer.Kind.INDIVIDUAL, "name": "Camille Dupont", "address": "5 rue Basse",
        "postal_code": "65000", "city": "Tarbes", "email": "camille@example.org",
    }  # fmt: skip
    defaults.update(fields)
    return customer_create(actor=None, business=business, **defaults)


LINES = [
    {"line_type": "section", "description": "Atelier"},
    {"description": "Animation d'atelier", "quantity": Decimal("2.5"), "unit": "h",
     "unit_price": Decimal("80"), "vat_rate": Decimal("20")},
    {"description": "Support imprimé", "quantity": 3, "unit_price": Decimal("12.345"),
     "discount_cents": 100, "vat_rate": Decimal("5.5"), "nature": "goods"},
]  # fmt: skip
# 200.00 at 20 % → 40.00; 37.035 − 1 = 36.035 → 36.04 at 5.5 % → 1.9822 → 1.98
LINES_EXCL = 23604
LINES_VAT = 4198
LINES_INCL = 27802


def draft(business, customer=None, lines=LINES, **fields):
    customer = customer or company(business)
    return invoice_create(actor=None, business=business, customer=customer, lines=lines, **fields)


def issued(business, customer=None, lines=LINES, issue_date=None, **fields):
    invoice = draft(business, customer, lines, **fields)
    return invoice_issue(actor=None, invoice=invoice, issue_date=issue_date)


@pytest.fixture
def alice(personas):
    return personas.entrepreneur


@pytest.fixture
def seed_sectors(transactional_db):
    """The seed sectors, again: a transactional test before this one may have flushed them."""
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})
