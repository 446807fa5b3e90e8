"""The home dashboards: what an entrepreneur and the support team need to see today.

Read-only selectors, scoped by `visible_to(user)`, in a number of queries that does not
depend on how many people, invoices or businesses there are. Every figure carries the URL
of the list behind it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.coop.selectors import PayrollRatesMissing, payroll_parameters_at, payroll_rates_at
from alveole.ledger.selectors import can_see_all_treasuries, treasuries_all
from alveole.ledger.treasury import BusinessTreasuryRow, all_treasuries
from alveole.payroll.models import PayrollRecord
from alveole.payroll.simulator import gross_for_budget
from alveole.people.models import (
    MEMBER_STATUSES,
    Contract,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    status_expression,
)
from alveole.people.selectors import people_followed_by
from alveole.purchases.models import ExpenseReport, SupplierInvoiceStatus
from alveole.purchases.selectors import pending_work
from alveole.reports.figures import _signed_excl_vat
from alveole.sales.models import OPEN_STATUSES, Invoice, InvoiceStatus
from alveole.support.models import Appointment, Enrolment, WorkshopKind, WorkshopSession
from alveole.support.selectors import AppointmentFilters, appointments_list, my_enrolments

#: How many rows a dashboard list shows (the link leads to the whole list).
LIST_SIZE = 8
#: Contracts ending within this many days are flagged.
ENDING_WITHIN_DAYS = 60


def url(name: str, *args: Any, **query: Any) -> str:
    """The URL of a page with its filters (empty values left out)."""
    base = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


def same_day_last_year(day: datetime.date) -> datetime.date:
    """The same date one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Comparison:
    """A figure so far this year against the same period of last year, with their lists."""

    key: str
    label: str
    unit: str  # "count" or "euros"
    value: int | None
    previous: int | None
    url: str
    previous_url: str

    @property
    def change(self) -> Decimal | None:
        """The change as a share of last year's value (None when last year is 0 or missing)."""
        if self.value is None or not self.previous:
            return None
        return Decimal(self.value - self.previous) / Decimal(self.previous)


def _remaining() -> Any:
    return F("total_incl_vat_cents") - F("paid_cents") - F("credited_cents")


def _open_invoices(invoices: QuerySet[Invoice], day: datetime.date) -> dict[str, Any]:
    """Count and amount still due of unpaid invoices, by status, and of the late ones."""
    # Grouped by status and lateness (a few rows) rather than ten filtered aggregates.
    groups = (
        invoices.invoices()
        .filter(status__in=OPEN_STATUSES)
        .annotate(
            is_late=Case(
                When(due_date__lt=day, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("status", "is_late")
        .annotate(count=Count("pk"), cents=Sum(_remaining(), default=0))
        .order_by()
    )
    totals: dict[str, Any] = {"late_count": 0, "late_cents": 0}
    for status in OPEN_STATUSES:
        totals[f"{status}_count"] = totals[f"{status}_cents"] = 0
    for group in groups:
        totals[f"{group['status']}_count"] += group["count"]
        totals[f"{group['status']}_cents"] += group["cents"]
        if group["is_late"]:
            totals["late_count"] += group["count"]
            totals["late_cents"] += group["cents"]
    by_status = [
        {
            "status": status,
            "label": InvoiceStatus(status).label,
            "count": totals[f"{status}_count"],
            "cents": totals[f"{status}_cents"],
            "url": url("sales:invoice_list", status=status),
        }
        for status in OPEN_STATUSES
    ]
    return {
        "unpaid_count": sum(row["count"] for row in by_status),
        "unpaid_cents": sum(row["cents"] for row in by_status),
        "unpaid_by_status": by_status,
        "late_count": totals["late_count"],
        "late_cents": totals["late_cents"],
        "late_url": url("sales:invoice_list", late="on"),
    }


# --- entrepreneur ---------------------------------------------------------------------------


@dataclass
class BusinessCard:
    """One of the entrepreneur's businesses: turnover, treasury and the salary it allows."""

    business: Business
    turnover_cents: int
    turnover_before_cents: int
    turnover_last_year_cents: int
    turnover_url: str
    turnover_before_url: str
    treasury: BusinessTreasuryRow | None = None
    salary_gross_cents: int | None = None
    salary_employer_cost_cents: int | None = None
    salary_missing: str = ""
    simulator_url: str = ""
    treasury_url: str = ""


@dataclass
class EntrepreneurDashboard:
    day: datetime.date
    businesses: list[BusinessCard]
    invoices: dict[str, Any]
    appointments: list[Appointment]
    enrolments: list[Enrolment]
    appointments_url: str
    workshops_url: str


def entrepreneur_dashboard(*, user: Any, day: datetime.date) -> EntrepreneurDashboard:
    """An entrepreneur's home: their businesses' turnover this year and last (same date),
    unpaid and late invoices, treasury and the gross salary it allows, what comes next."""
    businesses = list(
        Business.objects.visible_to(user).select_related("sector").order_by("name", "pk")
    )
    ids = [b.pk for b in businesses]
    first = datetime.date(day.year, 1, 1)
    before = same_day_last_year(day)
    first_before = datetime.date(before.year, 1, 1)
    last_year_end = datetime.date(before.year, 12, 31)
    own = Invoice.objects.visible_to(user).filter(business_id__in=ids)
    amount = _signed_excl_vat()
    turnover = {
        row["business_id"]: row
        for row in own.issued()
        .filter(issue_date__gte=first_before, issue_date__lte=day)
        .values("business_id")
        .annotate(
            now=Sum(amount, filter=Q(issue_date__gte=first), default=0),
            before=Sum(amount, filter=Q(issue_date__lte=before), default=0),
            last_year=Sum(amount, filter=Q(issue_date__lte=last_year_end), default=0),
        )
        .order_by()
    }
    treasuries = {row.business.pk: row for row in all_treasuries(businesses, day)}
    month = day.replace(day=1)
    try:
        parameters, rates = payroll_parameters_at(month), payroll_rates_at(month)
        rates_missing = ""
    except PayrollRatesMissing as error:
        parameters, rates, rates_missing = None, [], str(error)
    cards = []
    for business in businesses:
        sums = turnover.get(business.pk, {})
        card = BusinessCard(
            business=business,
            turnover_cents=sums.get("now", 0),
            turnover_before_cents=sums.get("before", 0),
            turnover_last_year_cents=sums.get("last_year", 0),
            turnover_url=url(
                "sales:invoice_list", business=business.pk, date_from=first, date_to=day
            ),
            turnover_before_url=url(
                "sales:invoice_list", business=business.pk, date_from=first_before, date_to=before
            ),
            treasury=treasuries.get(business.pk),
            treasury_url=reverse("ledger:treasury", args=[business.pk]),
        )
        available = card.treasury.treasury.available_cents if card.treasury else 0
        if parameters is None:
            card.salary_missing = rates_missing
        elif available <= 0:
            card.salary_gross_cents = 0
            card.salary_employer_cost_cents = 0
        else:
            hours = parameters.full_time_monthly_hours
            payslip = gross_for_budget(
                budget_cents=available, paid_hours=hours, month=month,
                parameters=parameters, rates=rates,
            )  # fmt: skip
            card.salary_gross_cents = payslip.gross_cents
            card.salary_employer_cost_cents = payslip.employer_cost_cents
            card.simulator_url = url(
                "payroll:simulator", business=business.pk, mode="budget",
                amount=f"{Decimal(available) / 100:.2f}", paid_hours=hours,
                month=month.strftime("%Y-%m"),
            )  # fmt: skip
        cards.append(card)
    appointments = list(
        appointments_list(user=user, filters=AppointmentFilters(start=day)).filter(
            status=Appointment.Status.PLANNED
        )[:LIST_SIZE]
    )
    enrolments = list(
        my_enrolments(user=user)
        .filter(first_date__gte=day)
        .order_by("first_date", "pk")[:LIST_SIZE]
    )
    return EntrepreneurDashboard(
        day=day,
        businesses=cards,
        invoices=_open_invoices(own, day),
        appointments=appointments,
        enrolments=enrolments,
        appointments_url=url("support:appointment_list"),
        workshops_url=url("support:my_workshops"),
    )


# --- support team ---------------------------------------------------------------------------


@dataclass
class StaffDashboard:
    day: datetime.date
    followed: list[Person] | None
    followed_count: int
    followed_url: str
    ending: list[Contract]
    waiting: list[dict[str, Any]]
    invoices: dict[str, Any]
    late: list[Invoice]
    treasuries: list[BusinessTreasuryRow] | None
    treasury_url: str
    comparisons: list[Comparison] = field(default_factory=list)
    #: Everyone's status today, counted by status.
    status_counts: dict[str, int] = field(default_factory=dict)


def contracts_ending_soon(
    *, user: Any, day: datetime.date, within_days: int = ENDING_WITHIN_DAYS
) -> QuerySet[Contract]:
    """CAPE and CESA contracts not ended yet whose planned end falls in the next days."""
    return (
        Contract.objects.filter(
            person__in=Person.objects.visible_to(user).values("pk"),
            kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA],
            end_date__isnull=True,
            planned_end_date__gte=day,
            planned_end_date__lte=day + datetime.timedelta(days=within_days),
        )
        .select_related("person")
        .order_by("planned_end_date", "pk")
    )


def _waiting(user: Any) -> list[dict[str, Any]]:
    """Documents waiting for someone of the support team to validate them."""
    to_validate = Invoice.objects.visible_to(user).filter(status=InvoiceStatus.TO_VALIDATE).count()
    purchases = pending_work(user=user)
    return [
        {
            "label": _("Factures de vente à valider"),
            "count": to_validate,
            "url": url("sales:invoice_list", status=InvoiceStatus.TO_VALIDATE),
        },
        {
            "label": _("Factures d'achat à affecter"),
            "count": purchases["received"],
            "url": url("purchases:invoice_list", status=SupplierInvoiceStatus.RECEIVED),
        },
        {
            "label": _("Factures d'achat à valider"),
            "count": purchases["assigned"],
            "url": url("purchases:invoice_list", status=SupplierInvoiceStatus.ASSIGNED),
        },
        {
            "label": _("Notes de frais à valider"),
            "count": purchases["submitted"],
            "url": url("purchases:report_list", status=ExpenseReport.Status.SUBMITTED),
        },
    ]


@dataclass(frozen=True)
class PeopleCounts:
    """How many people have each status on a day, and the members a year before."""

    by_status: dict[str, int]
    members_before: int

    @property
    def members_now(self) -> int:
        return sum(self.by_status.get(status, 0) for status in MEMBER_STATUSES)


def people_counts(*, day: datetime.date, before: datetime.date) -> PeopleCounts:
    """Everyone's status on `day` counted by status, and the members on `before`, in one
    query (what `Person.objects.with_status(day)` grouped by status and
    `Person.objects.members_at(before).count()` give)."""
    rows = (
        Person.objects.annotate(status=status_expression(day))
        .alias(status_before=status_expression(before))
        .values("status")
        .annotate(
            count=Count("pk"),
            members_before=Count("pk", filter=Q(status_before__in=MEMBER_STATUSES)),
        )
        .order_by()
    )
    by_status, members_before = {}, 0
    for row in rows:
        by_status[row["status"]] = row["count"]
        members_before += row["members_before"]
    return PeopleCounts(by_status=by_status, members_before=members_before)


def year_to_date(*, day: datetime.date, people: PeopleCounts | None = None) -> list[Comparison]:
    """This year's figures from 1 January to `day` against last year's to the same date
    (`people`: the counts of `people_counts` for that day, when already read)."""
    before = same_day_last_year(day)
    first, first_before = datetime.date(day.year, 1, 1), datetime.date(before.year, 1, 1)
    this, last = Q(issue_date__gte=first, issue_date__lte=day), Q(issue_date__lte=before)
    amount = _signed_excl_vat()
    turnover = (
        Invoice.objects.issued()
        .exclude(business__kind=Business.Kind.SUPPORT_STRUCTURE)
        .filter(issue_date__gte=first_before, issue_date__lte=day)
        .aggregate(
            now=Sum(amount, filter=this, default=0),
            before=Sum(amount, filter=last, default=0),
            documents=Count("pk"),
        )
    )
    pay = PayrollRecord.objects.filter(
        month__gte=first_before, month__lte=day.replace(day=1)
    ).aggregate(
        now=Sum("gross_cents", filter=Q(month__gte=first)),
        before=Sum("gross_cents", filter=Q(month__lte=before.replace(day=1))),
    )
    if people is None:
        people = people_counts(day=day, before=before)
    members = {"now": people.members_now, "before": people.members_before}
    contracts = Q(contracts__kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA])
    integrated = (
        Person.objects.annotate(first_contract=Min("contracts__start_date", filter=contracts))
        .filter(first_contract__gte=first_before, first_contract__lte=day)
        .aggregate(
            now=Count("pk", filter=Q(first_contract__gte=first)),
            before=Count("pk", filter=Q(first_contract__lte=before)),
        )
    )
    period = Q(date__gte=first_before, date__lte=day)
    now_q, before_q = Q(date__gte=first), Q(date__lte=before)
    exits = Exit.objects.filter(period).aggregate(
        now=Count("pk", filter=now_q), before=Count("pk", filter=before_q)
    )
    interviews = IntakeInterview.objects.filter(period).aggregate(
        now=Count("pk", filter=now_q), before=Count("pk", filter=before_q)
    )
    workshops = (
        WorkshopSession.objects.filter(workshop__kind=WorkshopKind.TRAINING)
        .exclude(status=WorkshopSession.Status.CANCELLED)
        .annotate(first_day=Min("slots__date"))
        .filter(first_day__gte=first_before, first_day__lte=day)
        .aggregate(
            now=Count("pk", filter=Q(first_day__gte=first)),
            before=Count("pk", filter=Q(first_day__lte=before)),
        )
    )
    sales_now = url("sales:invoice_list", date_from=first, date_to=day)
    sales_before = url("sales:invoice_list", date_from=first_before, date_to=before)
    sessions = {"kind": WorkshopKind.TRAINING.value}
    return [
        Comparison(
            "entrepreneurs_turnover", _("CA des entrepreneurs"), "euros",
            turnover["now"], turnover["before"], sales_now, sales_before,
        ),
        Comparison(
            "members", _("Coopérateurs"), "count", members["now"], members["before"],
            url("people:list", at=day, kind=PersonKind.ENTREPRENEUR),
            url("people:list", at=before, kind=PersonKind.ENTREPRENEUR),
        ),
        Comparison(
            "wage_bill", _("Masse salariale"), "euros", pay["now"], pay["before"],
            url("payroll:list", year=day.year), url("payroll:list", year=before.year),
        ),
        Comparison(
            "integrated", _("Intégrés"), "count", integrated["now"], integrated["before"],
            url("people:list", at=day), url("people:list", at=before),
        ),
        Comparison(
            "intake_interviews", _("Entretiens d'accueil"), "count",
            interviews["now"], interviews["before"],
            url("support:intake_board"), url("support:intake_board"),
        ),
        Comparison(
            "workshops_held", _("Ateliers de formation"), "count",
            workshops["now"], workshops["before"],
            url("support:session_list", start=first, end=day, **sessions),
            url("support:session_list", start=first_before, end=before, **sessions),
        ),
        Comparison(
            "exits", _("Sorties"), "count", exits["now"], exits["before"],
            url("people:list", status="exited", at=day),
            url("people:list", status="exited", at=before),
        ),
    ]  # fmt: skip


def staff_dashboard(*, user: Any, day: datetime.date) -> StaffDashboard:
    """The support team's home: people to follow, contracts ending, documents waiting,
    late invoices, businesses whose treasury is negative or falling, the year so far."""
    follows = user.role in ("staff", "director")
    followed = people_followed_by(user=user, at=day) if follows else None
    followed_list = list(followed[: LIST_SIZE * 2]) if followed is not None else None
    followed_count = (
        len(followed_list)
        if followed_list is not None and len(followed_list) < LIST_SIZE * 2
        else (followed.count() if followed is not None else 0)
    )
    invoices = Invoice.objects.visible_to(user)
    late = list(
        invoices.late(day)
        .select_related("business", "customer")
        .annotate(due=Coalesce(_remaining(), 0, output_field=IntegerField()))
        .order_by("due_date", "pk")[:LIST_SIZE]
    )
    people = people_counts(day=day, before=same_day_last_year(day))
    treasuries = None
    if can_see_all_treasuries(user):
        treasuries = [row for row in treasuries_all(user=user, day=day) if row.risk][:LIST_SIZE]
    return StaffDashboard(
        day=day,
        followed=followed_list,
        followed_count=followed_count,
        followed_url=url("people:list", follow_up_staff=user.pk, at=day),
        ending=list(contracts_ending_soon(user=user, day=day)),
        waiting=_waiting(user),
        invoices=_open_invoices(invoices, day),
        late=late,
        treasuries=treasuries,
        treasury_url=url("ledger:treasury_all"),
        comparisons=year_to_date(day=day, people=people),
        status_counts=people.by_status,
    )
