"""Business pages: scoping, writes by staff only, query counts, exports."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.businesses.models import Business, Membership
from tests.factories import make_business, make_entrepreneur, sector

pytestmark = pytest.mark.django_db


def test_entrepreneur_sees_only_their_businesses(personas):
    response = personas.entrepreneur.client.get(reverse("businesses:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Atelier Alice" in body
    assert "Bob Conseil" not in body


def test_business_page_scoping(personas):
    alice_business = personas.entrepreneur.business
    url = reverse("businesses:detail", args=[alice_business.pk])
    assert personas.entrepreneur.client.get(url).status_code == 200
    response = personas.other_entrepreneur.client.get(url)
    assert response.status_code == 404
    assert b"Atelier Alice" not in response.content
    for persona in (personas.staff, personas.accountant, personas.director):
        assert persona.client.get(url).status_code == 200
    assert personas.anonymous.client.get(url).status_code == 302


def test_staff_list_shows_all_and_filters_by_sector(personas):
    make_business(make_entrepreneur(), name="Pixel TIC", code="PIXEL", sector_code="tic")
    client = personas.staff.client
    body = client.get(reverse("businesses:list")).content.decode()
    assert "Atelier Alice" in body and "Bob Conseil" in body and "Pixel TIC" in body
    body = client.get(reverse("businesses:list"), {"sector": sector("tic").pk}).content.decode()
    assert "Pixel TIC" in body and "Atelier Alice" not in body


def test_list_query_count_is_constant(personas):
    client = personas.staff.client
    client.get(reverse("businesses:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("businesses:list"))
    for _ in range(12):
        make_business(make_entrepreneur())
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("businesses:list"))
    assert len(many) == len(few)


def test_export_is_scoped_for_an_entrepreneur(personas):
    response = personas.entrepreneur.client.get(reverse("businesses:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["ALICE"]


def test_create_business_by_staff(personas):
    person = make_entrepreneur()
    response = personas.staff.client.post(
        reverse("businesses:create"),
        {
            "name": "Les Jardins",
            "code": "jardin",
            "kind": "entrepreneur",
            "sector": sector("habitat-espaces-verts").pk,
            "start_date": "2025-02-01",
            "main_person": person.pk,
        },
    )
    business = Business.objects.get(code="JARDIN")
    assert response.status_code == 302
    assert business.memberships.get().person == person
    assert business.memberships.get().is_main


def test_duplicate_code_refused(personas):
    count = Business.objects.count()
    response = personas.staff.client.post(
        reverse("businesses:create"),
        {
            "name": "Copie",
            "code": "ALICE",
            "kind": "entrepreneur",
            "sector": sector().pk,
            "start_date": "2025-02-01",
            "main_person": personas.other_entrepreneur.person.pk,
        },
    )
    assert response.status_code == 400
    assert "existe déjà" in response.content.decode()
    assert Business.objects.count() == count


def test_entrepreneur_business_without_main_person_refused(personas):
    count = Business.objects.count()
    response = personas.staff.client.post(
        reverse("businesses:create"),
        {
            "name": "Orpheline",
            "code": "ORPH",
            "kind": "entrepreneur",
            "sector": sector().pk,
            "start_date": "2025-02-01",
        },
    )
    assert response.status_code == 400
    assert "principal" in response.content.decode()
    assert Business.objects.count() == count


def test_writes_refused_for_entrepreneur_and_accountant(personas):
    business = personas.entrepreneur.business
    for persona in (personas.entrepreneur, personas.other_entrepreneur, personas.accountant):
        assert (
            persona.client.post(
                reverse("businesses:edit", args=[business.pk]), {"name": "Piraté"}
            ).status_code
            == 403
        )
        response = persona.client.post(
            reverse("businesses:membership_add", args=[business.pk]),
            {"person": personas.other_entrepreneur.person.pk, "start_date": "2024-01-01"},
        )
        assert response.status_code == 403
    business.refresh_from_db()
    assert business.name == "Atelier Alice"
    assert Membership.objects.filter(business=business).count() == 1


def test_add_co_entrepreneur(personas):
    business = personas.entrepreneur.business
    bob = personas.other_entrepreneur.person
    response = personas.staff.client.post(
        reverse("businesses:membership_add", args=[business.pk]),
        {"person": bob.pk, "start_date": "2024-03-01"},
    )
    assert response.status_code == 302
    assert business.memberships.get(person=bob).start_date == datetime.date(2024, 3, 1)
    # Bob now sees the shared business.
    assert (
        personas.other_entrepreneur.client.get(
            reverse("businesses:detail", args=[business.pk])
        ).status_code
        == 200
    )
    # Adding him twice is refused.
    response = personas.staff.client.post(
        reverse("businesses:membership_add", args=[business.pk]),
        {"person": bob.pk, "start_date": "2024-03-01"},
    )
    assert response.status_code == 400
    assert business.memberships.count() == 2


def test_code_cannot_change(personas):
    business = personas.entrepreneur.business
    response = personas.staff.client.post(
        reverse("businesses:edit", args=[business.pk]),
        {
            "name": "Atelier Alice",
            "sector": business.sector_id,
            "start_date": "2023-07-01",
            "end_date": "2023-01-01",
        },
    )
    assert response.status_code == 400  # end before start
    business.refresh_from_db()
    assert business.end_date is None


def test_business_page_links_to_its_treasury_and_invoices(personas):
    business = personas.entrepreneur.business
    body = personas.entrepreneur.client.get(
        reverse("businesses:detail", args=[business.pk])
    ).content.decode()
    treasury = reverse("ledger:treasury", args=[business.pk])
    assert treasury in body
    assert personas.entrepreneur.client.get(treasury).status_code == 200
    assert personas.other_entrepreneur.client.get(treasury).status_code == 404
