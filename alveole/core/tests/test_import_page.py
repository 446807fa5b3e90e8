"""The staff import page: who may use it, and a refused file changes nothing."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from alveole.core.models import AuditEvent
from alveole.people.models import Person

pytestmark = pytest.mark.django_db

URL = reverse("imports")
GOOD = "first_name;last_name;birth_date;office\nChloé;Lefèvre;1990-03-12;Tarbes\nDenis;Roux;1978-11-02;Auch\n"
BAD = "first_name;last_name;birth_date;office\nChloé;Lefèvre;1990-03-12;Tarbes\nDenis;Roux;31/02/2021;Pau\n"


def _post(client, content: str | bytes, *, kind: str = "people", name: str = "people.csv", **extra):
    data = content.encode() if isinstance(content, str) else content
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, data), **extra})


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _state() -> tuple[list[str], int]:
    return sorted(str(p) for p in Person.objects.all()), AuditEvent.objects.filter(
        action="import"
    ).count()


@pytest.mark.parametrize("who", ["staff", "director"])
def test_staff_and_direction_import_a_file(personas, who):
    persona = getattr(personas, who)
    response = _post(persona.client, GOOD)
    assert response.status_code == 200
    assert "2 lignes importées." in _text(response)
    assert Person.objects.filter(last_name__in=["Lefèvre", "Roux"]).count() == 2
    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.summary) == (
        persona.user,
        "Import « Personnes » depuis people.csv : 2 lignes",
    )


def test_the_page_lists_the_columns_of_each_kind(personas):
    response = personas.staff.client.get(URL)
    assert response.status_code == 200
    page = _text(response)
    for column in (
        "first_name",
        "follow_up_staff",
        "exit_outcome",
        "main_person_email",
        "end_date",
    ):
        assert f"<code>{column}</code>" in page
    assert '<option value="businesses">Activités</option>' in page
    assert '<option value="people">Personnes</option>' in page


@pytest.mark.parametrize("who", ["entrepreneur", "accountant"])
def test_other_roles_get_403_and_import_nothing(personas, who):
    client = getattr(personas, who).client
    before = _state()
    assert client.get(URL).status_code == 403
    assert _post(client, GOOD).status_code == 403
    assert client.get(URL, {"template": "people"}).status_code == 403
    assert _state() == before


def test_anonymous_is_sent_to_login_and_imports_nothing(personas):
    before = _state()
    response = _post(personas.anonymous.client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"
    assert personas.anonymous.client.get(URL).status_code == 302
    assert _state() == before


def test_a_refused_file_leaves_the_database_unchanged_and_shows_each_line(personas):
    before = _state()
    response = _post(personas.staff.client, BAD)
    assert response.status_code == 400
    page = _text(response)
    assert "1 ligne refusée : rien n'a été importé." in page
    assert (
        "<li>Ligne 3 : birth_date : date invalide « 31/02/2021 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA ; "
        "office : établissement inconnu « Pau » (établissements : Auch, Tarbes)</li>"
    ) in page
    assert _state() == before


def test_a_file_in_the_wrong_encoding_is_refused_whole(personas):
    before = _state()
    response = _post(personas.staff.client, GOOD.encode("latin-1"))
    assert response.status_code == 400
    assert (
        "Fichier refusé, rien n'a été importé : Le fichier n'est pas encodé en UTF-8 "
        "(caractère illisible à la ligne 2)."
    ) in _text(response)
    assert _state() == before


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_by_the_form(personas):
    before = _state()
    response = _post(personas.staff.client, GOOD, name="people.pdf")
    assert response.status_code == 200
    assert "Le fichier doit être un CSV ou un XLSX." in _text(response)
    assert _state() == before


def test_check_only_writes_nothing(personas):
    before = _state()
    response = _post(personas.staff.client, GOOD, dry_run="1")
    assert response.status_code == 200
    assert (
        "Vérification réussie : 2 lignes peuvent être importées. Rien n'a encore été enregistré."
        in _text(response)
    )
    assert _state() == before


def test_empty_template_files_to_download(personas):
    response = personas.staff.client.get(URL, {"template": "businesses", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="modele-import-businesses.csv"'
    assert response.content.decode("utf-8-sig") == (
        "name;code;start_date;sector;kind;main_person_email;main_person;description;end_date\r\n"
    )
    response = personas.staff.client.get(URL, {"template": "people", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="modele-import-people.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows())][:3] == ["first_name", "last_name", "kind"]
    assert sheet.max_row == 1
