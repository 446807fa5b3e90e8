"""Reading CSV/XLSX tables and the values of their cells."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from alveole.core.importing import (
    RowValues,
    normalize,
    parse_boolean,
    parse_choice,
    parse_date,
    parse_decimal,
    reported_as,
)
from alveole.core.tabular import Row, TableError, check_columns, read_table
from alveole.people.models import EntrySituation


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- files -------------------------------------------------------------------------------


def test_csv_with_semicolons_bom_and_blank_lines():
    content = "\ufeffFirst_Name ; last_name\n\nAlice; Martin \n;\nBob;Durand\n".encode()
    header, rows = read_table(content, "people.CSV")
    assert header == ["first_name", "last_name"]
    assert rows == [
        Row(line=3, values={"first_name": "Alice", "last_name": "Martin"}),
        Row(line=5, values={"first_name": "Bob", "last_name": "Durand"}),
    ]


def test_csv_with_commas_and_a_cell_over_two_lines_reports_the_line_where_it_starts():
    content = b'name,description\n"A","two\nlines"\nB,short\n'
    header, rows = read_table(content, "b.csv")
    assert header == ["name", "description"]
    assert rows == [
        Row(line=2, values={"name": "A", "description": "two\nlines"}),
        Row(line=4, values={"name": "B", "description": "short"}),
    ]


def test_short_rows_get_empty_cells():
    _, rows = read_table(b"a;b;c\n1\n", "t.csv")
    assert rows == [Row(line=2, values={"a": "1", "b": "", "c": ""})]


def test_latin1_csv_is_refused_with_the_utf8_message_and_its_line():
    content = "first_name;last_name\nChloé;Lefèvre\n".encode("latin-1")
    with pytest.raises(TableError) as error:
        read_table(content, "people.csv")
    assert str(error.value) == (
        "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne 2). "
        "Enregistrez-le en « CSV UTF-8 » et recommencez."
    )


@pytest.mark.parametrize("content", [b"", b"\n\n;;\n"])
def test_empty_file(content):
    with pytest.raises(TableError) as error:
        read_table(content, "vide.csv")
    assert str(error.value) == "Le fichier est vide."


def test_unknown_format():
    with pytest.raises(TableError) as error:
        read_table(b"x", "people.ods")
    assert str(error.value) == "Format non reconnu : le fichier doit être un CSV ou un XLSX."


def test_xlsx_dates_numbers_and_trailing_empty_header_cells():
    content = _xlsx(
        [
            ["Name", "start_date", "hours", "code", None],
            ["Atelier", datetime.datetime(2023, 7, 1), 70.5, 6000, None],
            [None, None, None, None, None],
            ["Conseil", datetime.date(2024, 1, 2), 151, "B-2", None],
        ]
    )
    header, rows = read_table(content, "b.xlsx")
    assert header == ["name", "start_date", "hours", "code"]
    assert rows == [
        Row(2, {"name": "Atelier", "start_date": "2023-07-01", "hours": "70.5", "code": "6000"}),
        Row(4, {"name": "Conseil", "start_date": "2024-01-02", "hours": "151", "code": "B-2"}),
    ]


def test_a_file_that_is_not_really_xlsx():
    with pytest.raises(TableError) as error:
        read_table(b"first_name;last_name\n", "people.xlsx")
    assert str(error.value) == (
        "Fichier XLSX illisible : enregistrez-le depuis votre tableur au format "
        "« Classeur Excel (.xlsx) » et recommencez."
    )


def test_columns_missing_unknown_and_twice():
    with pytest.raises(TableError) as error:
        check_columns(["prenom", "b", "b", "couleur"], ["a", "b"], ["c"])
    assert str(error.value) == (
        "Les colonnes ne sont pas celles attendues (colonnes en double : b ; colonnes "
        "manquantes : a ; colonnes inconnues : prenom, couleur). Colonnes attendues : a, b, c."
    )


def test_columns_in_any_order_and_optional_ones_omitted():
    check_columns(["b", "a"], ["a", "b"], ["c"])


# --- values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-02-28", datetime.date(2021, 2, 28)),
        ("28/02/2021", datetime.date(2021, 2, 28)),
        ("1/2/2021", datetime.date(2021, 2, 1)),
        ("2021-02-28T00:00:00", datetime.date(2021, 2, 28)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2021", "2021/02/28", "28-02-2021", "demain"])
def test_invalid_dates(text):
    with pytest.raises(ValidationError) as error:
        parse_date(text)
    assert error.value.messages == [f"date invalide « {text} » : attendu AAAA-MM-JJ ou JJ/MM/AAAA"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("oui", True), ("Non", False), ("yes", True), ("no", False), ("1", True), ("0", False)],
)
def test_booleans(text, expected):
    assert parse_boolean(text) is expected


def test_invalid_boolean():
    with pytest.raises(ValidationError) as error:
        parse_boolean("peut-être")
    assert error.value.messages == ["valeur invalide « peut-être » : attendu oui ou non"]


def test_decimals():
    assert parse_decimal("70") == Decimal("70")
    assert parse_decimal("151,67") == Decimal("151.67")
    assert parse_decimal("70.5") == Decimal("70.5")
    with pytest.raises(ValidationError) as error:
        parse_decimal("soixante")
    assert error.value.messages == ["nombre invalide « soixante »"]


def test_choices_by_code_label_or_alias():
    assert parse_choice("job_seeker", EntrySituation) == "job_seeker"
    assert parse_choice("Bénéficiaire du RSA", EntrySituation) == "rsa"
    assert parse_choice("SALARIÉ·E", EntrySituation) == "employed"
    assert parse_choice("chômage", EntrySituation, {"chomage": "job_seeker"}) == "job_seeker"
    with pytest.raises(ValidationError) as error:
        parse_choice("retraité", EntrySituation)
    assert error.value.messages == [
        "valeur inconnue « retraité » : attendu employed, job_seeker, rsa, other"
    ]


def test_normalize_ignores_accents_case_and_spacing():
    assert normalize("  Équipe  d’appui ") == "equipe d'appui"


def test_row_values_collect_every_error_of_a_line():
    row = RowValues({"a": "31/02/2021", "b": "peut-être", "c": "", "d": "12/03/1990"})
    assert row.date("a") is None
    assert row.boolean("b") is None
    assert row.date("c") is None
    assert row.date("d") == datetime.date(1990, 3, 12)
    with pytest.raises(ValidationError) as error:
        row.check()
    assert error.value.message_dict == {
        "a": ["date invalide « 31/02/2021 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA"],
        "b": ["valeur invalide « peut-être » : attendu oui ou non"],
    }


def test_reported_as_puts_a_service_refusal_under_the_file_columns():
    with (
        pytest.raises(ValidationError) as error,
        reported_as("cape_start", {"planned_end_date": "cape_end"}),
    ):
        raise ValidationError({"planned_end_date": "trop long", "date": "autre"})
    assert error.value.message_dict == {"cape_end": ["trop long"], "cape_start": ["autre"]}
    with pytest.raises(ValidationError) as error, reported_as("exit_date"):
        raise ValidationError("avant l'entrée")
    assert error.value.message_dict == {"exit_date": ["avant l'entrée"]}
