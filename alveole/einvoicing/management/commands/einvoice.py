"""`alveole einvoice validate FILE`: check a Factur-X PDF, a CII or a UBL invoice against the official rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.einvoicing import validation
from alveole.einvoicing.validation import (
    SEVERITY_LABELS,
    STEP_LABELS,
    Artefacts,
    Severity,
    ValidationResult,
)


class Command(BaseCommand):
    help = _(
        "Factures électroniques. « validate FICHIER » vérifie un PDF Factur-X/ZUGFeRD, un CII "
        "ou un UBL : schéma XSD, règles EN 16931, Factur-X EN 16931 et règles françaises BR-FR. "
        "Code de sortie 1 s'il y a une erreur bloquante. Voir docs/einvoicing.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = actions.add_parser(
            "validate", help=_("valider un fichier PDF ou XML de facture électronique")
        )
        validate.add_argument("file", help=_("chemin du fichier .pdf ou .xml"))
        validate.add_argument(
            "--artefacts",
            metavar="DOSSIER",
            help=_(
                "dossier des artefacts officiels (par défaut le réglage "
                "ALVEOLE_EINVOICE_ARTEFACTS, sinon ../shared/einvoice)"
            ),
        )
        validate.add_argument(
            "--fatal-only",
            action="store_true",
            help=_("n'afficher que les erreurs bloquantes"),
        )
        # The export needs the sales models, which this library must not import: the
        # sub-command is the sales app's `einvoice_export` command, called by name.
        export = actions.add_parser(
            "export", help=_("écrire la facture électronique d'une facture émise")
        )
        export.add_argument("number", help=_("numéro de la facture ou de l'avoir émis"))
        export.add_argument(
            "--format",
            dest="format",
            choices=("facturx", "cii", "ubl"),
            default="facturx",
            help=_("facturx (PDF Factur-X EN 16931, par défaut), cii ou ubl (XML)"),
        )
        export.add_argument("-o", "--output", required=True, metavar="FICHIER", help=_("fichier"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            self.validate(options)
        elif options["action"] == "export":
            call_command(
                "einvoice_export",
                options["number"],
                format=options["format"],
                output=options["output"],
                stdout=self.stdout,
                stderr=self.stderr,
                verbosity=options["verbosity"],
            )

    def validate(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(path)s : %(error)s")
                % {"path": path, "error": error.strerror}
            ) from None
        artefacts = Artefacts(Path(options["artefacts"])) if options["artefacts"] else None
        result = validation.validate(data, artefacts=artefacts)
        verbosity = options["verbosity"]
        if verbosity >= 1:
            self.print_findings(path, result, fatal_only=options["fatal_only"], verbosity=verbosity)
        self.stdout.write(summary(result))
        if result.fatal:
            raise CommandError(
                ngettext(
                    "La facture comporte %(count)d erreur bloquante.",
                    "La facture comporte %(count)d erreurs bloquantes.",
                    len(result.fatal),
                )
                % {"count": len(result.fatal)},
                returncode=1,
            )

    def print_findings(
        self, path: Path, result: ValidationResult, *, fatal_only: bool, verbosity: int
    ) -> None:
        described = f"{result.syntax}" + (f" ({result.profile})" if result.profile else "")
        if result.source:
            described += f", {result.source}"
        self.stdout.write(_("Fichier : %(path)s — %(what)s") % {"path": path, "what": described})
        for finding in result.findings:
            if fatal_only and finding.severity != Severity.FATAL:
                continue
            label = STEP_LABELS[finding.step]
            text = finding.message_fr.removeprefix(f"{label} : ")
            line = f"{label} | {finding.rule_id} | {SEVERITY_LABELS[finding.severity]} | {text}"
            if verbosity >= 2 and finding.location:
                line += f" | {finding.location}"
            style = self.style.ERROR if finding.severity == Severity.FATAL else self.style.WARNING
            self.stdout.write(style(line))
        for skipped in result.skipped:
            template = (
                _("Étape non exécutée — %(step)s : %(reason)s")
                if skipped.applicable
                else _("Étape sans objet — %(step)s : %(reason)s")
            )
            line = template % {"step": STEP_LABELS[skipped.step], "reason": skipped.reason}
            self.stdout.write(self.style.WARNING(line) if skipped.applicable else line)


def summary(result: ValidationResult) -> str:
    """One French line: counts of fatal errors and warnings, per step, and the time taken."""
    fatal = len(result.fatal)
    warnings = len(result.warnings)
    per_step = ", ".join(
        f"{STEP_LABELS[step]} {count}" for step, count in result.fatal_counts().items()
    )
    counts = (
        ngettext("%(count)d erreur bloquante", "%(count)d erreurs bloquantes", fatal)
        % {"count": fatal}
        if fatal
        else _("aucune erreur bloquante")
    )
    counts += ", " + (
        ngettext("%(count)d avertissement", "%(count)d avertissements", warnings)
        % {"count": warnings}
        if warnings
        else _("aucun avertissement")
    )
    if fatal:
        verdict = _("NON conforme")
    elif result.not_run:
        verdict = _("aucune erreur dans les étapes exécutées")
    else:
        verdict = _("conforme")
    text = _("Résumé : %(verdict)s — %(counts)s") % {"verdict": verdict, "counts": counts}
    if per_step:
        text += _(" (erreurs bloquantes par étape : %(steps)s)") % {"steps": per_step}
    if result.not_run:
        text += _(" ; ATTENTION, vérification incomplète, non exécuté : %(steps)s") % {
            "steps": ", ".join(STEP_LABELS[skipped.step] for skipped in result.not_run)
        }
    return text + f" ; {result.seconds:.2f} s."
