"""The home page shows each role what matters today."""

import datetime

import pytest
from django.urls import reverse

from alveole.people.services import cape_start
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_entrepreneur_home_lists_only_their_businesses(personas):
    body = personas.entrepreneur.client.get(reverse("home")).content.decode()
    assert "Atelier Alice" in body
    assert "Bob Conseil" not in body


def test_staff_home_shows_followed_people_and_ending_capes(personas):
    today = datetime.date.today()
    person = make_person(first_name="Camille", last_name="Bientôt")
    cape_start(
        actor=None,
        person=person,
        start_date=today - datetime.timedelta(days=300),
        planned_end_date=today + datetime.timedelta(days=30),
    )
    body = personas.staff.client.get(reverse("home")).content.decode()
    assert "Camille Bientôt" in body  # CAPE ending within 60 days
    assert "Alice Martin" in body  # followed by this staff member
    assert "coopérateur·rices" in body


def test_anonymous_goes_to_login(personas):
    response = personas.anonymous.client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_by_email_any_case(personas):
    from django.test import Client

    from tests.factories import PASSWORD

    client = Client()
    response = client.post(
        reverse("login"), {"username": "ALICE@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    response = Client().post(
        reverse("login"), {"username": "alice@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Saisissez" in response.content.decode() or "correct" in response.content.decode()


def test_entrepreneur_home_asks_once_whether_they_are_an_associate(personas):
    """The menu (governance) and the published reports ask the same question: one query;
    the businesses' sectors come with the businesses."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alveole.businesses.models import Business
    from alveole.coop.models import Sector

    business = personas.entrepreneur.business
    Business.objects.filter(pk=business.pk).update(
        sector=Sector.objects.create(code="ZZ", name="Secteur témoin")
    )
    client = personas.entrepreneur.client
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
        read = [q["sql"] for q in queries.captured_queries]
    assert response.status_code == 200
    assert "Secteur témoin" in response.content.decode()
    asked = [sql for sql in read if sql.startswith('SELECT 1 AS "a" FROM "people_associateship"')]
    assert len(asked) == 1
    assert not [sql for sql in read if sql.lstrip().startswith('SELECT "coop_sector"')]
