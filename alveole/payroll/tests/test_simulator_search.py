"""The budget search against a plain bisection, and the lean employer cost against the payslip.

`gross_for_budget` probes where the cost line meets the budget instead of halving 0..budget;
it must still give exactly the highest gross whose employer cost fits, to the cent, on each
side of every break of the cost: the SMIC, 3 × SMIC (where the reduction stops), the social
security ceiling (where the second tranche starts), for full and part time.
"""

import datetime
import random
from decimal import Decimal

import pytest

from alveole.coop.selectors import payroll_parameters_at, payroll_rates_at
from alveole.payroll.simulator import (
    ceiling_cents,
    compute_payslip,
    employer_cost_of,
    gross_for_budget,
    highest_gross_within,
    smic_reference_cents,
)

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
HOURS = [Decimal("151.67"), Decimal("120"), Decimal("70"), Decimal("17.5")]


def _cost_function(hours):
    parameters, rates = payroll_parameters_at(MARCH), payroll_rates_at(MARCH)
    ceiling, smic = ceiling_cents(parameters, hours), smic_reference_cents(parameters, hours)
    employer_cost = employer_cost_of(paid_hours=hours, parameters=parameters, rates=rates)
    calls = []

    def cost(gross):
        calls.append(gross)
        return employer_cost(gross)

    return cost, calls, parameters, rates, ceiling, smic


def _bisection(budget, cost):
    """The search as it was: halve 0..budget until one gross is left."""
    low, high = 0, budget
    while low < high:
        middle = (low + high + 1) // 2
        if cost(middle) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def _budgets(cost, smic, ceiling, exit_multiple):
    """Budgets on each side of the cost of every break, small and large ones, random ones."""
    breaks = [smic, int(exit_multiple * smic), ceiling, 4 * ceiling, 8 * ceiling]
    budgets = {0, 1, 2, 3, 50, 99, 100, 101, 10**9 + 7}
    for gross in breaks:
        for delta in (-2, -1, 0, 1, 2):
            at = cost(gross + delta)
            budgets.update({at - 1, at, at + 1})
    rng = random.Random(20260301)
    budgets.update(rng.randrange(0, 3 * cost(8 * ceiling)) for _ in range(150))
    return sorted(b for b in budgets if b >= 0)


@pytest.mark.parametrize("hours", HOURS)
def test_the_search_finds_what_a_bisection_finds(hours):
    cost, calls, parameters, _, ceiling, smic = _cost_function(hours)
    budgets = _budgets(cost, smic, ceiling, parameters.reduction_exit_smic_multiple)
    probes = 0
    for budget in budgets:
        calls.clear()
        found = highest_gross_within(budget, cost)
        probes += len(calls)
        assert found == _bisection(budget, cost), budget
    # Far fewer cost evaluations than the ~26 of a bisection over a few thousand euros.
    assert probes / len(budgets) < 10


@pytest.mark.parametrize("hours", HOURS)
def test_gross_for_budget_is_the_highest_gross_that_fits(hours):
    cost, _, parameters, rates, ceiling, smic = _cost_function(hours)
    for budget in _budgets(cost, smic, ceiling, parameters.reduction_exit_smic_multiple)[::7]:
        slip = gross_for_budget(
            budget_cents=budget, paid_hours=hours, month=MARCH, parameters=parameters, rates=rates
        )
        assert slip.employer_cost_cents <= budget < cost(slip.gross_cents + 1)


@pytest.mark.parametrize("hours", HOURS)
def test_the_lean_cost_is_the_payslips_employer_cost(hours):
    cost, _, parameters, rates, ceiling, smic = _cost_function(hours)
    grosses = [0, 1, 99, smic - 1, smic, 3 * smic - 1, 3 * smic, ceiling, ceiling + 1]
    grosses += random.Random(7).sample(range(0, 10 * ceiling), 60)
    for gross in grosses:
        slip = compute_payslip(
            gross_cents=gross, paid_hours=hours, month=MARCH, parameters=parameters, rates=rates
        )
        assert cost(gross) == slip.employer_cost_cents, gross
