"""`alveole backup [--output DOSSIER]`: the database and the stored files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (SQLite : copie à chaud ; PostgreSQL : pg_dump) et les fichiers "
        "déposés dans une archive horodatée. Voir docs/deploy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            metavar="DOSSIER",
            help="dossier des archives (défaut : ALVEOLE_DATA_DIR/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"] or Path(settings.DATA_DIR) / "backups")
        try:
            result = backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Sauvegarde écrite : {result.path} (base {result.vendor}, {result.files} fichiers)"
        )
