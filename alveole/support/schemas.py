"""Shapes of the support API (django-ninja schemas)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from alveole.core.api import PageQuery, inline_enum
from alveole.support.models import Appointment, WorkshopKind

AppointmentStatus = inline_enum(Appointment.Status)


class StrictIn(Schema):
    """An input body: an unknown field is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class SlotOut(Schema):
    id: int
    date: datetime.date
    half_day: str
    # Local wall-clock times without an offset: RFC 3339 "partial-time", not "time".
    start_time: datetime.time = Field(json_schema_extra={"format": "partial-time"})
    end_time: datetime.time = Field(json_schema_extra={"format": "partial-time"})


class SessionOut(Schema):
    id: int
    workshop_id: int
    workshop_title: str
    kind: str
    status: str
    trainer_name: str
    location: str
    online: bool
    capacity: int
    confirmed_count: int
    waiting_count: int
    slots: list[SlotOut]


class SessionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SessionOut]


class SessionQuery(PageQuery):
    start: datetime.date | None = Field(
        None, description="Sessions qui finissent ce jour ou après."
    )
    end: datetime.date | None = Field(None, description="Sessions qui commencent ce jour ou avant.")
    kind: WorkshopKind | None = None
    workshop: int | None = Field(None, description="Identifiant de l'atelier.")


class EnrolmentIn(StrictIn):
    person_id: int | None = Field(
        None, description="Équipe d'appui : la personne à inscrire. Vide : soi-même."
    )


class EnrolmentOut(Schema):
    id: int
    session_id: int
    person_id: int
    person_name: str
    status: str
    status_label: str
    source: str
    half_days_signed: int


class AppointmentQuery(PageQuery):
    start: datetime.date | None = None
    end: datetime.date | None = None
    staff: int | None = Field(None, description="Identifiant du compte de l'accompagnateur·rice.")
    status: AppointmentStatus | None = None


class NextStepOut(Schema):
    id: int
    description: str
    due_date: datetime.date
    done: bool


class AppointmentOut(Schema):
    id: int
    staff_id: int
    staff_name: str
    participant_ids: list[int]
    participant_names: list[str]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    video_link: str
    subject: str
    notes: str
    private_notes: str | None = Field(
        None, description="Notes privées de l'équipe : toujours nulles pour un·e entrepreneur·e."
    )
    status: str
    next_steps: list[NextStepOut]


class AppointmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AppointmentOut]


class AppointmentIn(StrictIn):
    staff_id: int
    participant_ids: list[int]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    subject: str
    place: str = ""
    video_link: str = ""
    notes: str = ""
    private_notes: str = ""
