"""`POST /api/sales/invoices/issue`: several drafts issued at once, all or none."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.ledger.models import Entry
from alveole.sales.models import Invoice, InvoiceStatus
from tests.api_client import PersonaApi

from .conftest import company, draft

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.sales.tests.api_urls")]

URL = "/invoices/issue"


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas, "/api/sales")


def _drafts_left() -> int:
    return Invoice.objects.filter(status=InvoiceStatus.DRAFT, number=None).count()


def test_drafts_are_issued_in_the_order_given(api, personas):
    alice = personas.entrepreneur
    customer = company(alice.business)
    first, second = draft(alice.business, customer), draft(alice.business, customer)
    response = api("entrepreneur", "post", URL, {"invoice_ids": [second.pk, first.pk]})
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert [invoice["id"] for invoice in answer] == [second.pk, first.pk]
    year = answer[0]["number"][6:10]
    assert [invoice["number"] for invoice in answer] == [
        f"ALICE-{year}-00001", f"ALICE-{year}-00002"
    ]  # fmt: skip
    assert all(invoice["status"] == "issued" for invoice in answer)
    assert [h["to_status"] for h in answer[0]["history"]] == ["draft", "issued"]
    assert len(answer[0]["lines"]) == 3 and answer[0]["payments"] == []
    assert Entry.objects.filter(document_kind="invoice").count() == 2


def test_the_answer_costs_the_same_queries_for_two_or_twenty(api, personas):
    alice = personas.entrepreneur
    customer = company(alice.business)
    api("entrepreneur", "post", URL, {"invoice_ids": [draft(alice.business, customer).pk]})
    two = [draft(alice.business, customer).pk for _ in range(2)]
    twenty = [draft(alice.business, customer).pk for _ in range(20)]
    with CaptureQueriesContext(connection) as small:
        assert api("entrepreneur", "post", URL, {"invoice_ids": two}).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert api("entrepreneur", "post", URL, {"invoice_ids": twenty}).status_code == 200
    assert len(large) == len(small)


def test_each_refused_draft_is_named_and_nothing_is_issued(api, personas):
    alice = personas.entrepreneur
    customer = company(alice.business)
    good, empty = draft(alice.business, customer), draft(alice.business, customer, lines=[])
    response = api("entrepreneur", "post", URL, {"invoice_ids": [good.pk, empty.pk]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "invoice_ids": [
            f"Facture brouillon n° {empty.pk} (Brasserie du Gers) : "
            "Une facture sans ligne ne peut pas être émise."
        ]
    }
    assert _drafts_left() == 2 and not Entry.objects.exists()


def test_another_business_draft_is_not_found_and_nothing_is_issued(api, personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    mine, theirs = draft(alice.business), draft(bob.business)
    response = api("entrepreneur", "post", URL, {"invoice_ids": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found", "message": f"Facture introuvable : n° {theirs.pk}.", "fields": {}
    }  # fmt: skip
    assert _drafts_left() == 2


@pytest.mark.parametrize(
    "payload",
    [{}, {"invoice_ids": []}, {"invoice_ids": ["x"]}, {"invoice_ids": list(range(1, 502))},
     {"invoice_ids": [1], "issue_date": "demain"}, {"invoice_ids": [1], "other": 1}],
)  # fmt: skip
def test_a_bad_payload_is_refused_before_anything(api, personas, payload):
    draft(personas.entrepreneur.business)
    response = api("entrepreneur", "post", URL, payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_payload"
    assert _drafts_left() == 1


def test_a_duplicate_and_a_future_date_are_refused(api, personas):
    invoice = draft(personas.entrepreneur.business)
    response = api("entrepreneur", "post", URL, {"invoice_ids": [invoice.pk, invoice.pk]})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid", "message": "Une même facture est choisie deux fois.", "fields": {}
    }  # fmt: skip
    response = api(
        "entrepreneur", "post", URL, {"invoice_ids": [invoice.pk], "issue_date": "2999-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "issue_date": ["Une facture ne peut pas être émise à une date future."]
    }
    assert _drafts_left() == 1


def test_anonymous_gets_401(api):
    assert api("anonymous", "post", URL, {"invoice_ids": [1]}).status_code == 401


def test_an_id_beyond_what_the_database_stores_is_refused(api, personas):
    draft(personas.entrepreneur.business)
    for ids in ([10**30], [0], [-3]):
        response = api("entrepreneur", "post", URL, {"invoice_ids": ids})
        assert response.status_code == 422, response.content
        assert list(response.json()["error"]["fields"]) == ["invoice_ids.0"]
    assert _drafts_left() == 1


def test_a_credit_note_is_refused_under_its_id_and_rights_name_the_draft(api, personas):
    from alveole.sales.services import credit_note_create, sales_settings_update

    from .conftest import issued

    alice = personas.entrepreneur
    note = credit_note_create(actor=None, invoice=issued(alice.business))
    response = api("entrepreneur", "post", URL, {"invoice_ids": [note.pk]})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "invoice_ids": [
            f"Avoir brouillon n° {note.pk} (Brasserie du Gers) : Un avoir s'émet seul, "
            "depuis sa page."
        ]
    }
    sales_settings_update(actor=None, business=alice.business, requires_validation=True)
    pending = draft(alice.business)
    response = api("entrepreneur", "post", URL, {"invoice_ids": [pending.pk]})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        f"Facture brouillon n° {pending.pk} : Cette activité fait valider ses factures : "
        "soumettez-la à l'équipe d'appui."
    )
    assert _drafts_left() == 2
