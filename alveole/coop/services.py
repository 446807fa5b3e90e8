"""Operations that change the cooperative's identity and reference data."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.coop.models import Cooperative, FiscalYear, Office, Sector
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
