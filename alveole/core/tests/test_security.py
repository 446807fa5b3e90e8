"""Login throttling, password rules, session settings, API tokens."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.core.models import LoginThrottle
from alveole.core.roles import Role
from tests.factories import PASSWORD, make_entrepreneur, make_user

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def _code(device: TOTPDevice, shift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=shift):06d}"


# -- Throttling ---------------------------------------------------------------------------


def test_bad_passwords_lock_the_account_even_for_the_right_password(settings):
    settings.ALVEOLE_LOGIN_MAX_FAILURES = 3
    make_user(Role.ENTREPRENEUR, person=make_entrepreneur(), email="lea@example.org")
    client = Client()
    for _ in range(2):
        response = _login(client, "lea@example.org", "wrong-password-123")
        assert response.status_code == 200
        assert "bloqué" not in response.content.decode()
    response = _login(client, "LEA@example.org", "wrong-password-123")
    page = response.content.decode()
    assert "Trop de tentatives de connexion échouées" in page
    assert "15 minutes" in page
    # Locked: the right password is refused too, and nobody is logged in.
    response = _login(client, "lea@example.org", PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_delay(settings):
    settings.ALVEOLE_LOGIN_MAX_FAILURES = 2
    make_user(Role.ENTREPRENEUR, person=make_entrepreneur(), email="lea@example.org")
    client = Client()
    _login(client, "lea@example.org", "nope-nope-nope")
    _login(client, "lea@example.org", "nope-nope-nope")
    assert LoginThrottle.objects.get(email="lea@example.org").locked_until is not None
    LoginThrottle.objects.filter(email="lea@example.org").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _login(client, "lea@example.org", PASSWORD)
    assert response.status_code == 302
    assert not LoginThrottle.objects.filter(email="lea@example.org").exists()


def test_a_success_resets_the_failures(settings):
    settings.ALVEOLE_LOGIN_MAX_FAILURES = 3
    make_user(Role.ENTREPRENEUR, person=make_entrepreneur(), email="lea@example.org")
    client = Client()
    _login(client, "lea@example.org", "nope-nope-nope")
    _login(client, "lea@example.org", "nope-nope-nope")
    assert _login(client, "lea@example.org", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    _login(client, "lea@example.org", "nope-nope-nope")
    _login(client, "lea@example.org", "nope-nope-nope")
    assert _login(client, "lea@example.org", PASSWORD).status_code == 302


def test_unknown_addresses_are_throttled_too(settings):
    settings.ALVEOLE_LOGIN_MAX_FAILURES = 2
    client = Client()
    _login(client, "ghost@example.org", "nope-nope-nope")
    response = _login(client, "ghost@example.org", "nope-nope-nope")
    assert "Trop de tentatives" in response.content.decode()


# -- Passwords and sessions ---------------------------------------------------------------


def test_password_rules():
    for weak, reason in [
        ("short-pass1", "au minimum 12"),
        ("123456789012345", "entièrement numérique"),
        ("password1234", "trop courant"),
    ]:
        with pytest.raises(ValidationError) as error:
            validate_password(weak)
        assert reason in " ".join(error.value.messages), weak
    validate_password("sel-de-guérande-2026")


def test_password_change_form_applies_the_rules(personas):
    response = personas.entrepreneur.client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "abc12345", "new_password2": "abc12345"},
    )
    assert response.status_code == 200
    assert "au minimum 12" in response.content.decode()
    personas.entrepreneur.user.refresh_from_db()
    assert personas.entrepreneur.user.check_password(PASSWORD)


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


# -- API tokens ---------------------------------------------------------------------------


def test_api_tokens_are_hashed_revocable_and_scoped_to_the_role(personas):
    from alveole.people.models import ApiToken
    from alveole.people.services import api_token_create, api_token_revoke

    user = personas.staff.user
    token, raw = api_token_create(actor=user, user=user, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in stored.values()}  # only the hash is kept
    assert stored["token_hash"] == ApiToken.hash(raw)
    assert stored["role"] == Role.STAFF

    def call() -> int:
        return Client().get("/api/people/", headers={"authorization": f"Bearer {raw}"}).status_code

    assert call() == 200
    user.role = Role.ENTREPRENEUR  # a role change voids the token
    user.save(update_fields=["role"])
    assert call() == 401
    user.role = Role.STAFF
    user.save(update_fields=["role"])
    assert call() == 200
    api_token_revoke(actor=user, token=token)
    assert call() == 401
