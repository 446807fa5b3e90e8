"""Background tasks of the Plateforme Agréée connection (Django tasks).

A page only enqueues (`enqueue_submission` after the commit); the worker talks to the
platform, retrying with backoff on a timeout, a 429 or a 5xx (`platform.with_retries`).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.tasks import task

from alveole.sales import platform
from alveole.sales.models import Invoice


@task
def submit_invoice(invoice_id: int) -> str:
    """Deposit an issued invoice's Factur-X; returns the recorded status code ("" if none)."""
    status = platform.submit_invoice(invoice_id)
    return status.code if status else ""


@task
def poll_platform_statuses() -> int:
    """Record the new lifecycle statuses; returns how many."""
    return platform.poll_statuses()


@task
def fetch_received_invoices() -> list[int]:
    """Take in the invoices received through the platform; returns their ids."""
    return platform.fetch_received()


def enqueue_submission(invoice: Invoice) -> None:
    """Queue the deposit once the current transaction commits (no-op without a platform)."""
    if not platform.configured():
        return
    invoice_id = invoice.pk
    transaction.on_commit(lambda: submit_invoice.enqueue(invoice_id))


@task
def sales_daily(day: str | None = None, remind: bool = False) -> dict[str, int]:
    """The daily maintenance of sales (see `services.sales_daily`), for the task worker."""
    from alveole.sales.services import sales_daily as run  # services import this module

    result = run(day=datetime.date.fromisoformat(day) if day else None, remind=remind)
    return {
        "expired_quotes": result.expired_quotes,
        "late_invoices": result.late_invoices,
        "reminders": result.reminders,
    }
