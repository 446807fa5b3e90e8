"""The report page: who may open it, what it shows, and a constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.reports.tests.conftest import customer, sale
from alveole.sales.models import Customer
from tests.factories import make_business, make_entrepreneur


@pytest.mark.parametrize(
    ("who", "expected"),
    [("entrepreneur", 403), ("other_entrepreneur", 403), ("staff", 200), ("accountant", 200),
     ("director", 200), ("anonymous", 302)],
)  # fmt: skip
def test_who_may_open_the_report(coop_2025, who, expected):
    response = getattr(coop_2025, who).client.get("/report/2025/")
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response["Location"] or "login" in response["Location"]
    if expected == 403:
        assert "2400" not in response.content.decode()


def test_the_page_shows_figures_drilldowns_charts_and_appendix(coop_2025):
    response = coop_2025.director.client.get("/report/2025/")
    html = response.content.decode()
    for title in ("Une entreprise de personnes", "Une entreprise productive et pérenne",
                  "Une gouvernance démocratique", "Annexe : définitions"):  # fmt: skip
        assert title in html
    assert "2\u202f400\u202f€" in html
    assert 'href="/sales/invoices/?date_from=2025-01-01&amp;date_to=2025-12-31"' in html
    assert "<svg" in html
    assert "Bénéficiaires du RSA" in html  # the director may see it


def test_the_accountant_does_not_see_the_rsa_split(coop_2025):
    html = coop_2025.accountant.client.get("/report/2025/").content.decode()
    assert "Bénéficiaires du RSA" not in html
    assert "Autres statuts" in html


def test_choosing_the_year(coop_2025):
    response = coop_2025.staff.client.get("/report/?year=2024")
    assert response.status_code == 302
    assert response["Location"] == "/report/2024/"


def _grow(n: int) -> None:
    for i in range(n):
        person = make_entrepreneur(first_name=f"Extra{n}-{i}", department="31")
        business = make_business(person)
        sale(
            business,
            customer(business, Customer.Kind.COMPANY, "31000"),
            "10",
            datetime.date(2025, 6, i % 28 + 1),
        )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/report/2025/").status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(personas):
    _grow(3)
    three = _queries(personas.director.client)
    _grow(27)
    thirty = _queries(personas.director.client)
    assert thirty == three
    assert Decimal(three) < 80


def test_a_missing_figure_shows_as_missing_with_its_reason(coop_2025):
    html = coop_2025.staff.client.get("/report/2023/").content.decode()
    assert "Manquant" in html
    assert "aucune paie enregistrée pour l&#x27;année" in html
