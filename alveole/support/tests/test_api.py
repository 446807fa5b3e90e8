"""The support API: scoping for every persona, private notes, writes, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alveole.support import appointments, services
from alveole.support.models import Appointment, Enrolment
from alveole.support.tests.conftest import future_slots, make_session
from tests.api_client import PersonaApi
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alveole.support.tests.api_urls")]

BASE = "/api/support"
SECRET = "Fragile en ce moment"


@pytest.fixture
def call(personas) -> PersonaApi:
    return PersonaApi(personas, BASE)


@pytest.fixture
def appointment(personas) -> Appointment:
    start = timezone.now() + datetime.timedelta(days=2)
    return appointments.appointment_create(
        actor=None, staff=personas.staff.user, participants=[personas.entrepreneur.person],
        starts_at=start, ends_at=start + datetime.timedelta(hours=1), subject="Point trésorerie",
        notes="Relancer les factures.", private_notes=SECRET,
    )  # fmt: skip


def test_sessions_are_read_by_everyone_logged_in(call, session):
    for who in ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director"):
        response = call(who, "get", "/sessions")
        assert response.status_code == 200, who
        body = response.json()
        assert body["count"] == 1
        assert body["results"][0]["workshop_title"] == "Fixer ses prix"
        assert [s["half_day"] for s in body["results"][0]["slots"]] == ["morning", "afternoon"]
    assert call("anonymous", "get", "/sessions").status_code == 401


def test_enrolment_through_the_api(call, session, personas):
    response = call("entrepreneur", "post", f"/sessions/{session.pk}/enrolments", {})
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["source"]) == ("confirmed", "self")
    # An entrepreneur cannot enrol someone else; nothing is written.
    response = call(
        "entrepreneur",
        "post",
        f"/sessions/{session.pk}/enrolments",
        {"person_id": personas.other_entrepreneur.person.pk},
    )
    assert response.status_code == 403
    assert Enrolment.objects.count() == 1
    response = call(
        "staff",
        "post",
        f"/sessions/{session.pk}/enrolments",
        {"person_id": personas.other_entrepreneur.person.pk},
    )
    assert response.status_code == 201
    response = call(
        "staff", "post", f"/sessions/{session.pk}/enrolments", {"person_id": make_person().pk}
    )
    assert response.json()["status"] == "waiting"
    # Twice is refused with the reason, in French.
    response = call(
        "staff",
        "post",
        f"/sessions/{session.pk}/enrolments",
        {"person_id": personas.other_entrepreneur.person.pk},
    )
    assert response.status_code == 400
    assert "déjà inscrit·e" in response.json()["error"]["message"]
    response = call("staff", "post", f"/sessions/{session.pk}/enrolments", {"person": 3})
    assert response.status_code == 422 and response.json()["error"]["fields"] == {
        "person": ["Champ inconnu."]
    }
    # Each entrepreneur sees only their own enrolment on the session.
    mine = call("entrepreneur", "get", f"/sessions/{session.pk}/enrolments").json()
    assert [e["person_name"] for e in mine] == ["Alice Martin"]
    assert len(call("staff", "get", f"/sessions/{session.pk}/enrolments").json()) == 3
    alice = Enrolment.objects.get(person=personas.entrepreneur.person)
    assert call("other_entrepreneur", "post", f"/enrolments/{alice.pk}/cancel").status_code == 404
    response = call("entrepreneur", "post", f"/enrolments/{alice.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    statuses = sorted(Enrolment.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed", "confirmed"]  # the waiting one moved up
    assert [e["status"] for e in call("entrepreneur", "get", "/my-enrolments").json()] == []


def test_private_notes_are_null_for_an_entrepreneur(call, appointment):
    body = call("entrepreneur", "get", "/appointments").json()
    assert body["count"] == 1 and body["results"][0]["private_notes"] is None
    assert body["results"][0]["notes"] == "Relancer les factures."
    detail = call("entrepreneur", "get", f"/appointments/{appointment.pk}")
    assert detail.json()["private_notes"] is None and SECRET not in detail.content.decode()
    assert call("other_entrepreneur", "get", f"/appointments/{appointment.pk}").status_code == 404
    assert call("other_entrepreneur", "get", "/appointments").json()["count"] == 0
    assert call("accountant", "get", "/appointments").status_code == 403
    assert call("staff", "get", f"/appointments/{appointment.pk}").json()["private_notes"] == SECRET


def test_appointments_are_written_by_staff_only(call, personas):
    start = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    body = {
        "staff_id": personas.staff.user.pk, "participant_ids": [personas.entrepreneur.person.pk],
        "starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "subject": "Bilan", "private_notes": "x",
    }  # fmt: skip
    for who in ("entrepreneur", "accountant"):
        assert call(who, "post", "/appointments", body).status_code == 403
    assert Appointment.objects.count() == 0
    bad = call("staff", "post", "/appointments", body | {"ends_at": start.isoformat()})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {
        "ends_at": ["La fin du rendez-vous doit suivre son début."]
    }
    response = call("director", "post", "/appointments", body)
    assert response.status_code == 201 and response.json()["private_notes"] == "x"
    assert Appointment.objects.count() == 1


def test_list_routes_do_not_grow_their_queries(call, personas, appointment, workshop, session):
    services.enrolment_create(
        actor=None, session=session, person=personas.entrepreneur.person, source="staff"
    )

    def count(who: str, url: str) -> int:
        call(who, "get", url)
        with CaptureQueriesContext(connection) as queries:
            assert call(who, "get", url).status_code == 200
        return len(queries)

    routes = [("staff", "/sessions"), ("staff", "/appointments"), ("entrepreneur", "/appointments"),
              ("entrepreneur", "/my-enrolments")]  # fmt: skip
    few = [count(who, url) for who, url in routes]
    for n in range(4):
        session = make_session(workshop, personas.staff.user, future_slots(20 + n))
        services.enrolment_create(
            actor=None, session=session, person=personas.entrepreneur.person, source="staff"
        )
        start = timezone.now() + datetime.timedelta(days=5 + n)
        appointments.appointment_create(
            actor=None, staff=personas.staff.user, participants=[personas.entrepreneur.person, make_person()],
            starts_at=start, ends_at=start + datetime.timedelta(hours=1), subject=f"RDV {n}",
        )  # fmt: skip
    assert [count(who, url) for who, url in routes] == few
