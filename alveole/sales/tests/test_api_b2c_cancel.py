"""The API for prices incl. VAT and for cancelling a payment: same rules as the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alveole.sales.models import Invoice, Payment
from alveole.sales.services import payment_record
from tests.api_client import PersonaApi

from .conftest import company, individual, issued
from .test_api import BASE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.sales.tests.api_urls")]


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas, BASE)


def test_prices_incl_vat_default_for_an_individual_and_explicit_errors(api, personas):
    alice = personas.entrepreneur
    customer = individual(alice.business)
    body = {"business_id": alice.business.pk, "customer_id": customer.pk,
            "lines": [{"description": "Livret", "unit_price_incl_vat": "12.03"}]}  # fmt: skip
    response = api("entrepreneur", "post", "/invoices", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["prices_include_vat"] is True
    assert (data["total_excl_vat_cents"], data["total_vat_cents"], data["total_incl_vat_cents"]) == (
        1003, 200, 1203,
    )  # fmt: skip
    assert data["lines"][0]["incl_vat_cents"] == 1203
    assert Decimal(data["lines"][0]["unit_price"]) == Decimal("10.025")
    # An HT price alone on a TTC document is refused, not read as 0.
    body["lines"] = [{"description": "Livret", "unit_price": "10"}]
    refused = api("entrepreneur", "post", "/invoices", body)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "lines" in error["fields"]
    assert "TTC" in " ".join(error["fields"]["lines"])
    assert Invoice.objects.count() == 1
    # A company gets HT by default; the option can be forced either way.
    other = company(alice.business)
    body = {"business_id": alice.business.pk, "customer_id": other.pk,
            "lines": [{"description": "Conseil", "unit_price": "100"}]}  # fmt: skip
    assert api("entrepreneur", "post", "/invoices", body).json()["prices_include_vat"] is False
    invoice_id = api("entrepreneur", "post", "/invoices", body).json()["id"]
    patched = api("entrepreneur", "patch", f"/invoices/{invoice_id}", {"prices_include_vat": True})
    assert patched.status_code == 200
    assert patched.json()["prices_include_vat"] is True
    assert patched.json()["total_incl_vat_cents"] == 12000


def test_payment_cancel_route(api, personas):
    alice = personas.entrepreneur
    invoice = issued(alice.business)
    payment = payment_record(actor=None, invoice=invoice, amount_cents=5000, method="transfer")
    url = f"/payments/{payment.pk}/cancel"
    assert api("other_entrepreneur", "post", url, {"reason": "Erreur"}).status_code == 404
    missing = api("entrepreneur", "post", url, {"reason": ""})
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {
        "reason": ["Indiquez pourquoi ce paiement est annulé."]
    }
    response = api("entrepreneur", "post", url, {"reason": "Saisi deux fois"})
    assert response.status_code == 200
    data = response.json()
    assert data["cancel_reason"] == "Saisi deux fois" and data["cancelled_at"]
    assert data["cancelled_by_id"] == alice.user.pk
    again = api("entrepreneur", "post", url, {"reason": "Encore"})
    assert again.status_code == 400
    assert "déjà annulé" in again.json()["error"]["message"]
    assert api("entrepreneur", "get", "/payments").json()["count"] == 0
    detail = api("entrepreneur", "get", f"/invoices/{invoice.pk}").json()
    assert detail["paid_cents"] == 0
    assert detail["payments"][0]["cancel_reason"] == "Saisi deux fois"
    assert Payment.objects.count() == 1
