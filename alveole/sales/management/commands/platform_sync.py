"""`alveole platform_sync [--now]`: queue (or run) the Plateforme Agréée polling.

Meant for cron (every 15 minutes, say): it enqueues the reading of the lifecycle statuses
and the fetching of received invoices; the task worker does the calls. `--now` runs them
here, synchronously, and prints what they did.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alveole.sales import platform, tasks


class Command(BaseCommand):
    help = "Relever les statuts et les factures reçues sur la plateforme agréée."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="exécuter ici, sans la file")

    def handle(self, *args: Any, **options: Any) -> None:
        if not platform.configured():
            self.stderr.write(platform.NOT_CONFIGURED)
            return
        if options["now"]:
            statuses = platform.poll_statuses()
            received = platform.fetch_received()
            self.stdout.write(
                f"{statuses} statut(s) enregistré(s), {len(received)} facture(s) reçue(s)"
            )
            return
        tasks.poll_platform_statuses.enqueue()
        tasks.fetch_received_invoices.enqueue()
        self.stdout.write("Relevé de la plateforme agréée mis en file.")
