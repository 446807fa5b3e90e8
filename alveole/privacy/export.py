"""Everything Alvéole holds about one person, app by app (GDPR Art. 15 and 20).

Each app contributes a collector registered here; the collectors read other apps' models
and never write. A collector returns a JSON-ready value (lists of dicts of plain values).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q

from alveole.core.models import AuditEvent
from alveole.people.models import Person

Collector = Callable[[Person], dict[str, list[dict[str, Any]]]]
#: app label → collector; the order is the order of the export.
COLLECTORS: dict[str, Collector] = {}


def collector(app: str) -> Callable[[Collector], Collector]:
    def register(function: Collector) -> Collector:
        COLLECTORS[app] = function
        return function

    return register


def plain(value: Any) -> Any:
    """A field value as JSON reads it."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} octets>" if len(value) else ""
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


#: Fields that are secrets of the system, not data about the person.
SECRET_FIELDS = frozenset(
    {"password", "token", "key_hash", "secret_hash", "key", "token_hash", "registration_token"}
)


def record(instance: models.Model) -> dict[str, Any]:
    """One row as a dict: every concrete field, foreign keys as their id and their label."""
    data: dict[str, Any] = {"id": instance.pk}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.primary_key:
            continue
        if field.is_relation:
            related_id = getattr(instance, field.attname)
            data[field.name] = related_id
            if related_id is not None:
                data[f"{field.name}_label"] = str(getattr(instance, field.name))
            continue
        value = getattr(instance, field.attname)
        if getattr(field, "choices", None) and value not in (None, ""):
            data[f"{field.name}_label"] = str(getattr(instance, f"get_{field.name}_display")())
        data[field.name] = plain(value)
    return data


def rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    return [record(instance) for instance in queryset.order_by("pk")]


def linked_to(person: Person, app_label: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of an app's models that points at the person (foreign key or many-to-many)."""
    out: dict[str, list[dict[str, Any]]] = {}
    from django.apps import apps

    for model in apps.get_app_config(app_label).get_models():
        lookups = [
            Q(**{field.name: person})
            for field in model._meta.get_fields()
            if isinstance(field, models.ForeignKey | models.ManyToManyField)
            and field.related_model is Person
        ]
        if not lookups:
            continue
        query = lookups[0]
        for lookup in lookups[1:]:
            query |= lookup
        found = rows(model._default_manager.filter(query).distinct())
        if found:
            out[model._meta.model_name] = found
    return out


@collector("people")
def _people(person: Person) -> dict[str, list[dict[str, Any]]]:
    data = {"person": [record(person)]}
    user = getattr(person, "user", None) if hasattr(person, "user") else None
    if user is not None:
        data["account"] = [
            {
                "email": user.email,
                "role": user.role,
                "is_active": user.is_active,
                "date_joined": plain(user.date_joined),
                "last_login": plain(user.last_login),
            }
        ]
        data["api_tokens"] = [
            {"name": t.name, "created_at": plain(t.created_at), "revoked_at": plain(t.revoked_at)}
            for t in user.api_tokens.order_by("pk")
        ]
    data.update(linked_to(person, "people"))
    return data


def _app(label: str) -> Collector:
    def collect(person: Person) -> dict[str, list[dict[str, Any]]]:
        return linked_to(person, label)

    collect.__name__ = f"_{label}"
    return collect


collector("businesses")(_app("businesses"))
collector("payroll")(_app("payroll"))
collector("purchases")(_app("purchases"))


@collector("support")
def _support(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Appointments and enrolments, with what hangs from them: attendance, absences, surveys."""
    from alveole.support.models import Absence, NextStep, Signature, SurveyResponse

    data = linked_to(person, "support")
    more = {
        "signature": rows(Signature.objects.filter(enrolment__person=person)),
        "absence": rows(Absence.objects.filter(enrolment__person=person)),
        "surveyresponse": rows(SurveyResponse.objects.filter(enrolment__person=person)),
        "nextstep": rows(NextStep.objects.filter(appointment__participants=person).distinct()),
    }
    data.update({key: value for key, value in more.items() if value})
    return data


collector("governance")(_app("governance"))


@collector("support_staff_side")
def _support_as_staff(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Appointments and sessions the person's account took part in as staff or trainer."""
    user = getattr(person, "user", None) if hasattr(person, "user") else None
    if user is None:
        return {}
    from alveole.support.models import Appointment, WorkshopSession

    out = {
        "appointment": rows(Appointment.objects.filter(staff=user)),
        "workshopsession": rows(WorkshopSession.objects.filter(trainer_user=user)),
    }
    return {key: value for key, value in out.items() if value}


@collector("audit")
def _audit(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Who read or changed the person's file, and what the person's account did."""
    about = AuditEvent.objects.for_target("people.person", person.pk).select_related("actor")
    data = {
        "about_person": [
            {
                "at": plain(event.at),
                "actor": str(event.actor) if event.actor else "",
                "action": event.action,
                "summary": event.summary,
            }
            for event in about
        ]
    }
    user = getattr(person, "user", None) if hasattr(person, "user") else None
    if user is not None:
        data["by_account"] = [
            {
                "at": plain(event.at),
                "action": event.action,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "summary": event.summary,
            }
            for event in AuditEvent.objects.filter(actor=user)
        ]
    return data


def collect(person: Person) -> dict[str, Any]:
    """Every app's piece about the person, keyed by app."""
    return {app: function(person) for app, function in COLLECTORS.items()}
