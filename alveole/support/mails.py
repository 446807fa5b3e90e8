"""E-mails of the support app: convocations, waiting list, cancellations, surveys, reminders.

Each function loads what it needs by id, so that it can run after commit or in a task, and
never raises: a mail server failure is logged, the recorded data stays as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from alveole.coop.models import Cooperative
from alveole.support.models import Appointment, Enrolment, SurveyResponse

logger = logging.getLogger(__name__)


def absolute_url(path: str, base_url: str = "") -> str:
    """A link for an e-mail: the base URL of the request that triggered it, then the path."""
    base = base_url or getattr(settings, "ALVEOLE_BASE_URL", "") or "http://localhost:8000"
    return base.rstrip("/") + path


def _send(*, to: list[str], template: str, context: dict[str, Any]) -> bool:
    recipients = [address for address in to if address]
    if not recipients:
        return False
    context = {**context, "cooperative": Cooperative.objects.first()}
    with translation.override("fr"):
        subject, _, body = render_to_string(template, context).strip().partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=recipients)
    try:
        message.send()
    except Exception:  # the mail server's failure must not undo what was recorded
        logger.exception("support mail %s to %s failed", template, recipients)
        return False
    return True


def _enrolment(enrolment_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.select_related(
            "person", "session", "session__workshop", "session__office"
        )
        .prefetch_related("session__slots")
        .filter(pk=enrolment_id)
        .first()
    )


def send_enrolment_mail(enrolment_id: int) -> bool:
    """The convocation (confirmed place) or the waiting-list notice, as the enrolment now stands."""
    enrolment = _enrolment(enrolment_id)
    if enrolment is None or enrolment.status == Enrolment.Status.CANCELLED:
        return False
    template = (
        "support/email/convocation.txt"
        if enrolment.status == Enrolment.Status.CONFIRMED
        else "support/email/waiting_list.txt"
    )
    return _send(
        to=[enrolment.person.email],
        template=template,
        context={"enrolment": enrolment, "session": enrolment.session},
    )


def send_session_cancelled_mail(enrolment_id: int) -> bool:
    """Tell an enrolled person that the session will not take place."""
    enrolment = _enrolment(enrolment_id)
    if enrolment is None:
        return False
    return _send(
        to=[enrolment.person.email],
        template="support/email/session_cancelled.txt",
        context={"enrolment": enrolment, "session": enrolment.session},
    )


def send_survey_mail(response_id: int, base_url: str = "") -> bool:
    """Invite a trainee to answer the satisfaction questionnaire through their own link."""
    response = (
        SurveyResponse.objects.select_related(
            "enrolment__person", "session__workshop", "session__office"
        )
        .filter(pk=response_id)
        .first()
    )
    if response is None or response.answered_at is not None:
        return False
    link = absolute_url(reverse("support:survey_answer", args=[response.token]), base_url)
    return _send(
        to=[response.enrolment.person.email],
        template="support/email/survey.txt",
        context={"response": response, "session": response.session, "link": link},
    )


def send_appointment_reminder_mail(appointment_id: int) -> bool:
    """Remind the staff member and the entrepreneurs of an appointment (never its private notes)."""
    appointment = (
        Appointment.objects.select_related("staff", "staff__person")
        .prefetch_related("participants")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return False
    to = [appointment.staff.email, *(p.email for p in appointment.participants.all())]
    return _send(
        to=to,
        template="support/email/appointment_reminder.txt",
        context={"appointment": appointment},
    )
