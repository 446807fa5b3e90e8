"""The people API: every route for every persona, scoping, errors, query counts, tokens."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alveole.core.models import AuditEvent
from alveole.people.models import (
    ApiToken,
    Associateship,
    Contract,
    ContractChange,
    Exit,
    InformationMeeting,
    IntakeInterview,
    Person,
)
from alveole.people.services import (
    api_token_create,
    api_token_revoke,
    associate_join,
    cape_start,
    cesa_start,
)
from tests.api_client import PersonaApi
from tests.factories import make_person, sector

pytestmark = pytest.mark.django_db

D = datetime.date
MODELS = (
    Person,
    Contract,
    ContractChange,
    IntakeInterview,
    InformationMeeting,
    Associateship,
    Exit,
    AuditEvent,
    ApiToken,
)
MANAGERS = ("staff", "director")
NOT_MANAGERS = ("entrepreneur", "other_entrepreneur", "accountant")
STAFF_SIDE = ("staff", "accountant", "director")
ALL = ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director", "anonymous")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@dataclass
class World:
    personas: Any
    api: PersonaApi
    alice: Person
    bob: Person
    candidate: Person
    cape_holder: Person
    cape: Contract
    alice_cesa: Contract
    associate: Person
    associateship: Associateship


@pytest.fixture
def world(personas) -> World:
    candidate = make_person(first_name="Camille", last_name="Candidate")
    cape_holder = make_person(first_name="Chloé", last_name="Cape")
    cape = cape_start(
        actor=None, person=cape_holder, start_date=D(2026, 3, 1), planned_end_date=D(2027, 2, 28)
    )
    associate = make_person(first_name="Dominique", last_name="Associe")
    cesa_start(actor=None, person=associate, start_date=D(2022, 1, 1), monthly_hours=Decimal(100))
    associateship = associate_join(actor=None, person=associate, date=D(2023, 1, 1))
    alice = personas.entrepreneur.person
    return World(
        personas=personas,
        api=PersonaApi(personas),
        alice=alice,
        bob=personas.other_entrepreneur.person,
        candidate=candidate,
        cape_holder=cape_holder,
        cape=cape,
        alice_cesa=alice.contracts.get(kind=Contract.Kind.CESA),
        associate=associate,
        associateship=associateship,
    )


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


# --- authentication and tokens -------------------------------------------------------------


def test_token_is_stored_hashed(personas):
    token, raw = api_token_create(actor=None, user=personas.staff.user, name="Script")
    token.refresh_from_db()
    assert raw.startswith("alv_")
    assert token.token_hash == ApiToken.hash(raw)
    assert token.prefix == raw[4:12]
    assert raw not in (token.token_hash, token.prefix, token.name)
    assert ApiToken.objects.filter(token_hash=raw).count() == 0


@pytest.mark.parametrize(
    "header",
    [None, "Bearer alv_nope", "Bearer nothing", "Token abc", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_wrong_token_is_401(personas, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get("/api/people/", **headers)
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Jeton d'API absent, invalide ou révoqué.",
            "fields": {},
        }
    }


def test_a_session_is_not_enough(personas):
    # The API authenticates scripts by token only: a logged-in browser session gets a 401.
    assert personas.staff.client.get("/api/people/").status_code == 401


def test_revoked_token_is_401(personas):
    token, raw = api_token_create(actor=None, user=personas.staff.user, name="Script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/people/", **headers).status_code == 200
    api_token_revoke(actor=None, token=token)
    response = Client().get("/api/people/", **headers)
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_token_of_a_deactivated_account_is_401(personas):
    _, raw = api_token_create(actor=None, user=personas.staff.user, name="Script")
    personas.staff.user.is_active = False
    personas.staff.user.save(update_fields=["is_active"])
    assert Client().get("/api/people/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_use_is_timestamped(personas):
    token, raw = api_token_create(actor=None, user=personas.staff.user, name="Script")
    assert token.last_used_at is None
    Client().get("/api/people/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- the token command ------------------------------------------------------------------------


def test_token_command_create_list_revoke(personas):
    out = io.StringIO()
    call_command("token", "create", "STAFF@example.org", "Export comptable", stdout=out)
    token = ApiToken.objects.get()
    lines = out.getvalue().splitlines()
    raw = lines[1].strip()
    assert lines[0] == "Jeton « Export comptable » créé pour staff@example.org :"
    assert ApiToken.hash(raw) == token.token_hash
    assert lines[2] == "Conservez-le maintenant : il ne sera plus jamais affiché."
    assert token.user == personas.staff.user
    assert Client().get("/api/people/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    out = io.StringIO()
    call_command("token", "list", "staff@example.org", stdout=out)
    listing = out.getvalue()
    assert f"alv_{token.prefix}…" in listing
    assert "Export comptable" in listing
    assert "actif" in listing
    assert raw not in listing

    out = io.StringIO()
    # The listed form ``alv_<prefix>`` is what one copies; a bare prefix may start with
    # "-" and be taken for an option.
    call_command("token", "revoke", f"alv_{token.prefix}…", stdout=out)
    assert out.getvalue().strip() == f"Jeton « Export comptable » ({token.prefix}…) révoqué."
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/people/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(target_type="people.apitoken").count() == 2

    out = io.StringIO()
    call_command("token", "list", "staff@example.org", stdout=out)
    assert "révoqué le" in out.getvalue()


def test_token_command_refusals(personas):
    def refusal(*args: str) -> str:
        with pytest.raises(CommandError) as info:
            call_command("token", *args, stdout=io.StringIO())
        return str(info.value)

    assert refusal("create", "inconnu@example.org", "Script") == (
        "Aucun compte avec l'adresse inconnu@example.org."
    )
    assert refusal("create", "staff@example.org", "  ") == "Donnez un nom au jeton."
    assert refusal("revoke", "zzzzzzzz") == "Aucun jeton actif ne commence par zzzzzzzz."
    assert refusal("list", "inconnu@example.org") == (
        "Aucun compte avec l'adresse inconnu@example.org."
    )
    out = io.StringIO()
    call_command("token", "list", "alice@example.org", stdout=out)
    assert out.getvalue().strip() == "Aucun jeton pour alice@example.org."
    assert ApiToken.objects.count() == 0


# --- reads: the list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "names"),
    [
        ("entrepreneur", 200, ["Alice Martin"]),
        ("other_entrepreneur", 200, ["Bob Durand"]),
        ("staff", 200, ["Sacha Appui", "Bob Durand", "Alice Martin"]),
        ("accountant", 200, ["Sacha Appui", "Bob Durand", "Alice Martin"]),
        ("director", 200, ["Sacha Appui", "Bob Durand", "Alice Martin"]),
        ("anonymous", 401, None),
    ],
)
def test_people_list_scoping(personas, who, status, names):
    api = PersonaApi(personas)
    response = api(who, "get", "/api/people/")
    assert response.status_code == status
    if names is None:
        assert error(response)["code"] == "unauthenticated"
        return
    body = response.json()
    assert body["count"] == len(names)
    assert (body["page"], body["page_size"]) == (1, 50)
    assert [p["full_name"] for p in body["results"]] == names


@pytest.mark.parametrize(
    ("who", "visible", "notes"),
    [
        ("entrepreneur", {"Alice": "rsa"}, {None}),
        ("other_entrepreneur", {"Bob": "job_seeker"}, {None}),
        ("staff", {"Sacha": "", "Bob": "job_seeker", "Alice": "rsa"}, {"", "Suivi serré."}),
        ("director", {"Sacha": "", "Bob": "job_seeker", "Alice": "rsa"}, {"", "Suivi serré."}),
        ("accountant", {"Sacha": None, "Bob": None, "Alice": None}, {None}),
    ],
)
def test_entry_situation_and_notes_only_for_those_who_need_them(personas, who, visible, notes):
    Person.objects.filter(pk=personas.entrepreneur.person.pk).update(
        notes="Suivi serré.", has_other_income=True
    )
    api = PersonaApi(personas)
    results = api(who, "get", "/api/people/").json()["results"]
    assert {p["first_name"]: p["entry_situation"] for p in results} == visible
    assert {p["notes"] for p in results} == notes
    alice = personas.entrepreneur.person.pk
    if who != "other_entrepreneur":
        detail = api(who, "get", f"/api/people/{alice}").json()
        assert (detail["entry_situation"], detail["has_other_income"]) == (
            visible["Alice"],
            True,
        )
        assert detail["notes"] == ("Suivi serré." if who in MANAGERS else None)


def test_people_list_status_at_a_date_and_filters(world):
    api = world.api
    staff_user = world.personas.staff.user

    def names(query: str) -> list[str]:
        response = api("staff", "get", f"/api/people/?{query}")
        assert response.status_code == 200, response.content
        return [p["full_name"] for p in response.json()["results"]]

    body = api("staff", "get", "/api/people/?at=2023-08-01&q=alice").json()
    assert body["count"] == 1
    (alice,) = body["results"]
    assert (alice["status"], alice["status_label"], alice["status_at"]) == (
        "cape",
        "En CAPE",
        "2023-08-01",
    )
    assert names("status=cape") == ["Chloé Cape"]
    assert names("status=associate") == ["Dominique Associe"]
    assert names("status=candidate") == ["Camille Candidate"]
    assert names("status=cape&at=2023-08-01") == ["Bob Durand", "Alice Martin"]
    assert names("kind=support_staff") == ["Sacha Appui"]
    assert names(f"follow_up_staff={staff_user.pk}") == ["Alice Martin"]
    assert names(f"sector={sector().pk}") == ["Bob Durand", "Alice Martin"]
    assert names("department=32&q=durand") == ["Bob Durand"]
    assert names("department=other") == []
    assert names("office=999") == []
    assert names("q=chlo+cape") == ["Chloé Cape"]


def test_people_list_pagination(world):
    api = world.api
    first = api("director", "get", "/api/people/?page_size=4").json()
    assert (first["count"], first["page"], first["page_size"]) == (6, 1, 4)
    assert len(first["results"]) == 4
    second = api("director", "get", "/api/people/?page_size=4&page=2").json()
    assert (second["count"], second["page"], len(second["results"])) == (6, 2, 2)
    ids = [p["id"] for p in first["results"] + second["results"]]
    assert sorted(ids) == sorted(Person.objects.values_list("pk", flat=True))
    beyond = api("director", "get", "/api/people/?page_size=4&page=3").json()
    assert (beyond["count"], beyond["results"]) == (6, [])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=201", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("at=31/12/2024", "at"),
        ("status=retired", "status"),
        ("office=auch", "office"),
    ],
)
def test_people_list_bad_query_is_422(personas, query, field):
    response = PersonaApi(personas)("staff", "get", f"/api/people/?{query}")
    assert response.status_code == 422
    assert error(response)["code"] == "invalid_payload"
    assert error(response)["message"] == "Données invalides."
    assert list(error(response)["fields"]) == [field]


def test_people_list_query_count_is_constant(world):
    api = world.api
    api("staff", "get", "/api/people/")  # the token's first use is timestamped once

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api("staff", "get", "/api/people/?page_size=200")
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    count_small, queries_small = run()
    for n in range(24):
        make_person(first_name=f"Extra{n}", follow_up_staff=world.personas.staff.user)
    count_large, queries_large = run()
    assert (count_small, count_large) == (6, 30)
    # token lookup, count, page: the status and the related names come in the page query
    assert queries_small == queries_large == 3


# --- reads: one person -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "entry_situation", "reads"),
    [
        ("entrepreneur", 200, "rsa", 0),
        ("other_entrepreneur", 404, None, 0),
        ("staff", 200, "rsa", 1),
        ("accountant", 200, None, 1),
        ("director", 200, "rsa", 1),
        ("anonymous", 401, None, 0),
    ],
)
def test_person_detail_scoping_and_read_log(world, who, status, entry_situation, reads):
    alice = world.alice
    response = world.api(who, "get", f"/api/people/{alice.pk}")
    assert response.status_code == status
    read_events = AuditEvent.objects.filter(
        action="read", target_type="people.person", target_id=str(alice.pk)
    )
    assert read_events.count() == reads
    if status != 200:
        assert "Alice" not in response.content.decode()
        return
    if reads:
        event = read_events.get()
        assert event.actor == getattr(world.personas, who).user
        assert event.summary == "Consultation du dossier de Alice Martin"
    body = response.json()
    assert body["full_name"] == "Alice Martin"
    assert body["entry_situation"] == entry_situation
    assert body["status"] == "salaried"
    assert [(c["kind"], c["start_date"], c["end_date"]) for c in body["contracts"]] == [
        ("cape", "2023-07-05", "2023-12-31"),
        ("cesa", "2024-01-01", None),
    ]
    assert body["contracts"][1]["monthly_hours"] == "70.00"
    assert body["associateships"] == []
    assert body["exit"] is None


def test_reading_ones_own_file_is_not_logged(world):
    sacha = world.personas.staff.person
    assert world.api("staff", "get", f"/api/people/{sacha.pk}").status_code == 200
    assert world.api("staff", "get", f"/api/people/{sacha.pk}/timeline").status_code == 200
    assert AuditEvent.objects.filter(action="read").count() == 0


def test_person_detail_status_at_a_date(world):
    body = world.api("staff", "get", f"/api/people/{world.alice.pk}?at=2023-08-01").json()
    assert (body["status"], body["status_at"]) == ("cape", "2023-08-01")
    body = world.api("staff", "get", f"/api/people/{world.alice.pk}?at=2020-01-01").json()
    assert body["status"] == "candidate"


def test_person_detail_unknown_is_404(world):
    response = world.api("staff", "get", "/api/people/999999")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Introuvable.", "fields": {}}
    }


@pytest.mark.parametrize(
    ("who", "status", "reads"),
    [
        ("entrepreneur", 200, 0),
        ("other_entrepreneur", 404, 0),
        ("staff", 200, 1),
        ("accountant", 200, 1),
        ("director", 200, 1),
        ("anonymous", 401, 0),
    ],
)
def test_person_timeline(world, who, status, reads):
    response = world.api(who, "get", f"/api/people/{world.alice.pk}/timeline")
    assert response.status_code == status
    assert AuditEvent.objects.filter(action="read").count() == reads
    if status == 200:
        assert [(e["date"], e["kind"], e["title"]) for e in response.json()] == [
            ("2023-07-05", "cape_start", "Début du CAPE"),
            ("2023-12-31", "cape_end", "Fin du CAPE"),
            ("2024-01-01", "cesa_start", "Début du CESA"),
        ]


# --- writes: every route, every persona ----------------------------------------------------------


def _routes(w: World) -> dict[str, tuple[str, str, dict[str, Any], int]]:
    """Each write route with a valid body: (method, url, body, success status)."""
    return {
        "person_create": (
            "post",
            "/api/people/",
            {"first_name": "Nina", "last_name": "Nouvelle", "postal_code": "65000"},
            201,
        ),
        "person_update": ("patch", f"/api/people/{w.candidate.pk}", {"city": "Tarbes"}, 200),
        "intake_interview": (
            "post",
            f"/api/people/{w.candidate.pk}/intake-interviews",
            {"date": "2026-10-01", "decision": "integrated"},
            201,
        ),
        "cape": (
            "post",
            f"/api/people/{w.candidate.pk}/cape",
            {"start_date": "2026-11-01", "planned_end_date": "2027-10-31"},
            201,
        ),
        "cesa": (
            "post",
            f"/api/people/{w.cape_holder.pk}/cesa",
            {"start_date": "2026-11-01", "monthly_hours": "75.5"},
            201,
        ),
        "renewal": (
            "post",
            f"/api/people/{w.cape_holder.pk}/contracts/{w.cape.pk}/renewal",
            {"date": "2026-11-02", "new_planned_end_date": "2028-01-31"},
            200,
        ),
        "amendment": (
            "post",
            f"/api/people/{w.alice.pk}/contracts/{w.alice_cesa.pk}/amendment",
            {"date": "2026-06-01", "monthly_hours": "120"},
            200,
        ),
        "contract_end": (
            "post",
            f"/api/people/{w.alice.pk}/contracts/{w.alice_cesa.pk}/end",
            {"end_date": "2026-10-31"},
            200,
        ),
        "associate_join": (
            "post",
            f"/api/people/{w.alice.pk}/associateships",
            {"date": "2025-01-01"},
            201,
        ),
        "associate_leave": (
            "post",
            f"/api/people/{w.associate.pk}/associateships/{w.associateship.pk}/leave",
            {"date": "2026-06-30"},
            200,
        ),
        "exit": (
            "post",
            f"/api/people/{w.alice.pk}/exit",
            {"date": "2026-10-31", "outcome": "business_creation", "reason": "Société créée"},
            201,
        ),
    }


ROUTE_NAMES = [
    "person_create",
    "person_update",
    "intake_interview",
    "cape",
    "cesa",
    "renewal",
    "amendment",
    "contract_end",
    "associate_join",
    "associate_leave",
    "exit",
]


@pytest.mark.parametrize("route", ROUTE_NAMES)
@pytest.mark.parametrize("who", [*NOT_MANAGERS, "anonymous"])
def test_refused_writes_change_nothing(world, route, who):
    method, url, body, _ = _routes(world)[route]
    before = counts()
    candidate_city = world.candidate.city
    response = world.api(who, method, url, body)
    if who == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 403
        assert response.json() == {
            "error": {
                "code": "forbidden",
                "message": "Votre rôle ne permet pas cette action.",
                "fields": {},
            }
        }
    assert counts() == before
    world.candidate.refresh_from_db()
    assert world.candidate.city == candidate_city
    world.cape.refresh_from_db()
    assert world.cape.planned_end_date == D(2027, 2, 28)
    world.alice_cesa.refresh_from_db()
    assert (world.alice_cesa.end_date, world.alice_cesa.monthly_hours) == (None, Decimal(70))
    world.associateship.refresh_from_db()
    assert world.associateship.end_date is None


@pytest.mark.parametrize("route", ROUTE_NAMES)
@pytest.mark.parametrize("who", MANAGERS)
def test_managers_write_through_the_services(world, route, who):
    method, url, body, status = _routes(world)[route]
    before = counts()
    response = world.api(who, method, url, body)
    assert response.status_code == status, response.content
    data = response.json()
    after = counts()
    actor = getattr(world.personas, who).user
    assert AuditEvent.objects.filter(actor=actor).exists()
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    if route == "person_create":
        assert grown == {"Person": 1, "AuditEvent": 1}
        person = Person.objects.get(pk=data["id"])
        assert (person.full_name, person.department) == ("Nina Nouvelle", "65")
        assert (data["status"], data["department"], data["contracts"]) == ("candidate", "65", [])
    elif route == "person_update":
        assert grown == {"AuditEvent": 1}
        world.candidate.refresh_from_db()
        assert world.candidate.city == data["city"] == "Tarbes"
        assert AuditEvent.objects.filter(action="update", actor=actor).get().changes == {
            "city": ["Auch", "Tarbes"]
        }
    elif route == "intake_interview":
        assert grown == {"IntakeInterview": 1, "AuditEvent": 1}
        assert (data["decision"], data["decision_label"], data["interviewer_id"]) == (
            "integrated",
            "Intégré·e",
            actor.pk,
        )
    elif route == "cape":
        assert grown == {"Contract": 1, "AuditEvent": 1}
        assert (data["kind"], data["start_date"], data["planned_end_date"]) == (
            "cape",
            "2026-11-01",
            "2027-10-31",
        )
    elif route == "cesa":
        # the running CAPE ends the day before: one more audit event
        assert grown == {"Contract": 1, "AuditEvent": 2}
        assert (data["kind"], data["monthly_hours"]) == ("cesa", "75.50")
        world.cape.refresh_from_db()
        assert world.cape.end_date == D(2026, 10, 31)
    elif route == "renewal":
        assert grown == {"ContractChange": 1, "AuditEvent": 1}
        assert data["planned_end_date"] == "2028-01-31"
        assert [(c["kind"], c["previous_planned_end_date"]) for c in data["changes"]] == [
            ("renewal", "2027-02-28")
        ]
    elif route == "amendment":
        assert grown == {"ContractChange": 1, "AuditEvent": 1}
        assert data["monthly_hours"] == "120.00"
        assert data["changes"][0]["previous_monthly_hours"] == "70.00"
    elif route == "contract_end":
        assert grown == {"AuditEvent": 1}
        assert data["end_date"] == "2026-10-31"
    elif route == "associate_join":
        assert grown == {"Associateship": 1, "AuditEvent": 1}
        assert (data["category"], data["start_date"], data["end_date"]) == (
            "entrepreneur",
            "2025-01-01",
            None,
        )
    elif route == "associate_leave":
        assert grown == {"AuditEvent": 1}
        assert data["end_date"] == "2026-06-30"
    elif route == "exit":
        assert grown == {"Exit": 1, "AuditEvent": 1}
        assert (data["outcome"], data["outcome_label"], data["reason"]) == (
            "business_creation",
            "Création d'entreprise",
            "Société créée",
        )
        assert world.alice.status_at(D(2026, 11, 1)) == "exited"


@pytest.mark.parametrize(
    "url",
    [
        "/api/people/999999/cape",
        "/api/people/{alice}/contracts/{bob_cesa}/end",
        "/api/people/{alice}/contracts/999999/end",
        "/api/people/{alice}/associateships/999999/leave",
    ],
)
def test_writes_on_unknown_objects_are_404(world, url):
    bob_cesa = world.bob.contracts.get(kind=Contract.Kind.CESA)
    url = url.format(alice=world.alice.pk, bob_cesa=bob_cesa.pk)
    body = {"start_date": "2026-11-01", "planned_end_date": "2027-10-31"}
    body = {"end_date": "2026-10-31"} if "/end" in url else body
    body = {"date": "2026-10-31"} if "leave" in url else body
    before = counts()
    response = world.api("staff", "post", url, body)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert counts() == before
    bob_cesa.refresh_from_db()
    assert bob_cesa.end_date is None


# --- bad payloads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "fields"),
    [
        ("post", "/api/people/", {"first_name": "Nina"}, ["last_name"]),
        ("post", "/api/people/", {"first_name": "N", "last_name": "N", "x": 1}, ["x"]),
        (
            "post",
            "/api/people/",
            {"first_name": "N", "last_name": "N", "birth_date": "17/05/1985"},
            ["birth_date"],
        ),
        (
            "post",
            "/api/people/",
            {"first_name": "N", "last_name": "N", "entry_situation": "retired"},
            ["entry_situation"],
        ),
        (
            "patch",
            "/api/people/{candidate}",
            {"has_other_income": "peut-être"},
            ["has_other_income"],
        ),
        (
            "post",
            "/api/people/{candidate}/cape",
            {"start_date": "2026-11-01"},
            ["planned_end_date"],
        ),
        (
            "post",
            "/api/people/{cape_holder}/cesa",
            {"start_date": "2026-11-01", "monthly_hours": "beaucoup"},
            ["monthly_hours"],
        ),
        (
            "post",
            "/api/people/{candidate}/intake-interviews",
            {"date": "2026-10-01", "decision": "maybe"},
            ["decision"],
        ),
        ("post", "/api/people/{alice}/exit", {"date": "2026-10-31", "outcome": "?"}, ["outcome"]),
    ],
)
def test_schema_errors_are_422_and_write_nothing(world, method, url, body, fields):
    url = url.format(
        candidate=world.candidate.pk, cape_holder=world.cape_holder.pk, alice=world.alice.pk
    )
    before = counts()
    response = world.api("staff", method, url, body)
    assert response.status_code == 422
    assert error(response)["code"] == "invalid_payload"
    assert error(response)["message"] == "Données invalides."
    assert list(error(response)["fields"]) == fields
    assert counts() == before


def test_schema_error_messages_are_french(world):
    response = world.api(
        "staff",
        "post",
        "/api/people/",
        {
            "first_name": "Nina",
            "birth_date": "17/05/1985",
            "kind": "robot",
            "office_id": "Auch",
            "has_other_income": "peut-être",
            "nickname": "Nin",
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid_payload",
            "message": "Données invalides.",
            "fields": {
                "kind": ["Valeur inconnue (les valeurs possibles sont dans /api/docs)."],
                "last_name": ["Champ obligatoire."],
                "birth_date": ["Date invalide : format attendu AAAA-MM-JJ."],
                "has_other_income": ["Booléen attendu (true ou false)."],
                "office_id": ["Nombre entier attendu."],
                "nickname": ["Champ inconnu."],
            },
        }
    }
    response = world.api("staff", "get", "/api/people/?page_size=500")
    assert error(response)["fields"] == {"page_size": ["La valeur doit être au plus 200."]}


def test_malformed_json_is_refused(world):
    before = counts()
    response = Client().post(
        "/api/people/",
        "{not json",
        content_type="application/json",
        **world.api.headers["staff"],
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "bad_request",
            "message": "Le corps de la requête n'est pas du JSON valide.",
            "fields": {},
        }
    }
    assert counts() == before


def test_domain_errors_are_400_with_every_field(world):
    before = counts()
    response = world.api(
        "staff",
        "post",
        "/api/people/",
        {"first_name": "Nina", "last_name": "", "birth_date": "2030-01-01"},
    )
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert error(response)["fields"] == {
        "birth_date": ["La date de naissance est dans le futur."],
        "last_name": ["Ce champ ne peut pas être vide."],
    }
    assert counts() == before


def test_unknown_references_are_400_under_the_api_names(world):
    before = counts()
    response = world.api(
        "director",
        "post",
        "/api/people/",
        {
            "first_name": "Nina",
            "last_name": "Nouvelle",
            "office_id": 999999,
            "follow_up_staff_id": world.personas.accountant.user.pk,
        },
    )
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "office_id": ["Établissement inconnu."],
        "follow_up_staff_id": ["Ce compte n'appartient pas à l'équipe d'appui ni à la direction."],
    }
    assert counts() == before


def test_patch_changes_only_what_is_sent(world):
    office_id = world.alice.office_id
    response = world.api(
        "staff",
        "patch",
        f"/api/people/{world.alice.pk}",
        {"phone": "0562000000", "entry_situation": None, "follow_up_staff_id": None},
    )
    assert response.status_code == 200, response.content
    world.alice.refresh_from_db()
    assert (world.alice.phone, world.alice.entry_situation, world.alice.follow_up_staff) == (
        "0562000000",
        "",
        None,
    )
    assert (world.alice.first_name, world.alice.city, world.alice.office_id) == (
        "Alice",
        "Auch",
        office_id,
    )
    assert response.json()["entry_situation"] == ""


def test_patch_domain_error_changes_nothing(world):
    before = counts()
    response = world.api(
        "staff",
        "patch",
        f"/api/people/{world.alice.pk}",
        {"city": "Tarbes", "kind": "external"},
    )
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "kind": ["Le type ne peut plus changer : la personne a des contrats."]
    }
    assert counts() == before
    world.alice.refresh_from_db()
    assert (world.alice.city, world.alice.kind) == ("Auch", "entrepreneur")


# --- path rules refused through the API ------------------------------------------------------


def test_third_cape_renewal_is_refused(world):
    url = f"/api/people/{world.cape_holder.pk}/contracts/{world.cape.pk}/renewal"
    first = world.api(
        "staff", "post", url, {"date": "2027-02-01", "new_planned_end_date": "2028-02-27"}
    )
    assert first.status_code == 200, first.content
    second = world.api(
        "staff", "post", url, {"date": "2028-02-01", "new_planned_end_date": "2029-02-27"}
    )
    assert second.status_code == 200, second.content
    before = counts()
    third = world.api(
        "staff", "post", url, {"date": "2029-02-01", "new_planned_end_date": "2029-02-20"}
    )
    assert third.status_code == 400
    assert third.json() == {
        "error": {
            "code": "invalid",
            "message": "Un CAPE ne peut être renouvelé que deux fois.",
            "fields": {},
        }
    }
    assert counts() == before
    world.cape.refresh_from_db()
    assert world.cape.planned_end_date == D(2029, 2, 27)


@pytest.mark.parametrize(
    ("route", "body", "message", "fields"),
    [
        (
            "cape_too_long",
            {"start_date": "2026-11-01", "planned_end_date": "2027-11-01"},
            "Un CAPE dure au plus 12 mois (renouvelable deux fois).",
            {"planned_end_date": ["Un CAPE dure au plus 12 mois (renouvelable deux fois)."]},
        ),
        (
            "cesa_overlap",
            {"start_date": "2025-01-01", "monthly_hours": "50"},
            "Ce CESA chevaucherait le CESA CESA Alice Martin (01/01/2024).",
            {},
        ),
        (
            "exit_before_entry",
            {"date": "2020-01-01", "outcome": "other"},
            "La sortie ne peut pas précéder l'entrée (05/07/2023).",
            {"date": ["La sortie ne peut pas précéder l'entrée (05/07/2023)."]},
        ),
        (
            "exit_of_a_candidate",
            {"date": "2026-01-01", "outcome": "unknown"},
            "Camille Candidate n'est jamais entré·e dans la coopérative : pas de sortie possible.",
            {},
        ),
        (
            "associate_in_cape",
            {"date": "2026-06-01"},
            "Un·e entrepreneur·e doit être en CESA pour devenir associé·e (pas en CAPE).",
            {},
        ),
        (
            "not_integrated_without_reason",
            {"date": "2026-10-01", "decision": "not_integrated"},
            "Indiquez le motif de la non-intégration.",
            {"reason": ["Indiquez le motif de la non-intégration."]},
        ),
        (
            "hours_above_full_time",
            {"date": "2026-06-01", "monthly_hours": "160"},
            "Le nombre d'heures mensuelles ne peut pas dépasser un temps plein (151,67 h).",
            {
                "monthly_hours": [
                    "Le nombre d'heures mensuelles ne peut pas dépasser un temps plein (151,67 h)."
                ]
            },
        ),
    ],
)
def test_invalid_paths_are_400_with_the_french_message(world, route, body, message, fields):
    urls = {
        "cape_too_long": f"/api/people/{world.candidate.pk}/cape",
        "cesa_overlap": f"/api/people/{world.alice.pk}/cesa",
        "exit_before_entry": f"/api/people/{world.alice.pk}/exit",
        "exit_of_a_candidate": f"/api/people/{world.candidate.pk}/exit",
        "associate_in_cape": f"/api/people/{world.cape_holder.pk}/associateships",
        "not_integrated_without_reason": f"/api/people/{world.candidate.pk}/intake-interviews",
        "hours_above_full_time": (
            f"/api/people/{world.alice.pk}/contracts/{world.alice_cesa.pk}/amendment"
        ),
    }
    before = counts()
    response = world.api("director", "post", urls[route], body)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": message, "fields": fields}}
    assert counts() == before


def test_openapi_lists_the_routes(personas):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.startswith("/api/people")) == [
        "/api/people/",
        "/api/people/{person_id}",
        "/api/people/{person_id}/associateships",
        "/api/people/{person_id}/associateships/{associateship_id}/leave",
        "/api/people/{person_id}/cape",
        "/api/people/{person_id}/cesa",
        "/api/people/{person_id}/contracts/{contract_id}/amendment",
        "/api/people/{person_id}/contracts/{contract_id}/end",
        "/api/people/{person_id}/contracts/{contract_id}/renewal",
        "/api/people/{person_id}/exit",
        "/api/people/{person_id}/intake-interviews",
        "/api/people/{person_id}/timeline",
    ]


def test_token_command_revokes_a_prefix_starting_with_a_dash(personas):
    token, _raw = api_token_create(actor=None, user=personas.staff.user, name="Script")
    ApiToken.objects.filter(pk=token.pk).update(prefix="-" + token.prefix[1:])
    out = io.StringIO()
    call_command("token", "list", "staff@example.org", stdout=out)
    listed = out.getvalue().split()[0]
    assert listed == f"alv_-{token.prefix[1:]}…"
    call_command("token", "revoke", listed, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
