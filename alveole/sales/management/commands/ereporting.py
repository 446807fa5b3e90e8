"""`alveole ereporting --period YYYY-MM [--format json|csv] [-o FILE]`.

Writes the e-reporting data of a month (B2C and international sales, payments of services
to those customers) for the Plateforme Agréée: see alveole.sales.ereporting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.sales import ereporting


class Command(BaseCommand):
    help = (
        "Écrire les données d'e-reporting d'un mois (ventes B2C et internationales, encaissements)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, metavar="AAAA-MM", help="le mois")
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("-o", "--output", metavar="FICHIER", help="fichier (sinon la sortie)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = ereporting.report(options["period"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        content = (
            ereporting.to_csv(data) if options["format"] == "csv" else ereporting.to_json(data)
        )
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(
                f"{len(data['transactions'])} vente(s), {len(data['payments'])} encaissement(s) "
                f"→ {options['output']}"
            )
        else:
            self.stdout.write(content.decode(), ending="")
