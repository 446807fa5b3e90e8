"""`alveole tasks_recover`: requeue or fail the background tasks left RUNNING by a dead worker."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.core.jobs import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT, tasks_recover


class Command(BaseCommand):
    help = _(
        "Reprend les tâches de fond restées « en cours » après l'arrêt brutal de leur worker : "
        "relancées si elles peuvent l'être sans risque, sinon marquées en échec."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_TIMEOUT.total_seconds() / 60,
            metavar="MINUTES",
            help=_("une tâche en cours depuis plus longtemps est tenue pour perdue (défaut : 60)"),
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=DEFAULT_MAX_ATTEMPTS,
            help=_("au-delà de ce nombre d'essais, la tâche est marquée en échec (défaut : 3)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = tasks_recover(
            timeout=datetime.timedelta(minutes=max(options["older_than"], 0)),
            max_attempts=max(options["max_attempts"], 1),
        )
        for task in recovered:
            line = _("relancée") if task.requeued else _("en échec")
            self.stdout.write(f"{task.id} {task.task_path} : {line}")
        self.stdout.write(
            ngettext(
                "%(n)s tâche reprise.",
                "%(n)s tâches reprises.",
                len(recovered),
            )
            % {"n": len(recovered)}
        )
