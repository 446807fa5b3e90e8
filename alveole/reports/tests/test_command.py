"""`alveole report`: the JSON shape and the CSV/XLSX rows."""

from __future__ import annotations

import csv
import io
import json

from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from alveole.reports.figures import report_compute


def test_json_output(coop_2025, capsys):
    call_command("report", "--year", "2025", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2025
    figures = data["figures"]
    assert figures["entrepreneurs_turnover"] == "2400.00"
    assert figures["members"] == 4
    assert figures["positive_exit_rate"] == "0.50"
    assert figures["entrepreneurs_turnover_by_status"] == {
        "cape_and_salaried": "1400.00",
        "associate": "1000.00",
    }
    assert figures["members_by_entry_situation"]["other"] == 1
    report = report_compute(year=2025)
    # A figure that cannot be computed is null in the JSON, with its reason under "missing".
    assert data["missing"] == {k: f.missing for k, f in report.figures.items() if f.is_missing}
    assert all(figures[key] is None for key in data["missing"])


def test_json_of_a_year_without_data_says_what_is_missing(coop_2025, capsys):
    call_command("report", "--year", "2023", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["wage_bill"] is None
    assert data["missing"]["wage_bill"] == "aucune paie enregistrée pour l'année"
    assert data["missing"]["vat_remitted"] == "comptabilité non disponible"


def test_csv_and_xlsx_rows(coop_2025, tmp_path):
    target = tmp_path / "report.csv"
    call_command("report", "--year", "2025", "--format", "csv", "-o", str(target))
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["key", "label", "value", "unit", "year"]
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["entrepreneurs_turnover"] == [
        "entrepreneurs_turnover", "CA des entrepreneurs", "2400.00", "euros", "2025",
    ]  # fmt: skip
    assert by_key["members_by_status.cape"][2] == "1"
    assert by_key["wage_bill"][2] == "5200.00"
    target = tmp_path / "empty.csv"
    call_command("report", "--year", "2023", "--format", "csv", "-o", str(target))
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert {row[0]: row[2] for row in rows[1:]}["wage_bill"] == ""  # missing, not 0
    target = tmp_path / "report.xlsx"
    call_command("report", "--year", "2025", "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["members"][2] == 4
    assert values["wage_bill"][2:] == ("5200.00", "euros", 2025)


def test_pdf_output(coop_2025, tmp_path):
    target = tmp_path / "report.pdf"
    call_command("report", "--year", "2025", "--format", "pdf", "-o", str(target))
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "CA des entrepreneurs" in text
    assert "Annexe" in text
