"""The monthly run of the books: each business's contribution for the finished months, and the
grants brought in line with what was recorded (docs/adr/0012).

The contribution rules live in payroll, the bases and the postings in the ledger, below it
(ADR 7, 10): this module, in payroll, is the layer above both that wires
`ledger.contributions.contributions_compute` to `payroll.selectors.contribution_rule_for`
and `payroll.contributions.contribution_amount`. The command `alveole contributions`, the
button of the ledger's closing page, the background task and the demo call it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min

from alveole.core.dates import add_months, today
from alveole.core.models import AuditEvent
from alveole.ledger import chart
from alveole.ledger.contributions import COMPUTED_TARGET, ContributionRun, contributions_compute
from alveole.ledger.grants import GrantsRun, grants_post
from alveole.ledger.models import Line
from alveole.ledger.services import require_bookkeeper
from alveole.payroll.contributions import contribution_amount
from alveole.payroll.selectors import ContributionRulesOfTheDay


@dataclass
class MonthlyRun:
    """What a run did: the months computed and the grants' entries."""

    months: list[ContributionRun] = field(default_factory=list)
    grants: GrantsRun | None = None

    @property
    def entry_count(self) -> int:
        grants = len(self.grants.posted) + len(self.grants.reversed) if self.grants else 0
        return sum(len(run.entries) for run in self.months) + grants


def contributions_month_run(*, actor: Any, month: datetime.date) -> ContributionRun:
    """Compute (again) the contributions of one finished month; only differences are posted."""
    return contributions_compute(
        actor=actor,
        month=month.replace(day=1),
        rule_for=ContributionRulesOfTheDay(),
        amount=contribution_amount,
    )


def last_finished_month(day: datetime.date | None = None) -> datetime.date:
    return add_months((day or today()).replace(day=1), -1)


def months_not_computed(day: datetime.date | None = None) -> list[datetime.date]:
    """The finished months since the first business line of the ledger never computed."""
    first = (
        Line.objects.filter(business__isnull=False)
        .exclude(journal_id=chart.OPENING_JOURNAL)
        .aggregate(first=Min("date"))["first"]
    )
    if first is None:
        return []
    computed = set(
        AuditEvent.objects.filter(target_type=COMPUTED_TARGET).values_list("target_id", flat=True)
    )
    months, month, last = [], first.replace(day=1), last_finished_month(day)
    while month <= last:
        if f"{month:%Y-%m}" not in computed:
            months.append(month)
        month = add_months(month, 1)
    return months


def monthly_run(
    *, actor: Any, month: datetime.date | None = None, grants: bool = True
) -> MonthlyRun:
    """The grants brought in line, then the contributions of one month (`month`) or of every
    finished month not computed yet, oldest first, each month in its own transaction."""
    require_bookkeeper(actor)
    run = MonthlyRun()
    if grants:
        run.grants = grants_post(actor=actor)
    months = [month.replace(day=1)] if month else months_not_computed()
    for each in months:
        run.months.append(contributions_month_run(actor=actor, month=each))
    return run
