"""`alveole bench_import`: measure `alveole import invoices` alone, on a throwaway database.

The file is the one `alveole bench` imports (`alveole.bench.measure.import_csv`): rows of
`number;business;customer;issue_date;net_20;paid_amount`, half of them paid, spread over
the businesses of a small generated cooperative. Prints rows per second (wall clock), the
process's CPU time, the number of SQL statements and the load of the machine; `--profile`
adds the top of a cProfile run. `DATABASE_URL` selects PostgreSQL as everywhere else.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from alveole.bench.database import throwaway_database
from alveole.bench.generate import generate
from alveole.bench.imports import import_csv
from alveole.bench.sizes import Size
from alveole.ledger.models import Entry
from alveole.sales.models import Invoice, Payment

#: A small cooperative: the import's cost does not depend on the invoices already there.
SETUP = Size("import", entrepreneurs=30, years=1, invoices_per_year=5, customers=5)


class _Counter:
    """Counts the SQL statements run (an `executemany` counts once)."""

    def __init__(self) -> None:
        self.count = 0
        self.timings: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append((time.perf_counter() - started, sql[:160]))

    def slowest(self, count: int) -> list[str]:
        return [
            f"{seconds * 1000:8.1f} ms  {sql}" for seconds, sql in sorted(self.timings)[-count:]
        ]


class Command(BaseCommand):
    help = "Mesure l'import de factures historiques seul (lignes/s, CPU, requêtes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=500, help="lignes du fichier")
        parser.add_argument(
            "--profile", action="store_true", help="afficher le haut d'un profil cProfile"
        )
        parser.add_argument("--top", type=int, default=40, help="lignes du profil affichées")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = options["rows"]
        if rows < 1:
            raise CommandError("--rows : au moins une ligne")
        with override_settings(DEBUG=False), throwaway_database() as database:
            generated = generate(SETUP)
            year = generated.years[-1]
            content = import_csv(generated, year, rows)
            # Loaded once per process (openpyxl alone takes 0.4 s), as in a running server.
            load_command_class("alveole.core", "import")
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "factures.csv"
                path.write_text(content, encoding="utf-8")
                counter = _Counter()
                profile = cProfile.Profile() if options["profile"] else None
                entries_before = Entry.objects.count()
                with connection.execute_wrapper(counter):
                    cpu = time.process_time()
                    started = time.perf_counter()
                    if profile is not None:
                        profile.enable()
                    call_command(
                        "import", "invoices", str(path), stdout=io.StringIO(), stderr=io.StringIO()
                    )
                    if profile is not None:
                        profile.disable()
                    seconds = time.perf_counter() - started
                    cpu = time.process_time() - cpu
            imported = Invoice.objects.filter(number__startswith=f"H{year}-").count()
            payments = Payment.objects.filter(invoice__number__startswith=f"H{year}-").count()
            entries = Entry.objects.count() - entries_before
            load = " ".join(f"{value:.2f}" for value in os.getloadavg())
            self.stdout.write(
                f"{database} : {imported}/{rows} factures importées, {payments} paiements, "
                f"{entries} écritures\n"
                f"  {imported / seconds:,.0f} lignes/s ({seconds:.2f} s, CPU du processus "
                f"{cpu:.2f} s soit {cpu / rows * 1000:.2f} ms/ligne)\n"
                f"  {counter.count} requêtes SQL ({counter.count / rows:.2f} par ligne)\n"
                f"  charge de la machine : {load}".replace(",", " ")
            )
            spent = sum(seconds for seconds, _sql in counter.timings)
            self.stdout.write(f"  temps passé dans la base : {spent:.2f} s ; les plus lentes :")
            self.stdout.write("\n".join(counter.slowest(8)))
            if profile is not None:
                stream = io.StringIO()
                stats = pstats.Stats(profile, stream=stream)
                stats.sort_stats("cumulative").print_stats(options["top"])
                stats.sort_stats("tottime").print_stats(options["top"])
                self.stdout.write(stream.getvalue())
