"""`alveole contributions [--month YYYY-MM] [--queue]`: compute the cooperative contributions.

Without `--month`, every finished month not computed yet (and the grants brought in line):
meant for cron, early each month. `--month` computes one month again, posting only the
difference with what was posted (a late invoice, a corrected payment). `--queue` leaves the
work to the task worker (`alveole db_worker`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.formatting import format_cents
from alveole.payroll import tasks
from alveole.payroll.contribution_run import monthly_run


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"mois invalide « {text} » : attendu AAAA-MM") from None


class Command(BaseCommand):
    help = "Calculer et passer les contributions coopératives des mois terminés."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="un seul mois, AAAA-MM (calculé à nouveau)")
        parser.add_argument("--queue", action="store_true", help="mettre en file, sans attendre")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"]) if options["month"] else None
        if options["queue"]:
            if month is not None:
                raise CommandError("--queue calcule les mois en attente, sans --month")
            tasks.contributions_monthly.enqueue()
            self.stdout.write("Calcul des contributions mis en file.")
            return
        try:
            run = monthly_run(actor=None, month=month)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if run.grants and (run.grants.posted or run.grants.reversed):
            self.stdout.write(
                f"Subventions : {len(run.grants.posted)} écriture(s), "
                f"{len(run.grants.reversed)} contre-passée(s)"
            )
        if not run.months:
            self.stdout.write("Aucun mois à calculer.")
        for each in run.months:
            line = (
                f"{each.month:%m/%Y} : {format_cents(sum(each.due.values()))} dus, "
                f"{len(each.entries)} écriture(s)"
            )
            if each.without_rule:
                codes = ", ".join(business.code for business in each.without_rule)
                line += f" ; sans règle : {codes}"
            self.stdout.write(line)
