"""Pages of sales: scoping for every persona, refused writes change nothing, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.sales.models import Customer, Invoice, InvoiceStatus, Payment, Quote
from alveole.sales.services import (
    credit_note_create,
    invoice_issue,
    payment_record,
    quote_create,
)

from .conftest import LINES, LINES_INCL, company, draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(personas):
    """One of each document in Alice's business and in Bob's."""
    made = {}
    for persona in (personas.entrepreneur, personas.other_entrepreneur):
        customer = company(persona.business, name=f"Client de {persona.business.code}")
        invoice = issued(persona.business, customer)
        payment = payment_record(actor=None, invoice=invoice, amount_cents=1000, method="cheque")
        credit = credit_note_create(actor=None, invoice=invoice, lines=[
            {"description": "Geste", "unit_price": Decimal("10")}])  # fmt: skip
        quote = quote_create(actor=None, business=persona.business, customer=customer, lines=LINES)
        made[persona.name] = {
            "customer": customer, "invoice": invoice, "payment": payment, "credit": credit,
            "quote": quote, "draft": draft(persona.business, customer),
        }  # fmt: skip
    return made


def detail_urls(d):
    return [
        reverse("sales:customer_detail", args=[d["customer"].pk]),
        reverse("sales:customer_edit", args=[d["customer"].pk]),
        reverse("sales:quote_detail", args=[d["quote"].pk]),
        reverse("sales:quote_edit", args=[d["quote"].pk]),
        reverse("sales:quote_pdf", args=[d["quote"].pk]),
        reverse("sales:invoice_detail", args=[d["invoice"].pk]),
        reverse("sales:invoice_pdf", args=[d["invoice"].pk]),
        reverse("sales:invoice_detail", args=[d["credit"].pk]),
        reverse("sales:invoice_edit", args=[d["draft"].pk]),
    ]


LIST_URLS = [
    "sales:customer_list", "sales:quote_list", "sales:invoice_list", "sales:credit_note_list",
    "sales:payment_list", "sales:purchase_list", "sales:customer_create", "sales:quote_create",
    "sales:invoice_create",
]  # fmt: skip


def test_anonymous_is_sent_to_login(personas, docs):
    client = personas.anonymous.client
    for url in [reverse(name) for name in LIST_URLS] + detail_urls(docs["entrepreneur"]):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_entrepreneur_sees_only_their_business(personas, docs):
    client = personas.entrepreneur.client
    for url in detail_urls(docs["entrepreneur"]):
        assert client.get(url).status_code == 200, url
    for url in detail_urls(docs["other_entrepreneur"]):
        assert client.get(url).status_code == 404, url
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        content = response.content.decode()
        assert "Client de BOB" not in content, name
    content = client.get(reverse("sales:invoice_list")).content.decode()
    assert docs["entrepreneur"]["invoice"].number in content
    assert docs["other_entrepreneur"]["invoice"].number not in content


@pytest.mark.parametrize("role", ["staff", "accountant", "director"])
def test_cooperative_wide_roles_see_everything(personas, docs, role):
    client = getattr(personas, role).client
    for d in docs.values():
        for url in detail_urls(d):
            assert client.get(url).status_code == 200, url
    content = client.get(reverse("sales:invoice_list")).content.decode()
    assert docs["entrepreneur"]["invoice"].number in content
    assert docs["other_entrepreneur"]["invoice"].number in content


def _snapshot():
    return (
        list(Invoice.objects.order_by("pk").values()),
        list(Payment.objects.order_by("pk").values()),
        list(Quote.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values()),
    )


def test_refused_writes_change_nothing(personas, docs):
    client = personas.entrepreneur.client
    bob = docs["other_entrepreneur"]
    before = _snapshot()
    posts = [
        (reverse("sales:invoice_action", args=[bob["draft"].pk, "issue"]), {}),
        (reverse("sales:invoice_action", args=[bob["draft"].pk, "delete"]), {}),
        (reverse("sales:invoice_action", args=[bob["invoice"].pk, "pay"]),
         {"date": "2026-01-01", "amount": "1", "method": "cash"}),
        (reverse("sales:invoice_action", args=[bob["invoice"].pk, "credit"]), {"mode": "full"}),
        (reverse("sales:invoice_action", args=[bob["credit"].pk, "issue"]), {}),
        (reverse("sales:quote_action", args=[bob["quote"].pk, "send"]), {}),
        (reverse("sales:quote_edit", args=[bob["quote"].pk]), {"title": "x"}),
        (reverse("sales:customer_edit", args=[bob["customer"].pk]), {"name": "x"}),
        (reverse("sales:invoice_edit", args=[bob["draft"].pk]), {"title": "x"}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # Creating in someone else's business through a form is refused too.
    response = client.post(reverse("sales:customer_create"), {
        "business": personas.other_entrepreneur.business.pk, "kind": "company", "name": "Intrus",
        "address": "1 rue", "postal_code": "32000", "city": "Auch", "country": "FR",
    })  # fmt: skip
    assert response.status_code == 400
    assert _snapshot() == before


def test_issued_invoice_edit_page_refuses(personas, docs):
    invoice = docs["entrepreneur"]["invoice"]
    before = _snapshot()
    client = personas.entrepreneur.client
    response = client.post(reverse("sales:invoice_edit", args=[invoice.pk]), {"title": "x"})
    assert response.status_code == 302
    assert _snapshot() == before


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", LIST_URLS[:6])
def test_list_pages_use_a_constant_number_of_queries(personas, docs, name):
    client = personas.staff.client
    url = reverse(name)
    first = _count(client, url)
    alice = personas.entrepreneur
    for n in range(4):
        customer = company(alice.business, name=f"Autre client {n}")
        invoice = issued(alice.business, customer)
        payment_record(actor=None, invoice=invoice, amount_cents=500, method="card")
        invoice_issue(actor=None, invoice=credit_note_create(actor=None, invoice=invoice, lines=[
            {"description": "Geste", "unit_price": Decimal("1")}]))  # fmt: skip
        quote_create(actor=None, business=alice.business, customer=customer, lines=LINES)
    assert _count(client, url) == first


def test_filters_and_totals_of_filtered_rows(personas, docs):
    client = personas.staff.client
    alice = personas.entrepreneur.business
    response = client.get(reverse("sales:invoice_list"), {"business": alice.pk})
    assert response.context["totals"]["rows"] == 2  # the issued invoice and the draft
    assert response.context["totals"]["total_incl_vat_cents"] == 2 * LINES_INCL
    assert response.context["totals"]["paid_cents"] == 1000
    # Across the cooperative, the totals come when the page asks for them (part=totals).
    url = reverse("sales:invoice_list")
    response = client.get(url, {"status": "partly_paid"})
    assert response.context["totals"] is None
    assert "part=totals" in response.content.decode()
    response = client.get(url, {"status": "partly_paid", "part": "totals"})
    assert response.context["totals"]["rows"] == 2
    assert response.content.decode().lstrip().startswith("<tfoot>")
    late_day = docs["entrepreneur"]["invoice"].due_date
    response = client.get(url, {"late": "on", "part": "totals"})
    assert response.context["totals"]["rows"] == 0  # not due yet
    Invoice.objects.filter(pk=docs["entrepreneur"]["invoice"].pk)  # due dates are frozen
    assert late_day >= datetime.date.today()
    response = client.get(reverse("sales:payment_list"), {"business": alice.pk})
    assert response.context["totals"]["amount_cents"] == 1000


def test_exports(personas, docs):
    client = personas.entrepreneur.client
    response = client.get(reverse("sales:invoice_list"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert docs["entrepreneur"]["invoice"].number in text
    assert docs["other_entrepreneur"]["invoice"].number not in text
    assert text.splitlines()[0].startswith("Numéro;Type;Statut")
    response = client.get(reverse("sales:payment_list"), {"format": "xlsx"})
    assert response.content[:2] == b"PK"


def test_journey_through_the_pages(personas):
    client = personas.entrepreneur.client
    business = personas.entrepreneur.business
    response = client.post(reverse("sales:customer_create"), {
        "business": business.pk, "kind": "company", "name": "Mairie de Mirande",
        "siren": "213202575", "address": "Place de la Mairie", "postal_code": "32300",
        "city": "Mirande", "country": "FR", "email": "mairie@mirande.example",
    })  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(name="Mairie de Mirande")
    assert customer.department == "32"
    lines = {
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-line_type": "item", "lines-0-description": "Conseil", "lines-0-quantity": "1,5",
        "lines-0-unit_price": "400", "lines-0-vat_rate": "20.00", "lines-0-nature": "service",
        "lines-1-line_type": "item", "lines-1-description": "", "lines-1-vat_rate": "20.00",
        "lines-1-nature": "service",
    }  # fmt: skip
    response = client.post(reverse("sales:quote_create"), {
        "business": business.pk, "customer": customer.pk, "title": "Étude", **lines})  # fmt: skip
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    quote = Quote.objects.get(title="Étude")
    assert quote.total_incl_vat_cents == 72000
    client.post(reverse("sales:quote_action", args=[quote.pk, "send"]))
    client.post(reverse("sales:quote_action", args=[quote.pk, "accept"]))
    response = client.post(
        reverse("sales:quote_action", args=[quote.pk, "invoice"]), {"mode": "full"}
    )
    invoice = Invoice.objects.get(quote=quote)
    assert response["Location"] == reverse("sales:invoice_detail", args=[invoice.pk])
    client.post(reverse("sales:invoice_action", args=[invoice.pk, "issue"]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number
    client.post(reverse("sales:invoice_action", args=[invoice.pk, "pay"]), {
        "date": datetime.date.today().isoformat(), "amount": "720,00", "method": "transfer"})  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    page = client.get(reverse("sales:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Payée" in page and "Émise" in page and "Brouillon" in page
    response = client.post(reverse("sales:invoice_action", args=[invoice.pk, "pay"]), {
        "date": datetime.date.today().isoformat(), "amount": "1", "method": "cash"}, follow=True)  # fmt: skip
    assert "dépasse le restant dû" in response.content.decode()
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_detail_pages_in_every_state(personas):
    from alveole.sales.services import (
        invoice_submit,
        quote_accept,
        quote_send,
        sales_settings_update,
    )

    alice = personas.entrepreneur
    customer = company(alice.business)
    quote = quote_create(actor=None, business=alice.business, customer=customer, lines=LINES)
    staff, owner = personas.staff.client, alice.client
    url = reverse("sales:quote_detail", args=[quote.pk])
    assert "Envoyer le devis" in owner.get(url).content.decode()
    quote_send(actor=None, quote=quote, email=False)
    assert "Accepté" in owner.get(url).content.decode()
    quote_accept(actor=None, quote=quote)
    assert "Créer la facture" in owner.get(url).content.decode()
    sales_settings_update(actor=None, business=alice.business, requires_validation=True)
    pending = draft(alice.business, customer)
    url = reverse("sales:invoice_detail", args=[pending.pk])
    assert "Soumettre à validation" in owner.get(url).content.decode()
    assert "Émettre" in staff.get(url).content.decode()
    invoice_submit(actor=None, invoice=pending)
    assert "En attente de validation" in owner.get(url).content.decode()
    assert "Renvoyer pour correction" in staff.get(url).content.decode()
    response = staff.post(
        reverse("sales:invoice_action", args=[pending.pk, "return"]), {"reason": "TVA"}
    )
    pending.refresh_from_db()
    assert pending.status == "draft"
    response = owner.post(reverse("sales:invoice_action", args=[pending.pk, "issue"]))
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.number is None
    edit = owner.get(reverse("sales:invoice_edit", args=[pending.pk]))
    assert edit.status_code == 200
    assert edit.context["formset"].initial[1]["quantity"] == Decimal("2.5")


def test_internal_sale_shows_on_the_buyer_side_read_only(personas):
    from alveole.sales.services import internal_customer_for

    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    pending = draft(alice.business, customer)
    invoice = issued(alice.business, customer)
    response = bob.client.get(reverse("sales:purchase_list"))
    assert response.context["totals"]["rows"] == 1
    assert invoice.number in response.content.decode()
    assert bob.client.get(reverse("sales:invoice_detail", args=[invoice.pk])).status_code == 200
    assert bob.client.get(reverse("sales:invoice_detail", args=[pending.pk])).status_code == 404
    before = _snapshot()
    response = bob.client.post(reverse("sales:invoice_action", args=[invoice.pk, "pay"]), {
        "date": datetime.date.today().isoformat(), "amount": "1", "method": "cash"})  # fmt: skip
    assert response.status_code == 403
    assert _snapshot() == before
    assert alice.client.get(reverse("sales:purchase_list")).context["totals"]["rows"] == 0


def test_sales_settings_page(personas):
    from alveole.sales.models import SalesSettings

    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    url = reverse("sales:settings", args=[alice.business.pk])
    assert bob.client.get(url).status_code == 404
    assert personas.anonymous.client.get(url).status_code == 302
    data = {"payment_terms_days": "45", "late_penalty_text": "Trois fois le taux légal",
            "early_payment_text": "Pas d'escompte", "footer": "", "requires_validation": "on"}  # fmt: skip
    response = alice.client.post(url, data)
    assert response.status_code == 302
    saved = SalesSettings.objects.get(business=alice.business)
    assert (saved.payment_terms_days, saved.requires_validation) == (
        45,
        False,
    )  # not hers to decide
    assert personas.staff.client.post(url, data).status_code == 302
    saved.refresh_from_db()
    assert saved.requires_validation is True
    data["payment_terms_days"] = "90"
    assert alice.client.post(url, data).status_code == 400
    saved.refresh_from_db()
    assert saved.payment_terms_days == 45
