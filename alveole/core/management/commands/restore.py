"""`alveole restore ARCHIVE [--force]`: put a backup's database and files back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restaure une archive de `alveole backup` dans la base configurée et le dossier des "
        "fichiers ; refuse d'écraser une base ou un dossier non vides sans --force."
    )
    requires_system_checks: list = []  # the database may be empty: nothing to check yet

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="fichier alveole-….tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="remplacer la base et les fichiers existants",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(archive_path=Path(options["archive"]), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restauré : sauvegarde du {manifest['created']} (base {manifest['vendor']}, "
            f"{manifest['files']} fichiers). Lancez `alveole migrate` si la version a changé."
        )
