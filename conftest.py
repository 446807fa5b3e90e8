"""Shared fixtures: the cooperative and the personas every permission test uses."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from alveole.businesses.models import Business
from alveole.core.roles import Role
from alveole.core.twofactor import force_login_verified
from alveole.people.models import Person, User
from tests.factories import (
    PASSWORD,
    make_business,
    make_cooperative,
    make_entrepreneur,
    make_office,
    make_staff_person,
    make_user,
)

# The tests keep the cache in each process's memory (ALVEOLE_CACHE "memory"), emptied by the
# tests that read it: the database cache's table is not emptied when a transactional test
# flushes the database, and ids are reused after a flush or a rollback, so an entry could
# answer for another test's data. alveole/reports/tests/test_report_cache.py tests the
# database cache itself.
settings.CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": settings.CACHES["default"]["KEY_FUNCTION"],
    }
}


def pytest_collection_modifyitems(items) -> None:
    """Transactional tests flush the database; restore the data migrations' rows afterwards.

    Reference data loaded by data migrations (sectors, payroll rates, the chart of
    accounts…) would otherwise vanish for the tests that run after them on the same worker.
    """
    # Browser tests run last: Playwright's event loop changes how the ORM reaches the
    # database for the rest of the process.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_second_factor_in_browser_tests(request, settings) -> None:
    """Browser tests log in through the form and have no phone: the TOTP step is tested
    in alveole/core/tests/test_twofactor.py, not in every browser journey."""
    if request.node.get_closest_marker("browser") is not None:
        settings.ALVEOLE_2FA_REQUIRED_ROLES = []


@pytest.fixture
def cooperative(db):
    make_office("Auch", head=True)
    make_office("Tarbes", head=False)
    return make_cooperative()


@dataclass
class Persona:
    """A user of one role, their person file and business when they have one, a logged-in client."""

    name: str
    user: User | None
    person: Person | None
    business: Business | None
    client: Client


@dataclass
class Personas:
    entrepreneur: Persona
    other_entrepreneur: Persona
    staff: Persona
    accountant: Persona
    director: Persona
    anonymous: Persona

    def all(self) -> list[Persona]:
        return [
            self.entrepreneur,
            self.other_entrepreneur,
            self.staff,
            self.accountant,
            self.director,
            self.anonymous,
        ]


def _client(user: User | None) -> Client:
    """A client logged in as `user`, past the second factor its role requires."""
    client = Client()
    if user is not None:
        force_login_verified(client, user)
    return client


@pytest.fixture
def personas(cooperative) -> Personas:
    staff_person = make_staff_person(first_name="Sacha", last_name="Appui")
    staff_user = make_user(Role.STAFF, person=staff_person, email="staff@example.org")
    director_user = make_user(Role.DIRECTOR, email="direction@example.org")
    accountant_user = make_user(Role.ACCOUNTANT, email="compta@example.org")

    alice = make_entrepreneur(
        first_name="Alice", last_name="Martin", entry_situation="rsa", follow_up_staff=staff_user
    )
    alice_user = make_user(Role.ENTREPRENEUR, person=alice, email="alice@example.org")
    alice_business = make_business(alice, name="Atelier Alice", code="ALICE")
    bob = make_entrepreneur(first_name="Bob", last_name="Durand", entry_situation="job_seeker")
    bob_user = make_user(Role.ENTREPRENEUR, person=bob, email="bob@example.org")
    bob_business = make_business(bob, name="Bob Conseil", code="BOB")
    return Personas(
        entrepreneur=Persona(
            "entrepreneur", alice_user, alice, alice_business, _client(alice_user)
        ),
        other_entrepreneur=Persona(
            "other_entrepreneur", bob_user, bob, bob_business, _client(bob_user)
        ),
        staff=Persona("staff", staff_user, staff_person, None, _client(staff_user)),
        accountant=Persona("accountant", accountant_user, None, None, _client(accountant_user)),
        director=Persona("director", director_user, None, None, _client(director_user)),
        anonymous=Persona("anonymous", None, None, None, Client()),
    )


__all__ = ["PASSWORD", "Persona", "Personas"]


# Browser tests: one headless Chromium (Debian's package) for the whole run, driven by
# Playwright; skipped with a clear message when Chromium is absent.
CHROMIUM = os.environ.get("ALVEOLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package to run browser tests"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; the ORM calls of the test itself are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Once the loop runs, Django hands out other connection objects for this thread; they
    # must still know the serialized reference data that transactional tests restore.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with playwright_api.sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None and not hasattr(
                connections[alias], "_test_serialized_contents"
            ):
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (iPhone-like viewport, touch, French)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    page = context.new_page()
    yield page
    context.close()
