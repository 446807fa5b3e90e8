#!/usr/bin/env python
"""Django's command-line utility; `alveole` wraps it."""

import sys

from alveole.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="manage.py"))
