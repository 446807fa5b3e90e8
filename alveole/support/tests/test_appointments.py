"""Appointments: reminders as a task, the ICS feed, next steps; the intake board and erasure."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alveole.people.models import Person
from alveole.people.services import (
    cape_start,
    information_meeting_attend,
    intake_interview_record,
)
from alveole.support import appointments, ics, selectors
from alveole.support.models import Appointment
from alveole.support.tasks import appointment_reminders_send, send_appointment_reminders
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _appointment(personas, *, in_hours: float, **fields) -> Appointment:
    start = timezone.now() + datetime.timedelta(hours=in_hours)
    defaults = {
        "subject": "Point trésorerie", "place": "Auch", "private_notes": "Fragile en ce moment",
        "notes": "Relancer les factures.",
    }  # fmt: skip
    defaults.update(fields)
    return appointments.appointment_create(
        actor=personas.staff.user, staff=personas.staff.user,
        participants=[personas.entrepreneur.person], starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), **defaults,
    )  # fmt: skip


def test_the_reminder_task_runs_after_commit_and_sends_once(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        soon = _appointment(personas, in_hours=20)
        _appointment(personas, in_hours=72, subject="Plus tard")
    # The immediate backend ran the task at commit: only the appointment within a day is reminded.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([personas.entrepreneur.person.email, "staff@example.org"])
    assert message.subject.startswith("Rappel : rendez-vous le ")
    assert "Point trésorerie" in message.body and "Auch" in message.body
    assert "Fragile" not in message.body and "Relancer" not in message.body
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    result = send_appointment_reminders.enqueue()
    assert result.return_value == 0 and len(mail.outbox) == 1


def test_moving_an_appointment_re_arms_its_reminder_and_cancelled_ones_are_skipped(personas):
    appointment = _appointment(personas, in_hours=20)
    assert appointment_reminders_send() == 1
    later = timezone.now() + datetime.timedelta(hours=22)
    appointments.appointment_update(
        actor=None,
        appointment=appointment,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
    )
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    appointments.appointment_set_status(actor=None, appointment=appointment, status="cancelled")
    assert appointment_reminders_send() == 0


def test_appointment_rules(personas):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        appointments.appointment_create(
            actor=None, staff=personas.accountant.user, participants=[], starts_at=start,
            ends_at=start - datetime.timedelta(hours=1), subject="",
        )  # fmt: skip
    assert set(error.value.message_dict) == {"staff", "participants", "subject", "ends_at"}
    assert Appointment.objects.count() == 0
    future = _appointment(personas, in_hours=5)
    with pytest.raises(ValidationError, match="à venir"):
        appointments.appointment_set_status(actor=None, appointment=future, status="done")
    with pytest.raises(ValidationError, match="précéder le rendez-vous"):
        appointments.next_step_add(
            actor=None, appointment=future, description="Devis",
            due_date=timezone.localdate() - datetime.timedelta(days=2),
        )  # fmt: skip
    step = appointments.next_step_add(
        actor=None,
        appointment=future,
        description="Devis",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    appointments.next_step_set_done(actor=None, step=step, done=True)
    step.refresh_from_db()
    assert step.done_at is not None


def test_private_notes_are_not_copied_into_the_audit_trail(personas):
    from alveole.core.models import AuditEvent

    appointment = _appointment(personas, in_hours=30)
    appointments.appointment_update(
        actor=None, appointment=appointment, private_notes="Nouveau secret"
    )
    for event in AuditEvent.objects.filter(target_type="support.appointment"):
        assert "secret" not in str(event.changes).lower() and "Fragile" not in str(event.changes)


def test_the_ics_feed_is_valid_rfc5545_and_lists_appointments_and_training(personas, session):
    _appointment(personas, in_hours=30, subject="Bilan, étape ; suivante " + "très long " * 8)
    feed = appointments.calendar_feed_get(actor=None, user=personas.staff.user)
    response = personas.anonymous.client.get(reverse("support:calendar_feed", args=[feed.token]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith(
        "END:VCALENDAR\r\n"
    )
    assert text.count("BEGIN:VEVENT") == 3  # the appointment and the two training half-days
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:RDV : Bilan\\, étape \\; suivante très long" in unfolded
    assert "SUMMARY:Atelier : Fixer ses prix" in unfolded
    assert "Fragile" not in unfolded and "Relancer" not in unfolded
    # A renewed address stops the old one at once.
    old = feed.token
    appointments.calendar_feed_renew(actor=None, user=personas.staff.user)
    assert (
        personas.anonymous.client.get(reverse("support:calendar_feed", args=[old])).status_code
        == 404
    )


def test_fold_never_cuts_a_character():
    line = "DESCRIPTION:" + "é" * 80
    folded = ics._fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_calendar_page_shows_the_week_of_a_staff_member(personas, session):
    appointment = _appointment(personas, in_hours=2)
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    body = personas.director.client.get(
        reverse("support:calendar"), {"staff": personas.staff.user.pk, "day": day}
    ).content.decode()
    assert "Point trésorerie" in body and "Fragile" not in body
    first = session.slot_list[0].date.isoformat()
    body = personas.staff.client.get(reverse("support:calendar"), {"day": first}).content.decode()
    assert "Fixer ses prix" in body


# --- intake pipeline ------------------------------------------------------------------------


def test_the_intake_board_puts_candidates_in_their_stage(personas):
    today = timezone.localdate()
    met = make_person(first_name="Mona", last_name="Meeting")
    information_meeting_attend(actor=None, person=met, date=today - datetime.timedelta(days=20))
    stages = {}
    for decision, name in (
        ("integrated", "Ines"),
        ("not_integrated", "Noe"),
        ("postponed", "Paul"),
    ):
        person = make_person(first_name=name, last_name="Candidat")
        information_meeting_attend(
            actor=None, person=person, date=today - datetime.timedelta(days=40)
        )
        intake_interview_record(
            actor=None, person=person, date=today - datetime.timedelta(days=10), decision=decision,
            reason="Projet pas mûr" if decision == "not_integrated" else "",
        )  # fmt: skip
        stages[decision] = person
    # A second interview changes the stage: the last decision counts.
    intake_interview_record(
        actor=None, person=stages["postponed"], date=today, decision="integrated"
    )
    old = make_person(first_name="Olga", last_name="Ancienne")
    information_meeting_attend(actor=None, person=old, date=today - datetime.timedelta(days=500))
    # Their files were opened when they first got in touch, before the meetings.
    Person.objects.filter(last_name__in=["Meeting", "Candidat", "Ancienne"]).update(
        created_at=timezone.now() - datetime.timedelta(days=600)
    )
    board = selectors.intake_board(
        user=personas.staff.user, since=today - datetime.timedelta(days=365)
    )
    names = {stage: [p.first_name for p in people] for stage, people in board.items()}
    assert names == {
        "meeting": ["Mona"],
        "integrated": ["Paul", "Ines"],
        "postponed": [],
        "not_integrated": ["Noe"],
    }
    assert selectors.intake_board(user=personas.accountant.user, since=today) == {
        "meeting": [], "integrated": [], "postponed": [], "not_integrated": []
    }  # fmt: skip
    body = personas.staff.client.get(reverse("support:intake_board")).content.decode()
    assert "Mona Meeting" in body and "Olga" not in body


def test_candidates_never_integrated_are_flagged_two_years_after_last_contact(personas):
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=800)
    refused = make_person(first_name="Rita", last_name="Refus")
    intake_interview_record(
        actor=None, person=refused, date=long_ago, decision="not_integrated", reason="Hors cible"
    )
    came_back = make_person(first_name="Rémi", last_name="Retour")
    intake_interview_record(
        actor=None, person=came_back, date=long_ago, decision="not_integrated", reason="Trop tôt"
    )
    information_meeting_attend(
        actor=None, person=came_back, date=today - datetime.timedelta(days=30)
    )
    integrated = make_person(first_name="Iris", last_name="Integree")
    intake_interview_record(actor=None, person=integrated, date=long_ago, decision="integrated")
    cape_start(
        actor=None,
        person=integrated,
        start_date=long_ago,
        planned_end_date=long_ago + datetime.timedelta(days=300),
    )
    # Created long ago, by the import for example: created_at is the only contact.
    silent = make_person(first_name="Sam", last_name="Silence")
    Person.objects.filter(pk=silent.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=900)
    )
    Person.objects.filter(pk__in=[refused.pk, came_back.pk, integrated.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=900)
    )
    flagged = selectors.candidates_due_for_erasure(user=personas.staff.user)
    assert sorted(p.first_name for p in flagged) == ["Rita", "Sam"]
    assert list(selectors.candidates_due_for_erasure(user=personas.entrepreneur.user)) == []
    body = personas.staff.client.get(reverse("support:erasure_list")).content.decode()
    assert "Refus Rita" in body and "Non intégré·e" in body and "Iris" not in body
    csv_body = personas.director.client.get(
        reverse("support:erasure_list"), {"format": "csv"}
    ).content.decode("utf-8-sig")
    assert "Refus;Rita" in csv_body


def _meeting_data(day: str, rows: list[dict], **fields) -> dict:
    data = {"date": day, "new-TOTAL_FORMS": str(len(rows)), "new-INITIAL_FORMS": "0"} | fields
    for index, row in enumerate(rows):
        data |= {f"new-{index}-{key}": value for key, value in row.items()}
    return data


def test_an_information_meeting_creates_the_newcomers_as_candidates(personas):
    from alveole.people.models import InformationMeeting

    known = make_person(first_name="Karim", last_name="Connu")
    url = reverse("support:information_meeting_create")
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    rows = [
        {
            "first_name": "Nina",
            "last_name": "Nouvelle",
            "email": "nina@example.org",
            "postal_code": "32000",
        },
        {"first_name": "", "last_name": "", "email": ""},
        {"first_name": "Noah", "last_name": "Neuf", "phone": "06 00 00 00 00"},
    ]
    response = personas.staff.client.post(url, _meeting_data(day, rows, attendees=[known.pk]))
    assert response.status_code == 302
    meeting = InformationMeeting.objects.get()
    assert sorted(p.first_name for p in meeting.attendees.all()) == ["Karim", "Nina", "Noah"]
    nina = Person.objects.get(email="nina@example.org")
    assert (nina.kind, nina.department, nina.contracts.count()) == ("entrepreneur", "32", 0)
    board = personas.staff.client.get(reverse("support:intake_board")).content.decode()
    assert "Nina Nouvelle" in board and "3 personnes" in board


def test_a_bad_newcomer_row_refuses_the_whole_meeting(personas):
    from alveole.people.models import InformationMeeting

    url = reverse("support:information_meeting_create")
    people = Person.objects.count()
    day = timezone.localdate().isoformat()
    rows = [
        {"first_name": "Nina", "last_name": "Nouvelle"},
        {"first_name": "Noah", "last_name": "Neuf", "postal_code": "3200"},
    ]
    response = personas.staff.client.post(url, _meeting_data(day, rows))
    assert response.status_code == 400
    assert "Nouvelle personne n° 2 (Noah Neuf)" in response.content.decode()
    response = personas.staff.client.post(
        url, _meeting_data(day, [{"first_name": "Sans", "email": "x@example.org"}])
    )
    assert response.status_code == 400 and "Indiquez le nom." in response.content.decode()
    assert (Person.objects.count(), InformationMeeting.objects.count()) == (people, 0)
    for persona in (personas.entrepreneur, personas.accountant):
        assert persona.client.post(url, _meeting_data(day, rows[:1])).status_code == 403
    assert personas.anonymous.client.get(url).status_code == 302
    assert personas.director.client.get(url).status_code == 200
    assert (Person.objects.count(), InformationMeeting.objects.count()) == (people, 0)
