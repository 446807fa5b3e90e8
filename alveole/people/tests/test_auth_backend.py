"""The login's backend (`people.auth.AccountBackend`): each page's account comes with its
person; sessions opened by Django's `ModelBackend` keep working; a refused password is
checked once."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.core.roles import Role
from alveole.people.models import User
from tests.factories import PASSWORD, make_entrepreneur, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(cooperative) -> User:
    person = make_entrepreneur(first_name="Alice", last_name="Martin")
    return make_user(Role.ENTREPRENEUR, person=person, email="alice@example.org")


def _person_reads(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read a person by itself (not joined to another table)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "people_person"."id"') and " JOIN " not in q["sql"]
    ]


def test_a_page_reads_the_account_with_its_person(alice):
    client = Client()
    assert (
        client.post(reverse("login"), {"username": alice.email, "password": PASSWORD}).status_code
        == 302
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("sales:invoice_list"))
    assert response.status_code == 200
    assert "Alice Martin" in response.content.decode()  # the menu names the account
    user = response.wsgi_request.user
    assert "person" in user._state.fields_cache
    assert _person_reads(queries) == []


def test_a_session_of_djangos_backend_still_works(alice):
    client = Client()
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_a_refused_password_is_checked_once_and_reported_once(alice, monkeypatch):
    checks, failures = [], []
    original = User.check_password

    def counting(self, raw):
        checks.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)

    def failed(sender, credentials, **kwargs):
        failures.append(credentials["username"])

    user_login_failed.connect(failed)
    try:
        response = Client().post(reverse("login"), {"username": alice.email, "password": "wrong"})
    finally:
        user_login_failed.disconnect(failed)
    assert response.status_code == 200
    assert "Saisissez" in response.content.decode() or "incorrect" in response.content.decode()
    assert checks == ["wrong"]
    assert failures == [alice.email]


def test_a_deactivated_account_loses_its_session(alice):
    client = Client()
    client.force_login(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_second_factor_check_needs_no_query_of_its_own(alice):
    client = Client()
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("sales:invoice_list")).status_code == 200
    device_reads = [q["sql"] for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    # Only the account's own read asks whether it has an authenticator.
    assert len(device_reads) == 1 and '"people_user"' in device_reads[0]


def test_an_authenticator_confirmed_elsewhere_is_asked_at_the_next_page(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    TOTPDevice.objects.create(user=alice, name="Téléphone", confirmed=True)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))
    # An unconfirmed device (a setup left halfway) asks nothing.
    TOTPDevice.objects.filter(user=alice).update(confirmed=False)
    assert client.get(reverse("home")).status_code == 200
