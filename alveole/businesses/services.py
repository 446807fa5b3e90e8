"""Operations on businesses and their members."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.businesses.models import Business, Membership
from alveole.core.formatting import format_date
from alveole.core.services import audit_record, model_changes
from alveole.people.models import Person, PersonKind

BUSINESS_FIELDS = ("name", "code", "kind", "sector", "description", "start_date", "end_date")


def _validate(business: Business) -> None:
    business.name = (business.name or "").strip()
    business.code = (business.code or "").strip().upper()
    if business.kind == Business.Kind.ENTREPRENEUR and business.sector_id is None:
        raise ValidationError({"sector": _("Choisissez le secteur de l'activité.")})
    if business.end_date and business.start_date and business.end_date < business.start_date:
        raise ValidationError(
            {"end_date": _("La fin de l'activité ne peut pas précéder son début.")}
        )
    business.full_clean()


@transaction.atomic
def business_create(*, actor: Any, main_person: Person | None = None, **fields: Any) -> Business:
    """Create a business; an entrepreneur's business starts with its main entrepreneur."""
    unknown = set(fields) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown business fields: {sorted(unknown)}")
    business = Business(**fields)
    _validate(business)
    if business.kind == Business.Kind.ENTREPRENEUR and main_person is None:
        raise ValidationError(
            {"main_person": _("Une activité d'entrepreneur·e a un·e entrepreneur·e principal·e.")}
        )
    business.save()
    audit_record(actor=actor, action="create", target=business, summary=f"Activité {business}")
    if main_person is not None:
        membership_add(
            actor=actor,
            business=business,
            person=main_person,
            start_date=business.start_date,
            is_main=True,
        )
    return business


@transaction.atomic
def business_update(*, actor: Any, business: Business, **fields: Any) -> Business:
    """Change a business's name, sector, description or dates (its code is fixed once used)."""
    unknown = set(fields) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown business fields: {sorted(unknown)}")
    business = Business.objects.select_for_update().get(pk=business.pk)
    if "code" in fields and fields["code"].strip().upper() != business.code:
        raise ValidationError(
            {"code": _("Le code analytique ne change pas : il numérote les factures.")}
        )
    if "kind" in fields and fields["kind"] != business.kind:
        raise ValidationError({"kind": _("Le type d'une activité ne change pas.")})
    changes = model_changes(business, fields)
    for name, value in fields.items():
        setattr(business, name, value)
    _validate(business)
    business.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=business,
            summary=f"Activité {business}",
            changes=changes,
        )
    return business


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    business: Business,
    person: Person,
    start_date: datetime.date,
    is_main: bool = False,
) -> Membership:
    """Add a person to a business (the main entrepreneur or a co-entrepreneur)."""
    business = Business.objects.select_for_update().get(pk=business.pk)
    if person.kind != PersonKind.ENTREPRENEUR and business.kind == Business.Kind.ENTREPRENEUR:
        raise ValidationError(
            {"person": _("Seul·e un·e entrepreneur·e peut être membre d'une activité.")}
        )
    if business.memberships.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(person)s est déjà membre de cette activité.") % {"person": person}}
        )
    if is_main and business.memberships.filter(is_main=True).exists():
        raise ValidationError(
            {"is_main": _("Cette activité a déjà un·e entrepreneur·e principal·e.")}
        )
    if start_date < business.start_date:
        raise ValidationError(
            {
                "start_date": _("L'arrivée ne peut pas précéder le début de l'activité (%(date)s).")
                % {"date": format_date(business.start_date)}
            }
        )
    membership = Membership.objects.create(
        business=business, person=person, is_main=is_main, start_date=start_date
    )
    audit_record(
        actor=actor, action="create", target=membership, summary=f"{person} rejoint {business}"
    )
    return membership


@transaction.atomic
def membership_set_main(*, actor: Any, membership: Membership) -> Membership:
    """Make a member the business's main entrepreneur."""
    business = Business.objects.select_for_update().get(pk=membership.business_id)
    previous = business.memberships.filter(is_main=True).first()
    if previous is not None and previous.pk != membership.pk:
        previous.is_main = False
        previous.save(update_fields=["is_main", "updated_at"])
    membership.is_main = True
    membership.save(update_fields=["is_main", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=business,
        summary=f"{membership.person} devient entrepreneur·e principal·e de {business}",
        changes=model_changes(membership, {}),
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, end_date: datetime.date) -> Membership:
    """A person leaves a business (the main entrepreneur must be replaced first)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_main:
        raise ValidationError(_("Désignez d'abord un·e autre entrepreneur·e principal·e."))
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("Le départ ne peut pas précéder l'arrivée.")})
    membership.end_date = end_date
    membership.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=membership,
        summary=f"{membership.person} quitte {membership.business}",
    )
    return membership
