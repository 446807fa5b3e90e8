"""Recording a past register: dated enrolments, paper attendance sheets, dated surveys.

The dated path exists for the demo and for a training body bringing in its past
registers; it never weakens the live rules (a live signature is still drawn, in its window).
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alveole.core.models import AuditEvent
from alveole.support import pdf, services
from alveole.support.models import Absence, Enrolment, NextStep, Signature, SurveyResponse
from alveole.support.services import PaperLine
from alveole.support.tests.conftest import (
    drawn_signature,
    future_slots,
    make_session,
    make_workshop,
    past_slots,
)
from tests.factories import make_person

pytestmark = pytest.mark.django_db

STAFF = Enrolment.Source.STAFF


@pytest.fixture
def past_session(personas):
    workshop = make_workshop(title="Facturation", capacity=3, trainer_user=personas.staff.user)
    return make_session(workshop, personas.staff.user, past_slots(30))


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _enrol_past(session, person, actor, days=40):
    return services.enrolment_create(
        actor=actor, session=session, person=person, source=STAFF, at=_ago(days)
    )


def test_a_dated_enrolment_is_checked_as_of_its_date_and_sends_nothing(
    past_session, personas, django_capture_on_commit_callbacks
):
    staff = personas.staff.user
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = _enrol_past(past_session, personas.entrepreneur.person, staff)
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert enrolment.requested_at < past_session.first_slot.starts_at
    assert mail.outbox == []
    assert "reportée" in AuditEvent.objects.filter(target_type="support.enrolment").last().summary
    # Without a date, the live rule stands: the session has ended.
    with pytest.raises(ValidationError, match="terminée"):
        services.enrolment_create(
            actor=staff, session=past_session, person=make_person(), source=STAFF
        )
    # Dated after the session's end: refused too.
    with pytest.raises(ValidationError, match="terminée"):
        _enrol_past(past_session, make_person(), staff, days=1)


def test_a_dated_enrolment_is_refused_in_the_future_and_to_anyone_but_the_team(
    past_session, personas
):
    with pytest.raises(ValidationError, match="futur"):
        services.enrolment_create(
            actor=personas.staff.user,
            session=past_session,
            person=make_person(),
            source=STAFF,
            at=timezone.now() + datetime.timedelta(hours=1),
        )
    for actor in (None, personas.entrepreneur.user, personas.accountant.user):
        with pytest.raises(PermissionDenied):
            _enrol_past(past_session, personas.entrepreneur.person, actor)
    assert not Enrolment.objects.exists()


def test_a_dated_cancellation_tells_nobody(
    past_session, personas, django_capture_on_commit_callbacks
):
    staff = personas.staff.user
    _enrol_past(past_session, personas.entrepreneur.person, staff)
    with pytest.raises(PermissionDenied):
        services.session_cancel(actor=personas.accountant.user, session=past_session, at=_ago(35))
    with pytest.raises(ValidationError, match="futur"):
        services.session_cancel(
            actor=staff, session=past_session, at=timezone.now() + datetime.timedelta(days=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=staff, session=past_session, at=_ago(35))
    past_session.refresh_from_db()
    assert past_session.status == past_session.Status.CANCELLED and mail.outbox == []


def test_a_paper_sheet_records_flagged_signatures_and_absences(past_session, personas):
    staff = personas.staff.user
    alice, bob, carol = (
        personas.entrepreneur.person,
        personas.other_entrepreneur.person,
        make_person(),
    )
    enrolments = [_enrol_past(past_session, p, staff) for p in (alice, bob, carol)]
    slot = past_session.slot_list[0]
    signatures = services.paper_sheet_record(
        actor=staff,
        slot=slot,
        lines=[
            PaperLine(enrolments[0], PaperLine.PRESENT),
            PaperLine(enrolments[1], PaperLine.EXCUSED, "Malade"),
            PaperLine(enrolments[2], PaperLine.ABSENT),
        ],
        trainer_signed=True,
    )
    assert len(signatures) == 2
    trainee = Signature.objects.get(slot=slot, enrolment=enrolments[0])
    assert trainee.recorded_from_paper and trainee.device == Signature.Device.PAPER
    assert trainee.collected_by == staff and trainee.recorded_at is not None
    assert bytes(trainee.image_png) == b"" and trainee.image_sha256 == ""
    assert trainee.signed_at == slot.starts_at
    assert trainee.ip_address is None
    absences = {a.enrolment_id: a for a in Absence.objects.filter(slot=slot)}
    assert absences[enrolments[1].pk].excused and absences[enrolments[1].pk].reason == "Malade"
    assert not absences[enrolments[2].pk].excused
    event = AuditEvent.objects.filter(target_type="support.slot").last()
    assert "Feuille papier" in event.summary and event.actor == staff
    # Paper attendance counts for the certificate and the questionnaire.
    assert services.attended_slots(enrolments[0]) == [slot]
    assert services.attended_slots(enrolments[1]) == []
    # The sheet says which presences come from paper, and who reported them.
    html = pdf.attendance_sheet_html(past_session)
    assert "Feuille papier" in html and "reportée le" in html and str(staff.person) in html
    assert pdf.attendance_sheet_pdf(past_session).startswith(b"%PDF")


def test_a_paper_sheet_is_all_or_nothing_and_never_twice(past_session, personas):
    staff = personas.staff.user
    first = _enrol_past(past_session, personas.entrepreneur.person, staff)
    second = _enrol_past(past_session, personas.other_entrepreneur.person, staff)
    slot = past_session.slot_list[0]
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_record(
            actor=staff,
            slot=slot,
            lines=[PaperLine(first, PaperLine.PRESENT), PaperLine(second, PaperLine.EXCUSED)],
            trainer_signed=True,
        )
    assert "motif" in str(error.value)
    assert not Signature.objects.exists() and not Absence.objects.exists()
    services.paper_sheet_record(
        actor=staff, slot=slot, lines=[PaperLine(first, PaperLine.PRESENT)], trainer_signed=True
    )
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        services.paper_sheet_record(
            actor=staff, slot=slot, lines=[PaperLine(first, PaperLine.ABSENT)], trainer_signed=False
        )
    with pytest.raises(ValidationError, match="déjà signé"):
        services.paper_sheet_record(actor=staff, slot=slot, lines=[], trainer_signed=True)
    with pytest.raises(ValidationError, match="deux fois"):
        services.paper_sheet_record(
            actor=staff,
            slot=slot,
            lines=[PaperLine(second, PaperLine.PRESENT), PaperLine(second, PaperLine.PRESENT)],
            trainer_signed=False,
        )
    outsider = _enrol_past(
        make_session(past_session.workshop, staff, past_slots(20)), make_person(), staff
    )
    with pytest.raises(ValidationError, match="pas de place confirmée"):
        services.paper_sheet_record(
            actor=staff,
            slot=slot,
            lines=[PaperLine(outsider, PaperLine.PRESENT)],
            trainer_signed=False,
        )
    assert Signature.objects.count() == 2


def test_a_paper_sheet_never_replaces_a_live_signature(personas, monkeypatch):
    """A half-day whose live sheet is still open, or to come, is signed by drawing only."""
    staff = personas.staff.user
    workshop = make_workshop(trainer_user=staff)
    upcoming = make_session(workshop, staff, future_slots(3))
    enrolment = services.enrolment_create(
        actor=staff, session=upcoming, person=personas.entrepreneur.person, source=STAFF
    )
    slot = upcoming.slot_list[0]
    line = [PaperLine(enrolment, PaperLine.PRESENT)]
    with pytest.raises(ValidationError, match="feuille en ligne close"):
        services.paper_sheet_record(actor=staff, slot=slot, lines=line, trainer_signed=True)
    # One hour after the end, the live sheet is still open: still refused.
    with pytest.raises(ValidationError, match="futur"):
        services.paper_sheet_record(
            actor=staff,
            slot=slot,
            lines=line,
            trainer_signed=True,
            recorded_at=slot.ends_at + datetime.timedelta(days=1),
        )
    within = slot.ends_at + datetime.timedelta(hours=1)
    monkeypatch.setattr(services, "_now", lambda: within)
    with pytest.raises(ValidationError, match="feuille en ligne close"):
        services.paper_sheet_record(actor=staff, slot=slot, lines=line, trainer_signed=True)
    for actor in (personas.entrepreneur.user, personas.accountant.user, None):
        with pytest.raises(PermissionDenied):
            services.paper_sheet_record(actor=actor, slot=slot, lines=line, trainer_signed=False)
    # The live path does not take the paper device.
    with pytest.raises(ValueError, match="device"):
        services.signature_record(
            slot=slot,
            enrolment=enrolment,
            image_data_url=drawn_signature(),
            ip_address=None,
            user_agent="",
            device=Signature.Device.PAPER,
            now=slot.starts_at,
        )
    assert not Signature.objects.exists()


def test_the_database_refuses_a_paper_flag_with_an_image_or_a_drawing_without_one(
    past_session, personas
):
    enrolment = _enrol_past(past_session, personas.entrepreneur.person, personas.staff.user)
    slot = past_session.slot_list[0]
    common = {
        "slot": slot,
        "role": Signature.Role.TRAINEE,
        "enrolment": enrolment,
        "signer_name": "x",
        "signed_at": slot.starts_at,
    }
    for wrong in (
        {"device": "paper", "recorded_from_paper": True, "recorded_at": timezone.now(),
         "image_png": b"png", "image_sha256": "a" * 64},
        {"device": "trainer_device", "recorded_from_paper": False, "image_sha256": ""},
        {"device": "paper", "recorded_from_paper": False, "image_sha256": "a" * 64},
    ):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Signature.objects.create(**common, **wrong)


def test_dated_questionnaires_and_answers(
    past_session, personas, django_capture_on_commit_callbacks
):
    staff = personas.staff.user
    enrolment = _enrol_past(past_session, personas.entrepreneur.person, staff)
    services.paper_sheet_record(
        actor=staff,
        slot=past_session.slot_list[0],
        lines=[PaperLine(enrolment, PaperLine.PRESENT)],
        trainer_signed=True,
    )
    ended = past_session.slot_list[-1].ends_at
    with pytest.raises(ValidationError, match="terminée"):
        services.survey_send(
            actor=staff, session=past_session, at=ended - datetime.timedelta(hours=1)
        )
    with pytest.raises(PermissionDenied):
        services.survey_send(actor=personas.entrepreneur.user, session=past_session, at=ended)
    sent_at = ended + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        (response,) = services.survey_send(actor=staff, session=past_session, at=sent_at)
    assert response.sent_at == sent_at and mail.outbox == []
    answer = {
        "rating_overall": 5,
        "rating_content": 4,
        "rating_trainer": 5,
        "rating_organisation": 4,
    }
    with pytest.raises(ValidationError, match="précède"):
        services.survey_answer(
            token=response.token, at=sent_at - datetime.timedelta(hours=1), **answer
        )
    with pytest.raises(ValidationError, match="futur"):
        services.survey_answer(
            token=response.token, at=timezone.now() + datetime.timedelta(days=1), **answer
        )
    services.survey_answer(token=response.token, at=sent_at + datetime.timedelta(days=2), **answer)
    response = SurveyResponse.objects.get()
    assert response.answered_at == sent_at + datetime.timedelta(days=2)


def test_a_past_appointment_schedules_no_reminder_and_its_steps_are_done_when_they_were(
    personas, monkeypatch
):
    from alveole.support import appointments

    scheduled = []
    monkeypatch.setattr(appointments, "schedule_reminders", scheduled.append)
    start = _ago(20)
    with transaction.atomic():
        appointment = appointments.appointment_create(
            actor=personas.staff.user,
            staff=personas.staff.user,
            participants=[personas.entrepreneur.person],
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            subject="Suivi",
        )
    step = appointments.next_step_add(
        actor=personas.staff.user,
        appointment=appointment,
        description="Envoyer le prévisionnel",
        due_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    with pytest.raises(ValidationError):
        appointments.next_step_set_done(
            actor=None, step=step, done=True, at=timezone.now() + datetime.timedelta(days=1)
        )
    appointments.next_step_set_done(actor=None, step=step, done=True, at=_ago(12))
    assert NextStep.objects.get().done_at <= _ago(11)
    assert scheduled == []
