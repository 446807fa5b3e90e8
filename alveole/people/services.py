"""Operations on people and their path; every write of the people app goes through here."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.core.dates import add_months
from alveole.core.formatting import format_date
from alveole.core.roles import Role
from alveole.core.services import audit_record, model_changes
from alveole.core.validators import department_from_postal_code
from alveole.people.models import (
    ApiToken,
    Associateship,
    Contract,
    ContractChange,
    Exit,
    InformationMeeting,
    IntakeInterview,
    Person,
    PersonKind,
    User,
)

PERSON_FIELDS = (
    "kind", "first_name", "last_name", "birth_date", "email", "phone", "address", "postal_code",
    "city", "department", "entry_situation", "has_other_income", "office", "follow_up_staff",
    "notes",
)  # fmt: skip

CAPE_MAX_MONTHS = 12
CAPE_MAX_RENEWALS = 2
CAPE_MAX_TOTAL_MONTHS = 36
FULL_TIME_MONTHLY_HOURS = Decimal("151.67")


def _d(day: datetime.date) -> str:
    return format_date(day)


def _lock_person(person: Person) -> Person:
    # Serialises concurrent path changes of one person (PostgreSQL row lock; SQLite's
    # IMMEDIATE transactions already serialise writers).
    return Person.objects.select_for_update().get(pk=person.pk)


def _check_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    for name in ("first_name", "last_name", "email", "phone", "address", "city", "notes"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if fields.get("email"):
        fields["email"] = fields["email"].lower()
    if fields.get("postal_code") and not fields.get("department"):
        fields["department"] = department_from_postal_code(fields["postal_code"])
    return fields


def _validate_person(person: Person) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if person.birth_date:
        if person.birth_date > today:
            errors.setdefault("birth_date", []).append(_("La date de naissance est dans le futur."))
        elif person.birth_date.year < 1900:
            errors.setdefault("birth_date", []).append(_("La date de naissance est invalide."))
        elif (today - person.birth_date).days < 16 * 365:
            errors.setdefault("birth_date", []).append(
                _("Une personne de moins de 16 ans ne peut pas entrer dans la coopérative.")
            )
    if person.kind != PersonKind.ENTREPRENEUR and person.entry_situation:
        errors.setdefault("entry_situation", []).append(
            _("La situation à l'entrée ne concerne que les entrepreneur·es.")
        )
    try:
        person.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(*, actor: Any, **fields: Any) -> Person:
    """Record a new person (a project holder, a staff member, an external associate)."""
    person = Person(**_check_person_fields(dict(fields)))
    _validate_person(person)
    person.save()
    audit_record(actor=actor, action="create", target=person, summary=f"Personne {person}")
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Change a person's identity, contact or demographics."""
    fields = _check_person_fields(dict(fields))
    person = _lock_person(person)
    if "kind" in fields and fields["kind"] != person.kind and person.contracts.exists():
        raise ValidationError(
            {"kind": _("Le type ne peut plus changer : la personne a des contrats.")}
        )
    changes = model_changes(person, fields)
    for name, value in fields.items():
        setattr(person, name, value)
    _validate_person(person)
    person.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=person,
            summary=f"Personne {person}",
            changes=changes,
        )
    return person


def person_record_read(*, actor: Any, person: Person) -> None:
    """Log that a staff member opened a person's file (GDPR: who looked at whom)."""
    audit_record(
        actor=actor, action="read", target=person, summary=f"Consultation du dossier de {person}"
    )


# --- path rules -----------------------------------------------------------------------


def _refuse_after_exit(person: Person, day: datetime.date) -> None:
    exit_ = Exit.objects.filter(person=person).first()
    if exit_ is not None and day >= exit_.date:
        raise ValidationError(
            _(
                "%(person)s est sorti·e de la coopérative le %(date)s : aucun événement ne peut être ajouté après."
            )
            % {"person": person, "date": _d(exit_.date)}
        )


def _require_kind(person: Person, kind: str, message: str) -> None:
    if person.kind != kind:
        raise ValidationError(message)


@transaction.atomic
def information_meeting_create(
    *,
    actor: Any,
    date: datetime.date,
    office: Any = None,
    attendees: list[Person] | None = None,
    notes: str = "",
) -> InformationMeeting:
    """Record an information meeting and who came."""
    meeting = InformationMeeting.objects.create(date=date, office=office, notes=notes)
    for person in attendees or []:
        _refuse_after_exit(person, date)
    if attendees:
        meeting.attendees.set(attendees)
    audit_record(actor=actor, action="create", target=meeting, summary=f"{meeting}")
    return meeting


@transaction.atomic
def information_meeting_attend(
    *, actor: Any, person: Person, date: datetime.date, office: Any = None
) -> InformationMeeting:
    """Record that a person attended the information meeting of that date (created if new)."""
    person = _lock_person(person)
    _require_kind(
        person,
        PersonKind.ENTREPRENEUR,
        _("Seul·es les porteur·ses de projet assistent aux réunions d'information."),
    )
    _refuse_after_exit(person, date)
    meeting = InformationMeeting.objects.filter(date=date, office=office).first()
    if meeting is None:
        meeting = InformationMeeting.objects.create(date=date, office=office)
    meeting.attendees.add(person)
    audit_record(actor=actor, action="update", target=person, summary=f"{person} : {meeting}")
    return meeting


@transaction.atomic
def intake_interview_record(
    *,
    actor: Any,
    person: Person,
    date: datetime.date,
    decision: str,
    interviewer: User | None = None,
    reason: str = "",
) -> IntakeInterview:
    """Record an individual intake interview and its integration decision."""
    person = _lock_person(person)
    _require_kind(
        person,
        PersonKind.ENTREPRENEUR,
        _("Seul·es les porteur·ses de projet passent un entretien d'intégration."),
    )
    _refuse_after_exit(person, date)
    if decision not in IntakeInterview.Decision.values:
        raise ValidationError({"decision": _("Décision inconnue.")})
    if decision == IntakeInterview.Decision.NOT_INTEGRATED and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la non-intégration.")})
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("Un entretien ne peut pas être enregistré à une date future.")}
        )
    if interviewer is not None and interviewer.role not in (Role.STAFF, Role.DIRECTOR):
        raise ValidationError(
            {"interviewer": _("L'entretien est mené par un membre de l'équipe d'appui.")}
        )
    first_contract = person.contracts.order_by("start_date").first()
    if first_contract is not None and date > first_contract.start_date:
        raise ValidationError(
            {
                "date": _("L'entretien d'intégration doit précéder le premier contrat (%(date)s).")
                % {"date": _d(first_contract.start_date)}
            }
        )
    interview = IntakeInterview.objects.create(
        person=person, date=date, decision=decision, interviewer=interviewer, reason=reason.strip()
    )
    audit_record(
        actor=actor,
        action="create",
        target=interview,
        summary=f"Entretien de {person} le {_d(date)} : {interview.get_decision_display()}",
    )
    return interview


def _overlapping(
    person: Person,
    kinds: list[str],
    start: datetime.date,
    last: datetime.date | None,
    exclude: int | None = None,
) -> Contract | None:
    for contract in (
        person.contracts.filter(kind__in=kinds).exclude(pk=exclude or 0).order_by("start_date")
    ):
        other_last = contract.last_day
        starts_before_other_ends = other_last is None or start <= other_last
        ends_after_other_starts = last is None or last >= contract.start_date
        if starts_before_other_ends and ends_after_other_starts:
            return contract
    return None


@transaction.atomic
def cape_start(
    *, actor: Any, person: Person, start_date: datetime.date, planned_end_date: datetime.date
) -> Contract:
    """Start a CAPE (at most 12 months; renewable twice, 36 months in all)."""
    person = _lock_person(person)
    _require_kind(
        person,
        PersonKind.ENTREPRENEUR,
        _("Un CAPE ne peut être signé que par un·e porteur·se de projet."),
    )
    _refuse_after_exit(person, start_date)
    if planned_end_date <= start_date:
        raise ValidationError(
            {"planned_end_date": _("La fin prévue du CAPE doit être après son début.")}
        )
    if planned_end_date >= add_months(start_date, CAPE_MAX_MONTHS):
        raise ValidationError(
            {"planned_end_date": _("Un CAPE dure au plus 12 mois (renouvelable deux fois).")}
        )
    clash = _overlapping(
        person, [Contract.Kind.CAPE, Contract.Kind.CESA], start_date, planned_end_date
    )
    if clash is not None:
        raise ValidationError(_("Ce CAPE chevauche le contrat %(contract)s.") % {"contract": clash})
    contract = Contract.objects.create(
        person=person,
        kind=Contract.Kind.CAPE,
        start_date=start_date,
        planned_end_date=planned_end_date,
    )
    audit_record(
        actor=actor,
        action="create",
        target=contract,
        summary=f"CAPE de {person} du {_d(start_date)} au {_d(planned_end_date)}",
    )
    return contract


@transaction.atomic
def cape_renew(
    *,
    actor: Any,
    contract: Contract,
    date: datetime.date,
    new_planned_end_date: datetime.date,
    note: str = "",
) -> ContractChange:
    """Renew a running CAPE (at most twice, each time ≤ 12 months, 36 months in all)."""
    _lock_person(contract.person)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.kind != Contract.Kind.CAPE:
        raise ValidationError(_("Seul un CAPE se renouvelle."))
    if contract.end_date is not None:
        raise ValidationError(
            _("Ce CAPE est terminé depuis le %(date)s.") % {"date": _d(contract.end_date)}
        )
    _refuse_after_exit(contract.person, date)
    renewals = contract.changes.filter(kind=ContractChange.Kind.RENEWAL).count()
    if renewals >= CAPE_MAX_RENEWALS:
        raise ValidationError(_("Un CAPE ne peut être renouvelé que deux fois."))
    current_end = contract.planned_end_date
    assert current_end is not None  # a CAPE always has a planned end (database constraint)
    if date < contract.start_date or date > current_end:
        raise ValidationError(
            {
                "date": _(
                    "Le renouvellement doit être signé pendant le CAPE (du %(start)s au %(end)s)."
                )
                % {"start": _d(contract.start_date), "end": _d(current_end)}
            }
        )
    if new_planned_end_date <= current_end:
        raise ValidationError(
            {
                "new_planned_end_date": _(
                    "La nouvelle fin prévue doit être après la fin actuelle (%(date)s)."
                )
                % {"date": _d(current_end)}
            }
        )
    if new_planned_end_date >= add_months(contract.start_date, CAPE_MAX_TOTAL_MONTHS):
        raise ValidationError(
            {
                "new_planned_end_date": _(
                    "Un CAPE ne peut pas dépasser 36 mois au total, renouvellements compris."
                )
            }
        )
    if new_planned_end_date >= add_months(current_end, CAPE_MAX_MONTHS) + datetime.timedelta(
        days=1
    ):
        raise ValidationError(
            {"new_planned_end_date": _("Un renouvellement prolonge le CAPE de 12 mois au plus.")}
        )
    clash = _overlapping(
        contract.person,
        [Contract.Kind.CAPE, Contract.Kind.CESA],
        contract.start_date,
        new_planned_end_date,
        exclude=contract.pk,
    )
    if clash is not None:
        raise ValidationError(
            _("La prolongation chevauche le contrat %(contract)s.") % {"contract": clash}
        )
    change = ContractChange.objects.create(
        contract=contract,
        kind=ContractChange.Kind.RENEWAL,
        date=date,
        previous_planned_end_date=current_end,
        new_planned_end_date=new_planned_end_date,
        note=note,
    )
    contract.planned_end_date = new_planned_end_date
    contract.save(update_fields=["planned_end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=contract,
        summary=f"Renouvellement du CAPE de {contract.person} jusqu'au {_d(new_planned_end_date)}",
        changes={"planned_end_date": [current_end.isoformat(), new_planned_end_date.isoformat()]},
    )
    return change


def _check_hours(hours: Decimal, field: str = "monthly_hours") -> None:
    if hours is None or hours <= 0:
        raise ValidationError({field: _("Le nombre d'heures mensuelles doit être positif.")})
    if hours > FULL_TIME_MONTHLY_HOURS:
        raise ValidationError(
            {
                field: _(
                    "Le nombre d'heures mensuelles ne peut pas dépasser un temps plein (151,67 h)."
                )
            }
        )


@transaction.atomic
def cesa_start(
    *, actor: Any, person: Person, start_date: datetime.date, monthly_hours: Decimal
) -> Contract:
    """Start a CESA; a CAPE still running then ends the day before."""
    person = _lock_person(person)
    _require_kind(
        person,
        PersonKind.ENTREPRENEUR,
        _("Un CESA ne peut être signé que par un·e entrepreneur·e."),
    )
    _refuse_after_exit(person, start_date)
    monthly_hours = Decimal(monthly_hours)
    _check_hours(monthly_hours)
    clash = _overlapping(person, [Contract.Kind.CESA], start_date, None)
    if clash is not None:
        raise ValidationError(
            _("Ce CESA chevaucherait le CESA %(contract)s.") % {"contract": clash}
        )
    for cape in person.contracts.filter(kind=Contract.Kind.CAPE, end_date__isnull=True):
        if cape.start_date >= start_date:
            raise ValidationError(
                _("Le CESA doit commencer après le début du CAPE en cours (%(date)s).")
                % {"date": _d(cape.start_date)}
            )
        if cape.planned_end_date is not None and cape.planned_end_date >= start_date:
            cape.end_date = start_date - datetime.timedelta(days=1)
            cape.save(update_fields=["end_date", "updated_at"])
            audit_record(
                actor=actor,
                action="update",
                target=cape,
                summary=f"Fin du CAPE de {person} au {_d(cape.end_date)} (passage en CESA)",
            )
    later_cape = person.contracts.filter(
        kind=Contract.Kind.CAPE, start_date__gte=start_date
    ).first()
    if later_cape is not None:
        raise ValidationError(
            _("Un CAPE commence après ce CESA (%(contract)s).") % {"contract": later_cape}
        )
    contract = Contract.objects.create(
        person=person, kind=Contract.Kind.CESA, start_date=start_date, monthly_hours=monthly_hours
    )
    audit_record(
        actor=actor,
        action="create",
        target=contract,
        summary=f"CESA de {person} à partir du {_d(start_date)}",
    )
    return contract


@transaction.atomic
def cesa_amend(
    *, actor: Any, contract: Contract, date: datetime.date, monthly_hours: Decimal, note: str = ""
) -> ContractChange:
    """Record an amendment changing a CESA's monthly hours."""
    _lock_person(contract.person)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.kind != Contract.Kind.CESA:
        raise ValidationError(_("Seul un CESA reçoit un avenant d'heures."))
    monthly_hours = Decimal(monthly_hours)
    _check_hours(monthly_hours)
    if date <= contract.start_date or (contract.end_date and date > contract.end_date):
        raise ValidationError({"date": _("L'avenant doit prendre effet pendant le contrat.")})
    last_change = contract.changes.order_by("-date").first()
    if last_change is not None and date < last_change.date:
        raise ValidationError(
            {
                "date": _("Un avenant plus récent existe déjà (%(date)s).")
                % {"date": _d(last_change.date)}
            }
        )
    change = ContractChange.objects.create(
        contract=contract,
        kind=ContractChange.Kind.AMENDMENT,
        date=date,
        previous_monthly_hours=contract.monthly_hours,
        new_monthly_hours=monthly_hours,
        note=note,
    )
    audit_record(
        actor=actor,
        action="update",
        target=contract,
        summary=f"Avenant au CESA de {contract.person} : {monthly_hours} h/mois",
        changes={"monthly_hours": [str(contract.monthly_hours), str(monthly_hours)]},
    )
    contract.monthly_hours = monthly_hours
    contract.save(update_fields=["monthly_hours", "updated_at"])
    return change


@transaction.atomic
def staff_contract_start(
    *,
    actor: Any,
    person: Person,
    start_date: datetime.date,
    monthly_hours: Decimal = FULL_TIME_MONTHLY_HOURS,
) -> Contract:
    """Record the employment of a support-staff member."""
    person = _lock_person(person)
    _require_kind(
        person,
        PersonKind.SUPPORT_STAFF,
        _("Seul un membre de l'équipe d'appui a un contrat d'équipe."),
    )
    monthly_hours = Decimal(monthly_hours)
    _check_hours(monthly_hours)
    clash = _overlapping(person, [Contract.Kind.STAFF], start_date, None)
    if clash is not None:
        raise ValidationError(
            _("Ce contrat chevaucherait le contrat %(contract)s.") % {"contract": clash}
        )
    contract = Contract.objects.create(
        person=person, kind=Contract.Kind.STAFF, start_date=start_date, monthly_hours=monthly_hours
    )
    audit_record(
        actor=actor,
        action="create",
        target=contract,
        summary=f"Contrat d'équipe de {person} à partir du {_d(start_date)}",
    )
    return contract


@transaction.atomic
def contract_end(*, actor: Any, contract: Contract, end_date: datetime.date) -> Contract:
    """End a contract early (or record the actual end of a CAPE)."""
    _lock_person(contract.person)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.end_date is not None:
        raise ValidationError(
            _("Ce contrat est déjà terminé (%(date)s).") % {"date": _d(contract.end_date)}
        )
    if end_date < contract.start_date:
        raise ValidationError(
            {
                "end_date": _("La fin du contrat ne peut pas précéder son début (%(date)s).")
                % {"date": _d(contract.start_date)}
            }
        )
    if contract.planned_end_date and end_date > contract.planned_end_date:
        raise ValidationError(
            {
                "end_date": _(
                    "La fin ne peut pas dépasser la fin prévue (%(date)s) ; renouvelez le CAPE."
                )
                % {"date": _d(contract.planned_end_date)}
            }
        )
    last_change = contract.changes.order_by("-date").first()
    if last_change is not None and end_date < last_change.date:
        raise ValidationError(
            {
                "end_date": _("La fin ne peut pas précéder le dernier avenant (%(date)s).")
                % {"date": _d(last_change.date)}
            }
        )
    contract.end_date = end_date
    contract.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=contract,
        summary=f"Fin du contrat {contract} le {_d(end_date)}",
    )
    return contract


_CATEGORY_FOR_KIND = {
    PersonKind.ENTREPRENEUR: Associateship.Category.ENTREPRENEUR,
    PersonKind.SUPPORT_STAFF: Associateship.Category.SUPPORT_STAFF,
    PersonKind.EXTERNAL: Associateship.Category.EXTERNAL,
}


@transaction.atomic
def associate_join(
    *, actor: Any, person: Person, date: datetime.date, category: str | None = None
) -> Associateship:
    """Make a person an associate from a date (an entrepreneur must then hold a CESA)."""
    person = _lock_person(person)
    _refuse_after_exit(person, date)
    expected = _CATEGORY_FOR_KIND[PersonKind(person.kind)]
    category = category or expected
    if category != expected:
        raise ValidationError(
            {"category": _("La catégorie d'associé·e ne correspond pas au type de la personne.")}
        )
    if category == Associateship.Category.ENTREPRENEUR:
        has_cesa = any(
            c.is_running_at(date) for c in person.contracts.filter(kind=Contract.Kind.CESA)
        )
        if not has_cesa:
            raise ValidationError(
                _("Un·e entrepreneur·e doit être en CESA pour devenir associé·e (pas en CAPE).")
            )
    if category == Associateship.Category.SUPPORT_STAFF:
        has_job = any(
            c.is_running_at(date) for c in person.contracts.filter(kind=Contract.Kind.STAFF)
        )
        if not has_job:
            raise ValidationError(
                _("Un membre de l'équipe doit être salarié·e pour devenir associé·e à ce titre.")
            )
    for other in person.associateships.all():
        if other.end_date is None or date < other.end_date:
            raise ValidationError(
                _("%(person)s est déjà associé·e depuis le %(date)s.")
                % {"person": person, "date": _d(other.start_date)}
            )
    associateship = Associateship.objects.create(person=person, category=category, start_date=date)
    audit_record(
        actor=actor,
        action="create",
        target=associateship,
        summary=f"{person} devient associé·e le {_d(date)}",
    )
    return associateship


@transaction.atomic
def associate_leave(
    *, actor: Any, associateship: Associateship, date: datetime.date
) -> Associateship:
    """End a person's associate status at a date."""
    _lock_person(associateship.person)
    associateship = Associateship.objects.select_for_update().get(pk=associateship.pk)
    if associateship.end_date is not None:
        raise ValidationError(
            _("Cette personne n'est déjà plus associée depuis le %(date)s.")
            % {"date": _d(associateship.end_date)}
        )
    if date <= associateship.start_date:
        raise ValidationError(
            {
                "date": _("La date de départ doit suivre l'entrée au sociétariat (%(date)s).")
                % {"date": _d(associateship.start_date)}
            }
        )
    associateship.end_date = date
    associateship.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=associateship,
        summary=f"{associateship.person} cesse d'être associé·e le {_d(date)}",
    )
    return associateship


@transaction.atomic
def person_exit(
    *, actor: Any, person: Person, date: datetime.date, outcome: str, reason: str = ""
) -> Exit:
    """Record a person's exit: running contracts and associate status end on that date."""
    person = _lock_person(person)
    if Exit.objects.filter(person=person).exists():
        raise ValidationError(
            _("La sortie de %(person)s est déjà enregistrée.") % {"person": person}
        )
    if outcome not in Exit.Outcome.values:
        raise ValidationError({"outcome": _("Devenir inconnu.")})
    contracts = list(person.contracts.all())
    if not contracts:
        raise ValidationError(
            _("%(person)s n'est jamais entré·e dans la coopérative : pas de sortie possible.")
            % {"person": person}
        )
    first_start = min(c.start_date for c in contracts)
    if date < first_start:
        raise ValidationError(
            {
                "date": _("La sortie ne peut pas précéder l'entrée (%(date)s).")
                % {"date": _d(first_start)}
            }
        )
    latest = max(
        [c.start_date for c in contracts] + [ch.date for c in contracts for ch in c.changes.all()]
    )
    if date < latest:
        raise ValidationError(
            {
                "date": _(
                    "La sortie ne peut pas précéder le dernier événement du parcours (%(date)s)."
                )
                % {"date": _d(latest)}
            }
        )
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("Une sortie ne peut pas être enregistrée à une date future.")}
        )
    for contract in contracts:
        if contract.end_date is None and (
            contract.planned_end_date is None or contract.planned_end_date >= date
        ):
            contract.end_date = date
            contract.save(update_fields=["end_date", "updated_at"])
    for associateship in person.associateships.filter(end_date__isnull=True):
        associateship.end_date = max(date, associateship.start_date + datetime.timedelta(days=1))
        associateship.save(update_fields=["end_date", "updated_at"])
    exit_ = Exit.objects.create(person=person, date=date, outcome=outcome, reason=reason.strip())
    audit_record(
        actor=actor,
        action="create",
        target=exit_,
        summary=f"Sortie de {person} le {_d(date)} : {exit_.get_outcome_display()}",
    )
    return exit_


# --- accounts ---------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *, actor: Any, email: str, role: str, person: Person | None = None, password: str | None = None
) -> User:
    """Open an account; an entrepreneur's account is tied to their person file."""
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu.")})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("Un compte existe déjà avec cette adresse e-mail.")})
    if role == Role.ENTREPRENEUR and person is None:
        raise ValidationError(
            {"person": _("Le compte d'un·e entrepreneur·e doit être rattaché à sa fiche.")}
        )
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person": _("Cette personne a déjà un compte.")})
    user = User(email=email, role=role, person=person, is_staff=role == Role.DIRECTOR)
    user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action="create",
        target=user,
        summary=f"Compte {email} ({user.get_role_display()})",
    )
    return user


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token for a user; the raw token is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Donnez un nom au jeton.")})
    raw = "alv_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=raw[4:12],
        token_hash=ApiToken.hash(raw),
        role=user.role,
    )
    audit_record(
        actor=actor,
        action="create",
        target=token,
        summary=f"Jeton d'API « {token.name} » pour {user.email}",
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke an API token at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="update",
            target=token,
            summary=f"Révocation du jeton « {token.name} »",
        )
    return token
