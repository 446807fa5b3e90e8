"""Pages of the catalogue, sessions, enrolments, certificates and surveys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import can_manage, is_cooperative_wide, role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.support import pdf, selectors, services
from alveole.support.forms import (
    EnrolForm,
    SessionFilterForm,
    SessionForm,
    SlotForm,
    WorkshopForm,
)
from alveole.support.models import Enrolment, WorkshopKind, WorkshopSession
from alveole.support.views.common import message_page, query_without_page

PAGE_SIZE = 50


# --- catalogue ----------------------------------------------------------------------------


@login_required
def workshop_list(request: HttpRequest) -> HttpResponse:
    """The catalogue of workshops; staff also see those withdrawn from it."""
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in WorkshopKind.values else ""
    show_all = can_manage(request.user) and request.GET.get("all") == "1"
    workshops = selectors.workshops_list(
        user=request.user, q=q, kind=kind, active=None if show_all else True
    )
    page = Paginator(workshops, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/workshop_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "kinds": WorkshopKind.choices,
            "show_all": show_all,
            "can_manage": can_manage(request.user),
            "query": query_without_page(request),
        },
    )


@role_required(*MANAGER_ROLES)
def workshop_create(request: HttpRequest) -> HttpResponse:
    """Add a workshop to the catalogue."""
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'atelier « %(w)s » a été ajouté.") % {"w": workshop})
            return redirect("support:workshop_detail", pk=workshop.pk)
    return render(
        request,
        "support/workshop_form.html",
        {"form": form, "workshop": None},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_get(user=request.user, pk=pk)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_update(actor=request.user, workshop=workshop, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'atelier a été enregistré."))
            return redirect("support:workshop_detail", pk=workshop.pk)
    workshop.refresh_from_db()
    return render(
        request,
        "support/workshop_form.html",
        {"form": form, "workshop": workshop},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop: objectives, programme, and its sessions."""
    workshop = selectors.workshop_get(user=request.user, pk=pk)
    if not workshop.active and not can_manage(request.user):
        raise Http404
    sessions = selectors.sessions_list(
        user=request.user,
        filters=selectors.SessionFilters(
            workshop=workshop.pk, include_cancelled=can_manage(request.user)
        ),
    )
    return render(
        request,
        "support/workshop_detail.html",
        {"workshop": workshop, "sessions": sessions, "can_manage": can_manage(request.user)},
    )


@role_required(*MANAGER_ROLES)
def workshop_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Satisfaction results of a workshop, in all and per session (Qualiopi indicator 30)."""
    workshop = selectors.workshop_get(user=request.user, pk=pk)
    return render(
        request,
        "support/survey_results.html",
        {
            "workshop": workshop,
            "session": None,
            "results": selectors.workshop_survey_results(user=request.user, workshop=workshop),
            "sessions": selectors.workshop_results_by_session(user=request.user, workshop=workshop),
        },
    )


# --- sessions ------------------------------------------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The programme of sessions, with places left; staff roles can export it."""
    form = SessionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.SessionFilters(
        start=data.get("start"),
        end=data.get("end"),
        kind=data.get("kind") or "",
        q=(data.get("q") or "").strip(),
        include_cancelled=can_manage(request.user),
    )
    sessions = selectors.sessions_list(user=request.user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and is_cooperative_wide(request.user):
        return _export_sessions(request, sessions, fmt)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/session_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_export": is_cooperative_wide(request.user),
            "can_manage": can_manage(request.user),
        },
    )


def _export_sessions(request: HttpRequest, sessions, fmt: str) -> HttpResponse:
    header = [
        _("Atelier"), _("Type"), _("Statut"), _("Première date"), _("Dernière date"),
        _("Demi-journées"), _("Formateur·rice"), _("Lieu"), _("Places"), _("Inscrit·es"),
        _("Liste d'attente"),
    ]  # fmt: skip

    def rows():
        for session in sessions:
            yield [
                session.workshop.title, session.workshop.get_kind_display(),
                session.get_status_display(), format_date(session.first_date),
                format_date(session.last_date), len(session.slot_list), session.trainer_name,
                session.location, session.capacity, session.confirmed_count, session.waiting_count,
            ]  # fmt: skip

    audit_record(
        actor=request.user,
        action="export",
        target_type="support.workshopsession",
        summary=f"Export des sessions ({fmt})",
    )
    return table_response(filename="sessions", fmt=fmt, header=header, rows=rows())


@role_required(*MANAGER_ROLES)
def session_create(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Plan a session of a workshop with its first half-day (more can be added after)."""
    workshop = selectors.workshop_get(user=request.user, pk=workshop_pk)
    form = SessionForm(request.POST or None, workshop=workshop)
    slot_form = SlotForm(request.POST or None, prefix="slot")
    if request.method == "POST" and form.is_valid() and slot_form.is_valid():
        try:
            session = services.session_create(
                actor=request.user,
                workshop=workshop,
                slots=[services.SlotSpec(**slot_form.cleaned_data)],
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
            if hasattr(error, "error_dict"):
                for name in set(error.message_dict) & set(slot_form.fields):
                    for message in error.message_dict[name]:
                        slot_form.add_error(name, message)
        else:
            messages.success(request, _("La session a été programmée."))
            return redirect("support:session_detail", pk=session.pk)
    return render(
        request,
        "support/session_form.html",
        {"form": form, "slot_form": slot_form, "workshop": workshop, "session": None},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La session a été enregistrée."))
            return redirect("support:session_detail", pk=pk)
    return render(
        request,
        "support/session_form.html",
        {"form": form, "slot_form": None, "workshop": session.workshop, "session": session},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: half-days, place, and for who runs it, enrolments and attendance."""
    session = selectors.session_get(user=request.user, pk=pk)
    runs = selectors.can_run_session(request.user, session)
    manage = can_manage(request.user)
    enrolments = selectors.session_enrolments(user=request.user, session=session)
    own = None
    if request.user.person_id:
        own = next((e for e in enrolments if e.person_id == request.user.person_id), None)
    context = {
        "session": session,
        "workshop": session.workshop,
        "runs": runs,
        "can_manage": manage,
        "own": own,
        "ended": services.session_has_ended(session),
        "confirmed": [e for e in enrolments if e.status == Enrolment.Status.CONFIRMED],
        "waiting": [e for e in enrolments if e.status == Enrolment.Status.WAITING],
        "grid": selectors.attendance_grid(session) if runs else None,
        "enrol_form": EnrolForm() if manage else None,
        "slot_form": SlotForm(prefix="slot") if manage else None,
        "public_url": request.build_absolute_uri(
            reverse("support:register", args=[session.registration_token])
        )
        if manage and session.public_registration
        else "",
        "results": selectors.session_survey_results(user=request.user, session=session)
        if manage
        else None,
        "is_cancelled": session.status == WorkshopSession.Status.CANCELLED,
    }
    return render(request, "support/session_detail.html", context)


def _back_to_session(session_pk: int) -> HttpResponse:
    return redirect("support:session_detail", pk=session_pk)


@require_POST
@role_required(*MANAGER_ROLES)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        services.session_cancel(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La session est annulée ; les inscrit·es sont prévenu·es."))
    return _back_to_session(pk)


@require_POST
@role_required(*MANAGER_ROLES)
def slot_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    form = SlotForm(request.POST, prefix="slot")
    if form.is_valid():
        try:
            services.slot_add(
                actor=request.user, session=session, spec=services.SlotSpec(**form.cleaned_data)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("La demi-journée a été ajoutée."))
    else:
        messages.error(
            request,
            _("Demi-journée non ajoutée : %(errors)s")
            % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
        )
    return _back_to_session(pk)


@require_POST
@role_required(*MANAGER_ROLES)
def slot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    slot = selectors.slot_get(user=request.user, pk=pk)
    try:
        services.slot_remove(actor=request.user, slot=slot)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La demi-journée a été retirée."))
    return _back_to_session(slot.session_id)


# --- enrolments -------------------------------------------------------------------------


def _enrolled_message(request: HttpRequest, enrolment: Enrolment) -> None:
    if enrolment.status == Enrolment.Status.CONFIRMED:
        messages.success(
            request,
            _("%(person)s est inscrit·e ; la convocation part par e-mail.")
            % {"person": enrolment.person},
        )
    else:
        messages.info(
            request,
            _("La session est complète : %(person)s est sur la liste d'attente.")
            % {"person": enrolment.person},
        )


@require_POST
@role_required(*MANAGER_ROLES)
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff enrol a person (a member or a candidate) in a session."""
    session = selectors.session_get(user=request.user, pk=pk)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez la personne à inscrire."))
        return _back_to_session(pk)
    try:
        enrolment = services.enrolment_create(
            actor=request.user,
            session=session,
            person=form.cleaned_data["person"],
            source=Enrolment.Source.STAFF,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _enrolled_message(request, enrolment)
    return _back_to_session(pk)


@require_POST
@login_required
def session_enrol_me(request: HttpRequest, pk: int) -> HttpResponse:
    """An entrepreneur enrols themself."""
    session = selectors.session_get(user=request.user, pk=pk)
    if not request.user.person_id:
        raise Http404
    try:
        enrolment = services.enrolment_create(
            actor=request.user,
            session=session,
            person=request.user.person,
            source=Enrolment.Source.SELF,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if enrolment.status == Enrolment.Status.CONFIRMED:
            messages.success(request, _("Vous êtes inscrit·e ; la convocation part par e-mail."))
        else:
            messages.info(
                request,
                _(
                    "La session est complète : vous êtes sur la liste d'attente, nous vous écrirons si une place se libère."
                ),
            )
    return _back_to_session(pk)


@require_POST
@login_required
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff, or the trainee themself, cancel an enrolment; the waiting list moves up."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    is_self = request.user.person_id == enrolment.person_id
    if not (is_self or can_manage(request.user)):
        raise Http404
    try:
        services.enrolment_cancel(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'inscription est annulée."))
    return _back_to_session(enrolment.session_id)


# --- documents ---------------------------------------------------------------------------


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet PDF of a session (staff and the trainer)."""
    session = selectors.session_get(user=request.user, pk=pk)
    if not selectors.can_run_session(request.user, session):
        raise Http404
    audit_record(
        actor=request.user,
        action="export",
        target=session,
        summary=f"Feuille d'émargement de {session}",
    )
    return _pdf_response(pdf.attendance_sheet_pdf(session), f"emargement-session-{session.pk}.pdf")


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A trainee's certificate of completion; refused when they attended no half-day."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    if not services.attended_slots(enrolment):
        return message_page(
            request,
            title=_("Pas de certificat"),
            message=_(
                "%(person)s n'a signé aucune demi-journée de cette session : aucun certificat de réalisation ne peut être établi."
            )
            % {"person": enrolment.person},
            status=404,
        )
    return _pdf_response(
        pdf.certificate_pdf(enrolment), f"certificat-realisation-{enrolment.pk}.pdf"
    )


# --- satisfaction -----------------------------------------------------------------------


@require_POST
@role_required(*MANAGER_ROLES)
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        sent = services.survey_send(
            actor=request.user, session=session, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Questionnaire envoyé à %(n)s stagiaire(s).") % {"n": len(sent)}
            if sent
            else _("Tous les stagiaires présents ont déjà reçu le questionnaire."),
        )
    return _back_to_session(pk)


@role_required(*MANAGER_ROLES)
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    return render(
        request,
        "support/survey_results.html",
        {
            "workshop": session.workshop,
            "session": session,
            "results": selectors.session_survey_results(user=request.user, session=session),
            "sessions": None,
        },
    )


@login_required
def my_workshops(request: HttpRequest) -> HttpResponse:
    """An entrepreneur's enrolments: sessions to come, waiting list, certificates, questionnaires."""
    if request.user.role in COOPERATIVE_WIDE_ROLES and not request.user.person_id:
        return redirect("support:session_list")
    enrolments = selectors.my_enrolments(user=request.user)
    return render(request, "support/my_workshops.html", {"enrolments": enrolments})
