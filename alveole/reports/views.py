"""The home page of each role: the dashboards (alveole/reports/dashboards.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.core.dates import today
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.people.models import Person, Status
from alveole.people.selectors import running_contracts
from alveole.reports.dashboards import entrepreneur_dashboard, staff_dashboard
from alveole.reports.models import ReportPublication


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What matters today for the person who logs in."""
    user = request.user
    day = today()
    if user.role in COOPERATIVE_WIDE_ROLES:
        # The dashboard counts everyone by status today (with the year's comparisons).
        dashboard = staff_dashboard(user=user, day=day)
        counts = dashboard.status_counts
        context = {
            "day": day,
            "counts": [(Status(status).label, counts.get(status, 0)) for status in
                       (Status.CANDIDATE, Status.CAPE, Status.SALARIED, Status.ASSOCIATE, Status.STAFF)],
            "members": sum(counts.get(s, 0) for s in (Status.CAPE, Status.SALARIED, Status.ASSOCIATE)),
            "dashboard": dashboard,
        }  # fmt: skip
        return render(request, "reports/home_staff.html", context)
    # The person with their status today, in one query (the lists' status expression).
    person = (
        Person.objects.with_status(day)
        .select_related("follow_up_staff__person")
        .filter(pk=user.person_id)
        .first()
        if user.person_id
        else None
    )
    context = {
        "day": day,
        "person": person,
        "status": person.status_label if person else "",
        "contracts": running_contracts(person, day) if person else [],
        "dashboard": entrepreneur_dashboard(user=user, day=day),
        "published": ReportPublication.objects.readable_by(user).order_by("-year")[:3],
    }
    return render(request, "reports/home_entrepreneur.html", context)
