"""Reads of the ledger, scoped to the user who asks: the books (accountant and direction),
the treasuries (an entrepreneur their own businesses, the cooperative-wide roles all)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from alveole.businesses.models import Business
from alveole.businesses.selectors import business_get
from alveole.coop.models import FiscalYear
from alveole.core.dates import add_months
from alveole.core.permissions import is_cooperative_wide
from alveole.ledger import chart, treasury
from alveole.ledger.models import (
    BOOKKEEPER_ROLES,
    Account,
    Entry,
    Event,
    Journal,
    Line,
    PeriodClosing,
)

# --- who sees what --------------------------------------------------------------------------


def can_read_books(user: Any) -> bool:
    """The entries, VAT, exports and closings are for the accountant and the direction."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in BOOKKEEPER_ROLES
    )


def can_see_all_treasuries(user: Any) -> bool:
    """Support staff, accountant and direction follow every business's treasury."""
    return is_cooperative_wide(user)


def require_books(user: Any) -> None:
    if not can_read_books(user):
        raise PermissionDenied


# --- chart, journals, fiscal years ----------------------------------------------------------


def accounts_list(*, user: Any, q: str = "", active: bool | None = None) -> QuerySet[Account]:
    """The chart of accounts, for the accountant and the direction."""
    require_books(user)
    accounts = Account.objects.all()
    if q:
        accounts = accounts.filter(Q(number__startswith=q.strip()) | Q(label__icontains=q.strip()))
    if active is not None:
        accounts = accounts.filter(active=active)
    return accounts.order_by("number")


def account_get(*, user: Any, number: str) -> Account:
    return get_object_or_404(accounts_list(user=user), number=number)


def journals_list(*, user: Any) -> QuerySet[Journal]:
    require_books(user)
    return Journal.objects.order_by("code")


def fiscal_years() -> QuerySet[FiscalYear]:
    return FiscalYear.objects.order_by("-start_date")


def fiscal_year_of_year(year: int) -> FiscalYear | None:
    """The fiscal year that ends in the calendar year `year` (the one `--year Y` means)."""
    return FiscalYear.objects.filter(end_date__year=year).order_by("-end_date").first()


# --- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryFilters:
    """The filters of the entries list (page, API and exports share them)."""

    journal: str = ""
    fiscal_year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    account: str = ""
    business: int | None = None
    event: str = ""
    q: str = ""


def entries_list(*, user: Any, filters: EntryFilters | None = None) -> QuerySet[Entry]:
    """Entries the user may read (accountant, direction), newest first."""
    filters = filters or EntryFilters()
    entries = Entry.objects.visible_to(user).select_related("journal")
    if filters.journal:
        entries = entries.filter(journal_id=filters.journal)
    if filters.fiscal_year:
        entries = entries.filter(fiscal_year_id=filters.fiscal_year)
    if filters.date_from:
        entries = entries.filter(date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(date__lte=filters.date_to)
    if filters.event:
        entries = entries.filter(event=filters.event)
    line_filter = Q()
    if filters.account:
        line_filter &= Q(account__number__startswith=filters.account.strip())
    if filters.business:
        line_filter &= Q(business_id=filters.business)
    if filters.account or filters.business:
        entries = entries.filter(Exists(Line.objects.filter(line_filter, entry=OuterRef("pk"))))
    if filters.q:
        word = filters.q.strip()
        entries = entries.filter(
            Q(label__icontains=word)
            | Q(document_number__icontains=word)
            | Q(lines__auxiliary_label__icontains=word)
        ).distinct()
    return entries.order_by("-date", "journal_id", "-number", "-pk")


def entry_get(*, user: Any, pk: int) -> Entry:
    """One entry with its lines (accounts and businesses loaded), 404 when not readable."""
    lines = Line.objects.select_related("account", "business").order_by("position")
    return get_object_or_404(
        Entry.objects.visible_to(user)
        .select_related("journal", "fiscal_year", "posted_by", "reverses")
        .prefetch_related(Prefetch("lines", queryset=lines)),
        pk=pk,
    )


# --- treasury -------------------------------------------------------------------------------


def treasury_business_get(*, user: Any, pk: int) -> Business:
    """A business whose treasury the user may see: their own, or any for staff roles."""
    return business_get(user=user, pk=pk)


def treasury_of(*, user: Any, business: Business, day: datetime.date) -> treasury.Treasury:
    """The treasury of a business the user may see (checked again here)."""
    if not Business.objects.visible_to(user).filter(pk=business.pk).exists():
        raise PermissionDenied
    return treasury.business_treasury(business, day)


def treasury_months(*, user: Any, business: Business, year: int) -> list[treasury.MonthTreasury]:
    if not Business.objects.visible_to(user).filter(pk=business.pk).exists():
        raise PermissionDenied
    return treasury.business_treasury_months(business, year)


def treasuries_all(*, user: Any, day: datetime.date) -> list[treasury.BusinessTreasuryRow]:
    """Every business's treasury, riskiest first (staff, accountant, direction)."""
    if not can_see_all_treasuries(user):
        raise PermissionDenied
    businesses = Business.objects.visible_to(user).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=add_months(day, -12))
    )
    return treasury.all_treasuries(businesses.order_by("code"), day)


def treasury_component_lines(
    *, user: Any, business: Business, key: str, day: datetime.date
) -> QuerySet[Line] | list[dict[str, Any]]:
    """The lines behind one figure. Salaries are shown as monthly amounts only: the lines
    name the person and their pay, which a co-entrepreneur or a colleague may not read
    (docs/adr/0008); the accountant and the direction see the lines."""
    if not Business.objects.visible_to(user).filter(pk=business.pk).exists():
        raise PermissionDenied
    lines = treasury.component_lines(business, key, day)
    if key == "salaries" and not can_read_books(user):
        return [
            {"month": row["month"], "amount_cents": row["debit"] - row["credit"]}
            for row in lines.annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(debit=Sum("debit_cents", default=0), credit=Sum("credit_cents", default=0))
            .order_by("-month")
        ]
    return lines.select_related("entry").order_by("-date", "-entry_id", "position")


# --- VAT ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatPeriod:
    """A month or quarter of VAT: collected, deductible, due (negative: a credit)."""

    start: datetime.date
    end: datetime.date
    collected_cents: int
    deductible_cents: int
    pending_cents: int
    declared: bool

    @property
    def due_cents(self) -> int:
        return self.collected_cents - self.deductible_cents

    @property
    def label(self) -> str:
        if self.end == add_months(self.start, 1) - datetime.timedelta(days=1):
            return self.start.strftime("%m/%Y")
        return f"T{(self.start.month - 1) // 3 + 1} {self.start.year}"


def vat_periods(*, user: Any, year: int, quarterly: bool = False) -> list[VatPeriod]:
    """VAT per month (or quarter) of a calendar year, from the VAT accounts: two queries.

    Collected = credits − debits of 44571, deductible = debits − credits of 44566, the VAT
    returns themselves left out; pending = the balance of 44574 at the period's end (VAT
    on unpaid services, due when they are paid).
    """
    require_books(user)
    start = datetime.date(year, 1, 1)
    end = datetime.date(year, 12, 31)
    movements: dict[Any, dict[str, Any]] = {
        row["month"]: dict(row)
        for row in Line.objects.filter(date__gte=start, date__lte=end)
        .exclude(entry__event=Event.VAT_RETURN)
        .filter(account_id__in=[chart.VAT_COLLECTED, chart.VAT_DEDUCTIBLE, chart.VAT_COLLECTED_PENDING])
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            collected_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_COLLECTED), default=0),
            collected_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_COLLECTED), default=0),
            deductible_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE), default=0),
            deductible_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE), default=0),
            pending_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_COLLECTED_PENDING), default=0),
            pending_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_COLLECTED_PENDING), default=0),
        )
        .order_by("month")
    }  # fmt: skip
    pending_before = Line.objects.filter(
        date__lt=start, account_id=chart.VAT_COLLECTED_PENDING
    ).aggregate(credit=Sum("credit_cents", default=0), debit=Sum("debit_cents", default=0))
    pending = pending_before["credit"] - pending_before["debit"]
    declared = _declared_periods()
    months = []
    for index in range(12):
        month = add_months(start, index)
        row: dict[str, Any] = (
            movements.get(month)
            or movements.get(datetime.datetime(month.year, month.month, 1))
            or {}
        )
        pending += row.get("pending_credit", 0) - row.get("pending_debit", 0)
        months.append(
            (
                month,
                row.get("collected_credit", 0) - row.get("collected_debit", 0),
                row.get("deductible_debit", 0) - row.get("deductible_credit", 0),
                pending,
            )
        )
    step = 3 if quarterly else 1
    periods = []
    for index in range(0, 12, step):
        chunk = months[index : index + step]
        period_start = chunk[0][0]
        period_end = add_months(period_start, step) - datetime.timedelta(days=1)
        periods.append(
            VatPeriod(
                start=period_start,
                end=period_end,
                collected_cents=sum(m[1] for m in chunk),
                deductible_cents=sum(m[2] for m in chunk),
                pending_cents=chunk[-1][3],
                declared=any(s <= period_start and e >= period_end for s, e in declared),
            )
        )
    return periods


def _declared_periods() -> list[tuple[datetime.date, datetime.date]]:
    periods = []
    for document_id in Entry.objects.filter(event=Event.VAT_RETURN).values_list(
        "document_id", flat=True
    ):
        start, _sep, end = document_id.partition("/")
        periods.append((datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)))
    return periods


# --- balances for exports and the report ----------------------------------------------------


@dataclass(frozen=True)
class AccountBalance:
    """An account's totals over a period (trial balance row)."""

    number: str
    label: str
    debit_cents: int
    credit_cents: int

    @property
    def balance_cents(self) -> int:
        return self.debit_cents - self.credit_cents


def trial_balance(*, user: Any, fiscal_year: FiscalYear) -> list[AccountBalance]:
    """Totals per account for a fiscal year: one grouped query."""
    require_books(user)
    return trial_balance_rows(fiscal_year)


def trial_balance_rows(fiscal_year: FiscalYear) -> list[AccountBalance]:
    rows = (
        Line.objects.filter(entry__fiscal_year=fiscal_year)
        .values("account_id", "account__label")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by("account_id")
    )
    return [
        AccountBalance(str(r["account_id"]), r["account__label"], r["debit"] or 0, r["credit"] or 0)
        for r in rows
    ]


@dataclass(frozen=True)
class AnalyticBalance:
    """A business's totals on one account over a period (analytic export row)."""

    business_code: str
    business_name: str
    number: str
    label: str
    debit_cents: int
    credit_cents: int

    @property
    def balance_cents(self) -> int:
        return self.debit_cents - self.credit_cents


def analytic_rows(fiscal_year: FiscalYear) -> list[AnalyticBalance]:
    """Totals per business and account for a fiscal year (lines without a code last)."""
    rows = (
        Line.objects.filter(entry__fiscal_year=fiscal_year)
        .values("business__code", "business__name", "account_id", "account__label")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by("business__code", "account_id")
    )
    result = [
        AnalyticBalance(
            r["business__code"] or "",
            r["business__name"] or "",
            str(r["account_id"]),
            r["account__label"],
            r["debit"] or 0,
            r["credit"] or 0,
        )
        for r in rows
    ]
    return sorted(result, key=lambda row: (row.business_code == "", row.business_code, row.number))


def general_ledger_lines(fiscal_year: FiscalYear) -> Iterator[Any]:
    """Every line of a fiscal year by account then date, streamed (constant memory)."""
    return (
        Line.objects.filter(entry__fiscal_year=fiscal_year)
        .values(
            "account_id",
            "account__label",
            "date",
            "journal_id",
            "entry__number",
            "entry__document_number",
            "label",
            "business__code",
            "auxiliary_number",
            "debit_cents",
            "credit_cents",
            "lettering",
        )
        .order_by("account_id", "date", "journal_id", "entry__number", "position")
        .iterator(chunk_size=2000)
    )


def contributions_total(year: int) -> int:
    """The report's `contributions`: contributions borne by the businesses for a calendar
    year (the support structure's own side left out), in cents, one query."""
    total = (
        Line.objects.filter(
            account_id=chart.LIAISON_CONTRIBUTIONS,
            entry__event=Event.CONTRIBUTION,
            date__year=year,
        )
        .exclude(business__kind=Business.Kind.SUPPORT_STRUCTURE)
        .aggregate(debit=Sum("debit_cents", default=0), credit=Sum("credit_cents", default=0))
    )
    return total["debit"] - total["credit"]


def vat_remitted(year: int) -> int:
    """The report's `vat_remitted`: VAT collected − VAT deductible for a calendar year.

    The VAT returns' entries are left out by id (a few a year, from the event index), not
    by joining every line to its entry: the join hashed the whole entries table, every
    year of it, for one year's VAT lines."""
    vat_returns = Entry.objects.filter(event=Event.VAT_RETURN).values("pk")
    totals = (
        Line.objects.filter(
            date__year=year, account_id__in=[chart.VAT_COLLECTED, chart.VAT_DEDUCTIBLE]
        )
        .exclude(entry_id__in=vat_returns)
        .aggregate(
            collected_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_COLLECTED), default=0),
            collected_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_COLLECTED), default=0),
            deductible_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE), default=0),
            deductible_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE), default=0),
        )
    )  # fmt: skip
    collected = totals["collected_credit"] - totals["collected_debit"]
    deductible = totals["deductible_debit"] - totals["deductible_credit"]
    return collected - deductible


def closings_list(*, user: Any) -> QuerySet[PeriodClosing]:
    require_books(user)
    return PeriodClosing.objects.select_related("fiscal_year", "closed_by").order_by("-through")
