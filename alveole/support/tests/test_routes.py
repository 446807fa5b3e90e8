"""Permissions on every route of the support app, swept from its URL configuration.

A route added without an entry here makes the sweep fail: each route states who may
reach it. Anonymous visitors are sent to the login page (except the personal-link pages),
and an entrepreneur who has nothing to do with the data, or the accounting, cannot write
anything through any route.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alveole.people.models import Person
from alveole.support import appointments, services
from alveole.support import urls as support_urls
from alveole.support.models import (
    Absence,
    Appointment,
    Enrolment,
    NextStep,
    Programme,
    QualityEvent,
    Signature,
    SigningLink,
    Slot,
    SurveyResponse,
    Workshop,
    WorkshopSession,
)
from alveole.support.tests.conftest import future_slots, make_session, make_workshop

pytestmark = pytest.mark.django_db

#: Pages opened by a personal link: no account needed.
PUBLIC = {"register", "survey_answer", "sign_with_link", "calendar_feed"}
#: What an entrepreneur may write for themselves (enrol on a session open to all).
SELF_SERVICE = {"session_enrol_me"}
#: Pages every logged-in user reads (a POST there shows the page, or their own list).
READ_BY_ALL = {"workshop_list", "workshop_detail", "session_list", "session_detail",
               "my_workshops", "appointment_list"}  # fmt: skip


@pytest.fixture
def routes(personas):
    staff = personas.staff.user
    workshop = make_workshop(trainer_user=staff)
    session = make_session(workshop, staff, future_slots(), public_registration=True)
    enrolment = services.enrolment_create(
        actor=staff, session=session, person=personas.entrepreneur.person, source="staff"
    )
    slot = session.slot_list[0]
    link = services.signing_link_create(actor=staff, slot=slot, enrolment=enrolment)
    survey = SurveyResponse.objects.create(
        session=session, enrolment=enrolment, sent_at=timezone.now()
    )
    start = timezone.now() + datetime.timedelta(days=2)
    appointment = appointments.appointment_create(
        actor=staff,
        staff=staff,
        participants=[personas.entrepreneur.person],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        subject="Suivi",
    )
    step = appointments.next_step_add(
        actor=staff,
        appointment=appointment,
        description="Devis",
        due_date=timezone.localdate() + datetime.timedelta(days=9),
    )
    feed = appointments.calendar_feed_get(actor=staff, user=staff)
    event = services.quality_event_record(
        actor=staff, kind="complaint", date=timezone.localdate(), description="Retard"
    )
    programme = services.programme_save(
        actor=staff, kind="programme", name="RSA", year=2026, sessions=[session], participants=[]
    )
    absence_slot = session.slot_list[1]
    absence = Absence.objects.create(slot=absence_slot, enrolment=enrolment, excused=False)
    args = {
        "workshop_list": [], "workshop_create": [], "workshop_detail": [workshop.pk],
        "workshop_edit": [workshop.pk], "workshop_results": [workshop.pk],
        "session_create": [workshop.pk], "session_list": [], "session_detail": [session.pk],
        "session_edit": [session.pk], "session_cancel": [session.pk], "slot_add": [session.pk],
        "slot_remove": [slot.pk], "session_enrol": [session.pk],
        "session_enrol_me": [session.pk], "enrolment_cancel": [enrolment.pk],
        "attendance_sheet": [session.pk], "certificate": [enrolment.pk],
        "survey_send": [session.pk], "session_results": [session.pk], "my_workshops": [],
        "sign_board": [slot.pk], "sign_trainer": [slot.pk],
        "sign_trainee": [slot.pk, enrolment.pk], "signing_links_create": [slot.pk],
        "signing_links": [slot.pk], "absence_record": [slot.pk, enrolment.pk],
        "absence_remove": [absence.pk], "sign_with_link": [link.token],
        "register": [session.registration_token], "survey_answer": [survey.token],
        "calendar_feed": [feed.token], "appointment_list": [], "appointment_create": [],
        "appointment_detail": [appointment.pk], "appointment_edit": [appointment.pk],
        "appointment_status": [appointment.pk], "next_step_add": [appointment.pk],
        "next_step_toggle": [step.pk], "calendar": [], "calendar_feed_settings": [],
        "intake_board": [], "erasure_list": [], "information_meeting_create": [],
        "programme_list": [], "programme_create": [], "programme_detail": [programme.pk],
        "programme_edit": [programme.pk], "quality_list": [], "quality_create": [],
        "quality_detail": [event.pk], "quality_close": [event.pk],
    }  # fmt: skip
    return args


def _names() -> set[str]:
    return {pattern.name for pattern in support_urls.urlpatterns}


def _state() -> tuple:
    """Every row the support app writes, to see that refused requests changed nothing."""
    return tuple(
        sorted(map(str, model.objects.values_list(*fields)))
        for model, fields in (
            (Workshop, ("pk", "title", "active", "capacity")),
            (WorkshopSession, ("pk", "status", "capacity", "public_registration")),
            (Slot, ("pk",)),
            (Enrolment, ("pk", "status")),
            (Signature, ("pk",)),
            (Absence, ("pk", "excused")),
            (SigningLink, ("pk", "used_at")),
            (SurveyResponse, ("pk", "answered_at")),
            (Appointment, ("pk", "status", "subject")),
            (NextStep, ("pk", "done_at")),
            (QualityEvent, ("pk", "status")),
            (Programme, ("pk", "name")),
            (Person, ("pk",)),
        )
    )


def test_every_route_is_listed_here(routes):
    assert set(routes) == _names()


def test_anonymous_visitors_are_sent_to_the_login_page_except_on_personal_links(routes, personas):
    client = personas.anonymous.client
    before = _state()
    for name, args in routes.items():
        url = reverse(f"support:{name}", args=args)
        for method in (client.get, client.post):
            response = method(url)
            if name in PUBLIC:
                assert response.status_code != 302 or not response["Location"].startswith(
                    reverse("login")
                ), name
            elif response.status_code != 405:  # a GET on a POST-only route
                assert response.status_code == 302, (name, method)
                assert response["Location"].startswith(reverse("login")), name
    # The personal links were posted without content: refused, nothing written.
    assert _state() == before


@pytest.mark.parametrize("who", ["other_entrepreneur", "accountant"])
def test_someone_with_no_part_in_the_data_writes_nothing_through_any_route(routes, personas, who):
    client = getattr(personas, who).client
    before = _state()
    for name, args in routes.items():
        if name in PUBLIC or name in SELF_SERVICE:
            continue
        response = client.post(reverse(f"support:{name}", args=args), {"status": "cancelled"})
        allowed = (200, 302, 403, 404, 405) if name in READ_BY_ALL else (403, 404, 405)
        assert response.status_code in allowed, (who, name, response.status_code)
    assert _state() == before


def test_an_entrepreneur_enrols_only_themselves(routes, personas):
    bob = personas.other_entrepreneur
    url = reverse("support:session_enrol_me", args=routes["session_enrol_me"])
    assert bob.client.post(url).status_code == 302
    enrolled = Enrolment.objects.filter(session_id=routes["session_detail"][0])
    assert set(enrolled.values_list("person_id", flat=True)) == {
        personas.entrepreneur.person.pk,
        bob.person.pk,
    }
