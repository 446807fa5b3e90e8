"""Background work of the support app (Django's tasks framework): appointment reminders."""

from __future__ import annotations

import datetime

from django.tasks import task, task_backends
from django.utils import timezone

from alveole.support import mails
from alveole.support.models import Appointment

#: Reminders go out the day before.
REMINDER_BEFORE = datetime.timedelta(hours=24)


def appointment_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders of planned appointments starting within a day; each is sent once."""
    now = now or timezone.now()
    due = list(
        Appointment.objects.filter(
            status=Appointment.Status.PLANNED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_BEFORE,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        # A conditional UPDATE claims the reminder: two workers never send the same one.
        claimed = Appointment.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if claimed and mails.send_appointment_reminder_mail(pk):
            sent += 1
    return sent


@task
def send_appointment_reminders() -> int:
    """The task: send every reminder that is due now (idempotent, safe to run often)."""
    return appointment_reminders_send()


def schedule_reminders(starts_at: datetime.datetime) -> None:
    """Have the worker send the reminders when an appointment's reminder falls due."""
    backend = task_backends[send_appointment_reminders.backend]
    when = starts_at - REMINDER_BEFORE
    if backend.supports_defer and when > timezone.now():
        send_appointment_reminders.using(run_after=when).enqueue()
    else:
        send_appointment_reminders.enqueue()
