"""Shared fixtures: the cooperative and the personas every permission test uses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from alveole.businesses.models import Business
from alveole.core.roles import Role
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


def pytest_collection_modifyitems(items) -> None:  # noqa: ANN001
    """Transactional tests flush the database; restore the data migrations' rows afterwards.

    Reference data loaded by data migrations (sectors, payroll rates, the chart of
    accounts…) would otherwise vanish for the tests that run after them on the same worker.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cooperative(db):  # noqa: ANN001, ANN201
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
        return [self.entrepreneur, self.other_entrepreneur, self.staff, self.accountant, self.director, self.anonymous]


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def personas(cooperative) -> Personas:  # noqa: ANN001
    staff_person = make_staff_person(first_name="Sacha", last_name="Appui")
    staff_user = make_user(Role.STAFF, person=staff_person, email="staff@example.org")
    director_user = make_user(Role.DIRECTOR, email="direction@example.org")
    accountant_user = make_user(Role.ACCOUNTANT, email="compta@example.org")

    alice = make_entrepreneur(first_name="Alice", last_name="Martin", entry_situation="rsa", follow_up_staff=staff_user)
    alice_user = make_user(Role.ENTREPRENEUR, person=alice, email="alice@example.org")
    alice_business = make_business(alice, name="Atelier Alice", code="ALICE")
    bob = make_entrepreneur(first_name="Bob", last_name="Durand", entry_situation="job_seeker")
    bob_user = make_user(Role.ENTREPRENEUR, person=bob, email="bob@example.org")
    bob_business = make_business(bob, name="Bob Conseil", code="BOB")
    return Personas(
        entrepreneur=Persona("entrepreneur", alice_user, alice, alice_business, _client(alice_user)),
        other_entrepreneur=Persona("other_entrepreneur", bob_user, bob, bob_business, _client(bob_user)),
        staff=Persona("staff", staff_user, staff_person, None, _client(staff_user)),
        accountant=Persona("accountant", accountant_user, None, None, _client(accountant_user)),
        director=Persona("director", director_user, None, None, _client(director_user)),
        anonymous=Persona("anonymous", None, None, None, Client()),
    )


__all__ = ["PASSWORD", "Persona", "Personas"]
