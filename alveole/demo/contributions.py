"""The demo's books after its sales, payroll and purchases: the grants caught up, each business's
contribution for every finished month, and the past fiscal years closed with their
à-nouveaux, as a cooperative that has kept its books for four years would have them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from alveole.coop.models import FiscalYear
from alveole.core.dates import add_months
from alveole.ledger.grants import grants_post
from alveole.ledger.services import fiscal_year_close, fiscal_year_for
from alveole.payroll.contribution_run import contributions_month_run

if TYPE_CHECKING:
    from alveole.demo.generator import DemoContext


def step_contributions(ctx: DemoContext) -> None:
    """Grants, then the contributions month by month, then the past years closed."""
    actor = ctx.users.get("accountant") or ctx.users.get("director")
    # Each grant was posted when recorded: the run's catch-up finds nothing to add.
    grants_post(actor=actor, through=ctx.today)
    month = datetime.date(ctx.plan.first_year, 1, 1)
    last = add_months(ctx.today.replace(day=1), -1)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    for each in ctx.bar(months, "Contributions"):
        contributions_month_run(actor=actor, month=each)
    for year in range(ctx.plan.first_year, ctx.today.year):
        fiscal_year_for(datetime.date(year, 1, 1), actor=actor)
        fiscal_year = FiscalYear.objects.get(start_date=datetime.date(year, 1, 1))
        if not fiscal_year.closed:
            fiscal_year_close(actor=actor, fiscal_year=fiscal_year)
