"""The same seed and date give the same cooperative; another seed gives another one."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import transaction

from alveole.businesses.models import Business, Membership
from alveole.coop.models import GrantAllocation
from alveole.demo.generator import generate
from alveole.demo.plan import build_plan
from alveole.payroll.models import PayrollRecord
from alveole.people.models import (
    Associateship,
    Contract,
    ContractChange,
    Exit,
    IntakeInterview,
    Person,
    User,
)
from alveole.sales.models import Customer, Invoice, Quote

TODAY = datetime.date(2025, 6, 30)
SCALE = 0.2


def fingerprint() -> str:
    """A digest of everything the demo writes, without primary keys or timestamps."""
    rows = [
        Person.objects.order_by("pk").values_list(
            "kind", "first_name", "last_name", "birth_date", "email", "postal_code", "city",
            "entry_situation", "has_other_income", "office__name", "follow_up_staff__email",
        ),
        IntakeInterview.objects.order_by("pk").values_list(
            "person__email", "date", "decision", "reason", "interviewer__email"
        ),
        Contract.objects.order_by("pk").values_list(
            "person__email", "kind", "start_date", "planned_end_date", "end_date", "monthly_hours"
        ),
        ContractChange.objects.order_by("pk").values_list(
            "contract__person__email", "kind", "date", "new_planned_end_date", "new_monthly_hours"
        ),
        Associateship.objects.order_by("pk").values_list(
            "person__email", "category", "start_date", "end_date"
        ),
        Exit.objects.order_by("pk").values_list("person__email", "date", "outcome", "reason"),
        Business.objects.order_by("pk").values_list(
            "code", "name", "kind", "sector__code", "start_date", "end_date"
        ),
        Membership.objects.order_by("pk").values_list(
            "business__code", "person__email", "is_main", "start_date", "end_date"
        ),
        User.objects.order_by("pk").values_list("email", "role", "person__email"),
        Customer.objects.order_by("pk").values_list("business__code", "kind", "name", "city"),
        Invoice.objects.order_by("pk").values_list(
            "number", "kind", "issue_date", "customer__name", "total_incl_vat_cents", "status"
        ),
        Quote.objects.order_by("pk").values_list("number", "issue_date", "status"),
        PayrollRecord.objects.order_by("pk").values_list(
            "person__email", "month", "gross_cents", "paid_hours_hundredths"
        ),
        GrantAllocation.objects.order_by("pk").values_list("grant__funder_name", "year", "amount_cents"),
    ]  # fmt: skip
    return hashlib.sha256(repr([list(r) for r in rows]).encode()).hexdigest()


def generate_and_fingerprint(seed: int) -> tuple[str, int]:
    """Generate on an empty database, fingerprint, and roll everything back."""
    with transaction.atomic():
        generate(seed=seed, today=TODAY, scale=SCALE)
        result = fingerprint(), Person.objects.count()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_same_seed_same_cooperative():
    first, people = generate_and_fingerprint(7)
    second, _ = generate_and_fingerprint(7)
    assert people > 100
    assert first == second


def test_the_plan_depends_only_on_seed_date_and_scale():
    def summary(seed: int) -> list:
        plan = build_plan(seed=seed, today=TODAY, scale=SCALE)
        return [
            (e.date, e.action, getattr(e.args.get("person"), "email", ""))
            for e in plan.staff_events + plan.path_events
        ]

    assert summary(7) == summary(7)
    assert summary(7) != summary(8)


def test_refuses_a_future_anchor_and_an_existing_cooperative(db):
    with pytest.raises(ValueError, match="future"):
        generate(today=datetime.date.today() + datetime.timedelta(days=400))
    with transaction.atomic():
        generate(seed=1, today=TODAY, scale=0.1)
        with pytest.raises(ValueError, match="already"):
            generate(seed=1, today=TODAY, scale=0.1)
        transaction.set_rollback(True)
