"""Operations that change the cooperative's identity and reference data."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.coop.models import (
    Cooperative,
    FiscalYear,
    Grant,
    GrantAllocation,
    Office,
    PayrollParameters,
    PayrollRate,
    Sector,
)
from alveole.core.formatting import format_cents, format_date
from alveole.core.services import audit_record, model_changes
from alveole.core.validators import clean_siren, clean_siret, clean_vat_fr

COOPERATIVE_FIELDS = (
    "name", "legal_form", "capital_cents", "siren", "siret", "rcs_city", "vat_number",
    "address", "postal_code", "city", "region", "training_registration_number",
    "vat_on_debits", "email", "phone", "website", "full_time_paid_hours",
)  # fmt: skip


def _normalise_identifiers(fields: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    for name, cleaner in (
        ("siren", clean_siren),
        ("siret", clean_siret),
        ("vat_number", clean_vat_fr),
    ):
        if fields.get(name):
            try:
                fields[name] = cleaner(fields[name])
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def cooperative_setup(*, actor: Any, **fields: Any) -> Cooperative:
    """Create the cooperative's identity (once per installation)."""
    if Cooperative.objects.exists():
        raise ValidationError(_("La coopérative est déjà paramétrée."))
    unknown = set(fields) - set(COOPERATIVE_FIELDS)
    if unknown:
        raise TypeError(f"unknown cooperative fields: {sorted(unknown)}")
    cooperative = Cooperative(**_normalise_identifiers(fields))
    cooperative.full_clean()
    cooperative.save()
    audit_record(
        actor=actor, action="create", target=cooperative, summary=f"Coopérative {cooperative}"
    )
    return cooperative


@transaction.atomic
def cooperative_update(*, actor: Any, cooperative: Cooperative, **fields: Any) -> Cooperative:
    """Change the cooperative's identity or settings (director only, checked by callers)."""
    unknown = set(fields) - set(COOPERATIVE_FIELDS)
    if unknown:
        raise TypeError(f"unknown cooperative fields: {sorted(unknown)}")
    fields = _normalise_identifiers(dict(fields))
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    changes = model_changes(cooperative, fields)
    for name, value in fields.items():
        setattr(cooperative, name, value)
    cooperative.full_clean()
    cooperative.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=cooperative,
            summary=f"Coopérative {cooperative}",
            changes=changes,
        )
    return cooperative


@transaction.atomic
def fiscal_year_create(
    *, actor: Any, start_date: datetime.date, end_date: datetime.date
) -> FiscalYear:
    """Open a fiscal year; it may not overlap another."""
    if end_date <= start_date:
        raise ValidationError(_("La fin de l'exercice doit être après son début."))
    if (end_date - start_date).days > 731:
        raise ValidationError(_("Un exercice ne peut pas dépasser 24 mois."))
    overlapping = FiscalYear.objects.filter(start_date__lte=end_date, end_date__gte=start_date)
    if overlapping.exists():
        raise ValidationError(
            _("Cet exercice chevauche l'exercice %(other)s.") % {"other": overlapping.first()}
        )
    year = FiscalYear.objects.create(start_date=start_date, end_date=end_date)
    audit_record(actor=actor, action="create", target=year, summary=f"Exercice {year}")
    return year


@transaction.atomic
def office_create(
    *,
    actor: Any,
    name: str,
    city: str,
    is_head_office: bool = False,
    address: str = "",
    postal_code: str = "",
) -> Office:
    """Add an office (the head office or a branch)."""
    if is_head_office and Office.objects.filter(is_head_office=True).exists():
        raise ValidationError(_("La coopérative a déjà un siège social."))
    office = Office(
        name=name,
        city=city,
        is_head_office=is_head_office,
        address=address,
        postal_code=postal_code,
    )
    office.full_clean()
    office.save()
    audit_record(actor=actor, action="create", target=office, summary=f"Établissement {office}")
    return office


@transaction.atomic
def sector_create(*, actor: Any, code: str, name: str, position: int = 0) -> Sector:
    """Add a sector of activity."""
    sector = Sector(code=code, name=name, position=position)
    sector.full_clean()
    sector.save()
    audit_record(actor=actor, action="create", target=sector, summary=f"Secteur {sector}")
    return sector


# --- grants ---------------------------------------------------------------------------------

GRANT_FIELDS = (
    "funder_kind", "funder_name", "programme", "amount_cents", "start_year", "end_year",
    "decision_date", "received_date", "notes",
)  # fmt: skip

#: Years a grant may cover; beyond, it is a typing error rather than a real convention.
GRANT_YEARS = (2000, 2100)
GRANT_MAX_SPAN = 10


def grant_split_evenly(amount_cents: int, years: range) -> dict[int, int]:
    """An amount shared equally between years, the odd cents going to the first years."""
    share, remainder = divmod(amount_cents, len(years))
    return {year: share + (1 if index < remainder else 0) for index, year in enumerate(years)}


def _grant_validate(grant: Grant, allocations: Mapping[int, int] | None) -> dict[int, int]:
    """Check a grant and return its yearly allocations (even split unless given)."""
    errors: dict[str, list[str]] = {}
    grant.programme = (grant.programme or "").strip()
    grant.funder_name = (grant.funder_name or "").strip()
    if grant.amount_cents is None or grant.amount_cents <= 0:
        errors.setdefault("amount_cents", []).append(_("Le montant doit être supérieur à zéro."))
    for name in ("start_year", "end_year"):
        year = getattr(grant, name)
        if year is None or not GRANT_YEARS[0] <= year <= GRANT_YEARS[1]:
            errors.setdefault(name, []).append(
                _("Année invalide : attendu une année entre %(first)s et %(last)s.")
                % {"first": GRANT_YEARS[0], "last": GRANT_YEARS[1]}
            )
    if not errors.get("start_year") and not errors.get("end_year"):
        if grant.end_year < grant.start_year:
            errors.setdefault("end_year", []).append(
                _("La dernière année couverte ne peut pas précéder la première.")
            )
        elif grant.end_year - grant.start_year + 1 > GRANT_MAX_SPAN:
            errors.setdefault("end_year", []).append(
                _("Une subvention couvre au plus %(n)s années.") % {"n": GRANT_MAX_SPAN}
            )
    if grant.decision_date and grant.received_date and grant.received_date < grant.decision_date:
        errors.setdefault("received_date", []).append(
            _("La date de réception ne peut pas précéder la date de la décision.")
        )
    if errors:
        raise ValidationError(errors)
    grant.full_clean()
    years = range(grant.start_year, grant.end_year + 1)
    if allocations is None:
        return grant_split_evenly(grant.amount_cents, years)
    allocations = {int(year): int(amount) for year, amount in allocations.items()}
    outside = sorted(set(allocations) - set(years))
    if outside:
        raise ValidationError(
            {
                "allocations": _(
                    "La répartition nomme des années hors de la période couverte : %(years)s."
                )
                % {"years": ", ".join(str(y) for y in outside)}
            }
        )
    if any(amount < 0 for amount in allocations.values()):
        raise ValidationError({"allocations": _("Une part annuelle ne peut pas être négative.")})
    allocations = {year: allocations.get(year, 0) for year in years}
    total = sum(allocations.values())
    if total != grant.amount_cents:
        raise ValidationError(
            {
                "allocations": _(
                    "La répartition par année totalise %(total)s au lieu du montant de la "
                    "subvention, %(amount)s."
                )
                % {"total": format_cents(total), "amount": format_cents(grant.amount_cents)}
            }
        )
    return allocations


def _grant_write_allocations(grant: Grant, allocations: dict[int, int]) -> None:
    grant.allocations.all().delete()
    GrantAllocation.objects.bulk_create(
        GrantAllocation(grant=grant, year=year, amount_cents=amount)
        for year, amount in sorted(allocations.items())
    )


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(GRANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown grant fields: {sorted(unknown)}")


@transaction.atomic
def grant_create(
    *, actor: Any, allocations: Mapping[int, int] | None = None, **fields: Any
) -> Grant:
    """Record a grant and the part of it recognised for each year it covers.

    Without `allocations` ({year: cents}), the amount is shared equally between the years.
    Its entries are not written here (coop sits below the ledger): pages, API and demo call
    `ledger.grants.grant_record`, which calls this and posts in the same transaction.
    """
    _check_fields(fields)
    grant = Grant(**fields)
    shares = _grant_validate(grant, allocations)
    grant.save()
    _grant_write_allocations(grant, shares)
    audit_record(
        actor=actor,
        action="create",
        target=grant,
        summary=f"Subvention {grant}",
        changes={"amount_cents": grant.amount_cents, "allocations": shares},
    )
    return grant


@transaction.atomic
def grant_update(
    *, actor: Any, grant: Grant, allocations: Mapping[int, int] | None = None, **fields: Any
) -> Grant:
    """Correct a grant; its yearly parts are shared again when the amount or years change.

    Called by `ledger.grants.grant_change`, which brings its entries in line in the same
    transaction."""
    _check_fields(fields)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    previous = dict(grant.allocations.values_list("year", "amount_cents"))
    changes = model_changes(grant, fields)
    for name, value in fields.items():
        setattr(grant, name, value)
    if allocations is None and not {"amount_cents", "start_year", "end_year"} & set(changes):
        allocations = previous
    shares = _grant_validate(grant, allocations)
    grant.save()
    if shares != previous:
        _grant_write_allocations(grant, shares)
        changes["allocations"] = [
            {str(k): v for k, v in previous.items()},
            {str(k): v for k, v in shares.items()},
        ]
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=grant,
            summary=f"Subvention {grant}",
            changes=changes,
        )
    return grant


@transaction.atomic
def grant_delete(*, actor: Any, grant: Grant) -> None:
    """Remove a grant recorded by mistake (the audit trail keeps what it was).

    Called by `ledger.grants.grant_remove`, which reverses its entries in the same
    transaction."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    audit_record(
        actor=actor,
        action="delete",
        target=grant,
        summary=f"Subvention {grant}",
        changes={"amount_cents": grant.amount_cents, "programme": grant.programme},
    )
    grant.delete()


# --- payroll rates and parameters -----------------------------------------------------------

PAYROLL_RATE_FIELDS = (
    "label", "base", "employee_rate", "employer_rate", "covered_by_reduction", "position", "source",
)  # fmt: skip
PAYROLL_PARAMETER_FIELDS = (
    "smic_hourly_cents", "smic_monthly_cents", "full_time_monthly_hours", "pmss_cents",
    "reduction_tmin", "reduction_tdelta", "reduction_exponent", "reduction_exit_smic_multiple",
    "csg_base_percent", "csg_abatement_pmss_cap", "source",
)  # fmt: skip


def _supersede(
    model: type[PayrollRate] | type[PayrollParameters],
    current: Any,
    valid_from: datetime.date,
    what: str,
) -> None:
    """Close the version in force so that a new one starts on `valid_from` (never rewrite one)."""
    if current is None:
        return
    if current.valid_from >= valid_from:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(what)s en vigueur commence le %(date)s : la nouvelle version doit "
                    "commencer après."
                )
                % {"what": what, "date": format_date(current.valid_from)}
            }
        )
    model.objects.filter(pk=current.pk).update(valid_to=valid_from - datetime.timedelta(days=1))


@transaction.atomic
def payroll_rate_create(
    *, actor: Any, code: str, valid_from: datetime.date, **fields: Any
) -> PayrollRate:
    """Add a contribution line, or a new version of one from `valid_from` (the old one ends the day before)."""
    unknown = set(fields) - set(PAYROLL_RATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown payroll rate fields: {sorted(unknown)}")
    later = (
        PayrollRate.objects.filter(code=code, valid_from__gte=valid_from)
        .order_by("valid_from")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "Une version du taux « %(code)s » commence déjà le %(date)s : la nouvelle "
                    "version doit commencer après."
                )
                % {"code": code, "date": format_date(later.valid_from)}
            }
        )
    current = (
        PayrollRate.objects.select_for_update()
        .filter(code=code, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    rate = PayrollRate(code=code, valid_from=valid_from, **fields)
    for name in ("employee_rate", "employer_rate"):
        value = getattr(rate, name)
        if value is None or Decimal(value) < 0 or Decimal(value) > 100:
            raise ValidationError({name: _("Un taux est un pourcentage entre 0 et 100.")})
    rate.full_clean()
    _supersede(PayrollRate, current, valid_from, _("La version du taux"))
    rate.save()
    audit_record(
        actor=actor,
        action="create",
        target=rate,
        summary=f"Taux de cotisation {rate}",
        changes={
            "code": code,
            "employee_rate": str(rate.employee_rate),
            "employer_rate": str(rate.employer_rate),
            "valid_from": valid_from.isoformat(),
        },
    )
    return rate


@transaction.atomic
def payroll_rate_end(*, actor: Any, rate: PayrollRate, valid_to: datetime.date) -> PayrollRate:
    """Stop a contribution line after `valid_to` (a contribution that is abolished)."""
    rate = PayrollRate.objects.select_for_update().get(pk=rate.pk)
    if valid_to < rate.valid_from:
        raise ValidationError(
            {"valid_to": _("La fin de validité ne peut pas précéder le début de validité.")}
        )
    if rate.valid_to is not None:
        raise ValidationError({"valid_to": _("Cette version du taux a déjà une fin de validité.")})
    rate.valid_to = valid_to
    rate.save(update_fields=["valid_to", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=rate,
        summary=f"Taux de cotisation {rate}",
        changes={"valid_to": [None, valid_to.isoformat()]},
    )
    return rate


@transaction.atomic
def payroll_parameters_create(
    *, actor: Any, valid_from: datetime.date, **fields: Any
) -> PayrollParameters:
    """Record the SMIC, ceiling and reduction figures in force from `valid_from`."""
    unknown = set(fields) - set(PAYROLL_PARAMETER_FIELDS)
    if unknown:
        raise TypeError(f"unknown payroll parameters: {sorted(unknown)}")
    if PayrollParameters.objects.filter(valid_from__gte=valid_from).exists():
        raise ValidationError(
            {
                "valid_from": _(
                    "Des paramètres de paie commencent déjà à cette date ou après : les "
                    "nouveaux doivent commencer après."
                )
            }
        )
    current = (
        PayrollParameters.objects.select_for_update()
        .filter(valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    parameters = PayrollParameters(valid_from=valid_from, **fields)
    parameters.full_clean()
    _supersede(PayrollParameters, current, valid_from, _("Les paramètres de paie en vigueur"))
    parameters.save()
    audit_record(
        actor=actor,
        action="create",
        target=parameters,
        summary=f"{parameters}",
        changes={name: str(getattr(parameters, name)) for name in PAYROLL_PARAMETER_FIELDS},
    )
    return parameters
