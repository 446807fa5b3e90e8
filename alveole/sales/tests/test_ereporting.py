"""E-reporting of a month: B2C and international sales and the payments of services for
them; domestic B2B sales (e-invoiced) and other months are left out."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from alveole.sales import ereporting
from alveole.sales.models import Customer
from alveole.sales.services import customer_create, payment_record

from .conftest import LINES_EXCL, LINES_INCL, LINES_VAT, company, individual, issued

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 10)
SERVICE = [
    {"description": "Conseil", "quantity": 2, "unit_price": Decimal("150"), "vat_rate": Decimal("0"),
     "vat_exemption_reason": "Autoliquidation, art. 283-2 du CGI"},
]  # fmt: skip


def _belgian(business) -> Customer:
    return customer_create(
        actor=None, business=business, kind=Customer.Kind.COMPANY, name="Brouwerij Gent",
        vat_number="BE0477472701", address="Korenmarkt 1", postal_code="9000", city="Gent",
        country="BE", email="boekhouding@brouwerij.example",
    )  # fmt: skip


@pytest.fixture
def month(alice):
    business = alice.business
    b2c = issued(business, individual(business), issue_date=MARCH)
    intra_eu = issued(business, _belgian(business), lines=SERVICE, issue_date=MARCH)
    domestic = issued(business, company(business), issue_date=MARCH)
    for invoice, cents in ((b2c, 10000), (intra_eu, 30000), (domestic, 5000)):
        payment_record(
            actor=None, invoice=invoice, amount_cents=cents, method="transfer",
            date=datetime.date(2026, 3, 20),
        )  # fmt: skip
    issued(business, individual(business, name="Autre mois"), issue_date=datetime.date(2026, 4, 1))
    return b2c, intra_eu, domestic


def test_only_b2c_and_international_sales_and_their_service_payments(month):
    b2c, intra_eu, _domestic = month
    data = ereporting.report("2026-03")
    assert (data["start"], data["end"]) == ("2026-03-01", "2026-03-31")
    rows = {row["number"]: row for row in data["transactions"]}
    assert set(rows) == {b2c.number, intra_eu.number}
    assert rows[b2c.number]["category"] == "B2C"
    assert (
        rows[b2c.number]["total_excl_vat_cents"],
        rows[b2c.number]["total_vat_cents"],
        rows[b2c.number]["total_incl_vat_cents"],
    ) == (LINES_EXCL, LINES_VAT, LINES_INCL)
    assert rows[b2c.number]["vat"] == [
        {"rate": "20.00", "base_cents": 20000, "vat_cents": 4000},
        {"rate": "5.50", "base_cents": 3604, "vat_cents": 198},
    ]
    assert (rows[intra_eu.number]["category"], rows[intra_eu.number]["country"]) == (
        "B2BInt-UE", "BE",
    )  # fmt: skip
    assert rows[intra_eu.number]["vat_number"] == "BE0477472701"
    assert rows[intra_eu.number]["vat"] == [{"rate": "0.00", "base_cents": 30000, "vat_cents": 0}]
    assert rows[intra_eu.number]["total_incl_vat_cents"] == 30000
    # Payments of services (the invoices' operation category): the B2C and the Belgian
    # invoices; the domestic B2B payment is not reported (status 212 carries it).
    assert [(p["invoice"], p["amount_cents"], p["category"]) for p in data["payments"]] == [
        (b2c.number, 10000, "B2C"),
        (intra_eu.number, 30000, "B2BInt-UE"),
    ]
    assert ereporting.report("2026-02") == {
        "period": "2026-02", "start": "2026-02-01", "end": "2026-02-28",
        "transactions": [], "payments": [],
    }  # fmt: skip


def test_command_writes_json_and_csv(month, tmp_path):
    b2c, intra_eu, domestic = month
    out = tmp_path / "ereporting.json"
    call_command("ereporting", "--period", "2026-03", "-o", str(out))
    data = json.loads(out.read_text())
    assert [t["number"] for t in data["transactions"]] == sorted([b2c.number, intra_eu.number])
    csv_out = tmp_path / "ereporting.csv"
    call_command("ereporting", "--period", "2026-03", "--format", "csv", "-o", str(csv_out))
    lines = csv_out.read_text().splitlines()
    assert lines[0].startswith("kind;number;date;business;category")
    assert len(lines) == 1 + 3 + 2  # two rates + one rate, two payments
    assert domestic.number not in csv_out.read_text()
    assert f"transaction;{intra_eu.number};2026-03-10;" in csv_out.read_text()


def test_a_bad_period_is_refused():
    with pytest.raises(CommandError, match="Période invalide"):
        call_command("ereporting", "--period", "2026-13")


def test_period_bounds():
    assert ereporting.period_bounds("2026-12") == (
        datetime.date(2026, 12, 1), datetime.date(2026, 12, 31),
    )  # fmt: skip
    assert ereporting.period_bounds("2028-02")[1] == datetime.date(2028, 2, 29)
