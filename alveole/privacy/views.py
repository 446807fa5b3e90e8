"""Pages of the privacy app: the audit trail (director), a person's data export and erasure,
the records past their retention period (staff)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.models import AuditEvent
from alveole.core.permissions import role_required
from alveole.core.roles import Role
from alveole.core.tabular import table_response
from alveole.people.models import Person
from alveole.privacy import selectors, services
from alveole.privacy.models import ErasureReport

PAGE_SIZE = 50
FILTERS = ("actor", "action", "target_type", "target_id", "since", "until")


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in FILTERS}


def _events(request: HttpRequest, filters: dict[str, str]):
    return selectors.audit_events(
        user=request.user,
        actor=filters["actor"],
        action=filters["action"],
        target_type=filters["target_type"],
        target_id=filters["target_id"],
        since=_date(filters["since"]),
        until=_date(filters["until"]),
    )


@role_required(Role.DIRECTOR)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filtered and paginated (director only); read-only."""
    filters = _filters(request)
    errors = [
        _("La date « %(value)s » n'est pas valide (format AAAA-MM-JJ).") % {"value": filters[name]}
        for name in ("since", "until")
        if filters[name] and _date(filters[name]) is None
    ]
    page = Paginator(_events(request, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    person = None
    if filters["target_type"] == selectors.PERSON_TARGET and filters["target_id"].isdigit():
        person = Person.objects.filter(pk=int(filters["target_id"])).first()
    context = {
        "page": page,
        "query": query,
        "filters": filters,
        "errors": errors,
        "actions": AuditEvent.Action.choices,
        "target_types": selectors.audit_target_types(),
        "person": person,
    }
    return render(request, "privacy/audit_list.html", context)


@role_required(Role.DIRECTOR)
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The filtered rows of the audit trail as CSV; the export is itself audited."""
    filters = _filters(request)
    events = list(_events(request, filters))
    services.audit_trail_exported(
        actor=request.user, count=len(events), filters={k: v for k, v in filters.items() if v}
    )
    return table_response(
        filename="journal-audit",
        fmt="csv",
        header=[
            _("Date"),
            _("Auteur"),
            _("Action"),
            _("Type d'objet"),
            _("Identifiant"),
            _("Résumé"),
        ],
        rows=(
            [
                event.at.isoformat(),
                str(event.actor) if event.actor else "",
                event.get_action_display(),
                event.target_type,
                event.target_id,
                event.summary,
            ]
            for event in events
        ),
    )


def _person_for_export(request: HttpRequest, pk: int) -> Person:
    user = request.user
    # Whoever may not even see the person gets a 404, as on the person's file.
    person = get_object_or_404(Person.objects.visible_to(user), pk=pk)
    if not (user.has_role(Role.STAFF, Role.DIRECTOR) or user.person_id == person.pk):
        raise PermissionDenied
    return person


@login_required
def person_export_json(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Everything Alvéole holds about a person, machine-readable (GDPR art. 15 and 20)."""
    person = _person_for_export(request, person_pk)
    data = services.person_data_export(actor=request.user, person=person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="donnees-personne-{person.pk}.json"'
    return response


@login_required
def person_export_pdf(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The same export as a readable PDF, in French."""
    from alveole.privacy.pdf import export_pdf

    person = _person_for_export(request, person_pk)
    data = services.person_data_export(actor=request.user, person=person)
    response = HttpResponse(export_pdf(person, data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="donnees-personne-{person.pk}.pdf"'
    return response


@role_required(Role.DIRECTOR)
def person_erase(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Confirm, then anonymise a person's data (director only)."""
    person = get_object_or_404(Person, pk=person_pk)
    refusal = services.erasure_refusal(person)
    error = ""
    if request.method == "POST":
        try:
            report = services.person_erase(
                actor=request.user, person=person, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Les données de la personne ont été effacées."))
            return redirect("privacy:erasure_report", pk=report.pk)
    context = {"person": person, "refusal": refusal, "error": error}
    return render(request, "privacy/person_erase.html", context, status=400 if error else 200)


@role_required(Role.STAFF, Role.DIRECTOR)
def erasure_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What an erasure erased and what it kept, with the rule that keeps it."""
    report = get_object_or_404(ErasureReport.objects.select_related("person", "actor"), pk=pk)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(_report_data(report), ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="rapport-effacement-{report.pk}.json"'
        )
        return response
    return render(request, "privacy/erasure_report.html", {"report": report})


def _report_data(report: ErasureReport) -> dict[str, Any]:
    return {
        "report": report.pk,
        "person_id": report.person_id,
        "at": report.at.isoformat(),
        "actor": str(report.actor) if report.actor else "",
        "reason": report.reason,
        "erased": report.erased,
        "kept": report.kept,
    }


@role_required(Role.STAFF, Role.DIRECTOR)
def retention(request: HttpRequest) -> HttpResponse:
    """Files past their retention period, to erase (director) one by one."""
    context = {
        "cases": selectors.retention_cases(user=request.user),
        "can_erase": request.user.has_role(Role.DIRECTOR),
        "reports": ErasureReport.objects.select_related("person", "actor")[:20],
    }
    return render(request, "privacy/retention.html", context)


@require_POST
@role_required(Role.DIRECTOR)
def retention_erase(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Erase one file listed as past its retention period."""
    person = get_object_or_404(Person, pk=person_pk)
    try:
        report = services.person_erase(
            actor=request.user,
            person=person,
            reason=_("Durée de conservation échue"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("privacy:retention")
    messages.success(request, _("Les données de %(person)s ont été effacées.") % {"person": person})
    return redirect("privacy:erasure_report", pk=report.pk)
