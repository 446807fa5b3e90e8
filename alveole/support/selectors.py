"""Reads of the support app, always scoped to the user who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404

from alveole.core.dates import today
from alveole.core.permissions import can_manage
from alveole.people.models import (
    Contract,
    InformationMeeting,
    IntakeInterview,
    Person,
    PersonKind,
    PersonQuerySet,
)
from alveole.support.models import (
    Absence,
    Appointment,
    Enrolment,
    NextStep,
    Programme,
    QualityEvent,
    Signature,
    Slot,
    SurveyResponse,
    Workshop,
    WorkshopSession,
)

#: A candidate who was not integrated is erased two years after the last contact (GDPR).
CANDIDATE_RETENTION_DAYS = 2 * 365


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# --- workshops and sessions -------------------------------------------------------------


def workshops_list(*, user: Any, q: str = "", kind: str = "", active: bool | None = True):
    """The catalogue: every logged-in user may read it; with its number of sessions."""
    if not _active(user):
        return Workshop.objects.none()
    workshops = Workshop.objects.select_related(
        "trainer_user", "trainer_user__person", "trainer_person"
    ).annotate(session_count=Count("sessions", filter=~Q(sessions__status="cancelled")))
    if q:
        for word in q.split():
            workshops = workshops.filter(Q(title__icontains=word) | Q(objectives__icontains=word))
    if kind:
        workshops = workshops.filter(kind=kind)
    if active is not None:
        workshops = workshops.filter(active=active)
    return workshops.order_by("title", "pk")


def workshop_get(*, user: Any, pk: int) -> Workshop:
    return get_object_or_404(workshops_list(user=user, active=None), pk=pk)


def _sessions_base() -> QuerySet[WorkshopSession]:
    return (
        WorkshopSession.objects.select_related(
            "workshop", "office", "trainer_user", "trainer_user__person", "trainer_person"
        )
        .prefetch_related(Prefetch("slots", queryset=Slot.objects.order_by("date", "start_time")))
        .annotate(
            first_date=Min("slots__date"),
            last_date=Max("slots__date"),
            confirmed_count=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.CONFIRMED), distinct=True
            ),
            waiting_count=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING), distinct=True
            ),
        )
    )


@dataclass(frozen=True)
class SessionFilters:
    """Filters of the sessions list (page and export)."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    kind: str = ""
    workshop: int | None = None
    q: str = ""
    include_cancelled: bool = False


def sessions_list(*, user: Any, filters: SessionFilters) -> QuerySet[WorkshopSession]:
    """Sessions: every logged-in user sees the programme; counts of places and waiting list."""
    if not _active(user):
        return WorkshopSession.objects.none()
    sessions = _sessions_base()
    if not filters.include_cancelled:
        sessions = sessions.exclude(status=WorkshopSession.Status.CANCELLED)
    if filters.start:
        sessions = sessions.filter(Q(last_date__gte=filters.start))
    if filters.end:
        sessions = sessions.filter(Q(first_date__lte=filters.end))
    if filters.kind:
        sessions = sessions.filter(workshop__kind=filters.kind)
    if filters.workshop:
        sessions = sessions.filter(workshop_id=filters.workshop)
    if filters.q:
        for word in filters.q.split():
            sessions = sessions.filter(workshop__title__icontains=word)
    return sessions.order_by(F("first_date").asc(nulls_last=True), "pk")


def session_get(*, user: Any, pk: int) -> WorkshopSession:
    """One session (cancelled ones only for staff); 404 otherwise."""
    if not _active(user):
        raise Http404
    sessions = _sessions_base()
    if not can_manage(user):
        sessions = sessions.exclude(status=WorkshopSession.Status.CANCELLED)
    return get_object_or_404(sessions, pk=pk)


def can_run_session(user: Any, session: WorkshopSession) -> bool:
    """Staff and direction, and the session's own trainer, run its enrolments and attendance."""
    if not _active(user):
        return False
    if can_manage(user):
        return True
    if session.trainer_user_id is not None and session.trainer_user_id == user.pk:
        return True
    return bool(user.person_id and session.trainer_person_id == user.person_id)


def session_enrolments(*, user: Any, session: WorkshopSession) -> list[Enrolment]:
    """The enrolments of a session a user may see: all for who runs it, one's own otherwise."""
    enrolments = (
        Enrolment.objects.filter(session=session)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("person")
        .order_by("status", "requested_at", "pk")
    )
    if can_run_session(user, session):
        return list(enrolments)
    if _active(user) and user.person_id:
        return list(enrolments.filter(person_id=user.person_id))
    return []


def enrolment_get(*, user: Any, pk: int) -> Enrolment:
    """One enrolment: its trainee, or who runs the session (404 otherwise)."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("person", "session", "session__workshop"), pk=pk
    )
    if can_run_session(user, enrolment.session):
        return enrolment
    if _active(user) and user.person_id and enrolment.person_id == user.person_id:
        return enrolment
    raise Http404


def my_enrolments(*, user: Any) -> QuerySet[Enrolment]:
    """An entrepreneur's own enrolments, newest session first, with what they attended."""
    if not _active(user) or not user.person_id:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(person_id=user.person_id)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("person", "session", "session__workshop", "session__office")
        .prefetch_related(
            Prefetch("session__slots", queryset=Slot.objects.order_by("date", "start_time"))
        )
        .annotate(
            first_date=Min("session__slots__date"),
            signed_count=Count(
                "signatures", filter=Q(signatures__role=Signature.Role.TRAINEE), distinct=True
            ),
            survey_token=Subquery(
                SurveyResponse.objects.filter(
                    enrolment=OuterRef("pk"), answered_at__isnull=True
                ).values("token")[:1]
            ),
        )
        .order_by(F("first_date").desc(nulls_last=True), "-pk")
    )


@dataclass
class AttendanceCell:
    """One trainee on one half-day: signed, absent (excused or not) or nothing yet."""

    signature: Signature | None = None
    absence: Absence | None = None


@dataclass
class AttendanceGrid:
    """The attendance of a session: for each confirmed trainee, one cell per half-day."""

    slots: list[Slot]
    rows: list[tuple[Enrolment, list[AttendanceCell]]]
    trainer: list[Signature | None] = field(default_factory=list)


def attendance_grid(session: WorkshopSession) -> AttendanceGrid:
    """Who signed which half-day, in three queries whatever the size of the session."""
    slots = list(session.slots.all())
    enrolments = list(
        session.enrolments.filter(status=Enrolment.Status.CONFIRMED)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    signatures = Signature.objects.filter(slot__session=session).defer("image_png")
    by_key: dict[tuple[int, int | None], Signature] = {
        (s.slot_id, s.enrolment_id): s for s in signatures
    }
    absences = {
        (a.slot_id, a.enrolment_id): a for a in Absence.objects.filter(slot__session=session)
    }
    rows = [
        (
            enrolment,
            [
                AttendanceCell(
                    signature=by_key.get((slot.pk, enrolment.pk)),
                    absence=absences.get((slot.pk, enrolment.pk)),
                )
                for slot in slots
            ],
        )
        for enrolment in enrolments
    ]
    trainer = [by_key.get((slot.pk, None)) for slot in slots]
    return AttendanceGrid(slots=slots, rows=rows, trainer=trainer)


def slot_get(*, user: Any, pk: int) -> Slot:
    """A half-day of a session the user runs (404 otherwise)."""
    slot = get_object_or_404(
        Slot.objects.select_related(
            "session", "session__workshop", "session__trainer_user", "session__trainer_person"
        ),
        pk=pk,
    )
    if not can_run_session(user, slot.session):
        raise Http404
    return slot


# --- satisfaction ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyResults:
    """Answers to the satisfaction questionnaire: rates, averages and comments."""

    sent: int
    answered: int
    averages: dict[str, float | None]
    comments: list[tuple[str, str]]

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.answered / self.sent) if self.sent else None


def survey_results(*, responses: QuerySet[SurveyResponse]) -> SurveyResults:
    """Aggregated by the database; comments are shown without names."""
    totals = responses.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        **{name: Avg(name) for name in SurveyResponse.RATINGS},
    )
    comments = list(
        responses.filter(answered_at__isnull=False)
        .exclude(liked="", to_improve="")
        .order_by("answered_at", "pk")
        .values_list("liked", "to_improve")
    )
    return SurveyResults(
        sent=totals["sent"],
        answered=totals["answered"],
        averages={
            name: round(totals[name], 2) if totals[name] is not None else None
            for name in SurveyResponse.RATINGS
        },
        comments=comments,
    )


def session_survey_results(*, user: Any, session: WorkshopSession) -> SurveyResults | None:
    if not can_manage(user):
        return None
    return survey_results(responses=SurveyResponse.objects.filter(session=session))


def workshop_survey_results(*, user: Any, workshop: Workshop) -> SurveyResults | None:
    if not can_manage(user):
        return None
    return survey_results(responses=SurveyResponse.objects.filter(session__workshop=workshop))


def workshop_results_by_session(*, user: Any, workshop: Workshop) -> QuerySet[WorkshopSession]:
    """Each session of a workshop with its answer counts and overall average."""
    if not can_manage(user):
        return WorkshopSession.objects.none()
    return (
        WorkshopSession.objects.filter(workshop=workshop)
        .exclude(status=WorkshopSession.Status.CANCELLED)
        .annotate(
            first_date=Min("slots__date"),
            sent=Count("survey_responses", distinct=True),
            answered=Count(
                "survey_responses",
                filter=Q(survey_responses__answered_at__isnull=False),
                distinct=True,
            ),
            overall=Avg("survey_responses__rating_overall"),
        )
        .order_by(F("first_date").desc(nulls_last=True))
    )


# --- appointments ---------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFilters:
    staff: int | None = None
    person: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    status: str = ""
    q: str = ""


def appointments_list(*, user: Any, filters: AppointmentFilters) -> QuerySet[Appointment]:
    """Appointments the user may see (an entrepreneur: their own), participants and steps loaded.

    Private notes are deferred for anyone who is not staff: pages never print them for an
    entrepreneur, and exports leave the column out.
    """
    appointments = (
        Appointment.objects.visible_to(user)
        .select_related("staff", "staff__person")
        .prefetch_related(
            Prefetch("participants", queryset=Person.objects.order_by("last_name", "first_name")),
            Prefetch("next_steps", queryset=NextStep.objects.order_by("due_date", "pk")),
        )
    )
    if not can_manage(user):
        appointments = appointments.defer("private_notes")
    if filters.staff:
        appointments = appointments.filter(staff_id=filters.staff)
    if filters.person:
        appointments = appointments.filter(participants=filters.person)
    if filters.start:
        appointments = appointments.filter(starts_at__date__gte=filters.start)
    if filters.end:
        appointments = appointments.filter(starts_at__date__lte=filters.end)
    if filters.status:
        appointments = appointments.filter(status=filters.status)
    if filters.q:
        for word in filters.q.split():
            appointments = appointments.filter(
                Q(subject__icontains=word)
                | Q(participants__last_name__icontains=word)
                | Q(participants__first_name__icontains=word)
            )
        appointments = appointments.distinct()
    return appointments.order_by("starts_at", "pk")


def appointment_get(*, user: Any, pk: int) -> Appointment:
    return get_object_or_404(appointments_list(user=user, filters=AppointmentFilters()), pk=pk)


def staff_calendar(
    *, user: Any, staff: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """A staff member's appointments and the half-days they train, from start to end inclusive."""
    if not can_manage(user):
        return {"appointments": [], "slots": []}
    appointments = appointments_list(
        user=user, filters=AppointmentFilters(staff=staff.pk, start=start, end=end)
    ).exclude(status=Appointment.Status.CANCELLED)
    slots = (
        Slot.objects.filter(
            session__trainer_user=staff,
            session__status=WorkshopSession.Status.SCHEDULED,
            date__gte=start,
            date__lte=end,
        )
        .select_related("session", "session__workshop", "session__office")
        .order_by("date", "start_time")
    )
    return {"appointments": list(appointments), "slots": list(slots)}


def calendar_feed_items(*, staff: Any, since: datetime.date) -> dict[str, list]:
    """What a staff member's ICS feed lists (the token was checked by the view)."""
    appointments = (
        Appointment.objects.filter(staff=staff, starts_at__date__gte=since)
        .exclude(status=Appointment.Status.CANCELLED)
        .defer("private_notes", "notes")
        .prefetch_related("participants")
        .order_by("starts_at")
    )
    slots = (
        Slot.objects.filter(
            session__trainer_user=staff,
            session__status=WorkshopSession.Status.SCHEDULED,
            date__gte=since,
        )
        .select_related("session", "session__workshop", "session__office")
        .order_by("date", "start_time")
    )
    return {"appointments": list(appointments), "slots": list(slots)}


# --- intake pipeline ------------------------------------------------------------------


class Stage:
    """The columns of the intake board."""

    MEETING = "meeting"
    INTEGRATED = "integrated"
    POSTPONED = "postponed"
    NOT_INTEGRATED = "not_integrated"


def _candidates(user: Any) -> PersonQuerySet:
    """Project holders with their last interview, last contact and whether they signed a contract."""
    last_interview = IntakeInterview.objects.filter(person=OuterRef("pk")).order_by("-date", "-pk")
    meeting_date = InformationMeeting.objects.filter(attendees=OuterRef("pk")).order_by("-date")
    appointment_date = (
        Appointment.objects.filter(participants=OuterRef("pk"))
        .exclude(status=Appointment.Status.CANCELLED)
        .annotate(day=TruncDate("starts_at"))
        .order_by("-starts_at")
    )
    epoch = Value(datetime.date(1900, 1, 1))
    people = Person.objects.visible_to(user) if can_manage(user) else Person.objects.none()
    return (
        people.filter(kind=PersonKind.ENTREPRENEUR)
        .annotate(
            last_meeting=Subquery(meeting_date.values("date")[:1]),
            last_interview_date=Subquery(last_interview.values("date")[:1]),
            last_decision=Subquery(last_interview.values("decision")[:1]),
            last_appointment=Subquery(appointment_date.values("day")[:1]),
            has_contract=Exists(
                Contract.objects.filter(
                    person=OuterRef("pk"), kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA]
                )
            ),
        )
        .annotate(
            last_contact=Greatest(
                Coalesce("last_meeting", epoch),
                Coalesce("last_interview_date", epoch),
                Coalesce("last_appointment", epoch),
                Coalesce(TruncDate("created_at"), epoch),
            )
        )
        .select_related("office")
    )


def intake_board(*, user: Any, since: datetime.date) -> dict[str, list[Person]]:
    """Candidates in contact since a date, by stage of the intake pipeline (one query)."""
    people = (
        _candidates(user)
        .filter(Q(last_meeting__isnull=False) | Q(last_interview_date__isnull=False))
        .filter(Q(last_contact__gte=since))
        .order_by("-last_contact", "last_name", "first_name", "pk")
    )
    board: dict[str, list[Person]] = {
        Stage.MEETING: [],
        Stage.INTEGRATED: [],
        Stage.POSTPONED: [],
        Stage.NOT_INTEGRATED: [],
    }
    for person in people:
        stage = getattr(person, "last_decision", None) or Stage.MEETING
        board.setdefault(stage, []).append(person)
    return board


def candidates_due_for_erasure(*, user: Any, at: datetime.date | None = None) -> PersonQuerySet:
    """Project holders never integrated whose last contact is more than two years old (GDPR)."""
    at = at or today()
    limit = at - datetime.timedelta(days=CANDIDATE_RETENTION_DAYS)
    return (
        _candidates(user)
        .filter(Q(has_contract=False) & Q(last_contact__lt=limit))
        .exclude(memberships__isnull=False)
        .exclude(user__isnull=False)
        .order_by("last_contact", "last_name", "pk")
    )


def recent_information_meetings(*, user: Any, limit: int = 8) -> list[InformationMeeting]:
    """The last information meetings with their number of attendees (staff only)."""
    if not can_manage(user):
        return []
    return list(
        InformationMeeting.objects.select_related("office")
        .annotate(attendee_count=Count("attendees"))
        .order_by("-date", "-pk")[:limit]
    )


def quality_events(*, user: Any, kind: str = "", status: str = "") -> QuerySet[QualityEvent]:
    """Complaints and improvement actions (staff and direction only)."""
    if not can_manage(user):
        return QualityEvent.objects.none()
    events = QualityEvent.objects.select_related("workshop", "session", "complaint").annotate(
        session_date=Min("session__slots__date")
    )
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events.order_by("-date", "-pk")


def quality_event_get(*, user: Any, pk: int) -> QualityEvent:
    return get_object_or_404(quality_events(user=user), pk=pk)


def programmes_list(*, user: Any, year: int | None = None) -> QuerySet[Programme]:
    """Programmes and co-development groups (staff and direction: the groups are confidential)."""
    if not can_manage(user):
        return Programme.objects.none()
    programmes = Programme.objects.select_related("coordinator", "coordinator__person").annotate(
        session_count=Count("sessions", distinct=True),
        participant_count=Count("participants", distinct=True),
    )
    if year:
        programmes = programmes.filter(year=year)
    return programmes.order_by("-year", "name", "pk")


def programme_get(*, user: Any, pk: int) -> Programme:
    return get_object_or_404(programmes_list(user=user), pk=pk)


@dataclass(frozen=True)
class ProgrammeLine:
    """One participant of a programme: what they were enrolled in and what they attended."""

    person: Person
    sessions_enrolled: int
    half_days_signed: int
    hours: float


def programme_report(programme: Programme) -> dict[str, Any]:
    """The funder's view: sessions, and per participant the half-days signed (a fixed number of queries)."""
    sessions = list(
        _sessions_base().filter(programmes=programme).order_by(F("first_date").asc(nulls_last=True))
    )
    session_ids = [s.pk for s in sessions]
    people = list(programme.participants.order_by("last_name", "first_name", "pk"))
    enrolled = dict(
        Enrolment.objects.filter(
            session_id__in=session_ids, status=Enrolment.Status.CONFIRMED, person__in=people
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    signed: dict[int, list[Slot]] = {}
    for signature in (
        Signature.objects.filter(
            role=Signature.Role.TRAINEE,
            slot__session_id__in=session_ids,
            enrolment__person__in=people,
        )
        .select_related("slot", "enrolment")
        .defer("image_png")
    ):
        signed.setdefault(signature.enrolment.person_id, []).append(signature.slot)
    lines = [
        ProgrammeLine(
            person=person,
            sessions_enrolled=enrolled.get(person.pk, 0),
            half_days_signed=len(signed.get(person.pk, [])),
            hours=round(sum(slot.hours for slot in signed.get(person.pk, [])), 2),
        )
        for person in people
    ]
    return {
        "sessions": sessions,
        "lines": lines,
        "total_half_days": sum(line.half_days_signed for line in lines),
        "total_hours": round(sum(line.hours for line in lines), 2),
        "attended": sum(1 for line in lines if line.half_days_signed),
    }
