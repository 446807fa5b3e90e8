"""The `alveole` command: a thin wrapper around Django's manage.py.

`alveole demo`, `alveole serve`, `alveole import <kind> <file>` and every Django
management command (`alveole migrate`, `alveole createsuperuser`…) are available.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None, prog: str = "alveole") -> int:
    """Run a management command with Alvéole's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line([prog, *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
