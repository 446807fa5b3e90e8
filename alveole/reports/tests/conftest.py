"""A small cooperative whose 2025 report can be computed by hand (see test_figures.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Grant
from alveole.coop.services import grant_create
from alveole.payroll.services import payroll_record_create
from alveole.people.models import Exit, IntakeInterview, PersonKind
from alveole.people.services import (
    associate_join,
    associate_leave,
    cape_start,
    intake_interview_record,
    person_exit,
)
from alveole.sales.models import Customer
from alveole.sales.services import (
    credit_note_create,
    customer_create,
    internal_customer_for,
    invoice_create,
    invoice_issue,
)
from alveole.support.models import WorkshopKind
from alveole.support.services import SlotSpec, session_create, workshop_create
from tests.factories import make_business, make_entrepreneur, make_person

D = datetime.date


def customer(business, kind, postal_code, department=""):
    return customer_create(
        actor=None, business=business, kind=kind, name=f"Client {kind} {postal_code}",
        address="1 rue Haute", postal_code=postal_code, city="Ville", department=department,
        email="client@example.org", **({"siren": "732829320"} if kind != Customer.Kind.INDIVIDUAL else {}),
    )  # fmt: skip


def sale(business, cust, euros, day):
    invoice = invoice_create(
        actor=None, business=business, customer=cust,
        lines=[{"description": "Prestation", "quantity": 1, "unit_price": Decimal(euros),
                "vat_rate": Decimal("20")}],
    )  # fmt: skip
    return invoice_issue(actor=None, invoice=invoice, issue_date=day)


def credit(invoice, euros, day):
    note = credit_note_create(
        actor=None, invoice=invoice,
        lines=[{"description": "Geste commercial", "quantity": 1, "unit_price": Decimal(euros),
                "vat_rate": Decimal("20")}],
    )  # fmt: skip
    return invoice_issue(actor=None, invoice=note, issue_date=day)


def pay(person, month, gross, employee, employer, hours):
    return payroll_record_create(
        actor=None, person=person, month=month, gross_cents=gross * 100,
        employee_contributions_cents=employee * 100, employer_contributions_cents=employer * 100,
        net_cents=(gross - employee) * 100, paid_hours=Decimal(hours),
    )  # fmt: skip


def session(workshop, day):
    return session_create(
        actor=None, workshop=workshop, capacity=10, place="Auch",
        slots=[SlotSpec(date=day, half_day="morning", start_time=datetime.time(9),
                        end_time=datetime.time(12))],
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache_and_immediate_tasks(settings):
    """Each test starts with an empty cache (ids are reused after a rollback on SQLite) and
    runs tasks at once."""
    from django.core.cache import cache

    cache.clear()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    yield
    cache.clear()


@pytest.fixture
def coop_2025(personas):
    return coop_2025_data(personas)


def coop_2025_data(personas):
    """Alice and Bob (personas, CESA since 2024), Carol, Dan, Eve, Frank; sales, pay, grants."""
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    staff = personas.staff.person
    carol = make_entrepreneur(
        cesa_start_date=D(2025, 1, 1), first_name="Carol", birth_date=D(1960, 3, 1),
        entry_situation="employed", department="65", has_other_income=True,
    )  # fmt: skip
    carol_business = make_business(carol, code="CAROL", sector_code="tic")
    associate_join(actor=None, person=carol, date=D(2025, 6, 1))
    bob_associate = associate_join(actor=None, person=bob.person, date=D(2024, 1, 1))
    associate_leave(actor=None, associateship=bob_associate, date=D(2025, 3, 1))
    associate_join(actor=None, person=staff, date=D(2022, 1, 1))
    outsider = make_person(kind=PersonKind.EXTERNAL, first_name="Olga")
    associate_join(actor=None, person=outsider, date=D(2021, 1, 1))
    dan = make_person(first_name="Dan", birth_date=D(1998, 1, 1), department="32")
    cape_start(actor=None, person=dan, start_date=D(2025, 1, 1), planned_end_date=D(2025, 12, 31))
    eve = make_person(first_name="Eve")
    cape_start(actor=None, person=eve, start_date=D(2025, 2, 1), planned_end_date=D(2025, 6, 30))
    person_exit(actor=None, person=eve, date=D(2025, 6, 30), outcome=Exit.Outcome.BUSINESS_CREATION)
    frank = make_entrepreneur(cesa_start_date=D(2024, 1, 1), first_name="Frank")
    person_exit(actor=None, person=frank, date=D(2025, 9, 1), outcome=Exit.Outcome.OTHER)
    for day in (D(2024, 12, 1), D(2025, 1, 1), D(2025, 5, 5), D(2025, 12, 31)):
        intake_interview_record(
            actor=None, person=make_person(), date=day, decision=IntakeInterview.Decision.POSTPONED
        )

    trainer = personas.staff.user
    training = workshop_create(
        actor=None, title="Fixer ses prix", duration_hours=3, capacity=10, trainer_user=trainer
    )
    codev = workshop_create(
        actor=None,
        title="Co-dév",
        kind=WorkshopKind.CODEVELOPMENT,
        duration_hours=3,
        capacity=10,
        trainer_user=trainer,
    )
    for w, day in ((training, D(2024, 12, 15)), (training, D(2025, 3, 3)),
                   (training, D(2025, 11, 4)), (codev, D(2025, 4, 4))):  # fmt: skip
        session(w, day)

    support = business_create(
        actor=None, name="Structure", code="CAE", kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=D(2020, 1, 1),
    )  # fmt: skip
    a_company = customer(alice.business, Customer.Kind.COMPANY, "32000")
    a_person = customer(alice.business, Customer.Kind.INDIVIDUAL, "65000")
    big = sale(alice.business, a_company, "1000", D(2025, 3, 1))
    credit(big, "50", D(2026, 1, 10))  # next year's credit note: not in 2025
    old = sale(alice.business, a_person, "500", D(2024, 11, 1))
    credit(old, "100", D(2025, 2, 1))
    sale(
        bob.business,
        customer(bob.business, Customer.Kind.PUBLIC_BODY, "75001"),
        "400",
        D(2025, 2, 15),
    )
    internal = internal_customer_for(actor=None, seller=bob.business, buyer=carol_business)
    sale(bob.business, internal, "200", D(2025, 5, 1))
    sale(
        carol_business,
        customer(carol_business, Customer.Kind.ASSOCIATION, "31000"),
        "300",
        D(2025, 4, 1),
    )
    sale(
        carol_business,
        customer(carol_business, Customer.Kind.INDIVIDUAL, "32000"),
        "600",
        D(2025, 7, 1),
    )
    sale(support, customer(support, Customer.Kind.COMPANY, "32000"), "250", D(2025, 5, 5))

    pay(alice.person, D(2024, 12, 1), 1000, 200, 400, "91")
    pay(alice.person, D(2025, 1, 1), 1500, 300, 600, "100")
    pay(alice.person, D(2025, 2, 1), 1700, 340, 680, "110")
    pay(staff, D(2025, 1, 1), 2000, 400, 800, "151.67")

    grant_create(
        actor=None, funder_kind=Grant.FunderKind.REGION, funder_name="Région", programme="CAE",
        amount_cents=200_000, start_year=2025, end_year=2026,
    )  # fmt: skip
    return personas
