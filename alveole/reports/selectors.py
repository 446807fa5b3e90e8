"""Reads of the reports app: who may read a year's report, and the report kept in the cache
until the data it was computed from changes.

The cache key of a year's report holds `data_stamp(year)`: a version of the data that can
change the figures of that year (and of the year before, which the page compares with and
which is cached under the same stamp). A change dated after 31 December of the year (D)
leaves it alone, so that a year already over keeps its cached report while invoices and
payments of the current year pour in. Per table (docs/reports.md, "The report cache"):

- invoices: issued documents never change what the figures read (number, date, amounts,
  business, customer are frozen; only status, paid and credited amounts move, which no figure
  reads; credit notes count by their own date). A document issued with a date <= D draws
  its number from a counter whose `last_date` is <= D (numbering is chronological within a
  counter, so a counter past D never takes a date <= D again): the counters dated <= D
  (count, sum of their numbers) change whenever such a document is issued (quotes' left
  out), read from a table of a few rows per business and year. Imported invoices draw no number: the audit event
  each import of invoices writes (its target type `invoices`, no target id) stands for them.
- ledger lines are never changed (lettering aside, which no figure reads) nor deleted; each
  posted entry raises its journal's sequence for its fiscal year: the sequences of the
  fiscal years starting on or before D.
- payroll records by month, from the first month the figures read (Y-4: the year before's
  history) to D; grant allocations of the years up to Y.
- intake interviews, exits, contracts, associateships and workshop slots only count when
  dated on or before D (a contract or an associateship by its start): those rows only.
- people, businesses, memberships (the main sector is the latest membership, whatever its
  date), sectors, workshops, sessions, customers (their kind and address are read live),
  grants and the cooperative: every row.

For each set: its number of rows, highest id and latest `updated_at` (a row added, removed,
changed, or moved in or out of the dates). One query; it reads neither the invoices nor the
ledger lines: five years of payroll records are its largest read (docs/reports.md).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Field, Model

from alveole.businesses.models import Business, Membership
from alveole.coop.models import Cooperative, FiscalYear, Grant, GrantAllocation, Sector
from alveole.core.dates import today
from alveole.core.models import AuditEvent
from alveole.core.permissions import can_see_sensitive
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.ledger.models import JournalSequence
from alveole.payroll.models import PayrollRecord
from alveole.people.models import Associateship, Contract, Exit, IntakeInterview, Person
from alveole.reports.figures import Report, report_compute
from alveole.reports.models import ReportPdf, ReportPublication, is_associate
from alveole.reports.presentation import report_context
from alveole.sales.models import Customer, DocumentKind, NumberingCounter, NumberingSeries
from alveole.support.models import Slot, Workshop, WorkshopSession

#: Tables read whatever the year: every row counts.
STAMP_MODELS: tuple[type[Model], ...] = (
    Person, Business, Membership, Sector, Workshop, WorkshopSession, Customer, Grant,
    Cooperative,
)  # fmt: skip
#: Tables whose rows only count for a year when dated on or before its 31 December.
STAMP_DATED_MODELS: tuple[tuple[type[Model], str], ...] = (
    (IntakeInterview, "date"), (Exit, "date"), (Contract, "start_date"),
    (Associateship, "start_date"), (Slot, "date"),
)  # fmt: skip
#: The target type of the audit event an import of invoices writes (alveole.sales.importers).
INVOICE_IMPORT_KIND = "invoices"
#: Years of payroll the figures read before the year: three of history, one for the year before.
PAYROLL_YEARS_BEFORE = 4
#: A cached report is dropped after a day whatever happens.
CACHE_SECONDS = 24 * 3600


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return connection.ops.quote_name(field.column)


def _as_text(*aggregates: str) -> str:
    """Aggregates as one text value: each subquery of the stamp is a scalar (a join of
    derived tables would cost PostgreSQL more to plan than to run)."""
    return " || '/' || ".join(f"COALESCE(CAST({a} AS TEXT), '')" for a in aggregates)


def _rows_version(model: type[Model], where: str = "") -> str:
    """Count, highest id and latest change of a model's rows (`where` restricts them)."""
    aggregates = ["COUNT(*)", f"MAX({_column(model, 'id')})"]
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        aggregates.append(f"MAX({_column(model, 'updated_at')})")
    return f"SELECT {_as_text(*aggregates)} FROM {_table(model)}{where}"  # noqa: S608


def _stamp_queries(last_day: datetime.date, first_day: datetime.date) -> tuple[list[str], list]:
    """The subqueries of the stamp, each one text value (names come from the models, never
    from input), and their parameters in order."""
    day = connection.ops.adapt_datefield_value(last_day)
    queries: list[str] = []
    params: list[Any] = []
    for model in STAMP_MODELS:
        queries.append(_rows_version(model))
    for model, field in STAMP_DATED_MODELS:
        queries.append(_rows_version(model, f" WHERE {_column(model, field)} <= %s"))
        params.append(day)
    month = _column(PayrollRecord, "month")
    queries.append(_rows_version(PayrollRecord, f" WHERE {month} >= %s AND {month} <= %s"))
    params += [connection.ops.adapt_datefield_value(first_day), day]
    allocation = _as_text(
        "COUNT(*)",
        f"MAX({_column(GrantAllocation, 'id')})",
        f"SUM({_column(GrantAllocation, 'amount_cents')})",
    )
    queries.append(
        f"SELECT {allocation} FROM {_table(GrantAllocation)} "  # noqa: S608
        f"WHERE {_column(GrantAllocation, 'year')} <= %s"
    )
    params.append(last_day.year)
    counters = _as_text(
        "COUNT(*)",
        f"SUM(c.{_column(NumberingCounter, 'last_value')})",
        f"MAX(c.{_column(NumberingCounter, 'id')})",
    )
    queries.append(
        f"SELECT {counters} FROM {_table(NumberingCounter)} c "  # noqa: S608
        f"JOIN {_table(NumberingSeries)} s "
        f"ON s.{_column(NumberingSeries, 'id')} = c.{_column(NumberingCounter, 'series')} "
        f"WHERE c.{_column(NumberingCounter, 'last_date')} <= %s "
        f"AND s.{_column(NumberingSeries, 'document_kind')} <> %s"
    )
    params += [day, DocumentKind.QUOTE.value]
    imports = _as_text(f"MAX({_column(AuditEvent, 'id')})")
    queries.append(
        f"SELECT {imports} "  # noqa: S608
        f"FROM {_table(AuditEvent)} WHERE {_column(AuditEvent, 'target_type')} = %s "
        f"AND {_column(AuditEvent, 'target_id')} = ''"
    )
    params.append(INVOICE_IMPORT_KIND)
    sequences = _as_text("COUNT(*)", f"SUM(j.{_column(JournalSequence, 'last_number')})")
    queries.append(
        f"SELECT {sequences} FROM {_table(JournalSequence)} j "  # noqa: S608
        f"JOIN {_table(FiscalYear)} f "
        f"ON f.{_column(FiscalYear, 'id')} = j.{_column(JournalSequence, 'fiscal_year')} "
        f"WHERE f.{_column(FiscalYear, 'start_date')} <= %s"
    )
    params.append(day)
    return queries, params


def data_stamp(year: int | None = None) -> str:
    """A cheap version of the data behind `year`'s report (and the year before's), in one
    query: see the module's docstring for what each table contributes. Without a year, the
    version of all the data (every date counts)."""
    last_day = datetime.date.max if year is None else datetime.date(year, 12, 31)
    first_day = (
        datetime.date.min if year is None else datetime.date(year - PAYROLL_YEARS_BEFORE, 1, 1)
    )
    queries, params = _stamp_queries(last_day, first_day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({query})" for query in queries), params)
        row = cursor.fetchone()
    digest = hashlib.sha256("|".join(str(v) for v in row).encode()).hexdigest()[:32]
    return f"{'all' if year is None else year}-{digest}"


logger = logging.getLogger(__name__)


def _cache_get(key: str) -> Any:
    """The cached value, or None when the cache cannot be read (its table missing because
    the migrations have not run yet, a locked SQLite file): the page is computed instead.
    Keys carry the code's version (`alveole.core.cache.make_key`)."""
    try:
        return cache.get(key)
    except DatabaseError:
        logger.warning("Cache du rapport illisible, %s est calculé", key, exc_info=True)
        return None


def _cache_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except DatabaseError:
        logger.warning("Cache du rapport non écrit, %s n'est pas gardé", key, exc_info=True)


def report_cached(*, year: int, show_rsa: bool, stamp: str | None = None) -> Report:
    """A year's figures, computed once per version of the data. `stamp` is the year's, or a
    later year's (which covers this year's data too)."""
    stamp = stamp or data_stamp(year)
    key = f"alveole:report:{year}:{int(show_rsa)}:{stamp}"
    report = _cache_get(key)
    if report is None:
        report = report_compute(year=year, show_rsa=show_rsa)
        _cache_set(key, report)
    return report


def report_context_cached(*, year: int, show_rsa: bool, stamp: str | None = None) -> dict[str, Any]:
    """The page's figures and charts (the charts are the slow part), once per data version."""
    stamp = stamp or data_stamp(year)
    key = f"alveole:report-page:{year}:{int(show_rsa)}:{stamp}"
    context = _cache_get(key)
    if context is None:

        def compute(*, year: int, show_rsa: bool) -> Report:
            return report_cached(year=year, show_rsa=show_rsa, stamp=stamp)

        context = report_context(year=year, show_rsa=show_rsa, compute=compute)
        _cache_set(key, context)
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
