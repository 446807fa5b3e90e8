"""The businesses API: every route for every persona, scoping, errors, query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alveole.businesses.models import Business, Membership
from alveole.businesses.services import membership_add
from alveole.core.models import AuditEvent
from tests.api_client import PersonaApi
from tests.factories import make_business, make_entrepreneur, make_person, sector

pytestmark = pytest.mark.django_db

D = datetime.date
NOT_MANAGERS = ("entrepreneur", "other_entrepreneur", "accountant")
MANAGERS = ("staff", "director")


@pytest.fixture
def api(personas) -> PersonaApi:
    return PersonaApi(personas)


def counts() -> dict[str, int]:
    return {
        "Business": Business.objects.count(),
        "Membership": Membership.objects.count(),
        "AuditEvent": AuditEvent.objects.count(),
    }


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "codes"),
    [
        ("entrepreneur", 200, ["ALICE"]),
        ("other_entrepreneur", 200, ["BOB"]),
        ("staff", 200, ["ALICE", "BOB"]),
        ("accountant", 200, ["ALICE", "BOB"]),
        ("director", 200, ["ALICE", "BOB"]),
        ("anonymous", 401, None),
    ],
)
def test_businesses_list_scoping(personas, api, who, status, codes):
    response = api(who, "get", "/api/businesses/")
    assert response.status_code == status
    if codes is None:
        assert error(response)["code"] == "unauthenticated"
        return
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (len(codes), 1, 50)
    assert [b["code"] for b in body["results"]] == codes


def test_a_co_entrepreneur_sees_the_shared_business(personas, api):
    alice_business = personas.entrepreneur.business
    staff_response = api(
        "staff",
        "post",
        f"/api/businesses/{alice_business.pk}/members",
        {"person_id": personas.other_entrepreneur.person.pk, "start_date": "2024-01-01"},
    )
    assert staff_response.status_code == 201
    codes = [
        b["code"] for b in api("other_entrepreneur", "get", "/api/businesses/").json()["results"]
    ]
    assert codes == ["ALICE", "BOB"]


def test_business_output(personas, api):
    business = personas.entrepreneur.business
    body = api("staff", "get", f"/api/businesses/{business.pk}").json()
    membership = business.memberships.get()
    assert body == {
        "id": business.pk,
        "name": "Atelier Alice",
        "code": "ALICE",
        "kind": "entrepreneur",
        "kind_label": "Activité d'entrepreneur·e",
        "sector_id": sector().pk,
        "sector_name": sector().name,
        "description": "",
        "start_date": "2023-07-01",
        "end_date": None,
        "main_person_id": personas.entrepreneur.person.pk,
        "members": [
            {
                "id": membership.pk,
                "person_id": personas.entrepreneur.person.pk,
                "person_name": "Alice Martin",
                "is_main": True,
                "start_date": "2023-07-01",
                "end_date": None,
            }
        ],
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("entrepreneur", 200),
        ("other_entrepreneur", 404),
        ("staff", 200),
        ("accountant", 200),
        ("director", 200),
        ("anonymous", 401),
    ],
)
def test_business_detail_scoping(personas, api, who, status):
    response = api(who, "get", f"/api/businesses/{personas.entrepreneur.business.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["code"] == "ALICE"
    else:
        assert "ALICE" not in response.content.decode()
        assert "Alice" not in response.content.decode()


def test_business_detail_unknown_is_404(personas, api):
    response = api("director", "get", "/api/businesses/999999")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Introuvable.", "fields": {}}
    }


def test_businesses_filters_and_pagination(personas, api):
    carla = make_entrepreneur(first_name="Carla", last_name="Bois")
    make_business(carla, name="Menuiserie Carla", code="CARLA", sector_code="artisanat-commerce")
    closed = make_business(make_entrepreneur(), name="Ancienne activité", code="OLD")
    Business.objects.filter(pk=closed.pk).update(end_date=D(2025, 12, 31))

    def codes(query: str) -> list[str]:
        response = api("accountant", "get", f"/api/businesses/?{query}")
        assert response.status_code == 200, response.content
        return [b["code"] for b in response.json()["results"]]

    assert codes("") == ["OLD", "ALICE", "BOB", "CARLA"]
    assert codes("q=carla") == ["CARLA"]
    assert codes("q=bois") == ["CARLA"]
    assert codes("q=martin") == ["ALICE"]
    assert codes(f"sector={sector('artisanat-commerce').pk}") == ["CARLA"]
    assert codes("active=true") == ["ALICE", "BOB", "CARLA"]
    assert codes("active=false") == ["OLD"]
    assert codes("kind=support_structure") == []
    assert codes("page_size=3&page=2") == ["CARLA"]
    page = api("accountant", "get", "/api/businesses/?page_size=3").json()
    assert (page["count"], page["page"], page["page_size"]) == (4, 1, 3)


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=500", "page_size"), ("kind=shop", "kind"), ("active=peut-etre", "active")],
)
def test_businesses_bad_query_is_422(personas, api, query, field):
    response = api("staff", "get", f"/api/businesses/?{query}")
    assert response.status_code == 422
    assert (error(response)["code"], list(error(response)["fields"])) == (
        "invalid_payload",
        [field],
    )


def test_businesses_list_query_count_is_constant(personas, api):
    api("staff", "get", "/api/businesses/")  # the token's first use is timestamped once
    make_business(make_entrepreneur(), code="THIRD")

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api("staff", "get", "/api/businesses/?page_size=200")
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    count_small, queries_small = run()
    for n in range(27):
        business = make_business(make_entrepreneur(), code=f"MORE{n:02d}")
        if n % 3 == 0:
            make_person_in(business)
    count_large, queries_large = run()
    assert (count_small, count_large) == (3, 30)
    # token lookup, count, page, members with their persons
    assert queries_small == queries_large == 4


def make_person_in(business: Business) -> None:
    membership_add(
        actor=None, business=business, person=make_entrepreneur(), start_date=D(2024, 1, 1)
    )


# --- writes ----------------------------------------------------------------------------------


def _routes(personas: Any) -> dict[str, tuple[str, str, dict[str, Any], int]]:
    alice_business = personas.entrepreneur.business
    return {
        "create": (
            "post",
            "/api/businesses/",
            {
                "name": "Studio Bob",
                "code": "bob-2",
                "sector_id": sector("artisanat-commerce").pk,
                "start_date": "2026-01-01",
                "main_person_id": personas.other_entrepreneur.person.pk,
            },
            201,
        ),
        "update": (
            "patch",
            f"/api/businesses/{alice_business.pk}",
            {"name": "Atelier Alice & Cie", "description": "Céramique"},
            200,
        ),
        "member": (
            "post",
            f"/api/businesses/{alice_business.pk}/members",
            {"person_id": personas.other_entrepreneur.person.pk, "start_date": "2025-09-01"},
            201,
        ),
    }


@pytest.mark.parametrize("route", ["create", "update", "member"])
@pytest.mark.parametrize("who", [*NOT_MANAGERS, "anonymous"])
def test_refused_writes_change_nothing(personas, api, route, who):
    method, url, body, _ = _routes(personas)[route]
    before = counts()
    response = api(who, method, url, body)
    assert response.status_code == (401 if who == "anonymous" else 403)
    if who != "anonymous":
        assert error(response) == {
            "code": "forbidden",
            "message": "Votre rôle ne permet pas cette action.",
            "fields": {},
        }
    assert counts() == before
    business = Business.objects.get(pk=personas.entrepreneur.business.pk)
    assert (business.name, business.description) == ("Atelier Alice", "")


@pytest.mark.parametrize("route", ["create", "update", "member"])
@pytest.mark.parametrize("who", MANAGERS)
def test_managers_write_through_the_services(personas, api, route, who):
    method, url, body, status = _routes(personas)[route]
    before = counts()
    response = api(who, method, url, body)
    assert response.status_code == status, response.content
    data = response.json()
    after = counts()
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    actor = getattr(personas, who).user
    bob = personas.other_entrepreneur.person
    if route == "create":
        assert grown == {"Business": 1, "Membership": 1, "AuditEvent": 2}
        business = Business.objects.get(pk=data["id"])
        assert (business.code, business.name, business.sector.code) == (
            "BOB-2",
            "Studio Bob",
            "artisanat-commerce",
        )
        assert (data["code"], data["main_person_id"]) == ("BOB-2", bob.pk)
        assert [(m["person_id"], m["is_main"]) for m in data["members"]] == [(bob.pk, True)]
    elif route == "update":
        assert grown == {"AuditEvent": 1}
        business = personas.entrepreneur.business
        business.refresh_from_db()
        assert (business.name, business.description) == ("Atelier Alice & Cie", "Céramique")
        assert AuditEvent.objects.filter(actor=actor).get().changes == {
            "name": ["Atelier Alice", "Atelier Alice & Cie"],
            "description": ["", "Céramique"],
        }
    else:
        assert grown == {"Membership": 1, "AuditEvent": 1}
        assert (data["person_id"], data["person_name"], data["is_main"], data["start_date"]) == (
            bob.pk,
            "Bob Durand",
            False,
            "2025-09-01",
        )
    assert AuditEvent.objects.filter(actor=actor).exists()


@pytest.mark.parametrize(
    ("method", "url", "body", "fields"),
    [
        ("post", "/api/businesses/", {"code": "X1", "start_date": "2026-01-01"}, ["name"]),
        ("post", "/api/businesses/", {"name": "X", "code": "X1"}, ["start_date"]),
        (
            "post",
            "/api/businesses/",
            {"name": "X", "code": "X1", "start_date": "2026-01-01", "owner": 1},
            ["owner"],
        ),
        ("patch", "/api/businesses/{alice}", {"start_date": "hier"}, ["start_date"]),
        (
            "post",
            "/api/businesses/{alice}/members",
            {"person_id": "bob"},
            ["person_id", "start_date"],
        ),
    ],
)
def test_schema_errors_are_422_and_write_nothing(personas, api, method, url, body, fields):
    url = url.format(alice=personas.entrepreneur.business.pk)
    before = counts()
    response = api("staff", method, url, body)
    assert response.status_code == 422
    assert error(response)["code"] == "invalid_payload"
    assert sorted(error(response)["fields"]) == fields
    assert counts() == before


@pytest.mark.parametrize(
    ("route", "body", "fields"),
    [
        (
            "create",
            {"name": "X", "code": "x", "start_date": "2026-01-01", "sector_id": None},
            {
                "sector_id": ["Choisissez le secteur de l'activité."],
            },
        ),
        (
            "create",
            {"name": "X", "code": "x!", "start_date": "2026-01-01", "main_person_id": 999999},
            {"main_person_id": ["Personne inconnue."]},
        ),
        (
            "create",
            {"name": "X", "code": "x!", "start_date": "2026-01-01", "sector_id": 999999},
            {"sector_id": ["Secteur inconnu."]},
        ),
        (
            "create",
            {"name": "X", "code": "ALICE", "start_date": "2026-01-01", "sector_id": "SECTOR"},
            {"code": ["Un objet Activité avec ce champ Code analytique existe déjà."]},
        ),
        (
            "create",
            {"name": "X", "code": "NEW", "start_date": "2026-01-01", "sector_id": "SECTOR"},
            {
                "main_person_id": [
                    "Une activité d'entrepreneur·e a un·e entrepreneur·e principal·e."
                ]
            },
        ),
        (
            "update",
            {"code": "ALICE2", "name": "Autre nom"},
            {"code": ["Le code analytique ne change pas : il numérote les factures."]},
        ),
        (
            "update",
            {"end_date": "2020-01-01"},
            {"end_date": ["La fin de l'activité ne peut pas précéder son début."]},
        ),
        (
            "member",
            {"person_id": "ALICE_PERSON", "start_date": "2025-01-01"},
            {"person_id": ["Alice Martin est déjà membre de cette activité."]},
        ),
        (
            "member",
            {"person_id": "BOB_PERSON", "start_date": "2020-01-01"},
            {"start_date": ["L'arrivée ne peut pas précéder le début de l'activité (01/07/2023)."]},
        ),
        (
            "member",
            {"person_id": "BOB_PERSON", "start_date": "2025-01-01", "is_main": True},
            {"is_main": ["Cette activité a déjà un·e entrepreneur·e principal·e."]},
        ),
        (
            "member",
            {"person_id": "STAFF_PERSON", "start_date": "2025-01-01"},
            {"person_id": ["Seul·e un·e entrepreneur·e peut être membre d'une activité."]},
        ),
    ],
)
def test_domain_errors_are_400_and_write_nothing(personas, api, route, body, fields):
    replacements = {
        "SECTOR": sector().pk,
        "ALICE_PERSON": personas.entrepreneur.person.pk,
        "BOB_PERSON": personas.other_entrepreneur.person.pk,
        "STAFF_PERSON": personas.staff.person.pk,
    }
    body = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    method, url, _, _ = _routes(personas)[route]
    before = counts()
    response = api("director", method, url, body)
    assert response.status_code == 400, response.content
    assert error(response)["code"] == "invalid"
    assert error(response)["fields"] == fields
    assert error(response)["message"] == " ; ".join(m for ms in fields.values() for m in ms)
    assert counts() == before
    business = Business.objects.get(pk=personas.entrepreneur.business.pk)
    assert (business.name, business.code, business.end_date) == ("Atelier Alice", "ALICE", None)


def test_member_of_a_person_one_cannot_name_is_400(personas, api):
    # Staff see everyone, so an unknown id is the only "cannot see" case for a manager.
    stranger = make_person()
    before = counts()
    response = api(
        "staff",
        "post",
        f"/api/businesses/{personas.entrepreneur.business.pk}/members",
        {"person_id": stranger.pk + 1000, "start_date": "2025-01-01"},
    )
    assert response.status_code == 400
    assert error(response)["fields"] == {"person_id": ["Personne inconnue."]}
    assert counts() == before


def test_writes_on_an_unknown_business_are_404(personas, api):
    before = counts()
    for method, url, body in (
        ("patch", "/api/businesses/999999", {"name": "X"}),
        ("post", "/api/businesses/999999/members", {"person_id": 1, "start_date": "2025-01-01"}),
    ):
        response = api("staff", method, url, body)
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
    assert counts() == before


def test_openapi_lists_the_routes(personas):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.startswith("/api/businesses")) == [
        "/api/businesses/",
        "/api/businesses/{business_id}",
        "/api/businesses/{business_id}/members",
    ]
