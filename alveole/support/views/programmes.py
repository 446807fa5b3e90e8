"""Programmes for funders and co-development groups, with the funder's attendance report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.support import selectors, services
from alveole.support.forms import ProgrammeForm


@role_required(*MANAGER_ROLES)
def programme_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    programmes = selectors.programmes_list(
        user=request.user, year=int(year) if year.isdigit() else None
    )
    return render(request, "support/programme_list.html", {"programmes": programmes, "year": year})


def _save(request: HttpRequest, programme=None) -> HttpResponse:
    initial = {"year": today().year}
    if programme is not None:
        initial = {
            "kind": programme.kind, "name": programme.name, "year": programme.year,
            "funder": programme.funder, "coordinator": programme.coordinator_id,
            "description": programme.description,
            "sessions": [s.pk for s in programme.sessions.all()],
            "participants": [p.pk for p in programme.participants.all()],
        }  # fmt: skip
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = services.programme_save(
                actor=request.user,
                programme=programme,
                sessions=list(data.pop("sessions")),
                participants=list(data.pop("participants")),
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("« %(p)s » est enregistré.") % {"p": saved})
            return redirect("support:programme_detail", pk=saved.pk)
    return render(
        request,
        "support/programme_form.html",
        {"form": form, "programme": programme},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def programme_create(request: HttpRequest) -> HttpResponse:
    return _save(request)


@role_required(*MANAGER_ROLES)
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, selectors.programme_get(user=request.user, pk=pk))


@role_required(*MANAGER_ROLES)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme and its report: each participant's half-days signed and hours."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    report = selectors.programme_report(programme)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(
            actor=request.user,
            action="export",
            target=programme,
            summary=f"Bilan du programme {programme} ({fmt})",
        )
        return table_response(
            filename=f"programme-{programme.pk}",
            fmt=fmt,
            header=[_("Nom"), _("Prénom"), _("Sessions"), _("Demi-journées signées"), _("Heures")],
            rows=(
                [line.person.last_name, line.person.first_name, line.sessions_enrolled,
                 line.half_days_signed, line.hours]
                for line in report["lines"]
            ),
        )  # fmt: skip
    return render(
        request,
        "support/programme_detail.html",
        {"programme": programme, "report": report},
    )
