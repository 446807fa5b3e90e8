"""`alveole bench_sales` runs end to end on a small scale and finds its own checks true.

It makes its own throwaway database (as the benchmark does), so it runs in a subprocess
with the tests' database settings: a SQLite file in a temporary folder, or a database of
its own on the PostgreSQL server of DATABASE_URL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
from django.db import connection


@pytest.mark.django_db
def test_issuing_one_by_one_and_by_batches_is_gap_free():
    command = [
        sys.executable, "-m", "alveole.cli", "bench_sales", "--issues", "24", "--workers", "3",
        "--batch", "5", "--list-size", "10", "--pdfs", "1",
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        command += ["--database-name", f"bench_test_{uuid.uuid4().hex[:8]}"]
    done = subprocess.run(  # noqa: S603  (our own command, fixed arguments)
        command, capture_output=True, text=True, timeout=300, env=os.environ.copy(), check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("Émission")]
    assert [line.split(" :")[0] for line in lines] == [
        "Émission une par une", "Émission par lots de 5"
    ]  # fmt: skip
    for line in lines:
        assert "24 factures par 3 processus" in line
        assert "erreurs : 0 ;" in line
        assert "numéros consécutifs sans doublon : oui" in line
        assert "écritures VE consécutives et équilibrées : oui" in line


@pytest.mark.parametrize(
    ("option", "message"),
    [("--issues=0", "--issues : au moins 1"), ("--workers=0", "--workers : au moins 1"),
     ("--batch=-5", "--batch : 0 (une par une) ou plus")],
)  # fmt: skip
def test_a_bad_option_is_refused_before_any_database_is_made(option, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("bench_sales", option)
