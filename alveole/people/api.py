"""REST routes of people and their path: reads through the selectors, writes through the services.

Scoping is the pages' one: an entrepreneur sees only their own file (anyone else is a 404),
staff, accountants and direction see everyone; only staff and direction write (else 403).
Situation-at-entry data is given to staff, direction and the person themself, and is null
for anyone else; follow-up notes are null for anyone but staff and direction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as HttpStatus

from alveole.coop.models import Office
from alveole.core.api import ERRORS, api_field_names, paginate, require_manager
from alveole.core.dates import today
from alveole.core.permissions import can_manage, can_see_sensitive
from alveole.core.roles import MANAGER_ROLES
from alveole.people import selectors, services
from alveole.people.models import (
    Associateship,
    Contract,
    EntrySituation,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    Status,
    User,
)
from alveole.people.schemas import (
    AmendmentIn,
    AssociateJoinIn,
    AssociateLeaveIn,
    AssociateshipOut,
    AtQuery,
    CapeIn,
    CesaIn,
    ContractEndIn,
    ContractOut,
    ExitIn,
    ExitOut,
    IntakeInterviewIn,
    IntakeInterviewOut,
    PeopleQuery,
    PersonDetailOut,
    PersonIn,
    PersonPage,
    PersonPatch,
    RenewalIn,
    TimelineEntryOut,
)

router = Router(tags=["Personnes"])

#: Model field names that the API spells differently (the id of a related object).
API_FIELD_NAMES = {"office": "office_id", "follow_up_staff": "follow_up_staff_id"}


# --- helpers ------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _user_name(user: User | None) -> str | None:
    return str(user) if user is not None else None


def person_out(
    person: Person, *, user: Any, at: datetime.date, status: str | None = None
) -> dict[str, Any]:
    """A person as the API shows it to `user`.

    The situation at entry is null for anyone but staff, direction and the person themself;
    the follow-up notes are for staff and direction only (as on the pages).
    """
    status = status or getattr(person, "status", None) or person.status_at(at)
    sensitive = can_see_sensitive(user) or (
        user.person_id is not None and user.person_id == person.pk
    )
    return {
        "id": person.pk,
        "kind": person.kind,
        "kind_label": _label(PersonKind, person.kind),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "email": person.email,
        "phone": person.phone,
        "address": person.address,
        "postal_code": person.postal_code,
        "city": person.city,
        "department": person.department,
        "entry_situation": person.entry_situation if sensitive else None,
        "has_other_income": person.has_other_income,
        "office_id": person.office_id,
        "office_name": str(person.office) if person.office_id else None,
        "follow_up_staff_id": person.follow_up_staff_id,
        "follow_up_staff_name": _user_name(person.follow_up_staff),
        "notes": person.notes if can_manage(user) else None,
        "status": status,
        "status_label": _label(Status, status),
        "status_at": at,
    }


def _hours(value: Decimal | None) -> Decimal | None:
    # As stored (two decimals), also for an object fresh from a service: "75.50", not "75.5".
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else None


def contract_out(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "kind": contract.kind,
        "kind_label": _label(Contract.Kind, contract.kind),
        "start_date": contract.start_date,
        "planned_end_date": contract.planned_end_date,
        "end_date": contract.end_date,
        "monthly_hours": _hours(contract.monthly_hours),
        "changes": [
            {
                "id": change.pk,
                "kind": change.kind,
                "date": change.date,
                "previous_planned_end_date": change.previous_planned_end_date,
                "new_planned_end_date": change.new_planned_end_date,
                "previous_monthly_hours": _hours(change.previous_monthly_hours),
                "new_monthly_hours": _hours(change.new_monthly_hours),
                "note": change.note,
            }
            for change in contract.changes.all()
        ],
    }


def interview_out(interview: IntakeInterview) -> dict[str, Any]:
    return {
        "id": interview.pk,
        "date": interview.date,
        "decision": interview.decision,
        "decision_label": _label(IntakeInterview.Decision, interview.decision),
        "interviewer_id": interview.interviewer_id,
        "interviewer_name": _user_name(interview.interviewer),
        "reason": interview.reason,
    }


def associateship_out(associateship: Associateship) -> dict[str, Any]:
    return {
        "id": associateship.pk,
        "category": associateship.category,
        "category_label": _label(Associateship.Category, associateship.category),
        "start_date": associateship.start_date,
        "end_date": associateship.end_date,
    }


def exit_out(exit_: Exit) -> dict[str, Any]:
    return {
        "id": exit_.pk,
        "date": exit_.date,
        "outcome": exit_.outcome,
        "outcome_label": _label(Exit.Outcome, exit_.outcome),
        "reason": exit_.reason,
    }


def person_detail_out(person: Person, *, user: Any, at: datetime.date) -> dict[str, Any]:
    """A person's file: identity, status at the date, and every event of the path."""
    exit_ = Exit.objects.filter(person=person).first()
    return {
        **person_out(person, user=user, at=at),
        "intake_interviews": [
            interview_out(i)
            for i in person.intake_interviews.select_related("interviewer", "interviewer__person")
        ],
        "contracts": [
            contract_out(c)
            for c in person.contracts.prefetch_related("changes").order_by("start_date", "pk")
        ],
        "associateships": [associateship_out(a) for a in person.associateships.all()],
        "exit": exit_out(exit_) if exit_ is not None else None,
    }


def _record_read(request: HttpRequest, person: Person) -> None:
    # Someone else's file is opened (only staff-side roles can): log who looked at whom.
    if request.user.person_id != person.pk:
        services.person_record_read(actor=request.user, person=person)


def _person_for_write(request: HttpRequest, person_id: int) -> Person:
    require_manager(request)
    return selectors.person_get(user=request.user, pk=person_id)


def _office(office_id: int | None) -> Office | None:
    if office_id is None:
        return None
    office = Office.objects.filter(pk=office_id).first()
    if office is None:
        raise ValidationError(_("Établissement inconnu."))
    return office


def _staff_user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.select_related("person").filter(pk=user_id).first()
    if user is None or user.role not in MANAGER_ROLES:
        raise ValidationError(_("Ce compte n'appartient pas à l'équipe d'appui ni à la direction."))
    return user


def _person_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn an API body into the keyword arguments of person_create / person_update."""
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        try:
            if name == "office_id":
                fields["office"] = _office(value)
            elif name == "follow_up_staff_id":
                fields["follow_up_staff"] = _staff_user(value)
            elif name == "kind":
                if value is None:
                    raise ValidationError(_("Le type de personne est obligatoire."))
                fields["kind"] = PersonKind(value).value
            elif name == "entry_situation":
                fields["entry_situation"] = EntrySituation(value).value if value else ""
            elif name in ("birth_date", "has_other_income"):
                fields[name] = value
            else:
                fields[name] = value if value is not None else ""
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return fields


# --- people -------------------------------------------------------------------------------


@router.get("/", response={200: PersonPage, **ERRORS}, summary="Liste des personnes")
def people_list(request: HttpRequest, filters: Query[PeopleQuery]) -> dict[str, Any]:
    """Les personnes visibles par l'appelant, avec leur statut à la date `at`, filtrées."""
    at = filters.at or today()
    people = selectors.people_list(
        user=request.user,
        filters=selectors.PeopleFilters(
            at=at,
            q=filters.q.strip(),
            status=filters.status.value if filters.status else "",
            kind=filters.kind.value if filters.kind else "",
            sector=filters.sector,
            office=filters.office,
            department=filters.department.strip(),
            follow_up_staff=filters.follow_up_staff,
        ),
    )
    page = paginate(people, page=filters.page, page_size=filters.page_size)
    page["results"] = [person_out(p, user=request.user, at=at) for p in page["results"]]
    return page


@router.post("/", response={201: PersonDetailOut, **ERRORS}, summary="Créer une personne")
def person_create(request: HttpRequest, payload: PersonIn) -> HttpStatus:
    """Équipe d'appui et direction seulement."""
    require_manager(request)
    with api_field_names(API_FIELD_NAMES):
        person = services.person_create(actor=request.user, **_person_fields(payload.model_dump()))
    return HttpStatus(201, person_detail_out(person, user=request.user, at=today()))


@router.get("/{int:person_id}", response={200: PersonDetailOut, **ERRORS}, summary="Dossier")
def person_detail(request: HttpRequest, person_id: int, query: Query[AtQuery]) -> dict[str, Any]:
    """Le dossier d'une personne et son statut à la date `at` (la consultation est journalisée)."""
    person = selectors.person_get(user=request.user, pk=person_id)
    _record_read(request, person)
    return person_detail_out(person, user=request.user, at=query.at or today())


@router.patch(
    "/{int:person_id}", response={200: PersonDetailOut, **ERRORS}, summary="Modifier une personne"
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    """Seuls les champs envoyés changent. Équipe d'appui et direction seulement."""
    person = _person_for_write(request, person_id)
    with api_field_names(API_FIELD_NAMES):
        person = services.person_update(
            actor=request.user,
            person=person,
            **_person_fields(payload.model_dump(exclude_unset=True)),
        )
    return person_detail_out(person, user=request.user, at=today())


@router.get(
    "/{int:person_id}/timeline",
    response={200: list[TimelineEntryOut], **ERRORS},
    summary="Parcours",
)
def person_timeline(request: HttpRequest, person_id: int) -> list[Any]:
    """Les événements du parcours, du plus ancien au plus récent (consultation journalisée)."""
    person = selectors.person_get(user=request.user, pk=person_id)
    _record_read(request, person)
    return selectors.person_timeline(person)


# --- path events --------------------------------------------------------------------------


@router.post(
    "/{int:person_id}/intake-interviews",
    response={201: IntakeInterviewOut, **ERRORS},
    summary="Entretien individuel",
)
def intake_interview_record(
    request: HttpRequest, person_id: int, payload: IntakeInterviewIn
) -> HttpStatus:
    """Enregistre un entretien et sa décision ; mené par l'appelant si `interviewer_id` manque."""
    person = _person_for_write(request, person_id)
    if payload.interviewer_id is None:
        interviewer = request.user
    else:
        try:
            interviewer = _staff_user(payload.interviewer_id)
        except ValidationError as error:
            raise ValidationError({"interviewer_id": error.messages}) from None
    with api_field_names({"interviewer": "interviewer_id"}):
        interview = services.intake_interview_record(
            actor=request.user,
            person=person,
            date=payload.date,
            decision=payload.decision.value,
            interviewer=interviewer,
            reason=payload.reason,
        )
    return HttpStatus(201, interview_out(interview))


@router.post("/{int:person_id}/cape", response={201: ContractOut, **ERRORS}, summary="CAPE")
def cape_start(request: HttpRequest, person_id: int, payload: CapeIn) -> HttpStatus:
    """Signe un CAPE (12 mois au plus, renouvelable deux fois, 36 mois en tout)."""
    person = _person_for_write(request, person_id)
    contract = services.cape_start(
        actor=request.user,
        person=person,
        start_date=payload.start_date,
        planned_end_date=payload.planned_end_date,
    )
    return HttpStatus(201, contract_out(contract))


@router.post("/{int:person_id}/cesa", response={201: ContractOut, **ERRORS}, summary="CESA")
def cesa_start(request: HttpRequest, person_id: int, payload: CesaIn) -> HttpStatus:
    """Signe un CESA ; un CAPE en cours se termine la veille."""
    person = _person_for_write(request, person_id)
    contract = services.cesa_start(
        actor=request.user,
        person=person,
        start_date=payload.start_date,
        monthly_hours=payload.monthly_hours,
    )
    return HttpStatus(201, contract_out(contract))


def _contract(person: Person, contract_id: int) -> Contract:
    # A contract of someone else is "not found", like a person one may not see.
    return person.contracts.get(pk=contract_id)


@router.post(
    "/{int:person_id}/contracts/{int:contract_id}/renewal",
    response={200: ContractOut, **ERRORS},
    summary="Renouveler un CAPE",
)
def cape_renew(
    request: HttpRequest, person_id: int, contract_id: int, payload: RenewalIn
) -> dict[str, Any]:
    """Renouvelle un CAPE en cours (deux fois au plus)."""
    contract = _contract(_person_for_write(request, person_id), contract_id)
    services.cape_renew(
        actor=request.user,
        contract=contract,
        date=payload.date,
        new_planned_end_date=payload.new_planned_end_date,
        note=payload.note,
    )
    contract.refresh_from_db()
    return contract_out(contract)


@router.post(
    "/{int:person_id}/contracts/{int:contract_id}/amendment",
    response={200: ContractOut, **ERRORS},
    summary="Avenant à un CESA",
)
def cesa_amend(
    request: HttpRequest, person_id: int, contract_id: int, payload: AmendmentIn
) -> dict[str, Any]:
    """Change les heures mensuelles d'un CESA à une date d'effet."""
    contract = _contract(_person_for_write(request, person_id), contract_id)
    services.cesa_amend(
        actor=request.user,
        contract=contract,
        date=payload.date,
        monthly_hours=payload.monthly_hours,
        note=payload.note,
    )
    contract.refresh_from_db()
    return contract_out(contract)


@router.post(
    "/{int:person_id}/contracts/{int:contract_id}/end",
    response={200: ContractOut, **ERRORS},
    summary="Fin d'un contrat",
)
def contract_end(
    request: HttpRequest, person_id: int, contract_id: int, payload: ContractEndIn
) -> dict[str, Any]:
    """Termine un contrat (avant ou à sa fin prévue)."""
    person = _person_for_write(request, person_id)
    contract = services.contract_end(
        actor=request.user, contract=_contract(person, contract_id), end_date=payload.end_date
    )
    return contract_out(contract)


@router.post(
    "/{int:person_id}/associateships",
    response={201: AssociateshipOut, **ERRORS},
    summary="Devenir associé·e",
)
def associate_join(request: HttpRequest, person_id: int, payload: AssociateJoinIn) -> HttpStatus:
    """La personne devient associée à la date (une entrepreneure doit être en CESA)."""
    person = _person_for_write(request, person_id)
    associateship = services.associate_join(
        actor=request.user,
        person=person,
        date=payload.date,
        category=payload.category.value if payload.category else None,
    )
    return HttpStatus(201, associateship_out(associateship))


@router.post(
    "/{int:person_id}/associateships/{int:associateship_id}/leave",
    response={200: AssociateshipOut, **ERRORS},
    summary="Cesser d'être associé·e",
)
def associate_leave(
    request: HttpRequest, person_id: int, associateship_id: int, payload: AssociateLeaveIn
) -> dict[str, Any]:
    """Met fin à la qualité d'associé·e à la date."""
    person = _person_for_write(request, person_id)
    associateship = services.associate_leave(
        actor=request.user,
        associateship=person.associateships.get(pk=associateship_id),
        date=payload.date,
    )
    return associateship_out(associateship)


@router.post("/{int:person_id}/exit", response={201: ExitOut, **ERRORS}, summary="Sortie")
def person_exit(request: HttpRequest, person_id: int, payload: ExitIn) -> HttpStatus:
    """Enregistre la sortie ; les contrats et la qualité d'associé·e en cours s'arrêtent."""
    person = _person_for_write(request, person_id)
    exit_ = services.person_exit(
        actor=request.user,
        person=person,
        date=payload.date,
        outcome=payload.outcome.value,
        reason=payload.reason,
    )
    return HttpStatus(201, exit_out(exit_))
