"""Uploaded files: checked by their bytes, stored outside the web root, served after a check."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from alveole.core.uploads import content_matches

pytestmark = pytest.mark.django_db

#: The start of a Windows program: what a "receipt.pdf" from a phishing mail may really be.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
#: The same program with a PDF marker further on, to fool a search for "%PDF-".
POLYGLOT = EXECUTABLE[:64] + b"%PDF-1.7\n" + EXECUTABLE[64:]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def test_content_matches_decides_by_bytes_not_by_name():
    assert content_matches(b"%PDF-1.7\n...", "pdf")
    assert not content_matches(EXECUTABLE, "pdf")
    assert not content_matches(POLYGLOT, "pdf")
    assert not content_matches(b"\x89PNG\r\n\x1a\n", "pdf")
    assert content_matches(b"\x89PNG\r\n\x1a\n\x00\x00", "png")
    assert content_matches(b"PK\x03\x04rest", "docx")
    assert not content_matches(EXECUTABLE, "docx")
    assert content_matches("nom;montant\nÉlise;12\n".encode(), "csv")
    assert not content_matches(b"#!/bin/sh\nrm -rf /\n", "txt")
    assert not content_matches(b"<script>alert(1)</script>", "txt")
    assert not content_matches(b"%PDF-1.7", "exe")


@pytest.mark.parametrize("content", [EXECUTABLE, POLYGLOT], ids=["mz", "mz-with-pdf-marker"])
def test_receipt_that_is_an_executable_is_refused(personas, content):
    from alveole.purchases.models import ExpenseLine
    from alveole.purchases.services import expense_report_create

    client = personas.entrepreneur.client
    report = expense_report_create(
        actor=None,
        person=personas.entrepreneur.person,
        business=personas.entrepreneur.business,
        month=datetime.date.today().replace(day=1),
    )
    response = client.post(
        reverse("purchases:report_add_line", args=[report.pk]),
        {
            "date": datetime.date.today().isoformat(),
            "category": "other",
            "description": "Papeterie",
            "amount": "12,00",
            "vat": "2,00",
            "receipt": SimpleUploadedFile("receipt.pdf", content, "application/pdf"),
        },
        follow=True,
    )
    assert "Le justificatif doit être une photo (JPEG, PNG, WebP, HEIC) ou un PDF." in (
        response.content.decode()
    )
    assert not ExpenseLine.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_receipt_service_refuses_the_executable_too(personas):
    from alveole.purchases.files import check_receipt

    with pytest.raises(ValidationError) as error:
        check_receipt(POLYGLOT, "receipt.pdf")
    assert "photo (JPEG, PNG, WebP, HEIC) ou un PDF" in str(error.value)


def test_assembly_document_that_is_an_executable_is_refused(personas):
    from alveole.governance.models import AssemblyDocument
    from alveole.governance.services import assembly_document_add
    from alveole.governance.tests.conftest import make_assembly

    assembly = make_assembly()
    for name in ("statuts.pdf", "budget.xlsx", "notes.txt"):
        with pytest.raises(ValidationError) as error:
            assembly_document_add(
                actor=personas.director.user,
                assembly=assembly,
                title="Statuts",
                upload=SimpleUploadedFile(name, EXECUTABLE),
            )
        assert "Le contenu du fichier ne correspond pas" in str(error.value), name
    assert not AssemblyDocument.objects.exists()
    document = assembly_document_add(
        actor=personas.director.user,
        assembly=assembly,
        title="Statuts",
        upload=SimpleUploadedFile("statuts.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    assert document.content_type == "application/pdf"


def test_files_live_outside_the_web_root_and_no_url_serves_them(personas):
    static_root = settings.STATIC_ROOT.resolve()
    media_root = settings.MEDIA_ROOT.resolve()
    assert static_root not in media_root.parents and media_root != static_root
    # Nothing maps a URL onto MEDIA_ROOT: no route uses Django's static file view.
    from django.views.static import serve

    from alveole.core.tests.routes import all_callbacks

    assert serve not in all_callbacks()
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "secret.pdf").write_bytes(b"%PDF-1.7")
    for url in ("/files/secret.pdf", "/media/secret.pdf", "/static/../files/secret.pdf"):
        assert Client().get(url).status_code == 404
        assert personas.director.client.get(url).status_code == 404
