"""Invoice lists whose cost does not grow with the rest of the cooperative: constant queries,
and a customer filter that lists one business's customers, not the cooperative's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from alveole.sales.services import payment_record

from .conftest import company, issued

pytestmark = pytest.mark.django_db


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def _customer_options(response):
    return [label for _value, label in response.context["form"].fields["customer"].choices][1:]


def _grow(business, n):
    for i in range(n):
        invoice = issued(business, company(business, name=f"Client {business.code} {i}"))
        payment_record(actor=None, invoice=invoice, amount_cents=100, method="card")


def test_invoice_lists_make_the_same_queries_as_the_cooperative_grows(personas):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    _grow(alice, 2)
    _grow(bob, 1)
    client, url = personas.staff.client, reverse("sales:invoice_list")
    pages = [{"business": alice.pk}, {}, {"business": alice.pk, "late": "on"}]
    before = [_get(client, url, **params)[1] for params in pages]
    _grow(alice, 3)
    _grow(bob, 6)
    after = [_get(client, url, **params)[1] for params in pages]
    assert after == before


def test_the_customer_filter_lists_the_chosen_business_customers_only(personas):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    _grow(alice, 2)
    _grow(bob, 3)
    url = reverse("sales:invoice_list")
    staff = personas.staff.client
    # Staff without a business chosen: no list of every customer of the cooperative.
    response, _ = _get(staff, url)
    assert _customer_options(response) == []
    assert escape("choisir d'abord une activité") in response.content.decode()
    # A business chosen: its customers.
    response, _ = _get(staff, url, business=bob.pk)
    assert sorted(_customer_options(response)) == [f"Client {bob.code} {i}" for i in range(3)]
    # A customer chosen without a business: it stays selected and filters the list.
    customer = bob.customers.get(name=f"Client {bob.code} 1")
    response, _ = _get(staff, url, customer=customer.pk)
    assert _customer_options(response) == [customer.name]
    assert {invoice.customer_id for invoice in response.context["page"]} == {customer.pk}
    assert response.context["totals"]["rows"] == 1
    # An entrepreneur sees their own businesses' customers, as before.
    response, _ = _get(personas.entrepreneur.client, url)
    assert sorted(_customer_options(response)) == [f"Client {alice.code} {i}" for i in range(2)]


def test_the_cooperative_wide_list_shows_rows_first_and_its_totals_when_asked(
    personas, monkeypatch
):
    """Every invoice of every business is neither counted nor summed for the page: it reads
    one row more than it shows; the totals (with the count) come from `part=totals`."""
    from alveole.sales import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    _grow(alice, 2)
    _grow(bob, 1)
    client, url = personas.staff.client, reverse("sales:invoice_list")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    sql = " ".join(
        q["sql"].upper() for q in queries.captured_queries if "SALES_INVOICE" in q["sql"].upper()
    )
    assert "COUNT(" not in sql and "SUM(" not in sql
    page = response.context["page"]
    assert len(page) == 2 and page.has_next() and not page.has_previous()
    html = response.content.decode()
    assert "Page 1" in html and "Page 1 sur" not in html and "page=2" in html
    second = client.get(url, {"page": 2}).context["page"]
    assert len(second) == 1 and second.has_previous() and not second.has_next()
    assert client.get(url, {"page": 99}).context["page"].number == 1  # past the end
    assert client.get(url, {"page": "x"}).context["page"].number == 1

    totals = client.get(url, {"part": "totals"}).context["totals"]
    assert totals["rows"] == 3
    assert totals["paid_cents"] == 300
    # Narrowed to a business, or for an entrepreneur: counted and summed with the page.
    assert client.get(url, {"business": alice.pk}).context["totals"]["rows"] == 2
    assert personas.entrepreneur.client.get(url).context["totals"]["rows"] == 2


def test_an_entrepreneurs_invoices_are_filtered_by_values_not_subqueries(personas):
    """Under the OR (own sales, internal purchases) two subqueries make PostgreSQL scan every
    invoice of the cooperative; the business ids as values let it read two indexes."""
    from alveole.sales.models import Invoice

    alice = personas.entrepreneur.business
    _grow(alice, 1)
    sql = str(Invoice.objects.visible_to(personas.entrepreneur.user).query)
    assert sql.upper().count("SELECT") == 1
    assert list(Invoice.objects.visible_to(personas.entrepreneur.user)) == list(
        Invoice.objects.filter(business=alice)
    )
    assert not Invoice.objects.visible_to(personas.other_entrepreneur.user).filter(business=alice)


def test_the_list_reads_neither_frozen_mentions_nor_choices_through_a_cursor(personas):
    """The JSON snapshot of each invoice (and of the invoice it corrects) stays in the
    database, and the filters' options come from plain queries, not server-side cursors
    (three round trips each on PostgreSQL)."""
    alice = personas.entrepreneur.business
    _grow(alice, 2)
    for client in (personas.entrepreneur.client, personas.staff.client):
        for url in (reverse("sales:invoice_list"), reverse("sales:credit_note_list")):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"business": alice.pk})
            assert response.status_code == 200
            sql = [q["sql"] for q in queries.captured_queries]
            assert not [s for s in sql if '"snapshot"' in s]
            assert not [s for s in sql if s.lstrip().upper().startswith("DECLARE")]
            assert any('"sales_invoice"' in s for s in sql)  # the capture saw the list
    response = personas.entrepreneur.client.get(reverse("sales:invoice_list"))
    options = [label for _value, label in response.context["form"].fields["business"].choices]
    assert str(alice) in options or alice.name in options
