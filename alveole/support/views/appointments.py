"""Pages of appointments, next steps, the staff calendar and its feed."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.dates import add_months, today
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import can_manage, role_required
from alveole.core.roles import MANAGER_ROLES, Role
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.people.models import User
from alveole.support import appointments as services
from alveole.support import selectors
from alveole.support.forms import AppointmentFilterForm, AppointmentForm, NextStepForm
from alveole.support.models import Appointment, NextStep
from alveole.support.views.common import query_without_page

PAGE_SIZE = 50
APPOINTMENT_ROLES = (*MANAGER_ROLES, Role.ENTREPRENEUR)


@role_required(*APPOINTMENT_ROLES)
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Staff: every appointment, filtered; an entrepreneur: their own (without private notes)."""
    manage = can_manage(request.user)
    form = AppointmentFilterForm(request.GET or None, staff_filter=manage)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AppointmentFilters(
        staff=data["staff"].pk if data.get("staff") else None,
        status=data.get("status") or "",
        start=data.get("start"),
        end=data.get("end"),
        q=(data.get("q") or "").strip(),
    )
    appointments = selectors.appointments_list(user=request.user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(request, appointments, fmt, manage)
    page = Paginator(appointments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/appointment_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "can_manage": manage},
    )


def _export(request: HttpRequest, appointments, fmt: str, manage: bool) -> HttpResponse:
    header = [
        _("Date"), _("Début"), _("Fin"), _("Accompagnateur·rice"), _("Entrepreneur·es"), _("Objet"),
        _("Lieu"), _("Visioconférence"), _("Statut"), _("Compte rendu"), _("Prochaines étapes"),
    ]  # fmt: skip
    if manage:
        header.append(_("Notes privées de l'équipe"))

    def rows():
        for appointment in appointments:
            start = timezone.localtime(appointment.starts_at)
            end = timezone.localtime(appointment.ends_at)
            steps = " ; ".join(
                f"{s.description} ({format_date(s.due_date)})" for s in appointment.next_steps.all()
            )
            row = [
                format_date(start.date()), start.strftime("%H:%M"), end.strftime("%H:%M"),
                str(appointment.staff), ", ".join(str(p) for p in appointment.participants.all()),
                appointment.subject, appointment.place, appointment.video_link,
                appointment.get_status_display(), appointment.notes, steps,
            ]  # fmt: skip
            if manage:
                row.append(appointment.private_notes)
            yield row

    audit_record(
        actor=request.user,
        action="export",
        target_type="support.appointment",
        summary=f"Export des rendez-vous ({fmt})",
    )
    return table_response(filename="rendez-vous", fmt=fmt, header=header, rows=rows())


@role_required(*MANAGER_ROLES)
def appointment_create(request: HttpRequest) -> HttpResponse:
    initial = {"staff": request.user.pk}
    if request.GET.get("person", "").isdigit():
        initial["participants"] = [int(request.GET["person"])]
    form = AppointmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            appointment = services.appointment_create(
                actor=request.user,
                staff=data.pop("staff"),
                participants=list(data.pop("participants")),
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le rendez-vous est enregistré."))
            return redirect("support:appointment_detail", pk=appointment.pk)
    return render(
        request,
        "support/appointment_form.html",
        {"form": form, "appointment": None},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = AppointmentForm(request.POST or None, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            services.appointment_update(
                actor=request.user,
                appointment=appointment,
                staff=data.pop("staff"),
                participants=list(data.pop("participants")),
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le rendez-vous est enregistré."))
            return redirect("support:appointment_detail", pk=pk)
    return render(
        request,
        "support/appointment_form.html",
        {"form": form, "appointment": appointment},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*APPOINTMENT_ROLES)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An appointment; its private notes only for staff."""
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    manage = can_manage(request.user)
    return render(
        request,
        "support/appointment_detail.html",
        {
            "appointment": appointment,
            "can_manage": manage,
            "step_form": NextStepForm() if manage else None,
            "statuses": Appointment.Status.choices,
            "is_past": appointment.starts_at <= timezone.now(),
        },
    )


@require_POST
@role_required(*MANAGER_ROLES)
def appointment_status(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    try:
        services.appointment_set_status(
            actor=request.user, appointment=appointment, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le statut du rendez-vous est enregistré."))
    return redirect("support:appointment_detail", pk=pk)


@require_POST
@role_required(*MANAGER_ROLES)
def next_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = NextStepForm(request.POST)
    if form.is_valid():
        try:
            services.next_step_add(actor=request.user, appointment=appointment, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("La prochaine étape est ajoutée."))
    else:
        messages.error(request, _("Décrivez l'action convenue et son échéance."))
    return redirect("support:appointment_detail", pk=pk)


@require_POST
@role_required(*MANAGER_ROLES)
def next_step_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(NextStep, pk=pk)
    appointment = selectors.appointment_get(user=request.user, pk=step.appointment_id)
    services.next_step_set_done(actor=request.user, step=step, done=step.done_at is None)
    return redirect("support:appointment_detail", pk=appointment.pk)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@role_required(*MANAGER_ROLES)
def calendar(request: HttpRequest) -> HttpResponse:
    """A staff member's week (or month): appointments and training half-days, day by day."""
    staff_users = list(
        User.objects.filter(role__in=list(MANAGER_ROLES), is_active=True)
        .select_related("person")
        .order_by("email")
    )
    staff = request.user
    if request.GET.get("staff", "").isdigit():
        staff = next((u for u in staff_users if u.pk == int(request.GET["staff"])), request.user)
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = today()
    view = "month" if request.GET.get("view") == "month" else "week"
    if view == "week":
        start = _monday(day)
        end = start + datetime.timedelta(days=6)
        previous, following = start - datetime.timedelta(days=7), start + datetime.timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = add_months(start, 1) - datetime.timedelta(days=1)
        previous, following = add_months(start, -1), add_months(start, 1)
    items = selectors.staff_calendar(user=request.user, staff=staff, start=start, end=end)
    days: dict[datetime.date, list[dict]] = {}
    for appointment in items["appointments"]:
        local = timezone.localtime(appointment.starts_at)
        days.setdefault(local.date(), []).append(
            {"time": local.time(), "kind": "appointment", "appointment": appointment}
        )
    for slot in items["slots"]:
        days.setdefault(slot.date, []).append(
            {"time": slot.start_time, "kind": "slot", "slot": slot}
        )
    agenda = [(d, sorted(days[d], key=lambda e: e["time"])) for d in sorted(days)]
    return render(
        request,
        "support/calendar.html",
        {
            "staff": staff,
            "staff_users": staff_users,
            "agenda": agenda,
            "start": start,
            "end": end,
            "view": view,
            "previous": previous,
            "following": following,
            "today": today(),
        },
    )


@role_required(*MANAGER_ROLES)
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """The address of one's own calendar feed, to subscribe from a calendar application."""
    if request.method == "POST":
        services.calendar_feed_renew(actor=request.user, user=request.user)
        messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
        return redirect("support:calendar_feed_settings")
    feed = services.calendar_feed_get(actor=request.user, user=request.user)
    url = request.build_absolute_uri(reverse("support:calendar_feed", args=[feed.token]))
    return render(request, "support/calendar_feed.html", {"url": url})
