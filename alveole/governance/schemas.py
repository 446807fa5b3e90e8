"""Shapes of the governance API (django-ninja schemas).

Secret ballot (docs/adr/0006): no schema here has a field that could carry an individual's
choice on a secret resolution. `VoterOut` says who voted, never what; `OpenVoteOut` (a
person's choice) is only ever filled for a closed, non-secret resolution.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from alveole.core.api import PageQuery
from alveole.governance.models import (
    AssemblyKind,
    AttendanceMode,
    Choice,
    Majority,
    MandateRole,
    SignatoryRole,
)


class StrictIn(Schema):
    """An input body: an unknown field is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class AtQuery(Schema):
    at: datetime.date | None = Field(
        None, description="Date (AAAA-MM-JJ) ; aujourd'hui par défaut."
    )


# --- register and capital --------------------------------------------------------------


class RatioOut(Schema):
    part: int
    whole: int
    percent: str | None = Field(description="Pourcentage (deux décimales), null sans base.")
    minimum_percent: str
    holds: bool


class CapitalOut(Schema):
    at: datetime.date
    subscribed_cents: int
    paid_up_cents: int
    unpaid_cents: int
    shares: int
    associates: int
    employee_associates: int
    employee_capital_cents: int
    capital_ratio: RatioOut
    votes_ratio: RatioOut
    warnings: list[str]


class RegisterRowOut(Schema):
    """One line of the register. Capital amounts are null for an associate reading others' lines."""

    person_id: int
    last_name: str
    first_name: str
    category: str | None
    associate_since: datetime.date | None
    is_associate: bool
    left_on: datetime.date | None
    shares_held: int
    capital_cents: int | None
    paid_up_cents: int | None


class RegisterOut(Schema):
    at: datetime.date
    capital: CapitalOut
    rows: list[RegisterRowOut]


# --- assemblies ------------------------------------------------------------------------


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    description: str


class DocumentOut(Schema):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime


class QuorumOut(Schema):
    associates: int
    in_person: int
    online: int
    represented: int
    present_or_represented: int
    required: int
    rule: str | None
    met: bool


class ResolutionOut(Schema):
    """A resolution; its counts and outcome are null until its vote is closed."""

    id: int
    assembly_id: int
    position: int
    title: str
    text: str
    majority: str
    secret: bool
    status: str
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    adopted: bool | None


class SignatoryOut(Schema):
    role: str
    person_id: int
    person_name: str
    method: str
    signed_at: datetime.datetime


class MinutesSignIn(StrictIn):
    role: SignatoryRole
    signature: str = Field(
        "", description="Signature dessinée (data:image/png;base64,…) ; vide : signature en ligne."
    )


class MinutesOut(Schema):
    frozen: bool
    sha256: str | None
    frozen_at: datetime.datetime | None
    signatures: list[SignatoryOut]


class AssemblyOut(Schema):
    id: int
    kind: str
    convocation_round: int
    previous_id: int | None
    title: str
    starts_at: datetime.datetime
    place: str
    online: bool
    online_url: str
    status: str
    convened_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    chair_id: int | None
    chair_name: str | None
    secretary_id: int | None
    secretary_name: str | None
    recorded_afterwards: bool
    resolutions_count: int


class AssemblyDetailOut(AssemblyOut):
    agenda: list[AgendaItemOut]
    documents: list[DocumentOut]
    quorum: QuorumOut | None
    resolutions: list[ResolutionOut]
    minutes: MinutesOut


class AssemblyPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AssemblyOut]


class AssemblyQuery(PageQuery):
    status: str | None = Field(None, description="draft, convened, open ou closed.")


class AssemblyIn(StrictIn):
    kind: AssemblyKind
    title: str
    starts_at: datetime.datetime
    place: str = ""
    online: bool = False
    online_url: str = ""
    previous_id: int | None = None
    chair_id: int | None = None
    secretary_id: int | None = None


class AssemblyPatch(StrictIn):
    kind: AssemblyKind | None = None
    title: str | None = None
    starts_at: datetime.datetime | None = None
    place: str | None = None
    online: bool | None = None
    online_url: str | None = None
    chair_id: int | None = None
    secretary_id: int | None = None


class AgendaItemIn(StrictIn):
    title: str
    description: str = ""


class ConvocationOut(Schema):
    person_id: int
    person_name: str
    channel: str
    delivered: bool


# --- attendance and proxies ------------------------------------------------------------


class AttendanceRowOut(Schema):
    person_id: int
    person_name: str
    status: str
    signed_at: datetime.datetime | None
    proxy_holder_id: int | None
    proxies_held: int


class AttendanceIn(StrictIn):
    """Sign the attendance sheet: an associate for themself online; staff for a person on the tablet."""

    person_id: int | None = Field(None, description="Équipe seulement : la personne qui signe.")
    mode: AttendanceMode = AttendanceMode.ONLINE
    signature: str = Field(description="Signature dessinée : data:image/png;base64,…")


class AttendanceOut(Schema):
    id: int
    person_id: int
    mode: str
    via: str
    signed_at: datetime.datetime
    signature_sha256: str


class ProxyIn(StrictIn):
    holder_id: int
    grantor_id: int | None = Field(None, description="Équipe seulement : le·la mandant·e.")


class ProxyOut(Schema):
    id: int
    assembly_id: int
    grantor_id: int
    grantor_name: str
    holder_id: int
    holder_name: str
    given_at: datetime.datetime
    revoked_at: datetime.datetime | None
    revoked_reason: str


class ProxyRevokeIn(StrictIn):
    reason: str = ""


# --- resolutions and votes -------------------------------------------------------------


class ResolutionIn(StrictIn):
    title: str
    text: str
    majority: Majority = Majority.SIMPLE
    secret: bool = False


class VoteIn(StrictIn):
    """One's own vote, and for each proxy held the represented associate's vote."""

    choice: Choice | None = Field(None, description="Son propre vote.")
    proxies: dict[int, Choice] = Field(
        default_factory=dict,
        description="Vote par procuration : identifiant de la personne → vote.",
    )
    secret_code: str = Field(
        "", description="Vote secret : le code reçu au premier vote, pour modifier son vote."
    )


class VoteOut(Schema):
    resolution_id: int
    voted_for: list[int] = Field(description="Les associé·es au nom de qui le vote est enregistré.")
    secret_code: str = Field(
        description="Vote secret : code à conserver pour modifier son vote (donné une seule fois)."
    )


class VoterOut(Schema):
    """Who voted (on a secret resolution too) — never what."""

    person_id: int
    person_name: str
    cast_by_id: int
    cast_by_name: str


class OpenVoteOut(Schema):
    """A person's choice: only for a closed, non-secret resolution."""

    person_id: int
    person_name: str
    choice: str
    channel: str


class ResolutionDetailOut(ResolutionOut):
    voters: list[VoterOut]
    votes: list[OpenVoteOut]


# --- board -----------------------------------------------------------------------------


class MandateOut(Schema):
    id: int
    person_id: int
    person_name: str
    role: MandateRole
    role_label: str
    start_date: datetime.date
    end_date: datetime.date | None
    elected_by_id: int | None


class BoardOut(Schema):
    at: datetime.date
    mandates: list[MandateOut]
