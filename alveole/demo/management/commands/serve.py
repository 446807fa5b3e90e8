"""`alveole serve`: serve Alvéole on this computer (Django's development server)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alveole.demo.server import add_server_arguments, relax_two_factor_for_demo, serve, url


class Command(BaseCommand):
    help = "Lance Alvéole sur cet ordinateur (serveur de développement de Django)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Redémarre le serveur quand le code change (pour le développement).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Alvéole : {url(options['host'], options['port'])}")
        if relax_two_factor_for_demo():
            self.stdout.write(
                "Base de démonstration : double authentification désactivée "
                "(ALVEOLE_2FA_REQUIRED_ROLES) ; elle est exigée en production."
            )
        serve(options["host"], options["port"], reload=options["reload"])
