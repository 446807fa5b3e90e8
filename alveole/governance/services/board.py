"""Writes of the board and offices: mandates with their dates, elections by an assembly."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.core.formatting import format_date
from alveole.core.services import audit_record
from alveole.governance.models import Assembly, Mandate, MandateRole
from alveole.governance.selectors import governance_settings, is_associate_at, mandates_at
from alveole.people.models import Person


def _overlaps(mandate: Mandate, start: datetime.date, end: datetime.date | None) -> bool:
    starts_before_other_ends = mandate.end_date is None or start < mandate.end_date
    ends_after_other_starts = end is None or end > mandate.start_date
    return starts_before_other_ends and ends_after_other_starts


@transaction.atomic
def mandate_start(
    *,
    actor: Any,
    person: Person,
    role: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    elected_by: Assembly | None = None,
    note: str = "",
) -> Mandate:
    """Record a mandate: a board member elected by an assembly, or an office the board appoints.

    A board member is an associate elected by a closed assembly held on or before the start,
    within the board's maximum size; a co-president sits on the board.
    """
    # Serialise mandate writes: the board's size is checked against the running mandates.
    Person.objects.select_for_update().get(pk=person.pk)
    if role not in MandateRole.values:
        raise ValidationError({"role": _("Fonction inconnue.")})
    if end_date is not None and end_date <= start_date:
        raise ValidationError({"end_date": _("La fin du mandat doit suivre son début.")})
    for other in Mandate.objects.filter(person=person, role=role):
        if _overlaps(other, start_date, end_date):
            raise ValidationError(
                _("%(person)s exerce déjà cette fonction depuis le %(date)s.")
                % {"person": person, "date": format_date(other.start_date)}
            )
    if role == MandateRole.BOARD_MEMBER:
        if not is_associate_at(person, start_date):
            raise ValidationError(
                _(
                    "Seul·e un·e associé·e peut siéger au conseil : %(person)s ne l'est pas le %(date)s."
                )
                % {"person": person, "date": format_date(start_date)}
            )
        if elected_by is None:
            raise ValidationError(
                {"elected_by": _("Indiquez l'assemblée qui a élu l'administrateur·rice.")}
            )
        if elected_by.status != Assembly.Status.CLOSED or elected_by.date > start_date:
            raise ValidationError(
                {
                    "elected_by": _(
                        "L'élection est faite par une assemblée close, tenue au plus tard au début du mandat."
                    )
                }
            )
        maximum = governance_settings().board_max_size
        seated = mandates_at(start_date).filter(role=MandateRole.BOARD_MEMBER).count()
        if seated >= maximum:
            raise ValidationError(
                _("Le conseil compte déjà %(count)s membres au %(date)s : c'est le maximum.")
                % {"count": seated, "date": format_date(start_date)}
            )
    elif elected_by is not None:
        raise ValidationError(
            {"elected_by": _("Seul·es les administrateur·rices sont élu·es par l'assemblée.")}
        )
    if role == MandateRole.CO_PRESIDENT:
        on_board = mandates_at(start_date).filter(person=person, role=MandateRole.BOARD_MEMBER)
        if not on_board.exists():
            raise ValidationError(
                _(
                    "La co-présidence est confiée à un membre du conseil : %(person)s n'y siège pas le %(date)s."
                )
                % {"person": person, "date": format_date(start_date)}
            )
    mandate = Mandate.objects.create(
        person=person, role=role, start_date=start_date, end_date=end_date,
        elected_by=elected_by, note=note.strip(),
    )  # fmt: skip
    audit_record(
        actor=actor, action="create", target=mandate,
        summary=f"{mandate.get_role_display()} : {person} à partir du {format_date(start_date)}",
    )  # fmt: skip
    return mandate


@transaction.atomic
def mandate_end(*, actor: Any, mandate: Mandate, end_date: datetime.date) -> Mandate:
    """End a mandate; a board member who co-presides leaves the co-presidency first."""
    mandate = Mandate.objects.select_for_update().select_related("person").get(pk=mandate.pk)
    if mandate.end_date is not None:
        raise ValidationError(
            _("Ce mandat a déjà pris fin le %(date)s.") % {"date": format_date(mandate.end_date)}
        )
    if end_date <= mandate.start_date:
        raise ValidationError({"end_date": _("La fin du mandat doit suivre son début.")})
    if mandate.role == MandateRole.BOARD_MEMBER:
        presiding = Mandate.objects.filter(
            person=mandate.person, role=MandateRole.CO_PRESIDENT, start_date__lt=end_date
        ).exclude(end_date__lte=end_date)
        if presiding.exists():
            raise ValidationError(
                _("%(person)s co-préside encore : mettez d'abord fin à la co-présidence.")
                % {"person": mandate.person}
            )
    mandate.end_date = end_date
    mandate.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor, action="update", target=mandate,
        summary=f"Fin du mandat {mandate} le {format_date(end_date)}",
    )  # fmt: skip
    return mandate
