"""`alveole einvoice_export NUMBER --format facturx|cii|ubl -o FILE` (also `alveole einvoice export …`).

Writes the electronic invoice of one issued invoice or credit note. It lives in the sales
app because it needs the sales models; `alveole einvoice export` (the e-invoicing library's
command, which must not import any app) dispatches here by command name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from alveole.sales import einvoice
from alveole.sales.models import Invoice


def add_export_arguments(parser: CommandParser) -> None:
    parser.add_argument("number", help=_("numéro de la facture ou de l'avoir émis"))
    parser.add_argument(
        "--format",
        dest="format",
        choices=einvoice.FORMATS,
        default="facturx",
        help=_("facturx (PDF Factur-X EN 16931, par défaut), cii ou ubl (XML)"),
    )
    parser.add_argument("-o", "--output", required=True, metavar="FICHIER", help=_("fichier"))


class Command(BaseCommand):
    help = _(
        "Écrire la facture électronique (Factur-X, CII ou UBL) d'une facture ou d'un avoir émis."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_export_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        number = options["number"]
        invoice = Invoice.objects.select_related("credited_invoice").filter(number=number).first()
        if invoice is None and number.isdigit():
            invoice = Invoice.objects.select_related("credited_invoice").filter(pk=number).first()
        if invoice is None:
            raise CommandError(_("Aucune facture ni aucun avoir numéro « %(n)s ».") % {"n": number})
        try:
            content, _name, _type = einvoice.export(invoice, options["format"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Impossible d'écrire %(path)s : %(error)s")
                % {"path": path, "error": error.strerror}
            ) from None
        self.stdout.write(
            _("%(number)s écrite dans %(path)s (%(size)d octets).")
            % {"number": invoice.number, "path": path, "size": len(content)}
        )
