"""Ledger pages for every persona: who sees what, refused writes change nothing, the
writes of the accountant, downloads, constant query counts."""

from __future__ import annotations

import csv
import datetime
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.coop.models import FiscalYear
from alveole.core.models import AuditEvent
from alveole.ledger import services
from alveole.ledger.models import Account, Entry, Line, PeriodClosing
from alveole.ledger.tests.conftest import bill, contribution, invoice, payment, salary
from tests.factories import COOP_SIREN, make_business, make_entrepreneur

pytestmark = pytest.mark.django_db
D = datetime.date
BOOKKEEPERS = ("accountant", "director")
OTHERS = ("entrepreneur", "other_entrepreneur", "staff")


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
        Account.objects.count(),
        PeriodClosing.objects.count(),
        sorted(Account.objects.values_list("label", flat=True)),
        AuditEvent.objects.exclude(action="export").count(),
    )


def text(response):
    return html.unescape(response.content.decode())


def books_pages(books):
    entry = Entry.objects.first()
    year = entry.fiscal_year
    return [
        reverse("ledger:accounts"),
        reverse("ledger:account_edit", args=["411"]),
        reverse("ledger:journals"),
        reverse("ledger:entries"),
        reverse("ledger:entry", args=[entry.pk]),
        reverse("ledger:entry_create"),
        reverse("ledger:vat"),
        reverse("ledger:exports"),
        reverse("ledger:export", args=[year.pk, "fec"]),
        reverse("ledger:export", args=[year.pk, "trial-balance"]) + "?format=csv",
        reverse("ledger:closing"),
    ]


def test_the_books_are_for_the_accountant_and_the_direction(personas, books):
    for url in books_pages(books):
        for who in BOOKKEEPERS:
            assert getattr(personas, who).client.get(url).status_code == 200, (who, url)
        for who in OTHERS:
            assert getattr(personas, who).client.get(url).status_code == 403, (who, url)
        response = personas.anonymous.client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_refused_writes_change_nothing(personas, books):
    entry = Entry.objects.first()
    year = entry.fiscal_year
    posts = [
        (reverse("ledger:accounts"), {"number": "6228", "label": "Commissions"}),
        (reverse("ledger:account_edit", args=["411"]), {"label": "Autre", "active": ""}),
        (reverse("ledger:entry_reverse", args=[entry.pk]), {"date": "2026-04-01", "reason": ""}),
        (reverse("ledger:entry_create"), {"journal": "OD", "date": "2026-04-01", "label": "x"}),
        (reverse("ledger:vat_return"), {"start": "2026-03-01", "end": "2026-03-31"}),
        (reverse("ledger:closing"), {"month": "2026-03"}),
        (reverse("ledger:fiscal_year_close", args=[year.pk]), {}),
    ]
    before = state()
    for url, data in posts:
        for who in OTHERS:
            assert getattr(personas, who).client.post(url, data).status_code == 403, (who, url)
        assert personas.anonymous.client.post(url, data).status_code == 302
    assert state() == before


def test_entrepreneur_sees_only_their_own_treasury(personas, books):
    alice, bob = books["alice"], books["bob"]
    mine = reverse("ledger:treasury", args=[alice.pk])
    response = personas.entrepreneur.client.get(mine, {"day": "2026-03-31", "year": 2026})
    assert response.status_code == 200
    body = text(response)
    # 1 200 received − 200 VAT − 650 salaries − 120 contribution = 230 available.
    assert response.context["treasury"].available_cents == 23_000
    assert "230,00\u202f€" in body
    assert "La TVA facturée à vos clients" in body and "Contribution coopérative" in body
    for who, status in (
        ("other_entrepreneur", 404),
        ("staff", 200),
        ("accountant", 200),
        ("director", 200),
    ):
        assert getattr(personas, who).client.get(mine).status_code == status, who
    assert personas.anonymous.client.get(mine).status_code == 302
    assert (
        personas.entrepreneur.client.get(reverse("ledger:treasury", args=[bob.pk])).status_code
        == 404
    )
    lines = reverse("ledger:treasury_lines", args=[alice.pk, "salaries"])
    response = personas.entrepreneur.client.get(lines, {"day": "2026-03-31"})
    assert response.status_code == 200 and response.context["monthly"] == [
        {"month": D(2026, 3, 1), "amount_cents": 65_000}
    ]
    staff_view = personas.staff.client.get(lines, {"day": "2026-03-31"})
    assert "Alice Martin" not in text(staff_view) and "Paie " not in text(staff_view)
    assert personas.other_entrepreneur.client.get(lines).status_code == 404
    assert (
        personas.entrepreneur.client.get(
            reverse("ledger:treasury_lines", args=[alice.pk, "nope"])
        ).status_code
        == 404
    )
    received = personas.entrepreneur.client.get(
        reverse("ledger:treasury_lines", args=[alice.pk, "received"]), {"day": "2026-03-31"}
    )
    assert [line.credit_cents for line in received.context["page"]] == [120_000]


def test_index_sends_each_persona_to_their_page(personas, books):
    url = reverse("ledger:index")
    assert personas.entrepreneur.client.get(url)["Location"] == reverse(
        "ledger:treasury", args=[books["alice"].pk]
    )
    assert personas.staff.client.get(url)["Location"] == reverse("ledger:treasury_all")
    assert personas.accountant.client.get(url)["Location"] == reverse("ledger:entries")
    assert personas.anonymous.client.get(url)["Location"].startswith("/login/")


def test_all_treasuries_for_staff_roles_with_constant_queries(personas, books):
    url = reverse("ledger:treasury_all")
    for who in ("entrepreneur", "other_entrepreneur"):
        assert getattr(personas, who).client.get(url).status_code == 403
    client = personas.staff.client
    client.get(url, {"day": "2026-03-31"})
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"day": "2026-03-31"})
    # Nobody is at risk: lowest balance first (Bob: 20 € of VAT on an unpaid bill).
    assert [row.business.code for row in response.context["rows"]] == ["BOB", "CAE", "ALICE"]
    for n in range(5):
        business = make_business(make_entrepreneur(first_name=f"E{n}"))
        invoice(business, f"E-{n}", D(2026, 3, 3), services=1_000)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"day": "2026-03-31"})
    assert len(response.context["rows"]) == 8
    assert len(many) == len(few)


def test_entries_list_filters_and_constant_queries(personas, books):
    client = personas.accountant.client
    url = reverse("ledger:entries")
    response = client.get(url, {"journal": "BQ"})
    assert [e.label for e in response.context["page"]] == ["Règlement A-1 — Brasserie du Gers"]
    response = client.get(url, {"account": "1811"})
    assert [e.event for e in response.context["page"]] == ["contribution"]
    response = client.get(url, {"business": books["bob"].pk})
    assert [e.document_number for e in response.context["page"]] == ["F-1"]
    response = client.get(url, {"q": "brasserie"})
    assert [e.document_number for e in response.context["page"]] == ["P-A-1-120000", "A-1"]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        invoice(books["bob"], f"B-{n}", D(2026, 3, 5), services=100 + n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page"].paginator.count == 15
    assert len(many) == len(few)


def test_accounts_list_constant_queries_and_create(personas, books):
    client = personas.accountant.client
    url = reverse("ledger:accounts")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        services.account_create(actor=None, number=f"62{n}1", label=f"Compte {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    response = client.post(url, {"number": "6228", "label": "Commissions"})
    assert response.status_code == 302 and Account.objects.filter(number="6228").exists()
    response = client.post(url, {"number": "6228", "label": "Doublon"})
    assert response.status_code == 400 and "Ce compte existe déjà." in text(response)
    response = client.post(
        reverse("ledger:account_edit", args=["6228"]), {"label": "Commissions versées"}
    )
    assert response.status_code == 302
    account = Account.objects.get(number="6228")
    assert (account.label, account.active) == ("Commissions versées", False)


def test_manual_entry_and_reversal_by_the_accountant(personas, books):
    client = personas.accountant.client
    data = {
        "journal": "OD", "date": "2026-04-02", "label": "Frais de tenue de compte",
        "lines-TOTAL_FORMS": "6", "lines-INITIAL_FORMS": "0",
        "lines-0-account": "627", "lines-0-business": books["support"].pk, "lines-0-debit": "12.50",
        "lines-1-account": "512", "lines-1-credit": "12.50",
    }  # fmt: skip
    response = client.post(reverse("ledger:entry_create"), data)
    assert response.status_code == 302
    entry = Entry.objects.get(label="Frais de tenue de compte")
    assert [
        (line.account_id, line.debit_cents, line.credit_cents) for line in entry.lines.all()
    ] == [
        ("627", 1_250, 0),
        ("512", 0, 1_250),
    ]
    unbalanced = {**data, "lines-1-credit": "12.00", "label": "Déséquilibrée"}
    response = client.post(reverse("ledger:entry_create"), unbalanced)
    assert response.status_code == 400
    assert (
        "L'écriture n'est pas équilibrée : 12,50\u202f€ au débit, 12,00\u202f€ au crédit."
        in text(response)
    )
    response = client.post(
        reverse("ledger:entry_reverse", args=[entry.pk]), {"date": "2026-04-03", "reason": "erreur"}
    )
    reversal = Entry.objects.get(reverses=entry)
    assert response["Location"] == reverse("ledger:entry", args=[reversal.pk])
    detail = client.get(reverse("ledger:entry", args=[entry.pk]))
    assert "Contre-passée par" in text(detail)


def test_closing_pages_for_the_director(personas, books, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))
    client = personas.director.client
    response = client.post(reverse("ledger:closing"), {"month": "2026-03"})
    assert response.status_code == 302 and services.lock_date() == D(2026, 3, 31)
    response = client.post(reverse("ledger:closing"), {"month": "2026-02"})
    assert response.status_code == 400 and "déjà clôturée jusqu'au 31/03/2026" in text(response)
    year = FiscalYear.objects.get(start_date=D(2026, 1, 1))
    response = client.post(reverse("ledger:fiscal_year_close", args=[year.pk]), follow=True)
    assert "On ne clôture un exercice qu'une fois terminé." in text(response)


def test_vat_page_and_return(personas, books, monkeypatch):
    client = personas.accountant.client
    response = client.get(reverse("ledger:vat"), {"year": 2026})
    march = response.context["periods"][2]
    assert (march.collected_cents, march.deductible_cents, march.due_cents) == (
        20_000,
        2_000,
        18_000,
    )
    response = client.post(
        reverse("ledger:vat_return"), {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.status_code == 302
    assert Entry.objects.filter(event="vat_return").count() == 1
    quarterly = client.get(reverse("ledger:vat"), {"year": 2026, "quarterly": "on"})
    assert [p.label for p in quarterly.context["periods"]] == [
        "T1 2026",
        "T2 2026",
        "T3 2026",
        "T4 2026",
    ]


def test_downloads(personas, books):
    client = personas.accountant.client
    year = Entry.objects.first().fiscal_year
    response = client.get(reverse("ledger:export", args=[year.pk, "fec"]))
    assert response["Content-Disposition"] == f'attachment; filename="{COOP_SIREN}FEC20261231.txt"'
    content = b"".join(response.streaming_content).decode("iso-8859-15")
    assert content.startswith("JournalCode\tJournalLib\tEcritureNum")
    assert len(content.strip().split("\r\n")) == 1 + Line.objects.count()
    response = client.get(
        reverse("ledger:export", args=[year.pk, "general-ledger"]), {"format": "csv"}
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 1 + Line.objects.count()
    response = client.get(reverse("ledger:export", args=[year.pk, "analytic"]), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("ledger:export", args=[year.pk, "nope"])).status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == 3
