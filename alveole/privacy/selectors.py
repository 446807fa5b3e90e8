"""Reads of the privacy app: the audit trail with its filters, the records past their retention."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from alveole.core.dates import today
from alveole.core.models import AuditEvent
from alveole.core.roles import Role
from alveole.people.models import Exit, Person
from alveole.privacy.models import ErasureReport
from alveole.support.selectors import candidates_due_for_erasure

#: Payroll documents are kept five years (DOMAIN.md, GDPR): an exited person's file with them.
EXITED_RETENTION_DAYS = 5 * 365
PERSON_TARGET = "people.person"


def audit_events(
    *,
    user: Any,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail as the director reads it (nobody else reads it), filtered."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.DIRECTOR)):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "actor__person")
    if actor:
        events = events.filter(
            Q(actor__email__icontains=actor)
            | Q(actor__person__last_name__icontains=actor)
            | Q(actor__person__first_name__icontains=actor)
        )
    if action:
        events = events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


def audit_target_types() -> list[str]:
    """The kinds of object the trail mentions, for the filter's choices."""
    return list(
        AuditEvent.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    )


@dataclass(frozen=True)
class RetentionCase:
    """A person whose file is past its retention period, and the rule that says so."""

    person: Person
    since: datetime.date | None
    rule: str


def retention_cases(*, user: Any, at: datetime.date | None = None) -> list[RetentionCase]:
    """People whose file is past its retention period and not anonymised yet (staff only)."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.STAFF, Role.DIRECTOR)):
        return []
    return _retention_cases(user=user, at=at or today())


def retention_cases_for_system(*, at: datetime.date | None = None) -> list[RetentionCase]:
    """The same list for the scheduled job (`alveole retention`), which has no user."""
    return _retention_cases(user=_SystemReader(), at=at or today())


class _SystemReader:
    """A stand-in reader with cooperative-wide sight for the scheduled job."""

    is_authenticated = True
    is_active = True
    role = Role.DIRECTOR
    person_id = None
    pk = None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


def _retention_cases(*, user: Any, at: datetime.date) -> list[RetentionCase]:
    erased = ErasureReport.objects.filter(person=OuterRef("pk"))
    cases = [
        RetentionCase(
            person=person,
            since=getattr(person, "last_contact", None),
            rule="Porteur·se de projet non intégré·e : 2 ans après le dernier contact",
        )
        for person in candidates_due_for_erasure(user=user, at=at).exclude(Exists(erased))
    ]
    limit = at - datetime.timedelta(days=EXITED_RETENTION_DAYS)
    exits = (
        Exit.objects.filter(date__lt=limit)
        .exclude(Exists(ErasureReport.objects.filter(person=OuterRef("person_id"))))
        .select_related("person")
        .order_by("date", "pk")
    )
    cases += [
        RetentionCase(
            person=exit_.person,
            since=exit_.date,
            rule="Sorti·e depuis plus de 5 ans (durée de conservation des documents de paie)",
        )
        for exit_ in exits
    ]
    return cases
