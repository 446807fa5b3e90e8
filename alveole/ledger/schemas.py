"""The shapes of the ledger API. Amounts are integer cents."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from alveole.core.api import PageQuery
from alveole.ledger.models import Event
from alveole.people.schemas import StrictIn

# --- chart and journals ---------------------------------------------------------------------


class AccountOut(Schema):
    number: str
    label: str
    account_class: int
    active: bool


class AccountIn(StrictIn):
    number: str = Field(description="Numéro PCG, 2 à 10 chiffres : 6228.")
    label: str


class AccountPatch(StrictIn):
    label: str | None = None
    active: bool | None = None


class JournalOut(Schema):
    code: str
    label: str


# --- entries --------------------------------------------------------------------------------


class EntryQuery(PageQuery):
    """Filters of the entries list: the same as the entries page."""

    journal: str | None = Field(None, description="Code du journal : VE, AC, BQ, PA, OD, AN.")
    fiscal_year: int | None = Field(None, description="Identifiant de l'exercice.")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    account: str | None = Field(None, description="Numéro de compte ou début de numéro : 411.")
    business: int | None = Field(None, description="Identifiant de l'activité (code analytique).")
    event: Event | None = None
    q: str | None = Field(None, description="Libellé, pièce ou tiers.")


class EntryLineOut(Schema):
    position: int
    account: str
    account_label: str
    business_id: int | None
    business_code: str | None
    label: str
    debit_cents: int
    credit_cents: int
    auxiliary_number: str
    auxiliary_label: str
    lettering: str
    lettering_date: datetime.date | None


class EntrySummaryOut(Schema):
    id: int
    journal: str
    number: int
    reference: str
    date: datetime.date
    label: str
    event: str
    document_kind: str
    document_number: str
    document_date: datetime.date
    debit_cents: int


class EntryOut(EntrySummaryOut):
    document_id: str
    fiscal_year_id: int
    validated_at: datetime.datetime
    reverses_id: int | None
    lines: list[EntryLineOut]


class EntryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EntrySummaryOut]


class EntryLineIn(StrictIn):
    account: str
    debit_cents: int = Field(0, ge=0)
    credit_cents: int = Field(0, ge=0)
    business_id: int | None = None
    label: str = ""
    auxiliary_number: str = ""
    auxiliary_label: str = ""


class EntryIn(StrictIn):
    """A manual entry (accountant, direction); the anchored entries come from the services."""

    journal: str = Field("OD", description="Journal : OD par défaut.")
    date: datetime.date
    label: str
    document_number: str = ""
    lines: list[EntryLineIn]


class ReverseIn(StrictIn):
    date: datetime.date | None = Field(None, description="Par défaut aujourd'hui.")
    reason: str = ""


# --- treasury -------------------------------------------------------------------------------


class FigureOut(Schema):
    key: str
    label: str
    explanation: str
    value_cents: int
    effect_cents: int
    projected_only: bool


class TreasuryOut(Schema):
    business_id: int
    business_code: str
    business_name: str
    day: datetime.date
    available_cents: int
    projected_cents: int
    figures: list[FigureOut]


class MonthOut(Schema):
    month: datetime.date
    available_cents: int
    projected_cents: int
    movements: dict[str, int]


class TreasuryMonthsOut(Schema):
    business_id: int
    year: int
    months: list[MonthOut]


class TreasuryRowOut(Schema):
    business_id: int
    business_code: str
    business_name: str
    available_cents: int
    projected_cents: int
    available_three_months_ago_cents: int
    trend_cents: int
    risk: str = Field(description="`negative`, `falling` ou vide.")


class DayQuery(Schema):
    day: datetime.date | None = Field(None, description="Par défaut aujourd'hui.")


class YearQuery(Schema):
    year: int = Field(ge=2000, le=2100)


# --- VAT, balances, closings ----------------------------------------------------------------


class VatQuery(YearQuery):
    quarterly: bool = False


class VatPeriodOut(Schema):
    label: str
    start: datetime.date
    end: datetime.date
    collected_cents: int
    deductible_cents: int
    due_cents: int
    pending_cents: int
    declared: bool


class VatReturnIn(StrictIn):
    start: datetime.date
    end: datetime.date


class BalanceOut(Schema):
    account: str
    label: str
    debit_cents: int
    credit_cents: int
    balance_cents: int


class ClosingOut(Schema):
    kind: str
    through: datetime.date
    fiscal_year_id: int
    closed_at: datetime.datetime


class ClosingIn(StrictIn):
    through: datetime.date = Field(description="Dernier jour du mois à clôturer.")


class FiscalYearOut(Schema):
    id: int
    start_date: datetime.date
    end_date: datetime.date
    closed: bool
