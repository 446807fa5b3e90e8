"""The sales API: scoping for every persona, the same rules as the pages, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.sales.models import Invoice, InvoiceLine, Payment
from alveole.sales.services import payment_record
from tests.api_client import PersonaApi

from .conftest import LINES_INCL, company, draft, issued

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.sales.tests.api_urls")]

BASE = "/api/sales"


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas, BASE)


def _rows() -> tuple:
    return (
        list(Invoice.objects.order_by("pk").values()),
        list(InvoiceLine.objects.order_by("pk").values()),
        list(Payment.objects.order_by("pk").values()),
    )


def test_anonymous_gets_401(api):
    for url in ("/customers", "/quotes", "/invoices", "/payments"):
        assert api("anonymous", "get", url).status_code == 401


def test_full_flow_through_the_api(api, personas):
    alice = personas.entrepreneur
    response = api("entrepreneur", "post", "/customers", {
        "business_id": alice.business.pk, "kind": "company", "name": "Ferme du Bois",
        "siren": "732829320", "address": "Lieu-dit Bois", "postal_code": "32300",
        "city": "Mirande", "email": "ferme@example.org",
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    customer_id = response.json()["id"]
    assert response.json()["department"] == "32"
    response = api("entrepreneur", "post", "/quotes", {
        "business_id": alice.business.pk, "customer_id": customer_id, "title": "Site web",
        "lines": [{"line_type": "section", "description": "Conception"},
                  {"description": "Maquettes", "quantity": "3", "unit": "j", "unit_price": "450"}],
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    quote = response.json()
    assert quote["total_incl_vat_cents"] == 162000
    assert [line["line_type"] for line in quote["lines"]] == ["section", "item"]
    r = api("entrepreneur", "post", f"/quotes/{quote['id']}/send?email=false")
    assert r.status_code == 200, r.json()
    assert api("entrepreneur", "post", f"/quotes/{quote['id']}/accept").status_code == 200
    response = api("entrepreneur", "post", f"/quotes/{quote['id']}/invoices", {"mode": "full"})
    assert response.status_code == 201, response.json()
    invoice_id = response.json()["id"]
    assert response.json()["number"] is None
    response = api("entrepreneur", "post", f"/invoices/{invoice_id}/issue")
    assert response.status_code == 200, response.json()
    invoice = response.json()
    assert invoice["number"].startswith("ALICE-") and invoice["status"] == "issued"
    assert [h["to_status"] for h in invoice["history"]] == ["draft", "issued"]
    # An issued invoice refuses every change through the API, and nothing changes.
    before = _rows()
    response = api("entrepreneur", "patch", f"/invoices/{invoice_id}", {"title": "Autre"})
    assert response.status_code == 400
    assert api("entrepreneur", "delete", f"/invoices/{invoice_id}").status_code == 400
    response = api("entrepreneur", "patch", f"/invoices/{invoice_id}", {
        "lines": [{"description": "x", "unit_price": "1"}]})  # fmt: skip
    assert response.status_code == 400
    assert _rows() == before
    # Payments: partial, then overpayment refused.
    response = api("entrepreneur", "post", f"/invoices/{invoice_id}/payments",
                   {"amount_cents": 62000, "method": "transfer", "reference": "VIR"})  # fmt: skip
    assert response.status_code == 201
    response = api("entrepreneur", "post", f"/invoices/{invoice_id}/payments",
                   {"amount_cents": 100001, "method": "cheque"})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["amount_cents"]
    # Credit notes: beyond the total refused.
    response = api("entrepreneur", "post", f"/invoices/{invoice_id}/credit-notes", {
        "lines": [{"description": "Trop", "unit_price": "1351"}]})  # fmt: skip
    assert response.status_code == 400
    response = api(
        "entrepreneur", "post", f"/invoices/{invoice_id}/credit-notes", {"reason": "Annulation"}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "credit_note"
    response = api("entrepreneur", "get", f"/invoices/{invoice_id}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_other_business_is_invisible_and_untouchable(api, personas):
    bob = personas.other_entrepreneur
    invoice = issued(bob.business)
    pending = draft(bob.business)
    before = _rows()
    for method, url, body in [
        ("get", f"/invoices/{invoice.pk}", None),
        ("get", f"/invoices/{invoice.pk}/pdf", None),
        ("get", f"/customers/{invoice.customer_id}", None),
        ("patch", f"/invoices/{pending.pk}", {"title": "x"}),
        ("post", f"/invoices/{pending.pk}/issue", None),
        ("delete", f"/invoices/{pending.pk}", None),
        ("post", f"/invoices/{invoice.pk}/payments", {"amount_cents": 1, "method": "cash"}),
        ("post", f"/invoices/{invoice.pk}/credit-notes", {}),
    ]:
        assert api("entrepreneur", method, url, body).status_code == 404, url
    response = api("entrepreneur", "post", "/invoices", {
        "business_id": bob.business.pk, "customer_id": invoice.customer_id})  # fmt: skip
    assert response.status_code == 400
    assert _rows() == before
    listed = api("entrepreneur", "get", "/invoices").json()
    assert listed["count"] == 0
    for role in ("staff", "accountant", "director"):
        assert api(role, "get", f"/invoices/{invoice.pk}").status_code == 200
        assert api(role, "get", "/invoices").json()["count"] == 2


def test_list_routes_use_a_constant_number_of_queries(api, personas):
    alice = personas.entrepreneur
    customer = company(alice.business)
    issued(alice.business, customer)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api("staff", "get", url).status_code == 200
        return len(queries)

    urls = ["/invoices", "/customers", "/quotes", "/payments", "/invoices?credit_notes=true"]
    api("staff", "get", "/invoices")  # the token's first use is recorded once
    first = {url: count(url) for url in urls}
    for _ in range(3):
        invoice = issued(alice.business, company(alice.business, name="Autre"))
        from alveole.sales.services import payment_record

        payment_record(actor=None, invoice=invoice, amount_cents=LINES_INCL, method="card")
    assert {url: count(url) for url in urls} == first


def test_customer_errors_name_the_api_fields(api, personas):
    alice = personas.entrepreneur
    body = {"business_id": alice.business.pk, "kind": "company", "name": "X", "address": "1 rue",
            "postal_code": "32000", "city": "Auch", "internal_business_id": 999999}  # fmt: skip
    response = api("entrepreneur", "post", "/customers", body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["internal_business_id"]
    body.update(internal_business_id=None, siren="123")
    response = api("entrepreneur", "post", "/customers", body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["siren"]
    body.update(siren="", business_id=personas.other_entrepreneur.business.pk)
    assert api("entrepreneur", "post", "/customers", body).status_code == 400
    body["unknown"] = 1
    assert api("entrepreneur", "post", "/customers", body).status_code == 422


def test_actions_read_the_invoice_once_and_answer_in_full(api, personas):
    """An action checks the invoice is visible with one read (its service reads it again
    under lock), and answers with the lines, history and payments: no page extras."""
    alice = personas.entrepreneur
    customer = company(alice.business)
    body = {"business_id": alice.business.pk, "customer_id": customer.pk, "title": "Atelier",
            "lines": [{"description": "Atelier", "quantity": "2", "unit_price": "150.00"}]}  # fmt: skip
    api("entrepreneur", "get", "/invoices")  # the token's first use is recorded once
    read: list[str] = []

    def call(method: str, url: str, data: dict | None = None) -> dict:
        with CaptureQueriesContext(connection) as queries:
            response = api("entrepreneur", method, url, data)
        # Read now: the log restarts with the next request, outside the context.
        read.extend(q["sql"] for q in queries.captured_queries)
        assert response.status_code in (200, 201), response.json()
        return response.json()

    invoice = call("post", "/invoices", body)
    assert [line["description"] for line in invoice["lines"]] == ["Atelier"]
    assert [h["to_status"] for h in invoice["history"]] == ["draft"]
    answer = call("post", f"/invoices/{invoice['id']}/issue")
    assert answer["status"] == "issued" and answer["number"]
    assert [h["to_status"] for h in answer["history"]] == ["draft", "issued"]
    assert answer["lines"] == invoice["lines"] and answer["payments"] == []
    total = answer["total_incl_vat_cents"]
    call("post", f"/invoices/{invoice['id']}/payments", {"amount_cents": total, "method": "cash"})
    assert len(read) > 20  # the capture works
    # No action reads the sendings, reminders or credit notes the invoice page shows.
    assert not [sql for sql in read if "sales_sending" in sql or "sales_reminder" in sql]
    assert not [
        sql
        for sql in read
        if 'FROM "sales_invoice" WHERE "sales_invoice"."credited_invoice_id"' in sql
    ]
    detail = api("entrepreneur", "get", f"/invoices/{invoice['id']}").json()
    assert detail["status"] == "paid"
    assert [p["amount_cents"] for p in detail["payments"]] == [total]


def test_the_load_test_journey_makes_few_queries(api, personas):
    """Create, issue, pay through the API, as an entrepreneur's script does (the load
    test's half): the invoice is read once before its service's locked read, what a
    service read or knows (the lines, no payment yet) is not read again for the answer,
    and the ledger checks journal, accounts and businesses in one query."""
    alice = personas.entrepreneur
    customer = company(alice.business)
    # The series, the counter and the journals' sequences exist (the year's first
    # number of each is drawn once).
    payment_record(actor=None, invoice=issued(alice.business, customer), amount_cents=LINES_INCL,
                   method="card")  # fmt: skip
    body = {"business_id": alice.business.pk, "customer_id": customer.pk, "title": "Atelier",
            "lines": [{"description": "Atelier", "quantity": "2", "unit_price": "150.00"},
                      {"description": "Support", "quantity": "1", "unit_price": "12.50",
                       "vat_rate": "5.5"}]}  # fmt: skip
    api("entrepreneur", "get", "/invoices")  # the token's first use is recorded once
    counts = []

    def call(url: str, data: dict | None = None) -> dict:
        with CaptureQueriesContext(connection) as queries:
            response = api("entrepreneur", "post", url, data)
        counts.append(len(queries))
        assert response.status_code in (200, 201), response.json()
        return response.json()

    invoice = call("/invoices", body)
    answer = call(f"/invoices/{invoice['id']}/issue")
    assert answer["payments"] == [] and answer["lines"] == invoice["lines"]
    assert [h["to_status"] for h in answer["history"]] == ["draft", "issued"]
    call(f"/invoices/{invoice['id']}/payments",
         {"amount_cents": answer["total_incl_vat_cents"], "method": "transfer"})  # fmt: skip
    # Within the test's transaction each service's transaction is a savepoint (2 queries);
    # on PostgreSQL the fiscal year is read and held in share mode in one query.
    assert counts == [13, 26, 23]
