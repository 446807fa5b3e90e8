"""Two-factor authentication (TOTP): required for staff, accountant, director; optional otherwise."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.core.roles import Role
from tests.factories import PASSWORD, make_entrepreneur, make_user

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def _code(device: TOTPDevice, shift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=shift):06d}"


# -- Two-factor authentication ------------------------------------------------------------


def test_staff_is_sent_to_set_up_totp_before_any_page(cooperative):
    make_user(Role.STAFF, email="sacha@example.org")
    client = Client()
    response = _login(client, "sacha@example.org", PASSWORD)
    assert response.status_code == 302
    for url in (reverse("home"), reverse("people:list"), reverse("sales:invoice_list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("two_factor_setup")), url


@pytest.mark.parametrize("role", [Role.STAFF, Role.ACCOUNTANT, Role.DIRECTOR])
def test_totp_setup_wrong_code_then_right_code(cooperative, role):
    user = make_user(role, email="x@example.org")
    client = Client()
    _login(client, "x@example.org", PASSWORD)
    page = client.get(reverse("two_factor_setup") + "?next=/people/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code, inline, no script
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed

    wrong = f"{(int(_code(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("two_factor_setup"), {"code": wrong, "next": "/people/"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302

    response = client.post(reverse("two_factor_setup"), {"code": "12ab", "next": "/people/"})
    assert "Le code doit comporter 6 chiffres." in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)

    response = client.post(reverse("two_factor_setup"), {"code": _code(device), "next": "/people/"})
    assert response.status_code == 302
    assert response.url == "/people/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_next_login_asks_the_code(cooperative):
    user = make_user(Role.DIRECTOR, email="dir@example.org")
    device = TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
    client = Client()
    _login(client, "dir@example.org", PASSWORD)
    response = client.get(reverse("people:list"))
    assert response.url.startswith(reverse("two_factor_verify"))
    # Setting up a second device is not a way around the code.
    assert client.get(reverse("two_factor_setup")).url == reverse("two_factor_verify")
    wrong = f"{(int(_code(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert "Code incorrect" in response.content.decode()
    assert client.get(reverse("people:list")).status_code == 302
    # django-otp's delay after a wrong code: a right code right away is still refused.
    response = client.post(reverse("two_factor_verify"), {"code": _code(device)})
    assert "Trop de codes incorrects" in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    device.refresh_from_db()
    response = client.post(reverse("two_factor_verify") + "?next=/people/", {"code": _code(device)})
    assert response.status_code == 302
    assert response.url == "/people/"
    assert client.get(reverse("people:list")).status_code == 200


def test_verified_flag_does_not_survive_logout(cooperative):
    user = make_user(Role.ACCOUNTANT, email="compta@example.org")
    device = TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
    client = Client()
    _login(client, "compta@example.org", PASSWORD)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    _login(client, "compta@example.org", PASSWORD)
    assert client.get(reverse("home")).status_code == 302


def test_entrepreneur_2fa_is_optional_and_can_be_turned_off(cooperative):
    user = make_user(Role.ENTREPRENEUR, person=make_entrepreneur(), email="lea@example.org")
    client = Client()
    _login(client, "lea@example.org", PASSWORD)
    assert client.get(reverse("home")).status_code == 200  # no second factor asked
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two_factor_setup"), {"code": _code(device)})
    assert TOTPDevice.objects.get(user=user).confirmed
    # Once turned on, it is asked at the next login.
    client.post(reverse("logout"))
    _login(client, "lea@example.org", PASSWORD)
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": _code(device, shift=1)})
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("two_factor_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_staff_cannot_turn_2fa_off(personas):
    response = personas.staff.client.post(reverse("two_factor_disable"), follow=True)
    assert "Votre rôle impose la double authentification." in response.content.decode()
    assert TOTPDevice.objects.filter(user=personas.staff.user, confirmed=True).exists()


def test_api_tokens_do_not_need_the_second_factor(personas):
    from alveole.people.services import api_token_create

    _token, raw = api_token_create(actor=None, user=personas.staff.user, name="script")
    response = Client().get("/api/people/", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_an_api_call_beside_a_session_reads_neither_the_session_nor_the_account(cooperative):
    """A script's browser session (its cookie) is not the API's business: the token names
    the user, so the second-factor check does not load the session, the account or its
    authenticator for an exempt path."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alveole.people.services import api_token_create

    user = make_user(Role.STAFF, email="sacha@example.org")
    client = Client()
    assert _login(client, "sacha@example.org", PASSWORD).status_code == 302
    _token, raw = api_token_create(actor=None, user=user, name="script")
    client.get("/api/people/", headers={"authorization": f"Bearer {raw}"})  # first use noted
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/people/", headers={"authorization": f"Bearer {raw}"})
        read = [q["sql"] for q in queries.captured_queries]
    assert response.status_code == 200
    assert read and not [sql for sql in read if "django_session" in sql or "otp_totp" in sql]
    # A page still sends the same session to the second factor first.
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_setup"))
