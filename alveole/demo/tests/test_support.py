"""The demo's support activity has the seed's order of magnitude for the last full year.

Generated once for the module at a reduced scale with the people's steps and the support
step only: the training sessions, co-development groups and follow-ups scale with the
number of entrepreneurs; the RSA programme (two sessions of four workshops) does not.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import Avg
from django.test import Client, override_settings
from django.urls import reverse

from alveole.core.twofactor import force_login_verified
from alveole.demo.generator import STEPS, generate
from alveole.demo.support import TRAINING_SESSIONS_PER_YEAR
from alveole.people.models import IntakeInterview, User
from alveole.support.models import (
    Absence,
    Appointment,
    Enrolment,
    NextStep,
    Programme,
    QualityEvent,
    Signature,
    Slot,
    SurveyResponse,
    WorkshopKind,
    WorkshopSession,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)
YEAR = 2024  # the last full year
SCALE = 0.3
SEED_INTERVIEWS = 79


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    keys = {"cooperative", "staff", "paths", "accounts", "support"}
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield generate(
            seed=2021, today=TODAY, scale=SCALE, steps=[s for s in STEPS if s.key in keys]
        )
        transaction.set_rollback(True)


def held(year: int):
    return WorkshopSession.objects.filter(
        status=WorkshopSession.Status.SCHEDULED, slots__date__year=year
    ).distinct()


def test_training_sessions_and_interviews_of_the_last_full_year_match_the_seed(demo):
    trainings = held(YEAR).filter(workshop__kind=WorkshopKind.TRAINING).count()
    assert abs(trainings / SCALE - TRAINING_SESSIONS_PER_YEAR) <= 8  # the seed: 66
    interviews = IntakeInterview.objects.filter(date__year=YEAR).count()
    assert 0.7 <= interviews / SCALE / SEED_INTERVIEWS <= 1.3  # the seed: 79
    # Every year of the history has its workshops, not only the last one.
    for year in range(2021, 2025):
        assert held(year).filter(workshop__kind=WorkshopKind.TRAINING).count() >= 15
    assert WorkshopSession.objects.filter(status=WorkshopSession.Status.CANCELLED).exists()


def test_programmes_and_groups(demo):
    rsa = Programme.objects.filter(year=YEAR, kind=Programme.Kind.PROGRAMME)
    assert rsa.count() == 2
    for programme in rsa:
        assert programme.sessions.count() == 4
        assert programme.participants.exists()
        assert not programme.participants.exclude(entry_situation="rsa").exists()
    groups = Programme.objects.filter(year=YEAR, kind=Programme.Kind.CODEVELOPMENT)
    assert groups.count() >= 1
    for group in groups:
        assert 3 <= group.participants.count() <= 6
        assert 6 <= group.sessions.count() <= 10  # monthly, not in summer
        assert not group.sessions.exclude(workshop__kind=WorkshopKind.CODEVELOPMENT).exists()


def test_past_attendance_is_transcribed_from_paper_mostly_present(demo):
    past = Signature.objects.filter(slot__date__year=YEAR)
    assert past.exists()
    assert not past.filter(recorded_from_paper=False).exists()  # never a fake drawn signature
    assert not past.exclude(image_sha256="").exists()
    assert not past.filter(collected_by__isnull=True).exists()
    trainees = past.filter(role=Signature.Role.TRAINEE).count()
    absences = Absence.objects.filter(slot__date__year=YEAR)
    assert 0.85 <= trainees / (trainees + absences.count()) <= 0.97
    assert absences.filter(excused=True).exclude(reason="").exists()
    # Each held half-day of the year has its trainer's signature.
    slots = Slot.objects.filter(
        date__year=YEAR, session__status=WorkshopSession.Status.SCHEDULED
    ).count()
    assert past.filter(role=Signature.Role.TRAINER).count() == slots
    # Nothing is signed on a day still to come.
    assert not Signature.objects.filter(slot__date__gte=TODAY).exists()


def test_satisfaction_has_realistic_scores_and_answer_rates(demo):
    responses = SurveyResponse.objects.filter(session__slots__date__year=YEAR).distinct()
    answered = responses.filter(answered_at__isnull=False)
    assert 0.55 <= answered.count() / responses.count() <= 0.9
    mean = answered.aggregate(m=Avg("rating_overall"))["m"]
    assert 4.0 <= mean <= 4.8
    assert all(r.sent_at <= r.answered_at for r in answered)
    assert not responses.exclude(session__workshop__kind=WorkshopKind.TRAINING).exists()


def test_upcoming_sessions_are_open_with_one_waiting_list(demo):
    upcoming = WorkshopSession.objects.filter(slots__date__gt=TODAY).distinct()
    assert upcoming.exists()
    enrolments = Enrolment.objects.filter(session__in=upcoming)
    assert enrolments.filter(status=Enrolment.Status.CONFIRMED).exists()
    assert enrolments.filter(status=Enrolment.Status.WAITING).count() >= 2
    assert all(e.requested_at.date() < TODAY for e in enrolments)
    assert Enrolment.objects.filter(source=Enrolment.Source.PUBLIC).exists()


def test_appointments_follow_ups_and_quality(demo):
    year = Appointment.objects.filter(starts_at__year=YEAR)
    assert year.count() >= 60
    assert year.filter(status=Appointment.Status.DONE).count() >= 0.9 * year.count()
    assert year.exclude(private_notes="").exists()
    assert NextStep.objects.filter(appointment__in=year, done_at__isnull=False).exists()
    ahead = Appointment.objects.filter(starts_at__date__gt=TODAY)
    assert ahead.exists() and not ahead.exclude(status=Appointment.Status.PLANNED).exists()
    quality = QualityEvent.objects.filter(date__year=YEAR)
    assert quality.filter(kind=QualityEvent.Kind.COMPLAINT).count() == 2
    assert quality.filter(kind=QualityEvent.Kind.IMPROVEMENT, complaint__isnull=False).count() == 2
    assert quality.filter(status=QualityEvent.Status.CLOSED).exists()


def test_the_support_pages_of_the_demo_answer(demo):
    staff = User.objects.filter(role="staff").order_by("pk").first()
    client = Client()
    force_login_verified(client, staff)
    session = held(YEAR).filter(workshop__kind=WorkshopKind.TRAINING).order_by("pk").first()
    attended = (
        Enrolment.objects.filter(session=session, signatures__role=Signature.Role.TRAINEE)
        .distinct()
        .first()
    )
    for name, args in (
        ("workshop_list", []),
        ("session_list", []),
        ("session_detail", [session.pk]),
        ("session_results", [session.pk]),
        ("workshop_results", [session.workshop_id]),
        ("appointment_list", []),
        ("calendar", []),
        ("programme_list", []),
        ("quality_list", []),
        ("intake_board", []),
    ):
        assert client.get(reverse(f"support:{name}", args=args)).status_code == 200, name
    sheet = client.get(reverse("support:attendance_sheet", args=[session.pk]))
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    certificate = client.get(reverse("support:certificate", args=[attended.pk]))
    assert certificate.status_code == 200 and certificate["Content-Type"] == "application/pdf"
