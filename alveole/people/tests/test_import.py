"""Importing people and their path: all or nothing, every refused line reported."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from alveole.core.importing import LineError, run_import
from alveole.core.models import AuditEvent
from alveole.people.models import Contract, ContractChange, Exit, IntakeInterview, Person, Status

pytestmark = pytest.mark.django_db

D = datetime.date

ALL_COLUMNS = (
    "first_name, last_name, kind, birth_date, email, phone, address, postal_code, city, "
    "department, entry_situation, other_income, office, follow_up_staff, notes, intake_date, "
    "intake_decision, intake_reason, cape_start, cape_end, cesa_start, cesa_hours, staff_start, "
    "associate_since, exit_date, exit_outcome, exit_reason"
)

GOOD_CSV = """\
first_name;last_name;kind;birth_date;email;phone;postal_code;city;entry_situation;other_income;office;follow_up_staff;intake_date;intake_decision;cape_start;cape_end;cesa_start;cesa_hours;associate_since;exit_date;exit_outcome
Chloé;Lefèvre;entrepreneur;12/03/1990;Chloe@Example.org;06 11 22 33 44;65000;Tarbes;rsa;oui;Tarbes;staff@example.org;2021-12-15;intégrée;2022-01-10;2022-12-31;2022-09-01;70;2023-09-01;;
Denis;Roux;;1978-11-02;;;32000;Auch;demandeur d'emploi;non;auch;;;;2023-02-01;2023-07-31;;;;2023-06-30;création d'entreprise
Eva;Garcia;support_staff;1980-01-20;eva@example.org;;31000;Toulouse;;;Auch;;;;;;;;;;
"""


def _import(content: str | bytes, *, filename: str = "people.csv", actor=None, **options):
    data = content.encode() if isinstance(content, str) else content
    return run_import(kind="people", content=data, filename=filename, actor=actor, **options)


def _imported_people() -> list[str]:
    return [str(p) for p in Person.objects.exclude(first_name__in=["Sacha", "Alice", "Bob"])]


def test_a_good_csv_imports_every_line_through_the_services(personas):
    result = _import(GOOD_CSV, actor=personas.staff.user)

    assert (result.ok, result.created, result.errors) == (True, 3, [])
    chloe = Person.objects.get(last_name="Lefèvre")
    assert chloe.first_name == "Chloé"
    assert chloe.kind == "entrepreneur"
    assert chloe.birth_date == D(1990, 3, 12)
    assert chloe.email == "chloe@example.org"
    assert chloe.phone == "06 11 22 33 44"
    assert (chloe.postal_code, chloe.city, chloe.department) == ("65000", "Tarbes", "65")
    assert chloe.entry_situation == "rsa"
    assert chloe.has_other_income is True
    assert chloe.office.name == "Tarbes"
    assert chloe.follow_up_staff == personas.staff.user
    interview = IntakeInterview.objects.get(person=chloe)
    assert (interview.date, interview.decision) == (D(2021, 12, 15), "integrated")
    cape, cesa = chloe.contracts.order_by("start_date")
    assert (cape.kind, cape.start_date, cape.planned_end_date, cape.end_date) == (
        "cape", D(2022, 1, 10), D(2022, 12, 31), D(2022, 8, 31)
    )  # fmt: skip
    assert (cesa.kind, cesa.start_date, cesa.monthly_hours) == (
        "cesa",
        D(2022, 9, 1),
        Decimal("70"),
    )
    assert chloe.status_at(D(2023, 8, 31)) == Status.SALARIED
    assert chloe.status_at(D(2023, 9, 1)) == Status.ASSOCIATE

    denis = Person.objects.get(last_name="Roux")
    assert (denis.kind, denis.entry_situation, denis.has_other_income) == (
        "entrepreneur", "job_seeker", False
    )  # fmt: skip
    assert denis.office.name == "Auch"
    assert (denis.exit.date, denis.exit.outcome) == (D(2023, 6, 30), "business_creation")
    assert denis.contracts.get().end_date == D(2023, 6, 30)
    assert denis.status_at(D(2023, 6, 30)) == Status.EXITED

    eva = Person.objects.get(last_name="Garcia")
    assert (eva.kind, eva.department, eva.entry_situation, eva.has_other_income) == (
        "support_staff", "31", "", None
    )  # fmt: skip

    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.target_type, event.summary) == (
        personas.staff.user, "people", "Import « Personnes » depuis people.csv : 3 lignes"
    )  # fmt: skip
    # The services wrote their own events: one per person created.
    assert (
        AuditEvent.objects.filter(
            action="create", target_type="people.person", actor=personas.staff.user
        ).count()
        == 3
    )


def test_a_good_xlsx_imports(cooperative):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["first_name", "last_name", "birth_date", "postal_code", "cape_start", "cape_end",
                  "cesa_start", "cesa_hours", "other_income"])  # fmt: skip
    sheet.append(["Inès", "Nice", datetime.datetime(1991, 4, 5), 6000, datetime.date(2023, 1, 2),
                  datetime.date(2023, 12, 31), None, None, 1])  # fmt: skip
    sheet.append(["Jules", "Verne", datetime.date(1985, 2, 8), 32000, datetime.date(2022, 3, 1),
                  datetime.date(2023, 2, 28), datetime.date(2022, 10, 1), 80.5, 0])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = _import(buffer.getvalue(), filename="people.xlsx")

    assert (result.ok, result.created) == (True, 2)
    ines = Person.objects.get(first_name="Inès")
    assert (ines.birth_date, ines.postal_code, ines.department) == (D(1991, 4, 5), "06000", "06")
    assert ines.has_other_income is True
    assert ines.status_at(D(2023, 6, 1)) == Status.CAPE
    jules = Person.objects.get(first_name="Jules")
    assert jules.has_other_income is False
    assert jules.contracts.get(kind="cesa").monthly_hours == Decimal("80.5")
    assert jules.status_at(D(2022, 10, 1)) == Status.SALARIED


def test_a_file_with_bad_lines_imports_nothing_and_reports_each_line(personas):
    people_before = Person.objects.count()
    content = """\
first_name;last_name;birth_date;office;other_income;follow_up_staff
Chloé;Lefèvre;12/03/1990;Tarbes;oui;staff@example.org
Denis;Roux;31/02/2021;Auch;;
Eva;Garcia;1980-01-20;Pau;peut-être;alice@example.org
Farid;;1980-01-20;;;
"""
    result = _import(content)

    assert result.ok is False
    assert result.created == 0
    assert result.errors == [
        LineError(
            3, "birth_date : date invalide « 31/02/2021 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA"
        ),
        LineError(
            4,
            "office : établissement inconnu « Pau » (établissements : Auch, Tarbes) ; "
            "other_income : valeur invalide « peut-être » : attendu oui ou non ; "
            "follow_up_staff : le compte « alice@example.org » n'est pas un compte de l'équipe "
            "d'appui",
        ),
        LineError(5, "valeur obligatoire manquante : last_name"),
    ]
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(last_name="Lefèvre").exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_service_refusal_is_reported_under_its_column(cooperative):
    content = "first_name;last_name;kind;birth_date;email;entry_situation;postal_code\n" \
        "Eva;Garcia;support_staff;2020-01-01;pas-un-email;rsa;320\n"  # fmt: skip
    result = _import(content)
    assert result.errors == [
        LineError(
            2,
            "birth_date : Une personne de moins de 16 ans ne peut pas entrer dans la coopérative. ; "
            "entry_situation : La situation à l'entrée ne concerne que les entrepreneur·es. ; "
            "email : Saisissez une adresse de courriel valide. ; "
            "postal_code : « 320 » n'est pas un code postal français (5 chiffres).",
        )
    ]
    assert Person.objects.count() == 0


def test_an_exit_before_the_cape_start_breaks_the_path_and_is_reported(cooperative):
    content = """\
first_name;last_name;birth_date;cape_start;cape_end;exit_date;exit_outcome
Denis;Roux;1978-11-02;2023-02-01;2023-07-31;2023-01-15;emploi salarié
Gina;Lopez;1982-06-30;2023-02-01;2023-07-31;2023-05-31;
"""
    result = _import(content)
    assert result.errors == [
        LineError(2, "exit_date : La sortie ne peut pas précéder l'entrée (01/02/2023).")
    ]
    assert Person.objects.count() == 0
    assert Contract.objects.count() == 0


def test_other_path_rules_are_reported_with_their_columns(cooperative):
    content = """\
first_name;last_name;birth_date;cape_start;cape_end;cesa_start;cesa_hours;associate_since;intake_date;intake_decision
Ana;Un;1980-01-01;2023-01-01;2026-03-01;;;;;
Ben;Deux;1980-01-01;;;2023-01-01;200;;;
Cléa;Trois;1980-01-01;2023-01-01;2023-06-30;;;2023-03-01;;
Dan;Quatre;1980-01-01;;;;;;2023-01-01;non intégré
Eli;Cinq;1980-01-01;2023-01-01;;;70;;;
"""
    result = _import(content)
    assert result.errors == [
        LineError(2, "cape_end : Un CAPE ne peut être renouvelé que deux fois."),
        LineError(
            3,
            "cesa_hours : Le nombre d'heures mensuelles ne peut pas dépasser un temps plein (151,67 h).",
        ),
        LineError(
            4,
            "associate_since : Un·e entrepreneur·e doit être en CESA pour devenir associé·e (pas en CAPE).",
        ),
        LineError(5, "intake_reason : Indiquez le motif de la non-intégration."),
        LineError(
            6,
            "cape_end : obligatoire quand cape_start est renseignée ; "
            "cesa_start : obligatoire quand cesa_hours est renseignée",
        ),
    ]
    assert Person.objects.count() == 0


def test_a_cape_beyond_twelve_months_is_recorded_with_its_renewals(cooperative):
    content = "first_name;last_name;birth_date;cape_start;cape_end\nAna;Un;1980-01-01;2022-01-10;2024-06-30\n"
    result = _import(content)
    assert (result.ok, result.created) == (True, 1)
    cape = Contract.objects.get()
    assert (cape.start_date, cape.planned_end_date) == (D(2022, 1, 10), D(2024, 6, 30))
    renewals = ContractChange.objects.filter(contract=cape).order_by("date")
    assert [(r.date, r.previous_planned_end_date, r.new_planned_end_date) for r in renewals] == [
        (D(2023, 1, 9), D(2023, 1, 9), D(2024, 1, 9)),
        (D(2024, 1, 9), D(2024, 1, 9), D(2024, 6, 30)),
    ]


def test_duplicates_in_the_file_and_in_the_database_are_refused(personas):
    content = """\
first_name;last_name;birth_date
Chloé;Lefèvre;12/03/1990
alice;MARTIN;1985-05-17
chloe;lefevre;1990-03-12
Homonyme;Sans Date;
Homonyme;Sans date;
"""
    result = _import(content)
    assert result.errors == [
        LineError(
            3,
            "Alice Martin, né·e le 17/05/1985, existe déjà (mêmes prénom, nom et date de naissance).",
        ),
        LineError(4, "personne en double : mêmes prénom, nom et date de naissance qu'à la ligne 2"),
        LineError(6, "personne en double : mêmes prénom, nom et date de naissance qu'à la ligne 5"),
    ]
    assert Person.objects.count() == 3


def test_an_empty_file_and_a_header_without_lines_import_nothing(cooperative):
    assert _import(b"").file_error == "Le fichier est vide."
    result = _import("first_name;last_name\n")
    assert (result.ok, result.created, result.file_error) == (
        False, 0, "Le fichier ne contient aucune ligne de données."
    )  # fmt: skip
    assert Person.objects.count() == 0


def test_a_latin1_file_gives_the_utf8_message_and_imports_nothing(cooperative):
    content = "first_name;last_name\nChloé;Lefèvre\nÉva;Garcia\n".encode("latin-1")
    result = _import(content)
    assert result.file_error == (
        "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne 2). "
        "Enregistrez-le en « CSV UTF-8 » et recommencez."
    )
    assert result.created == 0
    assert Person.objects.count() == 0


def test_a_wrong_column_set_is_refused_with_the_column_names(cooperative):
    result = _import("prenom;last_name;couleur\nChloé;Lefèvre;bleu\n")
    assert result.file_error == (
        "Les colonnes ne sont pas celles attendues (colonnes manquantes : first_name ; "
        f"colonnes inconnues : prenom, couleur). Colonnes attendues : {ALL_COLUMNS}."
    )
    assert Person.objects.count() == 0


def test_dry_run_checks_everything_and_writes_nothing(personas):
    people_before = Person.objects.count()
    result = _import(GOOD_CSV, dry_run=True)
    assert (result.ok, result.dry_run, result.created) == (True, True, 3)
    assert Person.objects.count() == people_before
    assert not AuditEvent.objects.filter(action="import").exists()


# --- the command -------------------------------------------------------------------------


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_command_imports_and_records_an_audit_event(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")

    code, out, err = _run("people", str(path), "--user", "Staff@example.org")

    assert (code, out, err) == (0, "3 lignes importées (personnes, people.csv).\n", "")
    assert _imported_people() == ["Eva Garcia", "Chloé Lefèvre", "Denis Roux"]
    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.summary) == (
        personas.staff.user, "Import « Personnes » depuis people.csv : 3 lignes"
    )  # fmt: skip


def test_command_reports_every_refused_line_and_exits_with_1(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name;last_name;birth_date;office\nChloé;Lefèvre;1990-03-12;Tarbes\n"
        "Denis;Roux;31/02/2021;Auch\nEva;Garcia;;Pau\n",
        encoding="utf-8",
    )
    people_before = Person.objects.count()

    code, out, err = _run("people", str(path))

    assert (code, out) == (1, "")
    assert err == (
        "ligne 3 : birth_date : date invalide « 31/02/2021 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA\n"
        "ligne 4 : office : établissement inconnu « Pau » (établissements : Auch, Tarbes)\n"
        "Rien n'a été importé : 2 lignes refusées.\n"
    )
    assert Person.objects.count() == people_before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_command_refuses_a_bad_file_with_exit_code_1(cooperative, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("first_name;last_name\nChloé;Lefèvre\n".encode("cp1252"))
    code, out, err = _run("people", str(path))
    assert (code, out) == (1, "")
    assert err == (
        "Fichier refusé, rien n'a été importé : Le fichier n'est pas encodé en UTF-8 "
        "(caractère illisible à la ligne 2). Enregistrez-le en « CSV UTF-8 » et recommencez.\n"
    )
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert _run("people", str(empty)) == (
        1, "", "Fichier refusé, rien n'a été importé : Le fichier est vide.\n"
    )  # fmt: skip


def test_command_dry_run_writes_nothing(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    people_before = Person.objects.count()

    code, out, err = _run("people", str(path), "--dry-run")

    assert (code, err) == (0, "")
    assert out == (
        "Vérification réussie : 3 lignes peuvent être importées (personnes, people.csv). "
        "Rien n'a été enregistré.\n"
    )
    assert Person.objects.count() == people_before
    assert not Exit.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_command_refuses_an_unknown_kind_a_missing_file_and_an_unknown_user(cooperative, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as error:
        call_command("import", "customers", "x.csv")
    from alveole.core.importing import importers

    # Every registered kind is listed; other apps add their own kinds.
    assert str(error.value) == (
        "Type d'import inconnu « customers ». Types possibles : " + ", ".join(importers()) + "."
    )
    assert {"businesses", "people"} <= set(importers())
    with pytest.raises(CommandError) as error:
        call_command("import", "people", str(tmp_path / "absent.csv"))
    assert str(error.value) == f"Fichier introuvable : {tmp_path / 'absent.csv'}"
    path = tmp_path / "people.csv"
    path.write_text("first_name;last_name\nA;B\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import", "people", str(path), "--user", "nobody@example.org")
    assert str(error.value) == "Aucun compte actif avec l'adresse « nobody@example.org »."
    assert Person.objects.count() == 0


def test_command_imports_a_big_file_with_its_progress_bar_kept_off_pipes(cooperative, tmp_path):
    lines = ["first_name;last_name;birth_date;postal_code"]
    lines += [f"Prénom{i};Nom{i};1980-01-{i % 28 + 1:02d};32000" for i in range(120)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out, err = _run("people", str(path))

    # tqdm draws only on a terminal: the captured error output stays empty.
    assert (code, out, err) == (0, "120 lignes importées (personnes, people.csv).\n", "")
    assert Person.objects.count() == 120
    assert Person.objects.filter(department="32").count() == 120
