"""Importing payroll: all or nothing, every refused line reported with its number."""

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from alveole.businesses.services import business_create
from alveole.core.importing import LineError, run_import
from alveole.core.models import AuditEvent
from alveole.payroll.importers import parse_month
from alveole.payroll.models import PayrollCharge, PayrollRecord
from tests.factories import make_business

pytestmark = pytest.mark.django_db

D = datetime.date

HEADER = "month;person_email;person;gross;employee_contributions;employer_contributions;reduction;net;paid_hours;charged_to"
GOOD_CSV = f"""\
{HEADER}
2026-03;alice@example.org;;1823,03;379,94;770,53;725,75;1443,09;151,67;
03/2026;;Bob Durand;1000.50;210;300;;790,50;70;BOB
"""


def _import(content, *, filename="paie.csv", actor=None, **options):
    data = content.encode() if isinstance(content, str) else content
    return run_import(kind="payroll", content=data, filename=filename, actor=actor, **options)


def test_a_good_csv_imports_every_line(personas):
    result = _import(GOOD_CSV, actor=personas.accountant.user)
    assert (result.ok, result.created, result.errors) == (True, 2, [])
    alice = PayrollRecord.objects.get(person=personas.entrepreneur.person)
    assert (alice.month, alice.gross_cents, alice.reduction_cents, alice.net_cents, alice.paid_hours_hundredths) == (
        D(2026, 3, 1), 182_303, 72_575, 144_309, 15_167,
    )  # fmt: skip
    assert alice.source == "imported"
    assert list(alice.charges.values_list("business__code", "amount_cents")) == [("ALICE", 186_781)]
    bob = PayrollRecord.objects.get(person=personas.other_entrepreneur.person)
    assert (bob.gross_cents, bob.reduction_cents, bob.paid_hours_hundredths) == (100_050, 0, 7_000)
    assert list(bob.charges.values_list("business__code", "amount_cents")) == [("BOB", 130_050)]
    event = AuditEvent.objects.get(action="import")
    assert event.actor == personas.accountant.user
    assert event.summary == "Import « Paie » depuis paie.csv : 2 lignes"


def test_bad_lines_refuse_the_whole_file_each_with_its_number(personas):
    make_business(personas.entrepreneur.person, code="ALICE2")
    content = f"""\
{HEADER}
2026-03;alice@example.org;;1823,03;379,94;770,53;725,75;1443,09;151,67;ALICE=1000,00|ALICE2=867,81
2026-13;bob@example.org;;1000;210;300;;790;70;
2026-04;personne@nulle.part;;1000;210;300;;790;70;
2026-04;;Bob Durand;1000;210;300;;1200;70;
2026-06;;Bob Durand;1000,123;210;300;;790;70,555;
2026-03;alice@example.org;;1823,03;379,94;770,53;725,75;1443,09;151,67;
2026-05;alice@example.org;;1823,03;379,94;770,53;725,75;1443,09;151,67;ALICE=1000|ALICE2=800
2026-05;bob@example.org;;1000;210;300;;790;70;NOPE
2023-12;alice@example.org;;1000;210;300;;790;70;ALICE
"""
    result = _import(content, actor=personas.director.user)
    assert not result.ok and result.created == 0
    assert result.errors == [
        LineError(3, "month : mois invalide « 2026-13 » : attendu AAAA-MM, MM/AAAA ou « mars 2026 »"),
        LineError(4, "person_email : aucune personne avec l'adresse « personne@nulle.part »"),
        LineError(5, "net : Le net ne peut pas dépasser le brut."),
        LineError(6, "gross : montant invalide « 1000,123 » : deux décimales au plus ; "
                     "paid_hours : Les heures payées ont au plus deux décimales (151,67)."),
        LineError(7, "paie en double : même personne et même mois qu'à la ligne 2"),
        LineError(8, "charged_to : Les montants portés par les activités totalisent 1\u202f800,00\u202f€ "
                     "au lieu du coût employeur, 1\u202f867,81\u202f€ (brut + cotisations patronales − réduction)."),
        LineError(9, "charged_to : activité inconnue « NOPE »"),
        LineError(10, "person_email : Aucun contrat de travail (CESA ou contrat d'équipe) de Alice Martin ne "
                      "couvre décembre 2023 : pas de paie possible (un CAPE n'est pas un contrat de travail)."),
    ]  # fmt: skip
    assert PayrollRecord.objects.count() == PayrollCharge.objects.count() == 0
    assert not AuditEvent.objects.filter(target_type="payroll.payrollrecord").exists()


def test_a_month_already_recorded_is_refused(personas):
    assert _import(GOOD_CSV).ok
    result = _import(GOOD_CSV)
    assert [e.line for e in result.errors] == [2, 3]
    assert (
        result.errors[0].message
        == "month : La paie de Alice Martin pour mars 2026 est déjà enregistrée."
    )
    assert PayrollRecord.objects.count() == 2


def test_support_staff_cannot_import_a_colleague_s_pay(personas):
    business_create(
        actor=None,
        name="Structure",
        code="STRUCT",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )
    content = f"{HEADER}\n2026-03;staff@example.org;;2500;550;900;100;1950;151,67;\n"
    result = _import(content, actor=personas.staff.user)
    assert result.errors == [
        LineError(2, "person_email : votre rôle ne permet pas d'enregistrer la paie de Sacha Appui")
    ]
    assert _import(content, actor=personas.director.user).ok


def test_a_person_column_is_required(personas):
    content = f"{HEADER}\n2026-03;;;1000;210;300;;790;70;\n"
    assert _import(content).errors == [
        LineError(2, "person_email : obligatoire : person_email ou person")
    ]


def test_xlsx_with_date_cells(personas):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "month",
            "person_email",
            "gross",
            "employee_contributions",
            "employer_contributions",
            "net",
            "paid_hours",
        ]
    )
    sheet.append(
        [
            datetime.datetime(2026, 3, 1),
            "alice@example.org",
            1823.03,
            379.94,
            770.53,
            1443.09,
            151.67,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import(buffer.getvalue(), filename="paie.xlsx")
    assert result.ok, result.errors
    record = PayrollRecord.objects.get()
    assert (record.month, record.gross_cents, record.reduction_cents) == (D(2026, 3, 1), 182_303, 0)


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-03", D(2026, 3, 1)), ("3/2026", D(2026, 3, 1)), ("Mars 2026", D(2026, 3, 1)),
     ("août 2026", D(2026, 8, 1)), ("15/03/2026", D(2026, 3, 1)), ("2026-03-31", D(2026, 3, 1))],
)  # fmt: skip
def test_months_in_the_forms_payroll_software_writes(text, month):
    assert parse_month(text) == month


def test_dry_run_writes_nothing(personas):
    result = _import(GOOD_CSV, dry_run=True)
    assert result.ok and result.created == 2
    assert PayrollRecord.objects.count() == 0


def test_command(personas, tmp_path, capsys):
    path = tmp_path / "paie.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    call_command("import", "payroll", str(path))
    assert PayrollRecord.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\n2026-04;alice@example.org;;1000;210;300;;1200;70;\n", encoding="utf-8"
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "payroll", str(bad))
    assert exit_.value.code == 1
    assert "ligne 2 : net : Le net ne peut pas dépasser le brut." in capsys.readouterr().err
    assert PayrollRecord.objects.count() == 2
