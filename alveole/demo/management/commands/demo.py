"""`alveole demo`: prepare the database, load the demo cooperative, print the logins, serve."""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from alveole.coop.models import Cooperative
from alveole.core.formatting import format_date
from alveole.demo.generator import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    demo_logins,
    demo_summary,
    generate,
    is_demo_database,
)
from alveole.demo.server import add_server_arguments, relax_two_factor_for_demo, serve, url


def positive_scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        scale = 0.0
    if not 0.05 <= scale <= 10:
        raise argparse.ArgumentTypeError(f"« {value} » : l'échelle va de 0.05 à 10.")
    return scale


class Command(BaseCommand):
    help = (
        "Prépare la base, y crée la coopérative de démonstration si elle n'a pas encore de "
        "coopérative, affiche les comptes de démonstration puis lance le serveur."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Vide la base (toutes les données !) et recrée la coopérative de démonstration.",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Charge la démonstration sans lancer le serveur.",
        )
        add_server_arguments(parser)
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Graine du générateur : la même graine donne les mêmes données (défaut {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--scale",
            type=positive_scale,
            default=1.0,
            help="Taille de la coopérative (1 : environ 130 coopérateurs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Préparation de la base de données…")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            if Cooperative.objects.exists() and not is_demo_database():
                raise CommandError(
                    "Cette base contient une vraie coopérative, pas celle de démonstration : "
                    "--reset refuse de l'effacer. Pour une démonstration à part, choisissez "
                    "un autre fichier avec ALVEOLE_SQLITE_PATH."
                )
            self.stdout.write("Remise à zéro de la base…")
            drop_all_tables()
            # Migrating again reloads the reference data of the data migrations (sectors,
            # payroll rates, mileage scale, chart of accounts…), which a flush would lose.
            call_command("migrate", interactive=False, verbosity=0)
        if Cooperative.objects.exists():
            self.stdout.write(
                "La base contient déjà une coopérative : elle est conservée "
                "(alveole demo --reset pour repartir de zéro)."
            )
        else:
            self.stdout.write("Création de la coopérative de démonstration…")
            self.stdout.flush()
            result = generate(seed=options["seed"], scale=options["scale"], progress=True)
            seconds = f"{result.seconds:.1f}".replace(".", ",")
            self.stdout.write(f"Coopérative de démonstration créée en {seconds} s.")
        relaxed = not options["no_serve"] and relax_two_factor_for_demo()
        self.stdout.write(self.ready_message(options, two_factor_relaxed=relaxed))
        if not options["no_serve"]:
            # The block above says it all; Django's English warning would only confuse.
            os.environ.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")
            serve(options["host"], options["port"])

    def ready_message(self, options: dict[str, Any], *, two_factor_relaxed: bool = False) -> str:
        rule = "─" * 72
        lines = ["", rule, f"Alvéole est prêt : {url(options['host'], options['port'])}", ""]
        if is_demo_database():
            cooperative = Cooperative.objects.get()
            summary = demo_summary()
            lines += [
                f"Coopérative de démonstration « {cooperative.name} » — données fictives.",
                f"Au {format_date(summary.census_day)} : {summary.members} coopérateur·rices, "
                f"{summary.support_staff} membres de l'équipe d'appui, "
                f"{summary.associates} associé·es ; établissements : {', '.join(summary.offices)}.",
                "",
                f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD}) :",
            ]
            logins = demo_logins()
            width = max(len(login.label) for login in logins) if logins else 0
            width_email = max(len(login.email) for login in logins) if logins else 0
            for login in logins:
                detail = f"  ({login.detail})" if login.detail else ""
                lines.append(
                    f"  {login.label:<{width}}  {login.email:<{width_email}}{detail}".rstrip()
                )
            if two_factor_relaxed:
                lines.append(
                    "  Double authentification désactivée pour la démonstration "
                    "(ALVEOLE_2FA_REQUIRED_ROLES) ; elle est exigée en production."
                )
            lines.append("")
        if options["no_serve"]:
            lines.append("Lancer le serveur : alveole serve")
        else:
            lines.append("Arrêter le serveur : Ctrl+C")
        lines += ["Repartir de zéro : alveole demo --reset", rule, ""]
        return "\n".join(lines)


def drop_all_tables() -> None:
    """Drop every table of the database, Django's migration history included."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    with connection.constraint_checks_disabled(), connection.schema_editor(atomic=False) as editor:
        for table in tables:
            editor.execute(editor.sql_delete_table % {"table": editor.quote_name(table)})
