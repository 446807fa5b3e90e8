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
