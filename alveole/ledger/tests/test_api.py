"""The ledger API: every route for every persona, scoping, refused writes change nothing,
errors in the one format, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.core.models import AuditEvent
from alveole.ledger import services
from alveole.ledger.models import Account, Entry, Line, PeriodClosing
from alveole.ledger.tests.conftest import bill, contribution, invoice, payment, salary
from tests.api_client import PersonaApi
from tests.factories import COOP_SIREN

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.ledger.tests.api_urls")]
D = datetime.date
BOOKKEEPERS = ("accountant", "director")
OTHERS = ("entrepreneur", "other_entrepreneur", "staff")


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas)


@pytest.fixture
def books(personas, support):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    invoice(alice, "A-1", D(2026, 3, 1), services=100_000, services_vat=20_000)
    payment(alice, "A-1", D(2026, 3, 15), 120_000, excl_vat=100_000, pending_vat=20_000)
    bill(bob, "F-1", D(2026, 3, 2), 10_000, 2_000)
    salary(alice, D(2026, 3, 31), gross=50_000, employer=20_000, reduction=5_000, employee=11_000)
    contribution(alice, support, D(2026, 3, 31), 12_000)
    return {"alice": alice, "bob": bob, "support": support}


def state():
    return (
        Entry.objects.count(),
        Line.objects.count(),
        sorted(Account.objects.values_list("number", "label", "active")),
        PeriodClosing.objects.count(),
        AuditEvent.objects.exclude(action="export").count(),
    )


def read_routes(books):
    entry = Entry.objects.first()
    return [
        "/api/ledger/accounts",
        "/api/ledger/journals",
        "/api/ledger/fiscal-years",
        "/api/ledger/entries",
        f"/api/ledger/entries/{entry.pk}",
        "/api/ledger/vat?year=2026",
        "/api/ledger/trial-balance?year=2026",
        "/api/ledger/closings",
        "/api/ledger/fec?year=2026",
    ]


def test_the_books_are_for_the_accountant_and_the_direction(api, books):
    for url in read_routes(books):
        for who in BOOKKEEPERS:
            assert api(who, "get", url).status_code == 200, (who, url)
        for who in OTHERS:
            response = api(who, "get", url)
            assert response.status_code in (403, 404), (who, url)
            assert response.json()["error"]["code"] in ("forbidden", "not_found")
        assert api("anonymous", "get", url).json()["error"]["code"] == "unauthenticated"


def test_refused_writes_change_nothing(api, books):
    entry = Entry.objects.first()
    writes = [
        ("post", "/api/ledger/accounts", {"number": "6228", "label": "Commissions"}),
        ("patch", "/api/ledger/accounts/411", {"label": "Autre"}),
        ("post", "/api/ledger/entries", {"date": "2026-04-01", "label": "x", "lines": [
            {"account": "627", "debit_cents": 100}, {"account": "512", "credit_cents": 100}]}),
        ("post", f"/api/ledger/entries/{entry.pk}/reverse", {}),
        ("post", "/api/ledger/vat/returns", {"start": "2026-03-01", "end": "2026-03-31"}),
        ("post", "/api/ledger/closings", {"through": "2026-03-31"}),
        ("post", f"/api/ledger/fiscal-years/{entry.fiscal_year_id}/close", None),
    ]  # fmt: skip
    before = state()
    for method, url, body in writes:
        for who in (*OTHERS, "anonymous"):
            response = api(who, method, url, body)
            assert response.status_code in (401, 403, 404), (who, url, response.status_code)
    assert state() == before


def test_treasury_routes_are_scoped(api, books):
    alice = books["alice"]
    url = f"/api/ledger/treasury/{alice.pk}?day=2026-03-31"
    response = api("entrepreneur", "get", url)
    assert response.status_code == 200
    data = response.json()
    assert (data["available_cents"], data["projected_cents"]) == (23_000, 23_000)
    figures = {f["key"]: f for f in data["figures"]}
    assert (
        figures["salaries"]["value_cents"] == 65_000
        and figures["salaries"]["effect_cents"] == -65_000
    )
    assert figures["vat_collected"]["explanation"].startswith("La TVA facturée")
    assert api("other_entrepreneur", "get", url).status_code == 404
    for who in ("staff", *BOOKKEEPERS):
        assert api(who, "get", url).status_code == 200
    months = api("entrepreneur", "get", f"/api/ledger/treasury/{alice.pk}/months?year=2026").json()
    assert months["months"][2]["available_cents"] == 23_000
    assert months["months"][2]["movements"]["received"] == 120_000
    assert (
        api(
            "other_entrepreneur", "get", f"/api/ledger/treasury/{alice.pk}/months?year=2026"
        ).status_code
        == 404
    )
    for who in ("entrepreneur", "other_entrepreneur"):
        assert api(who, "get", "/api/ledger/treasury").status_code == 403
    rows = api("staff", "get", "/api/ledger/treasury?day=2026-03-31").json()
    assert [(r["business_code"], r["available_cents"], r["risk"]) for r in rows] == [
        ("BOB", 2_000, ""),
        ("CAE", 12_000, ""),
        ("ALICE", 23_000, ""),
    ]


def test_accountant_writes(api, books, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))
    response = api(
        "accountant", "post", "/api/ledger/accounts", {"number": "6228", "label": "Commissions"}
    )
    assert response.status_code == 201 and response.json()["account_class"] == 6
    response = api("accountant", "patch", "/api/ledger/accounts/6228", {"active": False})
    assert response.json()["active"] is False
    response = api("accountant", "post", "/api/ledger/entries", {
        "date": "2026-04-01", "label": "Frais bancaires", "lines": [
            {"account": "627", "debit_cents": 1_250, "business_id": books["support"].pk},
            {"account": "512", "credit_cents": 1_250}]})  # fmt: skip
    assert response.status_code == 201
    entry = response.json()
    assert entry["reference"] == "OD000002" and [line["account"] for line in entry["lines"]] == [
        "627",
        "512",
    ]
    response = api("accountant", "post", "/api/ledger/entries", {
        "date": "2026-04-01", "label": "Faux", "lines": [
            {"account": "627", "debit_cents": 1_250}, {"account": "512", "credit_cents": 1_000}]})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("L'écriture n'est pas équilibrée")
    response = api(
        "accountant", "post", f"/api/ledger/entries/{entry['id']}/reverse", {"reason": "test"}
    )
    assert response.status_code == 201 and response.json()["reverses_id"] == entry["id"]
    response = api(
        "director", "post", "/api/ledger/vat/returns", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.status_code == 201
    assert [(line["account"], line["debit_cents"], line["credit_cents"]) for line in response.json()["lines"]] == [
        ("44571", 20_000, 0), ("44566", 0, 2_000), ("44551", 0, 18_000)]  # fmt: skip
    response = api("director", "post", "/api/ledger/closings", {"through": "2026-03-31"})
    assert response.status_code == 201 and response.json()["through"] == "2026-03-31"
    response = api("director", "post", "/api/ledger/entries", {
        "date": "2026-03-15", "label": "Trop tard", "lines": [
            {"account": "627", "debit_cents": 1}, {"account": "512", "credit_cents": 1}]})  # fmt: skip
    assert response.status_code == 400
    assert "clôturée jusqu'au 31/03/2026" in response.json()["error"]["message"]


def test_entries_list_filters_pages_and_constant_queries(api, books):
    response = api("accountant", "get", "/api/ledger/entries?journal=BQ")
    assert [e["document_number"] for e in response.json()["results"]] == ["P-A-1-120000"]
    assert api("accountant", "get", "/api/ledger/entries?event=nope").status_code == 422
    with CaptureQueriesContext(connection) as few:
        api("accountant", "get", "/api/ledger/entries")
    for n in range(10):
        invoice(books["bob"], f"B-{n}", D(2026, 3, 5), services=100 + n)
    with CaptureQueriesContext(connection) as many:
        response = api("accountant", "get", "/api/ledger/entries?page_size=5")
    assert response.json()["count"] == 15 and len(response.json()["results"]) == 5
    assert len(many) == len(few)


def test_vat_trial_balance_and_fec(api, books):
    vat = api("accountant", "get", "/api/ledger/vat?year=2026&quarterly=true").json()
    assert vat[0]["label"] == "T1 2026" and vat[0]["due_cents"] == 18_000
    balance = {
        r["account"]: r
        for r in api("accountant", "get", "/api/ledger/trial-balance?year=2026").json()
    }
    assert balance["706"]["balance_cents"] == -100_000
    assert api("accountant", "get", "/api/ledger/trial-balance?year=2019").status_code == 400
    response = api("accountant", "get", "/api/ledger/fec?year=2026")
    assert response["Content-Disposition"] == f'attachment; filename="{COOP_SIREN}FEC20261231.txt"'
    assert b"".join(response.streaming_content).startswith(b"JournalCode\tJournalLib")
