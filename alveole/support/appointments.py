"""Operations on appointments, their next steps and the staff calendar feeds (services)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record, model_changes
from alveole.people.models import Person, PersonKind, User
from alveole.support.models import Appointment, CalendarFeed, NextStep, new_token
from alveole.support.tasks import schedule_reminders

APPOINTMENT_FIELDS = (
    "starts_at", "ends_at", "place", "video_link", "subject", "notes", "private_notes",
)  # fmt: skip


def _validate(appointment: Appointment, participants: list[Person]) -> None:
    errors: dict[str, list[str]] = {}
    if appointment.staff.role not in MANAGER_ROLES or not appointment.staff.is_active:
        errors["staff"] = [_("Un rendez-vous est mené par un membre de l'équipe d'appui.")]
    if not participants:
        errors["participants"] = [_("Choisissez au moins un·e entrepreneur·e.")]
    elif any(p.kind != PersonKind.ENTREPRENEUR for p in participants):
        errors["participants"] = [_("Les participant·es sont des entrepreneur·es.")]
    if not appointment.subject:
        errors["subject"] = [_("Indiquez l'objet du rendez-vous.")]
    if appointment.ends_at <= appointment.starts_at:
        errors["ends_at"] = [_("La fin du rendez-vous doit suivre son début.")]
    elif appointment.ends_at - appointment.starts_at > datetime.timedelta(hours=12):
        errors["ends_at"] = [_("Un rendez-vous dure au plus 12 heures.")]
    if errors:
        raise ValidationError(errors)
    appointment.full_clean(exclude=["staff"])


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(APPOINTMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


@transaction.atomic
def appointment_create(
    *, actor: Any, staff: User, participants: list[Person], **fields: Any
) -> Appointment:
    """Plan an appointment; its reminder is scheduled once it is committed."""
    appointment = Appointment(staff=staff, **_clean_fields(fields))
    participants = list(participants)
    _validate(appointment, participants)
    appointment.save()
    appointment.participants.set(participants)
    names = ", ".join(str(p) for p in participants)
    audit_record(
        actor=actor,
        action="create",
        target=appointment,
        summary=f"Rendez-vous {appointment} avec {names}",
    )
    if appointment.starts_at > timezone.now():  # a past appointment has nothing to remind
        transaction.on_commit(lambda: schedule_reminders(appointment.starts_at))
    return appointment


@transaction.atomic
def appointment_update(
    *,
    actor: Any,
    appointment: Appointment,
    staff: User | None = None,
    participants: list[Person] | None = None,
    **fields: Any,
) -> Appointment:
    """Change an appointment; moving it re-arms its reminder."""
    fields = _clean_fields(fields)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Appointment.Status.CANCELLED:
        raise ValidationError(_("Ce rendez-vous est annulé."))
    changes = model_changes(appointment, fields)
    # Private notes are recorded as changed, never copied into the audit trail.
    if "private_notes" in changes:
        changes["private_notes"] = ["…", "…"]
    moved = "starts_at" in changes
    for name, value in fields.items():
        setattr(appointment, name, value)
    if staff is not None and staff != appointment.staff:
        changes["staff"] = [str(appointment.staff), str(staff)]
        appointment.staff = staff
    people = (
        list(participants) if participants is not None else list(appointment.participants.all())
    )
    _validate(appointment, people)
    if moved:
        appointment.reminder_sent_at = None
    appointment.save()
    if participants is not None:
        appointment.participants.set(people)
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=appointment,
            summary=f"Rendez-vous {appointment}",
            changes=changes,
        )
    if moved:
        transaction.on_commit(lambda: schedule_reminders(appointment.starts_at))
    return appointment


@transaction.atomic
def appointment_set_status(*, actor: Any, appointment: Appointment, status: str) -> Appointment:
    """Mark an appointment as held or cancelled (or planned again)."""
    if status not in Appointment.Status.values:
        raise ValidationError({"status": _("Statut inconnu.")})
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status == Appointment.Status.DONE and appointment.starts_at > timezone.now():
        raise ValidationError(_("Un rendez-vous à venir ne peut pas être marqué comme tenu."))
    old = appointment.status
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=appointment,
        summary=f"Rendez-vous {appointment} : {appointment.get_status_display()}",
        changes={"status": [old, status]},
    )
    return appointment


@transaction.atomic
def next_step_add(
    *, actor: Any, appointment: Appointment, description: str, due_date: datetime.date
) -> NextStep:
    """Record a next step agreed during an appointment."""
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Décrivez l'action convenue.")})
    if due_date is None:
        raise ValidationError({"due_date": _("Indiquez l'échéance.")})
    if due_date < timezone.localtime(appointment.starts_at).date():
        raise ValidationError({"due_date": _("L'échéance ne peut pas précéder le rendez-vous.")})
    step = NextStep.objects.create(
        appointment=appointment, description=description, due_date=due_date
    )
    audit_record(
        actor=actor, action="create", target=step, summary=f"Prochaine étape : {description}"
    )
    return step


@transaction.atomic
def next_step_set_done(
    *, actor: Any, step: NextStep, done: bool, at: datetime.datetime | None = None
) -> NextStep:
    """Tick (or untick) a next step; `at` records when it was done (never in the future)."""
    step = NextStep.objects.select_for_update().get(pk=step.pk)
    if at is not None and at > timezone.now():
        raise ValidationError({"done_at": _("Une étape ne peut pas être faite dans le futur.")})
    step.done_at = (at or timezone.now()) if done else None
    step.save(update_fields=["done_at", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=step,
        summary=f"Prochaine étape {'faite' if done else 'à faire'} : {step.description}",
    )
    return step


@transaction.atomic
def calendar_feed_get(*, actor: Any, user: User) -> CalendarFeed:
    """The staff member's calendar feed, created the first time it is asked for."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        audit_record(
            actor=actor, action="create", target=feed, summary=f"Flux d'agenda de {user.email}"
        )
    return feed


@transaction.atomic
def calendar_feed_renew(*, actor: Any, user: User) -> CalendarFeed:
    """Give the feed a new secret address; the old one stops working at once."""
    feed = calendar_feed_get(actor=actor, user=user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    audit_record(
        actor=actor,
        action="update",
        target=feed,
        summary=f"Nouvelle adresse du flux de {user.email}",
    )
    return feed
