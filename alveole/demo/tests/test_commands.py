"""`alveole demo` and `alveole serve`: what they run and what they print."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from alveole.coop.models import Cooperative, Office
from alveole.coop.services import office_create
from alveole.demo import generator, server
from alveole.demo.generator import DEMO_PASSWORD
from alveole.people.models import User
from tests.factories import make_cooperative

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(monkeypatch):
    """Record runserver calls instead of serving."""
    calls = []
    monkeypatch.setattr(
        server, "call_command", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    # Serving the demo lifts two-factor for its team logins: keep that inside the test.
    monkeypatch.setattr(
        settings, "ALVEOLE_2FA_REQUIRED_ROLES", list(settings.ALVEOLE_2FA_REQUIRED_ROLES)
    )
    monkeypatch.setenv(server.TWO_FACTOR_VARIABLE, "placeholder")
    monkeypatch.delenv(server.TWO_FACTOR_VARIABLE)
    return calls


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, "--scale", "0.1", stdout=out)
    return out.getvalue()


def test_demo_loads_prints_logins_and_serves(served):
    output = run("--port", "8123")
    assert "Alvéole est prêt : http://127.0.0.1:8123/" in output
    assert f"mot de passe pour tous : {DEMO_PASSWORD}" in output
    emails = [word for line in output.splitlines() for word in line.split() if "@" in word]
    assert len(emails) == 5
    for email in emails:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert served == [
        (("runserver", "127.0.0.1:8123"), {"use_reloader": False, "use_threading": True})
    ]


# --reset flushes the database (TRUNCATE): PostgreSQL refuses that inside the test's
# transaction, so this test runs outside one.
@pytest.mark.django_db(transaction=True)
def test_demo_keeps_an_existing_cooperative_and_reset_recreates_it(served):
    run("--no-serve")
    office_create(actor=None, name="Pau", city="Pau")  # a change the reset must undo
    output = run("--no-serve")
    assert "La base contient déjà une coopérative" in output
    assert f"mot de passe pour tous : {DEMO_PASSWORD}" in output
    assert Office.objects.filter(name="Pau").exists()
    output = run("--no-serve", "--reset")
    assert "Coopérative de démonstration créée" in output
    assert list(Office.objects.values_list("name", flat=True)) == ["Auch", "Tarbes"]
    assert Cooperative.objects.count() == 1
    assert served == []


def test_a_real_cooperative_gets_no_logins_and_no_reset(served):
    make_cooperative()
    output = run("--no-serve")
    assert "Alvéole est prêt" in output
    assert "mot de passe" not in output
    with pytest.raises(CommandError, match="refuse de l'effacer"):
        run("--no-serve", "--reset")
    assert Cooperative.objects.get().name == "Coopérative Test"


def test_serve_passes_host_and_port(served):
    out = StringIO()
    call_command("serve", "--host", "::1", "--port", "9000", stdout=out)
    assert "http://[::1]:9000/" in out.getvalue()
    assert served == [(("runserver", "[::1]:9000"), {"use_reloader": False, "use_threading": True})]


def test_a_bad_port_is_refused(served):
    with pytest.raises(CommandError, match="numéro de port"):
        call_command("serve", "--port", "http")


def test_serving_the_demo_lifts_two_factor_for_its_team_logins(served):
    assert settings.ALVEOLE_2FA_REQUIRED_ROLES
    output = run("--port", "8124")
    assert "Double authentification désactivée pour la démonstration" in output
    assert settings.ALVEOLE_2FA_REQUIRED_ROLES == []
    assert os.environ[server.TWO_FACTOR_VARIABLE] == "none"


def test_two_factor_is_kept_when_the_administrator_chose_or_the_cooperative_is_real(
    served, monkeypatch
):
    required = list(settings.ALVEOLE_2FA_REQUIRED_ROLES)
    make_cooperative()
    assert server.relax_two_factor_for_demo() is False  # not the demo cooperative
    monkeypatch.setattr(generator, "is_demo_database", lambda: True)
    monkeypatch.setenv(server.TWO_FACTOR_VARIABLE, "staff")
    assert server.relax_two_factor_for_demo() is False  # the administrator chose
    monkeypatch.delenv(server.TWO_FACTOR_VARIABLE)
    monkeypatch.setattr(settings, "PRODUCTION", True)
    assert server.relax_two_factor_for_demo() is False  # never in production
    assert required == settings.ALVEOLE_2FA_REQUIRED_ROLES
