"""The purchases API: every route for every persona (401 / 403 / 404 and nothing changes),
the same rules as the pages, French errors, constant query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.purchases import services
from alveole.purchases.models import (
    ExpenseLine,
    ExpenseReport,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from tests.api_client import PersonaApi

from .conftest import (
    EINVOICE_INCL,
    LINES,
    LINES_INCL,
    cii_bytes,
    jpeg_bytes,
    manual_invoice,
    plain_pdf,
    supplier,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.purchases.tests.api_urls")]

BASE = "/api/purchases"
STAFF_ROLES = ("staff", "accountant", "director")


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas, BASE)


def _rows() -> tuple:
    return (
        list(SupplierInvoice.objects.order_by("pk").values()),
        list(SupplierInvoiceLine.objects.order_by("pk").values()),
        list(Supplier.objects.order_by("pk").values()),
        list(ExpenseReport.objects.order_by("pk").values()),
        list(ExpenseLine.objects.order_by("pk").values()),
    )


@pytest.fixture
def world(personas) -> dict[str, Any]:
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    invoice = manual_invoice(alice.business, number="A-1")
    bobs = manual_invoice(bob.business, number="B-1")
    report = services.expense_report_create(
        actor=alice.user,
        person=alice.person,
        business=alice.business,
        month=datetime.date(2026, 3, 1),
    )
    line = services.expense_line_add(
        actor=alice.user, report=report, date=datetime.date(2026, 3, 3), category="meals",
        description="Repas", amount_cents=1800, vat_cents=164, receipt=jpeg_bytes(), receipt_filename="t.jpg",
    )  # fmt: skip
    return {"invoice": invoice, "bob_invoice": bobs, "report": report, "line": line}


def _routes(world: dict[str, Any]) -> list[tuple[str, str, Any]]:
    i, r, ln = world["invoice"].pk, world["report"].pk, world["line"].pk
    return [
        ("get", f"/invoices/{i}", None),
        ("patch", f"/invoices/{i}", {"notes": "x"}),
        ("post", f"/invoices/{i}/assign", {"business_id": world["invoice"].business_id}),
        ("post", f"/invoices/{i}/validate", None),
        ("post", f"/invoices/{i}/pay", {"method": "transfer"}),
        ("get", f"/invoices/{i}/file", None),
        ("get", f"/expense-reports/{r}", None),
        ("post", f"/expense-reports/{r}/trips", {"date": "2026-03-04", "description": "A", "distance_km": "10", "horsepower": 5}),
        ("delete", f"/expense-reports/{r}/lines/{ln}", None),
        ("get", f"/expense-reports/{r}/lines/{ln}/receipt", None),
        ("post", f"/expense-reports/{r}/submit", None),
        ("post", f"/expense-reports/{r}/validate", None),
        ("post", f"/expense-reports/{r}/refuse", {"reason": "non"}),
        ("post", f"/expense-reports/{r}/pay", {"method": "transfer"}),
    ]  # fmt: skip


LIST_ROUTES = ("/suppliers", "/invoices", "/expense-reports")


def test_anonymous_gets_401_everywhere_and_nothing_changes(api, world):
    before = _rows()
    for url in LIST_ROUTES:
        assert api("anonymous", "get", url).status_code == 401
    for method, url, body in _routes(world):
        assert api("anonymous", method, url, body).status_code == 401, url
    assert api("anonymous", "post", "/suppliers", {"name": "X"}).status_code == 401
    assert _rows() == before


def test_other_entrepreneur_gets_404_on_alice_and_nothing_changes(api, world):
    before = _rows()
    for method, url, body in _routes(world):
        response = api("other_entrepreneur", method, url, body)
        assert response.status_code == 404, (url, response.json())
        assert response.json()["error"]["code"] == "not_found"
    assert _rows() == before


def test_entrepreneur_cannot_decide_on_their_own_invoice(api, world):
    i = world["invoice"].pk
    before = _rows()
    for url, body in (
        (f"/invoices/{i}/assign", {"business_id": world["invoice"].business_id}),
        (f"/invoices/{i}/validate", None),
        (f"/invoices/{i}/pay", {"method": "transfer"}),
    ):
        response = api("entrepreneur", "post", url, body)
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"
    assert _rows() == before


@pytest.mark.parametrize("who", STAFF_ROLES)
def test_staff_roles_assign_validate_and_pay(api, world, who):
    i = world["bob_invoice"].pk
    assert api(who, "post", f"/invoices/{i}/validate").status_code == 200
    response = api(
        who,
        "post",
        f"/invoices/{i}/pay",
        {"method": "transfer", "date": "2026-04-01", "reference": "V1"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["paid_on"], body["payment_reference"]) == (
        "paid",
        "2026-04-01",
        "V1",
    )
    assert [h["to_status"] for h in body["history"]] == ["assigned", "validated", "paid"]


def test_lists_are_scoped(api, world):
    alice = api("entrepreneur", "get", "/invoices").json()
    assert [r["number"] for r in alice["results"]] == ["A-1"]
    assert alice["results"][0]["lines"] == []  # lists carry no lines
    staff = api("staff", "get", f"/invoices?business={world['bob_invoice'].business_id}").json()
    assert [r["number"] for r in staff["results"]] == ["B-1"]
    assert api("other_entrepreneur", "get", "/expense-reports").json()["count"] == 0
    reports = api("accountant", "get", "/expense-reports").json()
    assert reports["count"] == 1 and reports["results"][0]["total_cents"] == 1800


def test_create_an_invoice_and_duplicate_is_400_in_french(api, personas):
    found = supplier()
    body = {
        "supplier_id": found.pk, "business_id": personas.entrepreneur.business.pk, "number": "P-1",
        "issue_date": "2026-03-02", "category": "goods_for_resale",
        "lines": [{**line, "quantity": str(line["quantity"])} for line in LINES],
    }  # fmt: skip
    response = api("entrepreneur", "post", "/invoices", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["total_incl_vat_cents"], created["business_code"], len(created["lines"])) == (
        LINES_INCL,
        "ALICE",
        2,
    )
    assert {row["vat_rate"] for row in created["vat_rows"]} == {"20.00", "5.50"}
    before = _rows()
    response = api("entrepreneur", "post", "/invoices", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["fields"]["number"][0].startswith("Doublon")
    response = api(
        "entrepreneur",
        "post",
        "/invoices",
        {**body, "number": "P-2", "business_id": personas.other_entrepreneur.business.pk},
    )
    assert response.status_code == 400 and response.json()["error"]["fields"] == {
        "business_id": ["Activité inconnue."]
    }
    response = api(
        "entrepreneur",
        "post",
        "/invoices",
        {**body, "number": "P-3", "issue_date": "2026-13-40", "extra": 1},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"issue_date", "extra"}
    assert _rows() == before


def test_receive_by_api_and_bad_files(api, personas):
    response = api(
        "entrepreneur", "post", "/invoices/receive",
        {"file": SimpleUploadedFile("f.xml", cii_bytes()), "business_id": personas.entrepreneur.business.pk},
        multipart=True,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["origin"], body["total_incl_vat_cents"], body["validation_state"]) == (
        "received",
        EINVOICE_INCL,
        "done",
    )
    assert any(f["source"] == "validation" for f in body["findings"])
    file = api("entrepreneur", "get", f"/invoices/{body['id']}/file")
    assert b"".join(file.streaming_content) == cii_bytes()
    before = _rows()
    response = api(
        "staff",
        "post",
        "/invoices/receive",
        {"file": SimpleUploadedFile("scan.pdf", plain_pdf())},
        multipart=True,
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"][0].startswith(
        "Ce PDF ne contient pas de facture électronique"
    )
    assert _rows() == before


def test_supplier_routes(api, personas):
    response = api(
        "entrepreneur", "post", "/suppliers", {"name": "Boulangerie", "siren": "732 829 320"}
    )
    assert response.status_code == 201 and response.json()["siren"] == "732829320"
    pk = response.json()["id"]
    assert api("other_entrepreneur", "get", f"/suppliers/{pk}").status_code == 200
    before = _rows()
    assert (
        api(
            "entrepreneur", "patch", f"/suppliers/{pk}", {"iban": "FR7630006000011234567890189"}
        ).status_code
        == 403
    )
    response = api("staff", "patch", f"/suppliers/{pk}", {"iban": "FR00"})
    assert response.status_code == 400 and "iban" in response.json()["error"]["fields"]
    assert _rows() == before
    response = api(
        "staff", "patch", f"/suppliers/{pk}", {"iban": "FR76 3000 6000 0112 3456 7890 189"}
    )
    assert response.json()["iban"] == "FR7630006000011234567890189"


def test_expense_report_through_the_api(api, personas):
    alice = personas.entrepreneur
    response = api(
        "entrepreneur",
        "post",
        "/expense-reports",
        {"business_id": alice.business.pk, "month": "2026-03-15"},
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["month"] == "2026-03-01"
    r = report["id"]
    response = api(
        "entrepreneur", "post", f"/expense-reports/{r}/lines",
        {"date": "2026-03-05", "category": "transport", "description": "Train", "amount_cents": 2460,
         "vat_cents": 224, "receipt": SimpleUploadedFile("billet.pdf", plain_pdf())},
        multipart=True,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    response = api("entrepreneur", "post", f"/expense-reports/{r}/trips",
                   {"date": "2026-03-06", "description": "Auch → Tarbes", "distance_km": "100", "horsepower": 5})  # fmt: skip
    body = response.json()
    assert body["total_cents"] == 2460 + 6360
    assert body["lines"][1]["mileage_scale_year"] == 2025
    before = _rows()
    response = api(
        "entrepreneur", "post", f"/expense-reports/{r}/lines",
        {"date": "2026-03-05", "category": "meals", "description": "Repas", "amount_cents": 100,
         "receipt": SimpleUploadedFile("x.txt", b"hello")},
        multipart=True,
    )  # fmt: skip
    assert response.status_code == 400
    assert "receipt" in response.json()["error"]["fields"]
    assert _rows() == before
    assert api("entrepreneur", "post", f"/expense-reports/{r}/submit").status_code == 200
    assert api("entrepreneur", "post", f"/expense-reports/{r}/validate").status_code == 403
    assert api("staff", "post", f"/expense-reports/{r}/refuse", {"reason": " "}).status_code == 400
    assert api("staff", "post", f"/expense-reports/{r}/validate").json()["status"] == "validated"
    paid = api(
        "director",
        "post",
        f"/expense-reports/{r}/pay",
        {"method": "transfer", "date": "2026-04-02"},
    )
    assert paid.json()["status"] == "paid"


@pytest.mark.parametrize("url", LIST_ROUTES)
def test_list_query_counts_are_constant(api, personas, url):
    api("staff", "get", url)
    with CaptureQueriesContext(connection) as few:
        api("staff", "get", url)
    alice = personas.entrepreneur
    for n in range(6):
        other = supplier(name=f"F{n}", siren="", vat_number="", iban="")
        manual_invoice(alice.business, number=f"N{n}", supplier=other)
        services.expense_report_create(
            actor=alice.user,
            person=alice.person,
            business=alice.business,
            month=datetime.date(2025, n + 1, 1),
        )
    with CaptureQueriesContext(connection) as many:
        api("staff", "get", url)
    assert len(many) == len(few)
