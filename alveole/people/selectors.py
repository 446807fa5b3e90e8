"""Reads of people and their path, always scoped to the user who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.formatting import format_date, format_hours
from alveole.people.models import (
    Associateship,
    Contract,
    ContractChange,
    Exit,
    Person,
    PersonKind,
    Status,
)


@dataclass(frozen=True)
class PeopleFilters:
    """The filters of the people list (pages, exports and API share them)."""

    at: datetime.date
    q: str = ""
    status: str = ""
    kind: str = ""
    sector: int | None = None
    office: int | None = None
    department: str = ""
    follow_up_staff: int | None = None


def people_list(*, user: Any, filters: PeopleFilters) -> QuerySet[Person]:
    """People visible to the user, with their status at the filter date, filtered."""
    people = (
        Person.objects.visible_to(user)
        .with_status(filters.at)
        .select_related("office", "follow_up_staff", "follow_up_staff__person")
    )
    if filters.q:
        for word in filters.q.split():
            people = people.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
                | Q(city__icontains=word)
            )  # fmt: skip
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.kind:
        people = people.filter(kind=filters.kind)
    if filters.sector:
        people = people.filter(memberships__business__sector_id=filters.sector).distinct()
    if filters.office:
        people = people.filter(office_id=filters.office)
    if filters.department:
        if filters.department == "other":
            people = people.exclude(department__in=["32", "65", "64", "31"])
        else:
            people = people.filter(department=filters.department)
    if filters.follow_up_staff:
        people = people.filter(follow_up_staff_id=filters.follow_up_staff)
    return people.order_by("last_name", "first_name", "pk")


def person_get(*, user: Any, pk: int) -> Person:
    """One person the user may see (404 otherwise, so that nothing leaks)."""
    return get_object_or_404(
        Person.objects.visible_to(user).select_related("office", "follow_up_staff"), pk=pk
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One dated step of a person's path, for the timeline."""

    date: datetime.date
    kind: str
    title: str
    detail: str = ""


def person_timeline(person: Person) -> list[TimelineEntry]:
    """Every event of a person's path, oldest first."""
    entries: list[TimelineEntry] = []
    for meeting in person.information_meetings.select_related("office"):
        office = f" — {meeting.office}" if meeting.office else ""
        entries.append(
            TimelineEntry(meeting.date, "information_meeting", _("Réunion d'information") + office)
        )
    for interview in person.intake_interviews.select_related("interviewer", "interviewer__person"):
        by = (
            _(" (reçu·e par %(who)s)") % {"who": interview.interviewer}
            if interview.interviewer
            else ""
        )
        entries.append(
            TimelineEntry(
                interview.date, "intake_interview",
                _("Entretien individuel : %(decision)s") % {"decision": interview.get_decision_display()} + by,
                interview.reason,
            )
        )  # fmt: skip
    contracts = person.contracts.prefetch_related(
        Prefetch("changes", queryset=ContractChange.objects.order_by("date"))
    )
    for contract in contracts:
        detail = ""
        if contract.kind == Contract.Kind.CAPE:
            detail = _("fin prévue le %(date)s") % {"date": format_date(contract.planned_end_date)}
        elif contract.monthly_hours:
            detail = _("%(hours)s h par mois") % {"hours": format_hours(contract.monthly_hours)}
        entries.append(
            TimelineEntry(
                contract.start_date,
                f"{contract.kind}_start",
                _("Début du %(kind)s") % {"kind": contract.get_kind_display()},
                detail,
            )
        )
        for change in contract.changes.all():
            if change.kind == ContractChange.Kind.RENEWAL:
                entries.append(
                    TimelineEntry(
                        change.date,
                        "cape_renewal",
                        _("Renouvellement du CAPE"),
                        _("nouvelle fin prévue le %(date)s")
                        % {"date": format_date(change.new_planned_end_date)},
                    )
                )
            else:
                entries.append(
                    TimelineEntry(
                        change.date,
                        "cesa_amendment",
                        _("Avenant au CESA"),
                        _("%(old)s h → %(new)s h par mois")
                        % {
                            "old": format_hours(change.previous_monthly_hours),
                            "new": format_hours(change.new_monthly_hours),
                        },
                    )
                )
        if contract.end_date:
            entries.append(
                TimelineEntry(
                    contract.end_date,
                    f"{contract.kind}_end",
                    _("Fin du %(kind)s") % {"kind": contract.get_kind_display()},
                )
            )
    for associateship in person.associateships.all():
        entries.append(
            TimelineEntry(
                associateship.start_date,
                "associate_join",
                _("Devient associé·e"),
                associateship.get_category_display(),
            )
        )
        if associateship.end_date:
            entries.append(
                TimelineEntry(
                    associateship.end_date, "associate_leave", _("Cesse d'être associé·e")
                )
            )
    exit_ = Exit.objects.filter(person=person).first()
    if exit_ is not None:
        entries.append(
            TimelineEntry(
                exit_.date,
                "exit",
                _("Sortie : %(outcome)s") % {"outcome": exit_.get_outcome_display()},
                exit_.reason,
            )
        )
    order = {"exit": 9, "associate_leave": 8}
    return sorted(entries, key=lambda e: (e.date, order.get(e.kind, 0)))


def running_contracts(person: Person, at: datetime.date | None = None) -> list[Contract]:
    """The person's contracts running at a date (today by default)."""
    at = at or today()
    return [c for c in person.contracts.all() if c.is_running_at(at)]


def current_associateship(person: Person, at: datetime.date | None = None) -> Associateship | None:
    at = at or today()
    return next((a for a in person.associateships.all() if a.is_running_at(at)), None)


def contracts_ending(
    *, user: Any, within_days: int = 60, at: datetime.date | None = None
) -> QuerySet[Contract]:
    """CAPEs whose planned end falls within the next days and that are not ended yet."""
    at = at or today()
    visible = Person.objects.visible_to(user)
    return (
        Contract.objects.filter(
            person__in=visible, kind=Contract.Kind.CAPE, end_date__isnull=True,
            planned_end_date__gte=at, planned_end_date__lte=at + datetime.timedelta(days=within_days),
        )
        .select_related("person")
        .order_by("planned_end_date")
    )  # fmt: skip


def people_followed_by(*, user: Any, at: datetime.date | None = None) -> QuerySet[Person]:
    """The members and candidates a staff member follows."""
    at = at or today()
    return (
        Person.objects.visible_to(user)
        .with_status(at)
        .filter(follow_up_staff=user, kind=PersonKind.ENTREPRENEUR)
        .exclude(status=Status.EXITED)
        .select_related("office")
    )
