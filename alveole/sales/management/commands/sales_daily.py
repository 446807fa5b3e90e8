"""`alveole sales_daily [--date AAAA-MM-JJ] [--remind] [--queue]`: the daily maintenance of sales.

Expires the sent quotes past their validity date and counts the late invoices; with
`--remind` it also e-mails a first reminder for each late invoice that has none yet.
Running it twice the same day changes nothing more. Meant for cron or a systemd timer
(docs/admin/configuration.md); `--queue` hands it to the task worker instead.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.formatting import format_cents
from alveole.sales import services, tasks


class Command(BaseCommand):
    help = "Maintenance quotidienne des ventes : devis expirés, factures en retard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="jour traité (AAAA-MM-JJ), aujourd'hui par défaut")
        parser.add_argument(
            "--remind",
            action="store_true",
            help="envoyer une première relance aux factures en retard qui n'en ont pas",
        )
        parser.add_argument(
            "--queue", action="store_true", help="mettre en file pour le worker de tâches"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"Date illisible « {options['date']} » : attendu AAAA-MM-JJ."
                ) from None
        if options["queue"]:
            tasks.sales_daily.enqueue(day.isoformat() if day else None, options["remind"])
            self.stdout.write("Maintenance quotidienne des ventes mise en file.")
            return
        result = services.sales_daily(day=day, remind=options["remind"])
        self.stdout.write(
            f"{result.day:%d/%m/%Y} : {result.expired_quotes} devis expiré(s), "
            f"{result.late_invoices} facture(s) en retard ({format_cents(result.late_cents)}), "
            f"{result.reminders} relance(s) envoyée(s)"
        )
