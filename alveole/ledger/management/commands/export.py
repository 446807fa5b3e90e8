"""`alveole export fec --year Y [-o FILE]`: the FEC of the fiscal year that ends in Y; also
`analytic`, `trial-balance` and `general-ledger` as CSV or XLSX (`--format`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from alveole.coop.selectors import CooperativeMissing, cooperative_get
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.ledger import exports, selectors

KINDS = ("fec", *exports.TABLES)


class Command(BaseCommand):
    help = _(
        "Exporte la comptabilité d'un exercice : le FEC (fichier des écritures comptables), "
        "la balance analytique par activité, la balance générale ou le grand livre."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=KINDS, help=_("fec, analytic, trial-balance ou general-ledger")
        )
        parser.add_argument(
            "--year", type=int, required=True, help=_("l'année où se termine l'exercice")
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help=_(
                "fichier à écrire (« - » : la sortie standard) ; par défaut le nom réglementaire"
            ),
        )
        parser.add_argument(
            "--format",
            choices=("csv", "xlsx"),
            default="csv",
            help=_("pour les balances et le grand livre"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = selectors.fiscal_year_of_year(options["year"])
        if year is None:
            raise CommandError(
                _("Aucun exercice ne se termine en %(year)s.") % {"year": options["year"]}
            )
        kind, fmt = options["kind"], options["format"]
        if kind == "fec":
            try:
                siren = cooperative_get().siren
            except CooperativeMissing as error:
                raise CommandError(str(error)) from None
            default_name = exports.fec_filename(siren, year)
            chunks = exports.fec_chunks(year)
        else:
            _stem, header, rows = exports.TABLES[kind]
            default_name = exports.table_filename(kind, year, fmt)
            if fmt == "csv":
                chunks = exports.csv_chunks(header, rows(year))
            else:
                response = table_response(
                    filename=default_name.rsplit(".", 1)[0], fmt=fmt, header=header, rows=rows(year)
                )
                chunks = iter([response.content])
        output = options["output"] or default_name
        written = 0
        if output == "-":
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
                written += len(chunk)
            sys.stdout.buffer.flush()
        else:
            try:
                with Path(output).open("wb") as handle:
                    for chunk in chunks:
                        handle.write(chunk)
                        written += len(chunk)
            except OSError as error:
                raise CommandError(
                    _("Impossible d'écrire %(path)s : %(error)s") % {"path": output, "error": error}
                ) from None
        audit_record(
            actor=None,
            action="export",
            target_type="ledger.entry",
            summary=f"Export {kind} de l'exercice {year} (commande)",
        )
        if output != "-":
            self.stderr.write(
                _("%(path)s écrit (%(size)s octets).") % {"path": output, "size": written}
            )
