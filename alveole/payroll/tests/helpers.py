"""Small helpers of the payroll tests: records and rules created through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from alveole.payroll.services import contribution_rule_create, payroll_record_create

D = datetime.date
MARCH_2026 = D(2026, 3, 1)


def make_record(person, month=MARCH_2026, **fields):
    """A month's pay at the SMIC for 151,67 h unless told otherwise (figures of the payslip)."""
    values = {
        "gross_cents": 182_303,
        "employee_contributions_cents": 37_994,
        "employer_contributions_cents": 77_053,
        "reduction_cents": 72_575,
        "net_cents": 144_309,
        "paid_hours": Decimal("151.67"),
    }
    values.update(fields)
    return payroll_record_create(actor=None, person=person, month=month, **values)


def make_rule(**fields):
    values = {
        "base": "turnover_invoiced",
        "rate": Decimal("12.00"),
        "effective_from": D(2022, 1, 1),
        "decision_reference": "AG du 10/12/2021, résolution 4",
        "decision_date": D(2021, 12, 10),
    }
    values.update(fields)
    return contribution_rule_create(actor=None, **values)
