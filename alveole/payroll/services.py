"""Operations on payroll records and contribution rules: each validates, writes and audits."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from alveole.businesses.models import Business, Membership
from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.services import audit_record, model_changes
from alveole.ledger import posting
from alveole.ledger.services import document_entries_reverse, entry_post_if_any, open_date
from alveole.payroll.models import (
    ContributionRule,
    ContributionTier,
    PayrollCharge,
    PayrollRecord,
)
from alveole.people.models import Contract, Person, PersonKind

#: More paid hours than this in a month is a typing error (48 h × 52 / 12 ≈ 208 h).
MAX_MONTHLY_HOURS = Decimal(300)
FRENCH_MONTHS = (
    "", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def month_label(month: datetime.date) -> str:
    """A month as "mars 2026"."""
    return f"{FRENCH_MONTHS[month.month]} {month.year}"


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# --- payroll records ------------------------------------------------------------------------

AMOUNT_FIELDS = (
    "gross_cents", "employee_contributions_cents", "employer_contributions_cents",
    "reduction_cents", "net_cents",
)  # fmt: skip
RECORD_FIELDS = (*AMOUNT_FIELDS, "paid_hours", "month", "person")

#: A charge: the business, and its amount in cents (None: the whole employer cost).
Charge = tuple[Business, int | None]


def hours_to_hundredths(hours: Decimal | int | str) -> int:
    """Paid hours as stored: integer hundredths (151,67 h → 15167); more decimals are refused."""
    try:
        value = Decimal(str(hours))
    except InvalidOperation:
        raise ValidationError({"paid_hours": _("Nombre d'heures invalide.")}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({"paid_hours": _("Les heures payées ne peuvent pas être négatives.")})
    if value > MAX_MONTHLY_HOURS:
        raise ValidationError(
            {
                "paid_hours": _("Un mois compte au plus %(max)s heures payées.")
                % {"max": MAX_MONTHLY_HOURS}
            }
        )
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        raise ValidationError(
            {"paid_hours": _("Les heures payées ont au plus deux décimales (151,67).")}
        )
    return int(hundredths)


def _validate_amounts(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in AMOUNT_FIELDS:
        value = values.get(name)
        if value is None:
            errors.setdefault(name, []).append(_("Ce montant est obligatoire."))
        elif value < 0:
            errors.setdefault(name, []).append(_("Un montant de paie ne peut pas être négatif."))
    if errors:
        raise ValidationError(errors)
    if values["net_cents"] > values["gross_cents"]:
        errors["net_cents"] = [_("Le net ne peut pas dépasser le brut.")]
    if values["employee_contributions_cents"] > values["gross_cents"]:
        errors["employee_contributions_cents"] = [
            _("Les cotisations salariales ne peuvent pas dépasser le brut.")
        ]
    if values["reduction_cents"] > values["employer_contributions_cents"]:
        errors["reduction_cents"] = [
            _("La réduction générale ne peut pas dépasser les cotisations patronales.")
        ]
    if errors:
        raise ValidationError(errors)


def _check_employment(person: Person, month: datetime.date) -> None:
    """Only an employee is paid: a CESA or a staff contract must run during the month."""
    if person.kind == PersonKind.EXTERNAL:
        raise ValidationError(
            {"person": _("Un·e associé·e extérieur·e n'est pas salarié·e de la coopérative.")}
        )
    last = month_end(month)
    employed = Contract.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month),
        person=person,
        kind__in=[Contract.Kind.CESA, Contract.Kind.STAFF],
        start_date__lte=last,
    ).exists()
    if not employed:
        raise ValidationError(
            {
                "person": _(
                    "Aucun contrat de travail (CESA ou contrat d'équipe) de %(person)s ne couvre "
                    "%(month)s : pas de paie possible (un CAPE n'est pas un contrat de travail)."
                )
                % {"person": person, "month": month_label(month)}
            }
        )


def _default_business(person: Person, month: datetime.date) -> Business:
    """The business a salary goes to when none is named: the person's only business that
    month, or the support structure for a staff member."""
    if person.kind == PersonKind.SUPPORT_STAFF:
        structure = Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).first()
        if structure is not None:
            return structure
    last = month_end(month)
    memberships = list(
        Membership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=month),
            person=person,
            start_date__lte=last,
        ).select_related("business")[:2]
    )
    if not memberships:
        raise ValidationError(
            {
                "charges": _(
                    "%(person)s n'est membre d'aucune activité ce mois-là : indiquez l'activité "
                    "qui porte ce salaire."
                )
                % {"person": person}
            }
        )
    if len(memberships) > 1:
        raise ValidationError(
            {
                "charges": _(
                    "%(person)s est membre de plusieurs activités ce mois-là : indiquez "
                    "l'activité qui porte ce salaire, ou le montant porté par chacune."
                )
                % {"person": person}
            }
        )
    return memberships[0].business


def _resolve_charges(
    person: Person, month: datetime.date, cost: int, charges: Sequence[Charge] | None
) -> list[tuple[Business, int]]:
    """The (business, cents) parts of the employer cost; they must add up to it exactly."""
    if cost == 0:
        return []
    if not charges:
        return [(_default_business(person, month), cost)]
    if len(charges) == 1 and charges[0][1] is None:
        return [(charges[0][0], cost)]
    resolved: list[tuple[Business, int]] = []
    seen: set[int] = set()
    for business, amount in charges:
        if amount is None:
            raise ValidationError(
                {"charges": _("Avec plusieurs activités, indiquez le montant porté par chacune.")}
            )
        if amount <= 0:
            raise ValidationError(
                {"charges": _("Le montant porté par une activité doit être positif.")}
            )
        if business.pk in seen:
            raise ValidationError(
                {
                    "charges": _("L'activité %(code)s est indiquée deux fois.")
                    % {"code": business.code}
                }
            )
        seen.add(business.pk)
        resolved.append((business, amount))
    total = sum(amount for _, amount in resolved)
    if total != cost:
        raise ValidationError(
            {
                "charges": _(
                    "Les montants portés par les activités totalisent %(total)s au lieu du coût "
                    "employeur, %(cost)s (brut + cotisations patronales − réduction)."
                )
                % {"total": format_cents(total), "cost": format_cents(cost)}
            }
        )
    return resolved


def _write_charges(record: PayrollRecord, charges: list[tuple[Business, int]]) -> None:
    record.charges.all().delete()
    PayrollCharge.objects.bulk_create(
        PayrollCharge(record=record, business=business, amount_cents=amount)
        for business, amount in charges
    )


def _charges_summary(charges: list[tuple[Business, int]]) -> dict[str, int]:
    return {business.code: amount for business, amount in charges}


# --- the ledger (docs/adr/0010): a month's pay is posted with the record ---------------

PAYROLL_DOCUMENT = "payroll"


def _post_payroll(actor: Any, record: PayrollRecord, parts: list[tuple[Business, int]]) -> None:
    """The month's pay in the payroll journal, dated its last day (or the first open day
    when that month is closed): each business charged bears its gross and employer cost."""
    person = record.person
    draft = posting.payroll_month(
        document=posting.DocumentRef(
            kind=PAYROLL_DOCUMENT,
            number=f"PAIE-{record.month:%Y-%m}-{person.pk}",
            date=open_date(month_end(record.month)),
            id=str(record.pk),
        ),
        person=posting.Party(number=f"P{person.pk:06d}", label=str(person)),
        gross_cents=record.gross_cents,
        employee_contributions_cents=record.employee_contributions_cents,
        employer_contributions_cents=record.employer_contributions_cents,
        reduction_cents=record.reduction_cents,
        net_cents=record.net_cents,
        charges=[(business.pk, amount) for business, amount in parts],
    )
    entry_post_if_any(actor=actor, draft=draft)


def _reverse_payroll(actor: Any, record_id: int, month: datetime.date) -> None:
    """Cancel what a record posted, by counter-entries dated like it (or in the open period)."""
    document_entries_reverse(
        actor=actor,
        document_kind=PAYROLL_DOCUMENT,
        document_id=str(record_id),
        date=open_date(month_end(month)),
    )


def _check_unique(person: Person, month: datetime.date, exclude: int | None = None) -> None:
    existing = PayrollRecord.objects.filter(person=person, month=month)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    if existing.exists():
        raise ValidationError(
            {
                "month": _("La paie de %(person)s pour %(month)s est déjà enregistrée.")
                % {"person": person, "month": month_label(month)}
            }
        )


@transaction.atomic
def payroll_record_create(
    *,
    actor: Any,
    person: Person,
    month: datetime.date,
    gross_cents: int,
    employee_contributions_cents: int,
    employer_contributions_cents: int,
    net_cents: int,
    paid_hours: Decimal,
    reduction_cents: int = 0,
    charges: Sequence[Charge] | None = None,
    source: str = PayrollRecord.Source.ENTERED,
) -> PayrollRecord:
    """Record one person's pay for a month and the businesses that bear its employer cost.

    `month` may be any day of the month. Without `charges`, the whole cost goes to the
    person's only business (or the support structure for staff); one charge without an
    amount takes the whole cost; several charges must add up to the cost exactly.
    """
    month = month.replace(day=1)
    values = {
        "gross_cents": gross_cents,
        "employee_contributions_cents": employee_contributions_cents,
        "employer_contributions_cents": employer_contributions_cents,
        "reduction_cents": reduction_cents,
        "net_cents": net_cents,
    }
    _validate_amounts(values)
    hundredths = hours_to_hundredths(paid_hours)
    _check_employment(person, month)
    _check_unique(person, month)
    record = PayrollRecord(
        person=person, month=month, paid_hours_hundredths=hundredths, source=source, **values
    )
    parts = _resolve_charges(person, month, record.employer_cost_cents, charges)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # the same month recorded at the same moment by someone else
        _check_unique(person, month)
        raise
    _write_charges(record, parts)
    _post_payroll(actor, record, parts)
    audit_record(
        actor=actor,
        action="create",
        target=record,
        summary=f"Paie {record}",
        changes={
            **values,
            "paid_hours": str(record.paid_hours),
            "charges": _charges_summary(parts),
        },
    )
    return record


@transaction.atomic
def payroll_record_update(
    *, actor: Any, record: PayrollRecord, charges: Sequence[Charge] | None = None, **fields: Any
) -> PayrollRecord:
    """Correct a month's pay. Without `charges`, a record charged to one business keeps it
    (for the new cost); one charged to several needs its parts again if the cost changed."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown payroll record fields: {sorted(unknown)}")
    record = PayrollRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    old_cost = record.employer_cost_cents
    old_month = record.month
    old_parts = [(c.business, c.amount_cents) for c in record.charges.select_related("business")]
    updates = dict(fields)
    if "month" in updates:
        updates["month"] = updates["month"].replace(day=1)
    if "paid_hours" in updates:
        updates["paid_hours_hundredths"] = hours_to_hundredths(updates.pop("paid_hours"))
    changes = model_changes(record, updates)
    for name, value in updates.items():
        setattr(record, name, value)
    _validate_amounts({name: getattr(record, name) for name in AMOUNT_FIELDS})
    if {"person", "month"} & set(changes):
        _check_employment(record.person, record.month)
        _check_unique(record.person, record.month, exclude=record.pk)
    cost = record.employer_cost_cents
    if charges is None and cost == old_cost and old_parts:
        parts = old_parts
    elif charges is None and len(old_parts) == 1:
        parts = _resolve_charges(record.person, record.month, cost, [(old_parts[0][0], None)])
    elif charges is None and len(old_parts) > 1:
        raise ValidationError(
            {
                "charges": _(
                    "Le coût employeur a changé et la paie est répartie entre plusieurs "
                    "activités : indiquez le nouveau montant porté par chacune."
                )
            }
        )
    else:
        parts = _resolve_charges(record.person, record.month, cost, charges)
    record.save()
    if _charges_summary(parts) != _charges_summary(old_parts):
        _write_charges(record, parts)
        changes["charges"] = [_charges_summary(old_parts), _charges_summary(parts)]
    if changes.keys() - {"paid_hours_hundredths"}:
        # The books are never changed: the old entry is reversed and the new one posted.
        _reverse_payroll(actor, record.pk, old_month)
        _post_payroll(actor, record, parts)
    if changes:
        audit_record(
            actor=actor, action="update", target=record, summary=f"Paie {record}", changes=changes
        )
    return record


@transaction.atomic
def payroll_record_delete(*, actor: Any, record: PayrollRecord) -> None:
    """Remove a month's pay entered by mistake (the audit trail keeps its figures)."""
    record = PayrollRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    audit_record(
        actor=actor,
        action="delete",
        target=record,
        summary=f"Paie {record}",
        changes={name: getattr(record, name) for name in AMOUNT_FIELDS},
    )
    _reverse_payroll(actor, record.pk, record.month)
    record.delete()


# --- contribution rules ---------------------------------------------------------------------

#: A tier: from this yearly base (cents), this rate (%) applies to the part above it.
Tier = tuple[int, Decimal]


def _check_rate(value: Any, field: str) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Taux invalide.")}) from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValidationError({field: _("Un taux est un pourcentage entre 0 et 100.")})
    if rate != rate.quantize(Decimal("0.001")):
        raise ValidationError({field: _("Un taux a au plus trois décimales.")})
    return rate


def _check_tiers(tiers: Sequence[Tier]) -> list[Tier]:
    checked: list[Tier] = []
    for threshold, rate in tiers:
        if threshold <= 0:
            raise ValidationError(
                {"tiers": _("Le seuil d'une tranche doit être supérieur à zéro.")}
            )
        checked.append((int(threshold), _check_rate(rate, "tiers")))
    thresholds = [threshold for threshold, _ in checked]
    if len(set(thresholds)) != len(thresholds):
        raise ValidationError({"tiers": _("Deux tranches ont le même seuil.")})
    return sorted(checked)


def _backdating_refused(
    business: Business | None, start: datetime.date, end: datetime.date | None
) -> bool:
    """Would a rule taking effect before this month change a month already past?

    It would unless no rule of its scope governed those months: backdating only records
    the history of a time Alvéole knew no rule for. A default starting before the first
    default known governs until that one; a business's rule would replace whatever rule
    (default or its own) governed its months.
    """
    first_open_month = today().replace(day=1)
    if start >= first_open_month:
        return False
    if business is None:
        return ContributionRule.objects.filter(
            business__isnull=True, effective_from__lt=start
        ).exists()
    past_end = first_open_month - datetime.timedelta(days=1)
    if end is not None:
        past_end = min(past_end, end)
    if ContributionRule.objects.filter(
        business__isnull=True, effective_from__lte=past_end
    ).exists():
        return True
    return (
        ContributionRule.objects.filter(business=business, effective_from__lte=past_end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        .exists()
    )


@transaction.atomic
def contribution_rule_create(
    *,
    actor: Any,
    base: str,
    rate: Decimal,
    effective_from: datetime.date,
    decision_reference: str,
    decision_date: datetime.date,
    business: Business | None = None,
    effective_to: datetime.date | None = None,
    tiers: Sequence[Tier] = (),
    notes: str = "",
) -> ContributionRule:
    """Record a rule decided by the assembly: the cooperative's default, or one business's.

    It takes effect on the first day of a month and supersedes, from then on, the rule of
    its scope in force; past months keep the rule they had. A business's rule may end (then
    the default, or an earlier rule of the business, applies again); the default does not.
    """
    errors: dict[str, list[str]] = {}
    if base not in ContributionRule.Base.values:
        errors["base"] = [_("Assiette inconnue.")]
    try:
        rate = _check_rate(rate, "rate")
    except ValidationError as error:
        errors.update(error.message_dict)
    decision_reference = (decision_reference or "").strip()
    if not decision_reference:
        errors["decision_reference"] = [
            _("Indiquez la décision d'assemblée (AG, date, numéro de résolution).")
        ]
    if decision_date > today():
        errors["decision_date"] = [_("La décision ne peut pas être dans le futur.")]
    if effective_from.day != 1:
        errors["effective_from"] = [_("Une règle prend effet le premier jour d'un mois.")]
    if effective_to is not None:
        if business is None:
            errors["effective_to"] = [
                _("La règle par défaut n'a pas de fin : une nouvelle règle la remplace.")
            ]
        elif effective_to < effective_from:
            errors["effective_to"] = [_("La fin ne peut pas précéder l'entrée en vigueur.")]
        elif effective_to != month_end(effective_to):
            errors["effective_to"] = [_("Une règle prend fin le dernier jour d'un mois.")]
    if errors:
        raise ValidationError(errors)
    checked_tiers = _check_tiers(tiers)
    scope = ContributionRule.objects.filter(business=business, effective_from=effective_from)
    if scope.exists():
        raise ValidationError(
            {
                "effective_from": _(
                    "Une règle %(scope)s prend déjà effet le %(date)s : choisissez un autre mois."
                )
                % {
                    "scope": _("de cette activité") if business else _("par défaut"),
                    "date": format_date(effective_from),
                }
            }
        )
    if _backdating_refused(business, effective_from, effective_to):
        raise ValidationError(
            {
                "effective_from": _(
                    "Cette date réécrirait des mois passés déjà régis par une règle : une "
                    "nouvelle règle prend effet au plus tôt le %(date)s (ce mois-ci)."
                )
                % {"date": format_date(today().replace(day=1))}
            }
        )
    rule = ContributionRule(
        business=business,
        base=base,
        rate=rate,
        effective_from=effective_from,
        effective_to=effective_to,
        decision_reference=decision_reference,
        decision_date=decision_date,
        notes=notes,
    )
    rule.full_clean()
    rule.save()
    ContributionTier.objects.bulk_create(
        ContributionTier(rule=rule, threshold_cents=threshold, rate=tier_rate)
        for threshold, tier_rate in checked_tiers
    )
    audit_record(
        actor=actor,
        action="create",
        target=rule,
        summary=f"Règle de contribution {rule}",
        changes={
            "business": business.code if business else None,
            "base": base,
            "rate": str(rate),
            "effective_from": effective_from.isoformat(),
            "effective_to": effective_to.isoformat() if effective_to else None,
            "tiers": [[threshold, str(tier_rate)] for threshold, tier_rate in checked_tiers],
            "decision": decision_reference,
        },
    )
    return rule


@transaction.atomic
def contribution_rule_end(
    *, actor: Any, rule: ContributionRule, effective_to: datetime.date
) -> ContributionRule:
    """End a business's rule at the end of a month not yet past (the default never ends)."""
    rule = ContributionRule.objects.select_for_update().get(pk=rule.pk)
    if rule.business_id is None:
        raise ValidationError(
            {
                "effective_to": _(
                    "La règle par défaut n'a pas de fin : une nouvelle règle la remplace."
                )
            }
        )
    if rule.effective_to is not None:
        raise ValidationError({"effective_to": _("Cette règle a déjà une date de fin.")})
    if effective_to < rule.effective_from:
        raise ValidationError(
            {"effective_to": _("La fin ne peut pas précéder l'entrée en vigueur.")}
        )
    if effective_to != month_end(effective_to):
        raise ValidationError({"effective_to": _("Une règle prend fin le dernier jour d'un mois.")})
    if effective_to < today().replace(day=1):
        raise ValidationError(
            {
                "effective_to": _(
                    "Une fin dans un mois passé réécrirait ce mois : au plus tôt le %(date)s."
                )
                % {"date": format_date(month_end(today()))}
            }
        )
    rule.effective_to = effective_to
    rule.save(update_fields=["effective_to", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=rule,
        summary=f"Règle de contribution {rule}",
        changes={"effective_to": [None, effective_to.isoformat()]},
    )
    return rule


@transaction.atomic
def contribution_rule_delete(*, actor: Any, rule: ContributionRule) -> None:
    """Remove a rule entered by mistake, as long as it has not taken effect."""
    rule = ContributionRule.objects.select_for_update().get(pk=rule.pk)
    if rule.effective_from <= today():
        raise ValidationError(
            _(
                "Une règle entrée en vigueur ne se supprime pas : elle a servi aux contributions "
                "des mois passés. Enregistrez une nouvelle règle à partir d'un mois à venir."
            )
        )
    audit_record(
        actor=actor,
        action="delete",
        target=rule,
        summary=f"Règle de contribution {rule}",
        changes={"rate": str(rule.rate), "base": rule.base},
    )
    rule.delete()
