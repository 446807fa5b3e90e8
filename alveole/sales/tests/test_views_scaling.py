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
