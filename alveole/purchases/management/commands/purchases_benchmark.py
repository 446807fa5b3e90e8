"""`alveole purchases_benchmark`: how long reception takes, printed as numbers (no database writes).

Measures, on the shared sample invoices (or any folder of PDF/XML invoices):

- compiling the validation stylesheets (once per process: what a worker pays at start);
- reading + validating one received invoice, warm (median and worst of the samples);
- reading 100 received invoices (`reception.parse_received`: the reading, the mapping to a
  supplier invoice and the discrepancy check — what the reception page does before writing).
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import tempfile
import time
from decimal import Decimal
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from alveole.einvoicing import cii, totals, validation
from alveole.einvoicing.document import SCHEME_SIREN, Address, Identifier, Invoice, Line, Party
from alveole.purchases import services
from alveole.purchases.reception import Unreadable, parse_received


class Command(BaseCommand):
    help = _("Mesure la lecture et le contrôle des factures reçues (sans rien enregistrer).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--samples",
            metavar="DOSSIER",
            help=_("dossier de factures PDF/XML (par défaut : les exemples partagés)"),
        )
        parser.add_argument("--count", type=int, default=100, help=_("factures à lire (100)"))
        parser.add_argument(
            "--with-database",
            action="store_true",
            help=_(
                "mesurer aussi la réception complète (écritures en base et fichiers), dans une "
                "transaction annulée à la fin et un dossier de fichiers temporaire"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["samples"] or validation.default_artefacts().root / "samples")
        files = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".xml", ".pdf")
        )
        if not files:
            raise CommandError(_("Aucune facture PDF ou XML dans %(folder)s.") % {"folder": folder})
        contents = [p.read_bytes() for p in files]

        started = time.perf_counter()
        compiled = validation.warm_up()
        compile_seconds = time.perf_counter() - started
        self.stdout.write(
            _("Compilation des %(n)s feuilles de validation : %(s).2f s (une fois par processus)")
            % {"n": len(compiled), "s": compile_seconds}
        )

        timings = []
        for content in contents:
            started = time.perf_counter()
            try:
                parse_received(content)
            except Unreadable:
                continue
            validation.validate(content)
            timings.append(time.perf_counter() - started)
        self.stdout.write(
            _(
                "Lecture + contrôle d'une facture reçue (à chaud, %(n)s exemples) : médiane "
                "%(median).0f ms, maximum %(max).0f ms"
            )
            % {
                "n": len(timings),
                "median": statistics.median(timings) * 1000,
                "max": max(timings) * 1000,
            }
        )

        count = options["count"]
        started = time.perf_counter()
        for content in islice(cycle(contents), count):
            parse_received(content)
        seconds = time.perf_counter() - started
        self.stdout.write(
            _("Lecture de %(n)s factures reçues : %(s).2f s (%(each).1f ms par facture)")
            % {"n": count, "s": seconds, "each": seconds / count * 1000}
        )
        if options["with_database"]:
            self._receive(count)

    def _receive(self, count: int) -> None:
        """Receive `count` distinct invoices through the service, then roll everything back."""
        invoices = [
            cii.to_cii(dataclasses.replace(_benchmark_invoice(), number=f"BENCH-{n:05d}"))
            for n in range(count)
        ]
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            started = time.perf_counter()
            with transaction.atomic():
                for n, content in enumerate(invoices):
                    services.supplier_invoice_receive(
                        actor=None, content=content, filename=f"{n}.xml", enqueue_validation=False
                    )
                seconds = time.perf_counter() - started
                transaction.set_rollback(True)
        self.stdout.write(
            _(
                "Réception complète de %(n)s factures (lecture, fournisseur, doublon, écritures, "
                "fichier ; contrôle de conformité à part) : %(s).2f s (%(each).1f ms par facture), "
                "annulée ensuite"
            )
            % {"n": count, "s": seconds, "each": seconds / count * 1000}
        )


def _benchmark_invoice() -> Invoice:
    """A plausible supplier invoice of three lines at two VAT rates."""
    seller = Party(
        name="Fournisseur de mesure",
        legal_id=Identifier("732829320", SCHEME_SIREN),
        vat_id="FR44732829320",
        address=Address(line1="1 rue de la Mesure", city="Auch", postcode="32000", country="FR"),
    )
    return totals.complete(
        Invoice(
            number="BENCH",
            issue_date=datetime.date(2026, 1, 15),
            due_date=datetime.date(2026, 2, 14),
            seller=seller,
            buyer=Party(name="Coopérative", address=Address(country="FR")),
            lines=[
                Line(
                    id=str(i),
                    quantity=Decimal(q),
                    unit_code="C62",
                    net_price=Decimal(p),
                    vat_category="S",
                    vat_rate=Decimal(r),
                    name=f"Article {i}",
                )
                for i, (q, p, r) in enumerate(
                    (("3", "12.50", "20"), ("1", "99", "20"), ("4", "7.25", "5.5")), 1
                )
            ],
        )
    )
