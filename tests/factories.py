"""Small factory functions for tests: everything is created through the services."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Cooperative, Office, Sector
from alveole.coop.services import cooperative_setup, office_create
from alveole.core.roles import Role
from alveole.people.models import Person, PersonKind, User
from alveole.people.services import (
    cape_start,
    cesa_start,
    person_create,
    staff_contract_start,
    user_create,
)

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)

#: A valid SIREN/SIRET/VAT triple that belongs to no real company.
COOP_SIREN = "912345675"
COOP_SIRET = "91234567500009"
COOP_VAT = "FR65912345675"


def make_cooperative() -> Cooperative:
    existing = Cooperative.objects.first()
    if existing:
        return existing
    return cooperative_setup(
        actor=None,
        name="Coopérative Test",
        siren=COOP_SIREN,
        siret=COOP_SIRET,
        rcs_city="Auch",
        vat_number=COOP_VAT,
        address="1 rue de la Coopération",
        postal_code="32000",
        city="Auch",
        capital_cents=1_000_000,
        training_registration_number="76320000032",
    )


def make_office(name: str = "Auch", head: bool = True) -> Office:
    office = Office.objects.filter(name=name).first()
    return office or office_create(actor=None, name=name, city=name, is_head_office=head)


def sector(code: str = "formation-conseil") -> Sector:
    return Sector.objects.get(code=code)


def make_person(**fields) -> Person:
    n = next(_counter)
    defaults = {
        "first_name": f"Prénom{n}", "last_name": f"Nom{n}", "kind": PersonKind.ENTREPRENEUR,
        "birth_date": datetime.date(1985, 5, 17), "postal_code": "32000", "city": "Auch",
        "email": f"personne{n}@example.org",
    }  # fmt: skip
    defaults.update(fields)
    return person_create(actor=None, **defaults)


def make_user(role: str, person: Person | None = None, email: str | None = None) -> User:
    n = next(_counter)
    return user_create(
        actor=None,
        email=email or f"{role}{n}@example.org",
        role=role,
        person=person,
        password=PASSWORD,
    )


def make_entrepreneur(
    *, cesa_start_date: datetime.date = datetime.date(2024, 1, 1), **fields
) -> Person:
    person = make_person(**fields)
    cape_start(
        actor=None,
        person=person,
        start_date=cesa_start_date - datetime.timedelta(days=180),
        planned_end_date=cesa_start_date + datetime.timedelta(days=10),
    )
    cesa_start(actor=None, person=person, start_date=cesa_start_date, monthly_hours=Decimal("70"))
    return person


def make_business(
    person: Person,
    *,
    name: str | None = None,
    code: str | None = None,
    sector_code: str = "formation-conseil",
) -> Business:
    n = next(_counter)
    return business_create(
        actor=None,
        main_person=person,
        name=name or f"Activité {n}",
        code=code or f"ACT{n:03d}",
        sector=sector(sector_code),
        start_date=datetime.date(2023, 7, 1),
    )


def make_staff_person(**fields) -> Person:
    person = make_person(kind=PersonKind.SUPPORT_STAFF, **fields)
    staff_contract_start(actor=None, person=person, start_date=datetime.date(2020, 1, 1))
    return person


__all__ = [
    "PASSWORD",
    "Role",
    "make_business",
    "make_cooperative",
    "make_entrepreneur",
    "make_office",
    "make_person",
    "make_staff_person",
    "make_user",
    "sector",
]
