"""`alveole import supplier-invoice FILE`: received through the generic import command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from alveole.purchases.models import Supplier, SupplierInvoice

from .conftest import cii_bytes, plain_pdf

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_supplier_invoice_receives_and_checks(personas, tmp_path):
    path = tmp_path / "facture.xml"
    path.write_bytes(cii_bytes())
    code, out, err = _run("supplier-invoice", str(path), "--user", "staff@example.org")
    assert code == 0, err
    invoice = SupplierInvoice.objects.get()
    assert (
        "Facture FA-2026-0042 de Imprimerie Occitane du 10/03/2026 (CII) : 145,85\u202f€ TTC" in out
    )
    assert "Contrôle de conformité :" in out and "Facture enregistrée" in out
    assert invoice.validation_state == "done" and invoice.created_by == personas.staff.user
    code, out, err = _run("supplier-invoice", str(path))
    assert code == 1 and "Doublon : la facture n° FA-2026-0042" in err
    assert SupplierInvoice.objects.count() == 1


def test_import_supplier_invoice_refuses_a_bad_file(personas, tmp_path, settings):
    path = tmp_path / "scan.pdf"
    path.write_bytes(plain_pdf())
    code, _out, err = _run("supplier-invoice", str(path))
    assert code == 1
    assert (
        "Fichier refusé, rien n'a été enregistré : Ce PDF ne contient pas de facture électronique"
        in err
    )
    assert not SupplierInvoice.objects.exists() and not Supplier.objects.exists()


def test_import_supplier_invoice_dry_run_writes_nothing(personas, tmp_path, settings):
    path = tmp_path / "facture.xml"
    path.write_bytes(cii_bytes())
    code, out, _err = _run("supplier-invoice", str(path), "--dry-run")
    assert code == 0 and "rien n'a été enregistré" in out
    assert not SupplierInvoice.objects.exists() and not Supplier.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
