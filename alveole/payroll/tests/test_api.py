"""The payroll and grants API: every route for every persona, scoping, refused writes
change nothing, errors in the one format, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Grant, GrantAllocation
from alveole.coop.services import grant_create
from alveole.core.models import AuditEvent
from alveole.payroll import services
from alveole.payroll.models import ContributionRule, PayrollCharge, PayrollRecord
from alveole.payroll.tests.helpers import make_record, make_rule
from tests.api_client import PersonaApi
from tests.factories import make_business, make_entrepreneur, make_staff_person

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.payroll.tests.api_urls")]

D = datetime.date
PERSONAS = ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director", "anonymous")


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))


@pytest.fixture
def records(personas):
    business_create(
        actor=None,
        name="Structure",
        code="STRUCT",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )
    colleague = make_staff_person(first_name="Camille", last_name="Collègue")
    return {
        "alice": make_record(personas.entrepreneur.person),
        "bob": make_record(
            personas.other_entrepreneur.person, gross_cents=150_000, net_cents=120_000
        ),
        "sacha": make_record(personas.staff.person, gross_cents=250_000, net_cents=195_000),
        "camille": make_record(colleague, gross_cents=260_000, net_cents=200_000),
    }


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def state() -> tuple:
    return (
        list(PayrollRecord.objects.order_by("pk").values_list("pk", "gross_cents", "month")),
        list(PayrollCharge.objects.order_by("pk").values_list("business_id", "amount_cents")),
        list(ContributionRule.objects.order_by("pk").values_list("pk", "rate", "effective_to")),
        list(Grant.objects.order_by("pk").values_list("pk", "amount_cents")),
        AuditEvent.objects.count(),
    )


def body(person_id: int, **fields: Any) -> dict[str, Any]:
    values = {
        "person_id": person_id, "month": "2026-04-01", "gross_cents": 182_303,
        "employee_contributions_cents": 37_994, "employer_contributions_cents": 77_053,
        "reduction_cents": 72_575, "net_cents": 144_309, "paid_hours": "151.67",
    }  # fmt: skip
    values.update(fields)
    return values


# --- payroll records ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("entrepreneur", {"Alice Martin"}),
        ("other_entrepreneur", {"Bob Durand"}),
        ("staff", {"Alice Martin", "Bob Durand", "Sacha Appui"}),
        ("accountant", {"Alice Martin", "Bob Durand", "Sacha Appui", "Camille Collègue"}),
        ("director", {"Alice Martin", "Bob Durand", "Sacha Appui", "Camille Collègue"}),
    ],
)
def test_list_is_scoped(api, records, who, seen):
    response = api(who, "get", "/api/payroll/records")
    assert response.status_code == 200
    data = response.json()
    assert {r["person_name"] for r in data["results"]} == seen
    assert data["count"] == data["totals"]["count"] == len(seen)


def test_anonymous_gets_401_everywhere(api, records):
    for method, url in [
        ("get", "/api/payroll/records"), ("post", "/api/payroll/records"),
        ("get", f"/api/payroll/records/{records['alice'].pk}"), ("get", "/api/payroll/simulation"),
        ("get", "/api/payroll/rates"), ("get", "/api/payroll/contribution-rules"),
        ("get", "/api/payroll/figures/2026"), ("get", "/api/cooperative/grants"),
    ]:  # fmt: skip
        response = api("anonymous", method, url)
        assert response.status_code == 401, url
        assert error(response)["code"] == "unauthenticated"


def test_record_detail_scoping(api, records):
    alice = records["alice"].pk
    assert api("entrepreneur", "get", f"/api/payroll/records/{alice}").status_code == 200
    response = api("other_entrepreneur", "get", f"/api/payroll/records/{alice}")
    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    assert api("staff", "get", f"/api/payroll/records/{records['camille'].pk}").status_code == 404
    record = api("director", "get", f"/api/payroll/records/{records['camille'].pk}").json()
    assert record["employer_cost_cents"] == 260_000 + 77_053 - 72_575
    assert record["paid_hours"] == "151.67"
    assert record["charges"] == [
        {
            "business_id": record["charges"][0]["business_id"],
            "business_code": "STRUCT",
            "amount_cents": 264_478,
        }
    ]


def test_filters_and_totals(api, records):
    data = api(
        "accountant", "get", "/api/payroll/records?kind=entrepreneur&year=2026&month=3"
    ).json()
    assert data["count"] == 2
    assert data["totals"]["gross_cents"] == 332_303
    assert data["totals"]["paid_hours"] == "303.34"
    assert api("accountant", "get", "/api/payroll/records?year=2025").json()["count"] == 0
    response = api("accountant", "get", "/api/payroll/records?month=13")
    assert response.status_code == 422
    assert error(response)["fields"] == {"month": ["La valeur doit être au plus 12."]}


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_writers_create_update_delete(api, personas, records, who):
    response = api(who, "post", "/api/payroll/records", body(personas.entrepreneur.person.pk))
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["charges"][0]["business_code"] == "ALICE"
    assert record["employer_cost_cents"] == 186_781
    response = api(
        who,
        "patch",
        f"/api/payroll/records/{record['id']}",
        {"gross_cents": 182_403, "net_cents": 144_409},
    )
    assert response.status_code == 200
    assert response.json()["charges"][0]["amount_cents"] == 186_881
    assert api(who, "delete", f"/api/payroll/records/{record['id']}").status_code == 204
    assert not PayrollRecord.objects.filter(pk=record["id"]).exists()


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_entrepreneurs_cannot_write(api, personas, records, who):
    before = state()
    alice = records["alice"].pk
    response = api(who, "post", "/api/payroll/records", body(personas.entrepreneur.person.pk))
    assert response.status_code == 403
    assert error(response) == {
        "code": "forbidden",
        "message": "Votre rôle ne permet pas cette action.",
        "fields": {},
    }
    assert api(who, "patch", f"/api/payroll/records/{alice}", {"gross_cents": 1}).status_code == 403
    assert api(who, "delete", f"/api/payroll/records/{alice}").status_code == 403
    assert state() == before


def test_staff_cannot_write_the_support_team_s_pay(api, records):
    before = state()
    camille, sacha = records["camille"], records["sacha"]
    response = api("staff", "post", "/api/payroll/records", body(camille.person_id))
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "person_id": ["Personne inconnue ou dont vous ne saisissez pas la paie."]
    }
    assert (
        api("staff", "patch", f"/api/payroll/records/{camille.pk}", {"gross_cents": 1}).status_code
        == 404
    )
    assert (
        api("staff", "patch", f"/api/payroll/records/{sacha.pk}", {"gross_cents": 1}).status_code
        == 403
    )
    assert api("staff", "delete", f"/api/payroll/records/{sacha.pk}").status_code == 403
    assert state() == before


def test_refused_figures_in_french_and_nothing_written(api, personas, records):
    before = state()
    person = personas.entrepreneur.person.pk
    response = api("accountant", "post", "/api/payroll/records", body(person, net_cents=200_000))
    assert response.status_code == 400
    assert error(response)["fields"] == {"net_cents": ["Le net ne peut pas dépasser le brut."]}
    response = api("accountant", "post", "/api/payroll/records", body(person, month="2026-03-15"))
    assert error(response)["fields"] == {
        "month": ["La paie de Alice Martin pour mars 2026 est déjà enregistrée."]
    }
    response = api(
        "accountant", "post", "/api/payroll/records",
        body(person, charges=[{"business_id": personas.entrepreneur.business.pk, "amount_cents": 100_000},
                              {"business_id": personas.other_entrepreneur.business.pk, "amount_cents": 1}]),
    )  # fmt: skip
    assert "au lieu du coût employeur" in error(response)["fields"]["charges"][0]
    response = api(
        "accountant",
        "post",
        "/api/payroll/records",
        body(person, charges=[{"business_id": 999_999}]),
    )
    assert error(response)["fields"] == {"charges": ["Activité inconnue."]}
    response = api("accountant", "post", "/api/payroll/records", body(person, paid_hours="151.675"))
    assert response.status_code == 422
    assert error(response)["fields"] == {"paid_hours": ["Trop de décimales."]}
    response = api("accountant", "post", "/api/payroll/records", body(person, surprise=1))
    assert error(response)["fields"] == {"surprise": ["Champ inconnu."]}
    assert state() == before


def test_list_query_count_is_constant(api, records):
    api("director", "get", "/api/payroll/records")
    with CaptureQueriesContext(connection) as few:
        api("director", "get", "/api/payroll/records")
    for n in range(6):
        person = make_entrepreneur(first_name=f"P{n}")
        make_business(person)
        make_record(person)
    with CaptureQueriesContext(connection) as many:
        assert api("director", "get", "/api/payroll/records").json()["count"] == 10
    assert len(many) == len(few)


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_year_figures(api, records, who):
    data = api(who, "get", "/api/payroll/figures/2026").json()
    assert data["wage_bill_cents"] == 182_303 + 150_000 + 250_000 + 260_000
    assert data["paid_hours"] == "606.68"
    assert data["fte"] == "0.33"
    assert (
        data["average_gross_monthly_salary_cents"] == (182_303 + 150_000) // 2 + 1
    )  # 1 661,515 → 1 661,52
    assert api(who, "get", "/api/payroll/figures/2019").json()["wage_bill_cents"] is None


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_year_figures_not_for_entrepreneurs(api, records, who):
    assert api(who, "get", "/api/payroll/figures/2026").status_code == 403


# --- simulator and rates --------------------------------------------------------------------


def test_simulation_for_an_entrepreneur_s_own_business(api, personas):
    business = personas.entrepreneur.business.pk
    data = api(
        "entrepreneur",
        "get",
        f"/api/payroll/simulation?business_id={business}&month=2026-03-10&budget_cents=499240",
    ).json()
    assert (data["gross_cents"], data["net_cents"], data["employer_cost_cents"]) == (
        364_606,
        288_622,
        499_240,
    )
    assert data["reduction_coefficient"] == "0.0534"
    assert data["unused_budget_cents"] == 0
    assert data["month"] == "2026-03-01"
    assert {line["code"]: line["employer_cents"] for line in data["lines"]}["maladie"] == 47_399
    data = api(
        "entrepreneur",
        "get",
        f"/api/payroll/simulation?business_id={business}&month=2026-03-01&gross_cents=182303",
    ).json()
    assert data["employer_cost_cents"] == 186_781
    response = api(
        "other_entrepreneur",
        "get",
        f"/api/payroll/simulation?business_id={business}&month=2026-03-01&gross_cents=182303",
    )
    assert response.status_code == 404


def test_simulation_errors(api, personas):
    business = personas.entrepreneur.business.pk
    response = api(
        "staff", "get", f"/api/payroll/simulation?business_id={business}&month=2026-03-01"
    )
    assert response.status_code == 400
    assert error(response)["message"] == "Indiquez soit budget_cents, soit gross_cents."
    response = api(
        "staff",
        "get",
        f"/api/payroll/simulation?business_id={business}&month=2025-03-01&gross_cents=1",
    )
    assert error(response)["fields"] == {
        "month": ["Aucun paramètre de paie (SMIC, plafond) n'est en vigueur au 01/03/2025."]
    }


@pytest.mark.parametrize("who", PERSONAS[:-1])
def test_rates(api, who):
    data = api(who, "get", "/api/payroll/rates?at=2026-06-01").json()
    assert data["parameters"]["pmss_cents"] == 400_500
    assert data["parameters"]["reduction_tdelta"] == "0.3781"
    assert len(data["rates"]) == 20
    response = api(who, "get", "/api/payroll/rates?at=2025-06-01")
    assert response.status_code == 404


# --- contribution rules ---------------------------------------------------------------------


@pytest.fixture
def rules(personas):
    return {
        "default": make_rule(),
        "alice": make_rule(
            business=personas.entrepreneur.business, rate=Decimal(8), effective_from=D(2026, 11, 1)
        ),
        "future": make_rule(rate=Decimal(11), effective_from=D(2027, 1, 1)),
    }


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_rules_read(api, personas, rules, who):
    data = api(who, "get", "/api/payroll/contribution-rules").json()
    assert data["count"] == 3
    data = api(
        who,
        "get",
        f"/api/payroll/contribution-rules/for-business/{personas.entrepreneur.business.pk}?at=2026-12-01",
    ).json()
    assert data["rule"]["id"] == rules["alice"].pk
    data = api(
        who,
        "get",
        f"/api/payroll/contribution-rules/for-business/{personas.other_entrepreneur.business.pk}?at=2027-01-01",
    ).json()
    assert data["rule"]["rate"] == "11.000"


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_rules_hidden_from_entrepreneurs(api, personas, rules, who):
    assert api(who, "get", "/api/payroll/contribution-rules").status_code == 403
    assert (
        api(who, "get", f"/api/payroll/contribution-rules/{rules['default'].pk}").status_code == 403
    )
    assert (
        api(
            who,
            "get",
            f"/api/payroll/contribution-rules/for-business/{personas.entrepreneur.business.pk}",
        ).status_code
        == 403
    )


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur", "staff"])
def test_rule_writes_refused(api, rules, who):
    before = state()
    new = {
        "base": "gross_margin",
        "rate": "12",
        "effective_from": "2027-02-01",
        "decision_reference": "AG",
        "decision_date": "2026-06-01",
    }
    assert api(who, "post", "/api/payroll/contribution-rules", new).status_code == 403
    assert (
        api(
            who,
            "post",
            f"/api/payroll/contribution-rules/{rules['alice'].pk}/end",
            {"effective_to": "2027-03-31"},
        ).status_code
        == 403
    )
    assert (
        api(who, "delete", f"/api/payroll/contribution-rules/{rules['future'].pk}").status_code
        == 403
    )
    assert state() == before


@pytest.mark.parametrize("who", ["accountant", "director"])
def test_rule_writes(api, personas, rules, who):
    response = api(who, "post", "/api/payroll/contribution-rules", {
        "business_id": personas.other_entrepreneur.business.pk, "base": "gross_margin", "rate": "10.5",
        "effective_from": "2027-02-01", "decision_reference": "AG du 14/06/2026", "decision_date": "2026-06-14",
        "tiers": [{"threshold_cents": 5_000_000, "rate": "8"}],
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["tiers"] == [{"threshold_cents": 5_000_000, "rate": "8.000"}]
    response = api(
        who,
        "post",
        f"/api/payroll/contribution-rules/{rules['alice'].pk}/end",
        {"effective_to": "2027-03-31"},
    )
    assert response.json()["effective_to"] == "2027-03-31"
    assert (
        api(who, "delete", f"/api/payroll/contribution-rules/{rules['future'].pk}").status_code
        == 204
    )
    response = api(who, "delete", f"/api/payroll/contribution-rules/{rules['default'].pk}")
    assert response.status_code == 400
    assert error(response)["message"].startswith("Une règle entrée en vigueur ne se supprime pas")
    response = api(who, "post", "/api/payroll/contribution-rules", {
        "base": "gross_margin", "rate": "12", "effective_from": "2026-09-01", "decision_reference": "AG",
        "decision_date": "2026-06-01",
    })  # fmt: skip
    assert response.status_code == 400
    assert error(response)["fields"]["effective_from"][0].startswith(
        "Cette date réécrirait des mois passés"
    )


# --- grants ---------------------------------------------------------------------------------


@pytest.fixture
def grant():
    return grant_create(
        actor=None, funder_kind="region", funder_name="Région Occitanie", programme="Création",
        amount_cents=3_000_000, start_year=2025, end_year=2026,
    )  # fmt: skip


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_grants_read(api, grant, who):
    data = api(who, "get", "/api/cooperative/grants?year=2026").json()
    assert data["count"] == 1
    assert data["results"][0]["allocations"] == [
        {"year": 2025, "amount_cents": 1_500_000},
        {"year": 2026, "amount_cents": 1_500_000},
    ]
    data = api(who, "get", "/api/cooperative/grants/by-funder?year=2025").json()
    assert data == {
        "year": 2025,
        "total_cents": 1_500_000,
        "funders": [{"funder_kind": "region", "label": "Région", "amount_cents": 1_500_000}],
    }
    assert api(who, "get", f"/api/cooperative/grants/{grant.pk}").json()["programme"] == "Création"


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_grants_hidden_from_entrepreneurs(api, grant, who):
    assert api(who, "get", "/api/cooperative/grants").status_code == 403
    assert api(who, "get", f"/api/cooperative/grants/{grant.pk}").status_code == 403
    assert api(who, "get", "/api/cooperative/grants/by-funder?year=2025").status_code == 403


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur", "staff"])
def test_grant_writes_refused(api, grant, who):
    before = state()
    new = {
        "funder_kind": "fse",
        "programme": "FSE+",
        "amount_cents": 100,
        "start_year": 2026,
        "end_year": 2026,
    }
    assert api(who, "post", "/api/cooperative/grants", new).status_code == 403
    assert (
        api(who, "patch", f"/api/cooperative/grants/{grant.pk}", {"amount_cents": 1}).status_code
        == 403
    )
    assert api(who, "delete", f"/api/cooperative/grants/{grant.pk}").status_code == 403
    assert state() == before


@pytest.fixture
def support(personas):
    """The support structure: a grant written through the API posts its entries for it."""
    return business_create(
        actor=None,
        name="Structure d'accompagnement",
        code="CAE",
        kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=D(2020, 1, 1),
    )


@pytest.mark.parametrize("who", ["accountant", "director"])
def test_grant_writes(api, grant, support, who):
    response = api(who, "post", "/api/cooperative/grants", {
        "funder_kind": "fse", "programme": "FSE+", "amount_cents": 1_000_000, "start_year": 2026, "end_year": 2027,
        "allocations": [{"year": 2026, "amount_cents": 700_000}, {"year": 2027, "amount_cents": 300_000}],
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    created = response.json()["id"]
    assert dict(
        GrantAllocation.objects.filter(grant_id=created).values_list("year", "amount_cents")
    ) == {2026: 700_000, 2027: 300_000}
    response = api(
        who, "patch", f"/api/cooperative/grants/{grant.pk}", {"received_date": "2025-06-01"}
    )
    assert response.json()["received_date"] == "2025-06-01"
    response = api(who, "patch", f"/api/cooperative/grants/{grant.pk}", {"end_year": 2020})
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "end_year": ["La dernière année couverte ne peut pas précéder la première."]
    }
    assert api(who, "delete", f"/api/cooperative/grants/{created}").status_code == 204


def test_grants_query_count_is_constant(api, grant):
    api("accountant", "get", "/api/cooperative/grants")
    with CaptureQueriesContext(connection) as few:
        api("accountant", "get", "/api/cooperative/grants")
    for n in range(5):
        grant_create(
            actor=None,
            funder_kind="state",
            programme=f"P{n}",
            amount_cents=100,
            start_year=2026,
            end_year=2026,
        )
    with CaptureQueriesContext(connection) as many:
        assert api("accountant", "get", "/api/cooperative/grants").json()["count"] == 6
    assert len(many) == len(few)
