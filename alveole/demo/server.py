"""Serving Alvéole locally: what `alveole serve` and `alveole demo` share."""

from __future__ import annotations

import argparse
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def port_number(value: str) -> int:
    """An argparse type: a TCP port, refused with a French message otherwise."""
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"« {value} » n'est pas un numéro de port (1 à 65535).")
    return port


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"Adresse d'écoute (par défaut {DEFAULT_HOST} ; 0.0.0.0 pour le réseau local).",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"Port d'écoute (par défaut {DEFAULT_PORT}).",
    )


def address(host: str, port: int) -> str:
    """The address runserver takes: host:port, with brackets around an IPv6 host."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def url(host: str, port: int) -> str:
    """The URL to open in a browser (a wildcard address is reached through localhost)."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - only displayed, nothing binds here
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://{address(host, port)}/"


TWO_FACTOR_VARIABLE = "ALVEOLE_2FA_REQUIRED_ROLES"


def relax_two_factor_for_demo() -> bool:
    """Let the demo's team logins in without a phone; True when two-factor was lifted.

    Only on the demo database outside production, and only when the administrator did not
    choose the roles themself (ALVEOLE_2FA_REQUIRED_ROLES): a real cooperative keeps it.
    The variable is also set for the auto-reloader's child process.
    """
    from alveole.demo.generator import is_demo_database

    if settings.PRODUCTION or TWO_FACTOR_VARIABLE in os.environ or not is_demo_database():
        return False
    os.environ[TWO_FACTOR_VARIABLE] = "none"
    settings.ALVEOLE_2FA_REQUIRED_ROLES = []
    return True


def serve(host: str, port: int, *, reload: bool = False) -> None:
    """Run Django's development server (threaded; without the auto-reloader unless asked)."""
    call_command("runserver", address(host, port), use_reloader=reload, use_threading=True)
