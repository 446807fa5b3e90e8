"""The home dashboards: known figures, scope, links, a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alveole.core.dates import today
from alveole.core.formatting import format_cents
from alveole.people.models import Contract
from alveole.people.services import cape_start, cesa_start
from alveole.reports.dashboards import entrepreneur_dashboard, staff_dashboard, year_to_date
from alveole.reports.tests.conftest import credit, customer, pay, sale
from alveole.sales.models import Customer, Invoice, InvoiceStatus
from alveole.sales.services import invoice_create
from tests.factories import make_business, make_entrepreneur, make_person

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)


@pytest.fixture
def sales(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    c = customer(alice.business, Customer.Kind.COMPANY, "32000")
    this_year = sale(alice.business, c, "1000", D(2025, 3, 1))
    credit(this_year, "100", DAY)  # the same day counts
    sale(alice.business, c, "300", D(2024, 6, 30))  # last year, same date: counted
    sale(alice.business, c, "200", D(2024, 7, 1))  # last year after the same date
    sale(alice.business, c, "50", D(2025, 7, 1))  # after today: not counted
    sale(bob.business, customer(bob.business, Customer.Kind.COMPANY, "32000"), "999", D(2025, 2, 1))
    return personas


def test_entrepreneur_turnover_this_year_and_last_at_the_same_date(sales):
    dashboard = entrepreneur_dashboard(user=sales.entrepreneur.user, day=DAY)
    assert [card.business.code for card in dashboard.businesses] == ["ALICE"]  # not Bob's
    card = dashboard.businesses[0]
    assert card.turnover_cents == 90_000  # 1 000 − 100
    assert card.turnover_before_cents == 30_000
    assert card.turnover_last_year_cents == 50_000
    assert card.turnover_url == (
        f"/sales/invoices/?business={card.business.pk}&date_from=2025-01-01&date_to=2025-06-30"
    )


def test_entrepreneur_unpaid_and_late_invoices(sales):
    invoices = entrepreneur_dashboard(user=sales.entrepreneur.user, day=DAY).invoices
    # 1 200 TTC − 120 credited; 360 and 240 from 2024; 60 issued on 1 July (not late yet)
    assert invoices["unpaid_count"] == 4
    assert invoices["unpaid_cents"] == 108_000 + 36_000 + 24_000 + 6_000
    assert invoices["late_count"] == 3
    assert invoices["late_cents"] == 108_000 + 36_000 + 24_000
    assert invoices["late_url"] == "/sales/invoices/?late=on"
    # the unpaid split by status adds up, and each part is the list it links to
    assert sum(row["count"] for row in invoices["unpaid_by_status"]) == 4
    issued = next(r for r in invoices["unpaid_by_status"] if r["status"] == InvoiceStatus.ISSUED)
    listed = Invoice.objects.filter(business=sales.entrepreneur.business).invoices()
    assert issued["count"] == listed.filter(status=InvoiceStatus.ISSUED).count()
    assert issued["url"] == "/sales/invoices/?status=issued"


def test_entrepreneur_treasury_and_the_salary_it_allows(sales):
    card = entrepreneur_dashboard(user=sales.entrepreneur.user, day=DAY).businesses[0]
    assert card.treasury is not None
    available = card.treasury.treasury.available_cents
    if card.salary_missing:  # no payroll rates in force: said, never 0
        assert card.salary_gross_cents is None
    elif available <= 0:
        assert card.salary_gross_cents == 0
    else:
        assert 0 < card.salary_employer_cost_cents <= available
        assert card.salary_gross_cents < card.salary_employer_cost_cents
        assert "mode=budget" in card.simulator_url


def test_staff_dashboard_contracts_ending_waiting_documents_and_late(sales):
    alice = sales.entrepreneur
    cape = make_person(first_name="Cap", last_name="Fin")
    cape_start(actor=None, person=cape, start_date=D(2025, 1, 1), planned_end_date=D(2025, 8, 29))
    cesa = make_person(first_name="Cesa", last_name="Fin")
    contract = cesa_start(actor=None, person=cesa, start_date=D(2025, 1, 1), monthly_hours=151.67)
    # a fixed-term CESA (imported): its planned end is in the window too
    Contract.objects.filter(pk=contract.pk).update(planned_end_date=D(2025, 7, 15))
    later = make_person(first_name="Plus", last_name="Tard")
    cape_start(actor=None, person=later, start_date=D(2025, 1, 1), planned_end_date=D(2025, 8, 30))
    draft = invoice_create(
        actor=None, business=alice.business,
        customer=Customer.objects.filter(business=alice.business).first(),
        lines=[{"description": "x", "quantity": 1, "unit_price": 10, "vat_rate": 20}],
    )  # fmt: skip
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.TO_VALIDATE)
    dashboard = staff_dashboard(user=sales.staff.user, day=DAY)
    assert [c.person.last_name for c in dashboard.ending] == ["Fin", "Fin"]  # 60 days: 29 Aug
    assert {c.kind for c in dashboard.ending} == {"cape", "cesa"}
    waiting = {row["label"]: row for row in dashboard.waiting}
    assert waiting["Factures de vente à valider"]["count"] == 1
    assert waiting["Factures de vente à valider"]["url"] == "/sales/invoices/?status=to_validate"
    # Alice's three late invoices and Bob's (due early March)
    assert dashboard.invoices["late_count"] == 4
    assert dashboard.late[0].due_date <= dashboard.late[-1].due_date
    assert dashboard.followed is not None
    assert [p.first_name for p in dashboard.followed] == ["Alice"]


def test_year_to_date_against_last_year_at_the_same_date(sales):
    pay(sales.entrepreneur.person, D(2025, 6, 1), 1500, 300, 600, "100")
    pay(sales.entrepreneur.person, D(2025, 7, 1), 9999, 0, 0, "1")  # after the month of today
    pay(sales.entrepreneur.person, D(2024, 6, 1), 1000, 200, 400, "100")
    comparisons = {c.key: c for c in year_to_date(day=DAY)}
    turnover = comparisons["entrepreneurs_turnover"]
    assert (turnover.value, turnover.previous) == (90_000 + 99_900, 30_000)
    assert turnover.url == "/sales/invoices/?date_from=2025-01-01&date_to=2025-06-30"
    assert turnover.previous_url == "/sales/invoices/?date_from=2024-01-01&date_to=2024-06-30"
    wage = comparisons["wage_bill"]
    assert (wage.value, wage.previous) == (150_000, 100_000)
    assert wage.change == 0.5
    members = comparisons["members"]
    assert (members.value, members.previous) == (2, 2)  # Alice and Bob, CESA since 2024


def test_the_home_pages_show_the_dashboards(sales):
    body = sales.entrepreneur.client.get(reverse("home")).content.decode()
    card = entrepreneur_dashboard(user=sales.entrepreneur.user, day=today()).businesses[0]
    assert format_cents(card.turnover_last_year_cents) in body
    assert card.turnover_url.replace("&", "&amp;") in body
    assert "Salaire brut mensuel possible" in body
    assert "Bob Conseil" not in body
    body = sales.staff.client.get(reverse("home")).content.decode()
    assert "Factures en retard" in body
    assert "CA des entrepreneurs" in body
    assert 'href="/sales/invoices/?late=on"' in body


def _grow(n: int) -> None:
    for i in range(n):
        person = make_entrepreneur(first_name=f"Plus{n}-{i}", department="31")
        business = make_business(person)
        sale(business, customer(business, Customer.Kind.COMPANY, "31000"), "10", D(2025, 1, i + 1))


@pytest.mark.parametrize("who", ["entrepreneur", "staff", "accountant", "director"])
def test_the_home_pages_take_a_constant_number_of_queries(
    personas, who, django_assert_max_num_queries
):
    client = getattr(personas, who).client
    _grow(2)
    client.get(reverse("home"))  # warm the session and the cooperative's settings
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("home")).status_code == 200
    _grow(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("home")).status_code == 200
