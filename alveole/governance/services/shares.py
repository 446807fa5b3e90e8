"""Writes of the shares register: subscriptions, releases (payments), refunds on exit.

Our choice (docs/users/governance.md): a subscription requires the person to be an
associate at its date. `associate_admit` does both in one transaction — it calls
people's `associate_join`, then subscribes — so that the usual admission is one step.
Leaving the associates (people's `associate_leave` or `person_exit`) does not cancel the
shares by itself: `departed_with_shares` lists those whose refund is to be recorded with
`shares_refund_on_exit`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.services import audit_record, model_changes
from alveole.governance.models import (
    GovernanceSettings,
    ReleaseMethod,
    ShareInstallment,
    ShareRefund,
    ShareRelease,
    ShareSubscription,
)
from alveole.governance.selectors import is_associate_at, person_holding
from alveole.people import services as people_services
from alveole.people.models import Person

#: A single subscription above this many shares is surely a typing error.
MAX_SHARES_PER_SUBSCRIPTION = 1_000_000


def _lock_person(person: Person) -> Person:
    # Serialises writes about one person's shares (row lock on PostgreSQL; SQLite's
    # IMMEDIATE transactions already serialise writers, see docs/adr/0003).
    return Person.objects.select_for_update().get(pk=person.pk)


def _check_schedule(
    date: datetime.date, unpaid_cents: int, schedule: Iterable[tuple[datetime.date, int]]
) -> list[tuple[datetime.date, int]]:
    items = sorted((due, int(amount)) for due, amount in schedule)
    for due, amount in items:
        if amount <= 0:
            raise ValidationError(
                {"schedule": _("Chaque échéance doit être d'un montant positif.")}
            )
        if due <= date:
            raise ValidationError(
                {"schedule": _("Les échéances doivent suivre la date de souscription.")}
            )
    planned = sum(amount for _due, amount in items)
    if planned != unpaid_cents:
        raise ValidationError(
            {
                "schedule": _(
                    "L'échéancier prévoit %(planned)s alors qu'il reste %(unpaid)s à libérer."
                )
                % {"planned": format_cents(planned), "unpaid": format_cents(unpaid_cents)}
            }
        )
    return items


@transaction.atomic
def shares_subscribe(
    *,
    actor: Any,
    person: Person,
    date: datetime.date,
    shares: int,
    nominal_cents: int,
    paid_cents: int = 0,
    schedule: Iterable[tuple[datetime.date, int]] = (),
    release_method: str = ReleaseMethod.TRANSFER,
    note: str = "",
) -> ShareSubscription:
    """Record shares an associate subscribes; what is paid at once is a first release."""
    person = _lock_person(person)
    if date > today():
        raise ValidationError({"date": _("Une souscription ne peut pas être datée dans le futur.")})
    if not is_associate_at(person, date):
        raise ValidationError(
            _(
                "%(person)s n'est pas associé·e le %(date)s : enregistrez d'abord son entrée "
                "au sociétariat, ou utilisez « Admettre un·e associé·e »."
            )
            % {"person": person, "date": format_date(date)}
        )
    if not 0 < shares <= MAX_SHARES_PER_SUBSCRIPTION:
        raise ValidationError({"shares": _("Le nombre de parts doit être positif.")})
    if nominal_cents <= 0:
        raise ValidationError({"nominal_cents": _("La valeur nominale doit être positive.")})
    if release_method not in ReleaseMethod.values:
        raise ValidationError({"release_method": _("Moyen de paiement inconnu.")})
    amount = shares * nominal_cents
    if not 0 <= paid_cents <= amount:
        raise ValidationError(
            {
                "paid_cents": _("Le montant libéré doit être compris entre 0 et %(amount)s.")
                % {"amount": format_cents(amount)}
            }
        )
    items = _check_schedule(date, amount - paid_cents, schedule)
    subscription = ShareSubscription.objects.create(
        person=person, date=date, shares=shares, nominal_cents=nominal_cents, note=note.strip()
    )
    ShareInstallment.objects.bulk_create(
        ShareInstallment(subscription=subscription, due_date=due, amount_cents=cents)
        for due, cents in items
    )
    if paid_cents:
        ShareRelease.objects.create(
            subscription=subscription, date=date, amount_cents=paid_cents, method=release_method
        )
    audit_record(
        actor=actor,
        action="create",
        target=subscription,
        summary=(
            f"Souscription de {shares} part(s) par {person} le {format_date(date)} "
            f"({format_cents(amount)}, libéré {format_cents(paid_cents)})"
        ),
        changes={"schedule": [[due.isoformat(), cents] for due, cents in items]},
    )
    return subscription


@transaction.atomic
def associate_admit(
    *,
    actor: Any,
    person: Person,
    date: datetime.date,
    shares: int,
    nominal_cents: int,
    paid_cents: int = 0,
    schedule: Iterable[tuple[datetime.date, int]] = (),
    release_method: str = ReleaseMethod.TRANSFER,
) -> ShareSubscription:
    """Admit a person as an associate and record their first subscription, all or nothing."""
    people_services.associate_join(actor=actor, person=person, date=date)
    return shares_subscribe(
        actor=actor,
        person=person,
        date=date,
        shares=shares,
        nominal_cents=nominal_cents,
        paid_cents=paid_cents,
        schedule=schedule,
        release_method=release_method,
    )


@transaction.atomic
def shares_release_record(
    *,
    actor: Any,
    subscription: ShareSubscription,
    date: datetime.date,
    amount_cents: int,
    method: str = ReleaseMethod.TRANSFER,
) -> ShareRelease:
    """Record a payment that pays up part of a subscription, never more than what is unpaid."""
    _lock_person(subscription.person)
    subscription = ShareSubscription.objects.select_related("person").get(pk=subscription.pk)
    if date < subscription.date:
        raise ValidationError(
            {
                "date": _("La libération ne peut pas précéder la souscription (%(date)s).")
                % {"date": format_date(subscription.date)}
            }
        )
    if date > today():
        raise ValidationError({"date": _("Un paiement ne peut pas être daté dans le futur.")})
    if method not in ReleaseMethod.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    cancelled = ShareRefund.objects.filter(
        person=subscription.person, date__gte=subscription.date
    ).first()
    if cancelled is not None:
        raise ValidationError(
            _("Ces parts ont été annulées le %(date)s : plus aucune libération n'est possible.")
            % {"date": format_date(cancelled.date)}
        )
    released = subscription.releases.aggregate(total=Sum("amount_cents"))["total"] or 0
    unpaid = subscription.amount_cents - released
    if amount_cents <= 0:
        raise ValidationError({"amount_cents": _("Le montant doit être positif.")})
    if amount_cents > unpaid:
        raise ValidationError(
            {
                "amount_cents": _("Il ne reste que %(unpaid)s à libérer sur cette souscription.")
                % {"unpaid": format_cents(unpaid)}
            }
        )
    release = ShareRelease.objects.create(
        subscription=subscription, date=date, amount_cents=amount_cents, method=method
    )
    audit_record(
        actor=actor,
        action="create",
        target=release,
        summary=(
            f"Libération de {format_cents(amount_cents)} par {subscription.person} "
            f"le {format_date(date)}"
        ),
    )
    return release


@transaction.atomic
def shares_refund_on_exit(
    *,
    actor: Any,
    person: Person,
    date: datetime.date | None = None,
    amount_cents: int | None = None,
    reason: str = "",
) -> ShareRefund:
    """Cancel a former associate's shares and record the refund owed (at most what was paid up).

    The date defaults to the day the person stopped being an associate. A refund below
    the paid-up amount (losses to absorb, as the statutes allow) needs a reason.
    """
    person = _lock_person(person)
    associateships = list(person.associateships.order_by("-start_date"))
    if not associateships:
        raise ValidationError(_("%(person)s n'a jamais été associé·e.") % {"person": person})
    running = [a for a in associateships if a.end_date is None]
    if running:
        raise ValidationError(
            _(
                "%(person)s est encore associé·e : enregistrez d'abord sa sortie du sociétariat "
                "(ou de la coopérative)."
            )
            % {"person": person}
        )
    left_on = max(a.end_date for a in associateships if a.end_date is not None)
    date = date or left_on
    if date < left_on:
        raise ValidationError(
            {
                "date": _(
                    "Les parts ne peuvent être annulées qu'à partir de la sortie du sociétariat "
                    "(%(date)s)."
                )
                % {"date": format_date(left_on)}
            }
        )
    if date > today():
        raise ValidationError({"date": _("L'annulation ne peut pas être datée dans le futur.")})
    holding = person_holding(person, date)
    if holding.shares_held <= 0:
        raise ValidationError(
            _("%(person)s ne détient plus de parts : rien à rembourser.") % {"person": person}
        )
    paid_up = holding.paid_up_cents
    amount = paid_up if amount_cents is None else amount_cents
    if amount < 0 or amount > paid_up:
        raise ValidationError(
            {
                "amount_cents": _("Le remboursement ne peut dépasser le montant libéré (%(paid)s).")
                % {"paid": format_cents(paid_up)}
            }
        )
    if amount < paid_up and not reason.strip():
        raise ValidationError(
            {"reason": _("Indiquez le motif d'un remboursement inférieur au montant libéré.")}
        )
    refund = ShareRefund.objects.create(
        person=person,
        date=date,
        shares=holding.shares_held,
        nominal_cents=holding.capital_cents,
        paid_up_cents=paid_up,
        amount_cents=amount,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="create",
        target=refund,
        summary=(
            f"Annulation de {refund.shares} part(s) de {person} le {format_date(date)} : "
            f"{format_cents(amount)} à rembourser"
        ),
    )
    return refund


@transaction.atomic
def shares_refund_pay(*, actor: Any, refund: ShareRefund, paid_on: datetime.date) -> ShareRefund:
    """Record that the refund was paid to the former associate."""
    refund = ShareRefund.objects.select_for_update().select_related("person").get(pk=refund.pk)
    if refund.paid_on is not None:
        raise ValidationError(
            _("Ce remboursement a déjà été payé le %(date)s.")
            % {"date": format_date(refund.paid_on)}
        )
    if paid_on < refund.date:
        raise ValidationError(
            {
                "paid_on": _("Le paiement ne peut pas précéder l'annulation des parts (%(date)s).")
                % {"date": format_date(refund.date)}
            }
        )
    if paid_on > today():
        raise ValidationError({"paid_on": _("Un paiement ne peut pas être daté dans le futur.")})
    refund.paid_on = paid_on
    refund.save(update_fields=["paid_on", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=refund,
        summary=f"Remboursement de {format_cents(refund.amount_cents)} à {refund.person} payé le {format_date(paid_on)}",
    )
    return refund


SETTINGS_FIELDS = (
    "notice_days_first",
    "notice_days_second",
    "board_max_size",
    "share_nominal_cents",
)


@transaction.atomic
def governance_settings_update(*, actor: Any, **fields: Any) -> GovernanceSettings:
    """Change the governance parameters taken from the statutes."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    current = GovernanceSettings.objects.select_for_update().order_by("pk").first()
    current = current or GovernanceSettings()
    errors: dict[str, list[str]] = {}
    if fields.get("notice_days_first", current.notice_days_first) < 15:
        errors["notice_days_first"] = [
            _("Le délai légal de première convocation est d'au moins 15 jours.")
        ]
    if fields.get("notice_days_second", current.notice_days_second) < 10:
        errors["notice_days_second"] = [
            _("Le délai légal de seconde convocation est d'au moins 10 jours.")
        ]
    if not 3 <= fields.get("board_max_size", current.board_max_size) <= 18:
        errors["board_max_size"] = [
            _("Le conseil d'administration compte de 3 à 18 membres (Code de commerce L225-17).")
        ]
    if fields.get("share_nominal_cents", current.share_nominal_cents) <= 0:
        errors["share_nominal_cents"] = [_("La valeur nominale doit être positive.")]
    if errors:
        raise ValidationError(errors)
    changes = model_changes(current, fields)
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    audit_record(
        actor=actor,
        action="update",
        target=current,
        summary="Paramètres de gouvernance",
        changes=changes,
    )
    return current
