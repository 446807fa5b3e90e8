"""Background task of payroll (Django tasks, `alveole db_worker`): the monthly run of the books."""

from __future__ import annotations

from django.tasks import task

from alveole.core.jobs import register_recovery
from alveole.payroll.contribution_run import monthly_run


@task
def contributions_monthly() -> int:
    """Grants brought in line and contributions of every finished month not computed yet, as
    the system; returns the number of entries posted."""
    return monthly_run(actor=None).entry_count


# Safe to run again after a dead worker: each month is one transaction, and only the months
# not computed yet are computed (`alveole tasks_recover` requeues it).
register_recovery(contributions_monthly, retry=True)
