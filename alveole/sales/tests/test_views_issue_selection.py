"""« Émettre la sélection » on the invoice list: which rows get a box, the POST that issues the
ticked drafts all or none, what it answers, and a list whose queries do not grow with it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.core.dates import today
from alveole.ledger.models import Entry
from alveole.sales.models import Invoice, InvoiceStatus, NumberingCounter
from alveole.sales.services import credit_note_create, invoice_submit, sales_settings_update
from alveole.sales.views import _number_runs

from .conftest import company, draft, issued

pytestmark = pytest.mark.django_db

LIST = reverse("sales:invoice_list")
ISSUE = reverse("sales:invoices_issue")


def _boxes(response) -> list[int]:
    """The ids of the rows that have a box, in the page's order."""
    return [
        invoice.pk
        for invoice in response.context["page"]
        if invoice.pk in response.context.get("issuable", ())
    ]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _nothing_issued(*drafts: Invoice) -> None:
    for invoice in drafts:
        invoice.refresh_from_db()
        assert invoice.number is None and invoice.issue_date is None
        assert invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.TO_VALIDATE)
    assert not NumberingCounter.objects.exclude(last_value=0).exists()
    assert not Entry.objects.exists()


def _number(business, seq: int) -> str:
    return f"{business.code}-{today().year}-{seq:05d}"


def test_the_list_has_a_box_for_each_draft_the_user_may_issue(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    mine = draft(alice.business)
    done = issued(alice.business)
    submitted = draft(alice.business)
    invoice_submit(actor=None, invoice=submitted)  # to validate: still a draft, and issuable
    theirs = draft(bob.business, company(bob.business, name="Client de Bob"))
    credit_note_create(actor=None, invoice=done, lines=[{"description": "Geste", "unit_price": 10}])

    response = alice.client.get(LIST)
    assert sorted(_boxes(response)) == [mine.pk, submitted.pk]
    html = response.content.decode()
    assert f'name="invoice" value="{mine.pk}"' in html
    assert f'name="invoice" value="{done.pk}"' not in html
    assert f'name="invoice" value="{theirs.pk}"' not in html
    assert f"Choisir Facture brouillon n° {mine.pk} (Brasserie du Gers)" in html
    assert "Choisir tous les brouillons de cette page" in html
    assert "Émettre la sélection" in html and "ne se corrige que par un avoir" in html
    assert f'action="{ISSUE}"' in html and "sales/issue_selection.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
    # Credit notes are issued from their own page.
    response = alice.client.get(reverse("sales:credit_note_list"))
    assert response.context["page"][0].is_credit_note and not response.context["page"][0].number
    html = response.content.decode()
    assert 'name="invoice"' not in html and "Émettre la sélection" not in html
    # No draft on the page: no box, no button.
    response = alice.client.get(LIST, {"status": InvoiceStatus.ISSUED})
    assert _boxes(response) == [] and "Émettre la sélection" not in response.content.decode()
    # The support staff: the drafts of every business.
    response = personas.staff.client.get(LIST)
    assert sorted(_boxes(response)) == [mine.pk, submitted.pk, theirs.pk]


def test_two_ticked_drafts_are_issued_with_consecutive_numbers(alice):
    customer = company(alice.business)
    first, second = draft(alice.business, customer), draft(alice.business, customer)
    back = f"{LIST}?status=draft&business={alice.business.pk}"
    # Numbered in the order the drafts were made, whatever the order of the boxes.
    response = alice.client.post(
        ISSUE, {"invoice": [second.pk, first.pk], "next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (_number(alice.business, 1), _number(alice.business, 2))
    assert first.status == second.status == InvoiceStatus.ISSUED
    assert first.issued_by_id == alice.user.pk and first.issue_date == today()
    assert _messages(response) == [f"2 factures émises : {first.number} à {second.number}."]
    assert Entry.objects.count() == 2


def test_one_draft_is_issued_and_said_in_the_singular(alice):
    one = draft(alice.business)
    response = alice.client.post(ISSUE, {"invoice": one.pk}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    one.refresh_from_db()
    assert _messages(response) == [f"1 facture émise : {one.number}."]


def test_the_staff_issues_drafts_of_several_businesses_at_once(personas):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    drafts = [draft(alice), draft(bob), draft(alice)]
    response = personas.staff.client.post(ISSUE, {"invoice": [d.pk for d in drafts]}, follow=True)
    assert [Invoice.objects.get(pk=d.pk).number for d in drafts] == [
        _number(alice, 1), _number(bob, 1), _number(alice, 2)
    ]  # fmt: skip
    assert _messages(response) == [
        f"3 factures émises : {_number(alice, 1)}, {_number(bob, 1)}, {_number(alice, 2)}."
    ]


def test_a_draft_that_cannot_be_issued_stops_the_batch_with_each_reason(alice):
    customer = company(alice.business)
    good = draft(alice.business, customer)
    empty = draft(alice.business, customer, lines=[])
    done = issued(alice.business, customer)
    counter = NumberingCounter.objects.get()
    response = alice.client.post(ISSUE, {"invoice": [good.pk, empty.pk, done.pk]}, follow=True)
    assert response.status_code == 200
    assert _messages(response) == [
        f"Facture brouillon n° {empty.pk} (Brasserie du Gers) : "
        "Une facture sans ligne ne peut pas être émise. "
        f"{done.number} (Brasserie du Gers) : Elle est déjà émise."
    ]
    for invoice in (good, empty):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    assert NumberingCounter.objects.get().last_value == counter.last_value == 1
    assert Entry.objects.count() == 1  # the issued invoice's only
    # The boxes are still on the list to try again.
    assert sorted(_boxes(response)) == [good.pk, empty.pk]


def test_another_entrepreneurs_draft_is_not_found_and_nothing_is_issued(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    mine = draft(alice.business)
    theirs = draft(bob.business, company(bob.business, name="Client secret de Bob"))
    missing = Invoice.objects.order_by("pk").last().pk + 1000
    for chosen, unknown in (([mine.pk, theirs.pk], theirs.pk), ([missing, mine.pk], missing)):
        response = alice.client.post(ISSUE, {"invoice": chosen}, follow=True)
        assert response.status_code == 200
        # The same answer for another business's draft as for one that does not exist.
        assert _messages(response) == [f"Facture introuvable : n° {unknown}."]
        html = response.content.decode()
        assert "Client secret de Bob" not in html and bob.business.name not in html
    _nothing_issued(mine, theirs)


def test_a_credit_note_is_not_issued_from_the_invoice_list(alice):
    credit = credit_note_create(
        actor=None,
        invoice=issued(alice.business),
        lines=[{"description": "Geste", "unit_price": 10}],
    )
    response = alice.client.post(ISSUE, {"invoice": credit.pk}, follow=True)
    assert _messages(response) == [f"Facture introuvable : n° {credit.pk}."]
    credit.refresh_from_db()
    assert credit.number is None


def test_an_internal_invoice_has_no_box_and_is_refused_by_name(personas):
    from alveole.sales.services import internal_customer_for

    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    buyer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    internal, plain = draft(alice.business, buyer), draft(alice.business)
    assert _boxes(alice.client.get(LIST)) == [plain.pk]
    response = alice.client.post(ISSUE, {"invoice": [internal.pk, plain.pk]}, follow=True)
    assert _messages(response) == [
        f"Facture brouillon n° {internal.pk} ({buyer.name}) : Une facture interne s'émet "
        "seule, depuis sa page."
    ]
    _nothing_issued(internal, plain)


def test_nothing_ticked_or_an_unreadable_selection_issues_nothing(alice):
    mine = draft(alice.business)
    response = alice.client.post(ISSUE, {}, follow=True)
    assert _messages(response) == ["Choisissez au moins une facture à émettre."]
    for values in (["abc"], [str(mine.pk), "12; DROP"], ["-1"], ["²"], [""], ["1.5"], ["9" * 5000]):
        response = alice.client.post(ISSUE, {"invoice": values}, follow=True)
        assert response.status_code == 200, values
        assert _messages(response) == [
            "La sélection est illisible : cochez des factures de la liste. Rien n'a été émis."
        ], values
    _nothing_issued(mine)


def test_get_is_not_allowed_and_anonymous_goes_to_login(personas):
    mine = draft(personas.entrepreneur.business)
    assert personas.entrepreneur.client.get(ISSUE, {"invoice": mine.pk}).status_code == 405
    response = personas.anonymous.client.post(ISSUE, {"invoice": mine.pk})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    _nothing_issued(mine)


def test_the_csrf_token_is_required(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies = alice.client.cookies
    mine = draft(alice.business)
    assert client.post(ISSUE, {"invoice": mine.pk}).status_code == 403
    _nothing_issued(mine)


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/sales/invoices/",
        "//evil.example/sales/invoices/",
        "/sales/payments/",
        "/sales/invoices/1/",
        "javascript:alert(1)",
    ],
)
def test_the_return_address_is_the_invoice_list_only(alice, back):
    response = alice.client.post(ISSUE, {"next": back})
    assert response.status_code == 302 and response["Location"] == LIST


def test_validation_required_no_box_for_the_entrepreneur_and_a_forged_post_refused(personas):
    alice = personas.entrepreneur
    sales_settings_update(actor=None, business=alice.business, requires_validation=True)
    pending = draft(alice.business)
    submitted = draft(alice.business)
    invoice_submit(actor=None, invoice=submitted)
    # Bob's business has no settings row at all: his drafts stay his to issue.
    bob_draft = draft(personas.other_entrepreneur.business)
    assert _boxes(personas.other_entrepreneur.client.get(LIST)) == [bob_draft.pk]

    response = alice.client.get(LIST)
    assert _boxes(response) == []
    assert "Émettre la sélection" not in response.content.decode()
    # The accountant sees every business but does not validate.
    assert _boxes(personas.accountant.client.get(LIST)) == [bob_draft.pk]

    response = alice.client.post(ISSUE, {"invoice": [pending.pk, submitted.pk]}, follow=True)
    assert response.status_code == 200
    assert _messages(response) == [
        f"Facture brouillon n° {pending.pk} : Cette activité fait valider ses factures : "
        "soumettez-la à l'équipe d'appui."
    ]
    _nothing_issued(pending, submitted, bob_draft)

    staff = personas.staff.client
    assert sorted(_boxes(staff.get(LIST, {"business": alice.business.pk}))) == sorted(
        [pending.pk, submitted.pk]
    )
    response = staff.post(ISSUE, {"invoice": [submitted.pk, pending.pk]}, follow=True)
    assert _messages(response) == [
        f"2 factures émises : {_number(alice.business, 1)} à {_number(alice.business, 2)}."
    ]
    pending.refresh_from_db()
    submitted.refresh_from_db()
    assert (pending.number, submitted.number) == (
        _number(alice.business, 1),
        _number(alice.business, 2),
    )
    assert (
        submitted.status == InvoiceStatus.ISSUED
        and submitted.issued_by_id == personas.staff.user.pk
    )


def test_a_settings_row_without_validation_keeps_the_boxes(alice):
    sales_settings_update(actor=None, business=alice.business, payment_terms_days=45)
    mine = draft(alice.business)
    assert _boxes(alice.client.get(LIST)) == [mine.pk]


def _list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(queries)


def _grow(business, n: int) -> None:
    customer = company(business, name=f"Client {business.code} {Invoice.objects.count()}")
    for _ in range(n):
        draft(business, customer)
        issued(business, customer)


def test_boxes_add_no_query_per_row(personas):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    sales_settings_update(actor=None, business=bob, requires_validation=True)
    _grow(alice, 1)
    _grow(bob, 1)
    clients = [personas.entrepreneur.client, personas.staff.client, personas.accountant.client]
    pages = [{}, {"business": alice.pk}, {"status": InvoiceStatus.DRAFT}]
    before = [_list_queries(client, **params) for client in clients for params in pages]
    shown = [len(_boxes(client.get(LIST))) for client in clients]
    _grow(alice, 4)
    _grow(bob, 5)
    after = [_list_queries(client, **params) for client in clients for params in pages]
    assert after == before
    # And the boxes did multiply: alice's drafts; every draft; those not to validate.
    assert shown == [1, 2, 1]
    assert [len(_boxes(client.get(LIST))) for client in clients] == [5, 11, 5]


def test_number_runs():
    assert _number_runs(["A-2026-00004", "A-2026-00005", "A-2026-00006"]) == (
        "A-2026-00004 à A-2026-00006"
    )
    assert _number_runs(["A-2026-00009", "A-2026-00010", "B-2026-00001", "A-2026-00012"]) == (
        "A-2026-00009 à A-2026-00010, B-2026-00001, A-2026-00012"
    )
    assert _number_runs(["A-FI2026-0001", "A-2026-0002", "X", "Y"]) == (
        "A-FI2026-0001, A-2026-0002, X, Y"
    )
    assert _number_runs([f"N{i}" for i in range(1, 20, 2)]) == ("N1, N3, N5, N7, N9 et 5 autres")
    assert _number_runs([f"N{i}" for i in range(1, 12, 2)]) == "N1, N3, N5, N7, N9 et 1 autre"


def test_an_id_past_the_databases_integers_is_not_found(alice):
    mine = draft(alice.business)
    huge = "9" * 19  # 19 digits, past 2**63 - 1
    response = alice.client.post(ISSUE, {"invoice": [mine.pk, huge]}, follow=True)
    assert _messages(response) == [f"Facture introuvable : n° {huge}."]
    _nothing_issued(mine)
