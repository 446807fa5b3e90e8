"""The payslip of a gross salary, line by line, and the salary a budget can pay.

Pure arithmetic on the rates in force (coop's PayrollParameters and PayrollRate, stored as
data with their validity dates). Every amount is integer cents, every line is rounded
half-up to the cent by `round_cents`. The formula of the general reduction and every choice
are written in docs/payroll-rates.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from alveole.coop.models import PayrollParameters, PayrollRate
from alveole.coop.selectors import payroll_parameters_at, payroll_rates_at
from alveole.core.formatting import format_cents
from alveole.core.money import round_cents

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
COEFFICIENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class PayslipLine:
    """One contribution line: its base and the employee and employer amounts."""

    code: str
    label: str
    base_label: str
    base_cents: int
    employee_rate: Decimal
    employee_cents: int
    employer_rate: Decimal
    employer_cents: int


@dataclass(frozen=True)
class Payslip:
    """A month's pay computed from a gross salary and the rates in force."""

    month: datetime.date
    gross_cents: int
    paid_hours: Decimal
    lines: tuple[PayslipLine, ...]
    employee_contributions_cents: int
    employer_contributions_cents: int
    smic_reference_cents: int
    ceiling_cents: int
    reduction_coefficient: Decimal
    reduction_cents: int
    net_cents: int
    employer_cost_cents: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def social_contributions_cents(self) -> int:
        return self.employee_contributions_cents + self.employer_contributions_cents


def _percent(cents: int, rate: Decimal) -> int:
    return round_cents(Decimal(cents) * Decimal(rate) / HUNDRED / HUNDRED)


def smic_reference_cents(parameters: PayrollParameters, paid_hours: Decimal) -> int:
    """The SMIC of the month for these hours: the monthly SMIC for a full-time month
    (151,67 h stands for 35 h × 52 / 12), else the hourly SMIC × the hours paid."""
    if paid_hours == parameters.full_time_monthly_hours:
        return parameters.smic_monthly_cents
    return round_cents(Decimal(parameters.smic_hourly_cents) * paid_hours / HUNDRED)


def ceiling_cents(parameters: PayrollParameters, paid_hours: Decimal) -> int:
    """The social security ceiling of the month, reduced in proportion for part-time work."""
    full = parameters.full_time_monthly_hours
    if paid_hours >= full or paid_hours <= 0:
        return parameters.pmss_cents
    return round_cents(Decimal(parameters.pmss_cents) * paid_hours / full / HUNDRED)


def base_cents(base: str, gross: int, ceiling: int, parameters: PayrollParameters) -> int:
    """The amount a rate applies to, for a gross salary and the month's ceiling."""
    if base == PayrollRate.Base.TOTAL:
        return gross
    if base == PayrollRate.Base.TRANCHE_A:
        return min(gross, ceiling)
    if base == PayrollRate.Base.TRANCHE_2:
        return max(0, min(gross, 8 * ceiling) - ceiling)
    if base == PayrollRate.Base.CAPPED_4_PMSS:
        return min(gross, 4 * ceiling)
    if base == PayrollRate.Base.T1_T2_ABOVE_PMSS:
        return min(gross, 8 * ceiling) if gross > ceiling else 0
    if base == PayrollRate.Base.CSG:
        cap = parameters.csg_abatement_pmss_cap * ceiling
        within = Decimal(min(gross, cap)) * parameters.csg_base_percent / HUNDRED
        return round_cents(within / HUNDRED) + max(0, gross - cap)
    raise ValueError(f"unknown base {base!r}")


def reduction_coefficient(
    parameters: PayrollParameters, gross: int, smic_reference: int
) -> Decimal:
    """RGDU 2026: C = Tmin + Tdelta × [½ × (3 × SMIC / gross − 1)]^P, at most Tmin + Tdelta,
    nothing from 3 SMIC on; rounded half-up to 4 decimals."""
    exit_multiple = parameters.reduction_exit_smic_multiple
    if gross <= 0 or smic_reference <= 0 or gross >= exit_multiple * smic_reference:
        return Decimal(0)
    ratio = (exit_multiple * Decimal(smic_reference) / Decimal(gross) - 1) / 2
    maximum = parameters.reduction_tmin + parameters.reduction_tdelta
    coefficient = parameters.reduction_tmin + parameters.reduction_tdelta * (
        ratio**parameters.reduction_exponent
    )
    return min(coefficient, maximum).quantize(COEFFICIENT_PLACES, rounding=ROUND_HALF_UP)


def _reduction(
    parameters: PayrollParameters, gross: int, smic_reference: int, covered: int
) -> tuple[Decimal, int]:
    """The reduction's coefficient and amount: imputed on the employer contributions in its
    scope (`covered`), it never exceeds them."""
    coefficient = reduction_coefficient(parameters, gross, smic_reference)
    return coefficient, min(_percent(gross, coefficient * HUNDRED), covered)


def _employer_cost(gross: int, employer_contributions: int, reduction: int) -> int:
    return gross + employer_contributions - reduction


def employer_cost_cents(
    *,
    gross_cents: int,
    ceiling: int,
    smic_reference: int,
    parameters: PayrollParameters,
    rates: Sequence[PayrollRate],
) -> int:
    """The employer cost of a gross salary, as `compute_payslip` finds it (the same base,
    line and reduction arithmetic) without building the lines: what a search evaluates."""
    employer_total = covered = 0
    for rate in rates:
        employer = _percent(
            base_cents(rate.base, gross_cents, ceiling, parameters), rate.employer_rate
        )
        employer_total += employer
        if rate.covered_by_reduction:
            covered += employer
    _, reduction = _reduction(parameters, gross_cents, smic_reference, covered)
    return _employer_cost(gross_cents, employer_total, reduction)


def employer_cost_of(
    *, paid_hours: Decimal, parameters: PayrollParameters, rates: Sequence[PayrollRate]
) -> Callable[[int], int]:
    """The employer cost of a gross salary for these hours and rates, as a function of the
    gross (the month's ceiling and SMIC computed once): what a budget search evaluates."""
    ceiling = ceiling_cents(parameters, paid_hours)
    smic = smic_reference_cents(parameters, paid_hours)

    def cost(gross: int) -> int:
        return employer_cost_cents(
            gross_cents=gross,
            ceiling=ceiling,
            smic_reference=smic,
            parameters=parameters,
            rates=rates,
        )

    return cost


def compute_payslip(
    *,
    gross_cents: int,
    paid_hours: Decimal,
    month: datetime.date,
    parameters: PayrollParameters,
    rates: Sequence[PayrollRate],
) -> Payslip:
    """Every contribution line of a gross salary, the reduction, the net and the employer cost."""
    if gross_cents < 0:
        raise ValueError("a gross salary cannot be negative")
    ceiling = ceiling_cents(parameters, paid_hours)
    lines = []
    covered = 0
    for rate in rates:
        base = base_cents(rate.base, gross_cents, ceiling, parameters)
        employee = _percent(base, rate.employee_rate)
        employer = _percent(base, rate.employer_rate)
        if rate.covered_by_reduction:
            covered += employer
        lines.append(
            PayslipLine(
                code=rate.code,
                label=rate.label,
                # The enum label, not get_base_display() (which rebuilds a dict of every
                # choice, translated, for each call: 20 lines × many payslips per page).
                base_label=str(PayrollRate.Base(rate.base).label),
                base_cents=base,
                employee_rate=Decimal(rate.employee_rate),
                employee_cents=employee,
                employer_rate=Decimal(rate.employer_rate),
                employer_cents=employer,
            )
        )
    employee_total = sum(line.employee_cents for line in lines)
    employer_total = sum(line.employer_cents for line in lines)
    smic = smic_reference_cents(parameters, paid_hours)
    coefficient, reduction = _reduction(parameters, gross_cents, smic, covered)
    warnings = []
    if gross_cents and paid_hours > 0 and gross_cents < smic:
        warnings.append(
            _(
                "Ce salaire est inférieur au SMIC pour %(hours)s h payées (%(smic)s) : "
                "réduisez les heures payées ou augmentez le salaire."
            )
            % {"hours": _hours_text(paid_hours), "smic": format_cents(smic)}
        )
    return Payslip(
        month=month,
        gross_cents=gross_cents,
        paid_hours=paid_hours,
        lines=tuple(lines),
        employee_contributions_cents=employee_total,
        employer_contributions_cents=employer_total,
        smic_reference_cents=smic,
        ceiling_cents=ceiling,
        reduction_coefficient=coefficient,
        reduction_cents=reduction,
        net_cents=gross_cents - employee_total,
        employer_cost_cents=_employer_cost(gross_cents, employer_total, reduction),
        warnings=tuple(warnings),
    )


def _hours_text(hours: Decimal) -> str:
    return f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def gross_for_budget(
    *,
    budget_cents: int,
    paid_hours: Decimal,
    month: datetime.date,
    parameters: PayrollParameters,
    rates: Sequence[PayrollRate],
) -> Payslip:
    """The payslip of the highest gross salary whose employer cost fits in the budget.

    The employer cost never decreases when the gross grows by a cent (each line and the
    reduction move by at most a cent, the reduction's coefficient only falls), and it is
    never below the gross, so the answer lies between 0 and the budget and a search that
    keeps it bracketed finds it to the cent (see `highest_gross_within`).
    """
    if budget_cents < 0:
        raise ValueError("a budget cannot be negative")
    cost = employer_cost_of(paid_hours=paid_hours, parameters=parameters, rates=rates)
    return compute_payslip(
        gross_cents=highest_gross_within(budget_cents, cost),
        paid_hours=paid_hours,
        month=month,
        parameters=parameters,
        rates=rates,
    )


def highest_gross_within(budget: int, cost: Callable[[int], int]) -> int:
    """The highest gross in 0..budget whose cost fits in the budget, for a cost that never
    decreases and is 0 at 0.

    It keeps `low` (fits) and `high` (does not fit) around the answer and probes where the
    straight line between their costs meets the budget: the cost is linear by pieces up to
    the rounding of its lines, so this lands within a few cents in two or three probes (a
    plain bisection over the budget needs about 26). When a side is kept twice its excess
    is halved (the Illinois rule), and a probe that would not halve the bracket over two
    steps gives way to a bisection, so it never takes much more than a bisection would.
    """
    if budget <= 0:
        return 0
    low, high = 0, budget
    high_cost = cost(high)
    if high_cost <= budget:
        return budget
    # Signed distances of each end's cost to the budget, half a cent off so that neither is
    # zero (exact in floats: integers and halves far below 2**53).
    low_excess, high_excess = -budget - 0.5, high_cost - budget + 0.5
    kept = ""  # the end the last probe left in place
    probes, width = 0, high - low
    bisect = False
    while high - low > 1:
        if bisect:
            probe = (low + high) // 2
        else:
            step = round((high - low) * -low_excess / (high_excess - low_excess))
            probe = min(max(low + step, low + 1), high - 1)
        probe_cost = cost(probe)
        if probe_cost <= budget:
            low, low_excess = probe, probe_cost - budget - 0.5
            if kept == "high":
                high_excess /= 2
            kept = "high"
        else:
            high, high_excess = probe, probe_cost - budget + 0.5
            if kept == "low":
                low_excess /= 2
            kept = "low"
        probes += 1
        bisect = False
        if probes == 2:
            bisect = high - low > width // 2
            probes, width = 0, high - low
    return low


@dataclass(frozen=True)
class Simulation:
    """What the simulator answers: the payslip, and the budget it started from if any."""

    payslip: Payslip
    budget_cents: int | None
    parameters: PayrollParameters

    @property
    def unused_budget_cents(self) -> int | None:
        if self.budget_cents is None:
            return None
        return self.budget_cents - self.payslip.employer_cost_cents


def salary_simulate(
    *,
    month: datetime.date,
    paid_hours: Decimal,
    budget_cents: int | None = None,
    gross_cents: int | None = None,
) -> Simulation:
    """Simulate a month's salary with the rates in force that month.

    Give `budget_cents` (what the business can spend) to get the highest gross salary it
    pays, or `gross_cents` to get the employer cost and the net of that gross.
    Raises PayrollRatesMissing when no rates are in force that month.
    """
    if (budget_cents is None) == (gross_cents is None):
        raise ValueError("give either a budget or a gross salary")
    parameters = payroll_parameters_at(month)
    rates = payroll_rates_at(month)
    if budget_cents is not None:
        payslip = gross_for_budget(
            budget_cents=budget_cents,
            paid_hours=paid_hours,
            month=month,
            parameters=parameters,
            rates=rates,
        )
    else:
        assert gross_cents is not None
        payslip = compute_payslip(
            gross_cents=gross_cents,
            paid_hours=paid_hours,
            month=month,
            parameters=parameters,
            rates=rates,
        )
    return Simulation(payslip=payslip, budget_cents=budget_cents, parameters=parameters)
