"""`alveole bench`: generate a large cooperative on a throwaway database and measure it.

`alveole bench --size quick` (under 5 minutes), `--size medium`, `--size full` (1 000
entrepreneurs, 10 years, a million invoices); several `--size` show how costs grow.
`--postgres URL` runs on a `bench_…` database of that PostgreSQL server (DATABASE_URL's
server otherwise when it is PostgreSQL). The table is printed and written as JSON under
`bench/`. `--reuse BASE` measures again, writing nothing, a database kept by `--keep`.
See docs/scaling.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from alveole.bench.database import throwaway_database
from alveole.bench.generate import generate, generated_from_database
from alveole.bench.measure import Figure, Results, measure_all, measure_reads, rss_mb
from alveole.bench.sizes import SIZES


class Command(BaseCommand):
    help = (
        "Génère une grande coopérative sur une base jetable (jamais la base configurée) et "
        "mesure rapports, listes, trésoreries, émission, Factur-X, import et FEC."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            action="append",
            choices=sorted(SIZES),
            help="taille (quick, medium, full) ; répétable pour comparer deux tailles",
        )
        parser.add_argument(
            "--postgres",
            metavar="URL",
            help="serveur PostgreSQL où créer la base bench_… (postgres://user@hôte:port/base)",
        )
        parser.add_argument("--output", default="bench", help="dossier des résultats JSON")
        parser.add_argument(
            "--keep", action="store_true", help="garder la base générée (son nom est affiché)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reuse",
            metavar="BASE",
            help="mesurer de nouveau, sans rien écrire (rapport, listes, trésoreries, FEC), une "
            "base gardée par --keep : son fichier SQLite ou le nom de la base PostgreSQL",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = options["size"] or ["quick"]
        if options["postgres"] and os.environ.get("DATABASE_URL") != options["postgres"]:
            # The database is chosen when the settings load: run again with it.
            argv = list(sys.argv[1:])
            environ = {**os.environ, "DATABASE_URL": options["postgres"]}
            code = subprocess.call([sys.executable, "-m", "alveole.cli", *argv], env=environ)  # noqa: S603
            if code:
                raise CommandError(f"le banc sur PostgreSQL a échoué (code {code})")
            return
        all_results = []
        # As in production: no query log kept in memory, no debug pages.
        if options["reuse"]:
            with override_settings(DEBUG=False):
                self._reread(sizes[-1], options)
            return
        with override_settings(DEBUG=False):
            for name in sizes:
                all_results.append(self._run(name, options))
        if len(all_results) > 1:
            self._growth(all_results)

    def _run(self, name: str, options: dict[str, Any]) -> Results:
        size = SIZES[name]
        started = timezone.now()
        with throwaway_database(keep=options["keep"]) as database:
            self.stdout.write(
                f"\nBase jetable : {database} — taille {name} : {size.entrepreneurs} activités × "
                f"{size.years} ans, {size.invoices:,} factures".replace(",", " ")
            )
            results = Results(size=name, vendor=connection.vendor, started=started.isoformat())
            with tqdm(total=size.invoices, unit=" factures", desc="Génération") as bar:
                generated = generate(
                    size, seed=options["seed"], progress=lambda n, label: bar.update(n)
                )
            results.add(
                Figure("generation", f"Génération ({generated.rows:,} lignes)".replace(",", " "),
                       generated.rows / generated.seconds, "lignes/s", peak_mb=rss_mb(),
                       note=f"{generated.counts['invoices'] / generated.seconds:.0f} factures/s, "
                            f"{generated.seconds:.0f} s")
            )  # fmt: skip
            steps = tqdm(total=7, desc="Mesures", unit=" mesure")
            measure_all(generated, results, log=self.stderr.write, step=lambda: steps.update(1))
            steps.close()
        self._print(results)
        self._save(results, options["output"])
        return results

    def _reread(self, name: str, options: dict[str, Any]) -> None:
        """The read measurements again, on a database kept by an earlier `--keep` run."""
        target = options["reuse"]
        if connection.vendor == "sqlite" and not Path(target).is_file():
            raise CommandError(f"base SQLite introuvable : {target}")
        configured = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = target
        try:
            generated = generated_from_database(SIZES[name])
        except (DatabaseError, ValueError, ObjectDoesNotExist) as error:
            connection.close()
            connection.settings_dict["NAME"] = configured
            raise CommandError(
                f"{target} n'est pas une base gardée par alveole bench : {error}"
            ) from None
        self.stdout.write(f"\nBase gardée : {connection.vendor} {target} — taille {name}")
        results = Results(
            size=f"{name}-reread", vendor=connection.vendor, started=timezone.now().isoformat()
        )
        steps = tqdm(total=4, desc="Mesures", unit=" mesure")
        measure_reads(generated, results, step=lambda: steps.update(1))
        steps.close()
        self._print(results)
        self._save(results, options["output"])

    def _print(self, results: Results) -> None:
        self.stdout.write(f"\n{'Mesure':<62} {'Valeur':>12} {'':<11} {'Req.':>5} {'Pic Mo':>7}")
        for f in results.figures:
            queries = "" if f.queries is None else str(f.queries)
            peak = "" if f.peak_mb is None else f"{f.peak_mb:.1f}"
            self.stdout.write(
                f"{f.label[:62]:<62} {f.value:>12.1f} {f.unit:<11} {queries:>5} {peak:>7}"
                + (f"  {f.note}" if f.note else "")
            )

    def _save(self, results: Results, output: str) -> None:
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = folder / f"{stamp}-{results.vendor}-{results.size}.json"
        path.write_text(json.dumps(results.as_dict(), indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Résultats : {path}")

    def _growth(self, runs: list[Results]) -> None:
        """How each cost grew from the smallest size to the largest, against the data."""
        small, large = runs[0], runs[-1]
        data = large.counts.get("invoices", 0) / max(small.counts.get("invoices", 1), 1)
        self.stdout.write(
            f"\nCroissance {small.size} → {large.size} (données × {data:.1f} ; en ms plus haut "
            "est plus lent, en /s plus bas est plus lent) :"
        )
        before = {f.key: f for f in small.figures}
        for f in large.figures:
            if f.key in before and before[f.key].value:
                self.stdout.write(f"  {f.label[:60]:<60} × {f.value / before[f.key].value:.2f}")
