"""`alveole einvoice validate FILE`."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from alveole.einvoicing import cii, ubl
from alveole.einvoicing.tests import builders


def _run(*args: str) -> str:
    out = StringIO()
    call_command("einvoice", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_a_compliant_invoice_prints_a_summary_and_succeeds(artefacts, tmp_path):
    path = tmp_path / "facture.xml"
    path.write_bytes(cii.to_cii(builders.invoice()))

    output = _run("validate", str(path), "--artefacts", str(artefacts.root))

    lines = output.splitlines()
    assert lines[0] == f"Fichier : {path} — CII (urn:cen.eu:en16931:2017)"
    assert lines[-1].startswith(
        "Résumé : conforme — aucune erreur bloquante, aucun avertissement (erreurs bloquantes "
        "par étape : Schéma XSD 0, Règles EN 16931 0, Règles Factur-X EN 16931 0, "
        "Règles françaises BR-FR 0)"
    )


def test_fatal_findings_are_printed_one_per_line_and_exit_with_1(artefacts, tmp_path):
    invoice = builders.invoice()
    broken = dataclasses.replace(
        invoice,
        totals=dataclasses.replace(invoice.totals, tax_inclusive=1),
    )
    path = tmp_path / "facture.xml"
    path.write_bytes(ubl.to_ubl(broken))
    out = StringIO()

    with pytest.raises(CommandError, match="2 erreurs bloquantes") as raised:
        call_command("einvoice", "validate", str(path), stdout=out, no_color=True)

    assert raised.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("Règles EN 16931 | BR-CO-15 | bloquant | Le total TTC (BT-112)")
    assert lines[2].startswith(
        "Règles EN 16931 | BR-CO-16 | bloquant | Le montant à payer (BT-115)"
    )
    assert (
        lines[3]
        == "Étape sans objet — Règles Factur-X EN 16931 : le schematron Factur-X ne s'applique qu'au CII"
    )
    assert lines[4].startswith("Résumé : NON conforme — 2 erreurs bloquantes")


def test_missing_artefacts_are_announced(tmp_path):
    path = tmp_path / "avoir.xml"
    path.write_bytes(cii.to_cii(builders.credit_note()))

    output = _run("validate", str(path), "--artefacts", str(tmp_path))

    assert "Étape non exécutée — Règles EN 16931 : règles EN 16931 (CII) non installées" in output
    assert (
        "ATTENTION, vérification incomplète, non exécuté : Règles EN 16931, Règles Factur-X EN 16931"
        in output
    )


def test_an_unreadable_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("einvoice", "validate", str(tmp_path / "absent.pdf"))
