"""The home page of each role (dashboards grow here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.businesses.selectors import businesses_list
from alveole.core.dates import today
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.people.models import Person, Status
from alveole.people.selectors import contracts_ending, people_followed_by, running_contracts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What matters today for the person who logs in."""
    user = request.user
    day = today()
    if user.role in COOPERATIVE_WIDE_ROLES:
        counts = dict(
            Person.objects.with_status(day)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        context = {
            "day": day,
            "counts": [(Status(status).label, counts.get(status, 0)) for status in
                       (Status.CANDIDATE, Status.CAPE, Status.SALARIED, Status.ASSOCIATE, Status.STAFF)],
            "members": sum(counts.get(s, 0) for s in (Status.CAPE, Status.SALARIED, Status.ASSOCIATE)),
            "ending": contracts_ending(user=user, within_days=60, at=day),
            "followed": people_followed_by(user=user, at=day) if user.role in (Role.STAFF, Role.DIRECTOR) else None,
        }  # fmt: skip
        return render(request, "reports/home_staff.html", context)
    person = user.person
    context = {
        "day": day,
        "person": person,
        "status": Status(person.status_at(day)).label if person else "",
        "contracts": running_contracts(person, day) if person else [],
        "businesses": businesses_list(user=user),
    }
    return render(request, "reports/home_entrepreneur.html", context)
