"""REST routes of the support app: sessions and enrolments, appointments.

Scoping is the pages' one: everyone logged in reads the programme of sessions; an
entrepreneur enrols themself and sees their own enrolments and appointments — never the
private notes, which are null for them; staff and direction see and write everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as HttpStatus

from alveole.core.api import ERRORS, paginate, require_manager
from alveole.core.permissions import can_manage
from alveole.people.models import Person, User
from alveole.people.selectors import person_get
from alveole.support import appointments as appointment_services
from alveole.support import selectors, services
from alveole.support.models import Appointment, Enrolment, Signature, WorkshopSession
from alveole.support.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    AppointmentQuery,
    EnrolmentIn,
    EnrolmentOut,
    SessionOut,
    SessionPage,
    SessionQuery,
)

router = Router(tags=["Accompagnement"])


def _person_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "person_id", None)


def session_out(session: WorkshopSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "workshop_id": session.workshop_id,
        "workshop_title": session.workshop.title,
        "kind": session.workshop.kind,
        "status": session.status,
        "trainer_name": session.trainer_name,
        "location": session.location,
        "online": session.online,
        "capacity": session.capacity,
        "confirmed_count": getattr(session, "confirmed_count", 0),
        "waiting_count": getattr(session, "waiting_count", 0),
        "slots": [
            {
                "id": s.pk,
                "date": s.date,
                "half_day": s.half_day,
                "start_time": s.start_time,
                "end_time": s.end_time,
            }
            for s in session.slot_list
        ],
    }


def enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    signed = getattr(enrolment, "signed_count", None)
    if signed is None:
        signed = enrolment.signatures.filter(role=Signature.Role.TRAINEE).count()
    return {
        "id": enrolment.pk,
        "session_id": enrolment.session_id,
        "person_id": enrolment.person_id,
        "person_name": str(enrolment.person),
        "status": enrolment.status,
        "status_label": enrolment.get_status_display(),
        "source": enrolment.source,
        "half_days_signed": signed,
    }


def appointment_out(appointment: Appointment, *, user: Any) -> dict[str, Any]:
    """An appointment as `user` may see it: private notes only for staff and direction."""
    participants = list(appointment.participants.all())
    return {
        "id": appointment.pk,
        "staff_id": appointment.staff_id,
        "staff_name": str(appointment.staff),
        "participant_ids": [p.pk for p in participants],
        "participant_names": [str(p) for p in participants],
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "place": appointment.place,
        "video_link": appointment.video_link,
        "subject": appointment.subject,
        "notes": appointment.notes,
        "private_notes": appointment.private_notes if can_manage(user) else None,
        "status": appointment.status,
        "next_steps": [
            {
                "id": s.pk,
                "description": s.description,
                "due_date": s.due_date,
                "done": s.done_at is not None,
            }
            for s in appointment.next_steps.all()
        ],
    }


@router.get("/sessions", response={200: SessionPage, **ERRORS}, summary="Sessions d'ateliers")
def session_list(request: HttpRequest, filters: Query[SessionQuery]) -> dict[str, Any]:
    """Le programme des sessions (annulées comprises pour l'équipe), avec les places prises."""
    sessions = selectors.sessions_list(
        user=request.user,
        filters=selectors.SessionFilters(
            start=filters.start,
            end=filters.end,
            kind=filters.kind.value if filters.kind else "",
            workshop=filters.workshop,
            include_cancelled=can_manage(request.user),
        ),
    )
    page = paginate(sessions, page=filters.page, page_size=filters.page_size)
    page["results"] = [session_out(s) for s in page["results"]]
    return page


@router.get("/sessions/{int:session_id}", response={200: SessionOut, **ERRORS}, summary="Session")
def session_detail(request: HttpRequest, session_id: int) -> dict[str, Any]:
    return session_out(selectors.session_get(user=request.user, pk=session_id))


@router.get(
    "/sessions/{int:session_id}/enrolments",
    response={200: list[EnrolmentOut], **ERRORS},
    summary="Inscriptions d'une session",
)
def session_enrolments(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    """Toutes pour l'équipe et le·la formateur·rice ; la sienne seulement pour un·e entrepreneur·e."""
    session = selectors.session_get(user=request.user, pk=session_id)
    return [
        enrolment_out(e) for e in selectors.session_enrolments(user=request.user, session=session)
    ]


@router.post(
    "/sessions/{int:session_id}/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    summary="S'inscrire ou inscrire quelqu'un",
)
def session_enrol(request: HttpRequest, session_id: int, payload: EnrolmentIn) -> HttpStatus:
    """Sans `person_id` : s'inscrire soi-même. Avec : équipe d'appui et direction seulement.

    Une place libre donne une inscription confirmée (et la convocation), sinon la liste d'attente.
    """
    session = selectors.session_get(user=request.user, pk=session_id)
    person: Person | None
    if payload.person_id is None:
        person = getattr(request.user, "person", None)
        if person is None:
            raise ValidationError({"person_id": _("Votre compte n'a pas de fiche personne.")})
        source = Enrolment.Source.SELF
    else:
        require_manager(request)
        person = person_get(user=request.user, pk=payload.person_id)
        source = Enrolment.Source.STAFF
    enrolment = services.enrolment_create(
        actor=request.user, session=session, person=person, source=source
    )
    return HttpStatus(201, enrolment_out(enrolment))


@router.post(
    "/enrolments/{int:enrolment_id}/cancel",
    response={200: EnrolmentOut, **ERRORS},
    summary="Annuler une inscription",
)
def enrolment_cancel(request: HttpRequest, enrolment_id: int) -> dict[str, Any]:
    """Par la personne inscrite ou l'équipe ; la liste d'attente avance."""
    enrolment = selectors.enrolment_get(user=request.user, pk=enrolment_id)
    if not (can_manage(request.user) or _person_id(request) == enrolment.person_id):
        raise Http404
    return enrolment_out(services.enrolment_cancel(actor=request.user, enrolment=enrolment))


@router.get(
    "/my-enrolments", response={200: list[EnrolmentOut], **ERRORS}, summary="Mes inscriptions"
)
def my_enrolments(request: HttpRequest) -> list[dict[str, Any]]:
    return [enrolment_out(e) for e in selectors.my_enrolments(user=request.user)]


def _appointments_allowed(request: HttpRequest) -> None:
    if not (can_manage(request.user) or _person_id(request)):
        raise PermissionDenied


@router.get("/appointments", response={200: AppointmentPage, **ERRORS}, summary="Rendez-vous")
def appointment_list(request: HttpRequest, filters: Query[AppointmentQuery]) -> dict[str, Any]:
    """Tous pour l'équipe ; les siens pour un·e entrepreneur·e, sans les notes privées."""
    _appointments_allowed(request)
    appointments = selectors.appointments_list(
        user=request.user,
        filters=selectors.AppointmentFilters(
            staff=filters.staff,
            start=filters.start,
            end=filters.end,
            status=filters.status.value if filters.status else "",
        ),
    )
    page = paginate(appointments, page=filters.page, page_size=filters.page_size)
    page["results"] = [appointment_out(a, user=request.user) for a in page["results"]]
    return page


@router.get(
    "/appointments/{int:appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="Un rendez-vous",
)
def appointment_detail(request: HttpRequest, appointment_id: int) -> dict[str, Any]:
    _appointments_allowed(request)
    appointment = selectors.appointment_get(user=request.user, pk=appointment_id)
    return appointment_out(appointment, user=request.user)


@router.post(
    "/appointments", response={201: AppointmentOut, **ERRORS}, summary="Créer un rendez-vous"
)
def appointment_create(request: HttpRequest, payload: AppointmentIn) -> HttpStatus:
    """Équipe d'appui et direction seulement."""
    require_manager(request)
    data = payload.model_dump()
    staff = User.objects.filter(pk=data.pop("staff_id")).first()
    if staff is None:
        raise ValidationError({"staff_id": _("Compte inconnu.")})
    ids = data.pop("participant_ids")
    participants = list(Person.objects.visible_to(request.user).filter(pk__in=ids))
    if len(participants) != len(set(ids)):
        raise ValidationError({"participant_ids": _("Personne inconnue.")})
    appointment = appointment_services.appointment_create(
        actor=request.user, staff=staff, participants=participants, **data
    )
    appointment = selectors.appointment_get(user=request.user, pk=appointment.pk)
    return HttpStatus(201, appointment_out(appointment, user=request.user))
