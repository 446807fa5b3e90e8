"""`alveole retention [--apply]`: list (and erase) the files past their retention period."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from alveole.privacy.selectors import retention_cases_for_system
from alveole.privacy.services import person_erase


class Command(BaseCommand):
    help = "Liste les dossiers dont la durée de conservation est échue ; --apply les efface."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="effacer les dossiers listés")

    def handle(self, *args, **options):
        cases = retention_cases_for_system()
        erased = 0
        for case in cases:
            line = f"{case.person.pk}\t{case.person}\t{case.since or ''}\t{case.rule}"
            if not options["apply"]:
                self.stdout.write(line)
                continue
            try:
                report = person_erase(
                    actor=None,
                    person=case.person,
                    reason=f"Durée de conservation échue : {case.rule}",
                )
            except ValidationError as exc:
                self.stderr.write(f"{line}\trefusé : {' '.join(exc.messages)}")
                continue
            erased += 1
            self.stdout.write(f"{line}\teffacé (rapport n° {report.pk})")
        verb = "effacé(s)" if options["apply"] else "à effacer"
        self.stdout.write(f"{erased if options['apply'] else len(cases)} dossier(s) {verb}.")
