"""Payroll records: validation, the businesses charged, audit; the report's figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.businesses.services import business_create
from alveole.core.models import AuditEvent
from alveole.payroll.models import PayrollCharge, PayrollRecord
from alveole.payroll.selectors import (
    average_gross_monthly_salary,
    charged_by_business,
    fte,
    paid_hours,
    payroll_year_figures,
    social_contributions,
    wage_bill,
)
from alveole.payroll.services import payroll_record_delete, payroll_record_update
from alveole.payroll.tests.helpers import make_record
from tests.factories import make_business, make_person

pytestmark = pytest.mark.django_db

D = datetime.date


def charges(record):
    return {c.business.code: c.amount_cents for c in record.charges.select_related("business")}


def test_a_month_goes_to_the_person_s_only_business(personas):
    record = make_record(personas.entrepreneur.person, month=D(2026, 3, 17))
    assert record.month == D(2026, 3, 1)
    assert record.paid_hours == Decimal("151.67")
    assert record.paid_hours_hundredths == 15_167
    # 1 823,03 + 770,53 − 725,75 = 1 867,81
    assert record.employer_cost_cents == 186_781
    assert charges(record) == {"ALICE": 186_781}
    event = AuditEvent.objects.get(target_type="payroll.payrollrecord", target_id=str(record.pk))
    assert event.changes["charges"] == {"ALICE": 186_781}


def test_staff_pay_goes_to_the_support_structure(personas):
    structure = business_create(
        actor=None,
        name="Structure",
        code="STRUCT",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )
    record = make_record(personas.staff.person)
    assert charges(record) == {structure.code: 186_781}


def test_a_split_between_businesses_must_add_up_to_the_employer_cost(personas):
    alice = personas.entrepreneur.person
    other = make_business(alice, code="ALICE2")
    main = personas.entrepreneur.business
    with pytest.raises(ValidationError) as error:
        make_record(alice, charges=[(main, 100_000), (other, 80_000)])
    assert error.value.message_dict["charges"] == [
        "Les montants portés par les activités totalisent 1\u202f800,00\u202f€ au lieu du coût "
        "employeur, 1\u202f867,81\u202f€ (brut + cotisations patronales − réduction)."
    ]
    with pytest.raises(ValidationError) as error:
        make_record(alice)
    assert "est membre de plusieurs activités" in error.value.message_dict["charges"][0]
    assert PayrollRecord.objects.count() == PayrollCharge.objects.count() == 0
    record = make_record(alice, charges=[(main, 100_000), (other, 86_781)])
    assert charges(record) == {"ALICE": 100_000, "ALICE2": 86_781}
    record = make_record(alice, month=D(2026, 4, 1), charges=[(other, None)])
    assert charges(record) == {"ALICE2": 186_781}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"net_cents": 200_000}, "net_cents", "Le net ne peut pas dépasser le brut."),
        ({"gross_cents": -1}, "gross_cents", "Un montant de paie ne peut pas être négatif."),
        ({"reduction_cents": 80_000}, "reduction_cents",
         "La réduction générale ne peut pas dépasser les cotisations patronales."),
        ({"paid_hours": Decimal("151.675")}, "paid_hours",
         "Les heures payées ont au plus deux décimales (151,67)."),
        ({"paid_hours": Decimal(301)}, "paid_hours", "Un mois compte au plus 300 heures payées."),
    ],
)  # fmt: skip
def test_bad_figures_refused(personas, fields, field, message):
    with pytest.raises(ValidationError) as error:
        make_record(personas.entrepreneur.person, **fields)
    assert error.value.message_dict[field] == [message]
    assert PayrollRecord.objects.count() == 0


def test_only_employees_are_paid(personas):
    alice = personas.entrepreneur.person
    with pytest.raises(ValidationError) as error:
        make_record(alice, month=D(2023, 12, 1))  # her CAPE ran then, her CESA starts in 2024
    assert error.value.message_dict["person"] == [
        "Aucun contrat de travail (CESA ou contrat d'équipe) de Alice Martin ne couvre décembre "
        "2023 : pas de paie possible (un CAPE n'est pas un contrat de travail)."
    ]
    with pytest.raises(ValidationError) as error:
        make_record(make_person(kind="external"))
    assert error.value.message_dict["person"] == [
        "Un·e associé·e extérieur·e n'est pas salarié·e de la coopérative."
    ]


def test_one_record_per_person_and_month(personas):
    make_record(personas.entrepreneur.person)
    with pytest.raises(ValidationError) as error:
        make_record(personas.entrepreneur.person, month=D(2026, 3, 31))
    assert error.value.message_dict["month"] == [
        "La paie de Alice Martin pour mars 2026 est déjà enregistrée."
    ]
    assert PayrollRecord.objects.count() == 1


def test_update_keeps_a_single_business_for_the_new_cost(personas):
    record = make_record(personas.entrepreneur.person)
    record = payroll_record_update(actor=None, record=record, employer_contributions_cents=77_153)
    assert charges(record) == {"ALICE": 186_881}
    event = AuditEvent.objects.get(target_type="payroll.payrollrecord", action="update")
    assert event.changes["employer_contributions_cents"] == [77_053, 77_153]
    assert event.changes["charges"] == [{"ALICE": 186_781}, {"ALICE": 186_881}]


def test_update_of_a_split_record_asks_for_the_new_parts(personas):
    alice = personas.entrepreneur.person
    other = make_business(alice, code="ALICE2")
    record = make_record(
        alice, charges=[(personas.entrepreneur.business, 100_000), (other, 86_781)]
    )
    with pytest.raises(ValidationError) as error:
        payroll_record_update(actor=None, record=record, gross_cents=182_403)
    assert "indiquez le nouveau montant porté par chacune" in error.value.message_dict["charges"][0]
    record.refresh_from_db()
    assert record.gross_cents == 182_303
    assert charges(record) == {"ALICE": 100_000, "ALICE2": 86_781}


def test_delete_is_audited(personas):
    record = make_record(personas.entrepreneur.person)
    payroll_record_delete(actor=None, record=record)
    assert PayrollRecord.objects.count() == PayrollCharge.objects.count() == 0
    assert (
        AuditEvent.objects.filter(target_type="payroll.payrollrecord", action="delete").count() == 1
    )


def test_yearly_figures(personas):
    alice, bob, staff = (
        personas.entrepreneur.person,
        personas.other_entrepreneur.person,
        personas.staff.person,
    )
    business_create(
        actor=None,
        name="Structure",
        code="STRUCT",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )
    make_record(alice, month=D(2026, 1, 1))  # 1 823,03 gross, 151,67 h
    make_record(alice, month=D(2026, 2, 1), gross_cents=100_050, employee_contributions_cents=21_000,
                employer_contributions_cents=30_000, reduction_cents=20_000, net_cents=79_050,
                paid_hours=Decimal("70.5"))  # fmt: skip
    make_record(bob, month=D(2026, 1, 1), gross_cents=0, employee_contributions_cents=0,
                employer_contributions_cents=0, reduction_cents=0, net_cents=0, paid_hours=0)  # fmt: skip
    make_record(staff, month=D(2026, 1, 1), gross_cents=250_000, employee_contributions_cents=55_000,
                employer_contributions_cents=90_000, reduction_cents=10_000, net_cents=195_000,
                paid_hours=FULL)  # fmt: skip
    make_record(alice, month=D(2025, 12, 1))  # another year
    figures = payroll_year_figures(2026)
    # Wage bill: 1 823,03 + 1 000,50 + 0 + 2 500,00 = 5 323,53
    assert figures.wage_bill_cents == wage_bill(2026) == 532_353
    # Hours: 151,67 + 70,50 + 0 + 151,67 = 373,84 ; FTE = 373,84 / 1 820 = 0,2054 → 0,21
    assert figures.paid_hours == paid_hours(2026) == Decimal("373.84")
    assert figures.fte == fte(2026) == Decimal("0.21")
    assert figures.full_time_paid_hours == 1820
    # Entrepreneurs' months with a gross > 0: Alice's two (Bob's is 0, staff are not counted):
    # (1 823,03 + 1 000,50) / 2 = 1 411,765 → 1 411,77
    assert figures.entrepreneur_paid_months == 2
    assert (
        figures.average_gross_monthly_salary_cents == average_gross_monthly_salary(2026) == 141_177
    )
    # Social contributions: employee 379,94 + 210 + 0 + 550 ; employer 770,53 + 300 + 0 + 900
    assert (
        figures.social_contributions_cents
        == social_contributions(2026)
        == 37_994 + 21_000 + 55_000 + 77_053 + 30_000 + 90_000
    )
    assert figures.records == 4
    assert charged_by_business(business=personas.entrepreneur.business, year=2026) == {
        "amount_cents": 186_781 + 110_050,
        "months": 2,
    }


def test_a_year_without_payroll_is_missing_not_zero(personas):
    figures = payroll_year_figures(2019)
    assert figures.wage_bill_cents is None
    assert figures.fte is None
    assert figures.average_gross_monthly_salary_cents is None
    assert figures.social_contributions_cents is None


FULL = Decimal("151.67")
