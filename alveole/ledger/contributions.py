"""Each business's monthly contribution, computed from its ledger lines.

The bases come from the lines the business's operations posted (one grouped query for all
businesses): turnover invoiced = net credits of 706 and 707 (credit notes subtract,
internal sales count); turnover received = the excl.-VAT part of what customers paid
(`base_cents` of the 411 lines of the bank journal); gross margin = turnover invoiced −
net debits of 607 (goods for resale), 604 and 611 (subcontracting).

The rules live in `payroll`, above the ledger (docs/adr/0007, 0010): the caller passes the
rule lookup and the amount function — `payroll.selectors.contribution_rule_for` and
`payroll.contributions.contribution_amount` — so the ledger never imports payroll.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.core.dates import add_months, today
from alveole.core.formatting import format_date
from alveole.core.models import AuditEvent
from alveole.core.services import audit_record
from alveole.ledger import chart, posting
from alveole.ledger.models import Entry, Event, Line
from alveole.ledger.services import entry_post, lock_date, require_bookkeeper

#: The audit event's target type of a month's computation (one per month computed).
COMPUTED_TARGET = "ledger.contribution"

TURNOVER_INVOICED = "turnover_invoiced"
TURNOVER_RECEIVED = "turnover_received"
GROSS_MARGIN = "gross_margin"


class Rule(Protocol):
    """What the ledger reads of a contribution rule: the base it applies to."""

    base: str


class RuleLookup(Protocol):
    def __call__(self, business: Business, day: datetime.date) -> Any: ...


class AmountFunction(Protocol):
    def __call__(
        self, rule: Any, base_amounts_cents: Mapping[str, int], *, year_to_date_cents: int = 0
    ) -> int: ...


@dataclass(frozen=True)
class Bases:
    """A business's contribution bases over a period, in cents."""

    turnover_invoiced_cents: int = 0
    turnover_received_cents: int = 0
    goods_and_subcontracting_cents: int = 0

    @property
    def gross_margin_cents(self) -> int:
        return self.turnover_invoiced_cents - self.goods_and_subcontracting_cents

    def as_mapping(self) -> dict[str, int]:
        """Keyed by the bases of `payroll.models.ContributionRule.Base`."""
        return {
            TURNOVER_INVOICED: self.turnover_invoiced_cents,
            TURNOVER_RECEIVED: self.turnover_received_cents,
            GROSS_MARGIN: self.gross_margin_cents,
        }


_ZERO = Value(0, output_field=BigIntegerField())


def _sum(condition: Q, amount: Any) -> Coalesce:
    return Coalesce(
        Sum(Case(When(condition, then=amount), default=_ZERO, output_field=BigIntegerField())),
        _ZERO,
    )


def _base_sums(period: Q) -> dict[str, Coalesce]:
    sales = Q(account__number__startswith=chart.SERVICES_SOLD) | Q(
        account__number__startswith=chart.GOODS_SOLD
    )
    deducted = Q()
    for account in chart.GROSS_MARGIN_DEDUCTED:
        deducted |= Q(account__number__startswith=account)
    receipts = Q(account__number__startswith=chart.CUSTOMERS, journal_id=chart.BANK_JOURNAL)
    received = Case(
        When(credit_cents__gt=0, then=Coalesce(F("base_cents"), F("credit_cents"))),
        default=-Coalesce(F("base_cents"), F("debit_cents")),
        output_field=BigIntegerField(),
    )
    return {
        "invoiced": _sum(period & sales, F("credit_cents") - F("debit_cents")),
        "received": _sum(period & receipts, received),
        "deducted": _sum(period & deducted, F("debit_cents") - F("credit_cents")),
    }


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, add_months(start, 1) - datetime.timedelta(days=1)


def contribution_bases(month: datetime.date) -> dict[int, tuple[Bases, Bases]]:
    """Per business: (the month's bases, the bases from 1 January to the month before).

    One grouped query over the lines of the year up to the month's end.
    """
    start, end = month_bounds(month)
    this_month = {f"m_{k}": v for k, v in _base_sums(Q(date__gte=start)).items()}
    before = {f"y_{k}": v for k, v in _base_sums(Q(date__lt=start)).items()}
    rows = (
        Line.objects.filter(
            business__isnull=False, date__gte=datetime.date(start.year, 1, 1), date__lte=end
        )
        .exclude(journal_id=chart.OPENING_JOURNAL)
        .values("business_id")
        .annotate(**this_month, **before)
        .order_by()
    )
    return {
        row["business_id"]: (
            Bases(row["m_invoiced"], row["m_received"], row["m_deducted"]),
            Bases(row["y_invoiced"], row["y_received"], row["y_deducted"]),
        )
        for row in rows
    }


def contribution_document_id(month: datetime.date, business_id: int) -> str:
    return f"{month:%Y-%m}:{business_id}"


def contributions_posted(month: datetime.date) -> dict[int, int]:
    """What was already posted as each business's contribution for a month (one query)."""
    rows = (
        Line.objects.filter(
            account_id=chart.LIAISON_CONTRIBUTIONS,
            entry__event=Event.CONTRIBUTION,
            entry__document_id__startswith=f"{month:%Y-%m}:",
        )
        .exclude(business__kind=Business.Kind.SUPPORT_STRUCTURE)
        .values("business_id")
        .annotate(debit=Sum("debit_cents", default=0), credit=Sum("credit_cents", default=0))
        .order_by()
    )
    return {row["business_id"]: row["debit"] - row["credit"] for row in rows}


def last_computed_month() -> str:
    """The latest month computed ("YYYY-MM"), read from the audit events the computation
    records ("" when none was)."""
    from_audit = (
        AuditEvent.objects.filter(target_type=COMPUTED_TARGET)
        .order_by("-target_id")
        .values_list("target_id", flat=True)
        .first()
    )
    return from_audit or ""


@dataclass
class ContributionRun:
    """What a computation did: the amounts due, the entries posted, the businesses skipped."""

    month: datetime.date
    due: dict[int, int] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    without_rule: list[Business] = field(default_factory=list)


@transaction.atomic
def contributions_compute(
    *,
    actor: Any,
    month: datetime.date,
    rule_for: RuleLookup,
    amount: AmountFunction,
) -> ContributionRun:
    """Compute and post every business's contribution for a finished month.

    Idempotent: what was already posted for the month is subtracted, so computing again
    after a late invoice posts only the difference — dated the month's last day, or the
    first open day when the month is closed (corrections go to the open period).
    """
    require_bookkeeper(actor)
    start, end = month_bounds(month)
    if end >= today():
        raise ValidationError(_("La contribution se calcule pour un mois terminé."))
    support = Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).first()
    if support is None:
        raise ValidationError(
            _("La structure d'accompagnement n'existe pas : créez-la parmi les activités.")
        )
    bases = contribution_bases(start)
    posted = contributions_posted(start)
    businesses = Business.objects.filter(kind=Business.Kind.ENTREPRENEUR).filter(
        (Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start)))
        | Q(pk__in=list(bases) + list(posted))
    )
    closed = lock_date()
    day = end if closed is None or end > closed else closed + datetime.timedelta(days=1)
    run = ContributionRun(month=start)
    for business in businesses.order_by("code"):
        month_bases, before = bases.get(business.pk, (Bases(), Bases()))
        rule = rule_for(business, start)
        if rule is None:
            run.without_rule.append(business)
            continue
        due = amount(
            rule,
            month_bases.as_mapping(),
            year_to_date_cents=before.as_mapping()[rule.base],
        )
        run.due[business.pk] = due
        difference = due - posted.get(business.pk, 0)
        period_label = f"{start:%m/%Y}" + ("" if day == end else " (régularisation)")
        draft = posting.contribution(
            document=posting.DocumentRef(
                kind="contribution",
                number=f"CONTRIB-{business.code}-{start:%Y-%m}",
                date=day,
                id=contribution_document_id(start, business.pk),
            ),
            business_id=business.pk,
            business_code=business.code,
            support_business_id=support.pk,
            amount_cents=difference,
            period_label=period_label,
        )
        if draft is not None:
            run.entries.append(entry_post(actor=actor, draft=draft))
    audit_record(
        actor=actor,
        action="create",
        target_type=COMPUTED_TARGET,
        target_id=f"{start:%Y-%m}",
        summary=f"Contributions de {start:%m/%Y} : {len(run.entries)} écriture(s), "
        f"datées du {format_date(day)}",
        changes={"without_rule": [b.code for b in run.without_rule]},
    )
    return run
