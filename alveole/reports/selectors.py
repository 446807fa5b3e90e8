"""Reads of the reports app: who may read a year's report, and the report kept in the cache
until the data it was computed from changes."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model

from alveole.businesses.models import Business, Membership
from alveole.coop.models import Cooperative, GrantAllocation
from alveole.core.dates import today
from alveole.core.models import AuditEvent
from alveole.core.permissions import can_see_sensitive
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.ledger.models import Line
from alveole.payroll.models import PayrollRecord
from alveole.people.models import Associateship, Contract, Exit, IntakeInterview, Person
from alveole.reports.figures import Report, report_compute
from alveole.reports.models import ReportPdf, ReportPublication, is_associate
from alveole.reports.presentation import report_context
from alveole.sales.models import Customer, Invoice
from alveole.support.models import Slot, WorkshopSession

#: The tables the report reads: a new row in any of them is a new version of the data.
STAMP_MODELS: tuple[type[Model], ...] = (
    Invoice, Customer, Line, PayrollRecord, Person, Contract, Associateship, Exit,
    IntakeInterview, WorkshopSession, Slot, GrantAllocation, Business, Membership, Cooperative,
)  # fmt: skip
#: A cached report is dropped after a day whatever happens.
CACHE_SECONDS = 24 * 3600


def data_stamp() -> str:
    """A cheap version of the data behind the report, in one query: the highest id of each
    table it reads and of the audit log's changes (every service records its changes there,
    so an update without a new row changes the stamp too). Each maximum is an index lookup."""
    quote = connection.ops.quote_name  # table names come from the models, never from input
    parts = [f"(SELECT MAX(id) FROM {quote(m._meta.db_table)})" for m in STAMP_MODELS]  # noqa: S608
    parts.append(
        f"(SELECT MAX(id) FROM {quote(AuditEvent._meta.db_table)} "  # noqa: S608
        "WHERE action IN ('create', 'update', 'delete', 'import'))"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return "-".join(str(v or 0) for v in row)


def report_cached(*, year: int, show_rsa: bool, stamp: str | None = None) -> Report:
    """A year's figures, computed once per version of the data."""
    stamp = stamp or data_stamp()
    key = f"alveole:report:{year}:{int(show_rsa)}:{stamp}"
    report = cache.get(key)
    if report is None:
        report = report_compute(year=year, show_rsa=show_rsa)
        cache.set(key, report, CACHE_SECONDS)
    return report


def report_context_cached(*, year: int, show_rsa: bool, stamp: str | None = None) -> dict[str, Any]:
    """The page's figures and charts (the charts are the slow part), once per data version."""
    stamp = stamp or data_stamp()
    key = f"alveole:report-page:{year}:{int(show_rsa)}:{stamp}"
    context = cache.get(key)
    if context is None:

        def compute(*, year: int, show_rsa: bool) -> Report:
            return report_cached(year=year, show_rsa=show_rsa, stamp=stamp)

        context = report_context(year=year, show_rsa=show_rsa, compute=compute)
        cache.set(key, context, CACHE_SECONDS)
    return context


def can_read_report(user: Any, year: int) -> bool:
    """Staff roles read every year; an associate reads the years the director published."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in COOPERATIVE_WIDE_ROLES:
        return True
    return is_associate(user, today()) and ReportPublication.objects.filter(year=year).exists()


def is_published(year: int) -> ReportPublication | None:
    return ReportPublication.objects.filter(year=year).select_related("published_by").first()


def report_pdf_latest(*, year: int, show_rsa: bool, stamp: str) -> ReportPdf | None:
    """The newest PDF of the year for this version of the data (ready, running or failed)."""
    return (
        ReportPdf.objects.filter(year=year, show_rsa=show_rsa, stamp=stamp)
        .defer("content")
        .order_by("-pk")
        .first()
    )


def report_pdf_get(*, user: Any, year: int, pk: int) -> ReportPdf | None:
    """A PDF job the user may see: of a year they may read, in the variant they may see."""
    if not can_read_report(user, year):
        return None
    return (
        ReportPdf.objects.filter(pk=pk, year=year, show_rsa__in=[False, can_see_sensitive(user)])
        .defer("content")
        .first()
    )
