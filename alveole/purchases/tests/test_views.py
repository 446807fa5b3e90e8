"""Pages of purchases: who sees what (404 otherwise), refused writes change nothing, lists
with filters, totals and exports, constant query counts, files only to those who may."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.core.models import AuditEvent
from alveole.purchases import services
from alveole.purchases.models import (
    ExpenseLine,
    ExpenseReport,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
)

from .conftest import LINES_INCL, cii_bytes, jpeg_bytes, manual_invoice, plain_pdf, supplier

pytestmark = pytest.mark.django_db

STAFF_ROLES = ("staff", "accountant", "director")


def _rows() -> tuple:
    return (
        list(SupplierInvoice.objects.order_by("pk").values()),
        list(SupplierInvoiceLine.objects.order_by("pk").values()),
        list(Supplier.objects.order_by("pk").values()),
        list(ExpenseReport.objects.order_by("pk").values()),
        list(ExpenseLine.objects.order_by("pk").values()),
    )


@pytest.fixture
def world(personas) -> dict[str, Any]:
    """Alice's invoice (received e-invoice) and report with a receipt; Bob's invoice."""
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    received = services.supplier_invoice_receive(
        actor=alice.user, content=cii_bytes(), filename="facture.xml", business=alice.business
    )
    bobs = manual_invoice(bob.business, number="B-1")
    report = services.expense_report_create(
        actor=alice.user,
        person=alice.person,
        business=alice.business,
        month=datetime.date(2026, 3, 1),
    )
    line = services.expense_line_add(
        actor=alice.user, report=report, date=datetime.date(2026, 3, 3), category="meals",
        description="Repas", amount_cents=1800, vat_cents=164, receipt=jpeg_bytes(), receipt_filename="t.jpg",
    )  # fmt: skip
    return {"alice_invoice": received, "bob_invoice": bobs, "report": report, "line": line}


def _urls(world: dict[str, Any]) -> dict[str, str]:
    invoice, report, line = world["alice_invoice"], world["report"], world["line"]
    return {
        "invoice_detail": reverse("purchases:invoice_detail", args=[invoice.pk]),
        "invoice_file": reverse("purchases:invoice_file", args=[invoice.pk]),
        "invoice_edit": reverse("purchases:invoice_edit", args=[invoice.pk]),
        "supplier_detail": reverse("purchases:supplier_detail", args=[invoice.supplier_id]),
        "report_detail": reverse("purchases:report_detail", args=[report.pk]),
        "receipt": reverse("purchases:report_receipt", args=[report.pk, line.pk]),
    }


# --- who sees what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "invoice_list",
        "invoice_create",
        "invoice_receive",
        "supplier_list",
        "supplier_create",
        "report_list",
    ],
)
def test_anonymous_is_sent_to_login(personas, name):
    response = personas.anonymous.client.get(reverse(f"purchases:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_is_sent_to_login_from_every_detail(personas, world):
    for url in _urls(world).values():
        response = personas.anonymous.client.get(url)
        assert response.status_code == 302, url


def test_owner_and_staff_roles_see_details_and_files(personas, world):
    urls = _urls(world)
    for who in ("entrepreneur", *STAFF_ROLES):
        client = getattr(personas, who).client
        for name, url in urls.items():
            if name == "invoice_edit":
                continue
            response = client.get(url)
            assert response.status_code == 200, (who, name)
    response = personas.entrepreneur.client.get(urls["invoice_file"])
    assert b"".join(response.streaming_content) == cii_bytes()
    assert response["Content-Type"] == "application/xml"
    # XML from a supplier is never rendered by the browser from our origin.
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    receipt = personas.staff.client.get(urls["receipt"])
    assert receipt["Content-Type"] == "image/jpeg"
    assert receipt["Content-Disposition"] == 'inline; filename="t.jpg"'
    assert b"".join(receipt.streaming_content) == jpeg_bytes()


def test_other_entrepreneur_gets_404_on_everything_of_alice(personas, world):
    client = personas.other_entrepreneur.client
    for name, url in _urls(world).items():
        if name == "supplier_detail":
            continue  # the supplier directory is shared; its invoices list is scoped
        assert client.get(url).status_code == 404, name
    body = client.get(_urls(world)["supplier_detail"]).content.decode()
    assert world["alice_invoice"].number not in body


def test_entrepreneur_lists_only_their_own(personas, world):
    body = personas.entrepreneur.client.get(reverse("purchases:invoice_list")).content.decode()
    assert "FA-2026-0042" in body and "B-1" not in body
    body = personas.other_entrepreneur.client.get(reverse("purchases:report_list")).content.decode()
    assert "03/2026" not in body
    body = personas.staff.client.get(reverse("purchases:invoice_list")).content.decode()
    assert "FA-2026-0042" in body and "B-1" in body


def test_entrepreneur_cannot_validate_pay_or_assign_and_nothing_changes(personas, world):
    client = personas.entrepreneur.client
    invoice = world["alice_invoice"]
    before = _rows()
    for action, data in (
        ("validate", {}),
        ("pay", {"date": "2026-04-01", "method": "transfer"}),
        ("assign", {"business": personas.other_entrepreneur.business.pk, "category": "other"}),
        ("check", {}),
    ):
        response = client.post(reverse("purchases:invoice_action", args=[invoice.pk, action]), data)
        assert response.status_code == 403, action
    report = world["report"]
    client.post(reverse("purchases:report_action", args=[report.pk, "submit"]))
    before = _rows()
    for action in ("validate", "refuse", "pay"):
        response = client.post(
            reverse("purchases:report_action", args=[report.pk, action]),
            {"reason": "x", "date": "2026-04-01", "method": "transfer"},
        )
        assert response.status_code == 403, action
    assert _rows() == before


def test_other_entrepreneur_writes_get_404_and_change_nothing(personas, world):
    client = personas.other_entrepreneur.client
    report, line, invoice = world["report"], world["line"], world["alice_invoice"]
    before = _rows()
    posts = [
        reverse("purchases:invoice_action", args=[invoice.pk, "validate"]),
        reverse("purchases:invoice_edit", args=[invoice.pk]),
        reverse("purchases:report_add_line", args=[report.pk]),
        reverse("purchases:report_add_trip", args=[report.pk]),
        reverse("purchases:report_delete_line", args=[report.pk, line.pk]),
        reverse("purchases:report_action", args=[report.pk, "submit"]),
    ]
    for url in posts:
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert _rows() == before


def test_staff_cannot_edit_someone_elses_report_lines(personas, world):
    report = world["report"]
    before = _rows()
    response = personas.staff.client.post(
        reverse("purchases:report_add_trip", args=[report.pk]),
        {
            "date": "2026-03-04",
            "description": "Auch → Pau",
            "distance_km": "120",
            "horsepower": "5",
        },
    )
    assert response.status_code == 403
    assert _rows() == before


def test_only_staff_roles_edit_a_supplier(personas, world):
    url = reverse("purchases:supplier_edit", args=[world["alice_invoice"].supplier_id])
    before = _rows()
    assert personas.entrepreneur.client.post(url, {"name": "X"}).status_code == 403
    assert _rows() == before
    assert personas.accountant.client.get(url).status_code == 200


# --- the journeys through the pages -----------------------------------------------------


def test_staff_assign_validate_and_pay_from_the_detail_page(personas, world):
    invoice = world["bob_invoice"]
    client = personas.staff.client
    action = lambda name, data=None: client.post(  # noqa: E731
        reverse("purchases:invoice_action", args=[invoice.pk, name]), data or {}
    )
    assert action("validate").status_code == 302
    response = action("pay", {"date": "2026-04-02", "method": "transfer", "reference": "VIR-9"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_reference) == ("paid", "VIR-9")
    page = client.get(reverse("purchases:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Validée → Payée" in page and "VIR-9" in page


def test_enter_an_invoice_by_hand(personas):
    found = supplier()
    client = personas.entrepreneur.client
    data = {
        "supplier": found.pk, "business": personas.entrepreneur.business.pk, "number": "P-77",
        "issue_date": "2026-03-02", "due_date": "2026-04-01", "category": "goods_for_resale",
        "title": "", "notes": "", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Papier A4", "lines-0-quantity": "10", "lines-0-unit_price": "4,15",
        "lines-0-vat_rate": "20", "lines-1-description": "Livres", "lines-1-quantity": "3",
        "lines-1-unit_price": "12,345", "lines-1-vat_rate": "5.5",
    }  # fmt: skip
    response = client.post(reverse("purchases:invoice_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice = SupplierInvoice.objects.get(number="P-77")
    assert (invoice.total_incl_vat_cents, invoice.business, invoice.status) == (
        LINES_INCL, personas.entrepreneur.business, "assigned",
    )  # fmt: skip
    before = _rows()
    response = client.post(reverse("purchases:invoice_create"), {**data, "number": "p-77"})
    assert response.status_code == 400
    assert "Doublon : la facture n° P-77" in response.content.decode()
    assert _rows() == before


def test_bad_input_on_the_entry_form_says_why_in_french(personas):
    found = supplier()
    before = _rows()
    response = personas.entrepreneur.client.post(reverse("purchases:invoice_create"), {
        "supplier": found.pk, "business": personas.entrepreneur.business.pk, "number": "",
        "issue_date": "32/13/2026", "category": "other", "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0", "lines-0-description": "A", "lines-0-unit_price": "abc",
        "lines-0-vat_rate": "20",
    })  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ce champ est obligatoire." in body and "Saisissez une date valide." in body
    assert _rows() == before


def test_receive_page_files_good_ones_and_refuses_bad_ones(personas, settings):
    client = personas.staff.client
    response = client.post(
        reverse("purchases:invoice_receive"),
        {
            "files": [
                SimpleUploadedFile("bonne.xml", cii_bytes(), content_type="text/xml"),
                SimpleUploadedFile("scan.pdf", plain_pdf(), content_type="application/pdf"),
            ],
            "category": "other",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "enregistrée" in body and "FA-2026-0042" in body
    assert "scan.pdf" in body and "Ce PDF ne contient pas de facture électronique" in body
    assert SupplierInvoice.objects.count() == 1
    page = client.get(reverse("purchases:invoice_receive")).content.decode()
    assert 'accept=".pdf,.xml' in page and "multiple" in page and "data-drop-zone" in page


def test_receive_one_file_goes_to_its_page(personas, official_artefacts):
    response = personas.entrepreneur.client.post(
        reverse("purchases:invoice_receive"),
        {
            "files": SimpleUploadedFile("f.xml", cii_bytes()),
            "business": personas.entrepreneur.business.pk,
            "category": "subcontracting",
        },
    )
    invoice = SupplierInvoice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "purchases:invoice_detail", args=[invoice.pk]
    )
    assert invoice.category == "subcontracting"
    page = personas.entrepreneur.client.get(response["Location"]).content.decode()
    assert "Contrôle de conformité du" in page and "Règles françaises BR-FR" in page


def test_expense_report_journey_on_the_pages(personas):
    alice = personas.entrepreneur
    client = alice.client
    form = client.get(reverse("purchases:report_create")).content.decode()
    assert 'type="month"' in form
    response = client.post(
        reverse("purchases:report_create"), {"business": alice.business.pk, "month": "2026-03"}
    )
    report = ExpenseReport.objects.get()
    assert response["Location"] == reverse("purchases:report_detail", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'accept="image/*,application/pdf"' in page and 'capture="environment"' in page
    response = client.post(reverse("purchases:report_add_line", args=[report.pk]), {
        "date": "2026-03-05", "category": "transport", "description": "Train Auch-Toulouse",
        "amount": "24,60", "vat": "2,24", "receipt": SimpleUploadedFile("billet.pdf", plain_pdf()),
    })  # fmt: skip
    assert response.status_code == 302
    response = client.post(reverse("purchases:report_add_trip", args=[report.pk]), {
        "date": "2026-03-06", "description": "Auch → Tarbes", "distance_km": "100", "horsepower": "5",
    })  # fmt: skip
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.total_cents == 2460 + 6360
    before = _rows()
    response = client.post(reverse("purchases:report_add_line", args=[report.pk]), {
        "date": "2026-03-05", "category": "meals", "description": "Repas", "amount": "12",
        "receipt": SimpleUploadedFile("virus.exe", b"MZ\x90\x00"),
    })  # fmt: skip
    assert response.status_code == 400
    assert (
        "Le justificatif doit être une photo (JPEG, PNG, WebP, HEIC) ou un PDF."
        in response.content.decode()
    )
    assert _rows() == before
    assert (
        client.post(reverse("purchases:report_action", args=[report.pk, "submit"])).status_code
        == 302
    )
    staff = personas.staff.client
    response = staff.post(
        reverse("purchases:report_action", args=[report.pk, "refuse"]),
        {"reason": "Billet manquant"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "refused"
    page = client.get(reverse("purchases:report_detail", args=[report.pk])).content.decode()
    assert "Refusée : Billet manquant" in page


# --- lists: filters, totals, exports, query counts --------------------------------------


def test_invoice_list_filters_and_totals(personas, world):
    client = personas.accountant.client
    response = client.get(
        reverse("purchases:invoice_list"), {"business": personas.other_entrepreneur.business.pk}
    )
    body = response.content.decode()
    assert "B-1" in body and "FA-2026-0042" not in body
    assert "Total de 1 facture filtrée" in body and "88,88" in body
    response = client.get(reverse("purchases:invoice_list"), {"status": "nonsense"})
    assert response.status_code == 200  # a bad filter shows everything rather than failing


def test_invoice_export_is_scoped_and_audited(personas, world):
    response = personas.entrepreneur.client.get(
        reverse("purchases:invoice_list"), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Numéro", "Type", "Statut"]
    assert [r[0] for r in rows[1:]] == ["FA-2026-0042"]
    response = personas.staff.client.get(reverse("purchases:report_list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = personas.staff.client.get(reverse("purchases:supplier_list"), {"format": "csv"})
    assert "Imprimerie Occitane;732829320" in response.content.decode("utf-8-sig")
    exports = AuditEvent.objects.filter(action="export").values_list("target_type", "actor")
    assert set(exports) == {
        ("purchases.factures-fournisseurs", personas.entrepreneur.user.pk),
        ("purchases.notes-de-depenses", personas.staff.user.pk),
        ("purchases.fournisseurs", personas.staff.user.pk),
    }


@pytest.mark.parametrize("name", ["invoice_list", "supplier_list", "report_list"])
def test_list_query_counts_do_not_grow_with_rows(personas, world, name):
    client = personas.staff.client
    url = reverse(f"purchases:{name}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    alice = personas.entrepreneur
    for n in range(8):
        other = supplier(name=f"Fournisseur {n}", siren="", vat_number="", iban="")
        manual_invoice(alice.business, number=f"N-{n}", supplier=other)
        month = datetime.date(2025, n + 1, 1)
        services.expense_report_create(
            actor=alice.user, person=alice.person, business=alice.business, month=month
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_edit_pages_manual_and_received(personas, world):
    staff = personas.staff.client
    manual = world["bob_invoice"]
    url = reverse("purchases:invoice_edit", args=[manual.pk])
    page = staff.get(url).content.decode()
    assert 'name="lines-0-description"' in page and "Papier A4" in page
    received = world["alice_invoice"]
    url = reverse("purchases:invoice_edit", args=[received.pk])
    page = personas.entrepreneur.client.get(url).content.decode()
    assert "ses montants ne se modifient pas" in page and 'name="number"' not in page
    response = personas.entrepreneur.client.post(
        url, {"category": "subcontracting", "title": "Flyers", "notes": ""}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert (received.category, received.title) == ("subcontracting", "Flyers")


def test_staff_reruns_the_conformity_check(personas, world):
    invoice = world["alice_invoice"]
    response = personas.staff.client.post(
        reverse("purchases:invoice_action", args=[invoice.pk, "check"])
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.validation_state == "done"
    assert invoice.findings.filter(source="validation").count() >= invoice.validation_fatal_count


def test_add_a_supplier_then_enter_its_invoice(personas):
    response = personas.entrepreneur.client.post(
        reverse("purchases:supplier_create") + "?next=invoice",
        {
            "name": "Menuiserie Dupont",
            "siren": "732829320",
            "country": "FR",
            "postal_code": "32000",
        },
    )
    created = Supplier.objects.get()
    assert response["Location"] == reverse("purchases:invoice_create") + f"?supplier={created.pk}"
    response = personas.entrepreneur.client.post(
        reverse("purchases:supplier_create"),
        {"name": "Autre", "siren": "732 829 320", "country": "FR"},
    )
    assert response.status_code == 400
    assert "Le fournisseur « Menuiserie Dupont » a déjà ce SIREN" in response.content.decode()


def test_anonymous_posts_are_sent_to_login_and_change_nothing(personas, world):
    client = personas.anonymous.client
    invoice, report, line = world["alice_invoice"], world["report"], world["line"]
    before = _rows()
    for url in (
        reverse("purchases:invoice_create"),
        reverse("purchases:invoice_receive"),
        reverse("purchases:supplier_create"),
        reverse("purchases:report_create"),
        reverse("purchases:invoice_action", args=[invoice.pk, "validate"]),
        reverse("purchases:report_add_line", args=[report.pk]),
        reverse("purchases:report_delete_line", args=[report.pk, line.pk]),
        reverse("purchases:report_action", args=[report.pk, "submit"]),
    ):
        response = client.post(url, {"name": "X"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
            url
        )
    assert _rows() == before


def test_the_main_menu_links_to_purchases(personas):
    body = personas.entrepreneur.client.get(reverse("home")).content.decode()
    assert f'href="{reverse("purchases:home")}"' in body and ">Achats<" in body
