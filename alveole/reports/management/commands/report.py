"""`alveole report --year Y --format json|csv|xlsx [-o FILE]`: the yearly activity report."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from alveole.core.dates import today
from alveole.core.tabular import table_response
from alveole.reports.exports import HEADER, report_json, report_rows
from alveole.reports.figures import report_compute
from alveole.reports.presentation import report_pdf_bytes


class Command(BaseCommand):
    help = "Calcule le rapport d'activité d'une année (JSON, CSV ou XLSX)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=today().year - 1)
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "pdf"], default="json")
        parser.add_argument("-o", "--output", default="")
        parser.add_argument(
            "--with-rsa", action="store_true", help="Détailler le RSA (équipe d'appui seulement)."
        )

    def handle(self, *args, **options) -> None:
        report = report_compute(year=options["year"], show_rsa=options["with_rsa"])
        fmt, output = options["format"], options["output"]
        if fmt == "json":
            text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            else:
                self.stdout.write(text)
            return
        if not output:
            raise CommandError("--format csv|xlsx|pdf demande un fichier : -o FICHIER")
        if fmt == "pdf":
            content = report_pdf_bytes(year=options["year"], show_rsa=options["with_rsa"])
        else:
            content = table_bytes(fmt, report_rows(report))
        with open(output, "wb") as handle:
            handle.write(content)
        self.stderr.write(f"{output} écrit.")


def table_bytes(fmt: str, rows: list) -> bytes:
    """The CSV (UTF-8 with BOM, `;`) or XLSX bytes the list exports also produce."""
    return table_response(filename="rapport", fmt=fmt, header=HEADER, rows=rows).content
