"""Complaints and improvement actions: Qualiopi indicators 31 and 32."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.dates import today
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.support import selectors, services
from alveole.support.forms import QualityCloseForm, QualityEventForm
from alveole.support.models import QualityEvent


@role_required(*MANAGER_ROLES)
def quality_list(request: HttpRequest) -> HttpResponse:
    """Every complaint and improvement action, with export for the Qualiopi audit."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in QualityEvent.Kind.values else ""
    status = request.GET.get("status", "")
    status = status if status in QualityEvent.Status.values else ""
    events = selectors.quality_events(user=request.user, kind=kind, status=status)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(
            actor=request.user,
            action="export",
            target_type="support.qualityevent",
            summary=f"Export des réclamations et actions d'amélioration ({fmt})",
        )
        return table_response(
            filename="qualite",
            fmt=fmt,
            header=[
                _("Type"), _("Date"), _("Origine"), _("Atelier"), _("Session"), _("Description"),
                _("Statut"), _("Traitée le"), _("Réponse / résultat"), _("En réponse à"),
            ],
            rows=(
                [
                    e.get_kind_display(), format_date(e.date), e.origin, str(e.workshop or ""),
                    format_date(e.session_date), e.description, e.get_status_display(),
                    format_date(e.closed_on), e.response, str(e.complaint or ""),
                ]
                for e in events
            ),
        )  # fmt: skip
    return render(
        request,
        "support/quality_list.html",
        {
            "events": events,
            "kind": kind,
            "status": status,
            "kinds": QualityEvent.Kind.choices,
            "statuses": QualityEvent.Status.choices,
        },
    )


@role_required(*MANAGER_ROLES)
def quality_create(request: HttpRequest) -> HttpResponse:
    form = QualityEventForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.quality_event_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("« %(event)s » est enregistrée.") % {"event": event})
            return redirect("support:quality_detail", pk=event.pk)
    return render(
        request,
        "support/quality_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def quality_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.quality_event_get(user=request.user, pk=pk)
    return render(
        request,
        "support/quality_detail.html",
        {
            "event": event,
            "close_form": QualityCloseForm(initial={"closed_on": today()}),
            "improvements": list(event.improvements.order_by("date")),
        },
    )


@require_POST
@role_required(*MANAGER_ROLES)
def quality_close(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.quality_event_get(user=request.user, pk=pk)
    form = QualityCloseForm(request.POST)
    if form.is_valid():
        try:
            services.quality_event_close(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Elle est notée comme traitée."))
            return redirect("support:quality_detail", pk=pk)
    return render(
        request,
        "support/quality_detail.html",
        {"event": event, "close_form": form, "improvements": list(event.improvements.all())},
        status=400,
    )
