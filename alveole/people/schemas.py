"""The shapes of the people API: what it reads (`…In`, `…Patch`) and what it returns (`…Out`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from alveole.core.api import PageQuery, inline_enum
from alveole.people.models import (
    Associateship,
    EntrySituation,
    Exit,
    IntakeInterview,
    PersonKind,
    Status,
)

PersonStatus = inline_enum(Status)


class StrictIn(Schema):
    """An input body: an unknown field is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- reads ------------------------------------------------------------------------------


class PeopleQuery(PageQuery):
    """Filters of the people list: the same as the people page (`PeopleFilters`)."""

    at: datetime.date | None = Field(
        None, description="Date à laquelle le statut est calculé (aujourd'hui par défaut)."
    )
    q: str = Field("", description="Recherche dans le prénom, le nom, l'e-mail et la ville.")
    status: PersonStatus | None = Field(None, description="Statut à la date `at`.")
    kind: PersonKind | None = None
    sector: int | None = Field(None, description="Identifiant du secteur d'une de ses activités.")
    office: int | None = Field(None, description="Identifiant de l'établissement.")
    department: str = Field(
        "", description="Numéro de département, ou `other` pour les autres que 32, 65, 64, 31."
    )
    follow_up_staff: int | None = Field(
        None, description="Identifiant du compte de l'accompagnateur·rice."
    )


class AtQuery(Schema):
    at: datetime.date | None = Field(
        None, description="Date à laquelle le statut est calculé (aujourd'hui par défaut)."
    )


class PersonOut(Schema):
    id: int
    kind: str
    kind_label: str
    first_name: str
    last_name: str
    full_name: str
    birth_date: datetime.date | None
    email: str
    phone: str
    address: str
    postal_code: str
    city: str
    department: str
    entry_situation: str | None = Field(
        description='Situation à l\'entrée (`employed`, `job_seeker`, `rsa`, `other`, ou `""` '
        "si non renseignée) ; null si l'appelant n'est ni de l'équipe d'appui, ni de la "
        "direction, ni la personne elle-même."
    )
    has_other_income: bool | None
    office_id: int | None
    office_name: str | None
    follow_up_staff_id: int | None
    follow_up_staff_name: str | None
    notes: str | None = Field(
        description="Notes de suivi ; null si l'appelant n'est ni de l'équipe d'appui ni de la "
        "direction."
    )
    status: str = Field(description="Statut à la date `status_at`.")
    status_label: str
    status_at: datetime.date


class ContractChangeOut(Schema):
    id: int
    kind: str
    date: datetime.date
    previous_planned_end_date: datetime.date | None
    new_planned_end_date: datetime.date | None
    previous_monthly_hours: Decimal | None
    new_monthly_hours: Decimal | None
    note: str


class ContractOut(Schema):
    id: int
    kind: str
    kind_label: str
    start_date: datetime.date
    planned_end_date: datetime.date | None
    end_date: datetime.date | None
    monthly_hours: Decimal | None
    changes: list[ContractChangeOut]


class IntakeInterviewOut(Schema):
    id: int
    date: datetime.date
    decision: str
    decision_label: str
    interviewer_id: int | None
    interviewer_name: str | None
    reason: str


class AssociateshipOut(Schema):
    id: int
    category: str
    category_label: str
    start_date: datetime.date
    end_date: datetime.date | None


class ExitOut(Schema):
    id: int
    date: datetime.date
    outcome: str
    outcome_label: str
    reason: str


class PersonDetailOut(PersonOut):
    intake_interviews: list[IntakeInterviewOut]
    contracts: list[ContractOut]
    associateships: list[AssociateshipOut]
    exit: ExitOut | None


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PersonOut]


class TimelineEntryOut(Schema):
    date: datetime.date
    kind: str
    title: str
    detail: str


# --- writes -----------------------------------------------------------------------------


class PersonIn(StrictIn):
    kind: PersonKind = PersonKind.ENTREPRENEUR
    first_name: str
    last_name: str
    birth_date: datetime.date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    department: str = Field("", description="Déduit du code postal s'il est vide.")
    entry_situation: EntrySituation | None = None
    has_other_income: bool | None = None
    office_id: int | None = None
    follow_up_staff_id: int | None = Field(
        None, description="Identifiant du compte (équipe d'appui ou direction)."
    )
    notes: str = ""


class PersonPatch(StrictIn):
    """Only the fields sent are changed; null empties a field."""

    kind: PersonKind | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: datetime.date | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    department: str | None = None
    entry_situation: EntrySituation | None = None
    has_other_income: bool | None = None
    office_id: int | None = None
    follow_up_staff_id: int | None = None
    notes: str | None = None


class IntakeInterviewIn(StrictIn):
    date: datetime.date
    decision: IntakeInterview.Decision
    interviewer_id: int | None = Field(
        None, description="Compte qui a mené l'entretien (l'appelant par défaut)."
    )
    reason: str = ""


class CapeIn(StrictIn):
    start_date: datetime.date
    planned_end_date: datetime.date


class CesaIn(StrictIn):
    start_date: datetime.date
    monthly_hours: Decimal = Field(max_digits=6, decimal_places=2)


class RenewalIn(StrictIn):
    date: datetime.date = Field(description="Date de signature du renouvellement.")
    new_planned_end_date: datetime.date
    note: str = ""


class AmendmentIn(StrictIn):
    date: datetime.date = Field(description="Date d'effet de l'avenant.")
    monthly_hours: Decimal = Field(max_digits=6, decimal_places=2)
    note: str = ""


class ContractEndIn(StrictIn):
    end_date: datetime.date


class AssociateJoinIn(StrictIn):
    date: datetime.date
    category: Associateship.Category | None = Field(
        None, description="Déduite du type de la personne si absente."
    )


class AssociateLeaveIn(StrictIn):
    date: datetime.date


class ExitIn(StrictIn):
    date: datetime.date
    outcome: Exit.Outcome
    reason: str = ""
