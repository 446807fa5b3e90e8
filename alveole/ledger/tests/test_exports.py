"""The FEC read back as the tax administration reads it, and the other exports, through
`alveole export`."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from alveole.coop.models import FiscalYear
from alveole.core.models import AuditEvent
from alveole.ledger import exports, posting, services
from alveole.ledger.posting import DocumentRef, Party, SaleAmounts
from alveole.ledger.tests.conftest import (
    bill,
    bill_paid,
    contribution,
    invoice,
    payment,
    post,
    salary,
)
from tests.factories import COOP_SIREN

pytestmark = pytest.mark.django_db
D = datetime.date
# DOMAIN.md's line, split: independent of the code's own list.
HEADER = (  # noqa: SIM905
    "JournalCode JournalLib EcritureNum EcritureDate CompteNum CompteLib CompAuxNum CompAuxLib "
    "PieceRef PieceDate EcritureLib Debit Credit EcritureLet DateLet ValidDate Montantdevise Idevise"
).split()


@pytest.fixture
def books(personas, support, monkeypatch):
    """A year 2025 closed, then 2026 with every kind of entry."""
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))
    invoice(alice, "A-2025-1", D(2025, 11, 3), services=100_000, services_vat=20_000)
    payment(alice, "A-2025-1", D(2025, 12, 1), 60_000, excl_vat=50_000, pending_vat=10_000)
    services.fiscal_year_close(
        actor=None, fiscal_year=FiscalYear.objects.get(start_date=D(2025, 1, 1))
    )
    post(
        posting.invoice_issued(
            document=DocumentRef("invoice", "A-2026-1", D(2026, 2, 3)),
            business_id=alice.pk,
            customer=Party("C9", "Café\tdes « Arts »\nAuch"),
            amounts=SaleAmounts(goods_net_cents=12_345, goods_vat_cents=2_469),
            vat_on_debits=False,
        )
    )
    payment(alice, "A-2025-1", D(2026, 1, 15), 60_000, excl_vat=50_000, pending_vat=10_000)
    bill(bob, "F-1", D(2026, 2, 10), 20_000, 4_000, category="subcontracting")
    bill_paid(bob, "F-1", D(2026, 2, 20), 24_000)
    salary(alice, D(2026, 2, 28), gross=50_000, employer=20_000, reduction=5_000, employee=11_000)
    contribution(alice, support, D(2026, 2, 28), 12_000)
    services.entry_create_manual(
        actor=None,
        journal="OD",
        date=D(2026, 3, 31),
        label="Frais bancaires",
        lines=[
            posting.LineDraft("627", 1_500, business_id=support.pk),
            posting.LineDraft("512", 0, 1_500),
        ],
    )
    return {"alice": alice, "bob": bob, "support": support}


def read_fec(path):
    raw = path.read_bytes()
    text = raw.decode("iso-8859-15")
    assert text.endswith("\r\n")
    return [line.split("\t") for line in text[:-2].split("\r\n")]


def test_fec_read_back(books, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export", "fec", "--year", "2026")
    path = tmp_path / f"{COOP_SIREN}FEC20261231.txt"
    rows = read_fec(path)
    assert rows[0] == HEADER
    assert all(len(row) == 18 for row in rows)
    data = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert len(data) == 26
    for row in data:
        for column in ("EcritureDate", "PieceDate", "ValidDate"):
            assert re.fullmatch(r"\d{8}", row[column]), row
            datetime.datetime.strptime(row[column], "%Y%m%d")
        assert row["DateLet"] == "" or re.fullmatch(r"\d{8}", row["DateLet"])
        assert re.fullmatch(r"\d+,\d{2}", row["Debit"]) and re.fullmatch(
            r"\d+,\d{2}", row["Credit"]
        )
        assert (row["Debit"] == "0,00") != (row["Credit"] == "0,00")
        assert row["EcritureLib"] and row["PieceRef"] and row["CompteNum"] and row["CompteLib"]
        assert row["EcritureDate"].startswith("2026")
        assert row["Montantdevise"] == row["Idevise"] == ""

    def cents(text):
        return int(Decimal(text.replace(",", ".")) * 100)

    # Balanced as a whole and entry by entry.
    assert sum(cents(r["Debit"]) for r in data) == sum(cents(r["Credit"]) for r in data)
    entries = defaultdict(int)
    for r in data:
        entries[(r["JournalCode"], r["EcritureNum"])] += cents(r["Debit"]) - cents(r["Credit"])
    assert set(entries.values()) == {0}
    # Continuous numbering per journal, from 1.
    numbers = defaultdict(set)
    for journal, number in entries:
        numbers[journal].add(int(number[len(journal) :]))
    assert numbers == {"AN": {1}, "VE": {1}, "BQ": {1, 2}, "AC": {1}, "PA": {1}, "OD": {1, 2}}
    # The opening entry comes first, with the 2025 result.
    assert [r["JournalCode"] for r in data[:5]] == ["AN"] * 5
    assert {r["CompteNum"]: r["Credit"] for r in data[:5]}["120"] == "1000,00"
    # Separators inside a field become spaces; French characters survive ISO 8859-15.
    customer = next(r for r in data if r["CompAuxNum"] == "C9")
    assert customer["CompAuxLib"] == "Café des « Arts » Auch"
    assert customer["Debit"] == "148,14" and customer["PieceRef"] == "A-2026-1"
    # Lettered lines carry their lettering date; the manual entry its own reference.
    # The 2025 invoice, carried by the opening entry and paid in 2026, is lettered in 2026.
    lettered = [
        (r["JournalCode"], r["CompteNum"], r["Debit"], r["Credit"], r["DateLet"])
        for r in data
        if r["EcritureLet"]
    ]
    assert sorted(lettered) == [
        ("AC", "401", "0,00", "240,00", "20260220"),
        ("AN", "411", "600,00", "0,00", "20260115"),
        ("BQ", "401", "240,00", "0,00", "20260220"),
        ("BQ", "411", "0,00", "600,00", "20260115"),
    ]
    bank_fees = next(r for r in data if r["EcritureLib"] == "Frais bancaires")
    assert bank_fees["PieceRef"] == "OD000002"
    assert AuditEvent.objects.filter(action="export", summary__startswith="Export fec").exists()


def test_fec_is_streamed():
    lines = exports.fec_lines
    assert hasattr(
        lines(FiscalYear(start_date=D(2026, 1, 1), end_date=D(2026, 12, 31))), "__next__"
    )


def test_tables_as_csv_and_xlsx(books, tmp_path):
    trial = tmp_path / "balance.csv"
    call_command("export", "trial-balance", "--year", "2026", "-o", str(trial))
    rows = list(csv.reader(io.StringIO(trial.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(exports.TRIAL_BALANCE_HEADER)
    assert rows[-1][0] == "Total" and rows[-1][2] == rows[-1][3]
    assert ["627", "Services bancaires et assimilés", "15.00", "0.00", "15.00", ""] in rows

    analytic = tmp_path / "analytique.xlsx"
    call_command("export", "analytic", "--year", "2026", "--format", "xlsx", "-o", str(analytic))
    sheet = load_workbook(analytic, read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(exports.ANALYTIC_HEADER)
    assert [
        "CAE",
        "Structure d'accompagnement",
        "1811",
        "Liaison entre activités – contributions coopératives",
        0,
        120,
        -120,
    ] in values
    assert values[-1][0] == "(sans code)"

    ledger = tmp_path / "grand-livre.csv"
    call_command("export", "general-ledger", "--year", "2026", "-o", str(ledger))
    rows = list(csv.reader(io.StringIO(ledger.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(exports.GENERAL_LEDGER_HEADER)
    bank = [row for row in rows[1:] if row[0] == "512"]
    # Running balance of the bank: opening 600 (AN), +600, −240 (Bob's bill), −15 (fees).
    assert [row[11] for row in bank] == ["600.00", "1200.00", "960.00", "945.00"]


def test_export_of_an_unknown_year_fails_cleanly(books):
    with pytest.raises(CommandError, match="Aucun exercice ne se termine en 2019"):
        call_command("export", "fec", "--year", "2019")
