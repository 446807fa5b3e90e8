"""People pages: who gets what, refused writes change nothing, query counts, exports."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from alveole.core.models import AuditEvent
from alveole.people.models import Contract, Exit, Person, Status
from tests.factories import make_entrepreneur, make_person

pytestmark = pytest.mark.django_db


def test_list_is_for_cooperative_wide_roles(personas):
    url = reverse("people:list")
    expected = {
        "entrepreneur": 403,
        "other_entrepreneur": 403,
        "staff": 200,
        "accountant": 200,
        "director": 200,
    }
    for persona in personas.all():
        response = persona.client.get(url)
        if persona.name == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == expected[persona.name], persona.name
            if response.status_code == 403:
                assert b"Alice" not in response.content and b"Bob" not in response.content


def test_person_file_is_visible_to_self_and_staff_only(personas):
    alice = personas.entrepreneur.person
    url = reverse("people:detail", args=[alice.pk])
    assert personas.entrepreneur.client.get(url).status_code == 200
    response = personas.other_entrepreneur.client.get(url)
    assert response.status_code == 404
    assert b"Alice" not in response.content
    for persona in (personas.staff, personas.accountant, personas.director):
        assert persona.client.get(url).status_code == 200
    assert personas.anonymous.client.get(url).status_code == 302


def test_sensitive_situation_hidden_from_accountant(personas):
    alice = personas.entrepreneur.person  # entry situation: RSA
    url = reverse("people:detail", args=[alice.pk])
    assert "Bénéficiaire du RSA" in personas.staff.client.get(url).content.decode()
    assert "Bénéficiaire du RSA" in personas.entrepreneur.client.get(url).content.decode()
    body = personas.accountant.client.get(url).content.decode()
    assert "Bénéficiaire du RSA" not in body
    assert "Situation à l&#x27;entrée" not in body


def test_staff_read_of_a_file_is_audited_and_self_read_is_not(personas):
    alice = personas.entrepreneur.person
    url = reverse("people:detail", args=[alice.pk])
    before = AuditEvent.objects.filter(action="read", target_id=str(alice.pk)).count()
    personas.entrepreneur.client.get(url)
    assert AuditEvent.objects.filter(action="read", target_id=str(alice.pk)).count() == before
    personas.staff.client.get(url)
    event = AuditEvent.objects.filter(action="read", target_id=str(alice.pk)).latest("at")
    assert event.actor == personas.staff.user
    assert event.target_type == "people.person"


def test_list_filters_by_status_and_department(personas):
    make_person(first_name="Candide", last_name="Zed", postal_code="65000")
    url = reverse("people:list")
    body = personas.staff.client.get(url, {"status": Status.CANDIDATE}).content.decode()
    assert "Zed Candide" in body
    assert "Martin Alice" not in body
    body = personas.staff.client.get(url, {"department": "65"}).content.decode()
    assert "Zed Candide" in body and "Martin Alice" not in body
    body = personas.staff.client.get(
        url, {"status": Status.SALARIED, "q": "alice"}
    ).content.decode()
    assert "Martin Alice" in body and "Durand Bob" not in body


def test_status_at_a_past_date(personas):
    url = reverse("people:list")
    # Alice's CESA starts on 1 January 2024, after a CAPE from July 2023.
    body = personas.staff.client.get(
        url, {"at": "2023-09-01", "status": Status.CAPE}
    ).content.decode()
    assert "Martin Alice" in body
    body = personas.staff.client.get(
        url, {"at": "2023-01-01", "status": Status.CANDIDATE, "q": "Martin"}
    ).content.decode()
    assert "Martin Alice" in body


def test_list_query_count_does_not_grow_with_rows(personas):
    url = reverse("people:list")
    client = personas.staff.client
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        make_entrepreneur()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_export_csv_has_exactly_the_filtered_rows(personas):
    make_person(first_name="Candide", last_name="Zed", postal_code="65000")
    response = personas.staff.client.get(
        reverse("people:list"), {"department": "65", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Nom", "Prénom", "Type", "Statut"]
    assert [r[:2] for r in rows[1:]] == [["Zed", "Candide"]]
    assert "Situation à l'entrée" in rows[0]
    assert AuditEvent.objects.filter(action="export", actor=personas.staff.user).exists()


def test_export_xlsx_hides_sensitive_column_from_accountant(personas):
    response = personas.accountant.client.get(reverse("people:list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "Situation à l'entrée" not in header
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted(Person.objects.values_list("last_name", flat=True))


def test_create_person_by_staff(personas):
    response = personas.staff.client.post(
        reverse("people:create"),
        {
            "kind": "entrepreneur",
            "first_name": "Jeanne",
            "last_name": "Lafont",
            "postal_code": "32000",
            "city": "Auch",
        },
    )
    person = Person.objects.get(last_name="Lafont")
    assert response.status_code == 302
    assert person.department == "32"


def test_create_person_refused_for_entrepreneur_and_accountant(personas):
    count = Person.objects.count()
    data = {"kind": "entrepreneur", "first_name": "X", "last_name": "Y"}
    for persona in (personas.entrepreneur, personas.accountant):
        assert persona.client.post(reverse("people:create"), data).status_code == 403
    assert personas.anonymous.client.post(reverse("people:create"), data).status_code == 302
    assert Person.objects.count() == count


def test_bad_postal_code_is_refused_with_a_clear_message(personas):
    count = Person.objects.count()
    response = personas.staff.client.post(
        reverse("people:create"),
        {"kind": "entrepreneur", "first_name": "A", "last_name": "B", "postal_code": "3200"},
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un code postal français" in response.content.decode()
    assert Person.objects.count() == count


def test_edit_refused_for_the_person_themself(personas):
    alice = personas.entrepreneur.person
    response = personas.entrepreneur.client.post(
        reverse("people:edit", args=[alice.pk]),
        {"kind": "entrepreneur", "first_name": "Hacked", "last_name": "X"},
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_path_event_by_staff_and_refusal_shown(personas):
    bob = personas.other_entrepreneur.person
    client = personas.staff.client
    url = reverse("people:event", args=[bob.pk, "associate-join"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "2024-06-01"})
    assert response.status_code == 302
    assert bob.status_at(datetime.date(2024, 6, 2)) == Status.ASSOCIATE
    # A second associate entry is refused with the reason, nothing written.
    response = client.post(url, {"date": "2024-07-01"})
    assert response.status_code == 400
    assert "déjà associé·e" in response.content.decode()
    assert bob.associateships.count() == 1


def test_third_cape_renewal_refused_on_the_page(personas):
    person = make_person()
    client = personas.staff.client
    client.post(
        reverse("people:event", args=[person.pk, "cape"]),
        {"start_date": "2024-01-01", "planned_end_date": "2024-12-31"},
    )
    cape = Contract.objects.get(person=person)
    url = reverse("people:event", args=[person.pk, "cape-renewal"])
    assert (
        client.post(
            url, {"contract": cape.pk, "date": "2024-12-01", "new_planned_end_date": "2025-12-31"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            url, {"contract": cape.pk, "date": "2025-12-01", "new_planned_end_date": "2026-12-30"}
        ).status_code
        == 302
    )
    response = client.post(
        url, {"contract": cape.pk, "date": "2026-12-01", "new_planned_end_date": "2027-06-30"}
    )
    assert response.status_code == 400
    assert "deux fois" in response.content.decode()
    cape.refresh_from_db()
    assert cape.planned_end_date == datetime.date(2026, 12, 30)


def test_path_event_refused_for_entrepreneur(personas):
    alice = personas.entrepreneur.person
    response = personas.entrepreneur.client.post(
        reverse("people:event", args=[alice.pk, "exit"]), {"date": "2025-01-01", "outcome": "other"}
    )
    assert response.status_code == 403
    assert not Exit.objects.filter(person=alice).exists()


def test_unknown_event_kind_is_404(personas):
    alice = personas.entrepreneur.person
    assert (
        personas.staff.client.get(reverse("people:event", args=[alice.pk, "nonsense"])).status_code
        == 404
    )
    # A staff-only event on an entrepreneur's file does not exist either.
    assert (
        personas.staff.client.get(
            reverse("people:event", args=[alice.pk, "staff-contract"])
        ).status_code
        == 404
    )


def test_account_page_creates_and_revokes_a_token(personas):
    from alveole.people.models import ApiToken

    client = personas.entrepreneur.client
    url = reverse("people:account")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "mon script"})
    token = ApiToken.objects.get(user=personas.entrepreneur.user)
    raw = response.context["raw_token"]
    assert raw.startswith("alv_") and raw not in token.token_hash
    assert ApiToken.hash(raw) == token.token_hash
    # Another user cannot revoke it.
    personas.other_entrepreneur.client.post(url, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(url, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert personas.anonymous.client.get(url).status_code == 302


def test_person_file_lists_their_businesses(personas):
    body = personas.staff.client.get(
        reverse("people:detail", args=[personas.entrepreneur.person.pk])
    ).content.decode()
    assert "Atelier Alice" in body
    assert "70 h/mois" in body
