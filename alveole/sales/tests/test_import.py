"""`alveole import invoices FILE`: historical invoices keep their numbers, all or nothing."""

import pytest

from alveole.core.importing import run_import
from alveole.sales.models import Customer, Invoice, InvoiceStatus, Payment

pytestmark = pytest.mark.django_db

HEADER = (
    "number;business;customer;issue_date;kind;due_date;net_20;net_5_5;net_0;exemption_reason;"
    "total_incl_vat;credited_number;customer_address;customer_postal_code;customer_city;"
    "paid_amount;paid_date;payment_method\n"
)


def _import(text: str):
    return run_import(kind="invoices", content=text.encode(), filename="f.csv", actor=None)


def test_historical_invoices_are_imported_frozen(personas):
    result = _import(
        HEADER + "F2021-0001;ALICE;Mairie d'Auch;04/03/2021;invoice;03/04/2021;1000;100;;;1305,50;;"
        "Place de la Libération;32000;Auch;1305,50;10/04/2021;virement\n"
        + "F2021-0002;ALICE;Mairie d'Auch;05/03/2021;;;;;500;Exonération de TVA, art. 261-4-4° a du CGI;;;;;;;;\n"
        + "AV2021-0001;ALICE;Mairie d'Auch;06/03/2021;avoir;;;;100;Exonération de TVA, art. 261-4-4° a du CGI;;F2021-0002;;;;;;\n"
    )
    assert result.ok, (result.errors, result.file_error)
    assert result.created == 3
    first = Invoice.objects.get(number="F2021-0001")
    assert (first.total_excl_vat_cents, first.total_vat_cents, first.total_incl_vat_cents) == (
        110000,
        20550,
        130550,
    )
    assert (first.status, first.imported, first.paid_cents) == (InvoiceStatus.PAID, True, 130550)
    assert Customer.objects.get().name == "Mairie d'Auch"
    second = Invoice.objects.get(number="F2021-0002")
    assert second.credited_cents == 10000
    credit = Invoice.objects.get(number="AV2021-0001")
    assert credit.kind == "credit_note" and credit.credited_invoice == second


def test_every_bad_line_is_reported_and_nothing_is_written(personas):
    result = _import(
        HEADER
        + "F2021-0001;ALICE;Inconnu;04/03/2021;;;1000;;;;;;;;;;;\n"
        + "F 2021/1;BOB;Client;04/03/2021;;;100;;;;;;1 rue;32000;Auch;;;\n"
        + "F2021-0003;NOPE;Client;31/02/2021;;;;;;;;;;;;;;\n"
        + "F2021-0004;ALICE;Client B;04/03/2021;;;100;;;;999;;1 rue;32000;Auch;500;;\n"
        + "F2021-0004;ALICE;Client B;04/03/2021;;;100;;;;;;1 rue;32000;Auch;;;\n"
    )
    assert not result.ok
    assert [e.line for e in result.errors] == [2, 3, 4, 5, 6]
    messages = {e.line: e.message for e in result.errors}
    assert "client « Inconnu » inconnu" in messages[2]
    assert "35 caractères" in messages[3]
    assert "activité inconnue" in messages[4]
    assert "diffère de celui du fichier" in messages[5]
    assert "en double" in messages[6]
    assert Invoice.objects.count() == 0
    assert Payment.objects.count() == 0
    assert Customer.objects.count() == 0
