"""The shapes of the payroll API. Amounts are integer cents, hours decimal strings."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from alveole.core.api import PageQuery
from alveole.payroll.models import ContributionRule
from alveole.people.models import PersonKind
from alveole.people.schemas import StrictIn

# --- payroll records ------------------------------------------------------------------------


class PayrollQuery(PageQuery):
    """Filters of the payroll list: the same as the payroll page."""

    person: int | None = Field(None, description="Identifiant de la personne.")
    business: int | None = Field(None, description="Identifiant d'une activité imputée.")
    year: int | None = Field(None, ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12, description="Mois de l'année, 1 à 12.")
    kind: PersonKind | None = Field(None, description="`entrepreneur` ou `support_staff`.")


class ChargeOut(Schema):
    business_id: int
    business_code: str
    amount_cents: int


class PayrollRecordOut(Schema):
    id: int
    person_id: int
    person_name: str
    month: datetime.date
    gross_cents: int
    employee_contributions_cents: int
    employer_contributions_cents: int
    reduction_cents: int
    net_cents: int
    employer_cost_cents: int
    paid_hours: Decimal
    source: str
    charges: list[ChargeOut]


class PayrollTotalsOut(Schema):
    count: int
    gross_cents: int
    employee_contributions_cents: int
    employer_contributions_cents: int
    reduction_cents: int
    net_cents: int
    employer_cost_cents: int
    paid_hours: Decimal


class PayrollPage(Schema):
    count: int
    page: int
    page_size: int
    totals: PayrollTotalsOut
    results: list[PayrollRecordOut]


class ChargeIn(StrictIn):
    business_id: int
    amount_cents: int | None = Field(
        None, description="Vide avec une seule activité : tout le coût employeur."
    )


class PayrollRecordIn(StrictIn):
    person_id: int
    month: datetime.date = Field(description="N'importe quel jour du mois payé : 2026-03-01.")
    gross_cents: int
    employee_contributions_cents: int
    employer_contributions_cents: int
    reduction_cents: int = 0
    net_cents: int
    paid_hours: Decimal = Field(max_digits=7, decimal_places=2)
    charges: list[ChargeIn] | None = Field(
        None,
        description=(
            "Activités qui portent le coût employeur. Absent : la seule activité de la personne "
            "ce mois-là (la structure d'accompagnement pour l'équipe)."
        ),
    )


class PayrollRecordPatch(StrictIn):
    """Only the fields sent change."""

    month: datetime.date | None = None
    gross_cents: int | None = None
    employee_contributions_cents: int | None = None
    employer_contributions_cents: int | None = None
    reduction_cents: int | None = None
    net_cents: int | None = None
    paid_hours: Decimal | None = Field(None, max_digits=7, decimal_places=2)
    charges: list[ChargeIn] | None = None


# --- simulator and rates --------------------------------------------------------------------


class SimulationQuery(Schema):
    business_id: int
    month: datetime.date = Field(description="Un jour du mois simulé ; ses taux s'appliquent.")
    paid_hours: Decimal = Field(Decimal("151.67"), ge=0, le=300, max_digits=5, decimal_places=2)
    budget_cents: int | None = Field(
        None, ge=0, description="Budget de l'activité : le brut le plus élevé qu'il paie."
    )
    gross_cents: int | None = Field(
        None, ge=0, description="Ou un salaire brut : son coût employeur et son net."
    )


class PayslipLineOut(Schema):
    code: str
    label: str
    base_label: str
    base_cents: int
    employee_rate: Decimal
    employee_cents: int
    employer_rate: Decimal
    employer_cents: int


class SimulationOut(Schema):
    business_id: int
    month: datetime.date
    budget_cents: int | None
    unused_budget_cents: int | None
    gross_cents: int
    paid_hours: Decimal
    employee_contributions_cents: int
    employer_contributions_cents: int
    reduction_coefficient: Decimal
    reduction_cents: int
    net_cents: int
    employer_cost_cents: int
    smic_reference_cents: int
    ceiling_cents: int
    warnings: list[str]
    lines: list[PayslipLineOut]


class AtQuery(Schema):
    at: datetime.date | None = Field(None, description="Date (aujourd'hui par défaut).")


class PayrollRateOut(Schema):
    code: str
    label: str
    base: str
    base_label: str
    employee_rate: Decimal
    employer_rate: Decimal
    covered_by_reduction: bool
    valid_from: datetime.date
    valid_to: datetime.date | None
    source: str


class PayrollParametersOut(Schema):
    valid_from: datetime.date
    valid_to: datetime.date | None
    smic_hourly_cents: int
    smic_monthly_cents: int
    full_time_monthly_hours: Decimal
    pmss_cents: int
    reduction_tmin: Decimal
    reduction_tdelta: Decimal
    reduction_exponent: Decimal
    reduction_exit_smic_multiple: Decimal
    csg_base_percent: Decimal
    csg_abatement_pmss_cap: int
    source: str


class RatesOut(Schema):
    at: datetime.date
    parameters: PayrollParametersOut
    rates: list[PayrollRateOut]


class YearFiguresOut(Schema):
    year: int
    records: int
    wage_bill_cents: int | None
    paid_hours: Decimal | None
    full_time_paid_hours: int
    fte: Decimal | None
    average_gross_monthly_salary_cents: int | None
    entrepreneur_paid_months: int
    social_contributions_cents: int | None
    employee_contributions_cents: int | None
    employer_contributions_cents: int | None


# --- contribution rules ---------------------------------------------------------------------


class RulesQuery(PageQuery):
    business: int | None = Field(
        None, description="Les règles de cette activité et celles par défaut."
    )
    scope: str = Field("", description="`default`, `override` ou vide pour toutes.")
    at: datetime.date | None = Field(None, description="Seulement les règles en vigueur ce jour.")


class TierIO(Schema):
    threshold_cents: int = Field(description="Seuil de l'assiette annuelle, en centimes.")
    rate: Decimal = Field(max_digits=6, decimal_places=3, description="Taux en %.")


class ContributionRuleOut(Schema):
    id: int
    business_id: int | None
    business_code: str | None
    base: str
    base_label: str
    rate: Decimal
    tiers: list[TierIO]
    effective_from: datetime.date
    effective_to: datetime.date | None
    decision_reference: str
    decision_date: datetime.date
    notes: str


class ContributionRulePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ContributionRuleOut]


class ContributionRuleIn(StrictIn):
    business_id: int | None = Field(None, description="Vide : la règle par défaut.")
    base: ContributionRule.Base
    rate: Decimal = Field(max_digits=6, decimal_places=3, description="Taux en %.")
    effective_from: datetime.date = Field(description="Le premier jour d'un mois.")
    effective_to: datetime.date | None = Field(
        None, description="Le dernier jour d'un mois ; pour une dérogation seulement."
    )
    decision_reference: str
    decision_date: datetime.date
    tiers: list[TierIO] = []
    notes: str = ""


class RuleEndIn(StrictIn):
    effective_to: datetime.date = Field(description="Le dernier jour d'un mois à venir.")


class RuleForBusinessOut(Schema):
    at: datetime.date
    rule: ContributionRuleOut | None
