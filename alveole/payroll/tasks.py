"""Background task of payroll (Django tasks, `alveole db_worker`): the monthly run of the books."""

from __future__ import annotations

from django.tasks import task

from alveole.payroll.contribution_run import monthly_run


@task
def contributions_monthly() -> int:
    """Grants brought in line and contributions of every finished month not computed yet, as
    the system; returns the number of entries posted."""
    return monthly_run(actor=None).entry_count
