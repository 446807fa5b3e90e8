"""`alveole import <kind> FILE`: import people or businesses from a CSV/XLSX file, all or nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from alveole.core.importing import document_importers, importers, run_import
from alveole.core.tabular import Row

#: Below this many lines an import is over before a progress bar would help.
PROGRESS_MIN_ROWS = 100


class Command(BaseCommand):
    help = _(
        "Importe un fichier CSV ou XLSX (personnes, activités…) en entier ou pas du tout : "
        "une seule ligne refusée et rien n'est enregistré. Voir docs/import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=_("type de données : people ou businesses"))
        parser.add_argument("file", help=_("chemin du fichier .csv ou .xlsx"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("vérifier chaque ligne sans rien enregistrer"),
        )
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help=_("compte à qui attribuer l'import dans le journal d'audit"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        available = importers()
        kind = options["kind"]
        documents = document_importers()
        if kind in documents:  # one document (an e-invoice), handled by its app's command
            extra = {"user": options["user"]} if options["user"] else {}
            call_command(
                documents[kind].command,
                options["file"],
                dry_run=options["dry_run"],
                verbosity=options["verbosity"],
                stdout=self.stdout._out,
                stderr=self.stderr._out,
                **extra,
            )
            return
        if kind not in available:
            raise CommandError(
                _("Type d'import inconnu « %(kind)s ». Types possibles : %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(available)}
            )
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": path}) from None
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error}
            ) from None
        actor = None
        if options["user"]:
            actor = (
                get_user_model()
                .objects.filter(email__iexact=options["user"].strip(), is_active=True)
                .first()
            )
            if actor is None:
                raise CommandError(
                    _("Aucun compte actif avec l'adresse « %(email)s ».")
                    % {"email": options["user"]}
                )
        importer = available[kind]
        result = run_import(
            kind=kind,
            content=content,
            filename=path.name,
            actor=actor,
            dry_run=options["dry_run"],
            progress=self._progress_bar(options["verbosity"]),
        )
        label = str(importer.label).lower()
        if result.file_error:
            self.stderr.write(
                _("Fichier refusé, rien n'a été importé : %(error)s") % {"error": result.file_error}
            )
            sys.exit(1)
        if result.errors:
            for refused in result.errors:
                self.stderr.write(
                    _("ligne %(line)s : %(message)s")
                    % {"line": refused.line, "message": refused.message}
                )
            self.stderr.write(
                ngettext(
                    "Rien n'a été importé : %(n)s ligne refusée.",
                    "Rien n'a été importé : %(n)s lignes refusées.",
                    len(result.errors),
                )
                % {"n": len(result.errors)}
            )
            sys.exit(1)
        if result.dry_run:
            self.stdout.write(
                ngettext(
                    "Vérification réussie : %(n)s ligne peut être importée (%(label)s, %(file)s). "
                    "Rien n'a été enregistré.",
                    "Vérification réussie : %(n)s lignes peuvent être importées (%(label)s, "
                    "%(file)s). Rien n'a été enregistré.",
                    result.created,
                )
                % {"n": result.created, "label": label, "file": path.name}
            )
            return
        self.stdout.write(
            ngettext(
                "%(n)s ligne importée (%(label)s, %(file)s).",
                "%(n)s lignes importées (%(label)s, %(file)s).",
                result.created,
            )
            % {"n": result.created, "label": label, "file": path.name}
        )

    def _progress_bar(self, verbosity: int) -> Callable[[Sequence[Row]], Iterable[Row]]:
        stream = getattr(self.stderr, "_out", sys.stderr)

        def wrap(rows: Sequence[Row]) -> Iterable[Row]:
            if verbosity < 1 or len(rows) < PROGRESS_MIN_ROWS:
                return rows
            # disable=None: tqdm draws only on a terminal, so logs and pipes stay clean.
            return tqdm(rows, file=stream, unit=_(" ligne"), desc=_("Import"), disable=None)

        return wrap
