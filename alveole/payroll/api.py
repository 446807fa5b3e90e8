"""REST routes of payroll: records, the salary simulator, rates, contribution rules.

Scoping is the pages' one (docs/payroll.md): accountant and direction see every payroll
record, support staff see entrepreneurs' records and their own, an entrepreneur their own;
staff, accountant and direction write (staff: entrepreneurs' pay only). Contribution rules
are read by staff, accountant and direction, written by accountant and direction. Amounts
are integer cents.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from alveole.businesses.models import Business
from alveole.coop.selectors import PayrollRatesMissing, payroll_parameters_at, payroll_rates_at
from alveole.core.api import ERRORS, api_field_names, paginate
from alveole.core.dates import today
from alveole.core.permissions import is_cooperative_wide
from alveole.payroll import selectors, services
from alveole.payroll.models import ContributionRule, PayrollRecord
from alveole.payroll.schemas import (
    AtQuery,
    ChargeIn,
    ContributionRuleIn,
    ContributionRuleOut,
    ContributionRulePage,
    PayrollPage,
    PayrollQuery,
    PayrollRecordIn,
    PayrollRecordOut,
    PayrollRecordPatch,
    RatesOut,
    RuleEndIn,
    RuleForBusinessOut,
    RulesQuery,
    SimulationOut,
    SimulationQuery,
    YearFiguresOut,
)
from alveole.payroll.simulator import salary_simulate
from alveole.people.models import Person

router = Router(tags=["Paie"])

API_FIELD_NAMES = {"person": "person_id", "business": "business_id"}


# --- helpers --------------------------------------------------------------------------------


def record_out(record: PayrollRecord) -> dict[str, Any]:
    """A record as the API shows it (charges read from the prefetch: no extra query)."""
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "person_name": str(record.person),
        "month": record.month,
        "gross_cents": record.gross_cents,
        "employee_contributions_cents": record.employee_contributions_cents,
        "employer_contributions_cents": record.employer_contributions_cents,
        "reduction_cents": record.reduction_cents,
        "net_cents": record.net_cents,
        "employer_cost_cents": record.employer_cost_cents,
        "paid_hours": record.paid_hours,
        "source": record.source,
        "charges": [
            {
                "business_id": charge.business_id,
                "business_code": charge.business.code,
                "amount_cents": charge.amount_cents,
            }
            for charge in record.charges.all()
        ],
    }


def rule_out(rule: ContributionRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "business_id": rule.business_id,
        "business_code": rule.business.code if rule.business_id else None,
        "base": rule.base,
        "base_label": str(rule.get_base_display()),
        "rate": rule.rate,
        "tiers": [{"threshold_cents": t.threshold_cents, "rate": t.rate} for t in rule.tiers.all()],
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "decision_reference": rule.decision_reference,
        "decision_date": rule.decision_date,
        "notes": rule.notes,
    }


def _require_writer(request: HttpRequest, person: Person | None = None) -> None:
    if not selectors.can_write_payroll(request.user, person):
        raise PermissionDenied


def _require_parameter_writer(request: HttpRequest) -> None:
    if not selectors.can_write_cooperative_parameters(request.user):
        raise PermissionDenied


def _require_cooperative_wide(request: HttpRequest) -> None:
    if not is_cooperative_wide(request.user):
        raise PermissionDenied


def _business(business_id: int | None, field: str) -> Business | None:
    if business_id is None:
        return None
    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        raise ValidationError({field: _("Activité inconnue.")})
    return business


def _charges(charges: list[ChargeIn] | None) -> list[tuple[Business, int | None]] | None:
    if charges is None:
        return None
    return [(_business(c.business_id, "charges"), c.amount_cents) for c in charges]  # type: ignore[misc]


def _person_to_pay(request: HttpRequest, person_id: int) -> Person:
    person = selectors.payable_people(request.user).filter(pk=person_id).first()
    if person is None:
        raise ValidationError(
            {"person_id": _("Personne inconnue ou dont vous ne saisissez pas la paie.")}
        )
    return person


def _reloaded(request: HttpRequest, record: PayrollRecord) -> dict[str, Any]:
    return record_out(selectors.payroll_record_get(user=request.user, pk=record.pk))


# --- payroll records ------------------------------------------------------------------------


@router.get("/records", response={200: PayrollPage, **ERRORS}, summary="Liste des paies")
def records_list(request: HttpRequest, filters: Query[PayrollQuery]) -> dict[str, Any]:
    """Les paies visibles par l'appelant, filtrées, avec les totaux du filtre."""
    records = selectors.payroll_records_list(
        user=request.user,
        filters=selectors.PayrollFilters(
            person=filters.person,
            business=filters.business,
            year=filters.year,
            month=filters.month,
            kind=filters.kind.value if filters.kind else "",
        ),
    )
    page = paginate(records, page=filters.page, page_size=filters.page_size)
    page["results"] = [record_out(r) for r in page["results"]]
    page["totals"] = selectors.payroll_totals(records)
    return page


@router.post("/records", response={201: PayrollRecordOut, **ERRORS}, summary="Saisir une paie")
def record_create(request: HttpRequest, payload: PayrollRecordIn) -> Status:
    """Équipe d'appui (paie des entrepreneur·es), comptable et direction."""
    _require_writer(request)
    data = payload.model_dump()
    person = _person_to_pay(request, data.pop("person_id"))
    data.pop("charges")
    with api_field_names(API_FIELD_NAMES):
        record = services.payroll_record_create(
            actor=request.user, person=person, charges=_charges(payload.charges), **data
        )
    return Status(201, _reloaded(request, record))


@router.get("/records/{int:record_id}", response={200: PayrollRecordOut, **ERRORS}, summary="Paie")
def record_detail(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """Une paie visible par l'appelant."""
    return record_out(selectors.payroll_record_get(user=request.user, pk=record_id))


@router.patch(
    "/records/{int:record_id}", response={200: PayrollRecordOut, **ERRORS}, summary="Corriger"
)
def record_update(request: HttpRequest, record_id: int, payload: PayrollRecordPatch) -> dict:
    """Seuls les champs envoyés changent."""
    _require_writer(request)
    record = selectors.payroll_record_get(user=request.user, pk=record_id)
    _require_writer(request, record.person)
    data = payload.model_dump(exclude_unset=True)
    charges = _charges(payload.charges) if "charges" in data else None
    data.pop("charges", None)
    for name, value in list(data.items()):
        if value is None:
            raise ValidationError({name: _("Ce champ ne peut pas être vide.")})
    with api_field_names(API_FIELD_NAMES):
        record = services.payroll_record_update(
            actor=request.user, record=record, charges=charges, **data
        )
    return _reloaded(request, record)


@router.delete("/records/{int:record_id}", response={204: None, **ERRORS}, summary="Supprimer")
def record_delete(request: HttpRequest, record_id: int) -> Status:
    """Supprime une paie saisie par erreur."""
    _require_writer(request)
    record = selectors.payroll_record_get(user=request.user, pk=record_id)
    _require_writer(request, record.person)
    services.payroll_record_delete(actor=request.user, record=record)
    return Status(204, None)


@router.get(
    "/figures/{int:year}", response={200: YearFiguresOut, **ERRORS}, summary="Chiffres de l'année"
)
def year_figures(request: HttpRequest, year: int) -> dict[str, Any]:
    """Masse salariale, heures, ETP, salaire brut moyen et cotisations de l'année (rapport)."""
    _require_cooperative_wide(request)
    return dataclasses.asdict(selectors.payroll_year_figures(year))


# --- simulator and rates --------------------------------------------------------------------


@router.get("/simulation", response={200: SimulationOut, **ERRORS}, summary="Simulateur")
def simulation(request: HttpRequest, query: Query[SimulationQuery]) -> dict[str, Any]:
    """Le brut que paie un budget (`budget_cents`) ou le coût d'un brut (`gross_cents`)."""
    business = get_object_or_404(Business.objects.visible_to(request.user), pk=query.business_id)
    if (query.budget_cents is None) == (query.gross_cents is None):
        raise ValidationError(_("Indiquez soit budget_cents, soit gross_cents."))
    month = query.month.replace(day=1)
    try:
        result = salary_simulate(
            month=month,
            paid_hours=query.paid_hours,
            budget_cents=query.budget_cents,
            gross_cents=query.gross_cents,
        )
    except PayrollRatesMissing as error:
        raise ValidationError({"month": [str(error)]}) from None
    slip = result.payslip
    return {
        "business_id": business.pk,
        "month": month,
        "budget_cents": result.budget_cents,
        "unused_budget_cents": result.unused_budget_cents,
        **{
            name: getattr(slip, name)
            for name in (
                "gross_cents",
                "paid_hours",
                "employee_contributions_cents",
                "employer_contributions_cents",
                "reduction_coefficient",
                "reduction_cents",
                "net_cents",
                "employer_cost_cents",
                "smic_reference_cents",
                "ceiling_cents",
            )
        },
        "warnings": list(slip.warnings),
        "lines": [dataclasses.asdict(line) for line in slip.lines],
    }


@router.get("/rates", response={200: RatesOut, **ERRORS}, summary="Taux en vigueur")
def rates(request: HttpRequest, query: Query[AtQuery]) -> dict[str, Any]:
    """Les paramètres (SMIC, PMSS, réduction générale) et les taux en vigueur à la date."""
    day = query.at or today()
    try:
        parameters, lines = payroll_parameters_at(day), payroll_rates_at(day)
    except PayrollRatesMissing as error:
        raise Http404(str(error)) from None
    return {
        "at": day,
        "parameters": parameters,
        "rates": [
            {
                "code": r.code, "label": r.label, "base": r.base, "base_label": str(r.get_base_display()),
                "employee_rate": r.employee_rate, "employer_rate": r.employer_rate,
                "covered_by_reduction": r.covered_by_reduction, "valid_from": r.valid_from,
                "valid_to": r.valid_to, "source": r.source,
            }
            for r in lines
        ],
    }  # fmt: skip


# --- contribution rules ---------------------------------------------------------------------


@router.get(
    "/contribution-rules",
    response={200: ContributionRulePage, **ERRORS},
    summary="Règles de contribution",
)
def rules_list(request: HttpRequest, filters: Query[RulesQuery]) -> dict[str, Any]:
    """Équipe d'appui, comptable et direction."""
    _require_cooperative_wide(request)
    rules = selectors.contribution_rules_list(
        user=request.user,
        filters=selectors.RuleFilters(
            business=filters.business, scope=filters.scope, at=filters.at
        ),
    )
    page = paginate(rules, page=filters.page, page_size=filters.page_size)
    page["results"] = [rule_out(r) for r in page["results"]]
    return page


@router.post(
    "/contribution-rules",
    response={201: ContributionRuleOut, **ERRORS},
    summary="Nouvelle règle de contribution",
)
def rule_create(request: HttpRequest, payload: ContributionRuleIn) -> Status:
    """Comptable et direction. Prend effet au plus tôt ce mois-ci (les mois passés ne changent pas)."""
    _require_parameter_writer(request)
    data = payload.model_dump()
    business = _business(data.pop("business_id"), "business_id")
    data["base"] = payload.base.value
    data["tiers"] = [(t.threshold_cents, t.rate) for t in payload.tiers]
    with api_field_names(API_FIELD_NAMES):
        rule = services.contribution_rule_create(actor=request.user, business=business, **data)
    return Status(201, rule_out(selectors.contribution_rule_get(user=request.user, pk=rule.pk)))


@router.get(
    "/contribution-rules/{int:rule_id}",
    response={200: ContributionRuleOut, **ERRORS},
    summary="Règle de contribution",
)
def rule_detail(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    _require_cooperative_wide(request)
    return rule_out(selectors.contribution_rule_get(user=request.user, pk=rule_id))


@router.post(
    "/contribution-rules/{int:rule_id}/end",
    response={200: ContributionRuleOut, **ERRORS},
    summary="Mettre fin à une dérogation",
)
def rule_end(request: HttpRequest, rule_id: int, payload: RuleEndIn) -> dict[str, Any]:
    """Comptable et direction ; le dernier jour d'un mois à venir."""
    _require_parameter_writer(request)
    rule = selectors.contribution_rule_get(user=request.user, pk=rule_id)
    services.contribution_rule_end(actor=request.user, rule=rule, effective_to=payload.effective_to)
    return rule_out(selectors.contribution_rule_get(user=request.user, pk=rule_id))


@router.delete(
    "/contribution-rules/{int:rule_id}", response={204: None, **ERRORS}, summary="Supprimer"
)
def rule_delete(request: HttpRequest, rule_id: int) -> Status:
    """Comptable et direction ; seulement une règle pas encore entrée en vigueur."""
    _require_parameter_writer(request)
    rule = selectors.contribution_rule_get(user=request.user, pk=rule_id)
    services.contribution_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


@router.get(
    "/contribution-rules/for-business/{int:business_id}",
    response={200: RuleForBusinessOut, **ERRORS},
    summary="Règle applicable à une activité",
)
def rule_for_business(request: HttpRequest, business_id: int, query: Query[AtQuery]) -> dict:
    """La règle qui fixe la contribution de l'activité à la date (la sienne, sinon celle par défaut)."""
    _require_cooperative_wide(request)
    business = get_object_or_404(Business.objects.visible_to(request.user), pk=business_id)
    day = query.at or today()
    rule = selectors.contribution_rule_for(business, day)
    return {"at": day, "rule": rule_out(rule) if rule is not None else None}
