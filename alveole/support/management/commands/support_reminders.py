"""Queue the appointment-reminder task now (for a cron job, as a safety net to the scheduling)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from alveole.support.tasks import send_appointment_reminders


class Command(BaseCommand):
    help = "Queue the sending of the appointment reminders that are due."

    def handle(self, *args, **options) -> None:
        result = send_appointment_reminders.enqueue()
        self.stdout.write(f"queued {result.id}")
