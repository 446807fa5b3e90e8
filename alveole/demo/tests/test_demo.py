"""The demo cooperative has the seed report's shape (generated once for the module)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Min, Q
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from alveole.businesses.models import Business, Membership
from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Cooperative, FiscalYear, Office
from alveole.core.dates import age_at
from alveole.core.roles import Role
from alveole.demo.generator import DEMO_PASSWORD, STEPS, generate
from alveole.people.models import (
    Associateship,
    Contract,
    ContractChange,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    User,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)
CENSUS = datetime.date(2024, 12, 31)  # 31 December of the last full year
SEED = 2021


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full-size demo, generated once and rolled back at the end of the module."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        # The people's steps only: the sales and payroll have their own tests (test_economy).
        people_steps = [s for s in STEPS if s.key in {"cooperative", "staff", "paths", "accounts"}]
        result = generate(seed=SEED, today=TODAY, steps=people_steps)
        yield result
        transaction.set_rollback(True)


def running_at(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def members() -> list[Person]:
    return list(Person.objects.members_at(CENSUS))


def test_identity_offices_and_fiscal_years(demo):
    cooperative = Cooperative.objects.get()
    assert cooperative.siren == "904321866"
    assert cooperative.vat_number == "FR61904321866"
    assert cooperative.city == "Auch"
    assert [(o.name, o.is_head_office) for o in Office.objects.all()] == [
        ("Auch", True),
        ("Tarbes", False),
    ]
    assert [str(year) for year in FiscalYear.objects.all()] == [
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
    ]
    support = Business.objects.get(kind=Business.Kind.SUPPORT_STRUCTURE)
    assert support.code == "CAE"


def test_about_130_members_at_the_end_of_the_last_full_year(demo):
    assert 117 <= len(members()) <= 143


def test_eight_support_staff_employed(demo):
    employed = Contract.objects.filter(running_at(CENSUS), kind=Contract.Kind.STAFF)
    assert employed.count() == 8
    assert Person.objects.filter(kind=PersonKind.SUPPORT_STAFF).count() == 9  # one left


def test_associates_split_like_the_seed(demo):
    current = Associateship.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=CENSUS), start_date__lte=CENSUS
    )
    split = Counter(current.values_list("category", flat=True))
    assert 47 <= split[Associateship.Category.ENTREPRENEUR] <= 57
    assert split[Associateship.Category.SUPPORT_STAFF] == 6
    assert split[Associateship.Category.EXTERNAL] == 2
    joined = Associateship.objects.filter(
        category=Associateship.Category.ENTREPRENEUR, start_date__year=2024
    ).count()
    left = Associateship.objects.filter(
        category=Associateship.Category.ENTREPRENEUR, end_date__year=2024
    ).count()
    assert 4 <= joined <= 12
    assert 2 <= left <= 12


def test_every_sector_used_roughly_in_the_seed_proportions(demo):
    main_sectors = Membership.objects.filter(
        person__in=members(), business__kind=Business.Kind.ENTREPRENEUR
    ).values_list("person_id", "business__sector__code")
    by_person = dict(main_sectors)
    shares = Counter(by_person.values())
    assert set(shares) == {code for code, _ in SEED_SECTORS}
    assert 0.33 <= shares["formation-conseil"] / len(by_person) <= 0.52


def test_yearly_flows(demo):
    assert 65 <= IntakeInterview.objects.filter(date__year=2024).count() <= 95
    path_contracts = Q(contracts__kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA])
    integrated = (
        Person.objects.annotate(entered=Min("contracts__start_date", filter=path_contracts))
        .filter(entered__year=2024)
        .count()
    )
    assert 35 <= integrated <= 55
    assert ContractChange.objects.filter(kind=ContractChange.Kind.RENEWAL).exists()
    assert ContractChange.objects.filter(kind=ContractChange.Kind.AMENDMENT).exists()


def test_exits_mostly_positive(demo):
    exits = Exit.objects.filter(date__year=2024)
    positive = exits.filter(outcome__in=Exit.POSITIVE_OUTCOMES).count()
    assert exits.count() >= 25
    assert 0.60 <= positive / exits.count() <= 0.90
    assert set(Exit.objects.values_list("outcome", flat=True)) == set(Exit.Outcome.values)


def test_demographics(demo):
    people = members()
    departments = Counter(p.department for p in people)
    assert departments.most_common(2)[0][0] == "32"
    assert {"65", "64", "31"} <= set(departments)
    assert sum(departments[d] for d in ("32", "65", "64", "31")) >= 0.9 * len(people)
    ages = [age_at(p.birth_date, CENSUS) for p in people]
    assert any(age >= 61 for age in ages) and any(age <= 30 for age in ages)
    assert {p.entry_situation for p in people} == {"employed", "job_seeker", "rsa", "other"}
    other_income = sum(1 for p in people if p.has_other_income) / len(people)
    assert 0.2 <= other_income <= 0.4


def test_some_businesses_have_two_members(demo):
    shared = [b for b in Business.objects.all() if b.memberships.count() == 2]
    assert shared
    codes = list(Business.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def test_accounts(demo):
    assert User.objects.filter(role=Role.DIRECTOR).count() == 1
    assert User.objects.filter(role=Role.ACCOUNTANT).count() == 1
    employed_staff = Person.objects.filter(
        contracts__in=Contract.objects.filter(running_at(TODAY), kind=Contract.Kind.STAFF)
    )
    assert all(hasattr(person, "user") for person in employed_staff)
    with_contract = Person.objects.filter(
        kind=PersonKind.ENTREPRENEUR, contracts__isnull=False
    ).distinct()
    assert with_contract.filter(user__role=Role.ENTREPRENEUR).count() == with_contract.count()


def _home_page_exists() -> bool:
    try:
        resolve("/")
    except Resolver404:
        return False
    return True


def test_printed_logins_log_in(demo):
    labels = [login.label for login in demo.logins]
    assert labels == [
        "Direction",
        "Équipe d'appui",
        "Comptabilité",
        "Entrepreneur·e",
        "Entrepreneur·e",
    ]
    for login in demo.logins:
        assert authenticate(username=login.email, password=DEMO_PASSWORD) is not None
        client = Client()
        assert client.login(username=login.email, password=DEMO_PASSWORD)
        if _home_page_exists():
            assert client.get("/", follow=True).status_code == 200  # 2FA set-up for staff
