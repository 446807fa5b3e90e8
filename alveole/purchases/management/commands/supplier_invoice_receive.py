"""`alveole import supplier-invoice FILE` (or `alveole supplier_invoice_receive FILE`):
receive one e-invoice from a file, as the reception page does, and print what was found."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.core.formatting import format_date
from alveole.purchases import services
from alveole.purchases.models import SupplierInvoice
from alveole.purchases.templatetags.purchases import money


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = _(
        "Reçoit une facture fournisseur électronique (PDF Factur-X ou ZUGFeRD, XML CII ou UBL) : "
        "lecture, contrôle de conformité, détection des doublons, enregistrement. Un fichier "
        "illisible est refusé avec le motif et rien n'est créé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("chemin du fichier .pdf ou .xml"))
        parser.add_argument("--user", metavar="EMAIL", help=_("compte qui reçoit la facture"))
        parser.add_argument(
            "--business", metavar="CODE", help=_("code analytique de l'activité à qui l'affecter")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("lire et contrôler sans rien enregistrer")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": path}) from None
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error}
            ) from None
        actor = self._actor(options.get("user"))
        business = None
        if options.get("business"):
            business = Business.objects.filter(code__iexact=options["business"].strip()).first()
            if business is None:
                raise CommandError(
                    _("Aucune activité de code « %(code)s ».") % {"code": options["business"]}
                )
        try:
            with transaction.atomic():
                invoice = services.supplier_invoice_receive(
                    actor=actor,
                    content=content,
                    filename=path.name,
                    business=business,
                    enqueue_validation=False,
                )
                self._print(invoice)
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            default_storage.delete(invoice.original_file.name or "")  # rolled back with its row
            self.stdout.write(_("Vérification seulement : rien n'a été enregistré."))
            return
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            self.stderr.write(
                _("Fichier refusé, rien n'a été enregistré : %(error)s")
                % {"error": " ".join(messages)}
            )
            sys.exit(1)
        # In a command the check runs now, after the commit, rather than in a worker.
        checked = services.supplier_invoice_check(invoice_id=invoice.pk)
        self.stdout.write(
            _(
                "Contrôle de conformité : %(fatal)s erreur(s) bloquante(s), %(warn)s avertissement(s)."
            )
            % {"fatal": checked.validation_fatal_count, "warn": checked.validation_warning_count}
        )
        if options["verbosity"] >= 2:
            for finding in checked.findings.filter(source="validation"):
                self.stdout.write(
                    f"  {finding.get_severity_display()} {finding.rule_id} — {finding.message}"
                )
        self.stdout.write(_("Facture enregistrée (n° interne %(pk)s).") % {"pk": invoice.pk})

    def _actor(self, email: str | None) -> Any:
        if not email:
            return None
        actor = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if actor is None:
            raise CommandError(
                _("Aucun compte actif avec l'adresse « %(email)s ».") % {"email": email}
            )
        return actor

    def _print(self, invoice: SupplierInvoice) -> None:
        self.stdout.write(
            _(
                "%(kind)s %(number)s de %(supplier)s du %(date)s (%(syntax)s) : %(amount)s TTC, "
                "%(due)s à payer, échéance %(due_date)s, activité %(business)s."
            )
            % {
                "kind": invoice.kind_label,
                "number": invoice.number,
                "supplier": invoice.supplier.name,
                "date": format_date(invoice.issue_date),
                "syntax": invoice.syntax,
                "amount": money(invoice.total_incl_vat_cents, invoice.currency),
                "due": money(invoice.due_cents, invoice.currency),
                "due_date": format_date(invoice.due_date) or "—",
                "business": invoice.business.code if invoice.business else _("à affecter"),
            }
        )
        for finding in invoice.findings.all():
            self.stdout.write(f"  {finding.get_severity_display()} : {finding.message}")
