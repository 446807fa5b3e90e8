"""Operations of the support app; every write of workshops, attendance and surveys goes here.

Appointments have their own module (`appointments.py`) to keep both files readable.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from alveole.core.formatting import format_date
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record, model_changes
from alveole.people.models import InformationMeeting, Person, PersonKind, User
from alveole.people.services import information_meeting_create, person_create
from alveole.support import mails
from alveole.support.models import (
    Absence,
    Enrolment,
    HalfDay,
    Programme,
    QualityEvent,
    Signature,
    SigningLink,
    Slot,
    SurveyResponse,
    Workshop,
    WorkshopSession,
)

#: Attendance can be signed from a little before a half-day starts…
SIGNING_OPENS_BEFORE = datetime.timedelta(minutes=30)
#: …until a little after it ends; later, the sheet is closed (Qualiopi: signed on the day).
SIGNING_CLOSES_AFTER = datetime.timedelta(hours=2)
MAX_SIGNATURE_BYTES = 400_000
MAX_SIGNATURE_PIXELS = 4000 * 2000
#: A morning ends by 14:00 and an afternoon starts from 12:00 (lunch may move).
MORNING_LATEST_END = datetime.time(14, 0)
AFTERNOON_EARLIEST_START = datetime.time(12, 0)

WORKSHOP_FIELDS = (
    "kind", "title", "objectives", "programme", "duration_hours", "trainer_user", "trainer_person",
    "capacity", "price_cents", "vat_exempt", "active",
)  # fmt: skip
SESSION_FIELDS = (
    "trainer_user", "trainer_person", "capacity", "office", "place", "online", "video_link",
    "public_registration", "notes",
)  # fmt: skip


def _now() -> datetime.datetime:
    return timezone.now()


def _check_past(at: datetime.datetime, now: datetime.datetime | None = None) -> None:
    """A dated record (a past register recorded afterwards) is never dated in the future."""
    if at > (now or _now()):
        raise ValidationError(
            _("Seul un fait passé s'enregistre avec sa date : cette date est dans le futur.")
        )


def _check_recorder(actor: Any) -> None:
    """Recording a past register (dated enrolments, paper sheets) is the support team's."""
    if not getattr(actor, "is_authenticated", False) or actor.role not in MANAGER_ROLES:
        raise PermissionDenied(_("Seule l'équipe d'appui reporte un registre passé."))


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return _strip(fields)


def _check_trainer(
    trainer_user: User | None, trainer_person: Person | None, *, required: bool
) -> None:
    if trainer_user is not None and trainer_person is not None:
        raise ValidationError(
            {
                "trainer_person": _(
                    "Choisissez un·e seul·e formateur·rice : un membre de l'équipe ou un·e entrepreneur·e."
                )
            }
        )
    if required and trainer_user is None and trainer_person is None:
        raise ValidationError(
            {
                "trainer_user": _(
                    "Indiquez le·la formateur·rice : un membre de l'équipe ou un·e entrepreneur·e."
                )
            }
        )
    if trainer_user is not None and trainer_user.role not in MANAGER_ROLES:
        raise ValidationError(
            {"trainer_user": _("Ce compte n'est pas celui d'un membre de l'équipe d'appui.")}
        )
    if trainer_person is not None and trainer_person.kind != PersonKind.ENTREPRENEUR:
        raise ValidationError(
            {"trainer_person": _("Choisissez ici un·e entrepreneur·e de la coopérative.")}
        )


def _validate_workshop(workshop: Workshop) -> None:
    _check_trainer(workshop.trainer_user, workshop.trainer_person, required=False)
    errors: dict[str, list[str]] = {}
    if not workshop.title:
        errors["title"] = [_("Donnez un intitulé à l'atelier.")]
    if workshop.duration_hours is None or workshop.duration_hours <= 0:
        errors["duration_hours"] = [_("La durée doit être positive.")]
    if not workshop.capacity or workshop.capacity < 1:
        errors["capacity"] = [_("Il faut au moins une place.")]
    if workshop.price_cents is None or workshop.price_cents < 0:
        errors["price_cents"] = [_("Le prix ne peut pas être négatif.")]
    if workshop.vat_exempt and workshop.kind != "training":
        errors["vat_exempt"] = [
            _("Seule une formation peut être exonérée de TVA (art. 261-4-4° a du CGI).")
        ]
    if errors:
        raise ValidationError(errors)
    workshop.full_clean()


@transaction.atomic
def workshop_create(*, actor: Any, **fields: Any) -> Workshop:
    """Add a workshop to the catalogue."""
    workshop = Workshop(**_check_fields(fields, WORKSHOP_FIELDS))
    _validate_workshop(workshop)
    workshop.save()
    audit_record(actor=actor, action="create", target=workshop, summary=f"Atelier {workshop}")
    return workshop


@transaction.atomic
def workshop_update(*, actor: Any, workshop: Workshop, **fields: Any) -> Workshop:
    """Change a catalogue entry (sessions already planned keep their own trainer and places)."""
    fields = _check_fields(fields, WORKSHOP_FIELDS)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    changes = model_changes(workshop, fields)
    for name, value in fields.items():
        setattr(workshop, name, value)
    _validate_workshop(workshop)
    workshop.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=workshop,
            summary=f"Atelier {workshop}",
            changes=changes,
        )
    return workshop


# --- sessions and slots ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlotSpec:
    """A half-day to add to a session."""

    date: datetime.date
    half_day: str
    start_time: datetime.time
    end_time: datetime.time


def _validate_slot(session: WorkshopSession, spec: SlotSpec) -> None:
    errors: dict[str, list[str]] = {}
    if spec.half_day not in HalfDay.values:
        errors["half_day"] = [_("Choisissez le matin ou l'après-midi.")]
    if spec.end_time <= spec.start_time:
        errors["end_time"] = [_("L'heure de fin doit suivre l'heure de début.")]
    elif spec.half_day == HalfDay.MORNING and spec.end_time > MORNING_LATEST_END:
        errors["end_time"] = [_("Une demi-journée du matin se termine au plus tard à 14 h.")]
    elif spec.half_day == HalfDay.AFTERNOON and spec.start_time < AFTERNOON_EARLIEST_START:
        errors["start_time"] = [_("Une demi-journée d'après-midi commence au plus tôt à 12 h.")]
    if errors:
        raise ValidationError(errors)
    if session.pk and session.slots.filter(date=spec.date, half_day=spec.half_day).exists():
        raise ValidationError(
            {
                "date": _("Cette session a déjà une demi-journée le %(date)s (%(half)s).")
                % {"date": format_date(spec.date), "half": HalfDay(spec.half_day).label}
            }
        )


def _validate_session(session: WorkshopSession) -> None:
    _check_trainer(session.trainer_user, session.trainer_person, required=True)
    if not session.capacity or session.capacity < 1:
        raise ValidationError({"capacity": _("Il faut au moins une place.")})
    if session.online and not session.video_link:
        raise ValidationError(
            {"video_link": _("Indiquez le lien de visioconférence d'une session à distance.")}
        )
    if not session.online and not session.place and session.office is None:
        raise ValidationError(
            {"place": _("Indiquez le lieu, l'établissement, ou cochez « à distance ».")}
        )
    session.full_clean(exclude=["registration_token"])


@transaction.atomic
def session_create(
    *, actor: Any, workshop: Workshop, slots: list[SlotSpec], **fields: Any
) -> WorkshopSession:
    """Plan a session of a workshop with its half-days; trainer and places default to the catalogue's."""
    fields = _check_fields(fields, SESSION_FIELDS)
    if not fields.get("trainer_user") and not fields.get("trainer_person"):
        fields["trainer_user"] = workshop.trainer_user
        fields["trainer_person"] = workshop.trainer_person
    fields.setdefault("capacity", None)
    fields["capacity"] = fields["capacity"] or workshop.capacity
    if not slots:
        raise ValidationError(_("Une session a au moins une demi-journée."))
    session = WorkshopSession(workshop=workshop, **fields)
    _validate_session(session)
    seen = set()
    for spec in slots:
        _validate_slot(session, spec)
        if (spec.date, spec.half_day) in seen:
            raise ValidationError({"date": _("Deux demi-journées identiques.")})
        seen.add((spec.date, spec.half_day))
    session.save()
    for spec in slots:
        Slot.objects.create(
            session=session,
            date=spec.date,
            half_day=spec.half_day,
            start_time=spec.start_time,
            end_time=spec.end_time,
        )
    audit_record(actor=actor, action="create", target=session, summary=f"Session {session}")
    return session


def _lock_session(session: WorkshopSession) -> WorkshopSession:
    # Serialises enrolments of one session (PostgreSQL row lock; SQLite's IMMEDIATE
    # transactions already serialise writers).
    # The workshop, trainer and half-days come along: every check and summary reads them.
    return (
        WorkshopSession.objects.select_for_update(of=("self",))
        .select_related("workshop", "trainer_user")
        .prefetch_related("slots")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_update(*, actor: Any, session: WorkshopSession, **fields: Any) -> WorkshopSession:
    """Change a session's trainer, places or place; more places promote the waiting list."""
    fields = _check_fields(fields, SESSION_FIELDS)
    session = _lock_session(session)
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée : elle ne peut plus être modifiée."))
    confirmed = session.enrolments.filter(status=Enrolment.Status.CONFIRMED).count()
    if "capacity" in fields and fields["capacity"] is not None and fields["capacity"] < confirmed:
        raise ValidationError(
            {
                "capacity": _(
                    "%(n)s personnes sont déjà inscrites : désinscrivez-en avant de réduire les places."
                )
                % {"n": confirmed}
            }
        )
    changes = model_changes(session, fields)
    for name, value in fields.items():
        setattr(session, name, value)
    _validate_session(session)
    session.save()
    _promote_waiting(session)
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=session,
            summary=f"Session {session}",
            changes=changes,
        )
    return session


@transaction.atomic
def session_cancel(
    *, actor: Any, session: WorkshopSession, at: datetime.datetime | None = None
) -> WorkshopSession:
    """Cancel a session that has no signature yet; the people enrolled are told by e-mail.

    `at` records a cancellation made earlier (a past register): no e-mail goes out.
    """
    if at is not None:
        _check_recorder(actor)
        _check_past(at)
    session = _lock_session(session)
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est déjà annulée."))
    if Signature.objects.filter(slot__session=session).exists():
        raise ValidationError(
            _("Des présences sont déjà signées : cette session ne peut plus être annulée.")
        )
    session.status = WorkshopSession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    if at is None:
        for enrolment_id in session.enrolments.exclude(
            status=Enrolment.Status.CANCELLED
        ).values_list("pk", flat=True):
            transaction.on_commit(partial(mails.send_session_cancelled_mail, enrolment_id))
    dated = f" (reportée, du {format_date(timezone.localtime(at).date())})" if at else ""
    audit_record(
        actor=actor,
        action="update",
        target=session,
        summary=f"Annulation de la session {session}{dated}",
    )
    return session


@transaction.atomic
def slot_add(*, actor: Any, session: WorkshopSession, spec: SlotSpec) -> Slot:
    """Add a half-day to a session."""
    session = _lock_session(session)
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée : elle ne peut plus être modifiée."))
    _validate_slot(session, spec)
    slot = Slot.objects.create(
        session=session,
        date=spec.date,
        half_day=spec.half_day,
        start_time=spec.start_time,
        end_time=spec.end_time,
    )
    audit_record(actor=actor, action="create", target=slot, summary=f"Demi-journée {slot}")
    return slot


@transaction.atomic
def slot_remove(*, actor: Any, slot: Slot) -> None:
    """Remove a half-day nobody has signed yet; a session keeps at least one."""
    session = _lock_session(slot.session)
    if slot.signatures.exists():
        raise ValidationError(_("Des présences sont signées pour cette demi-journée."))
    if session.slots.count() <= 1:
        raise ValidationError(_("Une session a au moins une demi-journée."))
    audit_record(actor=actor, action="delete", target=slot, summary=f"Demi-journée {slot}")
    slot.delete()


def session_has_ended(session: WorkshopSession, now: datetime.datetime | None = None) -> bool:
    last = max((s.ends_at for s in session.slots.all()), default=None)
    return last is not None and last <= (now or _now())


def session_has_started(session: WorkshopSession, now: datetime.datetime | None = None) -> bool:
    first = min((s.starts_at for s in session.slots.all()), default=None)
    return first is not None and first <= (now or _now())


# --- enrolments and the waiting list ------------------------------------------------------


def _promote_waiting(session: WorkshopSession) -> list[Enrolment]:
    """Give freed places to the waiting list, first come first served (session locked)."""
    confirmed = session.enrolments.filter(status=Enrolment.Status.CONFIRMED).count()
    free = session.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        session.enrolments.filter(status=Enrolment.Status.WAITING).order_by("requested_at", "pk")[
            :free
        ]
    )
    for enrolment in promoted:
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action="update",
            target=enrolment,
            summary=f"{enrolment.person} passe de la liste d'attente à inscrit·e : {session}",
        )
        transaction.on_commit(partial(mails.send_enrolment_mail, enrolment.pk))
    return promoted


@transaction.atomic
def enrolment_create(
    *,
    actor: Any,
    session: WorkshopSession,
    person: Person,
    source: str,
    at: datetime.datetime | None = None,
) -> Enrolment:
    """Enrol a person: a place if one is free, else the waiting list; the e-mail follows commit.

    `at` records an enrolment made earlier (a past register brought in by the team): the
    rules apply as of that moment, which cannot be in the future, and no e-mail goes out.
    """
    session = _lock_session(session)
    if source not in Enrolment.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if at is not None:
        _check_recorder(actor)
        _check_past(at)
    when = at or _now()
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée."))
    if session_has_ended(session, when):
        raise ValidationError(_("Cette session est terminée : les inscriptions sont closes."))
    if source == Enrolment.Source.PUBLIC and session_has_started(session, when):
        raise ValidationError(_("Cette session a commencé : les inscriptions sont closes."))
    if session.trainer_person_id == person.pk or (
        session.trainer_user_id is not None
        and getattr(session.trainer_user, "person_id", None) == person.pk
    ):
        raise ValidationError(
            {"person": _("Le·la formateur·rice de la session ne peut pas s'y inscrire.")}
        )
    existing = Enrolment.objects.filter(session=session, person=person).first()
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        raise ValidationError(
            {
                "person": _("%(person)s est déjà inscrit·e (%(status)s).")
                % {"person": person, "status": existing.get_status_display()}
            }
        )
    confirmed = session.enrolments.filter(status=Enrolment.Status.CONFIRMED).count()
    status = (
        Enrolment.Status.CONFIRMED if confirmed < session.capacity else Enrolment.Status.WAITING
    )
    if existing is not None:
        enrolment = existing
        enrolment.status = status
        enrolment.source = source
        enrolment.requested_at = when
        enrolment.save(update_fields=["status", "source", "requested_at", "updated_at"])
    else:
        enrolment = Enrolment.objects.create(
            session=session, person=person, status=status, source=source, requested_at=when
        )
    dated = f" (reportée, du {format_date(timezone.localtime(at).date())})" if at else ""
    audit_record(
        actor=actor,
        action="create",
        target=enrolment,
        summary=f"{person} : {enrolment.get_status_display()} à {session} ({enrolment.get_source_display()}){dated}",
    )
    if at is None:
        transaction.on_commit(partial(mails.send_enrolment_mail, enrolment.pk))
    return enrolment


@transaction.atomic
def enrolment_cancel(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Cancel an enrolment; the freed place goes to the first person on the waiting list."""
    session = _lock_session(enrolment.session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError(_("Cette inscription est déjà annulée."))
    if enrolment.signatures.exists():
        raise ValidationError(
            _("%(person)s a déjà signé une présence : l'inscription ne peut plus être annulée.")
            % {"person": enrolment.person}
        )
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=enrolment,
        summary=f"Désinscription de {enrolment.person} : {session}",
    )
    _promote_waiting(session)
    return enrolment


@transaction.atomic
def public_registration(
    *,
    session: WorkshopSession,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    postal_code: str = "",
) -> Enrolment:
    """Someone from outside registers through the session's public link.

    A person already known by that e-mail address is enrolled as is (nothing of their file
    changes); anyone else becomes a candidate person file.
    """
    if not session.public_registration:
        raise ValidationError(_("L'inscription par lien n'est pas ouverte pour cette session."))
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": _("Indiquez votre adresse e-mail.")})
    person = Person.objects.filter(email__iexact=email).order_by("pk").first()
    if person is None:
        person = person_create(
            actor=None,
            kind=PersonKind.ENTREPRENEUR,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            postal_code=postal_code,
            notes=_("Inscrit·e par le lien public de la session « %(session)s ».")
            % {"session": session},
        )
    existing = Enrolment.objects.filter(session=session, person=person).first()
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        # Same answer as a new registration: the form must not tell who is enrolled.
        return existing
    return enrolment_create(
        actor=None, session=session, person=person, source=Enrolment.Source.PUBLIC
    )


# --- attendance ---------------------------------------------------------------------------


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a drawn signature, refused when not a real, non-empty PNG drawing."""
    prefix = "data:image/png;base64,"
    empty = ValidationError(
        {"signature": _("Dessinez votre signature dans le cadre avant de valider.")}
    )
    if not data_url or not data_url.startswith(prefix):
        raise empty
    payload = data_url[len(prefix) :]
    if len(payload) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError({"signature": _("L'image de la signature est trop lourde.")})
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise empty from None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.width * image.height > MAX_SIGNATURE_PIXELS:
                raise empty
            image.load()
            alpha = image.convert("RGBA").getchannel("A")
            box = alpha.getbbox()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise empty from None
    if box is None or ((box[2] - box[0]) < 8 and (box[3] - box[1]) < 8):
        raise empty
    return raw


def signing_window(slot: Slot) -> tuple[datetime.datetime, datetime.datetime]:
    """When the half-day can be signed: from shortly before it starts to shortly after it ends."""
    return slot.starts_at - SIGNING_OPENS_BEFORE, slot.ends_at + SIGNING_CLOSES_AFTER


def signing_refusal(slot: Slot, now: datetime.datetime | None = None) -> str:
    """Why the half-day cannot be signed now ("" when it can): shown before anyone draws."""
    try:
        _check_signing_open(slot, now or _now())
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _check_signing_open(slot: Slot, now: datetime.datetime) -> None:
    if slot.session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée."))
    opens, closes = signing_window(slot)
    if now < opens:
        local = timezone.localtime(opens)
        raise ValidationError(
            _("Cette demi-journée n'a pas commencé : la signature ouvre le %(date)s à %(time)s.")
            % {"date": format_date(local.date()), "time": local.strftime("%H:%M")}
        )
    if now > closes:
        raise ValidationError(
            _("La feuille de présence de cette demi-journée est close : on ne peut plus la signer.")
        )


def _signer_name_of_trainer(session: WorkshopSession) -> str:
    return session.trainer_name


@transaction.atomic
def signature_record(
    *,
    slot: Slot,
    enrolment: Enrolment | None,
    image_data_url: str,
    ip_address: str | None,
    user_agent: str,
    device: str,
    collected_by: Any = None,
    now: datetime.datetime | None = None,
) -> Signature:
    """Record a trainee's (enrolment given) or the trainer's (no enrolment) signature of a half-day.

    A half-day is signed once by each: a second signature is refused, and a recorded
    signature can never change.
    """
    if device not in (Signature.Device.TRAINER_DEVICE, Signature.Device.OWN_DEVICE):
        raise ValueError(f"a drawn signature is collected on a device, not {device!r}")
    now = now or _now()
    slot = Slot.objects.select_for_update().select_related("session__workshop").get(pk=slot.pk)
    _check_signing_open(slot, now)
    raw = decode_signature(image_data_url)
    if enrolment is not None:
        enrolment = (
            Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
        )
        if enrolment.session_id != slot.session_id:
            raise ValidationError(_("Cette personne n'est pas inscrite à cette session."))
        if enrolment.status != Enrolment.Status.CONFIRMED:
            raise ValidationError(
                _("%(person)s n'a pas de place confirmée dans cette session.")
                % {"person": enrolment.person}
            )
        if Signature.objects.filter(slot=slot, enrolment=enrolment).exists():
            raise ValidationError(
                _("%(person)s a déjà signé cette demi-journée : une signature ne se modifie pas.")
                % {"person": enrolment.person}
            )
        if Absence.objects.filter(slot=slot, enrolment=enrolment).exists():
            raise ValidationError(
                _(
                    "Une absence est enregistrée pour %(person)s sur cette demi-journée : retirez-la avant de signer."
                )
                % {"person": enrolment.person}
            )
        role, name = Signature.Role.TRAINEE, str(enrolment.person)
    else:
        if Signature.objects.filter(slot=slot, role=Signature.Role.TRAINER).exists():
            raise ValidationError(_("Le·la formateur·rice a déjà signé cette demi-journée."))
        role, name = Signature.Role.TRAINER, _signer_name_of_trainer(slot.session)
    signature = Signature.objects.create(
        slot=slot,
        role=role,
        enrolment=enrolment,
        signer_name=name,
        signed_at=now,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:500],
        device=device,
        collected_by=collected_by if getattr(collected_by, "is_authenticated", False) else None,
        image_png=raw,
        image_sha256=hashlib.sha256(raw).hexdigest(),
    )
    audit_record(
        actor=collected_by,
        action="create",
        target=signature,
        summary=f"Signature de {name} ({signature.get_role_display()}) : {slot.session} — {slot}",
        changes={"ip": ip_address, "sha256": signature.image_sha256},
    )
    return signature


@transaction.atomic
def signing_link_create(*, actor: Any, slot: Slot, enrolment: Enrolment | None) -> SigningLink:
    """A single-use link for a trainee (or the trainer, without enrolment) to sign on their device."""
    if enrolment is not None and (
        enrolment.session_id != slot.session_id or enrolment.status != Enrolment.Status.CONFIRMED
    ):
        raise ValidationError(_("Cette personne n'a pas de place confirmée dans cette session."))
    link = SigningLink.objects.create(slot=slot, enrolment=enrolment, created_by=actor)
    audit_record(
        actor=actor,
        action="create",
        target=link,
        summary=f"Lien de signature pour {enrolment.person if enrolment else _('le·la formateur·rice')} : {slot}",
    )
    return link


@transaction.atomic
def signing_link_use(
    *,
    token: str,
    image_data_url: str,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime | None = None,
) -> Signature:
    """Sign with a single-use link; the link is spent once the signature is recorded."""
    link = SigningLink.objects.select_for_update().filter(token=token).first()
    if link is None:
        raise ValidationError(_("Ce lien de signature n'existe pas."))
    if link.used_at is not None:
        raise ValidationError(
            _("Ce lien de signature a déjà servi : il ne fonctionne qu'une fois.")
        )
    signature = signature_record(
        slot=link.slot,
        enrolment=link.enrolment,
        image_data_url=image_data_url,
        ip_address=ip_address,
        user_agent=user_agent,
        device=Signature.Device.OWN_DEVICE,
        now=now,
    )
    link.used_at = signature.signed_at
    link.save(update_fields=["used_at"])
    return signature


@transaction.atomic
def absence_record(
    *, actor: Any, slot: Slot, enrolment: Enrolment, excused: bool, reason: str = ""
) -> Absence:
    """Record that a trainee missed a half-day (excused or not); a signed half-day cannot be."""
    enrolment = Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
    if enrolment.session_id != slot.session_id or enrolment.status != Enrolment.Status.CONFIRMED:
        raise ValidationError(_("Cette personne n'a pas de place confirmée dans cette session."))
    if Signature.objects.filter(slot=slot, enrolment=enrolment).exists():
        raise ValidationError(
            _("%(person)s a signé cette demi-journée : l'absence ne peut pas être enregistrée.")
            % {"person": enrolment.person}
        )
    if slot.starts_at > _now():
        raise ValidationError(_("Une absence s'enregistre une fois la demi-journée commencée."))
    reason = reason.strip()
    if excused and not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'absence excusée.")})
    absence, created = Absence.objects.update_or_create(
        slot=slot,
        enrolment=enrolment,
        defaults={"excused": excused, "reason": reason, "recorded_by": actor},
    )
    kind = _("excusée") if excused else _("non excusée")
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=absence,
        summary=f"Absence {kind} de {enrolment.person} : {slot.session} — {slot}",
    )
    return absence


@transaction.atomic
def absence_remove(*, actor: Any, absence: Absence) -> None:
    """Withdraw an absence recorded by mistake (the trainee came after all)."""
    audit_record(
        actor=actor,
        action="delete",
        target=absence,
        summary=f"Absence retirée : {absence.enrolment.person} — {absence.slot}",
    )
    absence.delete()


@dataclass(frozen=True)
class PaperLine:
    """One trainee's line of a signed paper attendance sheet: present, absent or excused."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"

    enrolment: Enrolment
    status: str
    reason: str = ""


@transaction.atomic
def paper_sheet_record(
    *,
    actor: Any,
    slot: Slot,
    lines: list[PaperLine],
    trainer_signed: bool,
    recorded_at: datetime.datetime | None = None,
) -> list[Signature]:
    """Transcribe a past half-day's signed paper attendance sheet (or a past register).

    Each trainee who signed the paper gets a signature flagged `recorded_from_paper`, with
    no drawn image (the paper stays the evidence), dated on the half-day and recorded by
    the team member who transcribed it (`recorded_at`: when, now by default, never in the
    future); the others get their absence. Only once the live sheet has closed: a half-day
    still open is signed live, by drawing.
    """
    _check_recorder(actor)
    if recorded_at is not None:
        _check_past(recorded_at)
    now = recorded_at or _now()
    slot = Slot.objects.select_for_update().select_related("session__workshop").get(pk=slot.pk)
    session = slot.session
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée."))
    closes = signing_window(slot)[1]
    if now <= closes:
        local = timezone.localtime(closes)
        raise ValidationError(
            _(
                "Une feuille papier se reporte une fois la feuille en ligne close, à partir du %(date)s à %(time)s ; jusque-là, chacun·e signe en ligne."
            )
            % {"date": format_date(local.date()), "time": local.strftime("%H:%M")}
        )
    if not lines and not trainer_signed:
        raise ValidationError(_("La feuille ne porte ni stagiaire ni signature du formateur·rice."))
    ids = [line.enrolment.pk for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Une personne figure deux fois sur la feuille."))
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.select_for_update()
        .select_related("person")
        .filter(pk__in=ids, session=session, status=Enrolment.Status.CONFIRMED)
    }
    signed = set(
        Signature.objects.filter(slot=slot).values_list("enrolment_id", flat=True)
    )  # None: the trainer
    absent = set(Absence.objects.filter(slot=slot).values_list("enrolment_id", flat=True))
    errors: list[str] = []
    for index, line in enumerate(lines, start=1):
        enrolment = enrolments.get(line.enrolment.pk)
        if enrolment is None:
            errors.append(
                _("Ligne %(n)s : %(person)s n'a pas de place confirmée dans cette session.")
                % {"n": index, "person": line.enrolment.person}
            )
        elif line.status not in (PaperLine.PRESENT, PaperLine.ABSENT, PaperLine.EXCUSED):
            errors.append(_("Ligne %(n)s : présent·e, absent·e ou excusé·e ?") % {"n": index})
        elif enrolment.pk in signed or enrolment.pk in absent:
            errors.append(
                _("Ligne %(n)s : la présence de %(person)s est déjà enregistrée.")
                % {"n": index, "person": enrolment.person}
            )
        elif line.status == PaperLine.EXCUSED and not line.reason.strip():
            errors.append(
                _("Ligne %(n)s : indiquez le motif de l'absence excusée de %(person)s.")
                % {"n": index, "person": enrolment.person}
            )
    if trainer_signed and None in signed:
        errors.append(_("Le·la formateur·rice a déjà signé cette demi-journée."))
    if errors:
        raise ValidationError(errors)
    paper = {
        "slot": slot,
        "signed_at": slot.starts_at,
        "device": Signature.Device.PAPER,
        "collected_by": actor,
        "recorded_from_paper": True,
        "recorded_at": now,
    }
    signatures = [
        Signature(
            role=Signature.Role.TRAINEE,
            enrolment=enrolments[line.enrolment.pk],
            signer_name=str(enrolments[line.enrolment.pk].person),
            **paper,
        )
        for line in lines
        if line.status == PaperLine.PRESENT
    ]
    if trainer_signed:
        signatures.append(
            Signature(
                role=Signature.Role.TRAINER, signer_name=_signer_name_of_trainer(session), **paper
            )
        )
    Signature.objects.bulk_create(signatures)
    Absence.objects.bulk_create(
        Absence(
            slot=slot,
            enrolment=enrolments[line.enrolment.pk],
            excused=line.status == PaperLine.EXCUSED,
            reason=line.reason.strip(),
            recorded_by=actor,
        )
        for line in lines
        if line.status != PaperLine.PRESENT
    )

    def names(status: str) -> list[str]:
        return [str(enrolments[x.enrolment.pk].person) for x in lines if x.status == status]

    audit_record(
        actor=actor,
        action="create",
        target=slot,
        summary=f"Feuille papier reportée : {session} — {slot}",
        changes={
            "present": names(PaperLine.PRESENT),
            "absent": names(PaperLine.ABSENT),
            "excused": names(PaperLine.EXCUSED),
            "trainer_signed": trainer_signed,
        },
    )
    return signatures


def attended_slots(enrolment: Enrolment) -> list[Slot]:
    """The half-days a trainee signed, in order: what a certificate of completion counts."""
    return list(
        Slot.objects.filter(
            signatures__enrolment=enrolment, signatures__role=Signature.Role.TRAINEE
        ).order_by("date", "start_time")
    )


def attended_hours(slots: list[Slot]) -> Decimal:
    """Hours of attendance (to the minute), as printed on the certificate."""
    minutes = sum(round(slot.hours * 60) for slot in slots)
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


# --- satisfaction ----------------------------------------------------------------------


@transaction.atomic
def survey_send(
    *,
    actor: Any,
    session: WorkshopSession,
    base_url: str = "",
    at: datetime.datetime | None = None,
) -> list[SurveyResponse]:
    """Send the questionnaire to every trainee who attended at least one half-day (once each).

    `at` records a questionnaire sent earlier (a past register): no e-mail goes out.
    """
    session = _lock_session(session)
    if at is not None:
        _check_recorder(actor)
        _check_past(at)
    if session.status == WorkshopSession.Status.CANCELLED:
        raise ValidationError(_("Cette session est annulée."))
    if not session_has_ended(session, at):
        raise ValidationError(_("Le questionnaire s'envoie une fois la session terminée."))
    attendees = (
        session.enrolments.filter(
            status=Enrolment.Status.CONFIRMED, signatures__role=Signature.Role.TRAINEE
        )
        .exclude(survey_response__isnull=False)
        .distinct()
    )
    created = []
    now = at or _now()
    for enrolment in attendees:
        response = SurveyResponse.objects.create(session=session, enrolment=enrolment, sent_at=now)
        created.append(response)
        if at is None:
            transaction.on_commit(partial(mails.send_survey_mail, response.pk, base_url))
    if not created and not session.survey_responses.exists():
        raise ValidationError(
            _("Personne n'a signé de présence à cette session : pas de questionnaire à envoyer.")
        )
    if created:
        audit_record(
            actor=actor,
            action="create",
            target=session,
            summary=f"Questionnaire de satisfaction envoyé à {len(created)} stagiaire(s) : {session}",
        )
    return created


@transaction.atomic
def survey_answer(
    *,
    token: str,
    rating_overall: int,
    rating_content: int,
    rating_trainer: int,
    rating_organisation: int,
    liked: str = "",
    to_improve: str = "",
    at: datetime.datetime | None = None,
) -> SurveyResponse:
    """Record a trainee's answers once; the questionnaire cannot be answered twice.

    `at` records answers given earlier (a past register): after the sending, never ahead.
    """
    response = SurveyResponse.objects.select_for_update().filter(token=token).first()
    if response is None:
        raise ValidationError(_("Ce questionnaire n'existe pas."))
    if response.answered_at is not None:
        raise ValidationError(_("Vous avez déjà répondu à ce questionnaire. Merci !"))
    if at is not None:
        _check_past(at)
        if at < response.sent_at:
            raise ValidationError(_("Une réponse ne précède pas l'envoi du questionnaire."))
    ratings = {
        "rating_overall": rating_overall,
        "rating_content": rating_content,
        "rating_trainer": rating_trainer,
        "rating_organisation": rating_organisation,
    }
    errors = {
        name: [_("Choisissez une note de 1 à 5.")]
        for name, value in ratings.items()
        if not isinstance(value, int) or not 1 <= value <= 5
    }
    if errors:
        raise ValidationError(errors)
    for name, value in ratings.items():
        setattr(response, name, value)
    response.liked = liked.strip()
    response.to_improve = to_improve.strip()
    response.answered_at = at or _now()
    response.save()
    audit_record(
        actor=None,
        action="update",
        target=response,
        summary=f"Réponse au questionnaire de satisfaction : {response.session_id}",
    )
    return response


# --- intake ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCandidate:
    """Someone who came to an information meeting and is not in Alvéole yet."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    postal_code: str = ""


@transaction.atomic
def information_meeting_record(
    *,
    actor: Any,
    date: datetime.date,
    office: Any = None,
    attendees: list[Person],
    new_candidates: list[NewCandidate],
    notes: str = "",
) -> InformationMeeting:
    """Record an information meeting; newcomers become candidate files, all or nothing."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("Une réunion ne peut pas être enregistrée à l'avance.")})
    if not attendees and not new_candidates:
        raise ValidationError(_("Indiquez au moins une personne présente."))
    wrong = [p for p in attendees if p.kind != PersonKind.ENTREPRENEUR]
    if wrong:
        raise ValidationError(
            {
                "attendees": _(
                    "Seul·es les porteur·ses de projet assistent aux réunions : %(names)s."
                )
                % {"names": ", ".join(str(p) for p in wrong)}
            }
        )
    people = list(attendees)
    for index, newcomer in enumerate(new_candidates, start=1):
        try:
            people.append(
                person_create(
                    actor=actor,
                    kind=PersonKind.ENTREPRENEUR,
                    first_name=newcomer.first_name,
                    last_name=newcomer.last_name,
                    email=newcomer.email,
                    phone=newcomer.phone,
                    postal_code=newcomer.postal_code,
                    office=office,
                )
            )
        except ValidationError as error:
            messages = (
                [m for ms in error.message_dict.values() for m in ms]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise ValidationError(
                _("Nouvelle personne n° %(n)s (%(name)s) : %(errors)s")
                % {
                    "n": index,
                    "name": f"{newcomer.first_name} {newcomer.last_name}".strip(),
                    "errors": " ".join(messages),
                }
            ) from None
    return information_meeting_create(
        actor=actor, date=date, office=office, attendees=people, notes=notes.strip()
    )


# --- quality (Qualiopi indicators 31 and 32) -------------------------------------------


@transaction.atomic
def quality_event_record(
    *,
    actor: Any,
    kind: str,
    date: datetime.date,
    description: str,
    origin: str = "",
    workshop: Workshop | None = None,
    session: WorkshopSession | None = None,
    complaint: QualityEvent | None = None,
) -> QualityEvent:
    """Record a complaint received or an improvement action decided."""
    errors: dict[str, list[str]] = {}
    if kind not in QualityEvent.Kind.values:
        errors["kind"] = [_("Type inconnu.")]
    if not (description or "").strip():
        errors["description"] = [_("Décrivez la réclamation ou l'action.")]
    if date is None or date > timezone.localdate():
        errors["date"] = [_("La date ne peut pas être dans le futur.")]
    if session is not None and workshop is not None and session.workshop_id != workshop.pk:
        errors["session"] = [_("Cette session n'est pas une session de l'atelier choisi.")]
    if complaint is not None and (
        kind != QualityEvent.Kind.IMPROVEMENT or complaint.kind != QualityEvent.Kind.COMPLAINT
    ):
        errors["complaint"] = [_("Seule une action d'amélioration répond à une réclamation.")]
    if errors:
        raise ValidationError(errors)
    event = QualityEvent.objects.create(
        kind=kind,
        date=date,
        description=description.strip(),
        origin=(origin or "").strip(),
        workshop=workshop or (session.workshop if session is not None else None),
        session=session,
        complaint=complaint,
    )
    audit_record(actor=actor, action="create", target=event, summary=str(event))
    return event


@transaction.atomic
def quality_event_close(
    *, actor: Any, event: QualityEvent, response: str, closed_on: datetime.date
) -> QualityEvent:
    """Close a complaint or an action with what was answered or achieved."""
    event = QualityEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == QualityEvent.Status.CLOSED:
        raise ValidationError(_("Elle est déjà traitée."))
    if not (response or "").strip():
        raise ValidationError({"response": _("Indiquez la réponse apportée ou le résultat.")})
    if closed_on is None or closed_on < event.date or closed_on > timezone.localdate():
        raise ValidationError(
            {
                "closed_on": _(
                    "La date de traitement suit la date de l'événement, sans dépasser aujourd'hui."
                )
            }
        )
    event.response = response.strip()
    event.closed_on = closed_on
    event.status = QualityEvent.Status.CLOSED
    event.save(update_fields=["response", "closed_on", "status", "updated_at"])
    audit_record(actor=actor, action="update", target=event, summary=f"{event} traitée")
    return event


# --- programmes and groups ---------------------------------------------------------------

PROGRAMME_FIELDS = ("kind", "name", "year", "funder", "description", "coordinator")


def _validate_programme(
    programme: Programme, sessions: list[WorkshopSession], participants: list[Person]
) -> None:
    errors: dict[str, list[str]] = {}
    if not programme.name:
        errors["name"] = [_("Donnez un nom au programme ou au groupe.")]
    if programme.kind not in Programme.Kind.values:
        errors["kind"] = [_("Type inconnu.")]
    if not programme.year or not 2000 <= programme.year <= 2100:
        errors["year"] = [_("Indiquez l'année (par exemple 2026).")]
    if programme.coordinator is not None and programme.coordinator.role not in MANAGER_ROLES:
        errors["coordinator"] = [_("La coordination revient à un membre de l'équipe d'appui.")]
    if any(s.status == WorkshopSession.Status.CANCELLED for s in sessions):
        errors["sessions"] = [_("Une session annulée ne fait pas partie d'un programme.")]
    if any(p.kind != PersonKind.ENTREPRENEUR for p in participants):
        errors["participants"] = [
            _("Les participant·es sont des porteur·ses de projet ou entrepreneur·es.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def programme_save(
    *,
    actor: Any,
    programme: Programme | None = None,
    sessions: list[WorkshopSession],
    participants: list[Person],
    **fields: Any,
) -> Programme:
    """Create or change a programme (or co-development group), its sessions and participants."""
    fields = _check_fields(fields, PROGRAMME_FIELDS)
    created = programme is None
    if programme is None:
        programme = Programme(**fields)
        changes: dict[str, Any] = {}
    else:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        changes = model_changes(programme, fields)
        for name, value in fields.items():
            setattr(programme, name, value)
    sessions, participants = list(sessions), list(participants)
    _validate_programme(programme, sessions, participants)
    programme.save()
    programme.sessions.set(sessions)
    programme.participants.set(participants)
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=programme,
        summary=f"{programme.get_kind_display()} {programme} : {len(sessions)} session(s), {len(participants)} participant·e(s)",
        changes=changes,
    )
    return programme
