"""Importing businesses: all or nothing, every refused line reported."""

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from alveole.businesses.models import Business, Membership
from alveole.core.importing import LineError, run_import
from alveole.core.models import AuditEvent
from tests.factories import make_person

pytestmark = pytest.mark.django_db

D = datetime.date

GOOD_CSV = """\
name;code;sector;start_date;kind;main_person_email;main_person;description;end_date
Atelier Chloé;chloe;Santé;01/02/2024;;alice@example.org;;Ostéopathie;
Conseil Bob;BOB-2;formation-conseil;2024-03-01;entrepreneur;;bob  durand;;2024-12-31
Coopérative;CAE;;2020-01-01;support_structure;;;La structure d'accompagnement;
"""


def _import(content: str | bytes, *, filename: str = "activites.csv", actor=None, **options):
    data = content.encode() if isinstance(content, str) else content
    return run_import(kind="businesses", content=data, filename=filename, actor=actor, **options)


def test_a_good_csv_imports_every_line_through_the_services(personas):
    result = _import(GOOD_CSV, actor=personas.director.user)

    assert (result.ok, result.created, result.errors) == (True, 3, [])
    chloe = Business.objects.get(code="CHLOE")
    assert (chloe.name, chloe.kind, chloe.sector.code, chloe.start_date, chloe.end_date) == (
        "Atelier Chloé", "entrepreneur", "sante", D(2024, 2, 1), None
    )  # fmt: skip
    assert chloe.description == "Ostéopathie"
    main = chloe.memberships.get()
    assert (main.person, main.is_main, main.start_date) == (
        personas.entrepreneur.person,
        True,
        D(2024, 2, 1),
    )
    bob = Business.objects.get(code="BOB-2")
    assert (bob.sector.code, bob.start_date, bob.end_date) == (
        "formation-conseil",
        D(2024, 3, 1),
        D(2024, 12, 31),
    )
    assert bob.main_membership.person == personas.other_entrepreneur.person
    structure = Business.objects.get(code="CAE")
    assert (structure.kind, structure.sector, structure.memberships.count()) == (
        "support_structure",
        None,
        0,
    )
    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.target_type, event.summary) == (
        personas.director.user, "businesses", "Import « Activités » depuis activites.csv : 3 lignes"
    )  # fmt: skip


def test_a_good_xlsx_imports(personas):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "code", "sector", "start_date", "main_person"])
    sheet.append(["Jardins d'Alice", "JARDIN", "Habitat, décoration et espaces verts", datetime.datetime(2024, 5, 2), "Alice Martin"])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = _import(buffer.getvalue(), filename="activites.xlsx")

    assert (result.ok, result.created) == (True, 1)
    business = Business.objects.get(code="JARDIN")
    assert (business.name, business.sector.code, business.start_date) == (
        "Jardins d'Alice", "habitat-espaces-verts", D(2024, 5, 2)
    )  # fmt: skip
    assert business.main_membership.person == personas.entrepreneur.person


def test_a_file_with_bad_lines_imports_nothing_and_reports_each_line(personas):
    make_person(first_name="Homo", last_name="Nyme")
    make_person(first_name="Homo", last_name="Nyme", birth_date=D(1990, 1, 1))
    before = (Business.objects.count(), Membership.objects.count())
    content = """\
name;code;sector;start_date;main_person_email;main_person;end_date
Bonne ligne;BON;sante;2024-01-01;alice@example.org;;
Secteur;SECT;cuisine;2024-01-01;alice@example.org;;
Personne;PERS;sante;2024-01-01;inconnu@example.org;;
Homonymes;HOMO;sante;2024-01-01;;Homo Nyme;
Déjà;ALICE;sante;2024-01-01;alice@example.org;;
Dates;DATES;sante;2024-01-01;alice@example.org;;2023-12-31
Bon double;bon;sante;2024-01-01;alice@example.org;;
Sans personne;SANS;sante;2024-01-01;;;
Équipe;EQUIPE;sante;2024-01-01;staff@example.org;;
Code;x;sante;01/01/2024;alice@example.org;;
Sans début;DEBUT;sante;;alice@example.org;;
"""
    result = _import(content)

    assert result.created == 0
    assert result.errors == [
        LineError(
            3,
            "sector : secteur inconnu « cuisine » (codes : formation-conseil, tic, sante, "
            "artisanat-commerce, habitat-espaces-verts, arts-culture, bien-etre, "
            "services-entreprises)",
        ),
        LineError(4, "main_person_email : aucune personne avec l'adresse « inconnu@example.org »"),
        LineError(
            5,
            "main_person : plusieurs personnes s'appellent « Homo Nyme » : indiquez main_person_email",
        ),
        LineError(6, "code : le code « ALICE » est déjà celui de l'activité Atelier Alice"),
        LineError(7, "end_date : la fin ne peut pas précéder le début (01/01/2024)"),
        LineError(8, "code en double : déjà utilisé à la ligne 2"),
        LineError(
            9,
            "main_person_email : Une activité d'entrepreneur·e a un·e entrepreneur·e principal·e.",
        ),
        LineError(
            10,
            "main_person_email : Seul·e un·e entrepreneur·e peut être membre d'une activité.",
        ),
        LineError(
            11, "code : Le code comprend 2 à 12 caractères : majuscules, chiffres et tirets."
        ),
        LineError(12, "valeur obligatoire manquante : start_date"),
    ]
    assert (Business.objects.count(), Membership.objects.count()) == before
    assert not Business.objects.filter(code="BON").exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_email_and_name_must_designate_the_same_person(personas):
    content = "name;code;sector;start_date;main_person_email;main_person\n" \
        "Atelier;ATL;sante;2024-01-01;alice@example.org;Bob Durand\n"  # fmt: skip
    result = _import(content)
    assert result.errors == [
        LineError(
            2,
            "main_person : « Bob Durand » n'est pas la personne de l'adresse « alice@example.org »",
        )
    ]


def test_a_second_support_structure_is_refused(personas):
    two = "name;code;kind;start_date\nCAE;CAE;structure;2020-01-01\nCAE bis;CAE2;support_structure;2020-01-01\n"
    assert _import(two).errors == [
        LineError(3, "kind : la structure d'accompagnement existe déjà : CAE (CAE)")
    ]
    assert not Business.objects.filter(kind="support_structure").exists()
    assert _import("name;code;kind;start_date\nCAE;CAE;structure;2020-01-01\n").ok
    result = _import("name;code;kind;start_date\nCAE bis;CAE2;support_structure;2020-01-01\n")
    assert result.errors == [
        LineError(2, "kind : la structure d'accompagnement existe déjà : CAE (CAE)")
    ]
    assert Business.objects.filter(kind="support_structure").count() == 1


def test_empty_file_wrong_encoding_and_wrong_columns(personas):
    before = Business.objects.count()
    assert _import(b"").file_error == "Le fichier est vide."
    assert (
        _import("name;code;start_date\n").file_error
        == "Le fichier ne contient aucune ligne de données."
    )
    assert _import("name;code;start_date\nCafé;CAFE;2024-01-01\n".encode("latin-1")).file_error == (
        "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne 2). "
        "Enregistrez-le en « CSV UTF-8 » et recommencez."
    )
    assert _import("nom;code;secteur\nCafé;CAFE;sante\n").file_error == (
        "Les colonnes ne sont pas celles attendues (colonnes manquantes : name, start_date ; "
        "colonnes inconnues : nom, secteur). Colonnes attendues : name, code, start_date, sector, "
        "kind, main_person_email, main_person, description, end_date."
    )
    assert Business.objects.count() == before


def test_command(personas, tmp_path):
    path = tmp_path / "activites.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "businesses", str(path), stdout=out, stderr=err)
    assert (out.getvalue(), err.getvalue()) == (
        "3 lignes importées (activités, activites.csv).\n",
        "",
    )
    assert sorted(Business.objects.values_list("code", flat=True)) == [
        "ALICE",
        "BOB",
        "BOB-2",
        "CAE",
        "CHLOE",
    ]

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "businesses", str(path), stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert err.getvalue() == (
        "ligne 2 : code : le code « CHLOE » est déjà celui de l'activité Atelier Chloé\n"
        "ligne 3 : code : le code « BOB-2 » est déjà celui de l'activité Conseil Bob\n"
        "ligne 4 : code : le code « CAE » est déjà celui de l'activité Coopérative ; "
        "kind : la structure d'accompagnement existe déjà : Coopérative (CAE)\n"
        "Rien n'a été importé : 3 lignes refusées.\n"
    )
    assert Business.objects.count() == 5
