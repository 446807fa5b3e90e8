"""The cooperative contribution: a rate (with optional yearly tiers) on one base.

`contribution_amount` is pure: the code that computes a business's monthly bases from its
sales and purchases (ledger) calls it with the rule `contribution_rule_for` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from alveole.core.money import round_cents
from alveole.payroll.models import ContributionRule

HUNDRED = Decimal(100)


def rule_brackets(rule: ContributionRule) -> list[tuple[int, Decimal]]:
    """The rule's (threshold in cents, rate in %) brackets, from 0 up, in threshold order."""
    tiers = sorted(rule.tiers.all(), key=lambda tier: tier.threshold_cents) if rule.pk else []
    return [(0, Decimal(rule.rate)), *((t.threshold_cents, Decimal(t.rate)) for t in tiers)]


def _cumulative_euros(base_cents: int, brackets: Sequence[tuple[int, Decimal]]) -> Decimal:
    """The exact (unrounded) contribution on a yearly base, in euros, bracket by bracket.

    A negative base (credit notes above invoices) is charged at the first rate: a refund.
    """
    if base_cents <= 0:
        return Decimal(base_cents) * brackets[0][1] / HUNDRED / HUNDRED
    total = Decimal(0)
    for index, (threshold, rate) in enumerate(brackets):
        upper = brackets[index + 1][0] if index + 1 < len(brackets) else None
        if base_cents <= threshold:
            break
        portion = (base_cents if upper is None else min(base_cents, upper)) - threshold
        total += Decimal(portion) * rate / HUNDRED
    return total / HUNDRED


def contribution_amount(
    rule: ContributionRule,
    base_amounts_cents: Mapping[str, int],
    *,
    year_to_date_cents: int = 0,
) -> int:
    """The contribution due, in cents, on one period's bases under `rule`.

    `base_amounts_cents` gives the period's amount for each base (keys are
    `ContributionRule.Base` values; only the rule's base is read). With tiers, the
    thresholds are yearly: `year_to_date_cents` is the same base already counted earlier in
    the year, so that the period pays the rate of the bracket it falls in. Rounding is
    half-up to the cent on the year-to-date total, so that the months of a year add up to
    the contribution on the year's base.
    """
    if rule.base not in base_amounts_cents:
        raise ValueError(f"no amount given for the base {rule.base!r} of the rule")
    period = int(base_amounts_cents[rule.base])
    brackets = rule_brackets(rule)
    before = round_cents(_cumulative_euros(year_to_date_cents, brackets))
    after = round_cents(_cumulative_euros(year_to_date_cents + period, brackets))
    return after - before
