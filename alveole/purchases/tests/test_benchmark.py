"""The benchmark command runs and prints its numbers (the numbers themselves are not tested)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_benchmark_prints_its_figures(samples_folder):
    out = io.StringIO()
    call_command(
        "purchases_benchmark", "--samples", str(samples_folder / "fnfe-facturx"), "--count", "5",
        "--with-database", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Lecture + contrôle d'une facture reçue" in text
    assert "Lecture de 5 factures reçues" in text
    assert "Réception complète de 5 factures" in text
