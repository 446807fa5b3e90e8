"""Reads of governance, scoped to the user who asks (see access.py for who sees what).

The register and the capital at a date are computed by the database from the dated
subscriptions, releases and refunds: nothing is stored that could drift.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from alveole.governance import access
from alveole.governance.models import (
    Assembly,
    Attendance,
    AttendanceMode,
    AttendanceStatus,
    Convocation,
    GovernanceSettings,
    Mandate,
    MandateRole,
    Proxy,
    QuorumRule,
    Resolution,
    ShareInstallment,
    ShareRefund,
    ShareRelease,
    ShareSubscription,
    Vote,
    VoteReceipt,
)
from alveole.governance.rules import (
    EMPLOYEE_CAPITAL_MIN_PERCENT,
    EMPLOYEE_CATEGORIES,
    EMPLOYEE_VOTES_MIN_PERCENT,
    Ratio,
    quorum_required,
)
from alveole.people.models import Associateship, Person

# --- settings --------------------------------------------------------------------------


def governance_settings() -> GovernanceSettings:
    """The governance parameters (the defaults until the director changes them)."""
    found = GovernanceSettings.objects.order_by("pk").first()
    return found if found is not None else GovernanceSettings()


def quorum_rule_for(*, kind: str, convocation_round: int, day: datetime.date) -> QuorumRule | None:
    """The quorum rule in force on a day for a kind of assembly and a convocation."""
    return (
        QuorumRule.objects.filter(
            kind=kind, convocation_round=convocation_round, valid_from__lte=day
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("-valid_from")
        .first()
    )


# --- associates at a date --------------------------------------------------------------


def running_associateships(at: datetime.date) -> QuerySet[Associateship]:
    """Associateships running at the date (started on or before, not ended yet)."""
    return Associateship.objects.filter(start_date__lte=at).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=at)
    )


def associates_at(at: datetime.date) -> QuerySet[Person]:
    """The associates at a date, unscoped (for services: convocations, quorum, proxies)."""
    return Person.objects.filter(pk__in=running_associateships(at).values("person_id")).order_by(
        "last_name", "first_name", "pk"
    )


def associates_count(at: datetime.date) -> int:
    return running_associateships(at).values("person_id").distinct().count()


def is_associate_at(person: Person | int, at: datetime.date) -> bool:
    person_id = person if isinstance(person, int) else person.pk
    return running_associateships(at).filter(person_id=person_id).exists()


# --- holdings --------------------------------------------------------------------------


def _total(queryset: QuerySet, field: str) -> Coalesce:
    """A correlated SUM subquery, 0 when there is no row."""
    summed = (
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def with_holdings(people: QuerySet[Person], at: datetime.date) -> QuerySet[Any]:
    """Annotate shares held, capital subscribed and paid up at a date, and the associate category.

    `category` is the category of the associateship running at the date (None when the
    person is no longer an associate: their shares then await refund).
    """
    person = OuterRef("pk")
    subscriptions = ShareSubscription.objects.filter(person=person, date__lte=at)
    refunds = ShareRefund.objects.filter(person=person, date__lte=at)
    releases = ShareRelease.objects.filter(subscription__person=person, date__lte=at)
    running = running_associateships(at).filter(person=person)
    last_ended = Associateship.objects.filter(person=person, end_date__lte=at).order_by("-end_date")
    return people.annotate(
        shares_held=_total(subscriptions, "shares") - _total(refunds, "shares"),
        capital_cents=_total(subscriptions, "amount_cents") - _total(refunds, "nominal_cents"),
        paid_up_cents=_total(releases, "amount_cents") - _total(refunds, "paid_up_cents"),
        category=Subquery(running.order_by("-start_date").values("category")[:1]),
        associate_since=Subquery(running.order_by("-start_date").values("start_date")[:1]),
        left_on=Subquery(last_ended.values("end_date")[:1]),
        is_associate=Exists(running),
    )


def holdings_at(at: datetime.date) -> QuerySet[Any]:
    """Everyone on the register at a date: associates, and former associates still holding shares."""
    return (
        with_holdings(Person.objects.all(), at)
        .filter(Q(is_associate=True) | Q(shares_held__gt=0))
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class CapitalSummary:
    """The capital at a date and the legal ratios of employees' capital and votes."""

    at: datetime.date
    subscribed_cents: int
    paid_up_cents: int
    shares: int
    associates: int
    employee_associates: int
    employee_capital_cents: int
    capital_ratio: Ratio
    votes_ratio: Ratio

    @property
    def unpaid_cents(self) -> int:
        return self.subscribed_cents - self.paid_up_cents

    @property
    def warnings(self) -> list[str]:
        messages = []
        if not self.capital_ratio.holds:
            messages.append(
                _(
                    "Les associé·es salarié·es détiennent %(percent)s du capital : la loi "
                    "exige au moins %(minimum)s %%."
                )
                % {
                    "percent": self.capital_ratio.percent_label,
                    "minimum": self.capital_ratio.minimum_percent,
                }
            )
        if not self.votes_ratio.holds:
            messages.append(
                _(
                    "Les associé·es salarié·es détiennent %(percent)s des voix : la loi "
                    "exige au moins %(minimum)s %%."
                )
                % {
                    "percent": self.votes_ratio.percent_label,
                    "minimum": self.votes_ratio.minimum_percent,
                }
            )
        return messages


def capital_at(at: datetime.date) -> CapitalSummary:
    """The capital, paid-up capital and ratios at a date, summed by the database (3 queries)."""
    subscribed = ShareSubscription.objects.filter(date__lte=at).aggregate(
        cents=Coalesce(Sum("amount_cents"), 0), shares=Coalesce(Sum("shares"), 0)
    )
    refunded = ShareRefund.objects.filter(date__lte=at).aggregate(
        cents=Coalesce(Sum("nominal_cents"), 0),
        paid_up=Coalesce(Sum("paid_up_cents"), 0),
        shares=Coalesce(Sum("shares"), 0),
    )
    released = ShareRelease.objects.filter(date__lte=at).aggregate(
        cents=Coalesce(Sum("amount_cents"), 0)
    )
    employees = holdings_at(at).aggregate(
        capital=Coalesce(Sum("capital_cents", filter=Q(category__in=EMPLOYEE_CATEGORIES)), 0),
        associates=Count("pk", filter=Q(is_associate=True)),
        employee_associates=Count("pk", filter=Q(category__in=EMPLOYEE_CATEGORIES)),
    )
    subscribed_cents = subscribed["cents"] - refunded["cents"]
    return CapitalSummary(
        at=at,
        subscribed_cents=subscribed_cents,
        paid_up_cents=released["cents"] - refunded["paid_up"],
        shares=subscribed["shares"] - refunded["shares"],
        associates=employees["associates"],
        employee_associates=employees["employee_associates"],
        employee_capital_cents=employees["capital"],
        capital_ratio=Ratio(employees["capital"], subscribed_cents, EMPLOYEE_CAPITAL_MIN_PERCENT),
        votes_ratio=Ratio(
            employees["employee_associates"], employees["associates"], EMPLOYEE_VOTES_MIN_PERCENT
        ),
    )


@dataclass(frozen=True)
class Holding:
    """What one person holds at a date."""

    shares_held: int
    capital_cents: int
    paid_up_cents: int
    is_associate: bool


def person_holding(person: Person, at: datetime.date) -> Holding:
    """One person's holdings at a date (one query)."""
    row = (
        with_holdings(Person.objects.filter(pk=person.pk), at)
        .values("shares_held", "capital_cents", "paid_up_cents", "is_associate")
        .get()
    )
    return Holding(**row)


# --- scoped reads of the register ------------------------------------------------------


def register_at(*, user: Any, at: datetime.date) -> QuerySet[Any]:
    """The register at a date for those who may read it (associates and staff roles)."""
    if not access.can_read_register(user):
        return Person.objects.none()
    return holdings_at(at)


def register_capital(*, user: Any, at: datetime.date) -> CapitalSummary:
    if not access.can_read_register(user):
        raise PermissionDenied
    return capital_at(at)


def departed_with_shares(*, user: Any, at: datetime.date) -> QuerySet[Any]:
    """Former associates who still hold shares at the date: their refund is to be recorded."""
    if not access.is_cooperative_wide(user):
        return Person.objects.none()
    return holdings_at(at).filter(is_associate=False, shares_held__gt=0)


def refunds_unpaid(*, user: Any) -> QuerySet[ShareRefund]:
    """Refunds recorded but not yet paid to the former associate."""
    if not access.is_cooperative_wide(user):
        return ShareRefund.objects.none()
    return ShareRefund.objects.filter(paid_on__isnull=True).select_related("person")


def subscriptions_of(*, user: Any, person_id: int) -> QuerySet[ShareSubscription]:
    """A person's subscriptions with their releases and schedule: their own, or staff roles."""
    own = getattr(user, "person_id", None) == person_id and access.has_governance_access(user)
    if not (own or access.is_cooperative_wide(user)):
        return ShareSubscription.objects.none()
    return (
        ShareSubscription.objects.filter(person_id=person_id)
        .select_related("person")
        .prefetch_related(
            Prefetch("releases", queryset=ShareRelease.objects.order_by("date", "pk")),
            Prefetch("installments", queryset=ShareInstallment.objects.order_by("due_date")),
        )
        .annotate(released_cents=_released_total())
        .order_by("date", "pk")
    )


def _released_total() -> Coalesce:
    return _total(ShareRelease.objects.filter(subscription=OuterRef("pk")), "amount_cents")


def subscription_get(*, user: Any, pk: int) -> ShareSubscription:
    """One subscription the user may see (404 otherwise)."""
    subscription = get_object_or_404(ShareSubscription.objects.select_related("person"), pk=pk)
    if not subscriptions_of(user=user, person_id=subscription.person_id).filter(pk=pk).exists():
        raise PermissionDenied
    return subscriptions_of(user=user, person_id=subscription.person_id).get(pk=pk)


def refunds_of(*, user: Any, person_id: int) -> QuerySet[ShareRefund]:
    own = getattr(user, "person_id", None) == person_id
    if not (own or access.is_cooperative_wide(user)):
        return ShareRefund.objects.none()
    return ShareRefund.objects.filter(person_id=person_id).order_by("date", "pk")


# --- assemblies ------------------------------------------------------------------------


def attendance_sheet(assembly: Assembly) -> QuerySet[Person]:
    """The associates at the assembly's date with how they take part, computed by the database.

    `attendance_status` is in person or online when they signed, represented when a
    proxy they gave is held by someone who signed, absent otherwise.
    """
    signed = Attendance.objects.filter(assembly=assembly, person=OuterRef("pk"))
    given = Proxy.objects.filter(assembly=assembly, grantor=OuterRef("pk"), revoked_at__isnull=True)
    held = Proxy.objects.filter(assembly=assembly, holder=OuterRef("pk"), revoked_at__isnull=True)
    holder_signed = Attendance.objects.filter(assembly=assembly, person=OuterRef("holder_id"))
    return (
        associates_at(assembly.date)
        .annotate(
            attendance_mode=Subquery(signed.values("mode")[:1]),
            attendance_id=Subquery(signed.values("pk")[:1]),
            signed_at=Subquery(signed.values("signed_at")[:1]),
            proxy_holder_id=Subquery(given.values("holder_id")[:1]),
            proxy_holder_name=Subquery(
                given.values(name=Concat("holder__first_name", Value(" "), "holder__last_name"))[:1]
            ),
            holder_signed=Exists(given.filter(Exists(holder_signed))),
            proxies_held_count=Coalesce(
                Subquery(
                    held.order_by().values("holder_id").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .annotate(
            attendance_status=Case(
                When(
                    attendance_mode=AttendanceMode.IN_PERSON, then=Value(AttendanceStatus.IN_PERSON)
                ),
                When(attendance_mode=AttendanceMode.ONLINE, then=Value(AttendanceStatus.ONLINE)),
                When(holder_signed=True, then=Value(AttendanceStatus.REPRESENTED)),
                default=Value(AttendanceStatus.ABSENT),
                output_field=CharField(),
            )
        )
    )


@dataclass(frozen=True)
class QuorumStatus:
    """Who counts for the quorum of an assembly and whether it is met."""

    associates: int
    in_person: int
    online: int
    represented: int
    rule: QuorumRule | None
    required: int

    @property
    def present_or_represented(self) -> int:
        return self.in_person + self.online + self.represented

    @property
    def met(self) -> bool:
        return self.rule is not None and self.present_or_represented >= self.required


def assembly_quorum(assembly: Assembly) -> QuorumStatus:
    """The quorum: live while the session runs, as frozen at closing afterwards."""
    rule = quorum_rule_for(
        kind=assembly.kind, convocation_round=assembly.convocation_round, day=assembly.date
    )
    if assembly.status == Assembly.Status.CLOSED and assembly.associates_count is not None:
        return QuorumStatus(
            associates=assembly.associates_count,
            in_person=assembly.present_count or 0,
            online=assembly.online_count or 0,
            represented=assembly.represented_count or 0,
            rule=rule,
            required=assembly.quorum_required or 0,
        )
    counts = attendance_sheet(assembly).aggregate(
        associates=Count("pk"),
        in_person=Count("pk", filter=Q(attendance_status=AttendanceStatus.IN_PERSON)),
        online=Count("pk", filter=Q(attendance_status=AttendanceStatus.ONLINE)),
        represented=Count("pk", filter=Q(attendance_status=AttendanceStatus.REPRESENTED)),
    )
    required = (
        quorum_required(counts["associates"], rule.numerator, rule.denominator) if rule else 0
    )
    return QuorumStatus(rule=rule, required=required, **counts)


def voting_rights(assembly: Assembly, person: Person) -> list[Person]:
    """Whose votes a participant casts: their own once they signed in, and each proxy they hold.

    A grantor who signed in themself votes in person, so their proxy no longer counts.
    """
    if not Attendance.objects.filter(assembly=assembly, person=person).exists():
        return []
    grantors = list(
        Person.objects.filter(
            proxies_given__assembly=assembly,
            proxies_given__holder=person,
            proxies_given__revoked_at__isnull=True,
        )
        .exclude(attendances__assembly=assembly)
        .order_by("last_name", "first_name", "pk")
    )
    return [person, *grantors]


def assemblies_for(*, user: Any) -> QuerySet[Assembly]:
    """Assemblies the user may see: all for managers; those they were convened to for associates."""
    if access.can_manage_governance(user):
        queryset = Assembly.objects.all()
    elif access.is_associate(user):
        queryset = Assembly.objects.exclude(status=Assembly.Status.DRAFT).filter(
            convocations__person_id=user.person_id
        )
    else:
        return Assembly.objects.none()
    return queryset.annotate(resolutions_count=Count("resolutions", distinct=True)).order_by(
        "-starts_at", "-pk"
    )


def assembly_get(*, user: Any, pk: int) -> Assembly:
    """One assembly the user may see (404 otherwise, so that nothing leaks)."""
    return get_object_or_404(
        assemblies_for(user=user).select_related("chair", "secretary", "previous"), pk=pk
    )


def convocation_by_token(raw: str) -> Convocation:
    """The convocation a personal link opens (404 for an unknown or replaced link)."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return get_object_or_404(
        Convocation.objects.select_related("assembly", "person"), token_hash=digest
    )


def convocations_of(*, user: Any) -> QuerySet[Convocation]:
    """The user's own convocations, newest first."""
    if not access.has_governance_access(user) or not user.person_id:
        return Convocation.objects.none()
    return (
        Convocation.objects.filter(person_id=user.person_id)
        .exclude(assembly__status=Assembly.Status.DRAFT)
        .select_related("assembly")
        .order_by("-assembly__starts_at")
    )


def voters_of(resolution: Resolution) -> list[tuple[Person, Person]]:
    """Who has voted on a resolution (never what): pairs of (associate, who cast the vote)."""
    model = VoteReceipt if resolution.secret else Vote
    rows = model.objects.filter(resolution=resolution).select_related("person", "cast_by")
    return sorted(
        ((row.person, row.cast_by) for row in rows),
        key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].pk),
    )


def open_votes_of(resolution: Resolution) -> QuerySet[Vote]:
    """The per-person choices of an open (non-secret) resolution, only once its vote is closed."""
    if resolution.secret or resolution.status != Resolution.Status.CLOSED:
        return Vote.objects.none()
    return (
        Vote.objects.filter(resolution=resolution)
        .select_related("person", "cast_by")
        .order_by("person__last_name", "person__first_name")
    )


# --- the board -------------------------------------------------------------------------


def mandates_at(at: datetime.date) -> QuerySet[Mandate]:
    """Mandates running at a date, unscoped."""
    return (
        Mandate.objects.filter(start_date__lte=at)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=at))
        .select_related("person", "elected_by")
    )


def board_at(*, user: Any, at: datetime.date) -> QuerySet[Mandate]:
    """Who is in office at a date (board, co-presidency, general direction)."""
    if not access.can_read_register(user):
        return Mandate.objects.none()
    return mandates_at(at).order_by("role", "person__last_name", "person__first_name", "pk")


def mandates_history(*, user: Any) -> QuerySet[Mandate]:
    if not access.can_read_register(user):
        return Mandate.objects.none()
    return Mandate.objects.select_related("person", "elected_by").order_by(
        "-start_date", "role", "pk"
    )


ROLE_ORDER = [
    MandateRole.CO_PRESIDENT,
    MandateRole.DIRECTOR_GENERAL,
    MandateRole.DEPUTY_DIRECTOR_GENERAL,
    MandateRole.BOARD_MEMBER,
]
