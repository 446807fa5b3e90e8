"""Reads of payroll records and contribution rules, scoped to the user who asks, and the
payroll figures of the yearly report, summed by the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from alveole.businesses.models import Business
from alveole.coop.selectors import cooperative_get
from alveole.core.money import round_cents
from alveole.core.roles import Role
from alveole.payroll.models import (
    ContributionRule,
    ContributionTier,
    PayrollCharge,
    PayrollRecord,
)
from alveole.people.models import Person, PersonKind

HUNDRED = Decimal(100)


# --- who may do what ------------------------------------------------------------------------


def can_write_payroll(user: Any, person: Person | None = None) -> bool:
    """Accountant and direction enter any pay; support staff enter entrepreneurs' pay."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (Role.ACCOUNTANT, Role.DIRECTOR):
        return True
    if user.role == Role.STAFF:
        return person is None or person.kind == PersonKind.ENTREPRENEUR
    return False


def can_write_cooperative_parameters(user: Any) -> bool:
    """Grants and contribution rules are written by the accountant and the direction."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in (Role.ACCOUNTANT, Role.DIRECTOR)
    )


def payable_people(user: Any) -> QuerySet[Person]:
    """The people whose pay the user may enter (for form choices and imports)."""
    people = Person.objects.filter(kind__in=[PersonKind.ENTREPRENEUR, PersonKind.SUPPORT_STAFF])
    if getattr(user, "role", None) == Role.STAFF:
        people = people.filter(kind=PersonKind.ENTREPRENEUR)
    elif not can_write_payroll(user):
        return Person.objects.none()
    return people.order_by("last_name", "first_name", "pk")


# --- payroll records ------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollFilters:
    """The filters of the payroll list (page, exports and API share them)."""

    person: int | None = None
    business: int | None = None
    year: int | None = None
    month: int | None = None
    kind: str = ""


def payroll_records_list(*, user: Any, filters: PayrollFilters | None = None) -> QuerySet:
    """Payroll records the user may see, filtered, with person and charges loaded."""
    filters = filters or PayrollFilters()
    records = (
        PayrollRecord.objects.visible_to(user)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=PayrollCharge.objects.select_related("business").order_by(
                    "business__code"
                ),
            )
        )
    )
    if filters.person:
        records = records.filter(person_id=filters.person)
    if filters.business:
        records = records.filter(
            pk__in=PayrollCharge.objects.filter(business_id=filters.business).values("record_id")
        )
    if filters.year:
        records = records.filter(
            month__gte=datetime.date(filters.year, 1, 1),
            month__lte=datetime.date(filters.year, 12, 1),
        )
    if filters.month:
        records = records.filter(month__month=filters.month)
    if filters.kind:
        records = records.filter(person__kind=filters.kind)
    return records.order_by("-month", "person__last_name", "person__first_name", "pk")


def payroll_totals(records: QuerySet) -> dict[str, Any]:
    """The totals of a list of records, in one aggregate query."""
    fields = (
        "gross_cents", "employee_contributions_cents", "employer_contributions_cents",
        "reduction_cents", "net_cents", "paid_hours_hundredths",
    )  # fmt: skip
    totals = records.order_by().aggregate(
        total_count=Count("pk"),
        total_employer_cost=Sum(
            F("gross_cents") + F("employer_contributions_cents") - F("reduction_cents")
        ),
        **{f"total_{name}": Sum(name) for name in fields},
    )
    result: dict[str, Any] = {name: totals[f"total_{name}"] or 0 for name in fields}
    result["count"] = totals["total_count"]
    result["employer_cost_cents"] = totals["total_employer_cost"] or 0
    result["paid_hours"] = Decimal(result.pop("paid_hours_hundredths")) / HUNDRED
    return result


def payroll_record_get(*, user: Any, pk: int) -> PayrollRecord:
    """One record the user may see (404 otherwise)."""
    return get_object_or_404(payroll_records_list(user=user), pk=pk)


def charge_choices(*, user: Any) -> QuerySet[Business]:
    """Businesses a salary can be charged to."""
    return Business.objects.visible_to(user).order_by("name", "pk")


# --- contribution rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFilters:
    business: int | None = None
    scope: str = ""  # "default", "override" or "" for all
    at: datetime.date | None = None


def contribution_rules_list(*, user: Any, filters: RuleFilters | None = None) -> QuerySet:
    """The contribution rules the user may read (staff, accountant, direction), newest first."""
    filters = filters or RuleFilters()
    rules = (
        ContributionRule.objects.visible_to(user)
        .select_related("business")
        .prefetch_related(
            Prefetch("tiers", queryset=ContributionTier.objects.order_by("threshold_cents"))
        )
    )
    if filters.business:
        rules = rules.filter(Q(business_id=filters.business) | Q(business__isnull=True))
    if filters.scope == "default":
        rules = rules.filter(business__isnull=True)
    elif filters.scope == "override":
        rules = rules.filter(business__isnull=False)
    if filters.at:
        rules = rules.in_effect(filters.at)
    return rules.order_by("-effective_from", "business__name", "pk")


def contribution_rule_get(*, user: Any, pk: int) -> ContributionRule:
    return get_object_or_404(contribution_rules_list(user=user), pk=pk)


def contribution_rule_for(business: Business, day: datetime.date) -> ContributionRule | None:
    """The rule that sets a business's contribution on `day`.

    The business's own rule in effect that day wins (the latest to take effect, if several
    are), else the cooperative's default in force (the latest to take effect). None when
    no rule covers the day. Tiers are loaded with it.
    """
    return (
        ContributionRule.objects.in_effect(day)
        .filter(Q(business=business) | Q(business__isnull=True))
        .prefetch_related(
            Prefetch("tiers", queryset=ContributionTier.objects.order_by("threshold_cents"))
        )
        .order_by(F("business_id").asc(nulls_last=True), "-effective_from")
        .first()
    )


class ContributionRulesOfTheDay:
    """`contribution_rule_for` for every business of a monthly run: the rules in effect on
    a day are loaded once (with their tiers), then chosen as `contribution_rule_for` does —
    the business's own rule taking effect last, else the default taking effect last."""

    def __init__(self) -> None:
        self._day: datetime.date | None = None
        self._rules: list[ContributionRule] = []

    def __call__(self, business: Business, day: datetime.date) -> ContributionRule | None:
        if day != self._day:
            self._rules = list(
                ContributionRule.objects.in_effect(day)
                .prefetch_related(
                    Prefetch("tiers", queryset=ContributionTier.objects.order_by("threshold_cents"))
                )
                .order_by("-effective_from", "pk")
            )
            self._day = day
        own = [rule for rule in self._rules if rule.business_id == business.pk]
        defaults = [rule for rule in self._rules if rule.business_id is None]
        chosen = own or defaults
        return chosen[0] if chosen else None


# --- figures of the yearly report -----------------------------------------------------------
# Aggregates over the whole cooperative: not personal data; the reports app decides who
# sees the report. Each returns None when no payroll record exists for the year, so that the
# report shows the figure as missing rather than 0.


def _year_records(year: int) -> QuerySet[PayrollRecord]:
    return PayrollRecord.objects.filter(
        month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1)
    )


@dataclass(frozen=True)
class PayrollYearFigures:
    """The payroll figures of the activity report for one year (REPORT.md)."""

    year: int
    records: int
    wage_bill_cents: int | None
    paid_hours: Decimal | None
    full_time_paid_hours: int
    fte: Decimal | None
    average_gross_monthly_salary_cents: int | None
    entrepreneur_paid_months: int
    social_contributions_cents: int | None
    employee_contributions_cents: int | None
    employer_contributions_cents: int | None


def payroll_year_figures(year: int) -> PayrollYearFigures:
    """wage_bill, paid_hours, fte, average_gross_monthly_salary and social_contributions of a
    year, in two aggregate queries (plus the cooperative's full-time setting)."""
    entrepreneur_paid = Q(person__kind=PersonKind.ENTREPRENEUR, gross_cents__gt=0)
    totals = _year_records(year).aggregate(
        records=Count("pk"),
        gross=Sum("gross_cents"),
        hours=Sum("paid_hours_hundredths"),
        employee=Sum("employee_contributions_cents"),
        employer=Sum("employer_contributions_cents"),
        entrepreneur_gross=Sum("gross_cents", filter=entrepreneur_paid),
        entrepreneur_months=Count("pk", filter=entrepreneur_paid),
    )
    full_time = cooperative_get().full_time_paid_hours
    if not totals["records"]:
        return PayrollYearFigures(
            year=year, records=0, wage_bill_cents=None, paid_hours=None,
            full_time_paid_hours=full_time, fte=None, average_gross_monthly_salary_cents=None,
            entrepreneur_paid_months=0, social_contributions_cents=None,
            employee_contributions_cents=None, employer_contributions_cents=None,
        )  # fmt: skip
    hours = Decimal(totals["hours"]) / HUNDRED
    months = totals["entrepreneur_months"]
    average = None
    if months:
        average = round_cents(Decimal(totals["entrepreneur_gross"]) / months / HUNDRED)
    return PayrollYearFigures(
        year=year,
        records=totals["records"],
        wage_bill_cents=totals["gross"],
        paid_hours=hours,
        full_time_paid_hours=full_time,
        fte=(hours / full_time).quantize(Decimal("0.01"), "ROUND_HALF_UP") if full_time else None,
        average_gross_monthly_salary_cents=average,
        entrepreneur_paid_months=months,
        social_contributions_cents=totals["employee"] + totals["employer"],
        employee_contributions_cents=totals["employee"],
        employer_contributions_cents=totals["employer"],
    )


def wage_bill(year: int) -> int | None:
    """Gross salaries of all payroll records of the year, in cents."""
    return payroll_year_figures(year).wage_bill_cents


def paid_hours(year: int) -> Decimal | None:
    """Paid hours of all payroll records of the year."""
    return payroll_year_figures(year).paid_hours


def fte(year: int) -> Decimal | None:
    """Paid hours over the cooperative's full-time paid hours a year (default 1 820)."""
    return payroll_year_figures(year).fte


def average_gross_monthly_salary(year: int) -> int | None:
    """Entrepreneurs' gross salaries / number of their (person, month) records with gross > 0."""
    return payroll_year_figures(year).average_gross_monthly_salary_cents


def social_contributions(year: int) -> int | None:
    """Employee + employer contributions of all payroll records of the year, in cents."""
    return payroll_year_figures(year).social_contributions_cents


def charged_by_business(*, business: Business, year: int) -> dict[str, int]:
    """What a business bore in salaries for the year (for its treasury): one query."""
    total = PayrollCharge.objects.filter(
        business=business,
        record__month__gte=datetime.date(year, 1, 1),
        record__month__lte=datetime.date(year, 12, 1),
    ).aggregate(total=Sum("amount_cents"), months=Count("record_id", distinct=True))
    return {"amount_cents": total["total"] or 0, "months": total["months"]}
